import Foundation

/// What a column's values mean beyond their kind, and so which values it admits: declared
/// per field by the application (SCHEMA-v<N>.md, "Encoding") and checked by every receiver
/// on every value of a received state, winners and siblings (SPEC §9). NULL fits every
/// format. Pure.
public enum ValueFormat: Sendable, Hashable {
    /// Integer 0 (no) or 1 (yes).
    case boolean
    /// Integer milliseconds since 1970-01-01T00:00:00Z, from 0 to the last millisecond of
    /// the year 9999 (`maxUnixMillis`).
    case unixMillis
    /// Text `YYYY-MM-DD`, a real date of the Gregorian calendar (years 0001–9999).
    case date
    /// Text `YYYY-MM`, months 01–12.
    case month
    /// Text `YYYY-Qn`, n = 1…4.
    case quarter
    /// An integer ≥ 0 (amounts of money in fen).
    case nonNegative
    /// Text, one of the values.
    case oneOf([String])
    /// An integer, one of the values.
    case oneOfIntegers([Int64])
    /// Text: a JSON array of strings, each one of the values.
    case jsonArray(of: [String])

    /// 9999-12-31T23:59:59.999Z.
    public static let maxUnixMillis: Int64 = 253_402_300_799_999

    /// The column kind the format is for: a declaration pairing it with another is invalid.
    public var kind: ColumnType {
        switch self {
        case .boolean, .unixMillis, .nonNegative, .oneOfIntegers: return .integer
        case .date, .month, .quarter, .oneOf, .jsonArray: return .text
        }
    }

    /// Why `value` is not of this format, or nil when it is (NULL always is). A value of
    /// another kind is the column kind's problem (`ColumnType.admits`), not reported here.
    public func problem(_ value: Value) -> String? {
        switch (self, value) {
        case (_, .null): return nil
        case (.boolean, .integer(let i)):
            return i == 0 || i == 1 ? nil : "\(i) is not a boolean (0 or 1)"
        case (.unixMillis, .integer(let i)):
            return (0...Self.maxUnixMillis).contains(i) ? nil
                : "\(i) is not a time in Unix milliseconds (0 to \(Self.maxUnixMillis), the end of 9999)"
        case (.nonNegative, .integer(let i)):
            return i >= 0 ? nil : "\(i) is negative"
        case (.oneOfIntegers(let allowed), .integer(let i)):
            return allowed.contains(i) ? nil : "\(i) is not one of \(allowed.map(String.init).joined(separator: ", "))"
        case (.date, .text(let t)):
            return Self.isDate(t) ? nil : "\"\(t)\" is not a calendar date YYYY-MM-DD"
        case (.month, .text(let t)):
            return Self.digits(t, [4, 2]).map { $0[0] >= 1 && (1...12).contains($0[1]) } == true ? nil
                : "\"\(t)\" is not a month YYYY-MM"
        case (.quarter, .text(let t)):
            let u = Array(t.utf8)
            let ok = u.count == 7 && u[4] == UInt8(ascii: "-") && u[5] == UInt8(ascii: "Q") && (UInt8(ascii: "1")...UInt8(ascii: "4")).contains(u[6])
                && Self.digits(String(decoding: u[0..<4], as: UTF8.self), [4]).map { $0[0] >= 1 } == true
            return ok ? nil : "\"\(t)\" is not a quarter YYYY-Qn (n = 1…4)"
        case (.oneOf(let allowed), .text(let t)):
            return allowed.contains(t) ? nil : "\"\(t)\" is not one of \(allowed.joined(separator: ", "))"
        case (.jsonArray(let allowed), .text(let t)):
            guard let list = (try? JSONSerialization.jsonObject(with: Data(t.utf8))) as? [Any],
                  list.allSatisfy({ $0 is String })
            else { return "\"\(t)\" is not a JSON array of strings" }
            for case let s as String in list where !allowed.contains(s) {
                return "\"\(s)\" in \(t) is not one of \(allowed.joined(separator: ", "))"
            }
            return nil
        default:
            return nil
        }
    }

    /// `YYYY-MM-DD` naming a day that exists (2026-02-29 does not; 2028-02-29 does).
    static func isDate(_ t: String) -> Bool {
        guard let p = digits(t, [4, 2, 2]) else { return false }
        let (y, m, d) = (p[0], p[1], p[2])
        guard y >= 1, (1...12).contains(m), d >= 1 else { return false }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    /// The numbers of `t` when it is groups of ASCII digits of exactly these widths joined
    /// by `-`, else nil.
    static func digits(_ t: String, _ widths: [Int]) -> [Int]? {
        let u = Array(t.utf8)
        guard u.count == widths.reduce(widths.count - 1, +) else { return nil }
        var out: [Int] = []
        var i = 0
        for (k, w) in widths.enumerated() {
            if k > 0 {
                guard u[i] == UInt8(ascii: "-") else { return nil }
                i += 1
            }
            var n = 0
            for c in u[i..<(i + w)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return nil }
                n = n * 10 + Int(c - UInt8(ascii: "0"))
            }
            out.append(n)
            i += w
        }
        return out
    }
}
