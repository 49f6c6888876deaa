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
    /// Losing values of concurrent writes, sorted by key.
    public var conflicts: [ConflictEntry]

    public init(table: String, id: String, vector: VersionVector, slots: [SlotState], deletion: Clock? = nil,
                conflicts: [ConflictEntry] = []) {
        self.table = table
        self.id = id
        self.vector = vector
        self.slots = slots
        self.deletion = deletion
        self.conflicts = conflicts
    }

    public var isDeleted: Bool { deletion != nil }
}

/// One slot's state: its column values, the clock of the write that set them, and for
/// add-wins sets the live elements with the dots that added them.
public struct SlotState: Hashable, Sendable {
    public var values: [Value]
    public var clock: Clock?
    public var elements: [SetElement]?
    public init(values: [Value], clock: Clock?, elements: [SetElement]? = nil) {
        self.values = values
        self.clock = clock
        self.elements = elements
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

/// A value that lost to a concurrent write to the same field. Kept forever (until
/// resolved, and afterwards for history); replicated with its record, so every replica
/// ends with the same set. Keyed by (field, loser's dot).
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
