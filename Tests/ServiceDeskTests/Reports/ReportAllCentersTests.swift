import Foundation
@testable import ServiceDesk
import Testing

/// The all-centers row reuses figures already computed for each center where summing them
/// is exact (see ``Report/build(_:)``). These tests hold it to the direct computation over
/// the union of the centers' records, on random data sets made to hit the edge cases:
/// centers without records, equal timestamps, missing values, a customer id or a request id
/// in two centers, requests naming another center's refusing customer.
@Suite struct ReportAllCentersTests {
    /// The direct computation: each center's row over its records (split as the report
    /// splits them), the all-centers row over all of them, with no figure carried over from
    /// another row.
    static func direct(_ input: ReportInput) throws -> [ReportRow] {
        let calc = ReportCalculator(calendar: input.calendar, now: input.now, staffNames: input.staffNames)
        func row(_ center: ReportCenter?, _ records: ReportInput) throws -> ReportRow {
            ReportRow(center: center, current: try calc.measures(period: input.period, input: records, withNow: true),
                      previous: try calc.measures(period: input.period.previous, input: records, withNow: false))
        }
        let parts = input.byCenter()
        var rows = try input.centers.map { try row($0, parts[$0.code]!) }
        if input.atHub && input.centers.count > 1 { rows.append(try row(nil, input.restricted(to: Set(input.centers.map(\.code))))) }
        return rows
    }

    /// A random data set around `period`. `shared` puts the same customer and request ids in
    /// more than one center and lets requests name customers of other centers.
    static func randomInput(seed: UInt64, period: ReportPeriod, shared: Bool) -> ReportInput {
        var g = SplitMix64(seed: seed)
        func pick<T>(_ xs: [T]) -> T { xs[Int(g.next(below: UInt64(xs.count)))] }
        func chance(_ percent: UInt64) -> Bool { g.next(below: 100) < percent }
        let calendar = Fixtures.nationalDay2026
        let (start, end) = period.interval(in: calendar)
        let from = period.previous.interval(in: calendar).start.addingTimeInterval(-40 * 24 * 3600)
        // Few distinct instants, so that equal timestamps are common.
        let span = end.timeIntervalSince(from) + 10 * 24 * 3600
        var instants: [Date] = []
        for _ in 0..<60 {
            let fraction = Double(g.next(below: 1000)) / 1000
            instants.append(from.addingTimeInterval((span * fraction).rounded()))
        }
        func time() -> Date { pick(instants) }
        let gaps: [TimeInterval] = [0, 0, 600, 3000, 3600, 72_000, 93_600, 259_200, 777_600]
        func later(_ d: Date) -> Date { d.addingTimeInterval(pick(gaps)) }
        let now = pick([end.addingTimeInterval(9 * 3600), start.addingTimeInterval(12 * 86400), end])
        let centerCount = 2 + Int(g.next(below: 5))
        let codes = (1...centerCount).map { String(format: "C%03d", $0) }
        var tickets: [ReportTicket] = [], customers: [ReportCustomer] = [], callbacks: [CallbackRecord] = []
        var responses: [ReportSurveyResponse] = [], exceptions: [ReportException] = [], incidents: [ReportCustodyIncident] = []
        var followUps: [ReportFollowUp] = [], actions: [ReportCorrectiveAction] = [], seeds: [String: UInt64] = [:]
        var ticketNumber = 0
        var allCustomerIDs: [String] = []
        for (n, code) in codes.enumerated() {
            // Every third center has no records at all.
            if n % 3 == 2 { continue }
            var ids: [String] = []
            for i in 0..<Int(g.next(below: 12)) {
                let id = shared && chance(20) && !allCustomerIDs.isEmpty ? pick(allCustomerIDs) : "cu-\(code)-\(i)"
                ids.append(id)
                let known = calendar.civilDate(of: from).adding(days: Int(g.next(below: 120)) - 60)
                let moveIn: CivilDate? = chance(30) ? calendar.civilDate(of: time()) : nil
                let moveOut: CivilDate? = chance(15) ? calendar.civilDate(of: time()) : nil
                let refused: CivilDate? = chance(25) ? calendar.civilDate(of: time()) : nil
                customers.append(ReportCustomer(center: code, customer: ProgrammeCustomer(
                    id: id, moveIn: moveIn, moveOut: moveOut, knownSince: known, specialCare: chance(30), refusedSince: refused)))
            }
            allCustomerIDs += ids
            for _ in 0..<Int(g.next(below: 30)) {
                ticketNumber += 1
                let id = shared && chance(5) && !tickets.isEmpty ? pick(tickets).id : "t\(ticketNumber)"
                let kind = pick(RequestKind.allCases)
                let opened = time()
                let completed: Date? = chance(70) ? later(opened) : nil
                let cancelled: Date? = chance(8) ? later(opened) : nil
                let dispatched: Date? = chance(60) ? later(opened) : nil
                let location: RepairLocation? = kind == .repair && chance(80) ? pick(RepairLocation.allCases) : nil
                let severity: Severity? = kind == .complaint && chance(80) ? pick(Severity.allCases) : nil
                let customer: String? = chance(85)
                    ? (shared && chance(15) && !allCustomerIDs.isEmpty ? pick(allCustomerIDs) : (ids.isEmpty ? nil : pick(ids))) : nil
                let facts = TicketFacts(
                    kind: kind, location: location, severity: severity, openedAt: opened, answeredAt: chance(60) ? later(opened) : nil,
                    dispatchedAt: dispatched, agreedArrivalAt: chance(10) ? later(opened) : nil,
                    arrivedAt: dispatched.flatMap { chance(80) ? later($0) : nil }, completedAt: completed,
                    calledBackAt: completed.flatMap { chance(50) ? later($0) : nil }, cancelledAt: cancelled,
                    isPaid: kind == .service || chance(10), byNewStaff: chance(10), byPreviouslyComplainedStaff: chance(10),
                    customerRefusesCallbacks: chance(5))
                tickets.append(ReportTicket(
                    id: id, center: code, kind: kind, channel: chance(85) ? pick(Channel.allCases) : nil,
                    complaintClass: kind == .complaint && chance(80) ? pick(ComplaintClass.allCases) : nil, severity: severity,
                    openedAt: opened, reopenCount: chance(15) ? 1 : 0, completedAt: completed, closedAt: chance(10) ? later(opened) : nil,
                    cancelledAt: cancelled, customerKey: customer, unitKey: chance(70) ? "U-\(code)-\(g.next(below: 5))" : nil,
                    aboutStaff: kind == .complaint && chance(60) ? pick(["S1", "S2", "S3"]) : nil,
                    supplierDispatchedAt: kind == .repair && chance(20) ? dispatched : nil, facts: facts))
            }
            let jobs = tickets.filter { $0.center == code }.map(\.id)
            for _ in 0..<Int(g.next(below: 25)) {
                let method = pick(CallbackMethod.allCases), result = pick(CallbackResult.allCases)
                if !jobs.isEmpty && chance(60) {
                    callbacks.append(CallbackRecord(jobID: chance(95) ? pick(jobs) : "unknown-job", at: time(), method: method, result: result,
                                                    customerID: chance(30) && !ids.isEmpty ? pick(ids) : nil))
                } else if !ids.isEmpty {
                    let programmes = Set(CallbackProgramme.allCases.filter { _ in chance(25) })
                    callbacks.append(CallbackRecord(customerID: chance(95) ? pick(ids) : "unknown-customer", at: time(), method: method,
                                                    result: result, programmes: programmes))
                }
            }
            for _ in 0..<Int(g.next(below: 5)) {
                let overall = pick(CallbackResult.allCases)
                var answers: [SurveyItem: CallbackResult] = [:]
                for item in SurveyItem.allCases where chance(60) { answers[item] = pick(CallbackResult.allCases) }
                responses.append(ReportSurveyResponse(center: code, at: time(), method: pick(CallbackMethod.allCases), overall: overall, answers: answers))
            }
            for _ in 0..<Int(g.next(below: 4)) where !jobs.isEmpty {
                exceptions.append(ReportException(center: code, ticketID: pick(jobs), kind: pick(ServiceExceptionKind.allCases), at: time(),
                                                  amountFen: chance(50) ? Int(g.next(below: 10_000)) : nil, confirmed: chance(50)))
            }
            for _ in 0..<Int(g.next(below: 3)) {
                incidents.append(ReportCustodyIncident(center: code, kind: pick(CustodyIncidentKind.allCases), at: time(), reported: chance(50)))
            }
            for _ in 0..<Int(g.next(below: 3)) {
                let created = time()
                followUps.append(ReportFollowUp(center: code, createdAt: created, dueOn: calendar.civilDate(of: later(created)),
                                                closedAt: chance(50) ? later(created) : nil))
            }
            for i in 0..<Int(g.next(below: 3)) {
                actions.append(ReportCorrectiveAction(center: code, id: "ca-\(i)", quarter: pick(["2026-Q3", "2026-Q4"]), finding: "发现",
                                                      action: "措施", state: pick(CorrectiveActionState.allCases)))
            }
            if chance(50) { seeds["\(code)/\(period.months.first!)"] = g.next() }
        }
        let centers = codes.map { code in
            ReportCenter.atHub(code: code, lastPushAt: chance(80) ? time() : nil, periodEnd: end, now: now)
        }
        return ReportInput(period: period, now: now, calendar: calendar, atHub: true, centers: centers, tickets: tickets,
                           callbacks: callbacks, customers: customers, seeds: seeds, staffNames: ["S1": "李师傅", "S2": "赵新人"],
                           surveyResponses: responses, exceptions: exceptions, custodyIncidents: incidents,
                           correctiveActions: actions, followUps: followUps)
    }

    static func compare(_ input: ReportInput) throws {
        let built = try Report.build(input)
        let expected = try direct(input)
        #expect(built.rows.count == expected.count)
        for (b, e) in zip(built.rows, expected) {
            #expect(b == e, "row \(b.label) differs from the direct computation")
        }
        // Every format renders from the rows, so equal rows give equal output.
        #expect(ReportText.csv(built) == ReportText.csv(Report(kind: built.kind, period: built.period, previousPeriod: built.previousPeriod,
                                                               generatedAt: built.generatedAt, atHub: built.atHub, rows: expected)))
    }

    @Test(arguments: 1...12 as ClosedRange<UInt64>)
    func allCentersRowEqualsTheDirectComputation(seed: UInt64) throws {
        try Self.compare(Self.randomInput(seed: seed, period: try ReportPeriod.month("2026-10"), shared: false))
        try Self.compare(Self.randomInput(seed: seed &+ 1000, period: try ReportPeriod.quarter("2026-Q4"), shared: false))
    }

    @Test(arguments: 1...8 as ClosedRange<UInt64>)
    func sharedIDsFallBackToTheDirectComputation(seed: UInt64) throws {
        try Self.compare(Self.randomInput(seed: seed &+ 2000, period: try ReportPeriod.month("2026-11"), shared: true))
    }

    /// The fixture's hand-worked figures hold for the all-centers row too.
    @Test func fixture() throws {
        try Self.compare(ReportFixture.input(try ReportPeriod.month("2026-10")))
        try Self.compare(ReportFixture.input(try ReportPeriod.quarter("2026-Q4")))
    }

    /// A hub whose centers have no records at all: every row zero, the all-centers row too.
    @Test func centersWithoutRecords() throws {
        let period = try ReportPeriod.month("2026-10")
        let end = period.interval(in: ReportFixture.calendar).end
        let input = ReportInput(period: period, now: ReportFixture.now, calendar: ReportFixture.calendar, atHub: true,
                                centers: ["C001", "C002"].map { ReportCenter.atHub(code: $0, lastPushAt: nil, periodEnd: end, now: ReportFixture.now) },
                                tickets: [], callbacks: [])
        try Self.compare(input)
    }
}

extension ReportAllCentersTests {
    /// The random data sets reach what the all-centers row reuses (programme duties and plan
    /// figures, summed over centers) and, with shared ids, the case that must fall back.
    @Test func theRandomDataReachTheReusedFiguresAndTheFallback() throws {
        var reused = 0, fallback = 0
        for seed in 1...12 as ClosedRange<UInt64> {
            let input = Self.randomInput(seed: seed, period: try ReportPeriod.month("2026-10"), shared: false)
            let all = try Report.build(input).rows.last!
            if input.restricted(to: Set(input.centers.map(\.code))).refusalsAgreeWithinCenters(),
               all.current.programmes.contains(where: { $0.owed > 0 }) && all.previous.planPool + all.current.planPool > 0 { reused += 1 }
        }
        for seed in 1...8 as ClosedRange<UInt64> {
            let input = Self.randomInput(seed: seed &+ 2000, period: try ReportPeriod.month("2026-11"), shared: true)
            if !input.restricted(to: Set(input.centers.map(\.code))).refusalsAgreeWithinCenters() { fallback += 1 }
        }
        #expect(reused >= 6 && fallback >= 2, "reused \(reused) of 12, fell back \(fallback) of 8")
    }
}

extension ReportAllCentersTests {
    /// The one-pass split of the records by center gives each center exactly what
    /// ``ReportInput/restricted(to:)`` gives it (ids unique, as in a store).
    @Test(arguments: 1...12 as ClosedRange<UInt64>)
    func splitByCenterEqualsRestrictedToEachCenter(seed: UInt64) throws {
        var input = Self.randomInput(seed: seed &+ 3000, period: try ReportPeriod.month("2026-10"), shared: false)
        // Records of a center the report does not cover, interleaved, are left out.
        input.tickets.insert(ReportTicket(id: "other-1", center: "X999", kind: .repair, openedAt: input.now), at: input.tickets.count / 2)
        input.customers.insert(ReportCustomer(center: "X999", customer: ProgrammeCustomer(id: "other-cu", knownSince: CivilDate(daysSinceEpoch: 0))),
                               at: input.customers.count / 2)
        // Half the runs with the records in no order of center at all.
        var g = SplitMix64(seed: seed)
        if seed % 2 == 0 {
            input.tickets.shuffle(using: &g); input.customers.shuffle(using: &g); input.callbacks.shuffle(using: &g)
            input.exceptions.shuffle(using: &g); input.followUps.shuffle(using: &g)
        }
        let parts = input.byCenter()
        #expect(Set(parts.keys) == Set(input.centers.map(\.code)))
        for c in input.centers {
            let part = try #require(parts[c.code]), expected = input.restricted(to: [c.code])
            #expect(part.tickets == expected.tickets && part.customers == expected.customers && part.callbacks == expected.callbacks)
            #expect(part.surveyResponses == expected.surveyResponses && part.exceptions == expected.exceptions
                    && part.custodyIncidents == expected.custodyIncidents && part.correctiveActions == expected.correctiveActions
                    && part.followUps == expected.followUps)
        }
    }
}
