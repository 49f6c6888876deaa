/// A calendar date without a time or a time zone: a day in the service center's own
/// calendar (China, Asia/Shanghai). Proleptic Gregorian, years 1...9999.
///
/// Encodes as the string `"YYYY-MM-DD"`, which also sorts correctly as text.
///
/// ```swift
/// let day = try CivilDate("2026-10-01")
/// day.weekday            // .thursday
/// day.adding(days: 7)    // 2026-10-08
/// try CivilDate("2026-02-30") // throws: February 2026 has 28 days
/// ```
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year, 1...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...28/29/30/31.
    public let day: Int

    /// Creates a date, refusing impossible ones (month 13, February 30, ...).
    public init(year: Int, month: Int, day: Int) throws(RuleError) {
        try CivilDate.validate(year, month, day, text: CivilDate.format(year, month, day))
        self.year = year
        self.month = month
        self.day = day
    }

    private static func validate(_ year: Int, _ month: Int, _ day: Int, text: String) throws(RuleError) {
        guard (1...9999).contains(year) else {
            throw RuleError(.invalidDate, "'\(text)' is not a valid date: the year must be 0001–9999.")
        }
        guard (1...12).contains(month) else {
            throw RuleError(.invalidDate, "'\(text)' is not a valid date: the month must be 01–12.")
        }
        let length = daysIn(year: year, month: month)
        guard (1...length).contains(day) else {
            throw RuleError(
                .invalidDate,
                "'\(text)' is not a valid date: \(monthNames[month - 1]) \(year) has \(length) days."
            )
        }
    }

    /// Parses `"YYYY-MM-DD"` (exactly four, two and two digits), refusing impossible dates.
    public init(_ text: String) throws(RuleError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = CivilDate.digits(parts[0]), let m = CivilDate.digits(parts[1]),
            let d = CivilDate.digits(parts[2])
        else {
            throw RuleError(.invalidDate, "'\(text)' is not a date in the form YYYY-MM-DD, e.g. 2026-10-01.")
        }
        try CivilDate.validate(y, m, d, text: text)
        self.init(unchecked: y, m, d)
    }

    /// Creates the date `daysSinceEpoch` days after 1970-01-01 (negative: before).
    public init(daysSinceEpoch: Int) {
        // Howard Hinnant's civil_from_days.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The ISO weekday of this date.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday (ISO 4).
        let index = ((daysSinceEpoch % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday(rawValue: index + 1)!
    }

    /// The date `days` days later (earlier if negative).
    public func adding(days: Int) -> CivilDate {
        CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day of the month `months` months later, clamped to the month's last day
    /// (2026-11-30 plus 3 months is 2027-02-28).
    public func adding(months: Int) -> CivilDate {
        let index = year * 12 + (month - 1) + months
        let y = index / 12
        let m = index % 12 + 1
        let d = min(day, CivilDate.daysIn(year: y, month: m))
        return CivilDate(unchecked: y, m, d)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(to other: CivilDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// The month this date belongs to.
    public var yearMonth: YearMonth { YearMonth(unchecked: year, month) }

    /// `"YYYY-MM-DD"`.
    public var description: String { CivilDate.format(year, month, day) }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Number of days in a month of a year (leap years per the Gregorian rule).
    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whether `year` is a Gregorian leap year.
    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ]

    static func format(_ y: Int, _ m: Int, _ d: Int) -> String {
        pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// ASCII digits only (no sign, no spaces) as an Int.
    static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }
}

/// A day of the week, numbered as in ISO 8601 (Monday = 1 ... Sunday = 7).
public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Monday to Friday.
    public static let mondayToFriday: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]

    /// 星期一 ... 星期日.
    public var displayName: String {
        ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][rawValue - 1]
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A calendar month, e.g. the month of a callback plan. Encodes as `"YYYY-MM"`.
public struct YearMonth: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year, 1...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int

    /// Creates a month, refusing a month outside 1...12 or a year outside 1...9999.
    public init(year: Int, month: Int) throws(RuleError) {
        guard (1...9999).contains(year), (1...12).contains(month) else {
            throw RuleError(
                .invalidDate,
                "'\(CivilDate.pad(year, 4))-\(CivilDate.pad(month, 2))' is not a valid month: the month must be 01–12."
            )
        }
        self.year = year
        self.month = month
    }

    /// Parses `"YYYY-MM"`.
    public init(_ text: String) throws(RuleError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            let y = CivilDate.digits(parts[0]), let m = CivilDate.digits(parts[1])
        else {
            throw RuleError(.invalidDate, "'\(text)' is not a month in the form YYYY-MM, e.g. 2026-10.")
        }
        try self.init(year: y, month: m)
    }

    init(unchecked year: Int, _ month: Int) {
        self.year = year
        self.month = month
    }

    /// The first day of the month.
    public var firstDay: CivilDate { CivilDate(unchecked: year, month, 1) }
    /// The last day of the month.
    public var lastDay: CivilDate { CivilDate(unchecked: year, month, CivilDate.daysIn(year: year, month: month)) }
    /// Whether `date` falls in this month.
    public func contains(_ date: CivilDate) -> Bool { date.year == year && date.month == month }

    /// `"YYYY-MM"`.
    public var description: String { CivilDate.pad(year, 4) + "-" + CivilDate.pad(month, 2) }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A wall-clock time of day in minutes, 00:00...24:00 (24:00 is the end of the day).
/// Encodes as `"HH:MM"`.
public struct TimeOfDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Minutes since midnight, 0...1440.
    public let minutesSinceMidnight: Int

    /// Creates a time; `hour` 0...24, `minute` 0...59, and 24 only as 24:00.
    public init(hour: Int, minute: Int = 0) throws(RuleError) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour < 24 || minute == 0 else {
            throw RuleError(
                .invalidDate,
                "'\(CivilDate.pad(hour, 2)):\(CivilDate.pad(minute, 2))' is not a valid time of day: use 00:00–24:00."
            )
        }
        minutesSinceMidnight = hour * 60 + minute
    }

    /// Parses `"HH:MM"` (or `"H:MM"`).
    public init(_ text: String) throws(RuleError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            let h = CivilDate.digits(parts[0]), let m = CivilDate.digits(parts[1])
        else {
            throw RuleError(.invalidDate, "'\(text)' is not a time in the form HH:MM, e.g. 09:00.")
        }
        try self.init(hour: h, minute: m)
    }

    /// The hour, 0...24.
    public var hour: Int { minutesSinceMidnight / 60 }
    /// The minute, 0...59.
    public var minute: Int { minutesSinceMidnight % 60 }
    /// `"HH:MM"`.
    public var description: String { CivilDate.pad(hour, 2) + ":" + CivilDate.pad(minute, 2) }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
