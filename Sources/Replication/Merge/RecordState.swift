/// The full replicated state of one record: what travels between replicas, and what the
/// merge function works on. Shipping whole record states (rather than operations) makes
/// the merge a join: any order, with duplicates, gives the same result.
public struct RecordState: Hashable, Sendable {
    public var table: String
    public var id: String
    /// Every write this state includes, for this record.
    public var vector: VersionVector
    /// One per slot of the table's layout, in layout order.
    public var slots: [SlotState]
    /// The clock of the delete, when the record is a tombstone.
    public var deletion: Clock?
    /// Settled conflicts: the concurrent values a local write replaced (see
    /// `ConflictEntry`), sorted by key (field, loser dot). Open conflicts are not here:
    /// they are the slots' `siblings` (see `openConflicts(_:)`).
    public var history: [ConflictEntry]

    public init(table: String, id: String, vector: VersionVector, slots: [SlotState], deletion: Clock? = nil,
                history: [ConflictEntry] = []) {
        self.table = table
        self.id = id
        self.vector = vector
        self.slots = slots
        self.deletion = deletion
        self.history = history
    }

    public var isDeleted: Bool { deletion != nil }

    /// Number of open conflicts (siblings over all slots).
    public var siblingCount: Int {
        var n = 0
        for s in slots { n += s.siblings.count }
        return n
    }

    /// A local write to register slot `i`: the slot takes `values` under `clock`. The
    /// writer has seen every sibling the slot held, so this write settles them: each is
    /// kept as a history entry (loser = the sibling, winner = the slot's previous winner,
    /// resolution = `clock`) and the slot has no siblings afterwards.
    mutating func overwrite(slot i: Int, with values: [Value], clock: Clock, layout: TableLayout) {
        let old = slots[i]
        if !old.siblings.isEmpty, let w = old.clock {
            let slot = layout.slots[i]
            let settled = old.siblings.map {
                ConflictEntry(field: slot.name, policy: slot.policy.name, needsReview: Merge.needsReview(slot.policy),
                              winner: w, winnerValues: old.values, loser: $0.clock, loserValues: $0.values, resolution: clock)
            }.sorted(by: ConflictEntry.keyLess)
            history = Merge.unionHistory(history, settled)
        }
        slots[i].values = values
        slots[i].clock = clock
        slots[i].siblings = []
    }

    /// The state as a replica on an earlier schema holds it (`layout` is that version's
    /// layout of the table, whose slots are a prefix of today's): the slots of then, and
    /// the settled conflicts of their fields. The vector is kept whole.
    func projected(to layout: TableLayout) -> RecordState {
        guard slots.count > layout.slots.count else { return self }
        var s = self
        s.slots.removeLast(slots.count - layout.slots.count)
        s.history = history.filter { layout.fieldSlot[$0.field] != nil }
        return s
    }

    /// A state from a replica on an earlier schema, completed to today's `layout`. The
    /// sender cannot have written the fields added since, so each added slot is the
    /// receiver's own (`local`) when the sender's vector covers every write in it (it has
    /// seen them, in the record it was sent), else never written (the merge then keeps the
    /// receiver's). A record new here gets unwritten slots.
    func upgraded(to layout: TableLayout, local: RecordState?) -> RecordState {
        guard slots.count < layout.slots.count else { return self }
        var s = self
        for i in slots.count..<layout.slots.count {
            if let local, i < local.slots.count, local.slots[i].allDots.allSatisfy(vector.covers) {
                s.slots.append(local.slots[i])
            } else {
                s.slots.append(SlotState(values: Array(repeating: .null, count: layout.slots[i].columns.count), clock: nil,
                                         elements: layout.isSetSlot[i] ? [] : nil))
            }
        }
        return s
    }

    /// The open conflicts, derived from the slots' siblings: one per sibling whose values
    /// differ from the winner's, the slot's winner against it, sorted by (field, loser dot).
    /// Two replicas that wrote the same value concurrently (`C001` and `C001`) disagree on
    /// nothing: the sibling stays in the state (the merge keeps writes by dot, which is
    /// what makes it order-independent) but is no conflict for anyone to review, and the
    /// next write to the field settles it like any other.
    public func openConflicts(_ layout: TableLayout) -> [ConflictEntry] {
        var out: [ConflictEntry] = []
        for (i, s) in slots.enumerated() where !s.siblings.isEmpty && i < layout.slots.count {
            guard let w = s.clock else { continue }
            let slot = layout.slots[i]
            for sib in s.siblings where sib.values != s.values {
                out.append(ConflictEntry(field: slot.name, policy: slot.policy.name, needsReview: Merge.needsReview(slot.policy),
                                         winner: w, winnerValues: s.values, loser: sib.clock, loserValues: sib.values))
            }
        }
        out.sort(by: ConflictEntry.keyLess)
        return out
    }
}

/// One slot's state, a multi-value register: the winning write (its column values and
/// clock, which the columns show) and the other concurrent writes not yet superseded
/// (`siblings`, sorted by dot). For add-wins sets: the live elements with the dots that
/// added them (sets never have siblings).
public struct SlotState: Hashable, Sendable {
    public var values: [Value]
    public var clock: Clock?
    public var elements: [SetElement]?
    /// Concurrent writes that lost to the winner by the slot's policy and that no write
    /// has superseded yet: each is an open conflict. Sorted by dot, never the winner's dot.
    public var siblings: [Sibling]
    public init(values: [Value], clock: Clock?, elements: [SetElement]? = nil, siblings: [Sibling] = []) {
        self.values = values
        self.clock = clock
        self.elements = elements
        self.siblings = siblings
    }
}

extension SlotState {
    /// Every dot in the slot: its winner's, its siblings', its set elements'.
    var allDots: [Dot] {
        var out: [Dot] = []
        if let c = clock { out.append(c.dot) }
        for s in siblings { out.append(s.clock.dot) }
        for e in elements ?? [] { out += e.dots }
        return out
    }
}

/// A concurrent write kept beside a slot's winner: its values and clock.
public struct Sibling: Hashable, Sendable {
    public var values: [Value]
    public var clock: Clock
    public init(values: [Value], clock: Clock) {
        self.values = values
        self.clock = clock
    }
}

/// A live element of an add-wins set and the (sorted) dots of the adds that keep it.
public struct SetElement: Hashable, Sendable {
    public var value: Value
    public var dots: [Dot]
    public init(value: Value, dots: [Dot]) {
        self.value = value
        self.dots = dots
    }
}

/// A value that lost to a concurrent write to the same field. Open ones (no
/// `resolution`) are derived from a slot's siblings; settled ones are the record's
/// `history`, made only by the local write that replaced the siblings (the resolution),
/// kept forever and replicated with the record. Keyed by (field, loser's dot).
public struct ConflictEntry: Hashable, Sendable {
    public var field: String
    public var policy: String
    /// Whether the field's policy asks a person to review the choice.
    public var needsReview: Bool
    public var winner: Clock
    public var winnerValues: [Value]
    public var loser: Clock
    public var loserValues: [Value]
    /// The write that settled the conflict, when someone resolved it.
    public var resolution: Clock?

    public init(field: String, policy: String, needsReview: Bool, winner: Clock, winnerValues: [Value],
                loser: Clock, loserValues: [Value], resolution: Clock? = nil) {
        self.field = field
        self.policy = policy
        self.needsReview = needsReview
        self.winner = winner
        self.winnerValues = winnerValues
        self.loser = loser
        self.loserValues = loserValues
        self.resolution = resolution
    }

    public var isOpen: Bool { resolution == nil }

    static func keyLess(_ a: ConflictEntry, _ b: ConflictEntry) -> Bool {
        a.field != b.field ? a.field < b.field : a.loser.dot < b.loser.dot
    }
    func sameKey(_ o: ConflictEntry) -> Bool { field == o.field && loser.dot == o.loser.dot }
}
