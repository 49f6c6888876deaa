import Foundation
import Replication
@testable import ServiceDesk
import Testing

/// The desk over real SQLite files: every write through the replication engine, every
/// refusal leaving the database exactly as it was.
@Suite struct DeskIntegrationTests {
    // MARK: customers

    @Test func customersAreRegisteredUpdatedAndFound() throws {
        let t = try TestDesk()
        let id = try t.customer("欧阳娜娜", phone: "138 1234 5678", unit: "3栋2单元1101")
        var c = try t.desk.customer(id)
        #expect(c.name == "欧阳娜娜")
        #expect(c.phone == "13812345678")
        #expect(c.createdBy == "S001")
        try t.at("2026-09-02 10:00").updateCustomer(id, moveIn: "2026-03-01", moveOut: "2026-12-31", specialCare: true)
        c = try t.desk.customer(id)
        #expect(c.moveIn == "2026-03-01" && c.moveOut == "2026-12-31" && c.specialCare)
        let member = try t.at("2026-09-02 10:05").addHouseholdMember(customer: id, name: "欧阳小明", relation: "子女", phone: nil)
        #expect(try t.desk.householdMembers(of: id).map(\.id) == [member])
        var f = CustomerFilter()
        f.phone = "5678"
        #expect(try t.desk.customers(f).map(\.id) == [id])
        f = CustomerFilter()
        f.text = "欧阳"
        #expect(try t.desk.customers(f).map(\.id) == [id])
    }

    @Test func badCustomerInputIsRefusedAndChangesNothing() throws {
        let t = try TestDesk()
        let id = try t.customer()
        let impossible = try t.refused { try t.at("2026-09-02 10:00").updateCustomer(id, moveIn: "2026-02-30") }
        #expect(impossible.contains("February 2026 has 28 days"))
        let phone = try t.refused { _ = try t.at("2026-09-02 10:00").addCustomer(CustomerInput(name: "李四", phone: "12345")) }
        #expect(!phone.isEmpty)
        let unknown = try t.refused { try t.at("2026-09-02 10:00").updateCustomer("cu-nothere", name: "王五") }
        #expect(unknown == "no customer with id cu-nothere")
        let stranger = try t.refused { _ = try t.at("2026-09-02 10:00", "NOBODY").addCustomer(CustomerInput(name: "李四")) }
        #expect(stranger.contains("unknown staff member NOBODY"))
    }

    // MARK: lifecycle

    @Test func aRepairGoesThroughEveryStepAndTheTimelineSaysWhoAndWhen() throws {
        let t = try TestDesk()
        let c = try t.customer()
        let opened = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .repair, channel: .phone, summary: "厨房水管漏水", customer: c))
        #expect(opened.number == "C001-261102-001")
        #expect(opened.unit == "3栋2单元1101")
        #expect(opened.stage == .received)
        let n = opened.number
        #expect(try t.at("2026-11-02 09:05").advance(n, .dispatch, details: StepDetails(assignee: "T01")).stage == .dispatched)
        #expect(try t.at("2026-11-02 09:25", "T01").advance(n, .arrive).stage == .arrived)
        let done = try t.at("2026-11-02 10:10", "T01").advance(n, .complete, details: StepDetails(customerSigned: true))
        #expect(done.stage == .completed && done.customerSigned)
        try t.at("2026-11-03 10:00").recordCallback(ticket: n, method: .phone, result: .satisfied, score: 95, comment: "师傅很专业", signed: false)
        #expect(try t.desk.ticket(n).stage == .calledBack)
        #expect(try t.at("2026-11-03 10:05").advance(n, .close).stage == .closed)
        let reopened = try t.at("2026-11-05 08:30").advance(n, .reopen, details: StepDetails(note: "又漏了"))
        #expect(reopened.stage == .received && reopened.reopenCount == 1 && reopened.completedAt == nil)
        #expect(try t.at("2026-11-05 08:40").advance(n, .escalate).escalated)
        #expect(try t.at("2026-11-05 09:00").advance(n, .cancel).stage == .cancelled)

        let tl = try t.desk.timeline(n)
        #expect(tl.map(\.action) == ["open", "dispatch", "arrive", "complete", "callback", "close", "reopen", "escalate", "cancel"])
        #expect(tl.map(\.staff) == ["S001", "S001", "T01", "T01", "S001", "S001", "S001", "S001", "S001"])
        #expect(Fixtures.show(tl[2].at) == "2026-11-02 09:25")
        #expect(tl[3].detail == "顾客已签字")
    }

    @Test func anIllegalTransitionNamesTheAllowedOnesAndChangesNothing() throws {
        let t = try TestDesk()
        let n = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .repair, channel: .walkIn, summary: "门锁坏了")).number
        let m = try t.refused { try t.at("2026-11-02 09:10").advance(n, .complete) }
        #expect(m == "cannot complete a repair that is received; allowed: dispatch, cancel, escalate")
        try t.at("2026-11-02 09:10").advance(n, .dispatch, details: StepDetails(assignee: "T01"))
        let m2 = try t.refused { try t.at("2026-11-02 09:20").advance(n, .close) }
        #expect(m2 == "cannot close a repair that is dispatched; allowed: arrive, cancel, escalate")
        let unknownStaff = try t.refused { try t.at("2026-11-02 09:20").updateTicket(n, assignee: "T99") }
        #expect(unknownStaff.contains("no staff member T99"))
        let cb = try t.refused {
            try t.at("2026-11-02 09:30").recordCallback(ticket: n, method: .phone, result: .satisfied, score: nil, comment: nil, signed: false)
        }
        #expect(cb.contains("callbacks follow completion"))
        let missing = try t.refused { try t.at("2026-11-02 09:30").advance("C001-261102-999", .arrive) }
        #expect(missing == "no request C001-261102-999")
        let noSummary = try t.refused { _ = try t.at("2026-11-02 09:30").openTicket(TicketInput(kind: .repair, channel: .phone, summary: "  ")) }
        #expect(noSummary.contains("summary"))
    }

    // MARK: deadlines

    func due(_ t: TestDesk, _ ref: String, _ name: DeadlineName) throws -> String? {
        try t.desk.ticketWithDeadlines(ref).deadlines.first { $0.name == name }.map { Fixtures.show($0.due) }
    }

    @Test func aComplaintOpenedOnFridayEveningIsDueMondayEvening() throws {
        let t = try TestDesk()
        let n = try t.at("2026-09-25 20:00").openTicket(TicketInput(kind: .complaint, complaintClass: .serviceShortfall, severity: .general, channel: .phone, summary: "保安态度差")).number
        #expect(try due(t, n, .complaintResolution) == "2026-09-28 18:00")
        #expect(try due(t, n, .firstAnswer) == "2026-09-26 20:00")

        var f = TicketFilter()
        f.dueToday = true
        #expect(try t.desk.tickets(f, now: Fixtures.at("2026-09-26 12:00")).map { $0.dueToday.map(\.name) } == [[.firstAnswer]])
        #expect(try t.desk.tickets(f, now: Fixtures.at("2026-09-28 10:00")).map { $0.dueToday.map(\.name) } == [[.complaintResolution]])
        f = TicketFilter()
        f.overdue = true
        #expect(try t.desk.tickets(f, now: Fixtures.at("2026-09-26 19:59")).isEmpty)
        #expect(try t.desk.tickets(f, now: Fixtures.at("2026-09-28 10:00")).map { $0.overdue.map(\.name) } == [[.firstAnswer]])
        #expect(try t.desk.tickets(f, now: Fixtures.at("2026-09-28 18:01")).map { $0.overdue.map(\.name) } == [[.firstAnswer, .complaintResolution]])
        // Answered and resolved: nothing overdue any more.
        try t.at("2026-09-26 09:00").answer(n, note: "已致歉，明日处理")
        try t.at("2026-09-28 09:00").advance(n, .dispatch, details: StepDetails(assignee: "M01"))
        try t.at("2026-09-28 09:20").advance(n, .arrive)
        try t.at("2026-09-28 11:00").advance(n, .complete, details: StepDetails(customerSigned: true))
        #expect(try t.desk.tickets(f, now: Fixtures.at("2026-09-28 18:01")).isEmpty)
    }

    @Test func holidaysAndSwappedWorkingDaysMoveComplaintDeadlines() throws {
        let t = try TestDesk()
        func complaint(_ severity: Severity, _ time: String) throws -> String {
            try t.at(time).openTicket(TicketInput(kind: .complaint, complaintClass: .developerOrBuilding, severity: severity, channel: .walkIn, summary: "外墙渗水")).number
        }
        // Before National Day: one working hour left, then the week off.
        #expect(try due(t, complaint(.general, "2026-09-30 17:00"), .complaintResolution) == "2026-10-08 17:00")
        // Friday evening before the swapped Saturday: the Saturday counts.
        #expect(try due(t, complaint(.general, "2026-10-09 18:30"), .complaintResolution) == "2026-10-10 18:00")
        // On the swapped Sunday 2026-09-20 itself.
        #expect(try due(t, complaint(.general, "2026-09-20 10:00"), .complaintResolution) == "2026-09-21 10:00")
        // Major: 7 working days across the holiday and the swapped Saturday.
        #expect(try due(t, complaint(.major, "2026-09-30 10:00"), .complaintResolution) == "2026-10-15 10:00")
        // Without the calendar the same complaint would be due on 2026-10-01.
        let plain = try TestDesk(calendar: false)
        let n = try plain.at("2026-09-30 17:00").openTicket(TicketInput(kind: .complaint, severity: .general, channel: .phone, summary: "噪音")).number
        #expect(try due(plain, n, .complaintResolution) == "2026-10-01 17:00")
    }

    @Test func arrivalWithinThirtyMinutesOrAtTheAgreedTime() throws {
        let t = try TestDesk()
        let a = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .repair, channel: .phone, summary: "停电")).number
        try t.at("2026-11-02 09:05").advance(a, .dispatch, details: StepDetails(assignee: "T01"))
        #expect(try due(t, a, .providerArrival) == "2026-11-02 09:35")
        var f = TicketFilter()
        f.overdue = true
        #expect(try t.desk.tickets(f, now: Fixtures.at("2026-11-02 09:40")).map { $0.overdue.map(\.name) } == [[.providerArrival]])
        let b = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .repair, channel: .phone, summary: "换灯泡")).number
        try t.at("2026-11-02 09:05").advance(b, .dispatch, details: StepDetails(assignee: "T01", agreedArrival: Fixtures.at("2026-11-02 14:00")))
        #expect(try due(t, b, .providerArrival) == "2026-11-02 14:00")
    }

    @Test func fourClassCallbacksAreDueTheDayAfterCompletion() throws {
        let t = try TestDesk()
        let c = try t.customer()
        // T02 was hired 2026-10-15: new staff in November.
        let n = try complete(t, .repair, by: "T02", customer: c, on: "2026-11-10")
        #expect(try due(t, n, .callback) == "2026-11-12 00:00")  // the end of 2026-11-11
        // An old hand's repair has no callback deadline (it may be sampled).
        let m = try complete(t, .repair, by: "T01", customer: c, on: "2026-11-10")
        #expect(try due(t, m, .callback) == nil)
    }

    // MARK: callbacks and the plan

    /// Opens a request and takes it to completion on `day` (dispatched 09:00, done 11:00).
    @discardableResult
    func complete(_ t: TestDesk, _ kind: RequestKind, by staff: String, customer: String?, on day: String, summary: String = "维修") throws -> String {
        let n = try t.at("\(day) 08:30").openTicket(TicketInput(kind: kind, channel: .phone, summary: summary, customer: customer)).number
        try t.at("\(day) 09:00").advance(n, .dispatch, details: StepDetails(assignee: staff))
        try t.at("\(day) 09:20", staff).advance(n, .arrive)
        try t.at("\(day) 11:00", staff).advance(n, .complete, details: StepDetails(customerSigned: true))
        return n
    }

    @Test func aRefusedCallbackPutsTheCustomerOnTheRefusedList() throws {
        let t = try TestDesk()
        let c = try t.customer()
        let n = try complete(t, .repair, by: "T01", customer: c, on: "2026-11-02")
        try t.at("2026-11-03 10:00").recordCallback(ticket: n, method: .phone, result: .refused, score: nil, comment: "不需要回访", signed: false)
        let cust = try t.desk.customer(c)
        #expect(cust.refusedCallback && cust.refusedReason == "不需要回访")
        var f = CustomerFilter()
        f.refusedOnly = true
        #expect(try t.desk.customers(f).map(\.id) == [c])
        #expect(try t.desk.ticket(n).stage == .completed)
        // An on-site callback with a signature moves the request on.
        let m = try complete(t, .repair, by: "T01", customer: try t.customer("李四", phone: "13900001111"), on: "2026-11-02")
        try t.at("2026-11-03 15:00").recordCallback(ticket: m, method: .onSite, result: .basicallySatisfied, score: 80, comment: nil, signed: true)
        #expect(try t.desk.ticket(m).stage == .calledBack)
        #expect(try t.desk.callbacks(ticket: m).map(\.signed) == [true])
        let bad = try t.refused {
            try t.at("2026-11-03 16:00").recordCallback(ticket: m, method: .phone, result: .satisfied, score: 101, comment: nil, signed: false)
        }
        #expect(bad == "a score is 0–100")
    }

    @Test func theCallbackPlanIsReproducibleAndCoversTheFourClasses() throws {
        let t = try TestDesk()
        try t.at("2026-09-01 09:00", "admin-C001").addStaff(id: "T03", name: "孙师傅", role: "technician", phone: nil, hireDate: "2015-01-01", supplier: false)
        var customers: [String] = []
        for i in 0..<16 { customers.append(try t.customer("住户\(i)", phone: String(format: "139000%05d", i), unit: "1栋\(100 + i)")) }
        // A complaint about T03 in October makes T03's November jobs four-class.
        _ = try t.at("2026-10-20 10:00").openTicket(TicketInput(kind: .complaint, channel: .phone, summary: "孙师傅迟到", customer: customers[15], aboutStaff: "T03"))
        var repairs: [String] = []
        for i in 0..<10 { repairs.append(try complete(t, .repair, by: "T01", customer: customers[i], on: String(format: "2026-11-%02d", i + 2))) }
        let complaint = try complete(t, .complaint, by: "M01", customer: customers[10], on: "2026-11-12", summary: "电梯故障投诉")
        let paid = try complete(t, .service, by: "T01", customer: customers[11], on: "2026-11-12", summary: "疏通下水道")
        let byNew = try complete(t, .repair, by: "T02", customer: customers[12], on: "2026-11-13")
        let byComplained = try complete(t, .repair, by: "T03", customer: customers[13], on: "2026-11-13")
        try t.at("2026-11-01 09:00").setRefusedCallback(customers[14], refused: true, reason: "工作忙")
        let refusedJob = try complete(t, .complaint, by: "M01", customer: customers[14], on: "2026-11-14")

        let first = try t.at("2026-11-30 18:00").callbackPlan(month: try YearMonth("2026-11"))
        let again = try t.at("2026-11-30 18:05").callbackPlan(month: try YearMonth("2026-11"))
        #expect(first.plan == again.plan)
        // The seed is stored: a fresh process opening the same file plans the same.
        let reopened = try Desk.open(DataDirectory(path: t.url.path))
        let third = try reopened.signedIn(as: "S001", clock: .simulated(Fixtures.at("2026-12-01 09:00"))).callbackPlan(month: try YearMonth("2026-11"))
        #expect(third.plan == first.plan)
        #expect(try t.desk.replica.state("callback_plan", id: "plan-C001-2026-11") != nil)

        func reasons(_ n: String) throws -> Set<CallbackReason> {
            let id = try t.desk.ticket(n).id
            return Set(first.plan.callbacks.first { $0.jobID == id }?.reasons ?? [])
        }
        #expect(try reasons(complaint).contains(.complaint))
        #expect(try reasons(paid).contains(.paidService))
        #expect(try reasons(byNew).contains(.newStaff))
        #expect(try reasons(byComplained).contains(.previouslyComplainedStaff))
        // 30 % of the twelve in-home repairs, the two four-class ones among them (其中).
        #expect(first.plan.samplePoolSize == 12 && first.plan.fourClassInPool == 2)
        // Drawn day by day, one repair a day: the quota ⌈30 % × n⌉ steps up with the 1st,
        // 4th and 7th repair of the month, so those are drawn; by the 13th the two
        // four-class repairs bring the plan to 5 ≥ ⌈3.6⌉.
        let ids = try repairs.map { try t.desk.ticket($0).id }
        #expect(Set(first.plan.sampled.map(\.jobID)) == [ids[0], ids[3], ids[6]])
        // 4.2.14.4: the 10 repairs, the paid service and the two four-class repairs are
        // commissioned; 60 % needs 2, 4, 6 … as the month goes on: the 2nd, 6th and 9th
        // repairs are selected, due within two days.
        #expect(Set(first.plan.commissioned.map(\.jobID)) == [ids[1], ids[5], ids[8]])
        #expect(first.plan.commissioned.allSatisfy { $0.dueOn == $0.completedOn.adding(days: 2) })
        // The refusing customer is left out and reported.
        #expect(first.plan.refused.map(\.jobID) == [try t.desk.ticket(refusedJob).id])
        #expect(!first.plan.callbacks.contains { $0.customerID == customers[14] })
        #expect(first.duties.count == first.plan.callbacks.count)
        #expect(first.measures.programme(.monthlyPlan).owed == first.plan.monthlyPlan.count)
    }

    // MARK: paid services

    @Test func paidServiceRules() throws {
        let t = try TestDesk()
        try t.at("2026-11-01 09:00", "M01").addPriceItem(code: "R01", name: "疏通下水道", unit: "次", price: 8000, center: nil)
        let c = try t.customer()
        let listed = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .service, channel: .phone, summary: "疏通", customer: c)).number
        try t.at("2026-11-02 09:05").setServiceDetails(listed, priceItem: "R01", offList: false, reviewedBy: nil, feeFen: nil, material: nil, materialFailedInspection: false,
                                     customerSignedMaterial: false, supplier: nil, agreement: nil)
        #expect(try t.desk.ticket(listed).service?.fee == 8000)
        try t.at("2026-11-02 11:00").recordPayment(listed, receipt: "NO.000123", feeFen: nil)
        #expect(try t.desk.ticket(listed).service?.receiptNo == "NO.000123")
        let twice = try t.refused { try t.at("2026-11-02 11:05").recordPayment(listed, receipt: "NO.000124", feeFen: nil) }
        #expect(twice.contains("already paid"))

        let off = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .service, channel: .walkIn, summary: "安装晾衣架", customer: c)).number
        try t.at("2026-11-02 09:10").setServiceDetails(off, priceItem: nil, offList: true, reviewedBy: nil, feeFen: 12000, material: .company, materialFailedInspection: false,
                                     customerSignedMaterial: false, supplier: nil, agreement: nil)
        let unreviewed = try t.refused { try t.at("2026-11-02 12:00").recordPayment(off, receipt: "NO.000125", feeFen: nil) }
        #expect(unreviewed.contains("center manager's review before payment"))
        try t.at("2026-11-02 12:05", "M01").setServiceDetails(off, priceItem: nil, offList: false, reviewedBy: "M01", feeFen: nil, material: nil, materialFailedInspection: false,
                                     customerSignedMaterial: false, supplier: nil, agreement: nil)
        try t.at("2026-11-02 12:10").recordPayment(off, receipt: "NO.000125", feeFen: nil)

        let failed = try t.refused {
            try t.at("2026-11-02 12:20").setServiceDetails(off, priceItem: nil, offList: false, reviewedBy: nil, feeFen: nil, material: .customer, materialFailedInspection: true,
                                         customerSignedMaterial: false, supplier: nil, agreement: nil)
        }
        #expect(failed.contains("customer's signature"))
        let supplier = try t.refused {
            try t.at("2026-11-02 12:20").setServiceDetails(off, priceItem: nil, offList: false, reviewedBy: nil, feeFen: nil, material: nil, materialFailedInspection: false,
                                         customerSignedMaterial: false, supplier: "美家装饰", agreement: nil)
        }
        #expect(supplier.contains("supplier agreement"))
        // A common-area repair is contract work (001 P7.9-8 §2): never charged; an inquiry is no service.
        let common = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .repair, location: .commonArea, channel: .phone, summary: "楼道灯")).number
        let contract = try t.refused { try t.at("2026-11-02 12:30").recordPayment(common, receipt: "X1", feeFen: 100) }
        #expect(contract.contains("common-area repair"))
        let inquiry = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .inquiry, channel: .phone, summary: "物业费")).number
        let wrongKind = try t.refused { try t.at("2026-11-02 12:30").recordPayment(inquiry, receipt: "X1", feeFen: 100) }
        #expect(wrongKind.contains("not a commissioned service"))
        // An in-home repair that turns out chargeable is charged, and counts as paid.
        let home = try t.at("2026-11-02 09:00").openTicket(TicketInput(kind: .repair, location: .inHome, channel: .phone, summary: "修门锁")).number
        try t.at("2026-11-02 12:40").recordPayment(home, receipt: "X2", feeFen: 3000)
        #expect(try t.desk.ticket(home).service?.fee == 3000 && t.desk.ticket(home).service?.receiptNo == "X2")
    }

    /// At head office two centers may each have an item under one code: the id that
    /// `addPriceItem` returns names the one just added (`price add --json` prints it).
    @Test func headOfficeAddsOneCodeForTwoCentersAndGetsEachItsOwnID() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-it-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let hub = try Desk.create(in: DataDirectory(path: dir.path), role: .hub, center: "HQ", name: "总部")
        try hub.createAdministrator(id: "admin-HQ", name: "管理员", password: "gatehouse-test-pw")
        try hub.signedIn(as: "admin-HQ").addStaff(id: "Y01", name: "周营运", role: "operations", phone: nil, hireDate: "2020-01-01", supplier: false)
        let ops = try hub.signedIn(as: "Y01")
        let first = try ops.addPriceItem(code: "R05", name: "换水龙头", unit: "个", price: 3000, center: "C001")
        let second = try ops.addPriceItem(code: "R05", name: "换水龙头", unit: "个", price: 3500, center: "C002")
        let items = try hub.priceList()
        #expect(first != second)
        #expect(items.first { $0.id == first }?.center == "C001")
        #expect(items.first { $0.id == second }.map { ($0.center, $0.price) } ?? (nil, 0) == ("C002", 3500))
        // The same code twice for one center: refused, nothing written.
        #expect(throws: DeskError.self) { try ops.addPriceItem(code: "R05", name: "换水龙头", unit: nil, price: 1, center: "C001") }
        #expect(try hub.priceList().count == 2)
    }

    @Test func thePriceListIsEditable() throws {
        let t = try TestDesk()
        let me = try t.at("2026-11-01 09:00", "M01")
        try me.addPriceItem(code: "R01", name: "疏通下水道", unit: "次", price: 8000, center: nil)
        try me.updatePriceItem(code: "R01", price: 8550)
        #expect(try t.desk.priceList().map(\.price) == [8550])
        try me.updatePriceItem(code: "R01", active: false)
        #expect(try t.desk.priceList().isEmpty)
        #expect(try t.desk.priceList(includeInactive: true).count == 1)
        let missing = try t.refused { try me.updatePriceItem(code: "R99", price: 1) }
        #expect(missing.contains("no price item R99"))
        let dup = try t.refused { try me.addPriceItem(code: "R01", name: "重复", unit: nil, price: 1, center: nil) }
        #expect(dup.contains("already exists"))
        #expect(try Money.fen("35.5") == 3550)
        #expect(throws: RuleError.self) { try Money.fen("3.555") }
        #expect(throws: RuleError.self) { try Money.fen("-1") }
    }

    // MARK: parcels and custody

    @Test func parcelsAreReceivedNotifiedAndPickedUpAgainstASignature() throws {
        let t = try TestDesk()
        let c = try t.customer()
        let p = try t.at("2026-11-02 10:00").receiveParcel(ParcelInput(type: .express, customer: c, carrier: "顺丰", trackingNo: "SF1234567890"))
        #expect(p.recipient == "张三" && p.unit == "3栋2单元1101" && p.isWaiting)
        let q = try t.at("2026-11-02 10:30").receiveParcel(ParcelInput(type: try ParcelType.parse("挂号信"), recipient: "李四", unit: "5栋302"))
        let nobody = try t.refused { _ = try t.at("2026-11-02 10:40").receiveParcel(ParcelInput(type: .letter, recipient: "王五")) }
        #expect(nobody.contains("--recipient NAME and --unit UNIT"))
        #expect(Fixtures.show(try t.at("2026-11-02 10:05").notifyParcel(p.id).notifiedAt!) == "2026-11-02 10:05")
        let unsigned = try t.refused { try t.at("2026-11-02 18:00").pickUpParcel(p.id, by: "张三", signed: false) }
        #expect(unsigned.contains("signature"))
        let picked = try t.at("2026-11-02 18:00").pickUpParcel(p.id, by: "张三", signed: true)
        #expect(picked.signed && picked.pickedUpBy == "张三")
        let twice = try t.refused { try t.at("2026-11-02 18:05").pickUpParcel(p.id, by: "张三", signed: true) }
        #expect(twice.contains("already picked up"))
        #expect(try t.desk.parcels(waitingOnly: true).map(\.id) == [q.id])
        #expect(try t.desk.parcels().count == 2)
        let unknown = try t.refused { try t.at("2026-11-02 18:10").notifyParcel("pc-nothere") }
        #expect(unknown.contains("no parcel pc-nothere"))
    }

    @Test func custodyRefusesCashAndValuablesAndVerifiesConditionBothWays() throws {
        let t = try TestDesk()
        let c = try t.customer()
        for item in ["现金500元", "金项链一条", "劳力士手表"] {
            let m = try t.refused { _ = try t.at("2026-11-02 10:00").receiveCustody(customer: c, description: item, condition: "完好", verified: true) }
            #expect(m.contains("cash or valuables"), "\(item)")
        }
        let unverified = try t.refused { _ = try t.at("2026-11-02 10:00").receiveCustody(customer: c, description: "钥匙一串", condition: "完好", verified: false) }
        #expect(unverified.contains("--verified"))
        let item = try t.at("2026-11-02 10:00").receiveCustody(customer: c, description: "五金工具箱", condition: "箱体有划痕", verified: true)
        #expect(item.isHeld && item.receivedBy == "S001")
        #expect(try t.desk.custodyItems(heldOnly: true).map(\.id) == [item.id])
        let back = try t.at("2026-11-05 17:00").returnCustody(item.id, condition: "同接收时", verified: true)
        #expect(!back.isHeld && back.verifiedOut && back.conditionOut == "同接收时")
        #expect(try t.desk.custodyItems(heldOnly: true).isEmpty)
        let twice = try t.refused { _ = try t.at("2026-11-05 17:10").returnCustody(item.id, condition: "完好", verified: true) }
        #expect(twice.contains("already returned"))
    }

    // MARK: import

    @Test func aRosterWithBadRowsIsRefusedWholeWithEveryLineNamed() throws {
        let t = try TestDesk()
        _ = try t.customer("张三", phone: "13812345678", unit: "3栋2单元1101")
        let csv = """
            姓名,电话,房号,入住日期,特殊关怀,备注
            李四,13900001111,1栋101,2025/3/1,是,独居老人
            ,13900002222,1栋102,,,
            王五,13900003333,1栋103,2025-02-30,,
            "赵六, 先生",139000044,1栋104,,也许,
            李四,13900001111,1栋101,,,
            张三,13812345678,3栋2单元1101,,,
            钱七,13900005555,"2栋
            201",2024-12-01,否,

            """
        let records = try CSVReader.parse(csv)
        var refusal: ImportRefused?
        try t.refused {
            do { _ = try t.at("2026-11-01 09:00").importCustomers(records, source: "roster.csv") } catch let e as ImportRefused { refusal = e; throw e }
        }
        let problems = try #require(refusal).problems
        #expect(problems.map(\.line) == [3, 4, 5, 6, 7])
        #expect(problems[0].reason == "name is missing")
        #expect(problems[1].reason.contains("February 2025 has 28 days"))
        #expect(problems[2].reason.contains("special_care \"也许\""))
        #expect(problems[3].reason == "duplicate of line 2 (same name and phone 13900001111)")
        #expect(problems[4].reason.contains("张三 is already registered as cu-"))
        #expect(refusal!.description.hasPrefix("roster.csv: 5 of 7 rows are bad; nothing was imported"))

        let report = try t.at("2026-11-01 09:00").importCustomers(records, source: "roster.csv", skipBad: true)
        #expect(report.imported.map(\.line) == [2, 8])
        #expect(report.rejected.map(\.line) == [3, 4, 5, 6, 7])
        let li = try t.desk.customer(report.imported[0].id)
        #expect(li.moveIn == "2025-03-01" && li.specialCare && li.note == "独居老人")
        #expect(try t.desk.customer(report.imported[1].id).unit == "2栋\n201")
    }

    @Test func historicalRequestsImportWithCustomersFoundByPhone() throws {
        let t = try TestDesk()
        let zhang = try t.customer("张三", phone: "13812345678")
        let csv = """
            编号,类型,渠道,内容,电话,受理时间,完成时间,状态,严重程度,处理人
            ,报修,电话,厨房漏水,13812345678,2026/10/12 09:30,2026/10/12 15:00,,,T01
            ,投诉,来访,噪音扰民,13812345678,2026-10-13 10:00,,,重大,
            H-0001,咨询,微信,物业费怎么交,,2026-10-14,2026-10-14,已关闭,,
            """
        let report = try t.at("2026-11-01 09:00").importTickets(try CSVReader.parse(csv), source: "history.csv")
        #expect(report.imported.map(\.label) == ["C001-261012-001", "C001-261013-001", "H-0001"])
        let repair = try t.desk.ticket("C001-261012-001")
        #expect(repair.customer == zhang && repair.stage == .closed && repair.assignee == "T01" && repair.unit == "3栋2单元1101")
        #expect(Fixtures.show(repair.completedAt!) == "2026-10-12 15:00")
        let complaint = try t.desk.ticket("C001-261013-001")
        #expect(complaint.stage == .received && complaint.severity == .major)
        #expect(try t.desk.timeline("H-0001").map(\.detail) == ["导入历史记录：history.csv 第4行"])
        // A request opened at the desk that day continues the numbering.
        let next = try t.at("2026-10-12 16:00").openTicket(TicketInput(kind: .repair, channel: .phone, summary: "又漏了"))
        #expect(next.number == "C001-261012-002")

        let bad = """
            类型,内容,电话,受理时间,完成时间,状态
            维修保养,修灯,13812345678,2026-10-12,,
            报修,修灯,13800000000,2026-10-12,,
            报修,修灯,13812345678,2026-10-32,,
            报修,修灯,13812345678,2026-10-12 10:00,2026-10-11,
            报修,修灯,13812345678,2026-10-12 10:00,,已派工
            报修,修灯,13812345678,2027-01-01,,
            报修,,13812345678,2026-10-12,,
            报修,修门,13812345678,2026-10-15 10:00,,
            报修,修门,13812345678,2026-10-15 10:00,,
            """
        let m = try t.refused { _ = try t.at("2026-11-01 09:00").importTickets(try CSVReader.parse(bad), source: "bad.csv") }
        let lines = m.split(separator: "\n").dropFirst().map { String($0.trimmingCharacters(in: .whitespaces).prefix(8)) }
        #expect(lines == ["line 2: ", "line 3: ", "line 4: ", "line 5: ", "line 6: ", "line 7: ", "line 8: ", "line 10:"])
        #expect(m.contains("unknown request kind '维修保养'"))
        #expect(m.contains("no customer with phone 13800000000"))
        #expect(m.contains("October 2026 has 31 days"))
        #expect(m.contains("completed_at 2026-10-11 00:00 is before opened_at 2026-10-12 10:00"))
        #expect(m.contains("status dispatched cannot be imported"))
        #expect(m.contains("opened_at 2027-01-01 00:00 is in the future"))
        #expect(m.contains("summary is missing"))
        #expect(m.contains("line 10: duplicate of line 9"))
        let header = try t.refused { _ = try t.at("2026-11-01 09:00").importTickets(try CSVReader.parse("类型,内容,颜色\n报修,修灯,红\n")) }
        #expect(header.contains("line 1: unknown column \"颜色\""))
    }

    @Test func aLargeRosterImportsInOneTransaction() throws {
        let t = try TestDesk()
        var csv = "name,phone,unit\n"
        for i in 0..<2000 { csv += "住户\(i),139\(String(format: "%08d", i)),\(i / 100 + 1)栋\(i % 100 + 101)\n" }
        let before = try t.desk.replica.localClock().counter
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let r = try t.at("2026-11-01 09:00").importCustomers(try CSVReader.parse(csv))
            #expect(r.imported.count == 2000)
        }
        #expect(try t.desk.replica.localClock().counter == before + 1, "one replicated change for the whole file")
        #expect(elapsed < .seconds(20))
        var f = CustomerFilter()
        f.limit = 5000
        #expect(try t.desk.customers(f).count == 2000)
    }
}
