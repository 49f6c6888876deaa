import Foundation
import ServiceDesk
import Testing

@Suite struct CivilDateTests {
    @Test func parsesValidDatesIncludingLeapDays() throws {
        let day = try CivilDate("2026-10-01")
        #expect(day.year == 2026 && day.month == 10 && day.day == 1)
        #expect(try CivilDate("2024-02-29").day == 29)
        #expect(try CivilDate("2000-02-29").day == 29)
        #expect(day.description == "2026-10-01")
    }

    @Test(arguments: [
        ("2026-02-30", "'2026-02-30' is not a valid date: February 2026 has 28 days."),
        ("2026-02-29", "'2026-02-29' is not a valid date: February 2026 has 28 days."),
        ("2100-02-29", "'2100-02-29' is not a valid date: February 2100 has 28 days."),
        ("2026-04-31", "'2026-04-31' is not a valid date: April 2026 has 30 days."),
        ("2026-13-01", "'2026-13-01' is not a valid date: the month must be 01–12."),
        ("2026-00-10", "'2026-00-10' is not a valid date: the month must be 01–12."),
        ("2026-01-00", "'2026-01-00' is not a valid date: January 2026 has 31 days."),
        ("0000-01-01", "'0000-01-01' is not a valid date: the year must be 0001–9999."),
        ("2026-2-3", "'2026-2-3' is not a date in the form YYYY-MM-DD, e.g. 2026-10-01."),
        ("2026/02/03", "'2026/02/03' is not a date in the form YYYY-MM-DD, e.g. 2026-10-01."),
        ("2026-02-0x", "'2026-02-0x' is not a date in the form YYYY-MM-DD, e.g. 2026-10-01."),
        ("+202-02-03", "'+202-02-03' is not a date in the form YYYY-MM-DD, e.g. 2026-10-01."),
        ("", "'' is not a date in the form YYYY-MM-DD, e.g. 2026-10-01."),
    ])
    func rejectsImpossibleOrMalformedDates(text: String, message: String) {
        #expect {
            try CivilDate(text)
        } throws: { error in
            (error as? RuleError)?.message == message && (error as? RuleError)?.code == .invalidDate
        }
    }

    @Test func weekdaysOfKnownDates() {
        #expect(Fixtures.date("2026-10-01").weekday == .thursday)
        #expect(Fixtures.date("2026-09-20").weekday == .sunday)
        #expect(Fixtures.date("2026-10-10").weekday == .saturday)
        #expect(Fixtures.date("1970-01-01").weekday == .thursday)
        #expect(Fixtures.date("1969-12-29").weekday == .monday)
        #expect(Fixtures.date("2026-11-23").weekday == .monday)
    }

    @Test func dayArithmeticRoundTripsOverCenturies() {
        var day = Fixtures.date("1899-12-25")
        var count = day.daysSinceEpoch
        while day < Fixtures.date("2101-01-10") {
            let next = day.adding(days: 1)
            #expect(next.daysSinceEpoch == count + 1)
            #expect(CivilDate(daysSinceEpoch: count + 1) == next)
            // The next day is either the next day of the month or the 1st of the next month.
            #expect(
                (next.day == day.day + 1 && next.month == day.month)
                    || (next.day == 1 && day.day == CivilDate.daysIn(year: day.year, month: day.month)))
            day = next
            count += 1
        }
        #expect(Fixtures.date("2026-12-31").adding(days: 1) == Fixtures.date("2027-01-01"))
        #expect(Fixtures.date("2026-03-01").adding(days: -1) == Fixtures.date("2026-02-28"))
        #expect(Fixtures.date("2026-01-01").days(to: Fixtures.date("2027-01-01")) == 365)
    }

    @Test func addingMonthsClampsToTheMonthEnd() {
        #expect(Fixtures.date("2026-11-30").adding(months: 3) == Fixtures.date("2027-02-28"))
        #expect(Fixtures.date("2026-08-15").adding(months: 3) == Fixtures.date("2026-11-15"))
        #expect(Fixtures.date("2024-01-31").adding(months: 1) == Fixtures.date("2024-02-29"))
        #expect(Fixtures.date("2026-01-15").adding(months: -1) == Fixtures.date("2025-12-15"))
    }

    @Test func ordersAndEncodesAsText() throws {
        #expect(Fixtures.date("2026-09-30") < Fixtures.date("2026-10-01"))
        #expect(Fixtures.date("2025-12-31") < Fixtures.date("2026-01-01"))
        let data = try JSONEncoder().encode([Fixtures.date("2026-10-01")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-10-01"]"#)
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [Fixtures.date("2026-10-01")])
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode([CivilDate].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }

    @Test func yearMonthParsingAndBounds() throws {
        let month = try YearMonth("2026-02")
        #expect(month.firstDay == Fixtures.date("2026-02-01"))
        #expect(month.lastDay == Fixtures.date("2026-02-28"))
        #expect(month.contains(Fixtures.date("2026-02-15")))
        #expect(!month.contains(Fixtures.date("2026-03-01")))
        #expect(Fixtures.date("2026-02-15").yearMonth == month)
        #expect(throws: RuleError.self) { try YearMonth("2026-13") }
        #expect(throws: RuleError.self) { try YearMonth("2026-1") }
    }

    @Test func timeOfDayParsing() throws {
        #expect(try TimeOfDay("09:00").minutesSinceMidnight == 540)
        #expect(try TimeOfDay("24:00").minutesSinceMidnight == 1440)
        #expect(try TimeOfDay("18:30").description == "18:30")
        for bad in ["24:01", "25:00", "09:60", "9", "09:0", "aa:bb"] {
            #expect(throws: RuleError.self) { try TimeOfDay(bad) }
        }
    }
}
