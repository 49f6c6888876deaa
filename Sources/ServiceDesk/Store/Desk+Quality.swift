import Foundation
import GRDB
import Replication

/// The quality loop of 001 P7.9-8 and 003: the butler's follow-up visits to unsatisfied
/// owners, the annual questionnaire, a commissioned service's exceptions, the quarterly
/// corrective actions, and custody incidents. Each write checks ``Permissions``.
extension Desk {
    // MARK: follow-up visits (003 (1) 三 整改)

    /// Follow-up visits, open ones first then by due day; `openOnly` leaves out closed ones.
    public func followUps(openOnly: Bool = false, butler: String? = nil, center: String? = nil) throws -> [FollowUp] {
        var sql = "SELECT * FROM follow_up WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if openOnly { sql += " AND status != 'closed'" }
        if let butler { sql += " AND butler = ?"; args.append(butler) }
        if let center { sql += " AND center = ?"; args.append(try CenterCode.validate(center)) }
        sql += " ORDER BY status = 'closed', due_on, id"
        return try replica.read { db in
            try FollowUp.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { f in
                var f = f
                if let t = f.ticket { f.ticketNumber = try String.fetchOne(db, sql: "SELECT number FROM ticket WHERE id = ?", arguments: [t]) }
                return f
            }
        }
    }

    public func followUp(_ id: String) throws -> FollowUp {
        try replica.read { db in try requireFollowUp(db, id) }
    }

    /// The butler visited the owner and heard them (管家上门了解情况).
    @discardableResult
    public func visitFollowUp(_ id: String, note: String) throws -> FollowUp {
        let acting = try authorize(.followUp)
        let n = note.trimmingWhitespace()
        guard !n.isEmpty else { throw DeskError.invalid("say what the owner said at the visit (--note)") }
        try write(acting) { tx in
            let f = try requireFollowUp(tx.db, id)
            guard f.state == .open else { throw DeskError.refused("follow-up \(f.id) is already \(f.state.displayName)") }
            try tx.update("follow_up", id: f.id, ["status": .text(FollowUpState.visited.rawValue), "visited_at": Col.time(acting.now),
                                                  "visited_by": .text(acting.staff), "visit_note": .text(n)])
            if let t = f.ticket { try logEvent(tx, center: f.center, ticket: t, action: "follow-up-visit", detail: "管家上门：\(n)", acting) }
        }
        return try followUp(id)
    }

    /// Closes a follow-up once the owner's problem is dealt with, with the outcome.
    @discardableResult
    public func closeFollowUp(_ id: String, outcome: String) throws -> FollowUp {
        let acting = try authorize(.followUp)
        let o = outcome.trimmingWhitespace()
        guard !o.isEmpty else { throw DeskError.invalid("say how it was resolved (--outcome)") }
        try write(acting) { tx in
            let f = try requireFollowUp(tx.db, id)
            switch f.state {
            case .open: throw DeskError.refused("follow-up \(f.id) has had no visit yet: gatehouse followup visit \(f.id) --note …")
            case .closed: throw DeskError.refused("follow-up \(f.id) was closed on \(TimeFormat.short(f.closedAt!))")
            case .visited: break
            }
            try tx.update("follow_up", id: f.id, ["status": .text(FollowUpState.closed.rawValue), "closed_at": Col.time(acting.now),
                                                  "closed_by": .text(acting.staff), "outcome": .text(o)])
            if let t = f.ticket { try logEvent(tx, center: f.center, ticket: t, action: "follow-up-close", detail: "跟进关闭：\(o)", acting) }
        }
        return try followUp(id)
    }

    func requireFollowUp(_ db: Database, _ id: String) throws -> FollowUp {
        guard let f = try FollowUp.fetchOne(db, sql: "SELECT * FROM follow_up WHERE id = ?", arguments: [id.trimmingWhitespace()]) else {
            throw DeskError.notFound("no follow-up \(id); see `gatehouse followup list`")
        }
        return f
    }

    // MARK: the annual questionnaire (003 (1) 二 4)

    /// Makes the center's questionnaire for `year` from the seeds' items (all of them when
    /// `items` is empty; the overall item always). Fixed once made: responses refer to it.
    @discardableResult
    public func createSurvey(year: Int, items: [SurveyItem], center requested: String? = nil) throws -> Survey {
        let acting = try authorize(.surveyEdit)
        guard (2000...2100).contains(year) else { throw DeskError.invalid("a survey year is 2000–2100") }
        let center = try recordCenter(requested)
        let id = Survey.id(center: center, year: year)
        try write(acting) { tx in
            guard try tx.state("survey", id: id) == nil else {
                throw DeskError.refused("center \(center) already has its \(year) questionnaire; responses refer to it, so it does not change")
            }
            _ = try tx.insert("survey", id: id, [
                "center": .text(center), "year": .integer(Int64(year)),
                "items": Self.jsonList(SurveyRules.questionnaire(items).map(\.rawValue)),
                "created_at": Col.time(acting.now), "created_by": .text(acting.staff),
            ])
        }
        return try survey(year: year, center: center)!
    }

    /// The center's questionnaire for `year`, if made.
    public func survey(year: Int, center requested: String? = nil) throws -> Survey? {
        let center = try recordCenter(requested)
        return try replica.read { db in
            try Survey.fetchOne(db, sql: "SELECT * FROM survey WHERE id = ?", arguments: [Survey.id(center: center, year: year)])
        }
    }

    // MARK: a commissioned service's exceptions (001 P7.9-8 4.2.10, 4.3.5, 4.3.6)

    /// Records an exception on a commissioned service: the work differs from the order
    /// (4.2.10, to be confirmed by the center manager), damage compensated (4.3.5, amount
    /// optional), or the fee reduced or waived after a failed service (4.3.6, amount
    /// required: the reduction; an unpaid fee is lowered by it). Money is decided by the
    /// service lead or the manager, not by the provider.
    @discardableResult
    public func recordServiceException(ticket ref: String, kind: ServiceExceptionKind, detail: String, amountFen: Int?) throws -> ServiceException {
        let acting = try authorize(kind == .workDiffers ? .serviceException : .serviceMoney)
        let d = detail.trimmingWhitespace()
        guard !d.isEmpty else { throw DeskError.invalid("describe what happened (--detail)") }
        if let amountFen, amountFen < 0 { throw DeskError.invalid("an amount cannot be negative") }
        if kind == .workDiffers && amountFen != nil {
            throw DeskError.invalid("a change of the work (4.2.10) carries no amount; record the new fee with `gatehouse ticket service --fee`")
        }
        if kind == .feeAdjusted && amountFen == nil { throw DeskError.invalid("say by how much the fee is reduced (--amount; the whole fee to waive it)") }
        let id = try write(acting) { tx -> String in
            let t = try requireTicket(tx.db, ref)
            guard t.isCommissioned else {
                throw DeskError.invalid("request \(t.number) is not a commissioned service (an in-home repair or a price-list service); 001 P7.9-8 4.2.10–4.3.6 apply to those")
            }
            var note = "\(kind.displayName)（\(kind.clause)）：\(d)"
            if kind == .feeAdjusted, let amountFen {
                let fee = t.service?.fee ?? 0
                guard amountFen <= fee else {
                    throw DeskError.invalid("the reduction \("¥" + Money.yuan(amountFen)) is more than the fee \("¥" + Money.yuan(fee))")
                }
                if t.service?.paidAt == nil {
                    try tx.update("ticket", id: t.id, ["fee": .integer(Int64(fee - amountFen))])
                    note += " 收费 \("¥" + Money.yuan(fee)) → \("¥" + Money.yuan(fee - amountFen))"
                } else {
                    note += " 退还 \("¥" + Money.yuan(amountFen))"
                }
            } else if let amountFen {
                note += " 赔偿 \("¥" + Money.yuan(amountFen))"
            }
            let id = try tx.insert("service_exception", id: ShortID.make("ex", tx), [
                "center": .text(t.center), "ticket": .text(t.id), "kind": .text(kind.rawValue), "detail": .text(d),
                "amount": Value(amountFen), "recorded_at": Col.time(acting.now), "recorded_by": .text(acting.staff),
            ])
            try logEvent(tx, center: t.center, ticket: t.id, action: "exception", detail: note + " [\(id)]", acting)
            return id
        }
        return try serviceException(id)
    }

    /// The center manager confirms a change of the work with the customer (4.2.10 经理确认、协商).
    @discardableResult
    public func confirmServiceException(_ id: String) throws -> ServiceException {
        let acting = try authorize(.confirmServiceChange)
        try write(acting) { tx in
            let e = try requireServiceException(tx.db, id)
            guard e.kind == .workDiffers else { throw DeskError.invalid("only a change of the work (4.2.10) is confirmed by the manager") }
            guard e.confirmedBy == nil else { throw DeskError.refused("exception \(e.id) was confirmed by \(e.confirmedBy!)") }
            try tx.update("service_exception", id: e.id, ["confirmed_by": .text(acting.staff), "confirmed_at": Col.time(acting.now)])
            try logEvent(tx, center: e.center, ticket: e.ticket, action: "exception-confirm", detail: "经理确认服务内容变更（4.2.10）[\(e.id)]", acting)
        }
        return try serviceException(id)
    }

    public func serviceException(_ id: String) throws -> ServiceException {
        try replica.read { db in try requireServiceException(db, id) }
    }

    /// Exceptions, newest first; of one request when given.
    public func serviceExceptions(ticket ref: String? = nil) throws -> [ServiceException] {
        try replica.read { db in
            if let ref {
                let t = try requireTicket(db, ref)
                return try ServiceException.fetchAll(db, sql: "SELECT * FROM service_exception WHERE ticket = ? ORDER BY recorded_at DESC, id",
                                                     arguments: [t.id])
            }
            return try ServiceException.fetchAll(db, sql: "SELECT * FROM service_exception ORDER BY recorded_at DESC, id")
        }
    }

    func requireServiceException(_ db: Database, _ id: String) throws -> ServiceException {
        guard let e = try ServiceException.fetchOne(db, sql: "SELECT * FROM service_exception WHERE id = ?", arguments: [id.trimmingWhitespace()]) else {
            throw DeskError.notFound("no service exception \(id); see `gatehouse ticket exceptions`")
        }
        return e
    }

    // MARK: corrective actions (001 P7.9-8 4.4.2)

    /// The center manager records a finding of the quarterly analysis and the corrective
    /// action taken for it, for the quality department's approval. At a center only.
    @discardableResult
    public func recordCorrectiveAction(quarter: String, finding: String, action: String) throws -> CorrectiveAction {
        let acting = try authorize(.correctiveRecord)
        guard !isHub else { throw DeskError.refused("corrective actions are recorded by the center (4.4.2); head office approves them") }
        let q = try ReportPeriod.quarter(quarter).description
        let f = finding.trimmingWhitespace(), a = action.trimmingWhitespace()
        guard !f.isEmpty, !a.isEmpty else { throw DeskError.invalid("a corrective action has a finding (--finding) and an action (--action)") }
        let id = try write(acting) { tx in
            try tx.insert("corrective_action", id: ShortID.make("ca", tx), [
                "center": .text(center), "quarter": .text(q), "finding": .text(f), "action": .text(a),
                "recorded_at": Col.time(acting.now), "recorded_by": .text(acting.staff),
            ])
        }
        return try correctiveAction(id)
    }

    /// The quality department at head office approves or returns a corrective action
    /// (报公司品质工程部审批执行). Once.
    @discardableResult
    public func decideCorrectiveAction(_ id: String, approve: Bool, note: String?) throws -> CorrectiveAction {
        let acting = try authorize(.correctiveDecide)
        guard isHub else { throw DeskError.refused("the quality department decides corrective actions at head office (4.4.2)") }
        if !approve && (note?.trimmingWhitespace().isEmpty ?? true) { throw DeskError.invalid("say why it is returned (--note)") }
        try write(acting) { tx in
            let c = try requireCorrectiveAction(tx.db, id)
            guard c.decision == nil else {
                throw DeskError.refused("corrective action \(c.id) was already \(c.state.displayName) by \(c.decidedBy ?? "?")")
            }
            try tx.update("corrective_action", id: c.id, [
                "decision": .text((approve ? CorrectiveActionState.approved : .rejected).rawValue), "decided_by": .text(acting.staff),
                "decided_at": Col.time(acting.now), "decision_note": Col.text(note),
            ])
        }
        return try correctiveAction(id)
    }

    /// The center marks an approved corrective action carried out.
    @discardableResult
    public func completeCorrectiveAction(_ id: String, note: String?) throws -> CorrectiveAction {
        let acting = try authorize(.correctiveRecord)
        guard !isHub else { throw DeskError.refused("the center carries out its corrective actions and marks them done") }
        try write(acting) { tx in
            let c = try requireCorrectiveAction(tx.db, id)
            guard c.state == .approved else {
                throw DeskError.refused("corrective action \(c.id) is \(c.state.displayName); only an approved one is carried out")
            }
            try tx.update("corrective_action", id: c.id, ["done_at": Col.time(acting.now), "done_by": .text(acting.staff),
                                                          "done_note": Col.text(note)])
        }
        return try correctiveAction(id)
    }

    public func correctiveAction(_ id: String) throws -> CorrectiveAction {
        try replica.read { db in try requireCorrectiveAction(db, id) }
    }

    /// Corrective actions, by center, quarter and time recorded.
    public func correctiveActions(quarter: String? = nil, center: String? = nil) throws -> [CorrectiveAction] {
        var sql = "SELECT * FROM corrective_action WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if let quarter { sql += " AND quarter = ?"; args.append(try ReportPeriod.quarter(quarter).description) }
        if let center { sql += " AND center = ?"; args.append(try CenterCode.validate(center)) }
        return try replica.read { db in
            try CorrectiveAction.fetchAll(db, sql: sql + " ORDER BY center, quarter, recorded_at, id", arguments: StatementArguments(args))
        }
    }

    func requireCorrectiveAction(_ db: Database, _ id: String) throws -> CorrectiveAction {
        guard let c = try CorrectiveAction.fetchOne(db, sql: "SELECT * FROM corrective_action WHERE id = ?", arguments: [id.trimmingWhitespace()]) else {
            throw DeskError.notFound("no corrective action \(id); see `gatehouse corrective list`")
        }
        return c
    }

    // MARK: custody incidents (001 P7.12-1 4.2.9)

    /// Records that an item in custody was found lost, damaged or unfit (应及时记录在相应
    /// 表格中), and whether the customer has been told (并向顾客报告).
    @discardableResult
    public func recordCustodyIncident(_ id: String, kind: CustodyIncidentKind, detail: String, reported: Bool) throws -> CustodyItem {
        let acting = try authorize(.custody)
        let d = detail.trimmingWhitespace()
        guard !d.isEmpty else { throw DeskError.invalid("describe what was found (--detail)") }
        try write(acting) { tx in
            let item = try requireCustody(tx.db, id)
            if let k = item.incident {
                throw DeskError.refused("custody item \(item.id) already has an incident (\(k.displayName), \(TimeFormat.short(item.incidentAt!)))")
            }
            var v: [String: Value] = ["incident": .text(kind.rawValue), "incident_detail": .text(d), "incident_at": Col.time(acting.now),
                                      "incident_by": .text(acting.staff)]
            if reported {
                v["reported_at"] = Col.time(acting.now)
                v["reported_by"] = .text(acting.staff)
            }
            try tx.update("custody", id: item.id, v)
        }
        return try custodyItem(id)
    }

    /// Records that the customer was told of an incident (向顾客报告,由其处理).
    @discardableResult
    public func reportCustodyIncident(_ id: String) throws -> CustodyItem {
        let acting = try authorize(.custody)
        try write(acting) { tx in
            let item = try requireCustody(tx.db, id)
            guard item.incident != nil else { throw DeskError.invalid("custody item \(item.id) has no incident to report") }
            guard item.reportedAt == nil else { throw DeskError.refused("the customer was told on \(TimeFormat.short(item.reportedAt!))") }
            try tx.update("custody", id: item.id, ["reported_at": Col.time(acting.now), "reported_by": .text(acting.staff)])
        }
        return try custodyItem(id)
    }
}
