/// Everything the replication engine refuses, with a message for a person.
public enum ReplicationError: Error, Equatable, CustomStringConvertible {
    /// A peer speaks another schema version; nothing of its batch was applied.
    case schemaMismatch(local: Int, remote: Int)
    case invalidSchema(String)
    case invalidInput(String)
    case unknownTable(String)
    case unknownField(table: String, field: String)
    case recordNotFound(table: String, id: String)
    case recordExists(table: String, id: String)
    case recordDeleted(table: String, id: String)
    /// A write the field's policy forbids (append-only, lifecycle going backwards, …).
    case policyViolation(String)
    case conflictNotFound(String)
    case corrupt(String)
    /// A peer's change set carries a hybrid-logical time further ahead of this replica's
    /// wall clock than the bound (`Sender.maxClockAheadMillis`); nothing of it was applied.
    case clockAhead(peer: String, aheadMillis: UInt64, boundMillis: UInt64)

    public var description: String {
        switch self {
        case .schemaMismatch(let l, let r):
            return "schema version mismatch: this replica is on version \(l), the peer on \(r); upgrade the older side before syncing (nothing was applied)"
        case .invalidSchema(let m): return "invalid replication schema: \(m)"
        case .invalidInput(let m): return m
        case .unknownTable(let t): return "unknown replicated table \"\(t)\""
        case .unknownField(let t, let f): return "table \(t) has no field \"\(f)\""
        case .recordNotFound(let t, let id): return "no \(t) with id \(id)"
        case .recordExists(let t, let id): return "\(t) \(id) already exists"
        case .recordDeleted(let t, let id): return "\(t) \(id) was deleted"
        case .policyViolation(let m): return m
        case .conflictNotFound(let k): return "no conflict \(k)"
        case .corrupt(let m): return "corrupt replication metadata: \(m)"
        case .clockAhead(let peer, let ahead, let bound):
            return "\(peer)'s changes are dated \(Self.duration(ahead)) ahead of this machine's clock (at most \(Self.duration(bound)) is accepted); nothing was applied: set the clock right (NTP) on whichever side is wrong"
        }
    }

    /// "3 min 20 s", "2 d 4 h": a clock difference for a person.
    static func duration(_ ms: UInt64) -> String {
        let s = ms / 1000
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        if s < 86400 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86400) d \(s % 86400 / 3600) h"
    }
}
