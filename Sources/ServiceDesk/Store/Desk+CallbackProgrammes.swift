import Foundation
import GRDB
import Replication

/// What is recorded about one callback (回访): on a request, or to a customer without one
/// (the lifecycle programmes and the annual survey, 003 (3) 二, (4) 二, (1) 二 4).
public struct CallbackInput: Sendable {
    /// The request called back about (number or id); `nil` for a customer programme.
    public var ticket: String?
    /// The customer called; with a request, its customer (given or not).
    public var customer: String?
    public var method: CallbackMethod
    /// How it went; for an annual-survey response it is the overall answer and may be left out.
    public var result: CallbackResult?
    public var score: Int?
    public var comment: String?
    /// On site: the customer signed (4.2.14.2 由顾客写明意见签字认可).
    public var signed: Bool
    /// The customer programmes it was made for (a callback on a request serves the
    /// request's own programmes whatever this says).
    public var programmes: [CallbackProgramme]
    /// The script's steps taken (003 (1) 三); `nil`: the usual ones for the result.
    public var steps: [CallbackStep]?
    /// What else the customer asked for (001 回访操作指引 注意事项 (1) 客户提及的要求应及时记录).
    public var requests: String?
    /// The annual survey's answers, item by item (the overall item decides the result).
    public var answers: [SurveyItem: CallbackResult]
    /// 4.2.14.2: the result was told to the service provider at once.
    public var providerTold: Bool

    /// Creates the input.
    public init(ticket: String? = nil, customer: String? = nil, method: CallbackMethod = .phone, result: CallbackResult? = nil,
                score: Int? = nil, comment: String? = nil, signed: Bool = false, programmes: [CallbackProgramme] = [],
                steps: [CallbackStep]? = nil, requests: String? = nil, answers: [SurveyItem: CallbackResult] = [:],
                providerTold: Bool = false) {
        self.ticket = ticket
        self.customer = customer
        self.method = method
        self.result = result
        self.score = score
        self.comment = comment
        self.signed = signed
        self.programmes = programmes
        self.steps = steps
        self.requests = requests
        self.answers = answers
        self.providerTold = providerTold
    }
}

/// What recording a callback did.
public struct CallbackOutcome: Sendable, Codable, Equatable {
    /// The callback's id.
    public var id: String
    public var result: CallbackResult
    /// The butler's follow-up visit an unsatisfied answer created (003 (1) 三 整改).
    public var followUp: String?
}

/// One callback that falls due, from any programme, with where it stands.
public struct DueCallback: Sendable, Codable {
    public var duty: CallbackDuty
    public var state: DutyState
    /// The request's number, for request programmes.
    public var ticketNumber: String?
    /// The household's butler (管家), for the butler's programmes.
    public var butler: String?
}

extension Desk {
    static func jsonList(_ values: [String]) -> Value {
        .text(String(decoding: try! JSONEncoder().encode(values), as: UTF8.self))
    }

    /// Records a callback and what follows from it:
    /// - on a completed request, a callback that reached the customer moves it to "called
    ///   back"; the step lands in its timeline;
    /// - without a request, the customer programmes it serves are named (new resident,
    ///   resident, departing, quarterly, survey, special care) — those discharge the
    ///   programmes' duties (``CallbackDuties``);
    /// - the script's steps are recorded (003 (1) 三) and checked against the result;
    /// - an annual-survey response carries the center's questionnaire answers; the overall
    ///   answer is its result;
    /// - 不满意 creates the butler's follow-up visit, due the next day (003 (1) 三 整改);
    /// - `providerTold` records that the result was told to the provider (4.2.14.2);
    /// - a refusal puts the customer on the refused-callback list.
    @discardableResult
    public func recordCallback(_ input: CallbackInput) throws -> CallbackOutcome {
        let acting = try authorize(.callbackAdd)
        if let score = input.score, !(0...100).contains(score) { throw DeskError.invalid("a score is 0–100") }
        if input.signed && input.method != .onSite { throw DeskError.invalid("only an on-site callback carries the customer's signature") }
        guard input.ticket != nil || input.customer != nil else {
            throw DeskError.invalid("a callback is about a request (give its number) or to a customer (--customer ID)")
        }
        if input.ticket == nil {
            if let p = input.programmes.first(where: \.isAboutARequest) {
                throw DeskError.invalid("\(p.rawValue) (\(p.displayName)) callbacks are about a request; give the request's number")
            }
            if input.programmes.isEmpty {
                throw DeskError.invalid("a callback without a request names its programme (--programme): "
                    + CallbackProgramme.allCases.filter { !$0.isAboutARequest }.map(\.rawValue).joined(separator: ", "))
            }
            if input.providerTold { throw DeskError.invalid("a callback without a request has no service provider to tell") }
        }
        let isSurvey = input.programmes.contains(.annualSurvey)
        if !input.answers.isEmpty && !isSurvey {
            throw DeskError.invalid("questionnaire answers belong to the annual survey (--programme annual-survey)")
        }
        let calendar = try workCalendar()
        return try write(acting) { tx -> CallbackOutcome in
            var ticket: Ticket?
            if let ref = input.ticket {
                let t = try requireTicket(tx.db, ref)
                guard t.stage >= .completed, t.stage != .cancelled else {
                    throw DeskError.refused("request \(t.number) is \(t.stage.rawValue); callbacks follow completion")
                }
                ticket = t
            }
            var customer: Customer?
            if let c = input.customer {
                customer = try requireCustomer(tx.db, c)
                if let t = ticket, t.customer != c {
                    throw DeskError.invalid("request \(t.number) is not customer \(c)'s; leave --customer out for a request")
                }
            } else if let c = ticket?.customer {
                customer = try requireCustomer(tx.db, c)
            }
            let center = ticket?.center ?? customer!.center
            var result = input.result
            var survey: String?
            if !input.answers.isEmpty || (isSurvey && input.result?.reachedCustomer == true) {
                let year = calendar.civilDate(of: acting.now).year
                let id = Survey.id(center: center, year: year)
                guard let row = try Row.fetchOne(tx.db, sql: "SELECT * FROM survey WHERE id = ?", arguments: [id]) else {
                    throw DeskError.refused("center \(center) has no questionnaire for \(year) yet: gatehouse survey create --year \(year)")
                }
                let overall = try SurveyRules.validate(answers: input.answers, questionnaire: try Survey(row: row).items)
                if let r = result, r != overall {
                    throw DeskError.invalid("the response's result is its overall answer (总体满意度 \(overall.displayName)), not \(r.displayName); leave --result out")
                }
                result = overall
                survey = id
            }
            guard let result else { throw DeskError.invalid("say how the callback went (--result)") }
            let steps = input.steps ?? CallbackStep.usual(for: result, aboutARequest: ticket != nil)
            try CallbackStep.validate(steps, result: result)
            if input.providerTold && ticket?.assignee == nil {
                throw DeskError.refused("request \(ticket!.number) was never sent to a provider; there is nobody to tell (4.2.14.2)")
            }
            let programmes = Array(Set(input.programmes)).sorted()
            var values: [String: Value] = [
                "center": .text(center), "ticket": Value(ticket?.id), "customer": Value(customer?.id), "method": .text(input.method.rawValue),
                "result": .text(result.rawValue), "score": Value(input.score), "comment": Col.text(input.comment),
                "signed": Col.flag(input.signed), "at": Col.time(acting.now), "staff": .text(acting.staff),
                "programmes": Self.jsonList(programmes.map(\.rawValue)), "steps": Self.jsonList(steps.map(\.rawValue)),
                "requests": Col.text(input.requests), "survey": Value(survey),
            ]
            if survey != nil {
                let answers = Dictionary(uniqueKeysWithValues: input.answers.map { ($0.key.rawValue, $0.value.rawValue) })
                values["answers"] = .text(String(decoding: try JSONEncoder().encode(answers), as: UTF8.self))
            }
            if input.providerTold {
                values["provider_told_at"] = Col.time(acting.now)
                values["provider_told_by"] = .text(acting.staff)
            }
            let id = try tx.insert("callback", id: ShortID.make("cb", tx), values)
            if let t = ticket, result.reachedCustomer {
                var v: [String: Value] = [:]
                if t.calledBackAt == nil { v["called_back_at"] = Col.time(acting.now) }
                if TicketLifecycle.allows(.callBack, from: t.state, kind: t.kind) { v["status"] = .text(TicketStage.calledBack.rawValue) }
                if !v.isEmpty { try tx.update("ticket", id: t.id, v) }
            }
            if result == .refused, let c = customer, !c.refusedCallback {
                try tx.update("customer", id: c.id, ["refused_callback": 1, "refused_reason": Col.text(input.comment ?? "回访时拒访"),
                                                     "refused_at": Col.time(acting.now)])
            }
            var followUp: String?
            if result == .unsatisfied {
                let due = calendar.civilDate(of: acting.now).adding(days: FollowUpState.dueAfterDays)
                followUp = try tx.insert("follow_up", id: ShortID.make("fu", tx), [
                    "center": .text(center), "callback": .text(id), "ticket": Value(ticket?.id), "customer": Value(customer?.id),
                    "due_on": .text(due.description), "created_at": Col.time(acting.now), "created_by": .text(acting.staff),
                    "butler": Value(customer?.butler), "status": .text(FollowUpState.open.rawValue),
                ])
            }
            if let t = ticket {
                var detail = "\(input.method.displayName) \(result.displayName)" + (input.score.map { " \($0)分" } ?? "")
                    + (input.comment.map { " \($0)" } ?? "")
                if !programmes.isEmpty { detail += "（\(programmes.map(\.displayName).joined(separator: "、"))）" }
                try logEvent(tx, center: t.center, ticket: t.id, action: "callback", detail: detail, acting)
                if input.providerTold {
                    try logEvent(tx, center: t.center, ticket: t.id, action: "provider-told",
                                 detail: "回访结果已告知服务提供方 \(t.assignee!)（4.2.14.2）", acting)
                }
                if let followUp {
                    try logEvent(tx, center: t.center, ticket: t.id, action: "follow-up",
                                 detail: "回访不满意：管家\(customer?.butler.map { " \($0)" } ?? "")上门跟进 \(followUp)", acting)
                }
            }
            return CallbackOutcome(id: id, result: result, followUp: followUp)
        }
    }

    /// Records that a callback's result was told to the request's service provider
    /// (001 P7.9-8 4.2.14.2 并将回访结果告知服务提供方), once.
    public func tellProvider(callback id: String) throws {
        let acting = try authorize(.callbackAdd)
        try write(acting) { tx in
            guard let c = try Callback.fetchOne(tx.db, sql: "SELECT * FROM callback WHERE id = ?", arguments: [id.trimmingWhitespace()]) else {
                throw DeskError.notFound("no callback \(id); see `gatehouse callback list`")
            }
            guard let ticketID = c.ticket else { throw DeskError.invalid("callback \(c.id) is about no request; there is no provider to tell") }
            let t = try requireTicket(tx.db, ticketID)
            guard let provider = t.assignee else { throw DeskError.refused("request \(t.number) was never sent to a provider") }
            guard c.providerToldAt == nil else {
                throw DeskError.refused("the provider was told on \(TimeFormat.short(c.providerToldAt!)) by \(c.providerToldBy ?? "?")")
            }
            try tx.update("callback", id: c.id, ["provider_told_at": Col.time(acting.now), "provider_told_by": .text(acting.staff)])
            try logEvent(tx, center: t.center, ticket: t.id, action: "provider-told",
                         detail: "回访结果（\(c.result.displayName)）已告知服务提供方 \(provider)（4.2.14.2）", acting)
        }
    }

    /// The callbacks every programme owes that fall due from `date` for `days` days, and
    /// those still not done that fell due in the 31 days before (overdue); done ones too
    /// with `includeDone`. Sorted by due day, programme, request, customer.
    public func callbacksDue(on date: CivilDate, days: Int = 1, includeDone: Bool = false, center requested: String? = nil,
                             now: Date) throws -> [DueCallback] {
        let acting = try authorize(.callbackPlan)
        guard (1...366).contains(days) else { throw DeskError.invalid("--days is 1–366") }
        let center = try recordCenter(requested)
        let last = date.adding(days: days - 1)
        let input = try reportInput(period: .month(date.yearMonth), centers: [ReportCenter(code: center, lastSyncAt: nil, freshness: .current)],
                                    now: now)
        let calendar = input.calendar
        func seed(_ month: YearMonth) -> UInt64 { input.seeds["\(center)/\(month)"] ?? CallbackPlanner.fallbackSeed(center: center, month: month) }
        let duties = try CallbackDuties(calendar: calendar).duties(
            dueFrom: date.adding(days: -31), to: last, requests: input.tickets.map(\.programmeRequest),
            customers: input.customers.map(\.customer), callbacks: input.callbacks, seed: seed)
        let (numbers, butlers) = try replica.read { db in
            (Dictionary(try Row.fetchAll(db, sql: "SELECT id, number FROM ticket WHERE center = ?", arguments: [center])
                .map { ($0["id"] as String, $0["number"] as String) }, uniquingKeysWith: { a, _ in a }),
             Dictionary(try Row.fetchAll(db, sql: "SELECT id, butler FROM customer WHERE center = ? AND butler IS NOT NULL", arguments: [center])
                .map { ($0["id"] as String, $0["butler"] as String) }, uniquingKeysWith: { a, _ in a }))
        }
        return duties.compactMap { d in
            let state = d.state(at: now, in: calendar)
            let inRange = d.dueOn >= date && d.dueOn <= last
            let show = inRange ? (includeDone || state == .open || state == .overdue) : (d.dueOn < date && state == .overdue)
            guard show else { return nil }
            return DueCallback(duty: d, state: state, ticketNumber: d.jobID.flatMap { numbers[$0] }, butler: butlers[d.customerID])
        }
    }

    /// Sets the butler (管家) who looks after a customer's household: their follow-up
    /// visits and the butler programmes (003 (1) 二 2–4) go to them.
    public func setButler(customer id: String, butler: String?) throws {
        let acting = try authorize(.customerEdit)
        try write(acting) { tx in
            let c = try requireCustomer(tx.db, id)
            if let butler { try requireStaff(tx.db, butler) }
            try tx.update("customer", id: c.id, ["butler": Col.text(butler)])
        }
    }

    /// Records where a repair is (户内 / 公共区域), for one recorded without it or wrongly.
    public func setRepairLocation(_ ref: String, _ location: RepairLocation) throws {
        let acting = try authorize(.ticketUpdate)
        try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            guard t.kind == .repair else { throw DeskError.invalid("request \(t.number) is a \(t.kind.rawValue); a location applies to repairs only") }
            guard t.location != location else { return }
            if location == .commonArea, (t.service?.fee ?? 0) > 0 || t.service?.paidAt != nil {
                throw DeskError.refused("request \(t.number) carries a fee; a common-area repair is not charged (001 P7.9-8 §2)")
            }
            try tx.update("ticket", id: t.id, ["location": .text(location.rawValue)])
            try logEvent(tx, center: t.center, ticket: t.id, action: "update",
                         detail: "位置 \(t.location?.displayName ?? "未记录") → \(location.displayName)", acting)
        }
    }
}
