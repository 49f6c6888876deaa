import Foundation
import ServiceDesk

/// The data directory's login session, turned into who acts.
enum SignedIn {
    /// The staff member logged in on `desk`'s directory, with their current role from the
    /// staff directory (a role changed since login counts at once). `now` is the business
    /// clock written on records; the session's expiry is checked against the real one.
    static func current(_ desk: Desk, now: Date) throws -> Acting {
        let store = SessionStore(desk.directory)
        guard let s = try store.load() else {
            throw CLIError("not logged in: run `gatehouse login --user ID` first")
        }
        guard s.replicaID == desk.replica.id.rawValue else {
            throw CLIError("the session in \(store.sessionURL.path) belongs to another data directory; log in again")
        }
        guard s.isValid(at: Date()) else {
            _ = try? store.remove()
            throw CLIError("the session of \(s.staff) ended at \(TimeFormat.short(s.expiresAt)); log in again")
        }
        guard let member = try desk.staff(includeInactive: true).first(where: { $0.id == s.staff }), member.active else {
            _ = try? store.remove()
            throw CLIError("\(s.staff) is no longer an active staff member; the session is closed")
        }
        return Acting(staff: s.staff, now: now, role: try desk.role(of: s.staff))
    }

    /// Refuses `action` unless the acting role allows it, recording the refusal.
    static func authorize(_ me: Acting, _ action: Action, _ desk: Desk) throws {
        do {
            try Permissions.check(me.role, action)
        } catch let denied as PermissionDenied {
            AuditLog.record(desk, action: "denied", staff: me.staff, role: me.role, detail: action.rawValue)
            throw denied
        }
    }
}
