import GRDB

/// The only way to change replicated tables: created by `Replica.write(author:_:)`.
///
/// All mutations in one transaction share one dot (this replica's next counter) and one
/// hybrid-logical time. Reads go through `db` and see the transaction's own writes.
public final class WriteTransaction {
    /// The connection, for reads inside the transaction (the views and domain tables).
    public let db: Database
    /// The staff member recorded on every write of this transaction.
    public let author: String
    let replica: Replica
    var resolver: ReplicaResolver
    private let gate: WriteGate
    private var counters: LocalCounters?
    private var txClock: Clock?
    private var touched = 0

    init(replica: Replica, db: Database, author: String, gate: WriteGate) {
        self.replica = replica
        self.db = db
        self.author = author
        self.gate = gate
        self.resolver = ReplicaResolver(replica.directory)
    }

    /// This transaction's clock; the first call bumps the local counter.
    func clock() throws -> Clock {
        if let txClock { return txClock }
        var c = try loadCounters()
        c.counter += 1
        let hlc = c.hlc.tick(wallMillis: replica.wallClock())
        counters = c
        let clock = Clock(dot: Dot(replica: replica.id, counter: c.counter), hlc: hlc, author: author)
        txClock = clock
        return clock
    }

    func loadCounters() throws -> LocalCounters {
        if let counters { return counters }
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT counter, hlc, seq FROM _rep_local"))!
        let c = LocalCounters(counter: row[0], hlc: HybridLogicalClock(last: HLCTimestamp(rawValue: row[1])), seq: row[2])
        counters = c
        return c
    }

    func nextSeq() throws -> UInt64 {
        var c = try loadCounters()
        c.seq += 1
        counters = c
        return c.seq
    }

    func finish() throws {
        guard let c = counters else { return }
        try db.cachedStatement(sql: "UPDATE _rep_local SET counter = ?, hlc = ?, seq = ?").execute(
            arguments: [c.counter, Int64(bitPattern: c.hlc.last.rawValue), c.seq])
        if let txClock {
            try db.cachedStatement(sql: "INSERT INTO _rep_changes(counter, hlc, author, records) VALUES (?, ?, ?, ?)").execute(
                arguments: [txClock.dot.counter, Int64(bitPattern: txClock.hlc.rawValue), author, touched])
        }
    }

    /// The dot of this transaction's writes (bumps the counter if nothing was written yet).
    public func dot() throws -> Dot { try clock().dot }

    /// This replica's id (the replica part of the ids it makes, `RecordID.ordered(replica:)`).
    public var replicaID: ReplicaID { replica.id }

    /// This transaction's hybrid-logical time: later than everything this replica has
    /// seen, so ids built from it sort in causal order.
    public func timestamp() throws -> HLCTimestamp { try clock().hlc }

    /// The current state of a record, tombstones included.
    public func state(_ table: String, id: String) throws -> RecordState? {
        try Storage.load(try replica.layout(table), id: id, db, &resolver)
    }

    /// Creates a record and returns its id (a new random id when `id` is nil). Fields not
    /// given are NULL. `sets` gives the initial elements of add-wins set fields.
    @discardableResult
    public func insert(_ table: String, id: String? = nil, _ values: [String: Value], sets: [String: [Value]] = [:]) throws -> String {
        let l = try replica.layout(table)
        let rid = id ?? RecordID.generate()
        if let p = RecordID.formatProblem(rid) { throw ReplicationError.invalidInput("invalid record id: \(p)") }
        // Only whether the id is taken, and by a tombstone: no need to decode the state.
        if let deleted = try Int.fetchOne(db.cachedStatement(sql: l.sql.deletedByID), arguments: [rid]) {
            throw deleted != 0 ? ReplicationError.recordDeleted(table: table, id: rid) : .recordExists(table: table, id: rid)
        }
        let c = try clock()
        var slots = l.slots.map { s in SlotState(values: Array(repeating: .null, count: s.columns.count), clock: c) }
        for (name, v) in values {
            let (s, p) = try slotOf(l, name)
            try check(v, l, name, s, p)
            if case .addWinsSet = l.slots[s].policy {
                throw ReplicationError.invalidInput("\(table).\(name) is a set; give its elements in `sets`")
            }
            slots[s].values[p] = v
        }
        for (i, slot) in l.slots.enumerated() {
            if case .addWinsSet = slot.policy {
                let els = Set(sets[slot.name] ?? []).sorted(by: Value.canonicalLess)
                slots[i].elements = els.map { SetElement(value: $0, dots: [c.dot]) }
                slots[i].values = [SetCodec.encode(els)]
            } else if case .lifecycle(let lc) = slot.policy, lc.rank(slots[i].values) == nil {
                throw ReplicationError.policyViolation("\(table).\(slot.name): \(slots[i].values[0]) is not a state of \(lc.name)")
            }
        }
        for name in sets.keys {
            let (s, _) = try slotOf(l, name)
            guard case .addWinsSet = l.slots[s].policy else { throw ReplicationError.invalidInput("\(table).\(name) is not a set") }
        }
        var vv = VersionVector()
        vv.raise(c.dot.replica, to: c.dot.counter)
        try store(RecordState(table: table, id: rid, vector: vv, slots: slots), previous: nil, l)
        return rid
    }

    /// Changes fields of a live record. Fields whose value is unchanged are not stamped,
    /// so they do not conflict with concurrent writes elsewhere. A changed slot that had
    /// siblings (open conflicts) is settled by this write: the siblings move to the
    /// record's history.
    public func update(_ table: String, id: String, _ values: [String: Value]) throws {
        let l = try replica.layout(table)
        var s = try live(l, id)
        let before = s
        if l.table.appendOnly { throw ReplicationError.policyViolation("\(table) is append-only; its records cannot change") }
        var changedSlots = Set<Int>()
        for (name, v) in values {
            let (i, p) = try slotOf(l, name)
            try check(v, l, name, i, p)
            if s.slots[i].values[p] == v { continue }
            switch l.slots[i].policy {
            case .addWinsSet:
                throw ReplicationError.invalidInput("\(table).\(name) is a set; use add(_:to:) and remove(_:from:)")
            case .appendOnly:
                throw ReplicationError.policyViolation("\(table).\(name) is append-only and cannot change once set")
            default: break
            }
            if let sf = l.scopeField, l.fields[sf].name == name {
                throw ReplicationError.policyViolation("\(table).\(name) decides which center holds the record and cannot change")
            }
            s.slots[i].values[p] = v
            changedSlots.insert(i)
        }
        guard !changedSlots.isEmpty else { return }
        let c = try clock()
        for i in changedSlots {
            if case .lifecycle(let lc) = l.slots[i].policy {
                guard let new = lc.rank(s.slots[i].values) else {
                    throw ReplicationError.policyViolation("\(table).\(l.slots[i].name): \(s.slots[i].values[0]) is not a state of \(lc.name)")
                }
                let old = lc.rank(before.slots[i].values) ?? []
                guard old.lexicographicallyPrecedes(new) else {
                    throw ReplicationError.policyViolation(
                        "\(table).\(l.slots[i].name) only moves forward: \(before.slots[i].values[0]) cannot become \(s.slots[i].values[0])")
                }
            }
            let values = s.slots[i].values
            s.slots[i].values = before.slots[i].values
            s.overwrite(slot: i, with: values, clock: c, layout: l)
        }
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        try store(s, previous: before, l)
    }

    /// Deletes a record: it becomes a tombstone that replicates like a write. A delete
    /// wins over concurrent edits; their values stay in the tombstone.
    public func delete(_ table: String, id: String) throws {
        let l = try replica.layout(table)
        if l.table.appendOnly { throw ReplicationError.policyViolation("\(table) is append-only; its records cannot be deleted") }
        var s = try live(l, id)
        let before = s
        let c = try clock()
        s.deletion = c
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        try store(s, previous: before, l)
    }

    /// Adds an element to an add-wins set field.
    public func add(_ element: Value, to field: String, of table: String, id: String) throws {
        try editSet(table, id, field) { els, dot in
            if let i = els.firstIndex(where: { $0.value == element }) {
                // Re-adding supersedes the old adds, so a concurrent remove of them loses.
                els[i].dots = [dot]
            } else {
                els.append(SetElement(value: element, dots: [dot]))
                els.sort { Value.canonicalLess($0.value, $1.value) }
            }
        }
    }

    /// Removes an element from an add-wins set field (only the adds seen here).
    public func remove(_ element: Value, from field: String, of table: String, id: String) throws {
        try editSet(table, id, field) { els, _ in els.removeAll { $0.value == element } }
    }

    private func editSet(_ table: String, _ id: String, _ field: String, _ edit: (inout [SetElement], Dot) -> Void) throws {
        let l = try replica.layout(table)
        let (i, _) = try slotOf(l, field)
        guard case .addWinsSet = l.slots[i].policy else { throw ReplicationError.invalidInput("\(table).\(field) is not a set") }
        var s = try live(l, id)
        let before = s
        var els = s.slots[i].elements ?? []
        let c = try clock()
        edit(&els, c.dot)
        if els == (before.slots[i].elements ?? []) { return }
        s.slots[i].elements = els
        s.slots[i].values = [SetCodec.encode(els.map(\.value))]
        s.slots[i].clock = c
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        try store(s, previous: before, l)
    }

    /// How to settle a conflict.
    public enum Resolution: Sendable {
        /// Keep the value that won (re-stamped by the resolving write).
        case keepWinner
        /// Put the losing value back.
        case takeLoser
        /// Enter the right value (values of the field and its companions, in order).
        case value([Value])
    }

    /// Settles every open conflict on `field` of a record (the slot's siblings; `loser`
    /// names one of them) with one new write to the slot that has seen them all, so it
    /// supersedes them everywhere it replicates; each becomes a history entry. Also works
    /// on a tombstone (the write stays inside it). A lifecycle field only moves forward
    /// from its current value, so `.takeLoser` of a lower stage is refused.
    public func resolveConflict(_ table: String, id: String, field: String, loser: Dot, with resolution: Resolution) throws {
        let l = try replica.layout(table)
        if l.table.appendOnly { throw ReplicationError.policyViolation("\(table) is append-only; its records cannot change") }
        guard var s = try state(table, id: id) else { throw ReplicationError.recordNotFound(table: table, id: id) }
        let before = s
        let (i, _) = try slotOf(l, field)
        guard l.slots[i].name == field, let sibling = s.slots[i].siblings.first(where: { $0.clock.dot == loser }) else {
            if s.history.contains(where: { $0.field == field && $0.loser.dot == loser }) {
                throw ReplicationError.invalidInput("the conflict on \(table) \(id) field \(field) with loser \(loser) is already resolved")
            }
            throw ReplicationError.conflictNotFound("on \(table) \(id) field \(field) with loser \(loser)")
        }
        let current = s.slots[i].values
        let wanted: [Value]
        switch resolution {
        case .keepWinner: wanted = current
        case .takeLoser: wanted = sibling.values
        case .value(let v): wanted = v
        }
        guard wanted.count == l.slots[i].columns.count else {
            throw ReplicationError.invalidInput("\(field) takes \(l.slots[i].columns.count) value(s)")
        }
        if wanted != current { try checkChange(l, slot: i, from: current, to: wanted) }
        let c = try clock()
        s.overwrite(slot: i, with: wanted, clock: c, layout: l)
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        try store(s, previous: before, l)
    }

    /// The write rules of `update` for a whole slot changing from `old` to `new` values.
    private func checkChange(_ l: TableLayout, slot i: Int, from old: [Value], to new: [Value]) throws {
        let slot = l.slots[i]
        for (p, c) in slot.columns.enumerated() where old[p] != new[p] {
            let name = l.fields[c].name
            try check(new[p], l, name, i, p)
            if let sf = l.scopeField, sf == c {
                throw ReplicationError.policyViolation("\(l.name).\(name) decides which center holds the record and cannot change")
            }
        }
        switch slot.policy {
        case .appendOnly:
            throw ReplicationError.policyViolation("\(l.name).\(slot.name) is append-only and cannot change once set")
        case .addWinsSet:
            throw ReplicationError.invalidInput("\(l.name).\(slot.name) is a set")
        case .lifecycle(let lc):
            guard let rank = lc.rank(new) else {
                throw ReplicationError.policyViolation("\(l.name).\(slot.name): \(new[0]) is not a state of \(lc.name)")
            }
            guard (lc.rank(old) ?? []).lexicographicallyPrecedes(rank) else {
                throw ReplicationError.policyViolation("\(l.name).\(slot.name) only moves forward: \(old[0]) cannot become \(new[0])")
            }
        default: break
        }
    }

    // MARK: helpers

    private func live(_ l: TableLayout, _ id: String) throws -> RecordState {
        guard let s = try Storage.load(l, id: id, db, &resolver) else { throw ReplicationError.recordNotFound(table: l.name, id: id) }
        if s.isDeleted { throw ReplicationError.recordDeleted(table: l.name, id: id) }
        return s
    }

    private func slotOf(_ l: TableLayout, _ name: String) throws -> (Int, Int) {
        guard let sp = l.fieldSlot[name] else { throw ReplicationError.unknownField(table: l.name, field: name) }
        return sp
    }

    /// `slot` and `position` are where `name` lives (from `slotOf`), so no lookup by name.
    private func check(_ v: Value, _ l: TableLayout, _ name: String, _ slot: Int, _ position: Int) throws {
        let f = l.fields[l.slots[slot].columns[position]]
        if !ColumnType.admits(f.type, v) { throw ReplicationError.invalidInput("\(l.name).\(name) takes \(f.type.rawValue.lowercased()), not \(v)") }
    }

    private func store(_ s: RecordState, previous: RecordState?, _ l: TableLayout) throws {
        let seq = try nextSeq()
        touched += 1
        gate.willWriteRecord()
        try Storage.save(s, previous: previous, l, seq: seq, source: 0, db, &resolver)
    }
}
