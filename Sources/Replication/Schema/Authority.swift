/// The two kinds of replica in a star: a center's node, and head office's hub.
public enum Side: String, Sendable, Hashable, CaseIterable {
    case center
    case headOffice = "head office"
}

/// Who may originate a change (create a record, write a field, delete a record): declared
/// in the schema beside the merge policies, and checked by every receiver against the
/// side it knows its peer to be (ARCHITECTURE.md, "The trust boundary").
public enum Authority: String, Sendable, Hashable, CaseIterable {
    /// No replica, through sync: the change never travels (a delete that no one makes).
    case nobody
    /// Only a center's node (of the record's own center).
    case center
    /// Only head office's hub.
    case headOffice = "head office"
    /// A center's node (of the record's center) or head office.
    case anyone = "center or head office"

    /// Whether a replica on `side` may originate the change.
    public func permits(_ side: Side) -> Bool {
        switch self {
        case .nobody: return false
        case .center: return side == .center
        case .headOffice: return side == .headOffice
        case .anyone: return true
        }
    }
}

/// A value-dependent rule of a table, checked on every write a receiver takes from a peer.
public enum ValueRule: Sendable, Hashable, CustomStringConvertible {
    /// A write of `field` originated on `side` holds NULL or one of `values`, e.g. a
    /// center's staff have center roles only.
    case oneOf(field: String, values: [String], when: Side)
    /// `field` holds the replica id of the replica that wrote it: each node writes only
    /// its own audit chain.
    case writerReplica(field: String)

    /// The field the rule constrains.
    public var field: String {
        switch self {
        case .oneOf(let f, _, _), .writerReplica(let f): return f
        }
    }

    public var description: String {
        switch self {
        case .oneOf(let f, let values, let side):
            return "\(f) written by \(side == .center ? "a center" : "head office") is NULL or one of \(values.joined(separator: ", "))"
        case .writerReplica(let f):
            return "\(f) is the replica id of the replica that wrote it"
        }
    }
}

/// Who may create and delete a table's records, and its value rules. Which center a
/// record belongs to (`Scope`) is fixed when it is created and never changes; a center's
/// node originates only records of its own center, never shared ones (`Scope.shared`, or a
/// NULL scope column).
public struct TableAuthority: Sendable {
    /// Who may create records.
    public var create: Authority
    /// Who may delete (tombstone) records. Append-only tables are never deleted, whatever
    /// this says.
    public var delete: Authority
    /// Value-dependent rules.
    public var rules: [ValueRule]

    public init(create: Authority = .anyone, delete: Authority = .anyone, rules: [ValueRule] = []) {
        self.create = create
        self.delete = delete
        self.rules = rules
    }
}

/// Who sent a change set, as the receiver knows it from its own records — the key's
/// enrollment at the hub, the configured hub at a node — never from the change set.
///
/// ```swift
/// // at the hub, for a push on the session of an enrolled key:
/// try hub.apply(batch, from: batch.origin, sender: .centerNode(batch.origin, center: "C001"))
/// // at a node, for the hub's changes:
/// try node.apply(batch, from: batch.origin, sender: .hub(batch.origin, servingCenter: "C001"))
/// ```
public struct Sender: Sendable, Hashable {
    /// Which kind of replica the peer is.
    public var side: Side
    /// The peer's replica id.
    public var replica: ReplicaID
    /// For a center's node: its center, the only one whose records it may send. For the
    /// hub: the receiving node's center, the only one (with the shared data) it may receive.
    public var center: String
    /// Refuse a change set carrying a hybrid-logical time more than this many milliseconds
    /// ahead of the receiver's wall clock (nil: no bound, for simulations with moving clocks).
    public var maxClockAheadMillis: UInt64?
    /// The receiver's own identities from before it was restored from a backup
    /// (``Replica/retiredIdentities()``): writes of theirs that the receiver lost with the
    /// restore may come back from this sender (rule 1 does not apply to them; the field
    /// rules still do). Empty unless the receiver was restored.
    public var lostWritesOf: Set<ReplicaID> = []

    /// How far ahead of a receiver's wall clock a peer's hybrid-logical time may be: five
    /// minutes, the clock-skew tolerance of Kerberos (RFC 4120 §1.7). Enough for machines
    /// that keep time by NTP and for a PC's drift between synchronizations; far too little
    /// for one skewed node to win every last-writer-wins conflict for days.
    public static let defaultMaxClockAheadMillis: UInt64 = 5 * 60 * 1000

    public init(side: Side, replica: ReplicaID, center: String, maxClockAheadMillis: UInt64? = Sender.defaultMaxClockAheadMillis) {
        self.side = side
        self.replica = replica
        self.center = center
        self.maxClockAheadMillis = maxClockAheadMillis
    }

    /// A center's node, enrolled for `center`.
    public static func centerNode(_ replica: ReplicaID, center: String,
                                  maxClockAheadMillis: UInt64? = defaultMaxClockAheadMillis,
                                  lostWritesOf: Set<ReplicaID> = []) -> Sender {
        var s = Sender(side: .center, replica: replica, center: center, maxClockAheadMillis: maxClockAheadMillis)
        s.lostWritesOf = lostWritesOf
        return s
    }

    /// Head office's hub, sending to the node of `servingCenter`.
    public static func hub(_ replica: ReplicaID, servingCenter: String,
                           maxClockAheadMillis: UInt64? = defaultMaxClockAheadMillis) -> Sender {
        Sender(side: .headOffice, replica: replica, center: servingCenter, maxClockAheadMillis: maxClockAheadMillis)
    }
}
