/// A hybrid logical clock timestamp: 48 bits of wall-clock milliseconds since the Unix
/// epoch and 16 bits of logical counter, packed so that integer order is clock order.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(millis: UInt64, logical: UInt16) { rawValue = (millis << 16) | UInt64(logical) }
    public var millis: UInt64 { rawValue >> 16 }
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }
    public static let zero = HLCTimestamp(rawValue: 0)
    public static func < (a: HLCTimestamp, b: HLCTimestamp) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "\(millis).\(logical)" }
}

/// The hybrid logical clock (Kulkarni et al.): timestamps follow wall-clock time where
/// it moves forward, and never go backwards or fall behind anything observed, so a write
/// made after seeing another always carries a later timestamp.
public struct HybridLogicalClock: Sendable {
    public private(set) var last: HLCTimestamp
    public init(last: HLCTimestamp = .zero) { self.last = last }

    /// A timestamp for a local event at wall time `wallMillis`.
    public mutating func tick(wallMillis: UInt64) -> HLCTimestamp {
        if wallMillis > last.millis {
            last = HLCTimestamp(millis: wallMillis, logical: 0)
        } else {
            last = Self.successor(of: last)
        }
        return last
    }

    /// Folds in a timestamp received from another replica.
    public mutating func observe(_ remote: HLCTimestamp) {
        if remote > last { last = remote }
    }

    static func successor(of t: HLCTimestamp) -> HLCTimestamp {
        // On logical overflow borrow a millisecond rather than wrap.
        t.logical == UInt16.max ? HLCTimestamp(millis: t.millis + 1, logical: 0) : HLCTimestamp(rawValue: t.rawValue + 1)
    }
}
