import Foundation
import GRDB
import ServiceDesk
import ZeroMQ

/// An enrolled node as head office sees it.
public struct EnrolledNode: Codable, Sendable, Equatable, FetchableRecord {
    public var publicKey: String
    public var center: String
    /// Bound at the node's first HELLO; a later HELLO with another id is refused.
    public var replicaID: String?
    public var enrolledAt: Date
    public var revokedAt: Date?
    public var lastSeen: Date?
    public var connectedSince: Date?
    /// `connected`, `offline`, `refused` or `never`.
    public var state: String
    /// The node's log position the hub has committed (its last acknowledged push).
    public var lastPushSeq: Int64
    public var lastPushAt: Date?
    /// The hub's log position the node has applied (its pull cursor).
    public var pullCursor: Int64
    public var lastPullAt: Date?
    /// What the node reported waiting to go out, and since when.
    public var backlog: Int64
    public var oldestPendingAt: Date?
    public var refusedRecords: Int64
    public var lastError: String?
    public var lastErrorAt: Date?

    public var isRevoked: Bool { revokedAt != nil }

    public init(row: Row) throws {
        publicKey = row["public_key"]
        center = row["center"]
        replicaID = row["replica_id"]
        enrolledAt = Self.date(row["enrolled_at"]) ?? Date(timeIntervalSince1970: 0)
        revokedAt = Self.date(row["revoked_at"])
        lastSeen = Self.date(row["last_seen"])
        connectedSince = Self.date(row["connected_since"])
        state = row["state"]
        lastPushSeq = row["last_push_seq"]
        lastPushAt = Self.date(row["last_push_at"])
        pullCursor = row["pull_cursor"]
        lastPullAt = Self.date(row["last_pull_at"])
        backlog = row["backlog"]
        oldestPendingAt = Self.date(row["oldest_pending_at"])
        refusedRecords = row["refused_records"]
        lastError = row["last_error"]
        lastErrorAt = Self.date(row["last_error_at"])
    }

    static func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
}

/// Head office's register of node keys (not replicated: it is the hub's own business).
public struct NodeRegistry: Sendable {
    let db: DatabasePool

    public init(_ db: DatabasePool) throws {
        self.db = db
        var m = DatabaseMigrator()
        m.registerMigration("hub-enrollment-v1") { db in
            try db.execute(sql: """
                CREATE TABLE hub_node (
                  public_key TEXT PRIMARY KEY,
                  center TEXT NOT NULL,
                  replica_id TEXT UNIQUE,
                  enrolled_at INTEGER NOT NULL,
                  revoked_at INTEGER,
                  last_seen INTEGER,
                  connected_since INTEGER,
                  state TEXT NOT NULL DEFAULT 'never',
                  last_push_seq INTEGER NOT NULL DEFAULT 0,
                  last_push_at INTEGER,
                  pull_cursor INTEGER NOT NULL DEFAULT 0,
                  last_pull_at INTEGER,
                  backlog INTEGER NOT NULL DEFAULT 0,
                  oldest_pending_at INTEGER,
                  refused_records INTEGER NOT NULL DEFAULT 0,
                  last_error TEXT,
                  last_error_at INTEGER);
                CREATE INDEX hub_node_center ON hub_node(center);
                CREATE TABLE hub_log (
                  n INTEGER PRIMARY KEY AUTOINCREMENT,
                  at INTEGER NOT NULL,
                  public_key TEXT,
                  center TEXT,
                  event TEXT NOT NULL,
                  detail TEXT);
                """)
        }
        m.registerMigration("hub-meta-v1") { db in
            // The epoch names this hub's log; a restored or rebuilt hub gets a new one so
            // nodes know their cursors no longer apply.
            try db.execute(sql: "CREATE TABLE hub_meta (k INTEGER PRIMARY KEY CHECK (k = 1), epoch INTEGER NOT NULL)")
            try db.execute(sql: "INSERT INTO hub_meta VALUES (1, ?)", arguments: [Int64.random(in: 1...Int64.max)])
        }
        m.registerMigration("hub-keys-version-v1") { db in
            // Bumped by every enrollment and revocation: the running hub reads this one
            // number every second instead of every key, and reloads the keys when it moved.
            try db.execute(sql: "ALTER TABLE hub_meta ADD COLUMN keys_version INTEGER NOT NULL DEFAULT 0")
        }
        try m.migrate(db)
    }

    /// Moves with every enrollment and revocation (and binding): whether the allow-list or
    /// the enrollments changed since it was last read.
    public func keysVersion() throws -> Int64 {
        try db.read { db in try Int64.fetchOne(db, sql: "SELECT keys_version FROM hub_meta") ?? 0 }
    }

    static func bumpKeysVersion(_ db: Database) throws {
        try db.execute(sql: "UPDATE hub_meta SET keys_version = keys_version + 1")
    }

    /// This hub log's epoch.
    public func epoch() throws -> UInt64 {
        try db.read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT epoch FROM hub_meta")!) }
    }

    /// The key bound to a node id, if any.
    public func key(boundTo replicaID: String) throws -> String? {
        try db.read { db in try String.fetchOne(db, sql: "SELECT public_key FROM hub_node WHERE replica_id = ?", arguments: [replicaID]) }
    }

    static func ms(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }

    /// Enrolls a node's public key for a center.
    public func enroll(center: String, publicKey: String, at now: Date = Date()) throws {
        let code = try CenterCode.validate(center)
        guard code != "HQ" else { throw RuntimeError.configuration("HQ is head office itself; enroll a center's node") }
        try CurveKey.validate(publicKey)
        try db.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT center, revoked_at FROM hub_node WHERE public_key = ?", arguments: [publicKey]) {
                let c: String = row[0]
                if (row[1] as Int64?) != nil {
                    throw RuntimeError.configuration("this key was revoked for \(c); a revoked key cannot be enrolled again — generate a new one")
                }
                throw RuntimeError.configuration("this key is already enrolled for \(c)")
            }
            try db.execute(sql: "INSERT INTO hub_node(public_key, center, enrolled_at) VALUES (?, ?, ?)",
                           arguments: [publicKey, code, Self.ms(now)])
            try Self.log(db, now, publicKey, code, "enroll", nil)
            try Self.bumpKeysVersion(db)
        }
    }

    /// Enrolls many keys in one transaction (the fleet benchmark's thousands of centers);
    /// the same checks as ``enroll(center:publicKey:at:)``, all or nothing.
    public func enroll(_ list: [(center: String, publicKey: String)], at now: Date = Date()) throws {
        let checked = try list.map { (try CenterCode.validate($0.center), $0.publicKey) }
        for (c, k) in checked {
            guard c != "HQ" else { throw RuntimeError.configuration("HQ is head office itself; enroll a center's node") }
            try CurveKey.validate(k)
        }
        try db.write { db in
            for (c, k) in checked {
                try db.execute(sql: "INSERT INTO hub_node(public_key, center, enrolled_at) VALUES (?, ?, ?)", arguments: [k, c, Self.ms(now)])
                try Self.log(db, now, k, c, "enroll", nil)
            }
            try Self.bumpKeysVersion(db)
        }
    }

    /// Revokes a node's key (or every key of a center); the node is cut off at once.
    @discardableResult
    public func revoke(center: String? = nil, publicKey: String? = nil, at now: Date = Date()) throws -> Int {
        guard center != nil || publicKey != nil else { throw RuntimeError.configuration("say which node to revoke: --center CODE or --key KEY") }
        return try db.write { db in
            var sql = "UPDATE hub_node SET revoked_at = ?, state = 'refused' WHERE revoked_at IS NULL"
            var args: [DatabaseValueConvertible] = [Self.ms(now)]
            if let center { sql += " AND center = ?"; args.append(try CenterCode.validate(center)) }
            if let publicKey { sql += " AND public_key = ?"; args.append(publicKey) }
            try db.execute(sql: sql, arguments: StatementArguments(args))
            let n = db.changesCount
            guard n > 0 else { throw RuntimeError.configuration("no enrolled, unrevoked node matches") }
            try Self.log(db, now, publicKey, center, "revoke", nil)
            try Self.bumpKeysVersion(db)
            return n
        }
    }

    public func nodes(includeRevoked: Bool = true) throws -> [EnrolledNode] {
        try db.read { db in
            try EnrolledNode.fetchAll(db, sql: "SELECT * FROM hub_node \(includeRevoked ? "" : "WHERE revoked_at IS NULL") ORDER BY center, enrolled_at")
        }
    }

    /// The keys allowed to connect now.
    public func allowedKeys() throws -> Set<String> {
        try db.read { db in Set(try String.fetchAll(db, sql: "SELECT public_key FROM hub_node WHERE revoked_at IS NULL")) }
    }

    public func node(publicKey: String) throws -> EnrolledNode? {
        try db.read { db in try EnrolledNode.fetchOne(db, sql: "SELECT * FROM hub_node WHERE public_key = ?", arguments: [publicKey]) }
    }

    /// Binds a node's replica id to its key at first HELLO; refuses a mismatch.
    public func bind(publicKey: String, replicaID: String, at now: Date) throws {
        try db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT replica_id, revoked_at FROM hub_node WHERE public_key = ?", arguments: [publicKey]) else {
                throw RuntimeError.refused(code: 401, reason: "unknown key")
            }
            if (row[1] as Int64?) != nil { throw RuntimeError.refused(code: 401, reason: "key revoked") }
            if let bound = row[0] as String? {
                guard bound == replicaID else {
                    throw RuntimeError.refused(code: 401, reason: "node id \(replicaID) does not match the id \(bound) bound to this key")
                }
                return
            }
            if let other = try String.fetchOne(db, sql: "SELECT public_key FROM hub_node WHERE replica_id = ?", arguments: [replicaID]), other != publicKey {
                throw RuntimeError.refused(code: 401, reason: "node id \(replicaID) belongs to another key")
            }
            try db.execute(sql: "UPDATE hub_node SET replica_id = ? WHERE public_key = ?", arguments: [replicaID, publicKey])
            try Self.log(db, now, publicKey, nil, "bind", replicaID)
        }
    }

    /// Updates a node's status fields (last seen, state, cursors, backlog, errors).
    public func record(publicKey: String, _ fields: [String: DatabaseValueConvertible?]) throws {
        guard !fields.isEmpty else { return }
        try db.write { db in try Self.record(db, publicKey: publicKey, fields) }
    }

    /// The same update inside the caller's transaction; `addRefused` is added to the
    /// node's refused-record total.
    static func record(_ db: Database, publicKey: String, _ fields: [String: DatabaseValueConvertible?], addRefused: Int = 0) throws {
        let keys = fields.keys.sorted()
        var sets = keys.map { "\($0) = ?" }
        var args = keys.map { fields[$0]! }
        if addRefused != 0 {
            sets.append("refused_records = refused_records + ?")
            args.append(Int64(addRefused))
        }
        guard !sets.isEmpty else { return }
        // Cached: the hub writes the same few column sets for every node, flush after flush.
        try db.cachedStatement(sql: "UPDATE hub_node SET \(sets.joined(separator: ", ")) WHERE public_key = ?")
            .execute(arguments: StatementArguments(args + [publicKey]))
    }

    /// At hub start no session exists, whatever the last run left behind: a crashed hub
    /// never ran the shutdown that marks its sessions offline.
    public func markSessionsOffline() throws {
        try db.write { db in
            try db.execute(sql: "UPDATE hub_node SET state = 'offline', connected_since = NULL WHERE state = 'connected'")
        }
    }

    /// Appends to the hub's event log (connections, refusals, errors).
    public func log(_ event: String, publicKey: String?, center: String?, detail: String?, at now: Date = Date()) throws {
        try db.write { db in try Self.log(db, now, publicKey, center, event, detail) }
    }

    static func log(_ db: Database, _ now: Date, _ key: String?, _ center: String?, _ event: String, _ detail: String?) throws {
        try db.cachedStatement(sql: "INSERT INTO hub_log(at, public_key, center, event, detail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [ms(now), key, center, event, detail])
    }
}
