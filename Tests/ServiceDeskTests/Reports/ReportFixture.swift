import Foundation
import ServiceDesk

/// The fixed data set of the report tests: September and October 2026 (National Day
/// holidays 10-01..07, Saturday 10-10 worked), three centers — C001 with every kind of
/// case, C002 synced before the month ended (stale), C003 never synced. The expected
/// figures are worked out by hand in ReportMeasuresTests from the seeds' definitions.
enum ReportFixture {
    static let calendar = Fixtures.nationalDay2026
    static let now = Fixtures.at("2026-11-02 09:00")
    static func at(_ s: String) -> Date { Fixtures.at(s) }

    static func ticket(_ id: String, _ center: String, _ kind: RequestKind, _ channel: Channel, opened: String,
                       location: RepairLocation? = nil, class cls: ComplaintClass? = nil, severity: Severity? = nil,
                       cycle: String? = nil, answered: String? = nil,
                       dispatched: String? = nil, arrived: String? = nil, completed: String? = nil, calledBack: String? = nil,
                       cancelled: String? = nil, reopens: Int = 0, customer: String? = nil, unit: String? = nil,
                       about: String? = nil, newStaff: Bool = false, refuses: Bool = false) -> ReportTicket {
        let facts = TicketFacts(
            kind: kind, location: location, severity: severity, openedAt: at(cycle ?? opened), answeredAt: answered.map(at),
            dispatchedAt: dispatched.map(at), arrivedAt: arrived.map(at), completedAt: completed.map(at),
            calledBackAt: calledBack.map(at), cancelledAt: cancelled.map(at), isPaid: kind == .service, byNewStaff: newStaff,
            customerRefusesCallbacks: refuses)
        return ReportTicket(id: id, center: center, kind: kind, channel: channel, complaintClass: cls, severity: severity,
                            openedAt: at(opened), reopenCount: reopens, completedAt: completed.map(at), cancelledAt: cancelled.map(at),
                            customerKey: customer, unitKey: unit, aboutStaff: about, facts: facts)
    }

    static let tickets: [ReportTicket] = [
        // C001, September intake.
        ticket("T1", "C001", .complaint, .phone, opened: "2026-09-30 10:00", class: .serviceShortfall, severity: .general,
               answered: "2026-09-30 11:00", completed: "2026-10-08 10:00", calledBack: "2026-10-09 10:00",
               customer: "cu-1", unit: "U-1", about: "T01"),
        ticket("T11", "C001", .complaint, .phone, opened: "2026-09-10 10:00", class: .external, severity: .general,
               completed: "2026-09-10 15:00", calledBack: "2026-09-11 09:00", customer: "cu-11", unit: "U-11", about: "T01"),
        // C001, October intake. T2: resolved by the desk, nobody dispatched.
        ticket("T2", "C001", .complaint, .wechat, opened: "2026-10-09 17:00", class: .serviceShortfall, severity: .general,
               answered: "2026-10-09 17:30", completed: "2026-10-10 10:00", calledBack: "2026-10-11 10:00",
               customer: "cu-1", unit: "U-1", about: "T01"),
        ticket("T3", "C001", .complaint, .walkIn, opened: "2026-10-12 10:00", class: .developerOrBuilding, severity: .major,
               answered: "2026-10-12 11:00", customer: "cu-3", unit: "U-9", about: "T02"),
        ticket("T4", "C001", .repair, .phone, opened: "2026-10-13 09:00", location: .inHome, dispatched: "2026-10-13 09:10",
               arrived: "2026-10-13 09:30", completed: "2026-10-13 11:00", calledBack: "2026-10-14 10:00", customer: "cu-4"),
        // Reopened once: the facts describe the second cycle.
        ticket("T5", "C001", .service, .app, opened: "2026-10-14 09:00", cycle: "2026-10-15 09:00",
               dispatched: "2026-10-15 09:10", arrived: "2026-10-15 09:30", completed: "2026-10-15 15:00",
               calledBack: "2026-10-16 15:00", reopens: 1, customer: "cu-5"),
        // Arrived 50 minutes after dispatch: late.
        ticket("T6", "C001", .service, .phone, opened: "2026-10-20 09:00", dispatched: "2026-10-20 09:00",
               arrived: "2026-10-20 09:50", completed: "2026-10-20 11:00", calledBack: "2026-10-21 10:00", customer: "cu-6"),
        // The customer is on the refused-callback list.
        ticket("T7", "C001", .service, .phone, opened: "2026-10-22 09:00", dispatched: "2026-10-22 09:05",
               arrived: "2026-10-22 09:20", completed: "2026-10-22 10:00", customer: "cu-7", refuses: true),
        // An in-home repair (location not recorded) done by new staff: four-class; the
        // customer refused the callback.
        ticket("T8", "C001", .repair, .phone, opened: "2026-10-26 10:00", dispatched: "2026-10-26 10:05",
               arrived: "2026-10-26 10:20", completed: "2026-10-26 12:00", customer: "cu-8", newStaff: true),
        ticket("T9", "C001", .inquiry, .email, opened: "2026-10-28 10:00", completed: "2026-10-28 10:30"),
        ticket("T10", "C001", .repair, .letter, opened: "2026-10-30 17:00", location: .commonArea, cancelled: "2026-10-30 18:00",
               customer: "cu-10"),
        // C002: a complaint received on a holiday and resolved late; a September repair never called back.
        ticket("U1", "C002", .complaint, .phone, opened: "2026-10-05 10:00", class: .serviceShortfall, severity: .general,
               answered: "2026-10-05 10:30", completed: "2026-10-09 12:00", calledBack: "2026-10-10 10:00", customer: "cx-1"),
        ticket("U2", "C002", .repair, .phone, opened: "2026-09-15 09:00", dispatched: "2026-09-15 09:10",
               arrived: "2026-09-15 09:20", completed: "2026-09-15 10:00", customer: "cx-2"),
    ]

    static func callback(_ job: String, _ time: String, _ method: CallbackMethod, _ result: CallbackResult) -> CallbackRecord {
        CallbackRecord(jobID: job, at: at(time), method: method, result: result)
    }

    static let callbacks: [CallbackRecord] = [
        callback("T1", "2026-10-09 10:00", .phone, .satisfied),
        callback("T11", "2026-09-11 09:00", .phone, .satisfied),
        callback("T2", "2026-10-11 10:00", .phone, .satisfied),
        callback("T4", "2026-10-14 10:00", .onSite, .satisfied),
        callback("T5", "2026-10-16 10:00", .phone, .notReached),
        callback("T5", "2026-10-16 15:00", .phone, .basicallySatisfied),
        callback("T6", "2026-10-21 10:00", .onSite, .unsatisfied),
        callback("T8", "2026-10-27 10:00", .phone, .refused),
        callback("U1", "2026-10-10 10:00", .phone, .satisfied),
    ]

    static let customers: [ReportCustomer] = [
        ReportCustomer(center: "C001", customer: ProgrammeCustomer(id: "cu-7", knownSince: Fixtures.date("2026-01-01"),
                                                                   refusedSince: Fixtures.date("2026-03-01"))),
    ]

    static func response(_ center: String, _ time: String, _ overall: CallbackResult, timeliness: CallbackResult) -> ReportSurveyResponse {
        ReportSurveyResponse(center: center, at: at(time), method: .phone, overall: overall,
                             answers: [.overall: overall, .timeliness: timeliness])
    }

    static let surveyResponses = [
        response("C001", "2026-10-18 10:00", .satisfied, timeliness: .satisfied),
        response("C001", "2026-10-18 11:00", .basicallySatisfied, timeliness: .unsatisfied),
        response("C001", "2026-10-19 10:00", .unsatisfied, timeliness: .unsatisfied),
        response("C002", "2026-10-19 10:00", .satisfied, timeliness: .satisfied),
    ]

    static let exceptions = [
        ReportException(center: "C001", ticketID: "T5", kind: .feeAdjusted, at: at("2026-10-15 16:00"), amountFen: 2000),
        ReportException(center: "C001", ticketID: "T6", kind: .workDiffers, at: at("2026-10-20 10:00")),
        ReportException(center: "C001", ticketID: "T7", kind: .damage, at: at("2026-10-22 12:00"), amountFen: 5000, confirmed: true),
    ]

    static let custodyIncidents = [
        ReportCustodyIncident(center: "C001", kind: .lost, at: at("2026-10-05 10:00"), reported: true),
        ReportCustodyIncident(center: "C001", kind: .damaged, at: at("2026-10-25 10:00"), reported: false),
    ]

    static let followUps = [
        ReportFollowUp(center: "C001", createdAt: at("2026-10-21 10:00"), dueOn: Fixtures.date("2026-10-22"),
                       closedAt: at("2026-10-23 10:00")),
        ReportFollowUp(center: "C001", createdAt: at("2026-10-30 10:00"), dueOn: Fixtures.date("2026-10-31")),
    ]

    static let correctiveActions = [
        ReportCorrectiveAction(center: "C001", id: "ca-1", quarter: "2026-Q4", finding: "到场超时", action: "维修工排班调整",
                               state: .approved, decidedBy: "Q01"),
        ReportCorrectiveAction(center: "C001", id: "ca-2", quarter: "2026-Q4", finding: "回访不及时", action: "前台每日下班前回访",
                               state: .proposed),
        ReportCorrectiveAction(center: "C001", id: "ca-0", quarter: "2026-Q3", finding: "旧问题", action: "旧措施", state: .done),
    ]

    static func centers(periodEnd: Date) -> [ReportCenter] {
        [ReportCenter.atHub(code: "C001", lastPushAt: at("2026-11-01 20:00"), periodEnd: periodEnd, now: now),
         ReportCenter.atHub(code: "C002", lastPushAt: at("2026-10-25 12:00"), periodEnd: periodEnd, now: now),
         ReportCenter.atHub(code: "C003", lastPushAt: nil, periodEnd: periodEnd, now: now)]
    }

    static func input(_ period: ReportPeriod) -> ReportInput {
        ReportInput(period: period, now: now, calendar: calendar, atHub: true,
                    centers: centers(periodEnd: period.interval(in: calendar).end), tickets: tickets, callbacks: callbacks,
                    customers: customers, staffNames: ["T01": "李师傅", "T02": "赵新人"], surveyResponses: surveyResponses,
                    exceptions: exceptions, custodyIncidents: custodyIncidents, correctiveActions: correctiveActions,
                    followUps: followUps)
    }
}
