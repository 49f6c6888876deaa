import Foundation
import ServiceDesk

/// Shared fixtures: the 2026 National Day arrangement as the State Council published it —
/// 2026-10-01..07 off, Sunday 2026-09-20 and Saturday 2026-10-10 worked (调休).
enum Fixtures {
    static func date(_ text: String) -> CivilDate {
        try! CivilDate(text)
    }

    static let nationalDay2026: WorkCalendar = try! WorkCalendar(
        holidays: (1...7).map { try! CivilDate(year: 2026, month: 10, day: $0) },
        swappedWorkingDays: [date("2026-09-20"), date("2026-10-10")]
    )

    /// "2026-09-25 20:00" (or with seconds) in the center's time zone (UTC+8).
    static func at(_ text: String, in calendar: WorkCalendar = nationalDay2026) -> Date {
        let parts = text.split(separator: " ")
        let time = parts[1].split(separator: ":").map { Int($0)! }
        let base = calendar.instant(date(String(parts[0])), at: try! TimeOfDay(hour: time[0], minute: time[1]))
        return base.addingTimeInterval(TimeInterval(time.count > 2 ? time[2] : 0))
    }

    /// Formats an instant back as "YYYY-MM-DD HH:MM" in UTC+8, for readable expectations.
    static func show(_ instant: Date, in calendar: WorkCalendar = nationalDay2026) -> String {
        let day = calendar.civilDate(of: instant)
        let seconds = Int(instant.timeIntervalSince(calendar.startOfDay(day)))
        let hh = seconds / 3600, mm = seconds % 3600 / 60
        return "\(day) \(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm)"
    }
}
