import Foundation
import ServiceDesk
import Testing

/// Every figure of the fixture worked out by hand; the reasoning is in the comments so a
/// failure can be checked against docs/REPORTS.md.
@Suite struct ReportMeasuresTests {
    let report = Report.build(ReportFixture.input(.month(try! YearMonth("2026-10"))))
    func row(_ label: String) -> ReportRow { report.rows.first { $0.label == label }! }
    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-9 } ?? false }

    @Test func rowsAndFreshness() {
        #expect(report.rows.map(\.label) == ["C001", "C002", "C003", "全部中心"])
        #expect(report.period == "2026-10" && report.previousPeriod == "2026-09")
        // C001 pushed 11-01 20:00, after October ended; C002 last pushed 10-25; C003 never.
        #expect(report.rows.map { $0.center?.freshness } == [.synced, .stale, .neverSynced, nil])
        #expect(report.incompleteCenters.map(\.code) == ["C002", "C003"])
    }

    @Test func intakeByKindChannelClassSeverity() {
        let m = row("C001").current
        // Opened in October: T2 T3 T4 T5 T6 T7 T8 T9 T10 (T10 cancelled still counts as received).
        #expect(m.requests == 9)
        #expect(m.requestsByKind == ["complaint": 2, "repair": 3, "service": 3, "inquiry": 1, "suggestion": 0])
        #expect(m.requestsByChannel == ["phone": 4, "wechat": 1, "walk_in": 1, "app": 1, "email": 1, "letter": 1, "other": 0, "unknown": 0])
        #expect(m.complaints == 2)
        #expect(m.complaintsByClass == ["1": 1, "2": 1, "3": 0, "unclassified": 0])
        #expect(m.complaintsBySeverity == ["general": 1, "major": 1])
        // September: T1 (09-30) and T11 (09-10).
        let p = row("C001").previous
        #expect(p.requests == 2 && p.complaints == 2)
        #expect(p.complaintsByClass == ["1": 1, "2": 0, "3": 1, "unclassified": 0])
    }

    @Test func timeliness() {
        let m = row("C001").current
        // On time: T2 (due Sat 10-10 17:00, a swapped working day; done 10:00), T4, T5 (second
        // cycle), T7, T9. Overdue: T3 (major, due 10-21 10:00, still open), T6 (arrived 50 min
        // after dispatch), T8 (callback due 10-27 24:00, refused, not done). T10 cancelled: out.
        #expect((m.onTime, m.overdue, m.pending) == (5, 3, 0))
        #expect(m.timeliness == Ratio(5, of: 8))
        #expect(m.openComplaintsNow == 1 && m.overdueComplaintsNow == 1)
        #expect(row("C001").previous.timeliness == Ratio(2, of: 2))
        #expect(row("C001").previous.openComplaintsNow == nil)
        // U1 received on holiday 10-05: the clock starts 10-08 09:00, due 10-08 18:00, done 10-09 12:00.
        #expect(row("C002").current.timeliness == Ratio(0, of: 1))
    }

    @Test func complaintHandlingTime() {
        let m = row("C001").current
        // Completed in October: T1 09-30 10:00 → 10-08 10:00: working 8 h (09-30) + 0 (holidays)
        // + 1 h (10-08) = 9 h, calendar 192 h. T2 10-09 17:00 → 10-10 10:00: 1 h + 1 h = 2 h
        // working, 17 h calendar.
        #expect(m.complaintsHandled == 2)
        #expect(close(m.handlingWorkingHoursAverage, 5.5) && close(m.handlingWorkingHoursP90, 9))
        #expect(close(m.handlingCalendarHoursAverage, 104.5) && close(m.handlingCalendarHoursP90, 192))
        #expect(m.handledWithin24Hours == Ratio(1, of: 2))
        let p = row("C001").previous
        #expect(close(p.handlingWorkingHoursAverage, 5) && close(p.handlingCalendarHoursP90, 5))
        // All centers: working [9, 2, 12] (U1: 10-08 9 h + 10-09 3 h), calendar [192, 17, 98].
        let all = row("全部中心").current
        #expect(close(all.handlingWorkingHoursAverage, 23.0 / 3) && close(all.handlingWorkingHoursP90, 12))
        #expect(close(all.handlingCalendarHoursAverage, 307.0 / 3) && close(all.handlingCalendarHoursP90, 192))
        #expect(all.handledWithin24Hours == Ratio(1, of: 3))
    }

    @Test func callbacks() {
        let m = row("C001").current
        // Completed in October: T1 T2 T4 T5 T6 T7 T8; T7's customer refuses callbacks → owed 6.
        // Done (reached): T1 T2 T4 T5 T6 → 5; on site: T4 T6 → 2.
        #expect((m.callbacksOwed, m.callbacksDone, m.callbacksOnSite) == (6, 5, 2))
        #expect(m.callbackRate == Ratio(5, of: 6) && m.callbackRate.meets(percent: 60) == true)
        #expect(m.onSiteRate == Ratio(2, of: 5) && m.onSiteRate.meets(percent: 40) == true)
        // T8: due 10-27 24:00, only a refusal → due but not done, and refused.
        #expect(m.callbacksDueNotDone == 1 && m.refusedCallbacks == 1)
        // C002 September: U2 completed, never called back (not four-class: no deadline).
        let p = row("C002").previous
        #expect(p.callbackRate == Ratio(0, of: 1) && p.callbacksDueNotDone == 0)
        let all = row("全部中心").current
        #expect(all.callbackRate == Ratio(6, of: 7) && all.onSiteRate == Ratio(2, of: 6))
    }

    @Test func commissionedServices() {
        let m = row("C001").current
        // T5 (reopened: rework), T6 (late arrival; judged unsatisfied), T7 (passes).
        #expect(m.services == 3)
        #expect(m.serviceTimeliness == Ratio(2, of: 3))
        #expect(m.servicePass == Ratio(1, of: 3))
        // Reached: T5 basically satisfied (after a not-reached attempt), T6 unsatisfied.
        #expect(m.serviceSatisfaction == Ratio(1, of: 2))
        #expect(row("C001").previous.services == 0 && row("C001").previous.servicePass.value == nil)
    }

    @Test func repeatsAndStaff() {
        let m = row("C001").current
        // T2: customer cu-1, class 1, 9 days after T1 → a repeat. T3: nothing before.
        #expect(m.repeatComplaints == 1)
        #expect(m.staffComplained == [StaffComplaints(staff: "T01", name: "李师傅", complaints: 1),
                                      StaffComplaints(staff: "T02", name: "赵新人", complaints: 1)])
        // September: T1 and T11 both about T01; T1 is class 1, T11 class 3 → no repeat.
        #expect(row("C001").previous.repeatComplaints == 0)
        #expect(row("C001").previous.staffComplained == [StaffComplaints(staff: "T01", name: "李师傅", complaints: 2)])
    }

    @Test func repeatBySameUnitWithin30DaysOnly() {
        let a = ReportFixture.ticket("A", "C009", .complaint, .phone, opened: "2026-10-01 10:00", class: .serviceShortfall,
                                     customer: "x", unit: "U")
        let b = ReportFixture.ticket("B", "C009", .complaint, .phone, opened: "2026-10-31 10:00", class: .serviceShortfall,
                                     customer: "y", unit: "U")
        let c = ReportFixture.ticket("C", "C009", .complaint, .phone, opened: "2026-10-31 10:01", class: .serviceShortfall,
                                     customer: "z", unit: "V")
        let calc = ReportCalculator(calendar: ReportFixture.calendar, now: ReportFixture.now)
        let period = ReportPeriod.month(try! YearMonth("2026-10"))
        // B: same unit, exactly 30 days later → a repeat; C: another unit and customer → not.
        #expect(calc.measures(period: period, tickets: [a, b, c], callbacks: [], withNow: false).repeatComplaints == 1)
        let late = ReportFixture.ticket("B", "C009", .complaint, .phone, opened: "2026-10-31 10:01", class: .serviceShortfall,
                                        customer: "y", unit: "U")
        #expect(calc.measures(period: period, tickets: [a, late], callbacks: [], withNow: false).repeatComplaints == 0)
    }

    @Test func neverSyncedCenterHasNoFiguresButIsFlagged() {
        let m = row("C003").current
        #expect(m.requests == 0 && m.callbackRate.value == nil)
        #expect(ReportFigures.asOf(row("C003").center).contains("从未同步"))
    }

    @Test func quarterly() {
        let q = Report.build(ReportFixture.input(try! ReportPeriod.quarter("2026-Q4")))
        #expect(q.period == "2026-Q4" && q.previousPeriod == "2026-Q3")
        // Q4 holds October's intake (nothing in Nov/Dec), Q3 September's.
        #expect(q.rows[0].current.requests == 9 && q.rows[0].previous.requests == 2)
        // A running quarter: fresh when pushed within 24 h of "now" (11-02 09:00). C001
        // pushed 11-01 20:00 → synced; C002 10-25 → stale.
        #expect(q.rows.map { $0.center?.freshness } == [.synced, .stale, .neverSynced, nil])
    }

    @Test func periods() throws {
        #expect(try ReportPeriod.quarter("2026-Q1").previous == .quarter(year: 2025, quarter: 4))
        #expect(try ReportPeriod.month("2026-01").previous.description == "2025-12")
        #expect(try ReportPeriod.quarter("2026-q2").months.map(\.description) == ["2026-04", "2026-05", "2026-06"])
        #expect(throws: RuleError.self) { try ReportPeriod.month("2026-13") }
        #expect(throws: RuleError.self) { try ReportPeriod.quarter("2026-Q5") }
        #expect(throws: RuleError.self) { try ReportPeriod.quarter("2026Q1") }
    }

    @Test func percentileIsNearestRank() {
        #expect(ReportCalculator.p90([]) == nil)
        #expect(ReportCalculator.p90([5]) == 5)
        #expect(ReportCalculator.p90(Array(1...10).map(Double.init)) == 9)
        #expect(ReportCalculator.p90(Array(1...11).map(Double.init)) == 10)
    }
}
