import Replication
import Testing
@testable import SyncProtocol

/// A node and a hub talking over an in-memory link that drops, with the hub restarting
/// and both logs growing, all on a mock clock. Stands in for the runtime: performs the
/// actions against in-memory logs exactly as the documentation of the actions says.
/// Like the hub's `PushApplier`, pushes are applied later, a few at a time, in order:
/// meanwhile the session goes on receiving (and may be reset by a new HELLO).
struct Simulation {
    var rng: SeededRNG
    var clock = MockClock()
    var node: NodeSession<TestInstant, SeededRNG>
    var hub: HubSession<TestInstant>
    var directory = TestDirectory()
    let hubConfig = HubConfiguration(hubID: hubR, epoch: 42, schemaVersion: 7,
                                     limits: SyncLimits(maxBatchRecords: 7, maxBatchBytes: 6000, pushWindow: 3,
                                                        heartbeatInterval: .seconds(1)))
    var linkUp = false
    var reconnectAt: TestInstant? = .zero
    var toHub: [[[UInt8]]] = []
    /// Frames to the node, tagged with the connection (socket) they were routed to: the
    /// hub routes to the routing id of the last HELLO, so a new socket never sees what
    /// was meant for an old one.
    var toNode: [(connection: Int, frames: [[UInt8]])] = []
    var connection = 0
    var hubPeer = 0

    var nodeLog: [RecordState] = []
    var hubLog: [RecordState] = []
    var hubApplied: [String: Int] = [:]
    /// Pushes the hub's session asked to apply and the "applier" has not committed yet:
    /// they outlive a session's reset, not a restart of the hub process.
    var pendingApplies: [ChangeBatch] = []
    var nodeApplied: [String: Int] = [:]
    var known: KnownHub?
    var nodeAcked: UInt64 = 0
    var unexpected: [String] = []
    var reconnects = 0
    var duplicatesAcked = 0

    init(seed: UInt64) {
        rng = SeededRNG(seed: seed)
        node = NodeSession(configuration: NodeConfiguration(nodeID: nodeA, center: "c001", schemaVersion: 7,
                                                            pullWindowBytes: 20_000, pullWindowBatches: 3,
                                                            defaults: SyncLimits(heartbeatInterval: .seconds(1))),
                           rng: SeededRNG(seed: seed &* 31), now: .zero)
        hub = HubSession(key: keyA, configuration: hubConfig, now: .zero)
    }

    mutating func record(_ prefix: String, _ i: Int) -> RecordState {
        var r = sampleRecord(id: "\(prefix)-\(i)")
        r.slots[0].values[0] = .text(String(repeating: "z", count: Int.random(in: 0..<2500, using: &rng)))
        return r
    }

    static func extract(_ log: [RecordState], origin: ReplicaID, after: UInt64, maxCount: Int, maxBytes: Int) -> ChangeBatch {
        var out: [RecordState] = []
        var bytes = 0
        var seq = after
        while Int(seq) < log.count, out.count < maxCount {
            let r = log[Int(seq)]
            if !out.isEmpty && bytes + r.batchSize > maxBytes { break }
            out.append(r)
            bytes += r.batchSize
            seq += 1
        }
        return ChangeBatch(schemaVersion: 7, origin: origin, fromSeq: after, toSeq: seq, records: out, isLast: Int(seq) == log.count)
    }

    mutating func perform(_ actions: [NodeAction]) {
        for a in actions {
            switch a {
            case .send(let m):
                if linkUp { toHub.append(m.frames) }
            case .extractPush(let after, let h, let maxCount, let maxBytes):
                precondition(h == hubR)
                perform(node.pushExtracted(Self.extract(nodeLog, origin: nodeA, after: after, maxCount: maxCount, maxBytes: maxBytes), now: clock.now))
            case .applyChanges(let batch, let rejected):
                if !rejected.isEmpty { unexpected.append("rejected \(rejected)") }
                for r in batch.records { nodeApplied[r.id, default: 0] += 1 }
                known = KnownHub(id: hubR, epoch: 42, cursor: batch.toSeq)
                perform(node.changesApplied(upTo: batch.toSeq, now: clock.now))
            case .markAcknowledged(_, let upTo):
                nodeAcked = max(nodeAcked, upTo)
            case .recordsRefused(let r):
                unexpected.append("refused \(r)")
            case .established(_, _, let bootstrap):
                if bootstrap && known != nil { unexpected.append("bootstrap again") }
            case .reconnect(let after, let reason):
                if reason.code != .unavailable { unexpected.append("session lost: \(reason)") }
                reconnects += 1
                linkUp = false
                toHub = []
                toNode = []
                reconnectAt = clock.now.advanced(by: after)
            case .fail(let e):
                unexpected.append("fail: \(e)")
            case .synchronized:
                break
            }
        }
    }

    mutating func perform(_ actions: [HubAction]) {
        for a in actions {
            switch a {
            case .send(let m):
                if case .error(let e) = m.message.kind { unexpected.append("hub ERROR \(e.code) \(e.reason)") }
                if case .ack(let a) = m.message.kind, a.duplicate { duplicatesAcked += 1 }
                if case .ack(let a) = m.message.kind, max(a.committed, a.toSeq) > directory.committed[nodeA] ?? 0 {
                    unexpected.append("ACK up to \(a.toSeq) (committed \(a.committed)) before its commit (\(directory.committed[nodeA] ?? 0))")
                }
                if linkUp { toNode.append((hubPeer, m.frames)) }
            case .bindNode(let n, let center):
                directory.enrollments[keyA] = Enrollment(center: center, nodeID: n)
                directory.bindings[n] = keyA
            case .applyPush(let batch, _, _):
                pendingApplies.append(batch)
            case .extractChanges(let after, _, _, let maxCount, let maxBytes):
                perform(hub.changesExtracted(Self.extract(hubLog, origin: hubR, after: after, maxCount: maxCount, maxBytes: maxBytes), now: clock.now))
            case .sessionOpened, .statusReported, .markAcknowledged, .close:
                break
            }
        }
    }

    /// The applier commits the oldest one to three pending pushes in one transaction,
    /// then hands each result to the session, in order.
    mutating func commitApplies() {
        guard !pendingApplies.isEmpty else { return }
        let group = pendingApplies.prefix(Int.random(in: 1...3, using: &rng))
        pendingApplies.removeFirst(group.count)
        var results: [(ChangeBatch, ApplyResult)] = []
        for b in group {
            // What `Replica.apply` does: records already merged leave the state unchanged;
            // the cursor moves only over a contiguous prefix.
            let committed = directory.committed[nodeA] ?? 0
            if b.fromSeq > committed { unexpected.append("push (\(b.fromSeq), \(b.toSeq)] applied after a gap at \(committed)") }
            var result = ApplyResult()
            for (i, r) in b.records.enumerated() where b.fromSeq + UInt64(i) + 1 > committed {
                hubApplied[r.id, default: 0] += 1
                result.changed += 1
            }
            if b.fromSeq <= committed && b.toSeq > committed { directory.committed[nodeA] = b.toSeq }
            result.cursor = directory.committed[nodeA] ?? 0
            results.append((b, result))
        }
        for (b, r) in results { perform(hub.pushCommitted(r, toSeq: b.toSeq, now: clock.now)) }
    }

    mutating func advance(_ d: Duration) {
        clock.advance(d)
        perform(hub.tick(now: clock.now))
        perform(node.tick(now: clock.now))
        if let at = reconnectAt, at <= clock.now {
            reconnectAt = nil
            linkUp = true
            connection += 1
            perform(node.connected(now: clock.now, local: known, logHead: UInt64(nodeLog.count)))
        }
    }

    mutating func deliverToHub() {
        guard !toHub.isEmpty else { return }
        let frames = toHub.removeFirst()
        let r = try! SyncFraming.decode(frames)
        if case .hello = r.message.kind { hubPeer = connection }
        perform(hub.received(r, now: clock.now, directory: directory))
    }

    mutating func deliverToNode() {
        guard !toNode.isEmpty else { return }
        let (target, frames) = toNode.removeFirst()
        guard target == connection else { return }  // routed to a socket that is gone
        perform(node.received(try! SyncFraming.decode(frames), now: clock.now))
    }

    /// Nothing in flight and both logs across. Not just "the node says synchronized": a
    /// link that dropped silently at the end of the storm looks idle until heartbeats
    /// find it (seed 153 stopped there with the hub's last record not delivered).
    var settled: Bool {
        node.isSynchronized && linkUp && toHub.isEmpty && toNode.isEmpty && pendingApplies.isEmpty
            && known?.cursor == UInt64(hubLog.count) && nodeAcked == UInt64(nodeLog.count)
    }

    /// One random step of the stormy phase.
    mutating func step(stormy: Bool) {
        let roll = Int.random(in: 0..<100, using: &rng)
        switch roll {
        case 0..<30: deliverToHub()
        case 30..<62: deliverToNode()
        case 62..<70: commitApplies()
        case 70..<80: advance(.milliseconds(Int64.random(in: 10...1500, using: &rng)))
        case 80..<86:
            nodeLog.append(record("N", nodeLog.count))
            perform(node.localChangesAvailable(now: clock.now))
        case 86..<92:
            hubLog.append(record("H", hubLog.count))
            perform(hub.logAdvanced(now: clock.now))
        case 92..<95 where stormy:
            // the link drops silently: both sides find out by heartbeat
            linkUp = false
            toHub = []
            toNode = []
        case 95 where stormy:
            // the hub process restarts: sessions and uncommitted pushes are lost, the database is not
            hub = HubSession(key: keyA, configuration: hubConfig, now: clock.now)
            pendingApplies = []
            toHub = []
            toNode = []
        case 96 where stormy:
            // the node daemon restarts: a fresh session from what its database holds
            node = NodeSession(configuration: node.configuration, rng: SeededRNG(seed: rng.next()), now: clock.now)
            linkUp = false
            toHub = []
            toNode = []
            reconnectAt = clock.now.advanced(by: .milliseconds(200))
        default:
            if !pendingApplies.isEmpty { commitApplies() } else if !toHub.isEmpty { deliverToHub() } else { deliverToNode() }
        }
    }
}

@Suite("Simulation")
struct SimulationTests {
    @Test("over a flaky link with restarts, every change arrives exactly once and both sides end in sync",
          // Seed-pinned regressions: 392 (an ACK told the node more was committed than
          // the pushes it had queued, so it overfilled the window: 409), 153 (the calm
          // phase stopped on a link that had dropped silently). 400 seeds pass in a soak.
          arguments: Array(UInt64(1)...60) + [153, 392])
    func exactlyOnce(seed: UInt64) {
        var sim = Simulation(seed: seed)
        for i in 0..<40 { sim.nodeLog.append(sim.record("N", i)) }
        for i in 0..<25 { sim.hubLog.append(sim.record("H", i)) }
        for _ in 0..<3000 { sim.step(stormy: true) }
        // Calm: no more faults; keep going until synchronized.
        var calm = 0
        while !sim.settled && calm < 20_000 {
            calm += 1
            if sim.toHub.isEmpty && sim.toNode.isEmpty && sim.pendingApplies.isEmpty {
                sim.advance(.milliseconds(250))
            } else {
                sim.step(stormy: false)
            }
        }
        #expect(sim.reconnects > 5, "the storm should have cost some sessions")
        #expect(sim.node.isSynchronized, "seed \(seed): not synchronized after the calm phase")
        #expect(sim.hubApplied.count == sim.nodeLog.count)
        #expect(sim.hubApplied.values.allSatisfy { $0 == 1 }, "seed \(seed): a node change applied twice at the hub")
        #expect(sim.nodeAcked == UInt64(sim.nodeLog.count))
        #expect(sim.nodeApplied.count == sim.hubLog.count)
        #expect(sim.nodeApplied.values.allSatisfy { $0 == 1 }, "seed \(seed): a hub change applied twice at the node")
        // A restarted hub has forgotten the session: 409 "say HELLO first" is the expected way back.
        let unexpected = sim.unexpected.filter { !$0.contains("before HELLO: say HELLO first") }
        #expect(unexpected.isEmpty, "seed \(seed): \(unexpected.prefix(5))")
    }
}

