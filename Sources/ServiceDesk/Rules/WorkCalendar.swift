import Foundation

/// The daily working hours of a service center, e.g. 09:00–18:00, used by the
/// working-time measures of ``WorkCalendar``.
public struct WorkingHours: Sendable, Hashable, Codable {
    /// When the working day starts.
    public let start: TimeOfDay
    /// When the working day ends; later than ``start`` (the span never crosses midnight).
    public let end: TimeOfDay

    /// Creates working hours, refusing an empty or inverted span.
    public init(start: TimeOfDay, end: TimeOfDay) throws(RuleError) {
        guard start < end else {
            throw RuleError(
                .invalidCalendar,
                "Working hours \(start)–\(end) are empty: the end must be later than the start on the same day."
            )
        }
        self.start = start
        self.end = end
    }

    /// 09:00–18:00.
    public static let standard = try! WorkingHours(start: TimeOfDay(hour: 9), end: TimeOfDay(hour: 18))

    /// The length of one working day in seconds (9 hours = 32 400 s for the standard hours).
    public var seconds: TimeInterval {
        TimeInterval((end.minutesSinceMidnight - start.minutesSinceMidnight) * 60)
    }
}

/// Head office's work calendar: which civil days are working days at a service center,
/// and the working hours on those days.
///
/// A day is a working day when it is listed in ``swappedWorkingDays`` (调休: a Saturday or
/// Sunday worked in exchange for a holiday), or when its weekday is in ``workingWeekdays``
/// (Monday–Friday by default) and it is not listed in ``holidays``. A date may not be both a
/// holiday and a swapped working day.
///
/// Dates are civil dates in the center's time zone, a fixed offset from UTC (China:
/// Asia/Shanghai, UTC+8, no daylight saving), so converting an instant needs no time-zone
/// database.
///
/// ```swift
/// let calendar = try WorkCalendar(
///     holidays: (1...7).map { try CivilDate(year: 2026, month: 10, day: $0) },
///     swappedWorkingDays: [try CivilDate("2026-10-10")])
/// calendar.nextWorkingDay(after: try CivilDate("2026-09-30"))  // 2026-10-08
/// ```
public struct WorkCalendar: Sendable, Hashable, Codable {
    /// Weekdays that are working days unless listed as holidays.
    public let workingWeekdays: Set<Weekday>
    /// Dates off although their weekday is normally worked (public holidays).
    public let holidays: Set<CivilDate>
    /// Dates worked although their weekday is normally off (调休).
    public let swappedWorkingDays: Set<CivilDate>
    /// The working hours on every working day.
    public let workingHours: WorkingHours
    /// The center's offset from UTC in seconds (China: +28 800).
    public let utcOffsetSeconds: Int

    /// China's offset from UTC: +08:00 all year.
    public static let chinaUTCOffsetSeconds = 8 * 3600

    /// A Monday–Friday, 09:00–18:00, UTC+8 calendar with no holidays.
    public static let standard = try! WorkCalendar()

    /// Creates a calendar.
    ///
    /// - Throws: ``RuleError`` (`invalidCalendar`) when no weekday is worked, a date is both
    ///   a holiday and a swapped working day, or the offset is beyond ±14 hours.
    public init(
        workingWeekdays: Set<Weekday> = Weekday.mondayToFriday,
        holidays: some Sequence<CivilDate> = [CivilDate](),
        swappedWorkingDays: some Sequence<CivilDate> = [CivilDate](),
        workingHours: WorkingHours = .standard,
        utcOffsetSeconds: Int = WorkCalendar.chinaUTCOffsetSeconds
    ) throws(RuleError) {
        let holidays = Set(holidays)
        let swapped = Set(swappedWorkingDays)
        guard !workingWeekdays.isEmpty else {
            throw RuleError(.invalidCalendar, "A work calendar needs at least one working weekday.")
        }
        let both = holidays.intersection(swapped).sorted()
        guard both.isEmpty else {
            throw RuleError(
                .invalidCalendar,
                "\(both.map(\.description).joined(separator: ", ")) cannot be both a holiday and a swapped working day."
            )
        }
        guard abs(utcOffsetSeconds) <= 14 * 3600 else {
            throw RuleError(.invalidCalendar, "A UTC offset of \(utcOffsetSeconds) seconds is beyond ±14 hours.")
        }
        self.workingWeekdays = workingWeekdays
        self.holidays = holidays
        self.swappedWorkingDays = swapped
        self.workingHours = workingHours
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            workingWeekdays: try c.decode(Set<Weekday>.self, forKey: .workingWeekdays),
            holidays: try c.decode([CivilDate].self, forKey: .holidays),
            swappedWorkingDays: try c.decode([CivilDate].self, forKey: .swappedWorkingDays),
            workingHours: try c.decode(WorkingHours.self, forKey: .workingHours),
            utcOffsetSeconds: try c.decode(Int.self, forKey: .utcOffsetSeconds)
        )
    }

    /// Encodes with sorted lists, so the same calendar always gives the same bytes (head
    /// office sends it to every center; equal calendars must compare equal as text too).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workingWeekdays.sorted(), forKey: .workingWeekdays)
        try c.encode(holidays.sorted(), forKey: .holidays)
        try c.encode(swappedWorkingDays.sorted(), forKey: .swappedWorkingDays)
        try c.encode(workingHours, forKey: .workingHours)
        try c.encode(utcOffsetSeconds, forKey: .utcOffsetSeconds)
    }

    private enum CodingKeys: String, CodingKey {
        case workingWeekdays, holidays, swappedWorkingDays, workingHours, utcOffsetSeconds
    }

    // MARK: Days

    /// Whether `date` is a working day (see the type's documentation for the rule).
    public func isWorkingDay(_ date: CivilDate) -> Bool {
        if swappedWorkingDays.contains(date) { return true }
        return workingWeekdays.contains(date.weekday) && !holidays.contains(date)
    }

    /// The first working day strictly after `date`.
    public func nextWorkingDay(after date: CivilDate) -> CivilDate {
        var day = date.adding(days: 1)
        while !isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }

    /// The last working day strictly before `date`.
    public func previousWorkingDay(before date: CivilDate) -> CivilDate {
        var day = date.adding(days: -1)
        while !isWorkingDay(day) { day = day.adding(days: -1) }
        return day
    }

    /// `date` itself when it is a working day, otherwise the next working day.
    public func workingDayOnOrAfter(_ date: CivilDate) -> CivilDate {
        isWorkingDay(date) ? date : nextWorkingDay(after: date)
    }

    /// The `n`th working day after `date`, not counting `date` itself; `n` = 0 returns
    /// `date` unchanged, a negative `n` counts backwards.
    ///
    /// Friday 2026-09-25 plus 1 working day is Monday 2026-09-28; Wednesday 2026-09-30
    /// plus 1 is 2026-10-08 across National Day, and 2026-10-09 plus 1 is Saturday
    /// 2026-10-10 when that Saturday is a swapped working day.
    public func addWorkingDays(_ n: Int, to date: CivilDate) -> CivilDate {
        var day = date
        if n >= 0 {
            for _ in 0..<n { day = nextWorkingDay(after: day) }
        } else {
            for _ in 0..<(-n) { day = previousWorkingDay(before: day) }
        }
        return day
    }

    /// The number of working days `d` with `start < d ≤ end` (negative, counted the same
    /// way, when `end` is before `start`), so that
    /// `workingDays(between: d, and: addWorkingDays(n, to: d)) == n` for every `n`
    /// whenever `d` is a working day.
    public func workingDays(between start: CivilDate, and end: CivilDate) -> Int {
        if end < start { return -workingDays(between: end, and: start) }
        var count = 0
        var day = start.adding(days: 1)
        while day <= end {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }

    // MARK: Instants

    /// The civil date, in the center's time zone, at `instant`.
    public func civilDate(of instant: Date) -> CivilDate {
        let local = Int((instant.timeIntervalSince1970).rounded(.down)) + utcOffsetSeconds
        return CivilDate(daysSinceEpoch: WorkCalendar.floorDiv(local, 86_400))
    }

    /// The instant at wall-clock `time` of `date` in the center's time zone
    /// (24:00 is the start of the next day).
    public func instant(_ date: CivilDate, at time: TimeOfDay) -> Date {
        let local = date.daysSinceEpoch * 86_400 + time.minutesSinceMidnight * 60
        return Date(timeIntervalSince1970: TimeInterval(local - utcOffsetSeconds))
    }

    /// The start (00:00) of `date` in the center's time zone.
    public func startOfDay(_ date: CivilDate) -> Date {
        instant(date, at: try! TimeOfDay(hour: 0))
    }

    /// The end of `date` in the center's time zone: 24:00, i.e. 00:00 of the next day.
    public func endOfDay(_ date: CivilDate) -> Date {
        startOfDay(date.adding(days: 1))
    }

    /// Working time, in seconds, between two instants: the part of `[start, end]` that
    /// falls inside working hours on working days. Zero when `end` is not after `start`.
    public func workingTime(between start: Date, and end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        var day = civilDate(of: start)
        let lastDay = civilDate(of: end)
        while day <= lastDay {
            if isWorkingDay(day) {
                let open = max(start, instant(day, at: workingHours.start))
                let close = min(end, instant(day, at: workingHours.end))
                if close > open { total += close.timeIntervalSince(open) }
            }
            day = day.adding(days: 1)
        }
        return total
    }

    /// Working time between two instants in hours, for reports
    /// (``workingTime(between:and:)`` divided by 3600).
    public func workingHours(between start: Date, and end: Date) -> Double {
        workingTime(between: start, and: end) / 3600
    }

    /// The earliest instant at which `seconds` of working time have elapsed since `start`
    /// (the clock runs only inside working hours on working days). When the amount runs out
    /// exactly at the end of a working day the result is that day's closing time, not the
    /// next day's opening. `seconds` ≤ 0 returns `start`.
    public func addingWorkingTime(_ seconds: TimeInterval, to start: Date) -> Date {
        guard seconds > 0 else { return start }
        var remaining = seconds
        var day = civilDate(of: start)
        while true {
            if isWorkingDay(day) {
                let open = max(start, instant(day, at: workingHours.start))
                let close = instant(day, at: workingHours.end)
                if close > open {
                    let available = close.timeIntervalSince(open)
                    if remaining <= available { return open.addingTimeInterval(remaining) }
                    remaining -= available
                }
            }
            day = day.adding(days: 1)
        }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
