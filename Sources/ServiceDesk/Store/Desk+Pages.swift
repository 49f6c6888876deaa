import Foundation
import GRDB
import Replication

/// The open requests at a glance: the overdue, those due today and those owed a callback
/// by today, each counted in full and listed from its first rows (masked, the rows shown
/// audited as seen).
public struct OpenRequestLists: Sendable {
    public var today: CivilDate
    public var overdue: [TicketWithDeadlines]
    public var overdueCount: Int
    public var dueToday: [TicketWithDeadlines]
    public var dueTodayCount: Int
    public var callbacksDue: [TicketWithDeadlines]
    public var callbacksDueCount: Int
}

/// What the 工作台 shows beside the request lists; nil where the role does not keep that log.
public struct DeskCounts: Sendable {
    public var parcelsWaiting: Int?
    public var custodyHeld: Int?
}

/// One line of a customer's request history.
public struct RequestSummary: Sendable, Hashable, Codable {
    public var number: String
    public var kind: RequestKind
    public var stage: TicketStage
    public var openedAt: Date
    public var summary: String
}

/// A customer edit form as posted: every field as the form sent it back (nil: left empty).
public struct CustomerEdits: Sendable {
    public var name: String?
    public var phone: String?
    public var idNumber: String?
    public var unit: String?
    public var moveIn: String?
    public var moveOut: String?
    public var specialCare: Bool
    public var needs: String?
    public var note: String?
    public init(name: String?, phone: String?, idNumber: String?, unit: String?, moveIn: String?, moveOut: String?, specialCare: Bool,
                needs: String?, note: String?) {
        self.name = name
        self.phone = phone
        self.idNumber = idNumber
        self.unit = unit
        self.moveIn = moveIn
        self.moveOut = moveOut
        self.specialCare = specialCare
        self.needs = needs
        self.note = note
    }
}

/// A request's edit form as posted (`ticket update` in the browser): every field as the
/// form sent it back (nil: left empty).
public struct TicketEdits: Sendable {
    public var summary: String?
    public var channel: Channel?
    public var complaintClass: ComplaintClass?
    public var severity: Severity?
    public var unit: String?
    public init(summary: String?, channel: Channel?, complaintClass: ComplaintClass?, severity: Severity?, unit: String?) {
        self.summary = summary
        self.channel = channel
        self.complaintClass = complaintClass
        self.severity = severity
        self.unit = unit
    }
}

/// The reads behind the browser desk's pages (and the command line where it shows the
/// same): each one masks for the signed-in principal and records the clear views it
/// returns before returning, so no front end masks or audits on its own.
extension Desk {
    /// The open requests the principal may see (a provider: those assigned to them),
    /// sorted into overdue, due today and callback due by today at the desk's time. Each
    /// list is counted in full; its first `shown…` rows are returned masked, and only those
    /// are audited as seen.
    public func openRequestLists(overdue shownOverdue: Int, dueToday shownDue: Int, callbacks shownCallbacks: Int) throws -> OpenRequestLists {
        let me = try acting()
        let disclosure = try self.disclosure()
        let today = try workCalendar().civilDate(of: me.now)
        var f = TicketFilter()
        f.openOnly = true
        f.limit = Int.max
        if let role = me.role, Permissions.providers.contains(role) { f.assignee = me.staff }
        var lists = OpenRequestLists(today: today, overdue: [], overdueCount: 0, dueToday: [], dueTodayCount: 0, callbacksDue: [],
                                     callbacksDueCount: 0)
        var events: [AuditEvent] = []
        // Which lists a request is in, and whether it is shown in one: decided while the
        // requests are evaluated, so only the shown ones are read whole.
        struct Place { var overdue = false, due = false, callback = false, shown = false }
        var places: [String: Place] = [:]
        var counts = (overdue: 0, due: 0, callbacks: 0)
        let evaluated = try evaluatedTickets(f, now: me.now) { w in
            let isOverdue = !w.overdue.isEmpty, isDue = !isOverdue && !w.dueToday.isEmpty
            let isCallback = w.deadlines.contains { $0.name == .callback && $0.metAt == nil && $0.dueDay <= today }
            guard isOverdue || isDue || isCallback,
                  Visibility.canSee(disclosure.viewer, RecordContext(center: w.ticket.center, customer: w.ticket.customer, isRequest: true,
                                                                     assignee: w.ticket.assignee)) else { return false }
            if isOverdue { counts.overdue += 1 }
            if isDue { counts.due += 1 }
            if isCallback { counts.callbacks += 1 }
            let shown = (isOverdue && counts.overdue <= shownOverdue) || (isDue && counts.due <= shownDue)
                || (isCallback && counts.callbacks <= shownCallbacks)
            places[w.ticket.id] = Place(overdue: isOverdue, due: isDue, callback: isCallback, shown: shown)
            return shown
        }
        for w in evaluated {
            guard let place = places[w.ticket.id] else { continue }
            if place.overdue { lists.overdueCount += 1 }
            if place.due { lists.dueTodayCount += 1 }
            if place.callback { lists.callbacksDueCount += 1 }
            let inOverdue = place.overdue && lists.overdueCount <= shownOverdue
            let inDue = place.due && lists.dueTodayCount <= shownDue
            let inCallbacks = place.callback && lists.callbacksDueCount <= shownCallbacks
            guard inOverdue || inDue || inCallbacks, let (t, _, event) = disclosure.ticket(w.ticket) else { continue }
            var shown = w
            shown.ticket = t
            if inOverdue { lists.overdue.append(shown) }
            if inDue { lists.dueToday.append(shown) }
            if inCallbacks { lists.callbacksDue.append(shown) }
            if let event { events.append(event) }
        }
        try recordAudit(events)
        return lists
    }

    /// How many parcels wait to be picked up and how many items are in custody, for the
    /// roles that keep those logs (counts only: nothing personal).
    public func deskCounts() throws -> DeskCounts {
        let me = try acting()
        return try replica.read { db in
            DeskCounts(
                parcelsWaiting: Permissions.allows(me.role, .parcels)
                    ? try Int.fetchOne(db, sql: "SELECT count(*) FROM parcel WHERE picked_up_at IS NULL") ?? 0 : nil,
                custodyHeld: Permissions.allows(me.role, .custody)
                    ? try Int.fetchOne(db, sql: "SELECT count(*) FROM custody WHERE returned_at IS NULL") ?? 0 : nil)
        }
    }

    /// One page of the requests matching `filter` (from `filter.offset`, at most `size`),
    /// masked and audited like ``ticketList(_:export:)``, and whether more follow.
    public func ticketPage(_ filter: TicketFilter, size: Int) throws -> (rows: [TicketWithDeadlines], more: Bool) {
        var f = filter
        f.limit = max(1, size) + 1  // one more than shown: whether a next page exists
        let r = try visibleTickets(f, try self.disclosure(), now: clock.now, showing: max(1, size))
        return (r.items, r.found > max(1, size))
    }

    /// Whether the principal may search customers by part of a name, phone or unit (and by
    /// the last four digits of a phone): only those who see their center's customers in clear.
    public func searchesByPart() throws -> Bool { try mayPartialSearch() }

    /// The ids of the customers registered under the whole phone number `phone` (nothing
    /// personal is returned): to attach a caller's request or a deposit to the customer.
    public func customerIDs(phone: String) throws -> [String] {
        let me = try acting()
        guard let role = me.role, role != .administrator, !Permissions.providers.contains(role) else {
            throw denied(me, .customerView, detail: "find a customer by phone")
        }
        let full = try PhoneNumber(phone).normalized
        var sql = "SELECT id FROM customer WHERE phone = ?"
        var args: [DatabaseValueConvertible] = [full]
        if !isHub { sql += " AND center = ?"; args.append(center) }
        return try replica.read { db in try String.fetchAll(db, sql: sql + " ORDER BY id", arguments: StatementArguments(args)) }
    }

    /// Saves a customer edit form that showed the customer as ``customerRecord(_:)`` shows
    /// them to the principal: only what differs from what was shown is written, so a field
    /// shown masked and sent back untouched never overwrites the real value with its mask.
    public func updateCustomer(_ id: String, asShown edits: CustomerEdits) throws {
        let disclosure = try self.disclosure()
        guard let (shown, _, _) = disclosure.customer(try customer(id)) else {
            throw denied(try acting(), .customerEdit, detail: "edit customer \(id)")
        }
        func changed(_ value: String?, _ was: String?) -> String? {
            guard let v = value, v != (was ?? "") else { return nil }
            return v
        }
        try updateCustomer(id, name: changed(edits.name, shown.name), phone: changed(edits.phone, shown.phone),
                           idNumber: changed(edits.idNumber, shown.idNumber), unit: changed(edits.unit, shown.unit),
                           moveIn: changed(edits.moveIn, shown.moveIn), moveOut: changed(edits.moveOut, shown.moveOut),
                           specialCare: edits.specialCare, needs: changed(edits.needs, shown.needs), note: changed(edits.note, shown.note))
    }

    /// Saves a request's edit form that showed the request as ``ticketRecord(_:)`` shows
    /// it to the principal: only what differs from what was shown is written (a unit shown
    /// masked and sent back untouched never overwrites the real one); nothing changed is
    /// no error for a form. Checked like `ticket update` (the role; a request the principal
    /// may not see is refused).
    /// - Returns: whether anything was written.
    @discardableResult
    public func updateTicket(_ ref: String, asShown edits: TicketEdits) throws -> Bool {
        let me = try authorize(.ticketUpdate)
        // Compared, not shown: nothing to audit as seen.
        guard let (shown, _, _) = try self.disclosure().ticket(try ticket(ref)) else {
            throw denied(me, .ticketUpdate, detail: "edit request \(ref), assigned to someone else")
        }
        func changed(_ value: String?, _ was: String?) -> String? {
            guard let v = value, v != (was ?? "") else { return nil }
            return v
        }
        let summary = changed(edits.summary, shown.summary), unit = changed(edits.unit, shown.unit)
        let channel = edits.channel == shown.channel ? nil : edits.channel
        let complaintClass = edits.complaintClass == shown.complaintClass ? nil : edits.complaintClass
        let severity = edits.severity == shown.severity ? nil : edits.severity
        guard summary != nil || unit != nil || channel != nil || complaintClass != nil || severity != nil else { return false }
        try updateTicket(shown.number, summary: summary, channel: channel, complaintClass: complaintClass, severity: severity, unit: unit)
        return true
    }

    /// A customer's requests, newest first, as their record lists them: number, kind,
    /// stage, when and what (no unit, nothing personal, so nothing audited).
    public func requestSummaries(customer id: String) throws -> [RequestSummary] {
        try customerRecordVisible(id)
        return try replica.read { db in
            try Ticket.all(db.cachedStatement(sql: "SELECT * FROM ticket WHERE customer = ? ORDER BY opened_at DESC, number DESC"), arguments: [id])
                .map { RequestSummary(number: $0.number, kind: $0.kind, stage: $0.stage, openedAt: $0.openedAt, summary: $0.summary) }
        }
    }

    /// Refuses (audited) a principal who may not see customer `id` at all.
    private func customerRecordVisible(_ id: String) throws {
        let disclosure = try self.disclosure()
        let c = try customer(id)
        guard Visibility.canSee(disclosure.viewer, RecordContext(center: c.center, customer: c.id)) else {
            throw denied(try acting(), .customerView, detail: "see customer \(id)")
        }
    }
}
