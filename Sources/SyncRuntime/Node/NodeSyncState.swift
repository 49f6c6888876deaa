import Foundation
import GRDB

/// What the node's sync client last knew, kept in the node's database so `gatehouse
/// status` can report it while the daemon is down.
public struct NodeSyncState: Codable, Sendable, Equatable {
    /// `connected`, `connecting`, `offline`, `refused`, or `never`.
    public var state = "never"
    public var stateSince: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    public var lastPushAt: Date?
    public var lastPullAt: Date?
    /// The last time anything arrived from the hub (a PONG too), written at most about
    /// once a second: how long the node has really been out of touch.
    public var lastContactAt: Date?
    /// The hub's log head at the last contact, to tell how far behind the node was.
    public var hubHeadSeq: Int64 = 0
    /// The node's pull cursor when the hub head was read.
    public var pullCursorAtContact: Int64 = 0
    public var hubID: String?
    public var hubEpoch: UInt64?
    /// The node's schema version when it pulled the hub's log: a node upgraded since pulls
    /// it again from 0, to receive the fields it could not hold before (the hub sent it only
    /// what the earlier version understands).
    public var pullSchemaVersion: Int?
    /// The daemon's process id while it runs.
    public var daemonPID: Int32?
    public var daemonHeartbeatAt: Date?
    public init() {}
}

/// A record the hub refused, as reported in its acknowledgement.
public struct NodeRefusal: Codable, Sendable, Equatable, FetchableRecord {
    public var table: String
    public var record: String
    public var code: Int
    public var reason: String
    public var at: Date
    public init(table: String, record: String, code: Int, reason: String, at: Date) {
        self.table = table
        self.record = record
        self.code = code
        self.reason = reason
        self.at = at
    }
    public init(row: Row) throws {
        table = row["tbl"]
        record = row["rid"]
        code = row["code"]
        reason = row["reason"]
        at = Date(timeIntervalSince1970: Double(row["at"] as Int64) / 1000)
    }
}

/// Persistence of `NodeSyncState` and refusals (node-local tables, not replicated).
public struct NodeSyncStore: Sendable {
    let db: DatabasePool

    public init(_ db: DatabasePool) throws {
        self.db = db
        var m = DatabaseMigrator()
        m.registerMigration("node-sync-v1") { db in
            try db.execute(sql: """
                CREATE TABLE node_sync (k INTEGER PRIMARY KEY CHECK (k = 1), body TEXT NOT NULL);
                CREATE TABLE node_refusal (
                  tbl TEXT NOT NULL, rid TEXT NOT NULL, code INTEGER NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL,
                  PRIMARY KEY (tbl, rid)) WITHOUT ROWID;
                """)
        }
        try m.migrate(db)
    }

    public func load() throws -> NodeSyncState {
        try db.read { db in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM node_sync") else { return NodeSyncState() }
            let d = JSONDecoder()
            d.dateDecodingStrategy = .millisecondsSince1970
            return (try? d.decode(NodeSyncState.self, from: Data(body.utf8))) ?? NodeSyncState()
        }
    }

    /// Read-modify-write in one transaction.
    public func update(_ change: (inout NodeSyncState) -> Void) throws {
        try db.write { db in try update(db, change) }
    }

    /// Read-modify-write inside the caller's transaction (the apply of a pulled batch).
    /// Writes nothing when the state did not change.
    public func update(_ db: Database, _ change: (inout NodeSyncState) -> Void) throws {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        let old = (try String.fetchOne(db, sql: "SELECT body FROM node_sync")).flatMap { try? d.decode(NodeSyncState.self, from: Data($0.utf8)) } ?? NodeSyncState()
        var s = old
        change(&s)
        guard s != old else { return }
        let e = JSONEncoder()
        e.dateEncodingStrategy = .millisecondsSince1970
        e.outputFormatting = .sortedKeys
        try db.execute(sql: "INSERT INTO node_sync(k, body) VALUES (1, ?) ON CONFLICT(k) DO UPDATE SET body = excluded.body",
                       arguments: [String(decoding: try e.encode(s), as: UTF8.self)])
    }

    public func addRefusals(_ list: [NodeRefusal]) throws {
        guard !list.isEmpty else { return }
        try db.write { db in
            for r in list {
                try db.execute(sql: "INSERT OR REPLACE INTO node_refusal(tbl, rid, code, reason, at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [r.table, r.record, r.code, r.reason, Int64(r.at.timeIntervalSince1970 * 1000)])
            }
        }
    }

    public func refusals() throws -> [NodeRefusal] {
        try db.read { db in try NodeRefusal.fetchAll(db, sql: "SELECT * FROM node_refusal ORDER BY at DESC") }
    }
}
