import Foundation
import ServiceDesk
import Testing

@Suite struct DeadlineRulesTests {
    let rules = DeadlineRules(calendar: Fixtures.nationalDay2026)
    let at = { (text: String) in Fixtures.at(text) }

    func deadline(_ name: DeadlineName, _ facts: TicketFacts, rules: DeadlineRules? = nil) -> Deadline? {
        (rules ?? self.rules).deadlines(for: facts).first { $0.name == name }
    }

    func due(_ name: DeadlineName, _ facts: TicketFacts, rules: DeadlineRules? = nil) -> String? {
        deadline(name, facts, rules: rules).map { Fixtures.show($0.due) }
    }

    // MARK: First answer: 24 calendar hours

    @Test func firstAnswerIsDue24CalendarHoursLaterEvenOverAHoliday() {
        let facts = TicketFacts(kind: .repair, openedAt: at("2026-09-30 10:00"))
        #expect(due(.firstAnswer, facts) == "2026-10-01 10:00")
        #expect(rules.overdue(facts, at: at("2026-10-01 10:00")).isEmpty)
        #expect(rules.overdue(facts, at: at("2026-10-01 10:00:01")).map(\.name) == [.firstAnswer])
    }

    @Test func dispatchOrCompletionCountsAsTheFirstAnswer() {
        var facts = TicketFacts(kind: .inquiry, openedAt: at("2026-09-28 10:00"))
        facts.completedAt = at("2026-09-28 10:05")
        #expect(deadline(.firstAnswer, facts)?.wasMetOnTime == true)
        facts = TicketFacts(kind: .repair, openedAt: at("2026-09-28 10:00"), dispatchedAt: at("2026-09-29 10:01"))
        #expect(deadline(.firstAnswer, facts)?.wasMetOnTime == false)
        facts.answeredAt = at("2026-09-28 11:00")
        #expect(deadline(.firstAnswer, facts)?.metAt == at("2026-09-28 11:00"))
        #expect(deadline(.firstAnswer, facts)?.wasMetOnTime == true)
    }

    @Test func everyKindHasAFirstAnswerDeadline() {
        for kind in RequestKind.allCases {
            let names = rules.deadlines(for: TicketFacts(kind: kind, openedAt: at("2026-09-28 10:00"))).map(\.name)
            #expect(names == (kind == .complaint ? [.firstAnswer, .complaintResolution] : [.firstAnswer]))
        }
    }

    // MARK: Complaint resolution: working days on the working clock

    @Test func generalComplaintOpenedInWorkingHoursIsDueSameTimeNextWorkingDay() {
        let facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-28 10:00"))
        #expect(due(.complaintResolution, facts) == "2026-09-29 10:00")
        #expect(deadline(.complaintResolution, facts)?.basis == "general complaint: 1 working day")
    }

    @Test func generalComplaintOpenedOnAFridayEveningIsDueMondayAtClosingTime() {
        let facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-25 20:00"))
        #expect(due(.complaintResolution, facts) == "2026-09-28 18:00")
        // Still not overdue at Monday closing time, overdue a second later.
        #expect(rules.overdue(facts, at: at("2026-09-28 18:00")).map(\.name) == [.firstAnswer])
        #expect(
            rules.overdue(facts, at: at("2026-09-28 18:00:01")).map(\.name) == [.firstAnswer, .complaintResolution])
    }

    @Test func majorComplaintOpenedFridayEveningSkipsNationalDayAndCountsTheSwappedSaturday() {
        // Working days from Monday: 09-28, 09-29, 09-30, (10-01..07 off) 10-08, 10-09,
        // 10-10 (swapped Saturday), (Sunday off) 10-12 → the 7th.
        let facts = TicketFacts(kind: .complaint, severity: .major, openedAt: at("2026-09-25 20:00"))
        #expect(due(.complaintResolution, facts) == "2026-10-12 18:00")
        #expect(deadline(.complaintResolution, facts)?.basis == "major complaint: 7 working days")
        // A plain Monday–Friday calendar would have said 2026-10-06.
        let plain = DeadlineRules(calendar: .standard)
        #expect(due(.complaintResolution, facts, rules: plain) == "2026-10-06 18:00")
    }

    @Test func complaintOpenedDuringAHolidayStartsOnTheFirstWorkingDay() {
        let facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-10-03 11:00"))
        #expect(due(.complaintResolution, facts) == "2026-10-08 18:00")
    }

    @Test func complaintOpenedTheDayBeforeAHolidayCarriesTheRestOver() {
        // 8 working hours on Wednesday 09-30, the 9th on Thursday 10-08.
        let facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-30 10:00"))
        #expect(due(.complaintResolution, facts) == "2026-10-08 10:00")
    }

    @Test func swappedWorkingSaturdayCountsAndAPlainCalendarDoesNot() {
        let facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-10-09 15:00"))
        #expect(due(.complaintResolution, facts) == "2026-10-10 15:00")
        #expect(due(.complaintResolution, facts, rules: DeadlineRules(calendar: .standard)) == "2026-10-12 15:00")
        // Opened on the swapped Sunday 09-20 itself.
        let sunday = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-20 10:00"))
        #expect(due(.complaintResolution, sunday) == "2026-09-21 10:00")
    }

    @Test func complaintOpenedBeforeOpeningTimeIsDueAtClosingTime() {
        let facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-28 07:30"))
        #expect(due(.complaintResolution, facts) == "2026-09-28 18:00")
        let major = TicketFacts(kind: .complaint, severity: .major, openedAt: at("2026-09-28 07:30"))
        #expect(due(.complaintResolution, major) == "2026-10-12 18:00")
    }

    @Test func complaintWithoutSeverityGetsTheStricterGeneralDeadline() {
        let facts = TicketFacts(kind: .complaint, openedAt: at("2026-09-28 10:00"))
        #expect(due(.complaintResolution, facts) == "2026-09-29 10:00")
    }

    @Test func complaintResolutionIsMetByCompletion() {
        var facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-28 10:00"))
        facts.completedAt = at("2026-09-29 09:59")
        #expect(deadline(.complaintResolution, facts)?.wasMetOnTime == true)
        facts.completedAt = at("2026-09-29 10:01")
        #expect(deadline(.complaintResolution, facts)?.wasMetOnTime == false)
        // Resolution is met; what is overdue months later is the complaint's callback.
        #expect(rules.overdue(facts, at: at("2026-12-01 00:00")).map(\.name) == [.callback])
    }

    // MARK: Provider arrival

    @Test func providerArrivesWithin30MinutesOfDispatch() {
        var facts = TicketFacts(kind: .repair, openedAt: at("2026-09-28 13:50"), dispatchedAt: at("2026-09-28 14:00"))
        #expect(due(.providerArrival, facts) == "2026-09-28 14:30")
        #expect(rules.dueToday(facts, at: at("2026-09-28 14:10")).map(\.name) == [.providerArrival])
        #expect(rules.overdue(facts, at: at("2026-09-28 14:31")).map(\.name) == [.providerArrival])
        facts.arrivedAt = at("2026-09-28 14:30")
        #expect(deadline(.providerArrival, facts)?.wasMetOnTime == true)
        facts.arrivedAt = at("2026-09-28 14:31")
        #expect(deadline(.providerArrival, facts)?.wasMetOnTime == false)
    }

    @Test func agreedArrivalTimeReplacesThe30MinuteRule() {
        let facts = TicketFacts(
            kind: .service, openedAt: at("2026-09-28 10:00"), dispatchedAt: at("2026-09-28 10:10"),
            agreedArrivalAt: at("2026-09-29 15:00"))
        #expect(due(.providerArrival, facts) == "2026-09-29 15:00")
        #expect(rules.overdue(facts, at: at("2026-09-28 11:00")).isEmpty)
        #expect(deadline(.providerArrival, facts)?.basis == "arrival at the agreed time")
    }

    @Test func noArrivalDeadlineBeforeDispatch() {
        #expect(deadline(.providerArrival, TicketFacts(kind: .repair, openedAt: at("2026-09-28 10:00"))) == nil)
    }

    @Test func theThirtyMinuteRuleIsForCommissionedServicesOnly_P7_9_8_4_2_7() {
        // 4.2.7 is a clause of the commissioned-service procedure (P7.9-8 §2): an in-home
        // repair and a price-list service have it; a complaint and a common-area repair do not.
        func arrival(_ kind: RequestKind, _ location: RepairLocation?) -> Deadline? {
            deadline(.providerArrival, TicketFacts(kind: kind, location: location, openedAt: at("2026-09-28 10:00"),
                                                   dispatchedAt: at("2026-09-28 10:05")))
        }
        #expect(arrival(.repair, .inHome).map { Fixtures.show($0.due) } == "2026-09-28 10:35")
        #expect(arrival(.repair, nil) != nil)  // not recorded: in-home
        #expect(arrival(.service, nil) != nil)
        #expect(arrival(.repair, .commonArea) == nil)
        #expect(arrival(.complaint, nil) == nil)
        #expect(arrival(.inquiry, nil) == nil)
        // A complaint keeps its own rules: 24-hour answer and 1 working day.
        let complaint = TicketFacts(kind: .complaint, openedAt: at("2026-09-28 10:00"), dispatchedAt: at("2026-09-28 10:05"))
        #expect(rules.deadlines(for: complaint).map(\.name) == [.firstAnswer, .complaintResolution])
    }

    // MARK: Callbacks

    @Test func paidServiceIsCalledBackTheDayAfterCompletionTheStricterRule() {
        let facts = TicketFacts(
            kind: .service, openedAt: at("2026-10-09 09:00"), completedAt: at("2026-10-09 16:00"), isPaid: true)
        let callback = deadline(.callback, facts)
        #expect(callback?.dueDay == Fixtures.date("2026-10-10"))
        #expect(callback.map { Fixtures.show($0.due) } == "2026-10-11 00:00")
        #expect(callback?.basis == "four classes (paid_service): the day after completion")
        #expect(rules.dueToday(facts, at: at("2026-10-10 23:00")).map(\.name) == [.callback])
        #expect(rules.dueToday(facts, at: at("2026-10-09 17:00")).isEmpty)
        #expect(rules.overdue(facts, at: at("2026-10-11 00:00")).isEmpty)
        #expect(rules.overdue(facts, at: at("2026-10-11 00:00:01")).map(\.name) == [.callback])
    }

    @Test func aCommissionedServiceSelectedForCallbackHasTwoCalendarDays_4_2_14_4() {
        var facts = TicketFacts(kind: .service, openedAt: at("2026-09-30 09:00"), completedAt: at("2026-09-30 16:00"))
        // Not selected (the center selects whom to call, 4.2.14.4): no deadline.
        #expect(deadline(.callback, facts) == nil)
        facts.callbackReasons = [.commissionedService]
        let callback = deadline(.callback, facts)
        // Calendar days: National Day does not stop the callback clock.
        #expect(callback?.dueDay == Fixtures.date("2026-10-02"))
        #expect(callback?.basis == "commissioned service: within 2 days")
    }

    @Test func aSampledRepairIsDueTheNextDay_回访需于服务完成次日完成() {
        var facts = TicketFacts(kind: .repair, location: .inHome, openedAt: at("2026-09-28 09:00"), completedAt: at("2026-09-28 15:00"))
        facts.callbackReasons = [.sampled]
        #expect(deadline(.callback, facts)?.dueDay == Fixtures.date("2026-09-29"))
        #expect(deadline(.callback, facts)?.basis == "monthly plan (sampled): the day after completion")
    }

    @Test func fourClassRepairsAreCalledBackTheNextDay() {
        let base = TicketFacts(kind: .repair, openedAt: at("2026-09-28 09:00"), completedAt: at("2026-09-28 23:30"))
        var byNew = base
        byNew.byNewStaff = true
        #expect(deadline(.callback, byNew)?.dueDay == Fixtures.date("2026-09-29"))
        var byComplained = base
        byComplained.byPreviouslyComplainedStaff = true
        #expect(deadline(.callback, byComplained)?.dueDay == Fixtures.date("2026-09-29"))
        #expect(deadline(.callback, byComplained)?.basis == "four classes (previously_complained_staff): the day after completion")
        // An ordinary repair has no callback deadline (it may be sampled; see CallbackPlanner).
        #expect(deadline(.callback, base) == nil)
    }

    @Test func completedComplaintIsCalledBackTheNextDay() {
        let facts = TicketFacts(
            kind: .complaint, severity: .major, openedAt: at("2026-09-25 20:00"), completedAt: at("2026-10-09 12:00"))
        #expect(deadline(.callback, facts)?.dueDay == Fixtures.date("2026-10-10"))
        #expect(deadline(.complaintResolution, facts)?.wasMetOnTime == true)
    }

    @Test func callbackIsMetByACallbackAndWaivedForCustomersWhoRefuse() {
        var facts = TicketFacts(
            kind: .service, openedAt: at("2026-09-28 09:00"), completedAt: at("2026-09-28 16:00"), isPaid: true)
        facts.calledBackAt = at("2026-09-29 10:00")
        #expect(deadline(.callback, facts)?.wasMetOnTime == true)
        facts.calledBackAt = at("2026-09-30 10:00")
        #expect(deadline(.callback, facts)?.wasMetOnTime == false)
        facts.calledBackAt = nil
        facts.customerRefusesCallbacks = true
        #expect(deadline(.callback, facts) == nil)
    }

    // MARK: Evaluation

    @Test func cancellationDischargesOpenDeadlines() {
        var facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-28 10:00"))
        facts.cancelledAt = at("2026-09-28 11:00")
        #expect(rules.overdue(facts, at: at("2026-12-01 00:00")).isEmpty)
        #expect(rules.dueToday(facts, at: at("2026-09-29 08:00")).isEmpty)
        #expect(rules.deadlines(for: facts).allSatisfy { $0.wasMetOnTime == true })
    }

    @Test func dueTodayListsOnlyOpenDeadlinesFallingDueLaterToday() {
        let facts = TicketFacts(kind: .complaint, severity: .general, openedAt: at("2026-09-28 10:00"))
        // Tuesday 08:00: the first answer (Tue 10:00) and the resolution (Tue 10:00) are both due today.
        #expect(rules.dueToday(facts, at: at("2026-09-29 08:00")).map(\.name) == [.firstAnswer, .complaintResolution])
        // Monday: nothing falls due on Monday.
        #expect(rules.dueToday(facts, at: at("2026-09-28 12:00")).isEmpty)
        // Tuesday 11:00: both are overdue, so no longer "due today".
        #expect(rules.dueToday(facts, at: at("2026-09-29 11:00")).isEmpty)
        #expect(rules.overdue(facts, at: at("2026-09-29 11:00")).count == 2)
        var answered = facts
        answered.answeredAt = at("2026-09-28 10:30")
        #expect(rules.dueToday(answered, at: at("2026-09-29 08:00")).map(\.name) == [.complaintResolution])
    }

    @Test func deadlineNamesHaveStableRawValuesAndChineseNames() {
        #expect(DeadlineName.allCases.map(\.rawValue) == ["first_answer", "complaint_resolution", "provider_arrival", "callback"])
        #expect(DeadlineName.allCases.map(\.displayName) == ["首次答复", "投诉处理", "到场", "回访"])
    }
}

@Suite struct StaffPolicyTests {
    let d = Fixtures.date

    @Test func newStaffMeansWithinThreeMonthsOfHireByDefault() {
        let policy = NewStaffPolicy()
        #expect(policy.isNew(hiredOn: d("2026-08-15"), on: d("2026-11-14")))
        #expect(!policy.isNew(hiredOn: d("2026-08-15"), on: d("2026-11-15")))
        #expect(policy.isNew(hiredOn: d("2026-11-30"), on: d("2027-02-27")))
        #expect(!policy.isNew(hiredOn: d("2026-11-30"), on: d("2027-02-28")))
        #expect(policy.isNew(hiredOn: d("2026-08-15"), on: d("2026-08-01")))  // data error: err towards callback
        #expect(!NewStaffPolicy(months: 1).isNew(hiredOn: d("2026-08-15"), on: d("2026-10-01")))
        #expect(policy.anyIsNew(hiredOn: [d("2020-01-01"), d("2026-09-01")], on: d("2026-10-01")))
        #expect(!policy.anyIsNew(hiredOn: [d("2020-01-01")], on: d("2026-10-01")))
    }

    @Test func complainedAboutBeforeTheServiceIncludesAnEarlierComplaintTheSameDay_回访操作指引1() {
        let policy = ComplainedStaffPolicy()
        let service = Fixtures.at("2026-10-01 15:00")
        #expect(policy.applies(complaintTimes: [Fixtures.at("2020-05-01 10:00")], serviceAt: service))
        // The same day, earlier: counts (issue 16). Later that day: not "before the service".
        #expect(policy.applies(complaintTimes: [Fixtures.at("2026-10-01 09:00")], serviceAt: service))
        #expect(!policy.applies(complaintTimes: [Fixtures.at("2026-10-01 16:00")], serviceAt: service))
        #expect(!policy.applies(complaintTimes: [Date](), serviceAt: service))
        let recent = ComplainedStaffPolicy(lookBackDays: 365)
        #expect(!recent.applies(complaintTimes: [Fixtures.at("2020-05-01 10:00")], serviceAt: service))
        #expect(recent.applies(complaintTimes: [Fixtures.at("2026-05-01 10:00")], serviceAt: service))
    }
}
