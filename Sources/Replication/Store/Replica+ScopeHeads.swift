import GRDB

/// The last log position of each table in each scope (a center, or "" for shared
/// records), when known: parts of the log that did not move past a cursor are skipped.
/// Not maintained yet (a trigger-kept table lost updates inside large transactions), so
/// every caller passes nil and reads the index ranges.
struct ScopeHeads {
    var byScope: [String: [String: UInt64]] = [:]

    func head(_ scope: String, _ table: String) -> UInt64 { byScope[scope]?[table] ?? 0 }

}

extension Replica {
    /// For each peer of a center (its replica id and the center it serves): how many
    /// entries of this replica's log in the center's scope (its records and shared ones)
    /// lie after the peer's acknowledged position and did not come from the peer — what it
    /// still has to pull.
    ///
    /// Costs each center's own entries since its cursor, never the whole log: it counts
    /// through each table's `(center, _seq)` index range (and the shared rows').
    public func pullLags(_ peers: [(peer: ReplicaID, center: String)]) throws -> [Int] {
        try database.read { db in
            var acked: [String: UInt64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT peer, acknowledged FROM _rep_peers") {
                acked[row[0]] = UInt64(bitPattern: row[1] as Int64)
            }
            var r = ReplicaResolver(directory)
            return try peers.map { p in
                let cursor = acked[p.peer.rawValue] ?? 0
                let src = try r.index(p.peer, db, allocate: false).nonZero ?? -1
                return try Self.count(db, tables, after: cursor, source: src, scope: .centers([p.center]), heads: nil)
            }
        }
    }

    /// Entries of `scope` after `cursor` not from replica index `source`, through the
    /// streams' indexes.
    static func count(_ db: Database, _ tables: [TableLayout], after cursor: UInt64, source: Int, scope: ScopeFilter,
                      heads: ScopeHeads?) throws -> Int {
        var n = 0
        for l in tables {
            for s in Storage.streams(l, after: cursor, scope: scope, heads: heads) {
                n += try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM \(s.from) WHERE \(s.condition) AND _src != ?"),
                                      arguments: StatementArguments(s.args + [source.databaseValue])) ?? 0
            }
        }
        return n
    }
}
