import GRDB

/// A batch of record states from one replica's log, covering log positions
/// `(fromSeq, toSeq]` for one peer's scope.
public struct ChangeBatch: Hashable, Sendable {
    public var schemaVersion: Int
    public var origin: ReplicaID
    /// Exclusive lower bound: the cursor the batch was extracted after.
    public var fromSeq: UInt64
    /// Inclusive upper bound: the receiver's cursor once applied.
    public var toSeq: UInt64
    public var records: [RecordState]
    /// Nothing in scope remains after `toSeq` at extraction time.
    public var isLast: Bool

    public init(schemaVersion: Int, origin: ReplicaID, fromSeq: UInt64, toSeq: UInt64, records: [RecordState], isLast: Bool) {
        self.schemaVersion = schemaVersion
        self.origin = origin
        self.fromSeq = fromSeq
        self.toSeq = toSeq
        self.records = records
        self.isLast = isLast
    }
}

extension ChangeBatch {
    /// The latest wall-clock milliseconds of any clock in the batch's records.
    var latestClockMillis: UInt64 { records.reduce(0) { max($0, $1.latestClockMillis) } }
}

/// Which records a peer may receive.
public enum ScopeFilter: Sendable, Equatable {
    /// Everything (the hub's own view, tests).
    case all
    /// The records of these centers plus everything shared by all centers.
    case centers(Set<String>)

    func admits(_ scope: String?) -> Bool {
        switch self {
        case .all: return true
        case .centers(let set): return scope.map(set.contains) ?? true
        }
    }
}

/// What applying a batch did.
public struct ApplyResult: Sendable, Equatable {
    /// Records whose local state changed.
    public var changed = 0
    /// Records already known (duplicates, echoes).
    public var unchanged = 0
    /// Open conflicts first detected here (see `Merge.Outcome.newConflicts`).
    public var newConflicts = 0
    /// Records kept out, with the reason (also stored in the quarantine table).
    public var refused: [Refusal] = []
    /// The peer's cursor after the batch.
    public var cursor: UInt64 = 0
    public init() {}
}

/// A record a replica refused to apply.
public struct Refusal: Sendable, Equatable, Hashable {
    public var table: String
    public var id: String
    public var reason: String
    /// The record does not fit the receiver's schema (unknown table, wrong shape, a value of
    /// the wrong kind, a set column that contradicts its elements, an id not in the
    /// documented format): GHSP code 400. Otherwise the authority rules refused it: 403.
    public var invalid: Bool { kind == .invalid }
    public var kind: Kind

    /// Why a record was refused, which decides the GHSP code the sender is told.
    public enum Kind: Sendable, Hashable {
        /// The authority rules refused it (403).
        case forbidden
        /// It does not fit the receiver's schema (400).
        case invalid
        /// Another record is held under its id (`TableLayout.idCollision`; 409).
        case collision
    }

    public init(table: String, id: String, reason: String, invalid: Bool = false) {
        self.init(table: table, id: id, reason: reason, kind: invalid ? .invalid : .forbidden)
    }

    public init(table: String, id: String, reason: String, kind: Kind) {
        self.table = table
        self.id = id
        self.reason = reason
        self.kind = kind
    }
}

extension Replica {
    /// The next batch of changes after `cursor` for a peer: record states in log order,
    /// restricted to `scope`, at most `maxCount` records and about `maxBytes`.
    /// Records whose latest state came from `peer` unchanged are skipped (no echo).
    public func changes(after cursor: UInt64, scope: ScopeFilter = .all, for peer: ReplicaID? = nil,
                        maxCount: Int = 1000, maxBytes: Int = 1 << 20) throws -> ChangeBatch {
        precondition(maxCount > 0 && maxBytes > 0)
        return try database.read { db in
            var r = ReplicaResolver(directory)
            let (maxSeq, tableHeads) = try Storage.logHeads(tables, db)
            let src = try peer.flatMap { try r.index($0, db, allocate: false).nonZero } ?? -1
            var found: [(UInt64, RecordState)] = []
            var limitHit: [UInt64] = []  // last seq of each stream that returned a full page
            // A scoped pull reads each table through its center's index range.
            let heads: ScopeHeads? = nil
            for (l, head) in zip(tables, tableHeads) {
                // A table whose log ends at or before the cursor has nothing to send: one
                // probe of the end of its `_seq` index instead of a query per scope stream
                // (at the hub most catch-ups are empty; three queries a table were 15 % of a
                // session's CPU).
                guard head > 0, UInt64(head) > cursor else { continue }
                for stream in Storage.streams(l, after: cursor, scope: scope, heads: heads) {
                    let (sql, args) = Storage.logQuery(l, stream, source: src, limit: maxCount)
                    let stmt = try db.cachedStatement(sql: sql)
                    stmt.setUncheckedArguments(StatementArguments(args))
                    var rows = 0
                    try Storage.forEachRow(stmt, db) { row in
                        let seq = UInt64(bitPattern: row.int(l.fields.count + 4))
                        found.append((seq, try Storage.decode(row, l, db, &r)))
                        rows += 1
                    }
                    if rows == maxCount, let last = found.last { limitHit.append(last.0) }
                }
            }
            found.sort { $0.0 < $1.0 }
            var out: [RecordState] = []
            var bytes = 0
            var to = maxSeq
            var cut = false
            for (seq, s) in found {
                let size = s.batchSize
                if out.count == maxCount || (!out.isEmpty && bytes + size > maxBytes) {
                    cut = true
                    break
                }
                out.append(s)
                bytes += size
                to = seq
            }
            // A full page from one table means later rows of that table were not read,
            // so without a cut the batch ends where the shortest such page ends.
            if !cut { to = limitHit.min() ?? maxSeq }
            to = max(to, cursor)
            return ChangeBatch(schemaVersion: schema.version, origin: id, fromSeq: cursor, toSeq: to, records: out,
                               isLast: to >= maxSeq)
        }
    }

    /// Applies a peer's batch in one transaction together with moving that peer's
    /// cursor. A batch on another schema version is refused whole, and so is one dated
    /// further ahead of the wall clock than `sender` allows. With a `sender`, every record
    /// passes the schema's authority rules against what this replica holds
    /// (``AuthorityCheck``). Records refused by those rules or by `admit` (returning a
    /// reason) are quarantined and the rest still apply.
    /// `unreadable` are records of the same change set the caller could not even decode
    /// (they failed validation): they are quarantined in the same transaction, so their
    /// trace commits exactly when the cursor moves past them (not repeated in the result).
    /// `alongside` runs last in the same transaction with the result, for the caller's
    /// own bookkeeping (the hub's node registry): one commit, one WAL sync, for both.
    @discardableResult
    public func apply(_ batch: ChangeBatch, from peer: ReplicaID, sender: Sender? = nil, unreadable: [Refusal] = [],
                      admit: ((_ record: RecordState, _ scope: String?) -> String?)? = nil,
                      alongside: ((_ db: Database, _ result: ApplyResult) throws -> Void)? = nil) throws -> ApplyResult {
        try applyInOneTransaction([ApplyItem(batch, from: peer, sender: sender, unreadable: unreadable, admit: admit,
                                             alongside: alongside)])[0]
    }

    /// One change set for ``apply(_:)-([ApplyItem])``: the arguments of
    /// ``apply(_:from:sender:unreadable:admit:alongside:)``.
    public struct ApplyItem {
        public var batch: ChangeBatch
        public var peer: ReplicaID
        public var sender: Sender?
        public var unreadable: [Refusal]
        public var admit: ((_ record: RecordState, _ scope: String?) -> String?)?
        public var alongside: ((_ db: Database, _ result: ApplyResult) throws -> Void)?
        public init(_ batch: ChangeBatch, from peer: ReplicaID, sender: Sender? = nil, unreadable: [Refusal] = [],
                    admit: ((_ record: RecordState, _ scope: String?) -> String?)? = nil,
                    alongside: ((_ db: Database, _ result: ApplyResult) throws -> Void)? = nil) {
            self.batch = batch
            self.peer = peer
            self.sender = sender
            self.unreadable = unreadable
            self.admit = admit
            self.alongside = alongside
        }
    }

    /// Applies several change sets, in order, in one transaction: one commit and one WAL
    /// sync for all of them (group commit). Each applies exactly as
    /// ``apply(_:from:sender:unreadable:admit:alongside:)`` would; if one fails (another schema
    /// version, a failing `alongside`), the group rolls back and each change set is applied
    /// again in a transaction of its own, so only the failing one is lost (a transaction
    /// that cannot commit at all fails each one alone). Savepoints would isolate them in
    /// one go, but SQLite copies every page a savepoint touches to a sub-journal first:
    /// it tripled the time spent writing.
    public func apply(_ items: [ApplyItem]) -> [Result<ApplyResult, any Error>] {
        if items.count > 1 {
            do {
                return try applyInOneTransaction(items).map { .success($0) }
            } catch {
                logger.warning("a change set of a group failed; applying them one by one", metadata: ["error": "\(error)"])
            }
        }
        return items.map { item in Result { try applyInOneTransaction([item])[0] } }
    }

    private func applyInOneTransaction(_ items: [ApplyItem]) throws -> [ApplyResult] {
        let (results, snap) = try database.write { db -> ([ApplyResult], ReplicaDirectory.Snapshot) in
            try WriteGate.withOpenGate(db) { gate in
                var r = ReplicaResolver(directory)
                let results = try items.map { try applyOne($0, db, gate, &r) }
                return (results, r.snap)
            }
        }
        directory.adopt(snap)
        return results
    }

    private func applyOne(_ item: ApplyItem, _ db: Database, _ gate: WriteGate, _ r: inout ReplicaResolver) throws -> ApplyResult {
        let (batch, peer, unreadable, admit, alongside) = (item.batch, item.peer, item.unreadable, item.admit, item.alongside)
        // A peer one version behind (a rolling upgrade) sends records of the layouts of then:
        // each is completed with the fields it cannot know (`upgraded(to:local:)`).
        var olderLayouts: [String: TableLayout]?
        if batch.schemaVersion != schema.version {
            guard let old = earlierLayouts[batch.schemaVersion] else {
                throw ReplicationError.schemaMismatch(local: schema.version, remote: batch.schemaVersion)
            }
            olderLayouts = old
        }
        if let bound = item.sender?.maxClockAheadMillis {
            let wall = wallClock()
            let latest = batch.latestClockMillis
            if latest > wall &+ bound {
                throw ReplicationError.clockAhead(peer: peer.rawValue, aheadMillis: latest - wall, boundMillis: bound)
            }
        }
        let peerIdx = try r.index(peer, db)
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT counter, hlc, seq FROM _rep_local"))!
        var hlc = HybridLogicalClock(last: HLCTimestamp(rawValue: row[1]))
        var seq: UInt64 = row[2]
        var result = ApplyResult()
        let now = Int64(wallClock() / 1000)
        for received in batch.records {
            var refusal: String?
            var invalid = false
            var collision: String?
            var remote = received
            if let older = olderLayouts, let l = layouts[remote.table] {
                if let ol = older[remote.table], remote.slots.count == ol.slots.count {
                    remote = remote.upgraded(to: l, local: try Storage.load(l, id: remote.id, db, &r))
                } else {
                    refusal = older[remote.table] == nil ? "unknown table \(remote.table) at schema version \(batch.schemaVersion)"
                        : "expected \(older[remote.table]!.slots.count) fields at schema version \(batch.schemaVersion), got \(remote.slots.count)"
                    invalid = true
                }
            }
            if refusal == nil, let l = layouts[remote.table] {
                refusal = remote.shapeProblem(l)
                invalid = refusal != nil
                refusal = refusal ?? admit?(remote, l.scope(of: remote))
                if refusal == nil {
                    // A record new here takes the fast path (insert without a lookup) once
                    // it passes the rules as a new record; otherwise they are checked
                    // against the record held.
                    let asNew = item.sender.flatMap { AuthorityCheck.refusal(local: nil, remote: remote, merged: remote, layout: l, sender: $0) }
                    if asNew == nil {
                        gate.willWriteRecord()  // counted once per record, whether it inserts or merges
                        if try Storage.insertIfAbsent(remote, l, seq: seq + 1, source: peerIdx, db, &r) {
                            remote.forEachClock { hlc.observe($0.hlc) }
                            seq += 1
                            result.changed += 1
                            continue
                        }
                    }
                    // Another record under the same id is refused before any merge.
                    let held = try Storage.load(l, id: remote.id, db, &r)
                    collision = held.flatMap { l.idCollision(held: $0, received: remote) }
                    if let local = held, collision == nil {
                        let outcome = Merge.merge(local: local, remote: remote, layout: l)
                        if outcome.changed, let sender = item.sender {
                            refusal = AuthorityCheck.refusal(local: local, remote: remote, merged: outcome.state, layout: l, sender: sender)
                        }
                        if refusal == nil {
                            remote.forEachClock { hlc.observe($0.hlc) }
                            if outcome.changed {
                                seq += 1
                                if asNew != nil { gate.willWriteRecord() }
                                try Storage.save(outcome.state, previous: local, l, seq: seq, source: outcome.tookRemote ? peerIdx : 0,
                                                 db, &r)
                                result.changed += 1
                                result.newConflicts += outcome.newConflicts
                            } else {
                                result.unchanged += 1
                            }
                            continue
                        }
                    } else {
                        refusal = collision ?? asNew
                    }
                }
            } else if refusal == nil {
                refusal = "unknown table \(remote.table)"
                invalid = true
            }
            let reason = refusal ?? "refused"
            result.refused.append(Refusal(table: remote.table, id: remote.id, reason: reason,
                                          kind: invalid ? .invalid : collision != nil ? .collision : .forbidden))
            try db.execute(sql: "INSERT INTO _rep_quarantine(peer, tbl, rid, reason, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [peer.rawValue, remote.table, remote.id, reason, now])
            logger.warning("refused record from peer", metadata: [
                "peer": "\(peer)", "table": "\(remote.table)", "id": "\(remote.id)", "reason": "\(reason)"])
        }
        for u in unreadable {
            try db.execute(sql: "INSERT INTO _rep_quarantine(peer, tbl, rid, reason, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [peer.rawValue, u.table, u.id, u.reason, now])
        }
        try db.cachedStatement(sql: "UPDATE _rep_local SET hlc = ?, seq = ?").execute(arguments: [Int64(bitPattern: hlc.last.rawValue), seq])
        // The cursor moves only over a contiguous log prefix; a batch after a gap
        // still merges (merging is idempotent) and is sent again later.
        let current = UInt64(try Int64.fetchOne(db, sql: "SELECT received FROM _rep_peers WHERE peer = ?", arguments: [peer.rawValue]) ?? 0)
        var cursor = current
        if batch.fromSeq <= current && batch.toSeq > current { cursor = batch.toSeq }
        try db.execute(sql: """
            INSERT INTO _rep_peers(peer, received, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(peer) DO UPDATE SET received = excluded.received, updated_at = excluded.updated_at
            """, arguments: [peer.rawValue, Int64(bitPattern: cursor), now])
        result.cursor = cursor
        try alongside?(db, result)
        return result
    }

    /// The centers whose records entered the log after `seq`, whether shared data did (a
    /// table without a scope, or a record without a center), and the log head they were
    /// read at. Read through each table's `_seq` index: it costs the entries since `seq`,
    /// whatever the size of the log. The hub wakes only those centers' sessions.
    public func scopesChanged(after seq: UInt64) throws -> (centers: Set<String>, shared: Bool, head: UInt64) {
        try database.read { db in
            let head = UInt64(try Int64.fetchOne(db, sql: "SELECT seq FROM _rep_local")!)
            var centers: Set<String> = []
            var shared = false
            guard head > seq else { return (centers, shared, head) }
            for l in tables {
                let t = Storage.q(l.storage) + " INDEXED BY " + Storage.q(l.storage + "_seq")
                guard let sf = l.scopeField else {
                    if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(t) WHERE _seq > ?)", arguments: [Int64(bitPattern: seq)]) == true {
                        shared = true
                    }
                    continue
                }
                let col = Storage.q(l.fields[sf].name)
                for c in try String?.fetchAll(db, sql: "SELECT DISTINCT \(col) FROM \(t) WHERE _seq > ?", arguments: [Int64(bitPattern: seq)]) {
                    if let c, !c.isEmpty { centers.insert(c) } else { shared = true }
                }
            }
            return (centers, shared, head)
        }
    }

    /// `batch` as a peer on the earlier schema `version` understands it (a rolling upgrade):
    /// records of tables that did not exist then are left out (their positions stay
    /// covered), the others keep the fields of then and the settled conflicts of those
    /// fields. The peer keeps the record's whole version vector, so when it sends the
    /// record back, the receiver knows it has seen the newer fields' writes and completes
    /// them from its own copy (`upgraded(to:local:)`): newer fields stay intact.
    public func project(_ batch: ChangeBatch, to version: Int) throws -> ChangeBatch {
        guard version != batch.schemaVersion else { return batch }
        guard batch.schemaVersion == schema.version, let old = earlierLayouts[version] else {
            throw ReplicationError.schemaMismatch(local: schema.version, remote: version)
        }
        var out = batch
        out.schemaVersion = version
        out.records = batch.records.compactMap { s in
            guard let ol = old[s.table] else { return nil }
            return s.projected(to: ol)
        }
        return out
    }

    /// The schema versions a peer may be on to exchange change sets with this replica.
    public var compatibleSchemaVersions: ClosedRange<Int> {
        (earlierLayouts.keys.min() ?? schema.version)...schema.version
    }

    /// How far this replica has applied `peer`'s log.
    public func receivedCursor(from peer: ReplicaID) throws -> UInt64 {
        try database.read { db in
            UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT received FROM _rep_peers WHERE peer = ?"), arguments: [peer.rawValue]) ?? 0)
        }
    }

    /// Forgets how far this replica applied `peer`'s log, so the next pull starts from 0:
    /// for a peer whose log was restored or rebuilt (a new epoch). Merging is idempotent,
    /// so re-applying what is already here is harmless.
    public func resetReceivedCursor(from peer: ReplicaID) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE _rep_peers SET received = 0 WHERE peer = ?", arguments: [peer.rawValue])
        }
    }

    /// How far `peer` has acknowledged this replica's log.
    public func acknowledgedCursor(of peer: ReplicaID) throws -> UInt64 {
        try database.read { db in
            UInt64(try Int64.fetchOne(db, sql: "SELECT acknowledged FROM _rep_peers WHERE peer = ?", arguments: [peer.rawValue]) ?? 0)
        }
    }

    /// Records that `peer` acknowledged this replica's log up to `seq` (never moves back).
    public func markAcknowledged(by peer: ReplicaID, upTo seq: UInt64) throws {
        try database.write { db in try markAcknowledged(db, by: peer, upTo: seq) }
    }

    /// The same inside the caller's transaction (the hub writes many at once).
    public func markAcknowledged(_ db: Database, by peer: ReplicaID, upTo seq: UInt64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO _rep_peers(peer, acknowledged, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(peer) DO UPDATE SET acknowledged = max(acknowledged, excluded.acknowledged), updated_at = excluded.updated_at
            """).execute(arguments: [peer.rawValue, Int64(bitPattern: seq), Int64(wallClock() / 1000)])
    }

    /// Every record state in scope (tombstones included), sorted by table and id: what
    /// two converged replicas must agree on.
    public func allStates(scope: ScopeFilter = .all) throws -> [RecordState] {
        try database.read { db in
            var r = ReplicaResolver(directory)
            var out: [RecordState] = []
            for l in tables.sorted(by: { $0.name < $1.name }) {
                let rows = try Row.fetchAll(db, sql: "SELECT \(Storage.columnList(l)) FROM \(Storage.q(l.storage)) ORDER BY id")
                for row in rows {
                    let s = try Storage.decode(row, l, db, &r)
                    if scope.admits(l.scope(of: s)) { out.append(s) }
                }
            }
            return out
        }
    }
}

extension RecordState {
    /// The record's size as GHSP counts it against `max_batch_bytes` (SPEC §12), exactly:
    /// a value counts its UTF-8 or byte length + 2 (text, blob), or 9; a record 32 + its id
    /// and table bytes + 24 per vector entry + per slot (24 + values + 32 per set element +
    /// per sibling (24 + values)) + 128 per history entry. Not the encoded size, which
    /// would need encoding first: a measure every implementation computes alike.
    public var batchSize: Int {
        // By index, not `for s in slots`: binding each slot copied it (a retain and a
        // release of each of its arrays and strings), and this runs for every record sent.
        func size(_ values: [Value]) -> Int {
            var n = 0
            for i in values.indices {
                switch values[i] {
                case .text(let t): n += t.utf8.count + 2
                case .blob(let b): n += b.count + 2
                default: n += 9
                }
            }
            return n
        }
        var n = 32 + id.utf8.count + table.utf8.count + vector.entries.count * 24
        for i in slots.indices {
            n += 24 + size(slots[i].values) + (slots[i].elements?.count ?? 0) * 32
            for k in slots[i].siblings.indices { n += 24 + size(slots[i].siblings[k].values) }
        }
        return n + history.count * 128
    }

    /// The latest wall-clock milliseconds of any clock the state carries (its writes, its
    /// delete, the writes that settled its conflicts).
    var latestClockMillis: UInt64 {
        var latest: UInt64 = 0
        forEachClock { latest = max(latest, $0.hlc.millis) }
        for e in history {
            latest = max(latest, e.winner.hlc.millis, e.loser.hlc.millis, e.resolution?.hlc.millis ?? 0)
        }
        return latest
    }

    func forEachClock(_ body: (Clock) -> Void) {
        for i in slots.indices {
            if let c = slots[i].clock { body(c) }
            for k in slots[i].siblings.indices { body(slots[i].siblings[k].clock) }
        }
        if let d = deletion { body(d) }
    }

    /// Why this state cannot belong to `layout`, if it cannot (GHSP code 400, SPEC §9 and
    /// SCHEMA-v<N>.md): the id's format, the slot count, each slot's width, every value's
    /// kind against its column (NULL fits every column), a set slot carried as a set whose
    /// column is exactly the encoding of its elements (and no set on another slot), dots
    /// covered by the vector, siblings well-formed.
    public func shapeProblem(_ l: TableLayout) -> String? {
        if let p = RecordID.formatProblem(id) { return p }
        guard slots.count == l.slots.count else { return "expected \(l.slots.count) fields, got \(slots.count)" }
        // By index: binding each slot to a name copied it, for every incoming record.
        var covered: Dot?  // most slots of a record share one write: check its dot once
        for i in slots.indices {
            let width = slots[i].values.count
            guard width == l.slots[i].columns.count else { return "field \(l.slots[i].name) has \(width) values" }
            if let p = l.kindProblem(slot: i, slots[i].values) { return p }
            if l.isSetSlot[i] {
                guard let els = slots[i].elements else { return "field \(l.slots[i].name) is a set but is not sent as one (is_set)" }
                let type = l.fields[l.slots[i].columns[0]].type
                for e in els where !ColumnType.admits(type, e.value) || e.value.isNull {
                    return "field \(l.slots[i].name): set element \(e.value) is not \(type.rawValue.lowercased())"
                }
                if slots[i].values[0] != SetCodec.encode(els.map(\.value)) {
                    return "field \(l.slots[i].name): the column \(slots[i].values[0]) is not the JSON array of the set's elements \(SetCodec.encode(els.map(\.value)))"
                }
            } else if slots[i].elements != nil {
                return "field \(l.slots[i].name) is not a set"
            }
            if let c = slots[i].clock, c.dot != covered {
                guard vector.covers(c.dot) else { return "field \(l.slots[i].name) written by \(c.dot) beyond the record's vector" }
                covered = c.dot
            }
            if !slots[i].siblings.isEmpty {
                let s = slots[i]
                guard let c = s.clock, s.elements == nil else { return "field \(l.slots[i].name) has siblings but no winner, or is a set" }
                var prev: Dot?
                for sib in s.siblings {
                    guard sib.values.count == s.values.count else { return "field \(l.slots[i].name) has a sibling with \(sib.values.count) values" }
                    if let p = l.kindProblem(slot: i, sib.values) { return p + " (a sibling)" }
                    guard vector.covers(sib.clock.dot) else { return "field \(l.slots[i].name) sibling \(sib.clock.dot) beyond the record's vector" }
                    guard sib.clock.dot != c.dot, prev.map({ $0 < sib.clock.dot }) ?? true else {
                        return "field \(l.slots[i].name): siblings not strictly sorted or equal to the winner"
                    }
                    prev = sib.clock.dot
                }
            }
        }
        return nil
    }
}
