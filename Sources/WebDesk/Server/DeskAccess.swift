import Foundation
import ServiceDesk

/// The one door from the web pages to the Desk: every page reaches the desk through
/// ``SignedInDesk``, whose `desk` is the Desk signed in (`Desk.signedIn(as:clock:)`) for
/// the session's staff member on the desk's clock: the Desk itself checks every write's
/// permission (and audits refusals), whatever a page asks.
struct DeskAccess: Sendable {
    let desk: Desk
    /// The business clock written on records: the real one, unless the data directory was
    /// made for a demonstration and `GATEHOUSE_NOW` sets it (as for the command line).
    let clock: @Sendable () -> Date

    static func clock(for config: DirectoryConfig, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> @Sendable () -> Date {
        if config.demoClock, let s = environment["GATEHOUSE_NOW"], !s.isEmpty, let fixed = try? TimeFormat.parse(s) {
            let started = Date()
            // The demo's time moves on from the set instant like a real clock.
            return { fixed.addingTimeInterval(Date().timeIntervalSince(started)) }
        }
        return { Date() }
    }

    /// The staff member of a verified session, if still active: name and current role from
    /// the directory (a role changed since login counts at once).
    func member(_ staff: String) throws -> StaffMember? {
        try desk.staff(includeInactive: true).first { $0.id == staff && $0.active }
    }

    /// The desk as `identity` uses it now: signed in as them on the desk's clock (a set
    /// clock only on a demonstration directory: the Desk refuses it otherwise).
    func open(for identity: WebIdentity) throws -> SignedInDesk {
        let clock = self.clock
        let deskClock = desk.config.demoClock && ProcessInfo.processInfo.environment["GATEHOUSE_NOW"].map { !$0.isEmpty } == true
            ? DeskClock.simulated(startingAt: clock()) : DeskClock.system
        let signed = try desk.signedIn(as: identity.staff, clock: deskClock)
        let me = try signed.acting()
        let viewer = try desk.viewer(identity.staff)
        let grants = viewer.role?.workplace == .headOffice ? try desk.activeGrants(for: viewer.staff, at: me.now) : []
        return SignedInDesk(desk: signed, me: me, viewer: viewer, disclosure: Disclosure(viewer: viewer, grants: grants, now: me.now))
    }
}

/// The desk opened for one signed-in staff member at one instant.
struct SignedInDesk {
    let desk: Desk
    let me: Acting
    let viewer: Viewer
    /// Masks what is shown and makes the audit events of clear views.
    let disclosure: Disclosure

    var role: StaffRole? { me.role }
    var now: Date { me.now }

    /// Whether the role may perform `action` (to offer only the buttons that would work).
    func may(_ action: Action) -> Bool { Permissions.allows(role, action) }

    /// Who acts, once the role may perform `action`; a refusal is recorded in the audit
    /// trail (as the command line records it) and thrown as ``PermissionDenied``.
    @discardableResult
    func authorize(_ action: Action) throws -> Acting {
        do {
            try Permissions.check(role, action)
        } catch let denied as PermissionDenied {
            try? desk.recordAudit(AuditEvent(action: "denied", staff: me.staff, role: role?.rawValue, detail: action.rawValue, at: Date()))
            throw denied
        }
        return me
    }

    /// Records the clear views of a page before the page is sent: no clear view goes
    /// unrecorded.
    func audit(_ events: [AuditEvent?]) throws {
        let e = events.compactMap { $0 }
        if !e.isEmpty { try desk.recordAudit(e) }
    }

    /// A request as this viewer may see it, with its customer's name and phone; refused
    /// (audited) when the viewer may not see it at all — a technician, someone else's job.
    func ticket(_ ref: String) throws -> (full: TicketWithDeadlines, shown: Ticket, contact: TicketContact?, event: AuditEvent?) {
        let w = try desk.ticketWithDeadlines(ref, now: now)
        let customer = try w.ticket.customer.map { try desk.customer($0) }
        guard let (t, contact, event) = disclosure.ticket(w.ticket, customer: customer) else {
            try? desk.recordAudit(AuditEvent(action: "denied", staff: me.staff, role: role?.rawValue, record: "ticket/\(w.ticket.number)",
                                             detail: "not assigned", at: Date()))
            throw WebError(.forbidden, "无权查看", "工单 \(w.ticket.number) 没有派给您。")
        }
        return (w, t, contact, event)
    }

    /// Whether this viewer sees customers' phone numbers of this desk's own center in
    /// clear: only they may look a customer up by the last four digits.
    var seesPhonesInClear: Bool {
        Visibility.field(.phone, viewer: viewer, record: RecordContext(center: desk.center, customer: nil), grants: disclosure.grants).isClear
    }
}
