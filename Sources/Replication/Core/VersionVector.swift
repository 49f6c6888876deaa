/// A version vector: for each replica, the highest counter of its writes that this
/// state has seen. Entries are kept sorted by replica id so equality and encoding are
/// canonical. Vectors are never pruned (see ARCHITECTURE.md).
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    /// One replica's counter.
    public struct Entry: Hashable, Sendable {
        public var replica: ReplicaID
        public var counter: UInt64
        public init(replica: ReplicaID, counter: UInt64) {
            self.replica = replica
            self.counter = counter
        }
    }

    /// How two vectors relate causally.
    public enum Order: Sendable, Equatable {
        case equal, before, after, concurrent
    }

    public private(set) var entries: [Entry]

    public init() { entries = [] }

    /// Builds a vector from (replica, counter) pairs; zero counters are dropped and
    /// duplicates keep their maximum.
    public init<S: Sequence>(_ pairs: S) where S.Element == (ReplicaID, UInt64) {
        entries = []
        for (r, c) in pairs { raise(r, to: c) }
    }

    /// `VersionVector([a: 1, b: 2])`.
    public init(_ pairs: KeyValuePairs<ReplicaID, UInt64>) {
        self.init(pairs.map { ($0.key, $0.value) })
    }

    public subscript(replica: ReplicaID) -> UInt64 {
        // Vectors hold a handful of entries (centers' nodes and the hub): linear is fastest.
        // By index: `for e in entries` copied each entry (retaining its replica id).
        for i in entries.indices where entries[i].replica == replica { return entries[i].counter }
        return 0
    }

    /// Raises `replica`'s counter to at least `counter`.
    public mutating func raise(_ replica: ReplicaID, to counter: UInt64) {
        guard counter > 0 else { return }
        var i = 0
        while i < entries.count {
            let r = entries[i].replica
            if r == replica {
                if entries[i].counter < counter { entries[i].counter = counter }
                return
            }
            if replica < r { break }
            i += 1
        }
        entries.insert(Entry(replica: replica, counter: counter), at: i)
    }

    /// True when this vector has seen the write identified by `dot`.
    public func covers(_ dot: Dot) -> Bool { self[dot.replica] >= dot.counter }

    /// Pointwise maximum.
    public mutating func merge(_ other: VersionVector) {
        for e in other.entries { raise(e.replica, to: e.counter) }
    }

    public func merged(_ other: VersionVector) -> VersionVector {
        var v = self
        v.merge(other)
        return v
    }

    /// Compares causally: `.before` means every counter here is ≤ other's and one is smaller.
    public func compare(_ other: VersionVector) -> Order {
        var less = false, greater = false
        var i = 0, j = 0
        let a = entries, b = other.entries
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].replica < b[j].replica) {
                greater = true; i += 1
            } else if i == a.count || b[j].replica < a[i].replica {
                less = true; j += 1
            } else {
                if a[i].counter < b[j].counter { less = true } else if a[i].counter > b[j].counter { greater = true }
                i += 1; j += 1
            }
            if less && greater { return .concurrent }
        }
        return less ? .before : (greater ? .after : .equal)
    }

    /// `a ≤ b`: b has seen everything a has.
    public static func <= (a: VersionVector, b: VersionVector) -> Bool {
        let o = a.compare(b)
        return o == .equal || o == .before
    }

    public var description: String {
        "[" + entries.map { "\($0.replica):\($0.counter)" }.joined(separator: ", ") + "]"
    }
}
