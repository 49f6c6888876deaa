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
    }
}

/// A month's plan with where the month stands against the targets.
public struct CallbackPlanReport: Sendable {
    public var center: String
    public var plan: CallbackPlan
    public var stats: CallbackStats
    /// Planned callbacks not done yet whose due day has passed.
    public var overdue: [PlannedCallback]
    /// Request numbers by id, for display.
    public var numbers: [String: String]
}

extension Desk {
    /// Records a callback on a request. A callback that reached the customer moves a
    /// completed request to "called back"; a refusal puts the customer on the
    /// refused-callback list.
    @discardableResult
    public func recordCallback(ticket ref: String, method: CallbackMethod, result: CallbackResult, score: Int?, comment: String?,
                               signed: Bool, by acting: Acting) throws -> String {
        if let score, !(0...100).contains(score) { throw DeskError.invalid("a score is 0–100") }
        if signed && method != .onSite { throw DeskError.invalid("only an on-site callback carries the customer's signature") }
        return try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            guard t.stage >= .completed, t.stage != .cancelled else {
                throw DeskError.refused("request \(t.number) is \(t.stage.rawValue); callbacks follow completion")
            }
            let id = try tx.insert("callback", id: ShortID.make("cb"), [
                "center": .text(t.center), "ticket": .text(t.id), "customer": Value(t.customer), "method": .text(method.rawValue),
                "result": .text(result.rawValue), "score": Value(score), "comment": Col.text(comment), "signed": Col.flag(signed),
                "at": Col.time(acting.now), "staff": .text(acting.staff),
            ])
            if result.reachedCustomer {
                var v: [String: Value] = [:]
                if t.calledBackAt == nil { v["called_back_at"] = Col.time(acting.now) }
                if TicketLifecycle.allows(.callBack, from: t.state) { v["status"] = .text(TicketStage.calledBack.rawValue) }
                if !v.isEmpty { try tx.update("ticket", id: t.id, v) }
            }
            if result == .refused, let c = t.customer {
                try tx.update("customer", id: c, ["refused_callback": 1, "refused_reason": Col.text(comment ?? "回访时拒访")])
            }
            try logEvent(tx, center: t.center, ticket: t.id, action: "callback",
                         detail: "\(method.displayName) \(result.displayName)" + (score.map { " \($0)分" } ?? "") + (comment.map { " \($0)" } ?? ""),
                         acting)
            return id
        }
    }

    /// Callbacks, newest first, optionally for one request or one month.
    public func callbacks(ticket ref: String? = nil, month: YearMonth? = nil, center: String? = nil) throws -> [Callback] {
        let calendar = try workCalendar()
        return try replica.read { db in
            var sql = "SELECT * FROM callback WHERE 1"
            var args: [DatabaseValueConvertible] = []
            if let ref { sql += " AND ticket = ?"; args.append(try requireTicket(db, ref).id) }
            if let month {
                sql += " AND at >= ? AND at < ?"
                args += [Col.time(calendar.startOfDay(month.firstDay)), Col.time(calendar.startOfDay(month.lastDay.adding(days: 1)))]
            }
            if let center { sql += " AND center = ?"; args.append(try CenterCode.validate(center)) }
            return try Callback.fetchAll(db, sql: sql + " ORDER BY at DESC", arguments: StatementArguments(args))
        }
    }

    /// The month's callback plan: 100 % of the four classes and unpaid commissioned
    /// services, 30 % of the other completed repairs sampled with a seed stored the first
    /// time the month is planned (so re-running gives the same plan), customers on the
    /// refused list left out and reported; with the month's callback rates.
    public func callbackPlan(month: YearMonth, center requested: String? = nil, now: Date, by acting: Acting) throws -> CallbackPlanReport {
        let center = try recordCenter(requested)
        let calendar = try workCalendar()
        let planID = "plan-\(center)-\(month)"
        var seed = try replica.read { db in
            try Int64.fetchOne(db, sql: "SELECT seed FROM callback_plan WHERE id = ?", arguments: [planID])
        }
        if seed == nil {
            let fresh = Int64.random(in: 1...Int64.max)
            try write(acting) { tx in
                if let existing = try tx.state("callback_plan", id: planID) {
                    seed = existing.slots[2].values[0].integer
                    return
                }
                try tx.insert("callback_plan", id: planID, [
                    "center": .text(center), "month": .text(month.description), "seed": .integer(fresh),
                    "created_at": Col.time(acting.now), "created_by": .text(acting.staff),
                ])
                seed = fresh
            }
        }
        let facts = try FactsBuilder(desk: self)
        let start = Col.time(calendar.startOfDay(month.firstDay)), end = Col.time(calendar.startOfDay(month.lastDay.adding(days: 1)))
        return try replica.read { db in
            let tickets = try Ticket.fetchAll(db, sql: """
                SELECT * FROM ticket WHERE center = ? AND completed_at >= ? AND completed_at < ? AND status != 'cancelled'
                """, arguments: [center, start, end])
            var jobs: [CompletedJob] = []
            var numbers: [String: String] = [:]
            for t in tickets {
                guard let done = t.completedAt, let customer = t.customer else { continue }
                let fx = try facts.facts(for: t, db)
                numbers[t.id] = t.number
                jobs.append(CompletedJob(id: t.id, kind: t.kind, completedOn: calendar.civilDate(of: done), customerID: customer,
                                         staffIDs: t.assignee.map { [$0] } ?? [], isPaid: fx.isPaid, byNewStaff: fx.byNewStaff,
                                         byPreviouslyComplainedStaff: fx.byPreviouslyComplainedStaff))
            }
            let refused = Set(try String.fetchAll(db, sql: "SELECT id FROM customer WHERE center = ? AND refused_callback = 1", arguments: [center]))
            let plan = try CallbackPlanner().plan(month: month, jobs: jobs, refusedCustomers: refused, seed: UInt64(bitPattern: seed!))
            let records = try Callback.fetchAll(db, sql: "SELECT * FROM callback WHERE center = ? AND ticket IS NOT NULL", arguments: [center])
                .map { CallbackRecord(jobID: $0.ticket!, at: $0.at, method: $0.method, result: $0.result) }
            let stats = CallbackStats(plan: plan, records: records)
            let done = Set(records.filter { $0.result.reachedCustomer }.map(\.jobID))
            let today = calendar.civilDate(of: now)
            let overdue = plan.callbacks.filter { p in !done.contains(p.jobID) && (p.dueOn.map { $0 < today } ?? false) }
            return CallbackPlanReport(center: center, plan: plan, stats: stats, overdue: overdue, numbers: numbers)
        }
    }

    // MARK: paid services

    /// Records what a commissioned (paid) service is: a price-list item, or an off-list
    /// item the center manager reviewed; fee, materials, supplier and agreement.
    public func setServiceDetails(_ ref: String, priceItem: String?, offList: Bool, reviewedBy: String?, feeFen: Int?,
                                  material: MaterialSource?, materialFailedInspection: Bool, customerSignedMaterial: Bool,
                                  supplier: String?, agreement: String?, by acting: Acting) throws {
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
            guard t.kind == .service else { throw DeskError.invalid("request \(t.number) is a \(t.kind.rawValue), not a commissioned service") }
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

    /// Records payment of a commissioned service with its receipt number.
    public func recordPayment(_ ref: String, receipt: String, feeFen: Int?, by acting: Acting) throws {
        let r = receipt.trimmingWhitespace()
        guard !r.isEmpty else { throw DeskError.invalid("a payment needs its receipt number (--receipt)") }
        try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            guard let s = t.service, t.kind == .service else { throw DeskError.invalid("request \(t.number) is not a commissioned service") }
            if s.offList && s.offListReviewedBy == nil {
                throw DeskError.refused("an off-list service needs the center manager's review before payment (001 P7.9-8 4.2.4): gatehouse ticket service \(t.number) --reviewed-by ID")
            }
            guard s.paidAt == nil else { throw DeskError.refused("request \(t.number) was already paid (receipt \(s.receiptNo ?? "?"))") }
            guard let fee = feeFen ?? s.fee else { throw DeskError.invalid("no fee recorded; give --fee") }
            try tx.update("ticket", id: t.id, ["fee": .integer(Int64(fee)), "paid_at": Col.time(acting.now), "receipt_no": .text(r),
                                               "collected_by": .text(acting.staff)])
            try logEvent(tx, center: t.center, ticket: t.id, action: "pay", detail: String(format: "¥%.2f", Double(fee) / 100) + " 收据 \(r)", acting)
        }
    }
}
