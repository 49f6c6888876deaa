import GRDB

extension Replica {
    /// Local changes waiting for `peer` (after its acknowledged position, not received
    /// from it) and the hybrid-logical time of the oldest one. With no peer yet, every
    /// local change is waiting.
    public func pendingSummary(for peer: ReplicaID?, scope: ScopeFilter = .all) throws -> (count: Int, oldest: HLCTimestamp?) {
        let acked = try peer.map { try acknowledgedCursor(of: $0) } ?? 0
        return try database.read { db in
            var r = ReplicaResolver(directory)
            let src = try peer.flatMap { try r.index($0, db, allocate: false).nonZero } ?? -1
            var count = 0
            var oldest: (seq: Int64, table: TableLayout, id: String)?
            let heads: ScopeHeads? = nil
            for l in tables {
                for s in Storage.streams(l, after: acked, scope: scope, heads: heads) {
                    let cond = " WHERE \(s.condition) AND _src != ?"
                    let args = StatementArguments(s.args + [src.databaseValue])
                    count += try Int.fetchOne(db, sql: "SELECT count(*) FROM \(s.from)" + cond, arguments: args) ?? 0
                    if let row = try Row.fetchOne(db, sql: "SELECT _seq, id FROM \(s.from)" + cond + " ORDER BY _seq LIMIT 1", arguments: args) {
                        let seq: Int64 = row[0]
                        if oldest == nil || seq < oldest!.seq { oldest = (seq, l, row[1]) }
                    }
                }
            }
            guard let o = oldest, let s = try Storage.load(o.table, id: o.id, db, &r) else { return (count, nil) }
            // The record's latest change is the one waiting: its newest clock.
            var newest: HLCTimestamp?
            s.forEachClock { c in if newest == nil || c.hlc > newest! { newest = c.hlc } }
            return (count, newest)
        }
    }
}

extension Replica {
    /// The center a record belongs to, or nil when it is shared by all centers.
    public func scope(of state: RecordState) -> String? {
        layouts[state.table]?.scope(of: state)
    }
}
