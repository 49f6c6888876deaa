import Foundation
import GRDB
import Replication

/// A callback (回访) made to a customer.
public struct Callback: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    public var ticket: String?
    public var customer: String?
    public var method: CallbackMethod
    public var result: CallbackResult
    public var score: Int?
    public var comment: String?
    public var signed: Bool
    public var at: Date
    public var staff: String
    /// The programmes the callback was made for (customer programmes; a callback on a
    /// request also serves the request's own).
    public var programmes: [CallbackProgramme]
    /// The script's steps taken (003 (1) 三).
    public var steps: [CallbackStep]
    /// What else the customer asked for (001 回访操作指引 注意事项 (1)).
    public var requests: String?
    /// The annual survey's questionnaire id and its answers (item raw value → result raw value).
    public var survey: String?
    public var answers: [String: String]
    /// 4.2.14.2: when the result was told to the service provider, and by whom.
    public var providerToldAt: Date?
    public var providerToldBy: String?
    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        ticket = row["ticket"]
        customer = row["customer"]
        method = CallbackMethod(rawValue: row["method"] ?? "") ?? .phone
        result = CallbackResult(rawValue: row["result"] ?? "") ?? .notReached
        score = row["score"]
        comment = row["comment"]
        signed = (row["signed"] as Int?) == 1
        at = Col.date(row["at"]) ?? Date(timeIntervalSince1970: 0)
        staff = row["staff"] ?? ""
        func list<T: DomainEnumeration>(_ column: String, _: T.Type) -> [T] {
            let json: String = row[column] ?? "[]"
            return ((try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []).compactMap(T.init(rawValue:))
        }
        programmes = list("programmes", CallbackProgramme.self)
        steps = list("steps", CallbackStep.self)
        requests = row["requests"]
        survey = row["survey"]
        let answersJSON: String = row["answers"] ?? "{}"
        answers = (try? JSONDecoder().decode([String: String].self, from: Data(answersJSON.utf8))) ?? [:]
        providerToldAt = Col.date(row["provider_told_at"])
        providerToldBy = row["provider_told_by"]
    }

    /// The callback as the statistics and programmes see it.
    public var record: CallbackRecord {
        if let ticket {
            return CallbackRecord(jobID: ticket, at: at, method: method, result: result, customerID: customer, programmes: Set(programmes))
        }
        return CallbackRecord(customerID: customer ?? "", at: at, method: method, result: result, programmes: Set(programmes))
    }

    /// The survey answers by item, as the rules read them.
    public var surveyAnswers: [SurveyItem: CallbackResult] {
        Dictionary(answers.compactMap { k, v in SurveyItem(rawValue: k).flatMap { i in CallbackResult(rawValue: v).map { (i, $0) } } },
                   uniquingKeysWith: { a, _ in a })
    }
}

/// A month's callback plan with where the month stands: the same figures as the monthly
/// report's (both come from ``ReportCalculator``).
public struct CallbackPlanReport: Sendable {
    public var center: String
    public var plan: CallbackPlan
    /// The month's measures as `gatehouse report monthly` computes them.
    public var measures: ReportMeasures
    /// The plan's callbacks as duties (monthly plan and 4.2.14.4 selection), with their state.
    public var duties: [CallbackDuty]
    /// Request numbers by id, for display.
    public var numbers: [String: String]
}

extension Desk {
    /// Records a callback on a request (the whole script, no programme of its own); see
    /// ``recordCallback(_:)``.
    @discardableResult
    public func recordCallback(ticket ref: String, method: CallbackMethod, result: CallbackResult, score: Int?, comment: String?,
                               signed: Bool) throws -> String {
        try recordCallback(CallbackInput(ticket: ref, method: method, result: result, score: score, comment: comment, signed: signed)).id
    }

    /// Callbacks, newest first, optionally for one request or one month.
    func callbacks(ticket ref: String? = nil, month: YearMonth? = nil, center: String? = nil, customer: String? = nil) throws -> [Callback] {
        let calendar = try workCalendar()
        return try replica.read { db in
            var sql = "SELECT * FROM callback WHERE 1"
            var args: [DatabaseValueConvertible] = []
            if let ref { sql += " AND ticket = ?"; args.append(try requireTicket(db, ref).id) }
            if let customer { sql += " AND customer = ?"; args.append(customer) }
            if let month {
                sql += " AND at >= ? AND at < ?"
                args += [Col.time(calendar.startOfDay(month.firstDay)), Col.time(calendar.startOfDay(month.lastDay.adding(days: 1)))]
            }
            if let center { sql += " AND center = ?"; args.append(try CenterCode.validate(center)) }
            return try Callback.fetchAll(db, sql: sql + " ORDER BY at DESC", arguments: StatementArguments(args))
        }
    }

    /// The month's callback plan (001 回访操作指引 1 and 4.2.14.4; see ``CallbackPlanner``),
    /// drawn with a seed stored the first time the month is planned (so re-running gives the
    /// same plan), with the month's figures and each planned callback's state at `now`.
    public func callbackPlan(month: YearMonth, center requested: String? = nil) throws -> CallbackPlanReport {
        let acting = try authorize(.callbackPlan)
        let now = acting.now
        let center = try recordCenter(requested)
        try ensurePlanSeed(center: center, month: month, by: acting)
        let input = try reportInput(period: .month(month), centers: [ReportCenter(code: center, lastSyncAt: nil, freshness: .current)],
                                    now: now)
        let measures = try ReportCalculator(calendar: input.calendar, now: now, staffNames: input.staffNames)
            .measures(period: .month(month), input: input, withNow: true)
        let seed = input.seeds["\(center)/\(month)"] ?? CallbackPlanner.fallbackSeed(center: center, month: month)
        let requests = input.tickets.map(\.programmeRequest)
        let customers = input.customers.map(\.customer)
        let jobs = requests.compactMap { r -> CompletedJob? in
            guard r.cancelledAt == nil, let c = r.customerID, let done = r.completedAt else { return nil }
            return CompletedJob(id: r.id, kind: r.kind, location: r.location, completedOn: input.calendar.civilDate(of: done), customerID: c,
                                isPaid: r.isPaid, byNewStaff: r.byNewStaff, byPreviouslyComplainedStaff: r.byPreviouslyComplainedStaff)
        }
        let refusedSince = Dictionary(customers.compactMap { c in c.refusedSince.map { (c.id, $0) } }, uniquingKeysWith: min)
        let plan = try CallbackPlanner().plan(month: month, jobs: jobs, refusedSince: refusedSince, seed: seed)
        let planned = Set(plan.callbacks.map(\.jobID))
        let duties = try CallbackDuties(calendar: input.calendar).duties(
            dueFrom: month.firstDay, to: month.lastDay.adding(days: 2), requests: requests, customers: customers,
            callbacks: input.callbacks, seed: { input.seeds["\(center)/\($0)"] ?? CallbackPlanner.fallbackSeed(center: center, month: $0) })
            .filter { $0.jobID.map(planned.contains) ?? false && ($0.programme == .monthlyPlan || $0.programme == .commissioned) }
        let numbers = try replica.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, number FROM ticket WHERE center = ?", arguments: [center])
                .filter { planned.contains($0["id"]) }.map { ($0["id"] as String, $0["number"] as String) })
        }
        return CallbackPlanReport(center: center, plan: plan, measures: measures, duties: duties, numbers: numbers)
    }

    /// Stores a random seed for `center`'s `month` unless one is stored.
    func ensurePlanSeed(center: String, month: YearMonth, by acting: Acting) throws {
        let planID = "plan-\(center)-\(month)"
        let stored = try replica.read { db in
            try Int64.fetchOne(db, sql: "SELECT seed FROM callback_plan WHERE id = ?", arguments: [planID])
        }
        guard stored == nil else { return }
        try write(acting) { tx in try insertPlanSeed(tx, center: center, month: month, acting) }
    }

    /// Inserts the month's seed in `tx` unless one is stored: called with the first
    /// completion of a month, so the day-by-day draws have their seed from the first day.
    func insertPlanSeed(_ tx: WriteTransaction, center: String, month: YearMonth, _ acting: Acting) throws {
        let planID = "plan-\(center)-\(month)"
        guard try tx.state("callback_plan", id: planID) == nil else { return }
        try tx.insert("callback_plan", id: planID, [
            "center": .text(center), "month": .text(month.description), "seed": .integer(Int64.random(in: 1...Int64.max)),
            "created_at": Col.time(acting.now), "created_by": .text(acting.staff),
        ])
    }

    // MARK: paid services

    /// Records what a commissioned (paid) service is: a price-list item, or an off-list
    /// item the center manager reviewed; fee, materials, supplier and agreement.
    public func setServiceDetails(_ ref: String, priceItem: String?, offList: Bool, reviewedBy: String?, feeFen: Int?,
                                  material: MaterialSource?, materialFailedInspection: Bool, customerSignedMaterial: Bool,
                                  supplier: String?, agreement: String?) throws {
        let acting = try authorize(reviewedBy == nil ? .ticketService : .reviewOffList)
        if priceItem != nil && offList { throw DeskError.invalid("an item is either on the price list (--price-item) or off it (--off-list), not both") }
        if let feeFen, feeFen < 0 { throw DeskError.invalid("a fee cannot be negative") }
        if materialFailedInspection && material != .customer {
            throw DeskError.invalid("only customer-supplied material is inspected (--material customer)")
        }
        if materialFailedInspection && !customerSignedMaterial {
            throw DeskError.refused("customer material that failed inspection is used only with the customer's signature (001 P7.9-8 4.2.5): add --customer-signed-material")
        }
        if supplier != nil && agreement == nil {
            throw DeskError.refused("a supplier's service needs the supplier agreement (001 P7.9-8 4.2.6): add --agreement")
        }
        try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            try Self.requireChargeable(t)
            var v: [String: Value] = [:]
            var fee = feeFen
            if let priceItem {
                let p = try self.priceItem(tx.db, code: priceItem, center: t.center)
                v["price_item"] = .text(p.code)
                v["off_list"] = 0
                if fee == nil { fee = p.price }
            }
            if offList {
                v["off_list"] = 1
                v["price_item"] = .null
            }
            if let reviewedBy {
                try requireStaff(tx.db, reviewedBy)
                v["off_list_reviewed_by"] = .text(reviewedBy)
            }
            if let fee { v["fee"] = .integer(Int64(fee)) }
            if let material { v["material_source"] = .text(material.rawValue) }
            if material != nil {
                v["material_failed_inspection"] = Col.flag(materialFailedInspection)
                v["material_customer_signed"] = Col.flag(customerSignedMaterial)
            }
            if let supplier { v["supplier"] = Col.text(supplier) }
            if let agreement { v["supplier_agreement"] = Col.text(agreement) }
            guard !v.isEmpty else { throw DeskError.invalid("nothing to record") }
            try tx.update("ticket", id: t.id, v)
            try logEvent(tx, center: t.center, ticket: t.id, action: "service",
                         detail: v.keys.sorted().map { "\($0)=\(v[$0]!)" }.joined(separator: ", "), acting)
        }
    }

    /// Records payment of a commissioned service with its receipt number: a price-list
    /// service, or an in-home repair that turned out chargeable (it then counts as paid, one
    /// of the four callback classes). `byProvider`: the service provider collected the fee
    /// at the customer's door because the customer had no time to come to the center
    /// (001 P7.9-8 4.2.11: 若顾客没有时间,服务提供人员可代收服务费并提供收据) — only the
    /// provider the request was sent to, once the work is done.
    public func recordPayment(_ ref: String, receipt: String, feeFen: Int?, byProvider: Bool = false) throws {
        let r = receipt.trimmingWhitespace()
        guard !r.isEmpty else { throw DeskError.invalid("a payment needs its receipt number (--receipt)") }
        if let feeFen, feeFen < 0 { throw DeskError.invalid("a fee cannot be negative") }
        let acting = try authorize(byProvider ? .collectFee : .ticketPay)
        try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            try Self.requireChargeable(t)
            if byProvider {
                guard t.assignee == acting.staff else {
                    throw DeskError.refused("only the provider sent to request \(t.number) (\(t.assignee ?? "nobody yet")) may collect its fee (001 P7.9-8 4.2.11)")
                }
                guard t.completedAt != nil else {
                    throw DeskError.refused("request \(t.number) is \(t.stage.rawValue); a provider collects the fee once the service is done (001 P7.9-8 4.2.11)")
                }
            }
            let s = t.service ?? ServiceDetails.none
            if s.offList && s.offListReviewedBy == nil {
                throw DeskError.refused("an off-list service needs the center manager's review before payment (001 P7.9-8 4.2.4): gatehouse ticket service \(t.number) --reviewed-by ID")
            }
            guard s.paidAt == nil else { throw DeskError.refused("request \(t.number) was already paid (receipt \(s.receiptNo ?? "?"))") }
            guard let fee = feeFen ?? s.fee else { throw DeskError.invalid("no fee recorded; give --fee") }
            try tx.update("ticket", id: t.id, ["fee": .integer(Int64(fee)), "paid_at": Col.time(acting.now), "receipt_no": .text(r),
                                               "collected_by": .text(acting.staff)])
            try logEvent(tx, center: t.center, ticket: t.id, action: "pay",
                         detail: String(format: "¥%.2f", Double(fee) / 100) + " 收据 \(r)" + (byProvider ? " 服务提供人员代收（4.2.11）" : ""), acting)
        }
    }

    /// A request that can carry a fee: a price-list service, or an in-home repair (户内) that
    /// turned out chargeable. A common-area repair is contract work (001 P7.9-8 §2) and is
    /// never charged; complaints, inquiries and suggestions are not services.
    static func requireChargeable(_ t: Ticket) throws {
        switch t.kind {
        case .service: return
        case .repair:
            guard (t.location ?? RepairLocation.unrecordedDefault) == .inHome else {
                throw DeskError.refused("request \(t.number) is a common-area repair (公共区域), work the property contract covers (001 P7.9-8 §2); it is not charged")
            }
        default:
            throw DeskError.invalid("request \(t.number) is a \(t.kind.rawValue), not a commissioned service; only services and in-home repairs carry a fee")
        }
    }
}
