import Foundation
import GRDB

/// Backups of a replica's database, and what a restored copy must change before it may
/// talk to its peers again.
///
/// A restored database has forgotten everything written after the backup, but its peers
/// have not: they hold its later writes (with dots beyond its restored counter) and
/// acknowledged positions of its log beyond its restored head. If it went on counting from
/// the backup it would hand out the same dots and positions a second time for different
/// changes, and every peer would take them for duplicates. So a restored copy either
/// takes a new identity (``adoptNewIdentity(at:newID:now:)``: the hub) or skips its
/// counters far ahead (``skipAhead(at:by:)``: a node, whose identity is bound to its key).
extension Replica {
    /// The gap ``skipAhead(at:by:)`` leaves by default: 2^40 changes, more than a replica
    /// writes in a lifetime (35 years at 1,000 transactions a second) and small enough for
    /// eight million restores before the 2^63-1 limit of a counter or position.
    public static let restoreGap: UInt64 = 1 << 40

    /// Writes a consistent copy of the database to `path` (which must not exist) through
    /// SQLite's online backup API, while other connections and processes go on writing:
    /// the copy is the database as of one read transaction. The file is created with mode
    /// 0600 (it holds everything the replica holds) and synced before this returns.
    ///
    /// ```swift
    /// try Replica.backup(databaseAt: "/srv/c001/gatehouse.sqlite", to: "/backup/c001-2026-12-06.sqlite")
    /// ```
    public static func backup(databaseAt source: String, to path: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { throw ReplicationError.invalidInput("no replica database at \(source)") }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicationError.invalidInput("\(path) already exists; refusing to overwrite it (choose a new file name)")
        }
        var sourceConfig = Configuration()
        sourceConfig.readonly = true
        sourceConfig.busyMode = .timeout(30)
        let from = try DatabaseQueue(path: source, configuration: sourceConfig)
        // Create the file 0600 before SQLite opens it: SQLite keeps an existing file's mode.
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ReplicationError.invalidInput("cannot create \(path)")
        }
        do {
            var destConfig = Configuration()
            destConfig.busyMode = .timeout(30)
            let to = try DatabaseQueue(path: path, configuration: destConfig)
            try from.backup(to: to)
            try to.writeWithoutTransaction { db in
                // The copy is one self-contained file: no WAL beside it.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
                guard check == ["ok"] else { throw ReplicationError.corrupt("the backup copy fails its check: \(check.prefix(3).joined(separator: "; "))") }
            }
            try to.close()
            try from.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// The identities this replica wrote with before it was restored from a backup
    /// (``adoptNewIdentity(at:newID:now:)``); empty for one never restored.
    public func retiredIdentities() throws -> Set<ReplicaID> {
        try database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT replica FROM _rep_retired").compactMap(ReplicaID.init(rawValue:)))
        }
    }

    /// Gives the (closed) replica database at `path` a new identity: its later writes carry
    /// `newID` in their dots, and the old id is recorded as retired, so the writes of the
    /// old id that the restore lost can come back from peers without clashing with new ones
    /// (``Sender/lostWritesOf``). Returns the old id. Counters and log positions go on from
    /// where the backup left them: a new id has issued nothing yet.
    @discardableResult
    public static func adoptNewIdentity(at path: String, newID: ReplicaID, now: Date = Date()) throws -> ReplicaID {
        try withClosedReplica(at: path) { db in
            guard let old = try String.fetchOne(db, sql: "SELECT replica FROM _rep_local").flatMap(ReplicaID.init(rawValue:)) else {
                throw ReplicationError.corrupt("the database has no replica identity")
            }
            guard old != newID else { throw ReplicationError.invalidInput("the new identity must differ from \(old)") }
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS _rep_retired (replica TEXT PRIMARY KEY NOT NULL, retired_at INTEGER NOT NULL) WITHOUT ROWID")
            try db.execute(sql: "INSERT OR IGNORE INTO _rep_retired(replica, retired_at) VALUES (?, ?)",
                           arguments: [old.rawValue, Int64(now.timeIntervalSince1970)])
            try db.execute(sql: "UPDATE _rep_local SET replica = ?", arguments: [newID.rawValue])
            try db.execute(sql: "INSERT OR IGNORE INTO _rep_replicas(replica) VALUES (?)", arguments: [newID.rawValue])
            return old
        }
    }

    /// Moves the (closed) replica database's change counter and log position `gap` ahead,
    /// keeping its identity: the dots and positions it issued after the backup, which its
    /// peers hold, are never issued again.
    public static func skipAhead(at path: String, by gap: UInt64 = restoreGap) throws {
        try withClosedReplica(at: path) { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT counter, seq FROM _rep_local") else {
                throw ReplicationError.corrupt("the database has no replica identity")
            }
            let counter = UInt64(row[0] as Int64), seq = UInt64(row[1] as Int64)
            let limit = UInt64(Int64.max)
            guard counter <= limit - gap, seq <= limit - gap else {
                throw ReplicationError.invalidInput("the replica's counters are too close to their limit to skip ahead")
            }
            try db.execute(sql: "UPDATE _rep_local SET counter = ?, seq = ?",
                           arguments: [Int64(counter + gap), Int64(seq + gap)])
        }
    }

    /// Forgets how far the (closed) replica database applied every peer's log, so it pulls
    /// everything again (merging is idempotent).
    public static func forgetReceivedCursors(at path: String) throws {
        try withClosedReplica(at: path) { db in try db.execute(sql: "UPDATE _rep_peers SET received = 0") }
    }

    /// Runs `body` in one transaction on a replica database no `Replica` has open. The
    /// engine's own tables are not guarded by triggers; record tables are not touched.
    static func withClosedReplica<T>(at path: String, _ body: (Database) throws -> T) throws -> T {
        guard FileManager.default.fileExists(atPath: path) else { throw ReplicationError.invalidInput("no replica database at \(path)") }
        var config = Configuration()
        config.busyMode = .timeout(10)
        let q = try DatabaseQueue(path: path, configuration: config)
        defer { try? q.close() }
        return try q.write { db in
            guard try db.tableExists("_rep_local") else { throw ReplicationError.invalidInput("\(path) is not a gatehouse replica database") }
            return try body(db)
        }
    }
}
