import GRDB

/// A conflict entry with the record it belongs to.
public struct ConflictRecord: Sendable, Hashable {
    public var table: String
    public var recordID: String
    public var entry: ConflictEntry
    /// Hybrid-logical time of the conflict: for an open one the later of its two writes,
    /// for a resolved one the write that settled it. The same on every replica.
    public var detectedAt: HLCTimestamp

    /// A stable, human-typable key: `table/record/field/replica:counter`.
    public var key: String { "\(table)/\(recordID)/\(entry.field)/\(entry.loser.dot)" }
}

extension Replica {
    /// Lists conflict records, newest first. Open conflicts are the slots' siblings
    /// (records with `_nconf > 0`, found by index); resolved ones are the records'
    /// history entries.
    /// - Parameters:
    ///   - openOnly: only conflicts nobody has resolved yet.
    ///   - reviewOnly: only those whose policy asks for a person's review.
    public func conflicts(openOnly: Bool = true, reviewOnly: Bool = false, table: String? = nil,
                          recordID: String? = nil) throws -> [ConflictRecord] {
        try database.read { db in
            var out: [ConflictRecord] = []
            var r = ReplicaResolver(directory)
            for l in tables where table == nil || l.name == table {
                var sql = "SELECT \(Storage.columnList(l)) FROM \(Storage.q(l.storage)) WHERE _nconf > 0"
                var args: [DatabaseValue] = []
                if let recordID { sql += " AND id = ?"; args.append(recordID.databaseValue) }
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)) {
                    let s = try RowCodec.decodeRow(row, l, &r, db)
                    for e in s.openConflicts(l) where !reviewOnly || e.needsReview {
                        out.append(ConflictRecord(table: l.name, recordID: s.id, entry: e, detectedAt: max(e.winner.hlc, e.loser.hlc)))
                    }
                }
            }
            if !openOnly {
                var sql = "SELECT tbl, rid, field, body FROM _rep_conflicts WHERE open = 0"
                var args: [DatabaseValue] = []
                if reviewOnly { sql += " AND review = 1" }
                if let table { sql += " AND tbl = ?"; args.append(table.databaseValue) }
                if let recordID { sql += " AND rid = ?"; args.append(recordID.databaseValue) }
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)) {
                    let e = try Storage.decodeConflict(field: row[2], body: [UInt8](row[3] as Data))
                    out.append(ConflictRecord(table: row[0], recordID: row[1], entry: e, detectedAt: e.resolution?.hlc ?? e.loser.hlc))
                }
            }
            out.sort { a, b in
                if a.detectedAt != b.detectedAt { return a.detectedAt > b.detectedAt }
                if a.table != b.table { return a.table < b.table }
                if a.recordID != b.recordID { return a.recordID < b.recordID }
                if a.entry.field != b.entry.field { return a.entry.field < b.entry.field }
                return a.entry.loser.dot < b.entry.loser.dot
            }
            return out
        }
    }

    /// Finds a conflict by its `key`.
    public func conflict(key: String) throws -> ConflictRecord {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let colon = parts[3].lastIndex(of: ":"),
              let rep = ReplicaID(rawValue: String(parts[3][..<colon])),
              let counter = UInt64(parts[3][parts[3].index(after: colon)...])
        else { throw ReplicationError.invalidInput("malformed conflict key \"\(key)\" (expected table/record/field/replica:counter)") }
        let found = try conflicts(openOnly: false, table: parts[0], recordID: parts[1])
            .first { $0.entry.field == parts[2] && $0.entry.loser.dot == Dot(replica: rep, counter: counter) }
        guard let found else { throw ReplicationError.conflictNotFound(key) }
        return found
    }

    /// Resolves a conflict by its key, as `author`; see `WriteTransaction.resolveConflict`.
    public func resolveConflict(key: String, with resolution: WriteTransaction.Resolution, author: String) throws {
        let c = try conflict(key: key)
        try write(author: author) { tx in
            try tx.resolveConflict(c.table, id: c.recordID, field: c.entry.field, loser: c.entry.loser.dot, with: resolution)
        }
    }

    /// Number of records waiting to reach `peer` (after its acknowledged cursor, in scope).
    public func pendingCount(for peer: ReplicaID, scope: ScopeFilter = .all) throws -> Int {
        try pendingSummary(for: peer, scope: scope).count
    }
}

import Foundation
