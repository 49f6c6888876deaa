import Foundation
import Replication
import Testing
@testable import SyncProtocol

/// The two sessions driven over real SQLite replicas by a minimal synchronous runtime
/// that performs each action exactly as its documentation says: evidence that the action
/// interface is enough for the real runtime, and that real record states (sets,
/// conflicts, tombstones) cross the wire intact and pass validation.
final class MiniRuntime {
    static let schema = ReplicationSchema(version: 3, tables: [
        ReplicatedTable("customer", scope: .column("center"), fields: [
            Field("center", .text, .appendOnly),
            Field("name", .text, .review),
            Field("phone", .text, .review),
            Field("note", .text, .lastWriterWins),
            Field("tags", .text, .addWinsSet),
        ]),
        ReplicatedTable("price", scope: .shared, fields: [
            Field("item", .text, .lastWriterWins),
            Field("amount", .integer, .review),
        ]),
    ])

    let nodeReplica: Replica
    let hubReplica: Replica
    var node: NodeSession<TestInstant, SeededRNG>
    var hub: HubSession<TestInstant>
    var directory = TestDirectory()
    var known: KnownHub?
    var toHub: [[[UInt8]]] = []
    var toNode: [[[UInt8]]] = []
    var refusedAtNode: [RejectedRecord] = []
    var synchronized = false
    var problems: [String] = []
    let now = TestInstant.zero

    init(dir: URL, wallClock: @escaping @Sendable () -> UInt64) throws {
        var o = Replica.Options()
        o.durable = false
        o.wallClock = wallClock
        nodeReplica = try Replica.create(at: dir.appendingPathComponent("node.sqlite").path, id: rid("c001-n1"), schema: Self.schema, options: o)
        hubReplica = try Replica.create(at: dir.appendingPathComponent("hub.sqlite").path, id: rid("hq"), schema: Self.schema, options: o)
        directory.enrollments = [keyA: Enrollment(center: "C001")]
        node = NodeSession(configuration: NodeConfiguration(nodeID: nodeReplica.id, center: "C001", schemaVersion: 3),
                           rng: SeededRNG(seed: 5), now: .zero)
        hub = HubSession(key: keyA, configuration: HubConfiguration(hubID: hubReplica.id, epoch: 9, schemaVersion: 3,
                                                                    limits: SyncLimits(maxBatchRecords: 3)), now: .zero)
    }

    func perform(_ actions: [NodeAction]) throws {
        for a in actions {
            switch a {
            case .send(let m): toHub.append(m.frames)
            case .extractPush(let after, let h, let maxCount, let maxBytes):
                let b = try nodeReplica.changes(after: after, scope: .all, for: h, maxCount: maxCount, maxBytes: maxBytes)
                try perform(node.pushExtracted(b, now: now))
            case .applyChanges(let batch, let rejected):
                if !rejected.isEmpty { problems.append("node rejected \(rejected)") }
                let r = try nodeReplica.apply(batch, from: batch.origin)
                known = KnownHub(id: batch.origin, epoch: 9, cursor: r.cursor)
                try perform(node.changesApplied(upTo: batch.toSeq, now: now))
            case .markAcknowledged(let h, let upTo): try nodeReplica.markAcknowledged(by: h, upTo: upTo)
            case .recordsRefused(let r): refusedAtNode += r
            case .established: break
            case .reconnect(_, let reason): problems.append("reconnect: \(reason)")
            case .fail(let e): problems.append("fail: \(e)")
            case .synchronized: synchronized = true
            }
        }
    }

    func perform(_ actions: [HubAction]) throws {
        for a in actions {
            switch a {
            case .send(let m):
                if case .error(let e) = m.message.kind { problems.append("hub ERROR \(e.code): \(e.reason)") }
                toNode.append(m.frames)
            case .bindNode(let n, _):
                directory.enrollments[keyA]?.nodeID = n
                directory.bindings[n] = keyA
            case .applyPush(let batch, let center, _):
                let r = try hubReplica.apply(batch, from: batch.origin) { _, scope in
                    scope == center ? nil : "record of center \(scope ?? "(shared)"), not \(center)"
                }
                directory.committed[batch.origin] = r.cursor
                try perform(hub.pushCommitted(r, toSeq: batch.toSeq, now: now))
                try perform(hub.logAdvanced(now: now))
            case .extractChanges(let after, let n, let center, let maxCount, let maxBytes):
                let b = try hubReplica.changes(after: after, scope: .centers([center]), for: n, maxCount: maxCount, maxBytes: maxBytes)
                try perform(hub.changesExtracted(b, now: now))
            case .markAcknowledged(let n, let upTo): try hubReplica.markAcknowledged(by: n, upTo: upTo)
            case .sessionOpened, .statusReported, .close: break
            }
        }
    }

    /// Connects and runs until both queues are empty.
    func run(connect: Bool) throws {
        if connect {
            try perform(node.connected(now: now, local: known, logHead: try nodeReplica.localClock().sequence))
        }
        while !toHub.isEmpty || !toNode.isEmpty {
            if !toHub.isEmpty {
                let r = try SyncFraming.decode(toHub.removeFirst())
                try perform(hub.received(r, now: now, directory: directory))
            }
            if !toNode.isEmpty {
                try perform(node.received(try SyncFraming.decode(toNode.removeFirst()), now: now))
            }
        }
    }
}

@Suite("Sessions over real replicas")
struct ReplicaRuntimeTests {
    @Test("node and hub converge through the wire: sets, review conflicts, resolution, tombstones, scope refusal")
    func converge() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ghsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ms = Locked(UInt64(1_780_000_000_000))
        let rt = try MiniRuntime(dir: dir) { ms.withLock { $0 += 1; return $0 } }
        let n = rt.nodeReplica, h = rt.hubReplica

        // Offline work at the center, including one record of another center.
        var ids: [String] = []
        for i in 0..<8 {
            ids.append(try n.write(author: "S1") { tx in
                try tx.insert("customer", ["center": "C001", "name": .text("c\(i)"), "phone": "100"], sets: ["tags": ["vip"]])
            })
        }
        let stray = try n.write(author: "S1") { tx in try tx.insert("customer", ["center": "C002", "name": "stray"]) }
        try n.write(author: "S1") { tx in try tx.delete("customer", id: ids[7]) }
        // Head office: a price for everyone, a customer of another center.
        try h.write(author: "HQ") { tx in _ = try tx.insert("price", ["item": "key copy", "amount": 5]) }
        _ = try h.write(author: "HQ") { tx in try tx.insert("customer", ["center": "C002", "name": "elsewhere"]) }

        let lastLocal = try n.localClock().sequence
        try rt.run(connect: true)
        #expect(rt.problems.isEmpty, "\(rt.problems)")
        #expect(rt.synchronized)
        #expect(rt.refusedAtNode.map(\.id) == [stray])
        #expect(rt.refusedAtNode.first?.code == .forbiddenRecord)
        #expect(try h.state("customer", id: stray) == nil)
        // Positions the node's log gained by applying the hub's changes are echoes: they
        // travel with the next push, and nothing is pending meanwhile.
        #expect(try h.receivedCursor(from: n.id) == lastLocal)
        #expect(try n.acknowledgedCursor(of: h.id) == lastLocal)
        #expect(try n.pendingCount(for: h.id) == 0)

        // Concurrent edits of the same customer, then another round over the same session.
        try n.write(author: "S1") { tx in
            try tx.update("customer", id: ids[0], ["phone": "111"])
            try tx.add("new", to: "tags", of: "customer", id: ids[0])
        }
        try h.write(author: "HQ") { tx in
            try tx.update("customer", id: ids[0], ["phone": "222"])
            try tx.remove("vip", from: "tags", of: "customer", id: ids[0])
        }
        try rt.perform(rt.hub.logAdvanced(now: rt.now))
        try rt.perform(rt.node.localChangesAvailable(now: rt.now))
        try rt.run(connect: false)
        #expect(rt.problems.isEmpty, "\(rt.problems)")

        let scope = ScopeFilter.centers(["C001"])
        #expect(try n.allStates(scope: scope) == h.allStates(scope: scope))
        #expect(try n.conflicts(reviewOnly: true).count == 1)
        #expect(try h.conflicts(reviewOnly: true).count == 1)
        #expect(try n.allStates().contains { $0.table == "price" })
        #expect(try !n.allStates().contains { $0.id != stray && ($0.slots.first?.values.first == "C002") })

        // Resolve at the center; a reconnect (new session) carries it to head office.
        try n.resolveConflict(key: try n.conflicts()[0].key, with: .takeLoser, author: "M1")
        rt.known = KnownHub(id: h.id, epoch: 9, cursor: try n.receivedCursor(from: h.id))
        try rt.run(connect: true)
        #expect(rt.problems.isEmpty, "\(rt.problems)")
        #expect(try h.conflicts().isEmpty)
        #expect(try n.allStates(scope: scope) == h.allStates(scope: scope))
    }
}

/// A tiny lock for the test's wall clock.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ v: T) { value = v }
    func withLock<R>(_ body: (inout T) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
