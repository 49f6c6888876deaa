import Crypto
import Foundation
import GRDB
import Replication

/// How a password check ended.
public enum LoginOutcome: Sendable, Equatable {
    case success(StaffMember)
    /// Wrong user name or password. `staff` is the account's id when the name was a real
    /// account (for the audit trail only; never shown); `lockedUntil` is set when this
    /// failure locked the name.
    case failed(staff: String?, lockedUntil: Date?)
    /// The name is locked; the password was not even checked.
    case locked(staff: String?, until: Date)
}

/// How a login ended.
public enum LoginResult: Sendable, Equatable {
    /// Logged in: the member and the session's secret token (kept by the front end).
    case success(StaffMember, token: String, expiresAt: Date)
    /// Wrong user name or password; `lockedUntil` is set when this failure locked the name.
    case failed(lockedUntil: Date?)
    /// The name is locked; the password was not even checked.
    case locked(until: Date)
}

/// Sessions and login failures live in tables of the node's own database that never
/// replicate (`local_session`, `local_login_attempt`, `local_lockout`): a session is a
/// random token of which only the SHA-256 is stored, so a session file written or edited
/// by hand authenticates nobody; failures are counted inside the database's write lock,
/// so parallel logins cannot get past the limit, and deleting a file lifts nothing.
extension Desk {
    static func ensureLocalTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS local_session (
                token_hash TEXT PRIMARY KEY, staff TEXT NOT NULL, started_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS local_login_attempt (
                id INTEGER PRIMARY KEY, user_key TEXT NOT NULL, at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS local_login_attempt_user ON local_login_attempt(user_key, at);
            CREATE TABLE IF NOT EXISTS local_lockout (user_key TEXT PRIMARY KEY, until INTEGER NOT NULL);
            """)
    }

    static func tokenHash(_ token: String) -> String {
        Crypto.SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    static func ms(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }

    /// Checks a user name and password on the real clock. Five failures within 15 minutes
    /// lock the name (unknown names too, so a lock reveals nothing) for 15 minutes; each
    /// attempt is counted before the password is checked, inside the database's write
    /// lock, so parallel attempts all count. Records nothing in the audit trail (the front
    /// end says which: ``login(user:password:lifetime:)`` does for the command line).
    /// Inactive accounts and accounts without a password fail like a wrong password.
    public func authenticate(user: String, password: String, at now: Date = Date()) throws -> LoginOutcome {
        let key = LoginThrottle.key(user)
        let found = try account(user)
        let lockedBefore: Date? = try replica.database.write { db in
            try Self.ensureLocalTables(db)
            try db.execute(sql: "DELETE FROM local_login_attempt WHERE at < ?", arguments: [Self.ms(now.addingTimeInterval(-LoginThrottle.window))])
            if let until = try Int64.fetchOne(db, sql: "SELECT until FROM local_lockout WHERE user_key = ?", arguments: [key]),
               until > Self.ms(now) {
                return Date(timeIntervalSince1970: Double(until) / 1000)
            }
            try db.execute(sql: "INSERT INTO local_login_attempt(user_key, at) VALUES (?, ?)", arguments: [key, Self.ms(now)])
            let attempts = try Int.fetchOne(db, sql: "SELECT count(*) FROM local_login_attempt WHERE user_key = ?", arguments: [key]) ?? 0
            if attempts > LoginThrottle.maxFailures {
                let until = now.addingTimeInterval(LoginThrottle.lockDuration)
                try db.execute(sql: "INSERT OR REPLACE INTO local_lockout(user_key, until) VALUES (?, ?)", arguments: [key, Self.ms(until)])
                return until
            }
            return nil
        }
        if let until = lockedBefore { return .locked(staff: found?.0.id, until: until) }
        let ok: Bool
        if let found, found.0.active, let hash = found.hash {
            ok = PasswordHash.verify(password, against: hash)
        } else {
            PasswordHash.verifyNothing(password)
            ok = false
        }
        if ok, let member = found?.0 {
            try replica.database.write { db in
                try db.execute(sql: "DELETE FROM local_login_attempt WHERE user_key = ?", arguments: [key])
            }
            return .success(member)
        }
        let lockedNow: Date? = try replica.database.write { db in
            let attempts = try Int.fetchOne(db, sql: "SELECT count(*) FROM local_login_attempt WHERE user_key = ?", arguments: [key]) ?? 0
            guard attempts >= LoginThrottle.maxFailures else { return nil }
            let until = now.addingTimeInterval(LoginThrottle.lockDuration)
            try db.execute(sql: "INSERT OR REPLACE INTO local_lockout(user_key, until) VALUES (?, ?)", arguments: [key, Self.ms(until)])
            try db.execute(sql: "DELETE FROM local_login_attempt WHERE user_key = ?", arguments: [key])
            return until
        }
        return .failed(staff: found?.0.id, lockedUntil: lockedNow)
    }

    /// Logs `user` in for `lifetime` (``authenticate(user:password:at:)``) and opens a
    /// session: a new random token, of which only the hash is stored. Other sessions are
    /// left alone: the front end ends the one it replaces (``logout(token:)``), after a
    /// failure too. Logins, failures and lockouts go to the audit trail.
    public func login(user: String, password: String, lifetime: TimeInterval = Session.defaultLifetime) throws -> LoginResult {
        let now = Date()
        func audit(_ action: String, _ staff: String?, _ detail: String? = nil) {
            let role = staff.flatMap { try? self.role(of: $0) }
            try? recordAudit(AuditEvent(action: action, staff: staff, role: role?.rawValue, detail: detail, at: now))
        }
        switch try authenticate(user: user, password: password, at: now) {
        case .success(let member):
            let token = Self.newToken()
            let expires = now.addingTimeInterval(lifetime)
            try replica.database.write { db in
                try db.execute(sql: "DELETE FROM local_session WHERE expires_at < ?", arguments: [Self.ms(now)])
                try db.execute(sql: "INSERT INTO local_session(token_hash, staff, started_at, expires_at) VALUES (?, ?, ?, ?)",
                               arguments: [Self.tokenHash(token), member.id, Self.ms(now), Self.ms(expires)])
            }
            audit("login", member.id)
            return .success(member, token: token, expiresAt: expires)
        case .failed(let staff, let lockedUntil):
            audit("login-failed", staff, staff == nil ? "unknown user name" : nil)
            if let lockedUntil { audit("lockout", staff, "locked until \(TimeFormat.short(lockedUntil))") }
            return .failed(lockedUntil: lockedUntil)
        case .locked(let staff, let until):
            audit("login-failed", staff, "locked")
            return .locked(until: until)
        }
    }

    /// The desk signed in for the session whose token is `token`, on `clock`; refuses an
    /// unknown or expired token (the expiry on the real clock) and removes an expired one.
    public func resume(token: String, clock: DeskClock = .system) throws -> Desk {
        let now = Date()
        let row = try replica.database.write { db -> Row? in
            try Self.ensureLocalTables(db)
            return try Row.fetchOne(db, sql: "SELECT staff, expires_at FROM local_session WHERE token_hash = ?", arguments: [Self.tokenHash(token)])
        }
        guard let row, let staff = row["staff"] as String?, let expires = row["expires_at"] as Int64? else {
            throw DeskError.refused("not logged in (no such session): run `gatehouse login --user ID`")
        }
        guard expires > Self.ms(now) else {
            try logout(token: token)
            throw DeskError.refused("the session of \(staff) ended at \(TimeFormat.short(Date(timeIntervalSince1970: Double(expires) / 1000))); log in again")
        }
        do {
            return try signedIn(as: staff, clock: clock)
        } catch let e as DeskError {
            if case .refused(let m) = e, m.contains("no longer active") || m.contains("unknown staff") {
                try logout(token: token)
                throw DeskError.refused("\(staff) is no longer an active staff member; the session is closed")
            }
            throw e
        }
    }

    /// Ends the session of `token`; true when there was one.
    @discardableResult
    public func logout(token: String) throws -> Bool {
        try replica.database.write { db in
            try Self.ensureLocalTables(db)
            try db.execute(sql: "DELETE FROM local_session WHERE token_hash = ?", arguments: [Self.tokenHash(token)])
            return db.changesCount > 0
        }
    }

    /// Ends every session on this directory.
    public func endAllSessions() throws {
        try replica.database.write { db in
            try Self.ensureLocalTables(db)
            try db.execute(sql: "DELETE FROM local_session")
        }
    }

    /// Lifts a lock on `user` and forgets its failures, as the administrator.
    public func unlockLogin(user: String) throws {
        let me = try authorize(.staffManage)
        let key = LoginThrottle.key(user)
        let lifted = try replica.database.write { db -> Bool in
            try Self.ensureLocalTables(db)
            try db.execute(sql: "DELETE FROM local_lockout WHERE user_key = ?", arguments: [key])
            let had = db.changesCount > 0
            try db.execute(sql: "DELETE FROM local_login_attempt WHERE user_key = ?", arguments: [key])
            return had
        }
        try recordAudit(AuditEvent(action: "unlock", staff: me.staff, role: me.role?.rawValue,
                                   detail: "\(user.trimmingWhitespace())\(lifted ? "" : " (was not locked)")", at: Date()))
    }
}
