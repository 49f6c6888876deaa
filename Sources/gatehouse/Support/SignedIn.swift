import Foundation
import ServiceDesk

/// The data directory's login session, turned into a desk acting for it.
enum SignedIn {
    /// `desk` signed in for the session in the directory's `session.json`: the database
    /// knows the session's token by its hash and says whom it is for, with their current
    /// role from the staff directory (a role changed since login counts at once), on
    /// `clock`. The session's expiry is checked against the real clock.
    static func desk(_ desk: Desk, clock: DeskClock) throws -> Desk {
        let store = SessionStore(desk.directory)
        guard let s = try store.load() else {
            throw CLIError("not logged in: run `gatehouse login --user ID` first")
        }
        guard s.replicaID == desk.unsafeReplica.id.rawValue else {
            throw CLIError("the session in \(store.sessionURL.path) belongs to another data directory; log in again")
        }
        do {
            return try desk.resume(token: s.token, clock: clock)
        } catch let e as DeskError {
            if case .refused(let m) = e, !m.contains("--demo") { _ = try? store.remove() }
            throw e
        }
    }
}
