import Crypto
import Foundation
import GRDB
import ServiceDesk

/// The browser sessions of one daemon, server-side, in their own SQLite database in the
/// data directory (`web-sessions.sqlite`, 0600). Not in the replicated database: a session
/// is this machine's business, and replicating it would send sign-ins to head office.
///
/// The cookie carries a random 256-bit token; the database keeps only its SHA-256, so a
/// copy of the file (a backup) signs nobody in. A session ends at logout, after
/// ``idleTimeout`` without a request, after ``lifetime`` (a shift), or when its staff
/// member is made inactive (checked at every request by the authenticator).
public final class WebSessions: Sendable {
    /// Minutes without a request after which the session ends (shown on the login page).
    public static let idleTimeout: TimeInterval = 30 * 60
    /// The longest a session lasts, however busy: a shift, as `gatehouse login`.
    public static let lifetime: TimeInterval = Session.defaultLifetime

    /// One verified session.
    public struct Record: Sendable, Equatable {
        public var staff: String
        public var startedAt: Date
        public var lastSeen: Date
        public var expiresAt: Date
    }

    let db: DatabaseQueue
    public let path: String

    /// Opens (or creates, owner-only) `web-sessions.sqlite` in `directory`.
    public init(directory: DataDirectory) throws {
        path = directory.url.appendingPathComponent("web-sessions.sqlite").path
        if !FileManager.default.fileExists(atPath: path) {
            // Created 0600 before SQLite opens it, so it is never readable by others.
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        var config = Configuration()
        config.busyMode = .timeout(5)
        db = try DatabaseQueue(path: path, configuration: config)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS web_session (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    staff TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    last_seen REAL NOT NULL,
                    expires_at REAL NOT NULL)
                """)
        }
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Starts a session for `staff`; returns the token for the cookie. Ended sessions are
    /// swept out on the way.
    public func create(staff: String, now: Date) throws -> String {
        let token = CSRFToken.randomSecret()
        try db.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE expires_at <= ? OR last_seen <= ?",
                           arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970 - Self.idleTimeout])
            try db.execute(sql: "INSERT INTO web_session (token_hash, staff, started_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Self.hash(token), staff, now.timeIntervalSince1970, now.timeIntervalSince1970,
                                       now.timeIntervalSince1970 + Self.lifetime])
        }
        return token
    }

    /// The session of `token` if it is still valid at `now`, its idle clock restarted; an
    /// expired one is removed and gives nil.
    public func verify(_ token: String, now: Date) throws -> Record? {
        guard !token.isEmpty else { return nil }
        let key = Self.hash(token)
        return try db.write { db -> Record? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM web_session WHERE token_hash = ?", arguments: [key]) else { return nil }
            let r = Record(staff: row["staff"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                           lastSeen: Date(timeIntervalSince1970: row["last_seen"]), expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
            guard r.expiresAt > now, now.timeIntervalSince(r.lastSeen) < Self.idleTimeout else {
                try db.execute(sql: "DELETE FROM web_session WHERE token_hash = ?", arguments: [key])
                return nil
            }
            // Restart the idle clock, at most once a minute: most requests only read.
            if now.timeIntervalSince(r.lastSeen) > 60 {
                try db.execute(sql: "UPDATE web_session SET last_seen = ? WHERE token_hash = ?", arguments: [now.timeIntervalSince1970, key])
            }
            return r
        }
    }

    /// Ends the session of `token` (logout); true when there was one.
    @discardableResult
    public func end(_ token: String) throws -> Bool {
        try db.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE token_hash = ?", arguments: [Self.hash(token)])
            return db.changesCount > 0
        }
    }

    /// Ends every session of `staff` (made inactive).
    public func endAll(staff: String) throws {
        try db.write { db in try db.execute(sql: "DELETE FROM web_session WHERE staff = ?", arguments: [staff]) }
    }

    /// How many sessions are open at `now` (for tests and status).
    public func count(now: Date) throws -> Int {
        try db.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM web_session WHERE expires_at > ? AND last_seen > ?",
                             arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970 - Self.idleTimeout]) ?? 0
        }
    }
}
