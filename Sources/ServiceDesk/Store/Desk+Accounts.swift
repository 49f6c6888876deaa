import Foundation
import GRDB
import Replication

/// How a login attempt ended.
public enum LoginOutcome: Sendable, Equatable {
    case success(StaffMember)
    /// Wrong user name or password. `staff` is the account's id when the name was a real
    /// account (for the audit trail only; never shown); `lockedUntil` is set when this
    /// failure locked the name.
    case failed(staff: String?, lockedUntil: Date?)
    /// The name is locked; the password was not even checked.
    case locked(staff: String?, until: Date)
}

extension Desk {
    /// The account a login name refers to: a staff id, exactly or ignoring case.
    func account(_ user: String) throws -> (StaffMember, hash: String?)? {
        let u = user.trimmingWhitespace()
        guard !u.isEmpty else { return nil }
        return try replica.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT * FROM staff WHERE id = ? OR lower(id) = lower(?) ORDER BY id = ? DESC LIMIT 1
                """, arguments: [u, u, u]) else { return nil }
            return (try StaffMember(row: row), row["password_hash"] as String?)
        }
    }

    /// Checks a user name and password, counting failures in the local lockout state.
    /// Inactive accounts and accounts without a password fail like a wrong password.
    public func authenticate(user: String, password: String, at now: Date) throws -> LoginOutcome {
        let store = SessionStore(directory)
        return try store.withThrottleLock { try authenticate(user: user, password: password, at: now, store: store) }
    }

    private func authenticate(user: String, password: String, at now: Date, store: SessionStore) throws -> LoginOutcome {
        var throttle = store.loadThrottle()
        let found = try account(user)
        if let until = throttle.lockedUntil(user, at: now) { return .locked(staff: found?.0.id, until: until) }
        let ok: Bool
        if let found, found.0.active, let hash = found.hash {
            ok = PasswordHash.verify(password, against: hash)
        } else {
            PasswordHash.verifyNothing(password)
            ok = false
        }
        if ok, let member = found?.0 {
            throttle.recordSuccess(user)
            try store.saveThrottle(throttle)
            return .success(member)
        }
        let locked = throttle.recordFailure(user, at: now)
        try store.saveThrottle(throttle)
        return .failed(staff: found?.0.id, lockedUntil: locked)
    }

    /// The staff member's current role in the directory (nil: none, or not a known role).
    public func role(of staff: String) throws -> StaffRole? {
        try replica.read { db in
            try String.fetchOne(db, sql: "SELECT role FROM staff WHERE id = ?", arguments: [staff])
        }.flatMap { try? StaffRole.parse($0) }
    }

    /// Sets a staff member's password (by an administrator, or by the member themselves).
    public func setPassword(staff id: String, password: String, by acting: Acting) throws {
        let hash = try PasswordHash.make(try PasswordHash.validate(password))
        try write(acting) { tx in
            try requireStaff(tx.db, id)
            try tx.update("staff", id: id, ["password_hash": .text(hash)])
        }
    }

    /// The first administrator of a new node or hub, so a directory set up offline can be
    /// logged into at once. Refused once the directory has any staff.
    public func createAdministrator(id: String, name: String, password: String) throws {
        let existing = try replica.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM staff") ?? 0 }
        guard existing == 0 else { throw DeskError.refused("this directory already has staff; an administrator adds accounts with `gatehouse staff add`") }
        try addStaff(id: id, name: name, role: StaffRole.administrator.rawValue, phone: nil, hireDate: nil, supplier: false,
                     password: password, by: Acting(staff: id))
    }
}
