import Foundation

/// Applies ``Visibility`` to records before they are printed or exported: returns the
/// copy to show and the audit event for what it shows in clear (nil when nothing personal
/// is in clear — masked views are not audited). Pure; the desk records the events.
public struct Disclosure: Sendable {
    public var viewer: Viewer
    public var grants: [GrantScope]
    public var now: Date
    /// "view", or "export" for CSV.
    public var action: String

    public init(viewer: Viewer, grants: [GrantScope], now: Date, action: String = "view") {
        self.viewer = viewer
        self.grants = grants
        self.now = now
        self.action = action
    }

    func visibility(_ f: PersonalField, _ ctx: RecordContext) -> FieldVisibility {
        Visibility.field(f, viewer: viewer, record: ctx, grants: grants)
    }

    func event(record: String, _ shown: [(PersonalField, FieldVisibility)]) -> AuditEvent? {
        let clear = shown.filter { $0.1.isClear }
        guard !clear.isEmpty else { return nil }
        let grant = clear.lazy.compactMap { if case .clear(let g) = $0.1 { g } else { nil } }.first
        let purpose = grant.flatMap { id in grants.first { $0.id == id }?.purpose }
        return AuditEvent(action: action, staff: viewer.staff, role: viewer.role?.rawValue, record: record,
                          fields: Array(Set(clear.map(\.0.rawValue))).sorted(), grant: grant, purpose: purpose, at: now)
    }

    /// A customer, with their household members, masked for the viewer; nil when the
    /// viewer may not see the customer at all.
    public func customer(_ c: Customer, members: [HouseholdMember] = []) -> (Customer, [HouseholdMember], AuditEvent?)? {
        let ctx = RecordContext(center: c.center, customer: c.id)
        guard Visibility.canSee(viewer, ctx) else { return nil }
        var out = c
        let name = visibility(.name, ctx), phone = visibility(.phone, ctx), id = visibility(.idNumber, ctx)
        let unit = visibility(.address, ctx), household = visibility(.household, ctx)
        out.name = Visibility.render(c.name, .name, name) ?? ""
        out.phone = Visibility.render(c.phone, .phone, phone)
        out.idNumber = Visibility.render(c.idNumber, .idNumber, id)
        out.unit = Visibility.render(c.unit, .address, unit)
        let shownMembers = members.map { m in
            var m = m
            m.name = household.isClear ? m.name : Visibility.render(m.name, .name, household) ?? ""
            m.phone = household.isClear ? m.phone : Visibility.render(m.phone, .phone, household)
            return m
        }
        var shown: [(PersonalField, FieldVisibility)] = [(.name, name)]
        if c.phone != nil { shown.append((.phone, phone)) }
        if c.idNumber != nil { shown.append((.idNumber, id)) }
        if c.unit != nil { shown.append((.address, unit)) }
        if !members.isEmpty { shown.append((.household, household)) }
        return (out, shownMembers, event(record: "customer/\(c.id)", shown))
    }

    /// A request masked for the viewer (its unit is the customer's address), with the
    /// customer's name and phone when `customer` is given; nil when the viewer may not see
    /// it (a technician, a request not assigned to them).
    public func ticket(_ t: Ticket, customer: Customer? = nil) -> (Ticket, TicketContact?, AuditEvent?)? {
        let ctx = RecordContext(center: t.center, customer: t.customer, isRequest: true, assignee: t.assignee,
                                open: t.stage != .closed && t.stage != .cancelled)
        guard Visibility.canSee(viewer, ctx) else { return nil }
        var out = t
        let unit = visibility(.address, ctx)
        out.unit = Visibility.render(t.unit, .address, unit)
        var shown: [(PersonalField, FieldVisibility)] = t.unit == nil ? [] : [(.address, unit)]
        var contact: TicketContact?
        if let customer {
            let name = visibility(.name, ctx), phone = visibility(.phone, ctx)
            contact = TicketContact(name: Visibility.render(customer.name, .name, name) ?? "",
                                    phone: Visibility.render(customer.phone, .phone, phone))
            shown.append((.name, name))
            if customer.phone != nil { shown.append((.phone, phone)) }
        }
        return (out, contact, event(record: "ticket/\(t.number)", shown))
    }

    /// A parcel's recipient and unit masked as the customer's name and address.
    public func parcel(_ p: Parcel) -> (Parcel, AuditEvent?)? {
        let ctx = RecordContext(center: p.center, customer: p.customer)
        guard Visibility.canSee(viewer, ctx) else { return nil }
        var out = p
        let name = visibility(.name, ctx), unit = visibility(.address, ctx)
        out.recipient = Visibility.render(p.recipient, .name, name)
        out.unit = Visibility.render(p.unit, .address, unit)
        out.pickedUpBy = Visibility.render(p.pickedUpBy, .name, name)
        var shown: [(PersonalField, FieldVisibility)] = []
        if p.recipient != nil { shown.append((.name, name)) }
        if p.unit != nil { shown.append((.address, unit)) }
        return (out, event(record: "parcel/\(p.id)", shown))
    }
}

/// The customer's name and phone as shown with a request.
public struct TicketContact: Sendable, Hashable, Codable {
    public var name: String
    public var phone: String?
}
