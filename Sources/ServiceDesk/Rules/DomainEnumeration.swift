/// A closed set of domain values stored in SQLite by a stable lowercase English raw value
/// and shown to staff by a Chinese display name.
///
/// ``parse(_:)`` accepts the raw value (case-insensitive, `-` or a space in place of `_`,
/// or the Swift case spelling such as `walkIn`), the Chinese display name and any
/// ``aliases``, and otherwise throws a message listing the valid values:
///
/// ```swift
/// try RequestKind.parse("投诉")   // .complaint
/// try Channel.parse("walk-in")    // .walkIn
/// try Severity.parse("huge")
/// // unknown severity 'huge'; valid values: general (一般), major (重大)
/// ```
public protocol DomainEnumeration: RawRepresentable, CaseIterable, Sendable, Hashable, Codable
where RawValue == String {
    /// What the values are called in messages, e.g. "request kind".
    static var valueName: String { get }
    /// The Chinese name shown to staff.
    var displayName: String { get }
    /// Other accepted spellings (further Chinese terms); empty by default.
    var aliases: [String] { get }
}

extension DomainEnumeration {
    public var aliases: [String] { [] }

    /// Parses a raw value, a Chinese display name or an alias; see ``DomainEnumeration``.
    public static func parse(_ text: String) throws(RuleError) -> Self {
        let key = normalizedKey(text)
        if !key.isEmpty {
            for value in allCases {
                let names = [value.rawValue, value.displayName] + value.aliases
                if names.contains(where: { normalizedKey($0) == key }) { return value }
            }
        }
        throw RuleError(.invalidValue, "unknown \(valueName) '\(text)'; valid values: \(validValuesList)")
    }

    /// `"repair (报修), complaint (投诉), ..."`, for messages and help texts.
    public static var validValuesList: String {
        allCases.map { "\($0.rawValue) (\($0.displayName))" }.joined(separator: ", ")
    }
}

/// Lowercased, without spaces, `_` and `-`, so "walkIn", "walk_in" and "Walk-in" agree.
private func normalizedKey(_ text: String) -> String {
    String(
        text.trimmingWhitespace().lowercased().unicodeScalars
            .filter { $0 != "_" && $0 != "-" && $0 != " " }
            .map(Character.init))
}

extension String {
    /// The string without leading and trailing whitespace and newlines (incl. U+3000).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
