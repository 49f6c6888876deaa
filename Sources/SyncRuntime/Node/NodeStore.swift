import Foundation
import Replication
import ServiceDesk
import SyncProtocol

/// What the node's sync driver reads and writes, besides the wire: the node's replica and
/// its sync bookkeeping. ``ReplicaNodeStore`` is the real one (the node's SQLite
/// database); ``MemoryNodeStore`` keeps a generated log in memory for simulations and the
/// fleet benchmark, where thousands of nodes share one process.
public protocol NodeStore: AnyObject {
    /// The node's replica id and center.
    var nodeID: ReplicaID { get }
    var center: String { get }
    var schemaVersion: Int { get }
    /// The data directory was created for demonstration (HELLO says so; SPEC §13.3).
    var demo: Bool { get }
    /// The last position of the node's own log.
    func logHead() throws -> UInt64
    /// The hub whose log the node pulled, in which epoch, and how far it applied it.
    func knownHub() throws -> KnownHub?
    /// The next change set of the local log to push (``NodeAction/extractPush(after:hub:maxCount:maxBytes:)``).
    func changes(after: UInt64, for hub: ReplicaID, maxCount: Int, maxBytes: Int) throws -> ChangeBatch
    /// Applies a change set from the hub in one transaction with its cursor, keeping the
    /// `unreadable` records out (quarantined), and records the pull.
    func apply(_ batch: ChangeBatch, unreadable: [Refusal], at now: Date) throws
    /// The hub committed the local log up to `upTo`.
    func markAcknowledged(by hub: ReplicaID, upTo: UInt64, at now: Date) throws
    /// A session opened with `hub` in `epoch`; with `bootstrap` the pull starts from 0.
    func established(hub: ReplicaID, epoch: UInt64, bootstrap: Bool, at now: Date) throws
    /// Records the hub kept out, where staff see them.
    func recordRefusals(_ list: [NodeRefusal]) throws
    /// What HELLO and PING report: local changes waiting for `hub` (all of them before the
    /// first contact), the time of the oldest, and records from the hub kept out.
    func backlog(for hub: ReplicaID?) throws -> (pending: Int, oldest: HLCTimestamp?, quarantined: Int)
    /// The sync state `gatehouse status` shows.
    func syncState() throws -> NodeSyncState
    /// Changes the sync state (read, modify, write in one transaction).
    func updateSyncState(_ change: (inout NodeSyncState) -> Void) throws
}

/// The node's real store: its replica and `NodeSyncStore`, in the node's SQLite file.
public final class ReplicaNodeStore: NodeStore {
    public let replica: Replica
    public let center: String
    public let demo: Bool
    let sync: NodeSyncStore

    public init(replica: Replica, center: String, demo: Bool = false) throws {
        self.replica = replica
        self.center = center
        self.demo = demo
        sync = try NodeSyncStore(replica.database)
    }

    public var nodeID: ReplicaID { replica.id }
    public var schemaVersion: Int { replica.schema.version }
    /// The desk's audit trail is among the replica's tables (not in simulations' schemas).
    var hasAudit: Bool { replica.schema.tables.contains { $0.name == "audit" } }

    public func logHead() throws -> UInt64 { try replica.localClock().sequence }

    public func knownHub() throws -> KnownHub? {
        let st = try sync.load()
        guard let h = st.hubID.flatMap(ReplicaID.init(rawValue:)), let epoch = st.hubEpoch else { return nil }
        // Pulled on an earlier schema: pull again from 0 (the fields added since).
        if let v = st.pullSchemaVersion, v < replica.schema.version { return nil }
        return KnownHub(id: h, epoch: epoch, cursor: try replica.receivedCursor(from: h))
    }

    public func changes(after: UInt64, for hub: ReplicaID, maxCount: Int, maxBytes: Int) throws -> ChangeBatch {
        try replica.changes(after: after, scope: .all, for: hub, maxCount: maxCount, maxBytes: maxBytes)
    }

    public func apply(_ batch: ChangeBatch, unreadable: [Refusal], at now: Date) throws {
        // The pull's bookkeeping commits with the batch: one transaction, one WAL sync. The
        // hub may send only this center's and shared records (SPEC §13).
        try replica.apply(batch, from: batch.origin, sender: .hub(batch.origin, servingCenter: center), unreadable: unreadable,
                          alongside: { [sync] db, _ in
            try sync.update(db) { st in
                st.lastPullAt = now
                st.lastContactAt = now
                st.pullCursorAtContact = Int64(batch.toSeq)
                // The last batch of a pull ends at the hub's head.
                st.hubHeadSeq = batch.isLast ? Int64(batch.toSeq) : max(st.hubHeadSeq, Int64(batch.toSeq))
            }
        })
    }

    public func markAcknowledged(by hub: ReplicaID, upTo: UInt64, at now: Date) throws {
        try replica.database.write { db in
            try replica.markAcknowledged(db, by: hub, upTo: upTo)
            // The node's audit entries up to there reached head office: `audit verify` finds
            // them rewritten or removed from now on.
            if hasAudit {
                try AuditAcknowledgements.committed(db, node: nodeID.rawValue, upToLogPosition: upTo,
                                                    atMillis: Int64(now.timeIntervalSince1970 * 1000))
            }
        }
        try sync.update { st in
            st.lastPushAt = now
            st.lastContactAt = now
        }
    }

    public func established(hub: ReplicaID, epoch: UInt64, bootstrap: Bool, at now: Date) throws {
        // A hub not pulled from in this epoch: its log positions are new.
        if bootstrap { try replica.resetReceivedCursor(from: hub) }
        try sync.update { st in
            st.hubID = hub.rawValue
            st.hubEpoch = epoch
            st.pullSchemaVersion = replica.schema.version
            st.lastContactAt = now
            if st.state != "connected" {
                st.state = "connected"
                st.stateSince = now
            }
        }
    }

    public func recordRefusals(_ list: [NodeRefusal]) throws { try sync.addRefusals(list) }

    public func backlog(for hub: ReplicaID?) throws -> (pending: Int, oldest: HLCTimestamp?, quarantined: Int) {
        let p = try replica.pendingSummary(for: hub)
        let q = try replica.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _rep_quarantine") } ?? 0
        return (p.count, p.oldest, q)
    }

    public func syncState() throws -> NodeSyncState { try sync.load() }

    public func updateSyncState(_ change: (inout NodeSyncState) -> Void) throws { try sync.update(change) }
}

/// A node's store in memory, for simulations and the fleet benchmark: its own log is
/// `records(1…head)` made on demand by a closure, what the hub sends is counted and its
/// cursor kept, nothing is written anywhere.
public final class MemoryNodeStore: NodeStore {
    public let nodeID: ReplicaID
    public let center: String
    public let schemaVersion: Int
    public var demo: Bool { false }
    /// The record at each position of the local log (1-based).
    let record: (UInt64) -> RecordState
    /// The local log's last position: the records written so far.
    public var head: UInt64
    /// The hub's committed position of this log, as acknowledged.
    public private(set) var acknowledged: UInt64 = 0
    /// The hub, its epoch and the pull cursor.
    public private(set) var hub: KnownHub?
    /// Records received from the hub, refused by it, and change sets applied.
    public private(set) var received = 0
    public private(set) var refused = 0
    public private(set) var batchesApplied = 0
    public private(set) var state = NodeSyncState()
    /// Sessions the hub has welcomed this node to: a reconnect after a hub restart adds one.
    public private(set) var sessions = 0

    public init(nodeID: ReplicaID, center: String, schemaVersion: Int, head: UInt64 = 0, record: @escaping (UInt64) -> RecordState) {
        self.nodeID = nodeID
        self.center = center
        self.schemaVersion = schemaVersion
        self.head = head
        self.record = record
    }

    /// Everything written is acknowledged by the hub.
    public var isCaughtUp: Bool { acknowledged >= head }

    public func logHead() throws -> UInt64 { head }
    public func knownHub() throws -> KnownHub? { hub }

    public func changes(after: UInt64, for hub: ReplicaID, maxCount: Int, maxBytes: Int) throws -> ChangeBatch {
        var records: [RecordState] = []
        var bytes = 0
        var seq = after
        while seq < head, records.count < maxCount {
            let r = record(seq + 1)
            if !records.isEmpty && bytes + r.batchSize > maxBytes { break }
            records.append(r)
            bytes += r.batchSize
            seq += 1
        }
        return ChangeBatch(schemaVersion: schemaVersion, origin: nodeID, fromSeq: after, toSeq: seq, records: records,
                           isLast: seq >= head)
    }

    public func apply(_ batch: ChangeBatch, unreadable: [Refusal], at now: Date) throws {
        received += batch.records.count
        batchesApplied += 1
        if let h = hub, batch.fromSeq <= h.cursor { hub?.cursor = max(h.cursor, batch.toSeq) }
        state.lastPullAt = now
    }

    public func markAcknowledged(by hub: ReplicaID, upTo: UInt64, at now: Date) throws {
        acknowledged = max(acknowledged, upTo)
        state.lastPushAt = now
    }

    public func established(hub: ReplicaID, epoch: UInt64, bootstrap: Bool, at now: Date) throws {
        let cursor = bootstrap ? 0 : (self.hub?.cursor ?? 0)
        self.hub = KnownHub(id: hub, epoch: epoch, cursor: cursor)
        state.hubID = hub.rawValue
        state.hubEpoch = epoch
        state.state = "connected"
        sessions += 1
    }

    public func recordRefusals(_ list: [NodeRefusal]) throws { refused += list.count }

    public func backlog(for hub: ReplicaID?) throws -> (pending: Int, oldest: HLCTimestamp?, quarantined: Int) {
        (Int(head - min(head, acknowledged)), nil, 0)
    }

    public func syncState() throws -> NodeSyncState { state }
    public func updateSyncState(_ change: (inout NodeSyncState) -> Void) throws { change(&state) }
}
