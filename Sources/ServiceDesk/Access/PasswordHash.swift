import Crypto
import _CryptoExtras
import Foundation

/// Staff passwords, stored only as a slow salted hash: PBKDF2-HMAC-SHA256 with 210,000
/// rounds (OWASP's figure for SHA-256, and the floor swift-crypto's checked API enforces),
/// a 16-byte random salt and a 32-byte output. The stored form names the algorithm and
/// its rounds, so the cost can be raised later without invalidating existing hashes:
///
///     pbkdf2-sha256$210000$<salt, base64>$<hash, base64>
public enum PasswordHash {
    public static let rounds = 210_000
    public static let minimumLength = 8

    /// Refuses passwords too short to resist guessing; returns the password unchanged.
    public static func validate(_ password: String) throws -> String {
        guard password.count >= minimumLength else {
            throw DeskError.invalid("a password needs at least \(minimumLength) characters")
        }
        return password
    }

    /// A new hash of `password` with a fresh random salt.
    public static func make(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = rng.next() }
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(key.base64EncodedString())"
    }

    /// Whether `password` matches `stored`; false for a malformed stored value. Compares in
    /// constant time.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let n = Int(parts[1]), n >= 100_000,
              let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
              expected.count == 32, let actual = try? derive(password, salt: Array(salt), rounds: n) else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(actual, expected) { diff |= a ^ b }
        return diff == 0
    }

    /// Burns the same time as a real check, so an unknown user name cannot be told from a
    /// wrong password by how long the answer takes.
    public static func verifyNothing(_ password: String) {
        _ = try? derive(password, salt: Array(repeating: 0, count: 16), rounds: rounds)
    }

    static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Data($0) }
    }
}
