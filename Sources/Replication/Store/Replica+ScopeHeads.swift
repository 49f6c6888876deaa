import Foundation
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
    /// Costs each center's own entries since its cursor, never the whole log, and a fixed
    /// number of statements whatever the number of peers (README, "What a center costs the
    /// hub"). Per table: its last position (`max(_seq)`, the end of its `_seq` index); a
    /// peer at or past it has nothing there, with no further query. The peers behind it go
    /// into one statement as a JSON array: for each, SQLite counts its center's range of
    /// the `(center, _seq)` index after its cursor (and the shared rows', when any lie
    /// after the lowest cursor). At 5,000 centers this was 75,000 statements, one per node
    /// and table, and most of `hub status`'s time.
    public func pullLags(_ peers: [(peer: ReplicaID, center: String)]) throws -> [Int] {
        guard !peers.isEmpty else { return [] }
        return try database.read { db in
            var acked: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT peer, acknowledged FROM _rep_peers") { acked[row[0]] = row[1] }
            var index: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT replica, idx FROM _rep_replicas") { index[row[0]] = row[1] }
            // A peer with no index never pushed: no entry is its own (`_src` is never -1).
            let cursors = peers.map { acked[$0.peer.rawValue] ?? 0 }
            let sources = peers.map { index[$0.peer.rawValue] ?? -1 }
            var lags = [Int](repeating: 0, count: peers.count)
            for l in tables {
                let head = try Storage.logHead(l, db)
                guard head > 0 else { continue }
                let behind = peers.indices.filter { cursors[$0] < head }
                guard let low = behind.map({ cursors[$0] }).min() else { continue }
                let shared = try l.scopeField.map { sf in
                    try Bool.fetchOne(db, sql: Storage.sharedAfterQuery(l, sf), arguments: [low]) ?? false
                } ?? true
                var json = "["
                for (k, i) in behind.enumerated() {
                    if k > 0 { json += "," }
                    json += "[" + Self.jsonString(peers[i].center) + "," + String(cursors[i]) + "," + String(sources[i]) + "]"
                }
                json += "]"
                let stmt = try db.cachedStatement(sql: Storage.lagQuery(l, shared: shared))
                let rows = try Row.fetchCursor(stmt, arguments: [json])
                while let row = try rows.next() {
                    let k: Int = row[0], n: Int = row[1]
                    lags[behind[k]] += n
                }
            }
            return lags
        }
    }

    /// `s` as a JSON string; an empty center is null (it has no range of its own).
    static func jsonString(_ s: String) -> String {
        guard !s.isEmpty else { return "null" }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
