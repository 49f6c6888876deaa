import Foundation
import ServiceDesk

/// How the pages write times, money and choices: China time, yuan, Chinese names. Pure.
public enum Show {
    /// `2026-11-23 17:40` in China time; `—` for nothing.
    public static func time(_ d: Date?) -> String { d.map(TimeFormat.short) ?? "—" }

    /// `¥35.50`.
    public static func yuan(_ fen: Int?) -> String {
        guard let fen else { return "—" }
        return String(format: "¥%.2f", Double(fen) / 100)
    }

    /// The digits of a phone number (what is searched and compared).
    public static func digits(_ s: String?) -> String { (s ?? "").filter { $0.isASCII && $0.isNumber } }

    /// The options of a `<select>`: every value with its Chinese name, `selected` marked.
    public static func options<E: DomainEnumeration>(_ type: E.Type, selected: String?, blank: String? = nil) -> [SelectOption] {
        (blank.map { [SelectOption(value: "", label: $0, selected: selected == nil || selected == "")] } ?? [])
            + E.allCases.map { SelectOption(value: $0.rawValue, label: $0.displayName, selected: $0.rawValue == selected) }
    }

    /// What the timeline's action codes mean at the desk.
    public static func timelineAction(_ code: String) -> String {
        if let e = TicketEvent(rawValue: code) { return e.displayName }
        switch code {
        case "open": return "受理"
        case "answer": return "答复"
        case "note": return "备注"
        case "update": return "修改"
        case "reassign": return "改派"
        case "pay": return "收款"
        case "service": return "有偿服务"
        case "exception": return "服务异常"
        case "exception-confirm": return "经理确认变更"
        case "provider-told": return "告知服务提供方"
        default: return code
        }
    }
}

/// One `<option>`.
public struct SelectOption: Sendable, Equatable {
    public var value: String
    public var label: String
    public var selected: Bool
    public init(value: String, label: String, selected: Bool = false) {
        self.value = value
        self.label = label
        self.selected = selected
    }
}

/// What the lookup field `q` holds: a phone number, its last four digits, or a name or unit.
public enum CustomerQuery: Sendable, Equatable {
    /// A whole number (7 digits or more): found by equality of its digits.
    case phone(String)
    /// Exactly four digits: the end of a phone number (only for roles that see phones in
    /// clear) — or a room number, so name and unit are searched too.
    case lastFour(String)
    /// Anything else: a name or a unit.
    case text(String)
    case empty

    public static func parse(_ q: String?) -> CustomerQuery {
        let t = (q ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { return .empty }
        let compact = t.filter { $0 != " " && $0 != "-" && $0 != "+" }
        if compact.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if compact.count >= 7 { return .phone(compact.hasPrefix("86") && compact.count == 13 ? String(compact.dropFirst(2)) : compact) }
            if compact.count == 4 { return .lastFour(compact) }
        }
        return .text(t)
    }

    /// Whether a stored phone number matches.
    public func matches(phone: String?) -> Bool {
        let d = Show.digits(phone)
        switch self {
        case .phone(let p): return d == p || d == "86" + p
        case .lastFour(let p): return d.count >= 4 && d.hasSuffix(p)
        case .text, .empty: return false
        }
    }
}
