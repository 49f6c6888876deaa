/// The identity of one write: the replica that made it and that replica's counter for
/// the transaction.
public struct Dot: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var replica: ReplicaID
    public var counter: UInt64
    public init(replica: ReplicaID, counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }
    public static func < (a: Dot, b: Dot) -> Bool {
        a.replica != b.replica ? a.replica < b.replica : a.counter < b.counter
    }
    public var description: String { "\(replica):\(counter)" }
}

/// What a field carries about the write that set it: its dot, its hybrid-logical time,
/// and the staff member who made it (empty for system writes).
public struct Clock: Hashable, Sendable, CustomStringConvertible {
    public var dot: Dot
    public var hlc: HLCTimestamp
    public var author: String
    public init(dot: Dot, hlc: HLCTimestamp, author: String = "") {
        self.dot = dot
        self.hlc = hlc
        self.author = author
    }

    /// The last-writer-wins order: later hybrid-logical time, then higher replica id,
    /// then higher counter. Total over distinct dots, and it extends causality because
    /// a replica's clock is always ahead of every time it has observed.
    public static func lwwLess(_ a: Clock, _ b: Clock) -> Bool {
        if a.hlc != b.hlc { return a.hlc < b.hlc }
        if a.dot.replica != b.dot.replica { return a.dot.replica < b.dot.replica }
        return a.dot.counter < b.dot.counter
    }
    public var description: String { "\(dot)@\(hlc)" + (author.isEmpty ? "" : " by \(author)") }
}
