import Foundation
import ServiceDesk
import Testing

/// Every figure of the fixture worked out by hand; the reasoning is in the comments so a
/// failure can be checked against docs/REPORTS.md.
@Suite struct ReportMeasuresTests {
    let report = try! Report.build(ReportFixture.input(.month(try! YearMonth("2026-10"))))
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
        // T4 recorded in the home, T10 in the common area, T8 without a location.
        #expect(m.repairsByLocation == ["in_home": 1, "common_area": 1, "unrecorded": 1])
        // September: T1 (09-30) and T11 (09-10).
        let p = row("C001").previous
        #expect(p.requests == 2 && p.complaints == 2)
        #expect(p.complaintsByClass == ["1": 1, "2": 0, "3": 1, "unclassified": 0])
    }

    @Test func handlingDeadlinesWithoutTheCallback() {
        let m = row("C001").current
        // Handling deadlines only (first answer, complaint resolution, arrival of commissioned
        // services); a late callback is not a handling failure. On time: T2 (due Sat 10-10
        // 17:00, a swapped working day; done 10:00; a complaint has no arrival rule), T4, T5
        // (second cycle), T7, T8 (arrived in 15 min; its refused callback does not count
        // here), T9. Overdue: T3 (major, due 10-21 10:00, still open), T6 (arrived 50 min
        // after dispatch). T10 cancelled: out.
        #expect((m.onTime, m.overdue, m.pending) == (6, 2, 0))
        #expect(m.timeliness == Ratio(6, of: 8))
        #expect(m.openComplaintsNow == 1 && m.overdueComplaintsNow == 1)
        #expect(row("C001").previous.timeliness == Ratio(2, of: 2))
        #expect(row("C001").previous.openComplaintsNow == nil)
        // U1 received on holiday 10-05: the clock starts 10-08 09:00, due 10-08 18:00, done 10-09 12:00.
        #expect(row("C002").current.timeliness == Ratio(0, of: 1))
    }

    @Test func firstCallResolution_002() {
        // 002: 问题解决率仅55%. October, not cancelled: T2..T9 = 8. Resolved with nobody
        // dispatched and never reopened: T2 (complaint resolved by the desk), T9 (inquiry).
        #expect(row("C001").current.firstCallResolution == Ratio(2, of: 8))
        // September: T1 and T11, complaints resolved without dispatch.
        #expect(row("C001").previous.firstCallResolution == Ratio(2, of: 2))
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

    @Test func commissionedServicesAreInHomeRepairsAndPriceListServices_P7_9_8_4_4_1() {
        let m = row("C001").current
        // Completed in October: T4 (in-home repair), T5, T6, T7 (price-list services), T8
        // (repair without a location: in-home). Not T1/T2 (complaints), not T9 (inquiry).
        #expect(m.services == 5 && m.servicesInHomeRepairs == 2)
        // 及时率 = arrival on time (4.2.7): T6 arrived 50 min after dispatch → 4/5.
        #expect(m.serviceTimeliness == Ratio(4, of: 5))
        // 合格率: T5 reworked (and its fee reduced, 4.3.6), T7 damaged (4.3.5) → 3/5.
        #expect(m.servicePass == Ratio(3, of: 5))
        // 满意率: reached after completion: T4 满意, T5 基本满意 (after 未接通), T6 不满意 → 2/3.
        #expect(m.serviceSatisfaction == Ratio(2, of: 3))
        #expect(row("C001").previous.services == 0 && row("C001").previous.servicePass.value == nil)
    }

    @Test func callbackRateAndOnSiteRateOverCommissionedServicesWithinTwoDays_P7_9_8_4_2_14_4() {
        let m = row("C001").current
        // Owed: T4 T5 T6 T8 (T7's customer refused since March, no attempt: not owed).
        // Within 2 days of completion: T4 (on site 10-14), T5 (10-16 15:00), T6 (on site
        // 10-21); T8 only a refusal.
        #expect((m.callbacksOwed, m.callbacksDone, m.callbacksOnSite, m.callbacksLate) == (4, 3, 2, 0))
        #expect(m.callbackRate == Ratio(3, of: 4) && m.callbackRate.meets(percent: 60) == true)
        // On site over the services: 2/4 = 50 % ≥ 40 %.
        #expect(m.onSiteRate == Ratio(2, of: 4) && m.onSiteRate.meets(percent: 40) == true)
        #expect(m.refusedCallbacks == 1)
        // C002 September: U2 (an in-home repair) never called back.
        #expect(row("C002").previous.callbackRate == Ratio(0, of: 1))
        let all = row("全部中心").current
        #expect(all.callbackRate == Ratio(3, of: 4) && all.onSiteRate == Ratio(2, of: 4))
    }

    @Test func theMonthlyPlan_回访操作指引1() {
        let m = row("C001").current
        // In-home repairs completed in October with a callable customer: T4, T8 → ⌈0.6⌉ = 1.
        // T8 (new staff) is four-class inside the 30 %; T4 was drawn on 10-13, when it was the
        // month's only repair so far (⌈0.3⌉ = 1). Four-class outside the pool: T1 T2
        // (complaints), T5 T6 (paid services); T7 refused.
        #expect((m.planPool, m.planSampleTarget, m.planFourClassInPool, m.planFourClassOther, m.planSampled, m.planSelected)
                == (2, 1, 1, 4, 1, 0))
        // Due the day after completion: T1 T2 T4 T5 T6 called back by then; T8 only refused.
        let plan = m.programme(.monthlyPlan)
        #expect((plan.owed, plan.onTime, plan.late, plan.overdue, plan.pending) == (6, 5, 0, 1, 0))
        #expect(m.planCompletion == Ratio(5, of: 6) && m.planCompletion.meets(percent: 100) == false)
        #expect(row("C001").previous.planCompletion == Ratio(1, of: 1))  // T11
        // All centers: U1 at C002 too (a complaint called back the next day).
        #expect(row("全部中心").current.planCompletion == Ratio(6, of: 7))
        // C002 in September: U2 was sampled (the only repair) and never called back.
        #expect(row("C002").previous.planCompletion == Ratio(0, of: 1))
    }

    @Test func everyProgrammeAgainstItsTarget_003() {
        let m = row("C001").current
        // 日回访 (003 (1) 二 1): October's repairs: T4 due 10-13, called back 10-14 (late); T8
        // due 10-26, only a refusal (overdue). T10 cancelled.
        let daily = m.programme(.daily)
        #expect((daily.owed, daily.onTime, daily.late, daily.overdue) == (2, 0, 1, 1))
        // 投诉回访 (003 (4) 二 2): T11, resolved 09-10, due 10-10, called back 09-11.
        #expect(m.programme(.complaintFollowUp).completion == Ratio(1, of: 1))
        // Nothing of the customer programmes falls due in October.
        for p in [CallbackProgramme.quarterly, .annualSurvey, .resident, .newResident, .departing, .specialCare, .special] {
            #expect(m.programme(p).owed == 0, "\(p)")
        }
        #expect(m.programmes.map(\.programme) == CallbackProgramme.allCases)
        #expect(row("C002").previous.programme(.daily).completion == Ratio(0, of: 1))
    }

    @Test func theSurveyAgainstTheIndustrys68Percent_002() {
        // Overall 满意, 基本满意, 不满意 at C001 → 2/3; C002 满意 → 1/1; all 3/4.
        #expect(row("C001").current.surveySatisfaction == Ratio(2, of: 3))
        #expect(row("C001").current.surveyItems["timeliness"] == Ratio(1, of: 3))
        #expect(row("C002").current.surveySatisfaction == Ratio(1, of: 1))
        #expect(row("全部中心").current.surveySatisfaction == Ratio(3, of: 4))
        #expect(row("全部中心").current.surveySatisfaction.meets(percent: ReportTargets.surveySatisfactionPercent) == true)
        #expect(row("C001").current.surveySatisfaction.meets(percent: 68) == false)
    }

    @Test func followUpsExceptionsAndCustody() {
        let m = row("C001").current
        #expect((m.followUpsOpened, m.followUpsClosed, m.followUpsOpenNow, m.followUpsOverdueNow) == (2, 1, 1, 1))
        #expect(row("C001").previous.followUpsOpenNow == nil)
        #expect((m.exceptionsWorkDiffers, m.exceptionsUnconfirmed, m.exceptionsDamage, m.compensationFen) == (1, 1, 1, 5000))
        #expect((m.exceptionsFeeAdjusted, m.feeReductionFen) == (1, 2000))
        #expect((m.custodyLost, m.custodyDamaged, m.custodyUnfit, m.custodyUnreported) == (1, 1, 0, 1))
        #expect(m.correctiveActions.isEmpty)  // listed in quarterly reports
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

    @Test func repeatBySameUnitWithin30DaysOnly() throws {
        let a = ReportFixture.ticket("A", "C009", .complaint, .phone, opened: "2026-10-01 10:00", class: .serviceShortfall,
                                     customer: "x", unit: "U")
        let b = ReportFixture.ticket("B", "C009", .complaint, .phone, opened: "2026-10-31 10:00", class: .serviceShortfall,
                                     customer: "y", unit: "U")
        let c = ReportFixture.ticket("C", "C009", .complaint, .phone, opened: "2026-10-31 10:01", class: .serviceShortfall,
                                     customer: "z", unit: "V")
        let calc = ReportCalculator(calendar: ReportFixture.calendar, now: ReportFixture.now)
        let period = ReportPeriod.month(try! YearMonth("2026-10"))
        func repeats(_ tickets: [ReportTicket]) throws -> Int {
            let input = ReportInput(period: period, now: ReportFixture.now, calendar: ReportFixture.calendar, atHub: false,
                                    centers: [], tickets: tickets, callbacks: [])
            let measures = try calc.measures(period: period, input: input, withNow: false)
            return measures.repeatComplaints
        }
        // B: same unit, exactly 30 days later → a repeat; C: another unit and customer → not.
        #expect(try repeats([a, b, c]) == 1)
        let late = ReportFixture.ticket("B", "C009", .complaint, .phone, opened: "2026-10-31 10:01", class: .serviceShortfall,
                                        customer: "y", unit: "U")
        #expect(try repeats([a, late]) == 0)
    }

    @Test func neverSyncedCenterHasNoFiguresButIsFlagged() {
        let m = row("C003").current
        #expect(m.requests == 0 && m.callbackRate.value == nil)
        #expect(ReportFigures.asOf(row("C003").center).contains("从未同步"))
    }

    @Test func quarterly() throws {
        let q = try Report.build(ReportFixture.input(try! ReportPeriod.quarter("2026-Q4")))
        #expect(q.period == "2026-Q4" && q.previousPeriod == "2026-Q3")
        // Q4 holds October's intake (nothing in Nov/Dec), Q3 September's.
        #expect(q.rows[0].current.requests == 9 && q.rows[0].previous.requests == 2)
        // A running quarter: fresh when pushed within 24 h of "now" (11-02 09:00). C001
        // pushed 11-01 20:00 → synced; C002 10-25 → stale.
        #expect(q.rows.map { $0.center?.freshness } == [.synced, .stale, .neverSynced, nil])
        // 4.4.2: the quarter's corrective actions with their state; Q3's in the previous.
        #expect(q.rows[0].current.correctiveActions.map { "\($0.id) \($0.state.rawValue)" } == ["ca-1 approved", "ca-2 proposed"])
        #expect(q.rows[0].previous.correctiveActions.map(\.id) == ["ca-0"])
        #expect(q.rows[3].current.correctiveActions.count == 2)
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
