@testable import Replication

/// An in-memory replica of ONE record, with write rules that mirror `WriteTransaction`
/// (bump the counter once per transaction, tick the HLC, stamp changed slots, lifecycle
/// only forward, add-wins set edits with dots, delete as tombstone, a write to a slot
/// settles its siblings into history, conflict resolution re-stamps the slot)
/// and merges through the pure `Merge.merge`. Used to generate reachable record states.
struct PureReplica {
    let id: ReplicaID
    var counter: UInt64 = 0
    var hlc = HybridLogicalClock()
    var state: RecordState?

    init(_ id: String) { self.id = ReplicaID(rawValue: id)! }

    /// Folds a remote state in, as `Replica.apply` does.
    mutating func merge(_ remote: RecordState, _ l: TableLayout) {
        state = Merge.merge(local: state, remote: remote, layout: l).state
        remote.forEachClock { hlc.observe($0.hlc) }
    }
}

/// One local transaction on a `PureReplica`: all its writes share one clock. Work on a
/// copy and keep it only when every step succeeded (a failed transaction rolls back).
struct PureTx {
    var r: PureReplica
    let wall: UInt64
    let author: String
    private var txClock: Clock?

    init(_ r: PureReplica, wall: UInt64, author: String) {
        self.r = r
        self.wall = wall
        self.author = author
    }

    mutating func clock() -> Clock {
        if let txClock { return txClock }
        r.counter += 1
        let c = Clock(dot: Dot(replica: r.id, counter: r.counter), hlc: r.hlc.tick(wallMillis: wall), author: author)
        txClock = c
        return c
    }

    mutating func insert(_ l: TableLayout, id: String, _ values: [String: Value], sets: [String: [Value]] = [:]) -> Bool {
        guard r.state == nil else { return false }
        let c = clock()
        var slots = l.slots.map { SlotState(values: Array(repeating: .null, count: $0.columns.count), clock: c) }
        for (name, v) in values {
            guard let (s, p) = l.fieldSlot[name] else { return false }
            slots[s].values[p] = v
        }
        for (i, slot) in l.slots.enumerated() {
            if case .addWinsSet = slot.policy {
                let els = Set(sets[slot.name] ?? []).sorted(by: Value.canonicalLess)
                slots[i].elements = els.map { SetElement(value: $0, dots: [c.dot]) }
                slots[i].values = [SetCodec.encode(els)]
            } else if case .lifecycle(let lc) = slot.policy, lc.rank(slots[i].values) == nil {
                return false
            }
        }
        var vv = VersionVector()
        vv.raise(c.dot.replica, to: c.dot.counter)
        r.state = RecordState(table: l.name, id: id, vector: vv, slots: slots)
        return true
    }

    mutating func update(_ l: TableLayout, _ values: [String: Value]) -> Bool {
        guard var s = r.state, !s.isDeleted, !l.table.appendOnly else { return false }
        let before = s
        var changed = Set<Int>()
        for (name, v) in values {
            guard let (i, p) = l.fieldSlot[name] else { return false }
            if s.slots[i].values[p] == v { continue }
            switch l.slots[i].policy {
            case .addWinsSet, .appendOnly: return false
            default: break
            }
            if let sf = l.scopeField, l.fields[sf].name == name { return false }
            s.slots[i].values[p] = v
            changed.insert(i)
        }
        guard !changed.isEmpty else { return true }
        let c = clock()
        for i in changed.sorted() {
            if case .lifecycle(let lc) = l.slots[i].policy {
                guard let new = lc.rank(s.slots[i].values) else { return false }
                guard (lc.rank(before.slots[i].values) ?? []).lexicographicallyPrecedes(new) else { return false }
            }
            let values = s.slots[i].values
            s.slots[i].values = before.slots[i].values
            s.overwrite(slot: i, with: values, clock: c, layout: l)
        }
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        r.state = s
        return true
    }

    mutating func delete(_ l: TableLayout) -> Bool {
        guard var s = r.state, !s.isDeleted, !l.table.appendOnly else { return false }
        let c = clock()
        s.deletion = c
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        r.state = s
        return true
    }

    mutating func add(_ l: TableLayout, _ element: Value, to field: String) -> Bool {
        editSet(l, field) { els, dot in
            if let i = els.firstIndex(where: { $0.value == element }) {
                els[i].dots = [dot]
            } else {
                els.append(SetElement(value: element, dots: [dot]))
                els.sort { Value.canonicalLess($0.value, $1.value) }
            }
        }
    }

    mutating func remove(_ l: TableLayout, _ element: Value, from field: String) -> Bool {
        editSet(l, field) { els, _ in els.removeAll { $0.value == element } }
    }

    private mutating func editSet(_ l: TableLayout, _ field: String, _ edit: (inout [SetElement], Dot) -> Void) -> Bool {
        guard let (i, _) = l.fieldSlot[field], case .addWinsSet = l.slots[i].policy else { return false }
        guard var s = r.state, !s.isDeleted else { return false }
        var els = s.slots[i].elements ?? []
        let c = clock()
        edit(&els, c.dot)
        if els == (s.slots[i].elements ?? []) { return true }
        s.slots[i].elements = els
        s.slots[i].values = [SetCodec.encode(els.map(\.value))]
        s.slots[i].clock = c
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        r.state = s
        return true
    }

    mutating func resolve(_ l: TableLayout, field: String, loser: Dot, with resolution: WriteTransaction.Resolution) -> Bool {
        guard var s = r.state, let (i, _) = l.fieldSlot[field], l.slots[i].name == field,
              let sibling = s.slots[i].siblings.first(where: { $0.clock.dot == loser }) else { return false }
        let current = s.slots[i].values
        let wanted: [Value]
        switch resolution {
        case .keepWinner: wanted = current
        case .takeLoser: wanted = sibling.values
        case .value(let v): wanted = v
        }
        guard wanted.count == l.slots[i].columns.count else { return false }
        if wanted != current {
            switch l.slots[i].policy {
            case .appendOnly, .addWinsSet: return false
            case .lifecycle(let lc):
                guard let new = lc.rank(wanted), (lc.rank(current) ?? []).lexicographicallyPrecedes(new) else { return false }
            default: break
            }
            if let sf = l.scopeField, zip(l.slots[i].columns, zip(current, wanted)).contains(where: { $0.0 == sf && $0.1.0 != $0.1.1 }) {
                return false
            }
        }
        let c = clock()
        s.overwrite(slot: i, with: wanted, clock: c, layout: l)
        s.vector.raise(c.dot.replica, to: c.dot.counter)
        r.state = s
        return true
    }
}
