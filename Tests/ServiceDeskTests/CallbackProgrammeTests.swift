import Foundation
import ServiceDesk
import Testing

/// Every callback programme's duties (003 (1) 二, (3) 二, (4) 二; 001 回访操作指引 1, 4.2.14.4),
/// worked out by hand from the seed's words.
@Suite struct CallbackProgrammeTests {
    let rules = CallbackDuties(calendar: Fixtures.nationalDay2026)
    func d(_ s: String) -> CivilDate { Fixtures.date(s) }
    func at(_ s: String) -> Date { Fixtures.at(s) }

    func duties(_ from: String, _ to: String, requests: [ProgrammeRequest] = [], customers: [ProgrammeCustomer] = [],
                callbacks: [CallbackRecord] = []) throws -> [CallbackDuty] {
        try rules.duties(dueFrom: d(from), to: d(to), requests: requests, customers: customers, callbacks: callbacks,
                         seed: { CallbackPlanner.fallbackSeed(center: "C001", month: $0) })
    }

    func customer(_ id: String, in moveIn: String? = nil, out moveOut: String? = nil, known: String = "2020-01-01",
                  special: Bool = false, refused: String? = nil) -> ProgrammeCustomer {
        ProgrammeCustomer(id: id, moveIn: moveIn.map(d), moveOut: moveOut.map(d), knownSince: d(known), specialCare: special,
                          refusedSince: refused.map(d))
    }

    func call(_ customer: String, _ time: String, _ programme: CallbackProgramme, _ result: CallbackResult = .satisfied,
              method: CallbackMethod = .phone) -> CallbackRecord {
        CallbackRecord(customerID: customer, at: at(time), method: method, result: result, programmes: [programme])
    }

    // MARK: resident lifecycle, 003 (3) 二 1 and (4) 二

    @Test func aNewResidentWithinOneMonthOfMovingIn_003_3_二_1_1() throws {
        let c = customer("A", in: "2026-10-15", known: "2026-10-15")
        let due = try duties("2026-11-01", "2026-11-30", customers: [c])
        #expect(due.map(\.programme) == [.newResident] && due[0].dueOn == d("2026-11-15"))
        #expect(due[0].state(at: at("2026-11-16 09:00"), in: rules.calendar) == .overdue)
        let done = try duties("2026-11-01", "2026-11-30", customers: [c], callbacks: [call("A", "2026-11-10 10:00", .newResident)])
        #expect(done[0].state(at: at("2026-11-16 09:00"), in: rules.calendar) == .done)
        // A callback for another programme, or before the move-in, does not count.
        let other = try duties("2026-11-01", "2026-11-30", customers: [c], callbacks: [
            call("A", "2026-11-10 10:00", .quarterly), call("A", "2026-10-14 10:00", .newResident),
        ])
        #expect(other[0].doneAt == nil && other[0].attempts == 0)
    }

    @Test func aDepartingOwnerWithinOneMonthOfLeaving_003_3_二_1_3() throws {
        let due = try duties("2026-12-01", "2026-12-31", customers: [customer("B", in: "2019-01-01", out: "2026-11-20")])
        #expect(due.filter { $0.programme == .departing }.map(\.dueOn) == [d("2026-12-20")])
        // …and, having left, owes no half-year callback for July–December.
        #expect(!due.contains { $0.programme == .resident || $0.programme == .annualSurvey })
    }

    @Test func nothingThatFellDueBeforeTheCustomerWasRegisteredIsOwed() throws {
        // Moved in 2018, imported into the desk in 2026: no new-resident callback of 2018.
        let due = try duties("2018-01-01", "2018-12-31", customers: [customer("A", in: "2018-03-15", known: "2026-10-01")])
        #expect(due.isEmpty)
    }

    @Test func everyResidentEverySixMonths_003_3_二_1_2() throws {
        let people = [customer("A", in: "2020-05-01"), customer("B", in: "2026-08-01"), customer("C", out: "2026-12-15"),
                      customer("D")]
        let due = try duties("2026-12-31", "2026-12-31", customers: people).filter { $0.programme == .resident }
        // Resident through Jul–Dec: A and D (B moved in during it, C moved out during it).
        #expect(due.map(\.customerID) == ["A", "D"] && due.allSatisfy { $0.period == "2026-H2" })
        // A quarterly callback in the half-year counts for it; one of the first half does not.
        let withCalls = try duties("2026-12-31", "2026-12-31", customers: people, callbacks: [
            call("A", "2026-08-10 10:00", .quarterly), call("D", "2026-06-30 10:00", .resident),
        ]).filter { $0.programme == .resident }
        #expect(withCalls.map { $0.doneAt != nil } == [true, false])
    }

    @Test func quarterlyByButlersWithAFrontDeskSampleAndTheSurveyInTheFourth_003_1_二_3_4() throws {
        let people = (1...10).map { customer("H\($0 < 10 ? "0" : "")\($0)", in: "2020-01-01") }
        let q3 = try duties("2026-09-30", "2026-09-30", customers: people)
        #expect(q3.filter { $0.programme == .quarterly }.count == 10)
        // 前台负责抽样回访: ⌈30 % × 10⌉ = 3 households.
        #expect(q3.filter { $0.programme == .quarterlySample }.count == 3)
        #expect(q3.allSatisfy { $0.period == "2026-Q3" && $0.opensAt == at("2026-07-01 00:00") })
        // 年度回访等同于第四季度回访: Q4 has the survey, not a quarterly callback.
        let q4 = try duties("2026-12-31", "2026-12-31", customers: people)
        #expect(q4.filter { $0.programme == .annualSurvey }.count == 10)
        #expect(!q4.contains { $0.programme == .quarterly || $0.programme == .quarterlySample })
        // A callback after the quarter ended belongs to the next one.
        let late = try duties("2026-09-30", "2026-09-30", customers: [people[0]],
                              callbacks: [call("H01", "2026-10-01 09:00", .quarterly)])
        #expect(late.first { $0.programme == .quarterly }?.doneAt == nil)
    }

    @Test func specialCareResidentsEveryMonth_003_4_二_3() throws {
        let people = [customer("E", in: "2015-01-01", special: true), customer("F", in: "2015-01-01")]
        let due = try duties("2026-10-01", "2026-11-30", customers: people).filter { $0.programme == .specialCare }
        #expect(due.map(\.dueOn) == [d("2026-10-31"), d("2026-11-30")] && due.allSatisfy { $0.customerID == "E" })
    }

    @Test func refusedCustomersOweNothingUnlessAttempted_回访操作指引_注意事项2() throws {
        let people = [customer("A", in: "2020-01-01", refused: "2026-05-01"), customer("B", in: "2020-01-01", refused: "2026-05-01")]
        let due = try duties("2026-09-30", "2026-09-30", customers: people, callbacks: [call("B", "2026-08-01 10:00", .quarterly, .refused)])
            .filter { $0.programme == .quarterly }
        // A: left out. B: the attempt keeps the duty owed, not done — a refusal cannot raise a rate.
        #expect(due.map(\.customerID) == ["B"] && due[0].doneAt == nil && due[0].lastResult == .refused)
    }

    // MARK: request programmes, 003 (1) 二 1–2 and (4) 二 2

    func repair(_ id: String, opened: String, completed: String? = nil, supplier: String? = nil,
                location: RepairLocation = .commonArea) -> ProgrammeRequest {
        ProgrammeRequest(id: id, kind: .repair, location: location, customerID: "c-\(id)", openedAt: at(opened),
                         completedAt: completed.map(at), supplierDispatchedAt: supplier.map(at))
    }

    @Test func everyRepairOfTheDayByTheFrontDesk_003_1_二_1() throws {
        let r1 = repair("R1", opened: "2026-10-13 09:00"), r2 = repair("R2", opened: "2026-10-13 19:00")
        let due = try duties("2026-10-13", "2026-10-14", requests: [r1, r2], callbacks: [
            CallbackRecord(jobID: "R1", at: at("2026-10-13 16:00"), method: .phone, result: .satisfied),  // a progress call
        ]).filter { $0.programme == .daily }
        // 当日: R1 that day; R2, reported after 18:00, the next day. Common-area repairs too.
        #expect(due.map(\.jobID) == ["R1", "R2"] && due.map(\.dueOn) == [d("2026-10-13"), d("2026-10-14")])
        #expect(due[0].doneAt == at("2026-10-13 16:00"))
    }

    @Test func aRepairNeedingASupplierIsConfirmedAtOnceOnSite_003_1_二_2() throws {
        let r = repair("R3", opened: "2026-10-13 09:00", supplier: "2026-10-13 10:00")
        let due = try duties("2026-10-13", "2026-10-13", requests: [r]).filter { $0.programme == .special }
        #expect(due.count == 1 && due[0].dueOn == d("2026-10-13") && due[0].onSite && due[0].opensAt == at("2026-10-13 10:00"))
    }

    @Test func aComplaintWithinOneMonthOfResolution_003_4_二_2() throws {
        let c = ProgrammeRequest(id: "K1", kind: .complaint, customerID: "k", openedAt: at("2026-10-05 10:00"),
                                 completedAt: at("2026-10-08 15:00"))
        let call = CallbackRecord(jobID: "K1", at: at("2026-10-09 10:00"), method: .phone, result: .satisfied)
        let due = try duties("2026-10-01", "2026-11-30", requests: [c], callbacks: [call])
        // The next-day four-class callback (monthly plan) discharges the one-month one too.
        #expect(due.map(\.programme) == [.monthlyPlan, .complaintFollowUp])
        #expect(due.map(\.dueOn) == [d("2026-10-09"), d("2026-11-08")])
        #expect(due.allSatisfy { $0.state(at: at("2026-11-10 09:00"), in: rules.calendar) == .done })
    }

    @Test func aCallbackBeforeCompletionIsNotACallbackOnTheWork() throws {
        let r = ProgrammeRequest(id: "R9", kind: .repair, location: .inHome, customerID: "c9", openedAt: at("2026-10-20 09:00"),
                                 completedAt: at("2026-10-20 15:00"))
        let early = CallbackRecord(jobID: "R9", at: at("2026-10-20 11:00"), method: .phone, result: .satisfied)
        let due = try duties("2026-10-20", "2026-10-21", requests: [r], callbacks: [early])
        // The month's only in-home repair is sampled (⌈30 %⌉ = 1), due 10-21; the progress call
        // at 11:00 counts for the daily callback but not for the plan.
        #expect(due.first { $0.programme == .daily }?.doneAt != nil)
        #expect(due.first { $0.programme == .monthlyPlan }?.doneAt == nil)
    }

    @Test func completionPerProgrammeCountsOnTimeLateOverdueAndPending() throws {
        let people = [customer("A", in: "2026-10-01", known: "2026-10-01"), customer("B", in: "2026-10-10", known: "2026-10-01"),
                      customer("C", in: "2026-10-20", known: "2026-10-01")]
        let list = try duties("2026-11-01", "2026-11-30", customers: people, callbacks: [
            call("A", "2026-10-20 10:00", .newResident), call("B", "2026-11-12 10:00", .newResident),
        ])
        let c = ProgrammeCompletion.of(list, at: at("2026-11-15 09:00"), in: rules.calendar).first { $0.programme == .newResident }!
        // A due 11-01 done 10-20; B due 11-10 done 11-12 (late); C due 11-20 (pending).
        #expect((c.owed, c.onTime, c.late, c.overdue, c.pending) == (3, 1, 1, 0, 1))
        #expect(c.completion == Ratio(1, of: 2))
    }
}

/// 003 (1) 三: the callback script recorded as steps.
@Suite struct CallbackScriptTests {
    @Test func aReachedCallbackFollowsTheWholeScript_003_1_三() throws {
        #expect(CallbackStep.usual(for: .satisfied, aboutARequest: true) == CallbackStep.allCases)
        #expect(CallbackStep.usual(for: .unsatisfied, aboutARequest: false).contains(.recap) == false)
        #expect(CallbackStep.usual(for: .refused, aboutARequest: true) == [.greeting, .introduction, .record])
        #expect(CallbackStep.allCases.map(\.displayName)
                == ["礼貌问候", "自我介绍", "简述报修情况", "满意度调查", "询问其他事项", "感谢", "记录回访信息"])
        try CallbackStep.validate([.greeting, .satisfaction], result: .satisfied)
        #expect(throws: RuleError.self) { try CallbackStep.validate([.greeting], result: .satisfied) }
        #expect(throws: RuleError.self) { try CallbackStep.validate([.satisfaction], result: .notReached) }
        #expect(throws: RuleError.self) { try CallbackStep.validate([.greeting, .greeting, .satisfaction], result: .satisfied) }
    }
}

/// The annual survey's questionnaire (003 (1) 二 4) against 002's 68 %.
@Suite struct SurveyRulesTests {
    @Test func theQuestionnaireAlwaysAsksTheOverallQuestion() {
        #expect(SurveyRules.questionnaire([]) == SurveyItem.allCases)
        #expect(SurveyRules.questionnaire([.security, .timeliness]) == [.timeliness, .security, .overall])
    }

    @Test func everyItemAnsweredWithASatisfactionAnswer() throws {
        let q = SurveyRules.questionnaire([.timeliness])
        #expect(try SurveyRules.validate(answers: [.timeliness: .satisfied, .overall: .basicallySatisfied], questionnaire: q)
                == .basicallySatisfied)
        #expect(throws: RuleError.self) { try SurveyRules.validate(answers: [.overall: .satisfied], questionnaire: q) }
        #expect(throws: RuleError.self) {
            try SurveyRules.validate(answers: [.timeliness: .satisfied, .overall: .satisfied, .security: .satisfied], questionnaire: q)
        }
        #expect(throws: RuleError.self) {
            try SurveyRules.validate(answers: [.timeliness: .notReached, .overall: .satisfied], questionnaire: q)
        }
        #expect(SurveyRules.industrySatisfactionPercent == 68)
    }
}
