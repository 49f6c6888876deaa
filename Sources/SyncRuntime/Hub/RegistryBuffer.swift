import Foundation
import GRDB
import Replication

/// The nodes' status rows as the running hub changes them (connected, last seen, backlog,
/// cursors, errors), the event log entries, and how far each node applied the hub's log:
/// kept in memory and written in one transaction every `flushInterval`.
///
/// Writing each change as it happened cost a transaction and an fsync per HELLO, PING,
/// PULL and BYE: most of the hub's CPU per session, and a write per idle node every few
/// seconds. A value equal to the one last written is not written again, so idle nodes
/// reporting the same backlog cost nothing. What is lost in a crash is at most one
/// interval of status: the nodes report it again at their next HELLO.
struct RegistryBuffer {
    struct Event {
        var at: Date
        var key: String?
        var center: String?
        var event: String
        var detail: String?
    }

    /// What one flush writes.
    struct Batch {
        var fields: [String: [String: DatabaseValue]] = [:]
        var events: [Event] = []
        var acks: [ReplicaID: UInt64] = [:]
        var isEmpty: Bool { fields.isEmpty && events.isEmpty && acks.isEmpty }
        var count: Int { fields.count + events.count + acks.count }
    }

    private(set) var pending = Batch()
    /// The values as last written (or queued), per key: what need not be written again.
    private var known: [String: [String: DatabaseValue]] = [:]

    var isEmpty: Bool { pending.isEmpty }

    /// Queues `fields` of the node with `key`, leaving out values already written.
    mutating func set(_ key: String, _ fields: [String: (any DatabaseValueConvertible)?]) {
        for (column, value) in fields {
            let v = value?.databaseValue ?? .null
            if known[key]?[column] == v { continue }
            known[key, default: [:]][column] = v
            pending.fields[key, default: [:]][column] = v
        }
    }

    /// Queues an entry of the hub's event log.
    mutating func log(_ event: String, key: String?, center: String?, detail: String?, at: Date = Date()) {
        pending.events.append(Event(at: at, key: key, center: center, event: event, detail: detail))
    }

    /// Queues that `node` applied the hub's log up to `seq`.
    mutating func acknowledged(_ node: ReplicaID, upTo seq: UInt64) {
        pending.acks[node] = max(pending.acks[node] ?? 0, seq)
    }

    /// Takes the fields queued for `key` (to be written with its push, in order).
    mutating func takeFields(_ key: String) -> [String: DatabaseValue] {
        pending.fields.removeValue(forKey: key) ?? [:]
    }

    /// Notes values written outside the buffer (with a push), so equal ones are not queued.
    mutating func wrote(_ key: String, _ fields: [String: DatabaseValue]) {
        for (column, v) in fields { known[key, default: [:]][column] = v }
    }

    /// Forgets what was written for `key`, so its next values are written whatever they
    /// are (another process may have changed the row: a revocation).
    mutating func forget(_ key: String) { known[key] = nil }

    /// Takes everything queued, for one flush.
    mutating func take() -> Batch {
        defer { pending = Batch() }
        return pending
    }

    /// Puts back a batch whose write failed, under anything queued since (which is newer).
    mutating func restore(_ b: Batch) {
        for (key, f) in b.fields {
            pending.fields[key] = f.merging(pending.fields[key] ?? [:]) { _, newer in newer }
        }
        pending.events = b.events + pending.events
        for (node, seq) in b.acks { pending.acks[node] = max(pending.acks[node] ?? 0, seq) }
    }

    /// Writes a batch inside the caller's transaction.
    static func write(_ b: Batch, _ db: Database, replica: Replica) throws {
        for (key, f) in b.fields {
            try NodeRegistry.record(db, publicKey: key, f.mapValues { $0 as (any DatabaseValueConvertible)? })
        }
        for e in b.events { try NodeRegistry.log(db, e.at, e.key, e.center, e.event, e.detail) }
        for (node, seq) in b.acks { try replica.markAcknowledged(db, by: node, upTo: seq) }
    }
}
