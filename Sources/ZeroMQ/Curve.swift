import CZeroMQ

/// Z85, ZeroMQ's printable encoding of binary data (RFC 32/Z85): 4 bytes become 5 characters.
public enum Z85 {
    /// The 85 characters of the Z85 alphabet, in value order.
    public static let alphabet = Array(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// Encodes `bytes` (`zmq_z85_encode`); the count must be a multiple of 4.
    public static func encode(_ bytes: [UInt8]) throws -> String {
        guard bytes.count % 4 == 0 else {
            throw ZMQError(
                code: EINVAL, operation: "Z85.encode",
                message: "Z85 encodes whole 4-byte groups; got \(bytes.count) bytes.")
        }
        var output = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        guard zmq_z85_encode(&output, bytes, bytes.count) != nil else { throw ZMQError.last("zmq_z85_encode") }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes a Z85 string (`zmq_z85_decode`); its length must be a multiple of 5 and every
    /// character in the alphabet.
    public static func decode(_ string: String) throws -> [UInt8] {
        let characters = Array(string.utf8)
        guard characters.count % 5 == 0 else {
            throw ZMQError(
                code: EINVAL, operation: "Z85.decode",
                message: "Z85 text comes in whole 5-character groups; got \(characters.count) characters.")
        }
        // libzmq 4.3 does not reject every character outside the alphabet, so check here.
        if let bad = characters.first(where: { !alphabetSet.contains($0) }) {
            throw ZMQError(
                code: EINVAL, operation: "Z85.decode",
                message: "\(describe(bad)) is not in the Z85 alphabet.")
        }
        var output = [UInt8](repeating: 0, count: characters.count / 5 * 4)
        guard zmq_z85_decode(&output, string) != nil else {
            throw ZMQError(
                code: EINVAL, operation: "zmq_z85_decode",
                message: "The text is not valid Z85 (a group encodes a value above 2^32 - 1).")
        }
        return output
    }

    static let alphabetSet = Set(alphabet)

    static func describe(_ character: UInt8) -> String {
        (32..<127).contains(character)
            ? "The character '\(Character(Unicode.Scalar(character)))'"
            : "The byte 0x\(String(character, radix: 16))"
    }
}

/// A CURVE key (public or secret): 32 bytes, written as 40 Z85 characters.
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// A key from its 40-character Z85 text; throws an error that says what is wrong with it.
    public init(z85: String) throws {
        try CurveKey.validate(z85)
        self.bytes = try Z85.decode(z85)
    }

    /// A key from its 32 raw bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw ZMQError(
                code: EINVAL, operation: "CurveKey(bytes:)",
                message: "A CURVE key is 32 bytes; got \(bytes.count).")
        }
        self.bytes = bytes
    }

    /// The key as 40 Z85 characters.
    public var z85: String {
        // 32 bytes is always a multiple of 4, so encoding cannot fail.
        (try? Z85.encode(bytes)) ?? ""
    }

    /// The Z85 text. A public key is safe to log, a secret key is not — don't print one.
    public var description: String { z85 }

    /// Checks that `z85` is a well-formed CURVE key: exactly 40 characters of the Z85 alphabet.
    public static func validate(_ z85: String) throws {
        let characters = Array(z85.utf8)
        guard characters.count == 40 else {
            throw ZMQError(
                code: EINVAL, operation: "CurveKey.validate",
                message: "A CURVE key in Z85 is 40 characters; got \(characters.count).")
        }
        if let bad = characters.first(where: { !Z85.alphabetSet.contains($0) }) {
            throw ZMQError(
                code: EINVAL, operation: "CurveKey.validate",
                message: "\(Z85.describe(bad)) is not in the Z85 alphabet, so this is not a CURVE key.")
        }
    }

    /// Whether `z85` is a well-formed CURVE key.
    public static func isValid(_ z85: String) -> Bool {
        (try? validate(z85)) != nil
    }
}

/// A CURVE key pair, both keys as 40-character Z85 strings.
///
/// The secret key never leaves the machine that generated it; share only `publicKey`.
public struct CurveKeyPair: Sendable, Hashable {
    /// The public key (Z85), shared with peers and enrolled on the server's allow-list.
    public let publicKey: String
    /// The secret key (Z85). Keep it private.
    public let secretKey: String

    /// A pair from existing keys; checks both are well formed and that they belong together.
    public init(publicKey: String, secretKey: String) throws {
        guard try CurveKeyPair.derivePublicKey(fromSecret: secretKey) == publicKey else {
            throw ZMQError(
                code: EINVAL, operation: "CurveKeyPair(publicKey:secretKey:)",
                message: "The public key does not belong to the secret key.")
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    private init(uncheckedPublicKey: String, secretKey: String) {
        self.publicKey = uncheckedPublicKey
        self.secretKey = secretKey
    }

    /// Generates a fresh pair (`zmq_curve_keypair`). Throws if libzmq has no CURVE support.
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(uncheckedPublicKey: string(publicKey), secretKey: string(secretKey))
    }

    /// The public key (Z85) that belongs to `secretKey` (Z85), via `zmq_curve_public`.
    public static func derivePublicKey(fromSecret secretKey: String) throws -> String {
        try CurveKey.validate(secretKey)
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { throw ZMQError.last("zmq_curve_public") }
        return string(publicKey)
    }

    private static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
