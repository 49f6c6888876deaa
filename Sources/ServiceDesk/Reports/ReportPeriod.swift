import Foundation

/// The period a report covers: a calendar month or a quarter, as civil dates in the
/// center's time zone.
public enum ReportPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A month, `2026-11`.
    case month(YearMonth)
    /// A quarter, `2026-Q4`: year and quarter 1...4.
    case quarter(year: Int, quarter: Int)

    /// Parses `YYYY-MM`.
    public static func month(_ text: String) throws(RuleError) -> ReportPeriod { .month(try YearMonth(text)) }

    /// Parses `YYYY-Qn` (n = 1...4, `q` accepted).
    public static func quarter(_ text: String) throws(RuleError) -> ReportPeriod {
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), (1...9999).contains(year),
              parts[1].count == 2, parts[1].first == "Q", let q = Int(parts[1].dropFirst()), (1...4).contains(q)
        else {
            throw RuleError(.invalidDate, "'\(text)' is not a quarter in the form YYYY-Qn with n 1–4, e.g. 2026-Q4.")
        }
        return .quarter(year: year, quarter: q)
    }

    /// The months the period covers, in order.
    public var months: [YearMonth] {
        switch self {
        case .month(let m): [m]
        case .quarter(let y, let q): (0..<3).map { YearMonth(unchecked: y, (q - 1) * 3 + 1 + $0) }
        }
    }

    /// The first civil day of the period.
    public var firstDay: CivilDate { months[0].firstDay }
    /// The last civil day of the period.
    public var lastDay: CivilDate { months[months.count - 1].lastDay }

    /// The period just before: the previous month or quarter.
    public var previous: ReportPeriod {
        switch self {
        case .month(let m): .month(m.month == 1 ? YearMonth(unchecked: m.year - 1, 12) : YearMonth(unchecked: m.year, m.month - 1))
        case .quarter(let y, let q): q == 1 ? .quarter(year: y - 1, quarter: 4) : .quarter(year: y, quarter: q - 1)
        }
    }

    /// The instants `[start, end)` of the period in `calendar`'s time zone.
    public func interval(in calendar: WorkCalendar) -> (start: Date, end: Date) {
        (calendar.startOfDay(firstDay), calendar.endOfDay(lastDay))
    }

    /// "monthly" or "quarterly".
    public var kindName: String {
        switch self {
        case .month: "monthly"
        case .quarter: "quarterly"
        }
    }

    /// `2026-11` or `2026-Q4`.
    public var description: String {
        switch self {
        case .month(let m): m.description
        case .quarter(let y, let q): "\(CivilDate.pad(y, 4))-Q\(q)"
        }
    }
}
