import Foundation
import GRDB
import Replication

/// A request as one viewer sees it: masked by ``Visibility``, with the customer's contact
/// and the timeline masked by the same rules as the record.
public struct TicketView: Sendable {
    public var item: TicketWithDeadlines
    public var contact: TicketContact?
    public var timeline: [TimelineEntry]
    public var ticket: Ticket { item.ticket }
}

/// One page of a list as the principal sees it, and how many there are in all.
public struct ListPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
}

extension Desk {
    // MARK: who is looking

    /// The principal as the visibility policy sees them: their role, at this desk's center.
    func currentViewer() throws -> Viewer {
        let p = try requirePrincipal()
        return Viewer(staff: p.staff, role: p.role, center: center)
    }

    /// The disclosure for the principal now: their role, and for head-office roles the
    /// grants in force on the desk's clock.
    func disclosure(export: Bool = false) throws -> Disclosure {
        let viewer = try currentViewer()
        let now = clock.now
        let grants = viewer.role?.workplace == .headOffice ? try activeGrants(for: viewer.staff, at: now) : []
        return Disclosure(viewer: viewer, grants: grants, now: now, action: export ? "export" : "view")
    }

    /// Whether the principal may search customers by part of a name, phone or unit: only
    /// the desk roles, who see their center's customers in clear anyway. Everyone else finds
    /// a customer only by the exact full name or phone, so masked lists cannot be probed
    /// digit by digit.
    func mayPartialSearch() throws -> Bool {
        guard let role = try requirePrincipal().role else { return false }
        return Permissions.desk.contains(role)
    }

    // MARK: customers

    /// Customers matching `filter`, masked for the principal; every customer shown with
    /// personal data in clear is in the audit trail (as "export" when `export`) before
    /// this returns. A viewer without clear access searches by exact full name or phone only.
    public func customerList(_ filter: CustomerFilter = CustomerFilter(), export: Bool = false) throws -> [Customer] {
        try customerPage(filter, export: export, counting: false).items
    }

    /// ``customerList(_:export:)`` with the number of all customers the principal would
    /// find with `filter` (its limit and offset aside): what a cut list says.
    public func customerPage(_ filter: CustomerFilter = CustomerFilter(), export: Bool = false) throws -> ListPage<Customer> {
        try customerPage(filter, export: export, counting: true)
    }

    private func customerPage(_ filter: CustomerFilter, export: Bool, counting: Bool) throws -> ListPage<Customer> {
        var f = filter
        f.exact = try !mayPartialSearch()
        let disclosure = try self.disclosure(export: export)
        // Providers see no customer record at all (Visibility.canSee), so they count none.
        guard Visibility.canSee(disclosure.viewer, RecordContext(center: center, customer: nil, isRequest: false, assignee: nil, open: true)) else {
            return ListPage(items: [], total: 0)
        }
        let shown = try customers(f).compactMap { disclosure.customer($0) }
        try recordAudit(shown.compactMap(\.2))
        return ListPage(items: shown.map(\.0), total: counting ? try customerCount(f) : shown.count)
    }

    /// One customer with their household, masked for the principal; refuses a viewer who
    /// may not see customers at all (a technician). A clear view is audited.
    public func customerRecord(_ id: String) throws -> (customer: Customer, household: [HouseholdMember]) {
        let disclosure = try self.disclosure()
        guard let (c, members, event) = disclosure.customer(try customer(id), members: try householdMembers(of: id)) else {
            let me = try acting()
            throw denied(me, .customerView, detail: "see customer \(id)")
        }
        if let event { try recordAudit(event) }
        return (c, members)
    }

    /// The customers with these ids as the principal may see them (masked unless their
    /// role and grants allow); clear views audited. Ids of customers they may not see at
    /// all are left out.
    public func customerViews(_ ids: Set<String>) throws -> [String: Customer] {
        let disclosure = try self.disclosure()
        var shown: [String: Customer] = [:]
        var events: [AuditEvent] = []
        for id in ids {
            guard let c = try? customer(id), let (masked, _, event) = disclosure.customer(c) else { continue }
            shown[id] = masked
            if let event { events.append(event) }
        }
        try recordAudit(events)
        return shown
    }

    // MARK: requests

    /// Requests matching `filter` with their deadlines at the desk's time, masked for the
    /// principal (a technician sees only those assigned to them); clear views audited.
    public func ticketList(_ filter: TicketFilter = TicketFilter(), export: Bool = false) throws -> [TicketWithDeadlines] {
        try ticketPage(filter, export: export, counting: false).items
    }

    /// ``ticketList(_:export:)`` with the number of all requests the principal would see
    /// with `filter` (its limit and offset aside).
    public func ticketPage(_ filter: TicketFilter = TicketFilter(), export: Bool = false) throws -> ListPage<TicketWithDeadlines> {
        try ticketPage(filter, export: export, counting: true)
    }

    private func ticketPage(_ filter: TicketFilter, export: Bool, counting: Bool) throws -> ListPage<TicketWithDeadlines> {
        let disclosure = try self.disclosure(export: export)
        // A provider asking for someone else's requests sees none.
        if let role = disclosure.viewer.role, Permissions.providers.contains(role), let a = filter.assignee, a != disclosure.viewer.staff {
            return ListPage(items: [], total: 0)
        }
        let now = clock.now
        let r = try visibleTickets(filter, disclosure, now: now)
        return ListPage(items: r.items, total: counting ? try ticketCount(r.filter, now: now) : r.items.count)
    }

    /// The requests matching `filter` that the principal may see — a provider only those
    /// assigned to them, asked in the query so pages and counts are of what they may see —
    /// the first `showing` of the rows found masked and their clear views audited.
    /// `found` is how many rows the query returned; `filter` is the query as run.
    func visibleTickets(_ filter: TicketFilter, _ disclosure: Disclosure, now: Date, showing: Int? = nil) throws
        -> (items: [TicketWithDeadlines], found: Int, filter: TicketFilter)
    {
        var f = filter
        if let role = disclosure.viewer.role, Permissions.providers.contains(role) { f.assignee = disclosure.viewer.staff }
        let found = try tickets(f, now: now)
        let shown = found.prefix(showing ?? found.count).compactMap { i -> (TicketWithDeadlines, AuditEvent?)? in
            guard let (t, _, event) = disclosure.ticket(i.ticket) else { return nil }
            var i = i
            i.ticket = t
            return (i, event)
        }
        try recordAudit(shown.compactMap(\.1))
        return (shown.map(\.0), found.count, f)
    }

    /// One request with its deadlines, the customer's contact and the timeline, all masked
    /// for the principal; refuses a provider the request is not assigned to.
    public func ticketRecord(_ ref: String) throws -> TicketView {
        let disclosure = try self.disclosure()
        let w = try ticketWithDeadlines(ref, now: clock.now)
        let customer = try w.ticket.customer.map { try self.customer($0) }
        guard let (t, contact, event) = disclosure.ticket(w.ticket, customer: customer) else {
            let me = try acting()
            throw denied(me, .ticketView, detail: "see request \(w.ticket.number), assigned to someone else")
        }
        if let event { try recordAudit(event) }
        // The timeline's free text is masked like the record: the unit, the customer's
        // name and phone, and any mobile number, unless the viewer sees them in clear.
        let ctx = RecordContext(center: w.ticket.center, customer: w.ticket.customer, isRequest: true, assignee: w.ticket.assignee,
                                open: w.ticket.stage != .closed && w.ticket.stage != .cancelled)
        var secrets: [(String, String)] = []
        func hide(_ value: String?, _ field: PersonalField) {
            guard let value, !value.isEmpty else { return }
            let vis = disclosure.visibility(field, ctx)
            if !vis.isClear { secrets.append((value, Visibility.render(value, field, vis) ?? "")) }
        }
        hide(w.ticket.unit, .address)
        hide(customer?.unit, .address)
        hide(customer?.name, .name)
        hide(customer?.phone, .phone)
        let phonesClear = disclosure.visibility(.phone, ctx).isClear
        let timeline = try timeline(ref).map { e -> TimelineEntry in
            var e = e
            e.detail = e.detail.map { Self.maskText($0, secrets: secrets, phones: !phonesClear) }
            return e
        }
        var item = w
        item.ticket = t
        return TicketView(item: item, contact: contact, timeline: timeline)
    }

    /// Free text with the given values replaced by their masked forms and, when `phones`,
    /// every mobile number (11 digits from 1) masked.
    static func maskText(_ text: String, secrets: [(String, String)], phones: Bool) -> String {
        var out = text
        for (value, masked) in secrets.sorted(by: { $0.0.count > $1.0.count }) {
            out = out.replacingOccurrences(of: value, with: masked)
        }
        guard phones else { return out }
        var result = ""
        var digits = ""
        func flush() {
            if digits.count == 11 && digits.first == "1" { result += Masking.phone(digits) } else { result += digits }
            digits = ""
        }
        for ch in out {
            if ch.isASCII && ch.isNumber { digits.append(ch) } else { flush(); result.append(ch) }
        }
        flush()
        return result
    }

    // MARK: parcels, custody, callbacks

    /// The mail log masked for the principal; clear views audited.
    public func parcelList(waitingOnly: Bool = false, customer: String? = nil, limit: Int = 500, offset: Int = 0) throws -> [Parcel] {
        try parcelPage(waitingOnly: waitingOnly, customer: customer, limit: limit, offset: offset, counting: false).items
    }

    /// ``parcelList(waitingOnly:customer:limit:offset:)`` with the number of all entries
    /// the principal would see.
    public func parcelPage(waitingOnly: Bool = false, customer: String? = nil, limit: Int = 500, offset: Int = 0) throws -> ListPage<Parcel> {
        try parcelPage(waitingOnly: waitingOnly, customer: customer, limit: limit, offset: offset, counting: true)
    }

    private func parcelPage(waitingOnly: Bool, customer: String?, limit: Int, offset: Int, counting: Bool) throws -> ListPage<Parcel> {
        let disclosure = try self.disclosure()
        guard Visibility.canSee(disclosure.viewer, RecordContext(center: center, customer: customer, isRequest: false, assignee: nil, open: true)) else {
            return ListPage(items: [], total: 0)
        }
        let shown = try parcels(waitingOnly: waitingOnly, customer: customer, limit: limit, offset: offset).compactMap { disclosure.parcel($0) }
        try recordAudit(shown.compactMap(\.1))
        return ListPage(items: shown.map(\.0), total: counting ? try parcelCount(waitingOnly: waitingOnly, customer: customer) : shown.count)
    }

    /// Items in custody (no personal data but the customer's id), for a signed-in viewer.
    public func custodyList(heldOnly: Bool = false, customer: String? = nil) throws -> [CustodyItem] {
        let viewer = try currentViewer()
        guard let role = viewer.role, role != .administrator, !Permissions.providers.contains(role) else {
            throw denied(try acting(), .custody, detail: "list custody")
        }
        return try custodyItems(heldOnly: heldOnly, customer: customer)
    }

    /// Callbacks, for a signed-in viewer who is not a provider or the administrator; the
    /// comments are masked like the request's timeline.
    public func callbackList(ticket ref: String? = nil, month: YearMonth? = nil, center: String? = nil, customer: String? = nil) throws -> [Callback] {
        let me = try acting()
        guard let role = me.role, role != .administrator, !Permissions.providers.contains(role) else {
            throw denied(me, .callbackAdd, detail: "list callbacks")
        }
        let clear = Permissions.desk.contains(role)
        return try callbacks(ticket: ref, month: month, center: center, customer: customer).map { c in
            var c = c
            if !clear || c.center != self.center { c.comment = c.comment.map { Self.maskText($0, secrets: [], phones: true) } }
            return c
        }
    }

    /// The request number of a request id, for display.
    public func ticketNumber(_ id: String) -> String? {
        try? replica.read { db in try String.fetchOne(db, sql: "SELECT number FROM ticket WHERE id = ?", arguments: [id]) }
    }
}
