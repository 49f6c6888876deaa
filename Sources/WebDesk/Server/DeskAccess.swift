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
        return SignedInDesk(desk: signed, me: try signed.acting())
    }
}

/// The desk opened for one signed-in staff member at one instant. Pages read through the
/// Desk's view methods (`customerList`, `ticketRecord`, `openRequestLists`, …), which mask
/// for this person and record every clear view before returning: nothing here masks or
/// audits on its own.
struct SignedInDesk {
    let desk: Desk
    let me: Acting

    var role: StaffRole? { me.role }
    var now: Date { me.now }

    /// Whether the role may perform `action` (to offer only the buttons that would work).
    func may(_ action: Action) -> Bool { Permissions.allows(role, action) }

    /// Who acts, once the role may perform `action`; a refusal is recorded in the audit
    /// trail (as the command line records it) and thrown as ``PermissionDenied``.
    @discardableResult
    func authorize(_ action: Action) throws -> Acting {
        try desk.require(action)
        return me
    }

    /// Whether this person finds customers by part of a name or number (the last four
    /// digits): only those who see their center's customers in clear.
    var searchesByPart: Bool { (try? desk.searchesByPart()) ?? false }

    /// Whether this person reads callbacks (not a provider, not the administrator).
    var readsCallbacks: Bool {
        guard let role else { return false }
        return role != .administrator && !Permissions.providers.contains(role)
    }
}
