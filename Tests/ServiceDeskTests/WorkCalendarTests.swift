import Foundation
import ServiceDesk
import Testing

@Suite struct WorkCalendarTests {
    let calendar = Fixtures.nationalDay2026
    let d = Fixtures.date

    @Test func holidaysAndSwappedDaysOverrideTheWeekdayRule() {
        #expect(calendar.isWorkingDay(d("2026-09-30")))  // Wednesday
        #expect(!calendar.isWorkingDay(d("2026-10-01")))  // Thursday, National Day
        #expect(!calendar.isWorkingDay(d("2026-10-05")))  // Monday, holiday
        #expect(calendar.isWorkingDay(d("2026-09-20")))  // Sunday, swapped working day
        #expect(calendar.isWorkingDay(d("2026-10-10")))  // Saturday, swapped working day
        #expect(!calendar.isWorkingDay(d("2026-10-11")))  // ordinary Sunday
        #expect(!calendar.isWorkingDay(d("2026-09-26")))  // ordinary Saturday
        #expect(WorkCalendar.standard.isWorkingDay(d("2026-10-01")))
        #expect(!WorkCalendar.standard.isWorkingDay(d("2026-10-10")))
    }

    @Test func nextAndPreviousWorkingDay() {
        #expect(calendar.nextWorkingDay(after: d("2026-09-30")) == d("2026-10-08"))
        #expect(calendar.nextWorkingDay(after: d("2026-10-09")) == d("2026-10-10"))
        #expect(calendar.nextWorkingDay(after: d("2026-10-10")) == d("2026-10-12"))
        #expect(calendar.nextWorkingDay(after: d("2026-09-25")) == d("2026-09-28"))
        #expect(calendar.nextWorkingDay(after: d("2026-09-19")) == d("2026-09-20"))
        #expect(calendar.previousWorkingDay(before: d("2026-10-08")) == d("2026-09-30"))
        #expect(calendar.workingDayOnOrAfter(d("2026-10-03")) == d("2026-10-08"))
        #expect(calendar.workingDayOnOrAfter(d("2026-10-08")) == d("2026-10-08"))
    }

    @Test func addWorkingDaysCountsAcrossHolidaysAndSwaps() {
        #expect(calendar.addWorkingDays(0, to: d("2026-10-03")) == d("2026-10-03"))
        #expect(calendar.addWorkingDays(1, to: d("2026-09-25")) == d("2026-09-28"))
        #expect(calendar.addWorkingDays(1, to: d("2026-09-30")) == d("2026-10-08"))
        #expect(calendar.addWorkingDays(3, to: d("2026-10-08")) == d("2026-10-12"))
        #expect(calendar.addWorkingDays(7, to: d("2026-09-25")) == d("2026-10-12"))
        #expect(calendar.addWorkingDays(-1, to: d("2026-10-08")) == d("2026-09-30"))
        #expect(WorkCalendar.standard.addWorkingDays(7, to: d("2026-09-25")) == d("2026-10-06"))
    }

    @Test func workingDaysBetweenInvertsAddWorkingDays() {
        #expect(calendar.workingDays(between: d("2026-09-30"), and: d("2026-10-08")) == 1)
        #expect(calendar.workingDays(between: d("2026-09-18"), and: d("2026-09-21")) == 2)  // Sun 20 + Mon 21
        #expect(calendar.workingDays(between: d("2026-10-08"), and: d("2026-09-30")) == -1)
        #expect(calendar.workingDays(between: d("2026-10-01"), and: d("2026-10-01")) == 0)
        var start = d("2026-09-14")
        while start < d("2026-10-20") {
            if calendar.isWorkingDay(start) {
                for n in -12...12 {
                    #expect(calendar.workingDays(between: start, and: calendar.addWorkingDays(n, to: start)) == n)
                }
            }
            start = start.adding(days: 1)
        }
    }

    @Test func civilDateOfInstantUsesUTCPlus8() {
        let utcMidnightOct1 = Date(timeIntervalSince1970: TimeInterval(d("2026-10-01").daysSinceEpoch * 86_400))
        #expect(calendar.civilDate(of: utcMidnightOct1) == d("2026-10-01"))
        // 2026-09-30T16:00:00Z is 2026-10-01 00:00 in Shanghai; one second earlier is still September.
        #expect(calendar.civilDate(of: utcMidnightOct1.addingTimeInterval(-8 * 3600)) == d("2026-10-01"))
        #expect(calendar.civilDate(of: utcMidnightOct1.addingTimeInterval(-8 * 3600 - 1)) == d("2026-09-30"))
        #expect(Fixtures.show(Fixtures.at("2026-09-25 20:00")) == "2026-09-25 20:00")
        #expect(calendar.endOfDay(d("2026-10-10")) == Fixtures.at("2026-10-11 00:00"))
    }

    @Test func workingHoursBetweenInstants() {
        let at = { Fixtures.at($0) }
        // Friday 17:00 → Monday 10:00: one hour on Friday, one on Monday.
        #expect(calendar.workingHours(between: at("2026-09-25 17:00"), and: at("2026-09-28 10:00")) == 2)
        // Across National Day: 1 h on Sep 30, nothing Oct 1–7, 9 h on Oct 8, 1 h on Oct 9.
        #expect(calendar.workingHours(between: at("2026-09-30 17:00"), and: at("2026-10-09 10:00")) == 11)
        // The swapped Saturday counts, the ordinary Sunday does not.
        #expect(calendar.workingHours(between: at("2026-10-10 08:00"), and: at("2026-10-11 23:00")) == 9)
        #expect(calendar.workingHours(between: at("2026-09-28 12:00"), and: at("2026-09-28 12:30")) == 0.5)
        #expect(calendar.workingHours(between: at("2026-09-28 19:00"), and: at("2026-09-28 23:00")) == 0)
        #expect(calendar.workingHours(between: at("2026-09-28 12:00"), and: at("2026-09-28 11:00")) == 0)
    }

    @Test func addingWorkingTimeStopsAtClosingTimeWhenItRunsOutThere() {
        let nine = 9.0 * 3600
        #expect(Fixtures.show(calendar.addingWorkingTime(nine, to: Fixtures.at("2026-09-28 09:00"))) == "2026-09-28 18:00")
        #expect(Fixtures.show(calendar.addingWorkingTime(nine, to: Fixtures.at("2026-09-28 10:00"))) == "2026-09-29 10:00")
        #expect(Fixtures.show(calendar.addingWorkingTime(0, to: Fixtures.at("2026-10-03 10:00"))) == "2026-10-03 10:00")
        #expect(Fixtures.show(calendar.addingWorkingTime(60, to: Fixtures.at("2026-10-03 10:00"))) == "2026-10-08 09:01")
    }

    @Test func configurableWorkingHours() throws {
        let hours = try WorkingHours(start: TimeOfDay("08:30"), end: TimeOfDay("17:30"))
        let custom = try WorkCalendar(workingHours: hours)
        #expect(custom.workingHours(between: Fixtures.at("2026-09-28 00:00"), and: Fixtures.at("2026-09-29 00:00")) == 9)
        #expect(custom.workingHours(between: Fixtures.at("2026-09-28 08:00"), and: Fixtures.at("2026-09-28 09:00")) == 0.5)
        #expect(throws: RuleError.self) { try WorkingHours(start: TimeOfDay("18:00"), end: TimeOfDay("09:00")) }
    }

    @Test func contradictoryCalendarsAreRefused() {
        #expect {
            try WorkCalendar(holidays: [d("2026-10-10")], swappedWorkingDays: [d("2026-10-10")])
        } throws: { error in
            (error as? RuleError)?.message == "2026-10-10 cannot be both a holiday and a swapped working day."
        }
        #expect(throws: RuleError.self) { try WorkCalendar(workingWeekdays: []) }
    }

    @Test func calendarCodableRoundTrip() throws {
        let data = try JSONEncoder().encode(calendar)
        #expect(try JSONDecoder().decode(WorkCalendar.self, from: data) == calendar)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(calendar), as: UTF8.self)
        #expect(text.contains(#""swappedWorkingDays":["2026-09-20","2026-10-10"]"#))
        #expect(text.contains(#""holidays":["2026-10-01","2026-10-02","2026-10-03","2026-10-04","2026-10-05","2026-10-06","2026-10-07"]"#))
        #expect(text.contains(#""workingWeekdays":[1,2,3,4,5]"#))
        // A contradictory calendar is refused on decoding too.
        let bad = text.replacingOccurrences(of: #""holidays":["2026-10-01""#, with: #""holidays":["2026-10-10""#)
        #expect(throws: RuleError.self) { try JSONDecoder().decode(WorkCalendar.self, from: Data(bad.utf8)) }
    }
}
