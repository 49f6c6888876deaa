@testable import Replication
import Testing
@testable import SyncProtocol

@Suite("NodeSession")
struct NodeSessionTests {
    let config = NodeConfiguration(nodeID: nodeA, center: "c001", schemaVersion: 7, agent: "gatehouse/test")

    func session(seed: UInt64 = 1, now: TestInstant = .zero) -> NodeSession<TestInstant, SeededRNG> {
        NodeSession(configuration: config, rng: SeededRNG(seed: seed), now: now)
    }

    func welcome(committed: UInt64 = 0, epoch: UInt64 = 42, schema: UInt32 = 7, interval: UInt32 = 5000) -> SyncMessage {
        var w = Gatehouse_Sync_V1_Welcome()
        w.hubID = "hub-main"
        w.hubEpoch = epoch
        w.schemaVersion = schema
        w.committedPush = committed
        w.heartbeatIntervalMs = interval
        w.heartbeatLiveness = 3
        w.pushWindow = 2
        w.maxMessageBytes = 4 << 20
        w.maxBatchRecords = 1000
        w.maxBatchBytes = 1 << 20
        w.maxCreditBytes = 64 << 20
        w.maxCreditBatches = 64
        return SyncMessage(.welcome(w))
    }

    func ready(_ s: inout NodeSession<TestInstant, SeededRNG>, now: TestInstant = .zero, local: KnownHub? = nil,
               logHead: UInt64 = 10, committed: UInt64 = 0) throws -> [NodeAction] {
        _ = s.connected(now: now, local: local, logHead: logHead)
        return s.received(try wire(welcome(committed: committed)), now: now)
    }

    func changes(from: UInt64, to: UInt64, records: [RecordState] = [], isLast: Bool = true, schema: Int = 7) -> SyncMessage {
        var c = Gatehouse_Sync_V1_Changes()
        c.changes = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: schema, origin: hubR, fromSeq: from, toSeq: to,
                                                            records: records, isLast: isLast))
        return SyncMessage(.changes(c))
    }

    func ack(_ to: UInt64, committed: UInt64? = nil, refused: [RejectedRecord] = []) -> SyncMessage {
        var a = Gatehouse_Sync_V1_Ack()
        a.toSeq = to
        a.committed = committed ?? to
        a.refused = refused.map(\.proto)
        return SyncMessage(.ack(a))
    }

    @Test("connected → HELLO with identity, schema, log head, known hub and status")
    func hello() throws {
        var s = session()
        s.status = NodeStatusReport(pendingCount: 3, oldestPendingUnixMillis: 77)
        let a = s.connected(now: .zero, local: KnownHub(id: hubR, epoch: 42, cursor: 9), logHead: 12)
        guard case .hello(let h)? = a.sent.first?.kind, a.count == 1 else { Issue.record("no HELLO"); return }
        #expect(h.nodeID == "c001-node")
        #expect(h.center == "c001")
        #expect(h.schemaVersion == 7)
        #expect(h.logHead == 12)
        #expect(h.knownHubID == "hub-main" && h.knownHubEpoch == 42 && h.pullCursor == 9)
        #expect(h.agent == "gatehouse/test")
        #expect(h.status.pendingCount == 3)
        #expect(s.state == .helloSent)
    }

    @Test("WELCOME: first contact bootstraps from 0, acknowledges the committed push, pulls with credit and starts pushing")
    func welcomeBootstrap() throws {
        var s = session()
        let a = try ready(&s, committed: 4)
        #expect(s.state == .ready)
        #expect(a.first == .established(hubID: hubR, epoch: 42, bootstrap: true))
        #expect(a.contains(.markAcknowledged(hub: hubR, upTo: 4)))
        guard let pull = a.sent.compactMap({ if case .pull(let p) = $0.kind { p } else { nil } }).first else {
            Issue.record("no PULL"); return
        }
        #expect(pull.cursor == 0)
        #expect(pull.creditBytes == UInt64(config.pullWindowBytes))
        #expect(pull.creditBatches == UInt32(config.pullWindowBatches))
        #expect(a.pushExtraction?.after == 4)
    }

    @Test("the same hub and epoch resume the cursor; another epoch bootstraps again")
    func resumeOrBootstrap() throws {
        var s = session()
        var a = try ready(&s, local: KnownHub(id: hubR, epoch: 42, cursor: 30))
        #expect(a.first == .established(hubID: hubR, epoch: 42, bootstrap: false))
        #expect(a.sent.contains { if case .pull(let p) = $0.kind { p.cursor == 30 } else { false } })
        s = session()
        a = try ready(&s, local: KnownHub(id: hubR, epoch: 41, cursor: 30))
        #expect(a.first == .established(hubID: hubR, epoch: 42, bootstrap: true))
        #expect(a.sent.contains { if case .pull(let p) = $0.kind { p.cursor == 0 } else { false } })
    }

    @Test("push: extract, PUSH, ACK → markAcknowledged; the window bounds what is in flight; refusals are surfaced")
    func pushFlow() throws {
        var s = session()
        var a = try ready(&s, logHead: 10)
        #expect(a.pushExtraction?.after == 0)
        a = s.pushExtracted(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 3, records: [sampleRecord()], isLast: false), now: .zero)
        guard case .push(let p)? = a.sent.first?.kind else { Issue.record("no PUSH"); return }
        #expect(p.changes.toSeq == 3)
        #expect(a.pushExtraction?.after == 3)
        a = s.pushExtracted(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 3, toSeq: 6, records: [sampleRecord()], isLast: false), now: .zero)
        #expect(a.sent.count == 1)
        #expect(a.pushExtraction == nil, "window of 2 is full")
        let refusal = RejectedRecord(table: "ticket", id: "T-1", code: .forbiddenRecord, reason: "center c002")
        a = s.received(try wire(ack(3, refused: [refusal])), now: .zero)
        #expect(a.contains(.markAcknowledged(hub: hubR, upTo: 3)))
        #expect(a.contains(.recordsRefused([refusal])))
        #expect(a.pushExtraction?.after == 6)
        a = s.pushExtracted(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 6, toSeq: 6, records: [], isLast: true), now: .zero)
        #expect(a.sent.isEmpty)
        a = s.received(try wire(ack(6)), now: .zero)
        #expect(a.contains(.markAcknowledged(hub: hubR, upTo: 6)))
        #expect(!s.isSynchronized, "pull not caught up yet")
        a = s.received(try wire(changes(from: 0, to: 0)), now: .zero)
        a = s.changesApplied(upTo: 0, now: .zero)
        #expect(a.contains(.synchronized))
        a = s.localChangesAvailable(now: .zero)
        #expect(a.pushExtraction?.after == 6)
    }

    @Test("CHANGES → applyChanges; applied → CREDIT returning exactly the spent credit, with the cursor")
    func pullFlow() throws {
        var s = session()
        _ = try ready(&s)
        let m = changes(from: 0, to: 2, records: [sampleRecord(id: "a"), sampleRecord(id: "b")], isLast: false)
        let r = try wire(m)
        var a = s.received(r, now: .zero)
        #expect(a.appliedBatches.map(\.toSeq) == [2])
        a = s.received(try wire(changes(from: 2, to: 3, records: [sampleRecord(id: "c")])), now: .zero)
        #expect(a.appliedBatches.map(\.toSeq) == [3])
        a = s.changesApplied(upTo: 2, now: .zero)
        guard case .credit(let c)? = a.sent.first?.kind else { Issue.record("no CREDIT"); return }
        #expect(c.bytes == UInt64(r.bodySize))
        #expect(c.batches == 1)
        #expect(c.appliedSeq == 2)
    }

    @Test("CHANGES beyond the granted credit, or out of sequence, end the session (409)")
    func pullViolations() throws {
        var s = NodeSession<TestInstant, SeededRNG>(
            configuration: NodeConfiguration(nodeID: nodeA, center: "c001", schemaVersion: 7, pullWindowBatches: 1),
            rng: SeededRNG(seed: 1), now: .zero)
        _ = try ready(&s)
        _ = s.received(try wire(changes(from: 0, to: 1, records: [sampleRecord()], isLast: false)), now: .zero)
        var a = s.received(try wire(changes(from: 1, to: 2, records: [sampleRecord()])), now: .zero)
        #expect(a.appliedBatches.isEmpty)
        #expect(a.reconnectReason?.code == .outOfState)
        #expect(s.state == .disconnected)

        s = session()
        _ = try ready(&s)
        a = s.received(try wire(changes(from: 5, to: 6)), now: .zero)
        #expect(a.appliedBatches.isEmpty)
        #expect(a.reconnectReason?.code == .outOfState)
    }

    @Test("412: a WELCOME or a CHANGES on another schema version fails without applying anything")
    func schemaMismatch() throws {
        var s = session()
        _ = s.connected(now: .zero, local: nil)
        var a = s.received(try wire(welcome(schema: 8)), now: .zero)
        #expect(a.failure?.code == .schemaMismatch)
        #expect(a.reconnectDelay == config.backoff.maximum)
        #expect(s.state == .disconnected)

        s = session()
        _ = try ready(&s)
        a = s.received(try wire(changes(from: 0, to: 1, records: [sampleRecord()], schema: 8)), now: .zero)
        #expect(a.failure?.code == .schemaMismatch)
        #expect(a.appliedBatches.isEmpty)

        s = session()
        _ = try ready(&s)
        _ = s.received(try wire(changes(from: 0, to: 1, records: [sampleRecord()])), now: .zero)
        a = s.applyFailed(ReplicationError.schemaMismatch(local: 7, remote: 8), now: .zero)
        #expect(a.failure?.code == .schemaMismatch)
    }

    @Test("ERROR from the hub: 401 needs an operator; 503 waits at least retry_after; 409 reconnects with backoff")
    func hubErrors() throws {
        var s = session()
        _ = s.connected(now: .zero, local: nil)
        var a = s.received(try wire(.error(.unauthorized("key not enrolled"))), now: .zero)
        #expect(a.failure?.code == .unauthorized)
        #expect(a.reconnectDelay == config.backoff.maximum)

        s = session()
        _ = try ready(&s)
        a = s.received(try wire(.error(SyncError(.unavailable, "shutting down", retryAfterMilliseconds: 20_000))), now: .zero)
        #expect(a.failure == nil)
        #expect(a.reconnectDelay == .seconds(20))

        s = session()
        _ = try ready(&s)
        a = s.received(try wire(.error(.outOfState("say HELLO first"))), now: .zero)
        #expect(a.failure == nil)
        #expect(a.reconnectReason?.code == .outOfState)
        #expect(a.reconnectDelay! <= config.backoff.initial)
    }

    @Test("out-of-state messages from the hub end the session with BYE and a reconnect")
    func hubOutOfState() throws {
        var s = session()
        _ = s.connected(now: .zero, local: nil)
        let a = s.received(try wire(ack(1)), now: .zero)
        #expect(a.sent.first?.commandName == "BYE")
        #expect(a.reconnectReason?.code == .outOfState)
    }

    @Test("a hub that committed more of the log than this node has is refused (restored or cloned database)")
    func logBehindHub() throws {
        var s = session()
        _ = s.connected(now: .zero, local: nil, logHead: 5)
        let a = s.received(try wire(welcome(committed: 9)), now: .zero)
        #expect(a.failure?.code == .outOfState)
        #expect(s.state == .disconnected)
    }

    @Test("heartbeat: PING after an idle interval, none while traffic flows, and missed pongs → reconnect")
    func heartbeat() throws {
        var clock = MockClock()
        var s = session()
        _ = try ready(&s, now: clock.now)
        clock.advance(.milliseconds(4900))
        #expect(s.tick(now: clock.now).isEmpty)
        clock.advance(.milliseconds(100))
        var a = s.tick(now: clock.now)
        guard case .ping(let p)? = a.sent.first?.kind else { Issue.record("no PING"); return }
        #expect(p.nonce == 1)
        clock.advance(.seconds(1))
        #expect(s.tick(now: clock.now).isEmpty, "one PING per interval")
        _ = s.received(try wire(SyncMessage(.pong(.init()))), now: clock.now)
        // The hub goes silent: PINGs every interval, then dead after interval × liveness.
        var pings = 0
        var lost: [NodeAction] = []
        for _ in 0..<200 {
            clock.advance(.milliseconds(100))
            a = s.tick(now: clock.now)
            pings += a.sent.filter { $0.commandName == "PING" }.count
            if a.reconnectDelay != nil { lost = a; break }
        }
        #expect(pings == 3)  // at 10 s, 15 s, 20 s; dead at 21 s (15 s after the last PONG)
        #expect(lost.reconnectReason?.code == .unavailable)
        #expect(lost.sent.isEmpty, "no BYE to a dead hub")
        #expect(s.state == .disconnected)
        #expect(s.tick(now: clock.now).isEmpty)
    }

    @Test("a hub that never answers HELLO is given up after interval × liveness")
    func helloTimeout() {
        var s = session()
        _ = s.connected(now: .zero, local: nil)
        #expect(s.tick(now: TestInstant.zero.advanced(by: .seconds(14))).isEmpty)
        #expect(s.tick(now: TestInstant.zero.advanced(by: .seconds(15))).reconnectDelay != nil)
    }

    @Test("backoff grows, is capped, jitter stays within [ceiling/2, ceiling], and WELCOME resets it", arguments: [UInt64(1), 2, 3, 4, 5])
    func backoff(seed: UInt64) throws {
        var clock = MockClock()
        var s = session(seed: seed)
        var delays: [Duration] = []
        for attempt in 0..<14 {
            _ = s.connected(now: clock.now, local: nil)
            clock.advance(.seconds(15))
            let d = try #require(s.tick(now: clock.now).reconnectDelay)
            let ceiling = config.backoff.ceiling(attempt: attempt)
            #expect(d <= ceiling && d >= ceiling / 2, "attempt \(attempt): \(d) outside [\(ceiling / 2), \(ceiling)]")
            delays.append(d)
            clock.advance(d)
        }
        #expect(config.backoff.ceiling(attempt: 0) == .milliseconds(500))
        #expect(config.backoff.ceiling(attempt: 3) == .seconds(4))
        #expect(config.backoff.ceiling(attempt: 13) == .seconds(60))
        #expect(delays.suffix(4).allSatisfy { $0 <= .seconds(60) && $0 >= .seconds(30) })
        #expect(delays[0] < delays[5] && delays[5] < delays[10])
        #expect(Set(delays.suffix(4)).count > 1, "jitter varies")
        // A successful WELCOME resets the growth.
        _ = try ready(&s, now: clock.now)
        #expect(s.failedAttempts == 0)
        clock.advance(.seconds(15))
        let d = try #require(s.tick(now: clock.now).reconnectDelay)
        #expect(d <= .milliseconds(500))
    }

    @Test("jitter differs between nodes (seeds) so they do not reconnect in step")
    func jitterSpreads() {
        var delays = Set<Duration>()
        for seed in UInt64(1)...20 {
            var s = session(seed: seed)
            _ = s.connected(now: .zero, local: nil)
            if let d = s.tick(now: TestInstant.zero.advanced(by: .seconds(15))).reconnectDelay { delays.insert(d) }
        }
        #expect(delays.count > 15)
    }

    @Test("BYE on stop, and nothing after")
    func stop() throws {
        var s = session()
        _ = try ready(&s)
        #expect(s.stop(now: .zero).sent.first?.commandName == "BYE")
        #expect(s.state == .stopped)
        #expect(s.connected(now: .zero, local: nil).isEmpty)
        #expect(s.tick(now: TestInstant.zero.advanced(by: .seconds(100))).isEmpty)
    }

    @Test("a push that encodes above the message limit is extracted again with fewer records")
    func pushSplit() throws {
        var s = session()
        _ = s.connected(now: .zero, local: nil, logHead: 10)
        var w = welcome()
        w.welcome.maxMessageBytes = 4000
        w.welcome.maxCreditBytes = 4000
        var a = s.received(try wire(w), now: .zero)
        #expect(a.pushExtraction?.after == 0)
        let records = (0..<8).map { sampleRecord(id: "R\($0)") }
        a = s.pushExtracted(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 8, records: records, isLast: true), now: .zero)
        #expect(a.sent.isEmpty)
        #expect(a.pushExtraction?.maxCount == 4)
    }

    @Test("HELLO says whether the node is a demonstration; a WELCOME of the other kind fails with 421")
    func demo() throws {
        var demoConfig = config
        demoConfig.demo = true
        var s = NodeSession(configuration: demoConfig, rng: SeededRNG(seed: 1), now: TestInstant.zero)
        guard case .hello(let h)? = s.connected(now: .zero, local: nil, logHead: 0).sent.first?.kind else { Issue.record("no HELLO"); return }
        #expect(h.demo)
        var a = s.received(try wire(welcome()), now: .zero)
        #expect(a.failure?.code == .demoMismatch)
        #expect(s.state == .disconnected)
        // A real node meeting a demonstration hub.
        var real = session()
        _ = real.connected(now: .zero, local: nil, logHead: 0)
        var w = welcome()
        if case .welcome(var m) = w.kind { m.demo = true; w = SyncMessage(.welcome(m)) }
        a = real.received(try wire(w), now: .zero)
        #expect(a.failure?.code == .demoMismatch && a.failure?.message.contains("demonstration") == true)
        #expect(a.reconnectDelay == Backoff.default.maximum)
    }
}

