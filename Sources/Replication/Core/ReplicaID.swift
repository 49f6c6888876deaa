/// The stable identity of one replica: a center's node, a replacement node, or the hub.
///
/// Replica ids are compared as strings to break ties deterministically, so every
/// replica orders concurrent writes the same way.
public struct ReplicaID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts 1–64 characters of `[A-Za-z0-9._-]`; returns nil otherwise.
    public init?(rawValue: String) {
        guard ReplicaID.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Validates and wraps `string`, throwing a readable error for a malformed id.
    public init(validating string: String) throws {
        guard let id = ReplicaID(rawValue: string) else {
            throw ReplicationError.invalidInput(
                "invalid replica id \"\(string)\": use 1–64 characters of letters, digits, '.', '_' or '-'")
        }
        self = id
    }

    /// A new random id such as `c001-7k2m9q4x8p3r`, with an optional readable prefix.
    public static func generate(prefix: String = "r") -> ReplicaID {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var rng = SystemRandomNumberGenerator()
        let suffix = String((0..<12).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        let cleanPrefix = String(prefix.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(20))
        return ReplicaID(rawValue: (cleanPrefix.isEmpty ? "r" : cleanPrefix) + "-" + suffix)!
    }

    static func isValid(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 64 else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 45
        }
    }

    public static func < (a: ReplicaID, b: ReplicaID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}
