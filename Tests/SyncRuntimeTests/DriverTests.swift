import Foundation
import GRDB
import Replication
import ServiceDesk
import SyncProtocol
import Testing
import ZeroMQ
@testable import SyncRuntime

/// The runtime drivers in one process, over real SQLite data directories, on the in-memory
/// network and a manual clock: every timer (heartbeats, deadlines, backoff, status
/// flushes, enrollment reloads) is driven by moving the clock, never by sleeping. The
/// real-socket tests (`StatusEndToEndTests`, `HostileClientTests`, `CrashRecoveryTests`…)
/// keep what only sockets and processes show.
@Suite struct DriverTests {
    @Test func nodeAndHubConvergeSetsConflictsResolutionTombstonesAndAuthorityRefusals() throws {
        let f = try SimFleet()
        let c1 = try f.addNode("C001")
        let n = c1.replica, h = f.hubDesk.unsafeReplica

        // Offline work at the center, one record of another center among it.
        var ids: [String] = []
        for i in 0..<8 {
            ids.append(try n.write(author: "S001") { tx in
                try tx.insert("customer", ["center": "C001", "name": .text("客户\(i)"), "phone": "13900000000"], sets: ["tags": ["vip"]])
            })
        }
        let stray = try n.write(author: "S001") { tx in try tx.insert("customer", ["center": "C002", "name": "外人"]) }
        // Head office: holidays for everyone (one withdrawn again: a tombstone), a customer of
        // another center.
        try h.write(author: "H001") { tx in try tx.insert("calendar_day", id: "2026-10-01", ["kind": "holiday", "name": "国庆节"]) }
        try h.write(author: "H001") { tx in try tx.insert("calendar_day", id: "2026-10-09", ["kind": "holiday", "name": "调休"]) }
        try h.write(author: "H001") { tx in try tx.delete("calendar_day", id: "2026-10-09") }
        _ = try h.write(author: "H001") { tx in try tx.insert("customer", ["center": "C002", "name": "别处"]) }

        try f.startHub()
        try f.settle()
        try f.advance(.seconds(2))
        #expect(c1.state.state == "connected")
        let refused = try c1.store.sync.refusals()
        #expect(refused.map(\.record) == [stray] && refused.first?.code == 403, "\(refused)")
        #expect(try h.state("customer", id: stray) == nil)
        let scope = ScopeFilter.centers(["C001"])
        #expect(try n.allStates(scope: scope).filter { $0.id != stray } == h.allStates(scope: scope))
        #expect(try n.state("calendar_day", id: "2026-10-01") != nil)
        #expect(try n.state("calendar_day", id: "2026-10-09")?.isDeleted == true)
        #expect(try !n.allStates().contains { $0.table == "customer" && $0.slots.first?.values.first == "C002" && $0.id != stray })
        // Positions the node gained by applying the hub's changes went out as echoes.
        #expect(try h.receivedCursor(from: n.id) == n.localClock().sequence)
        #expect(try n.pendingCount(for: h.id) == 0)

        // Concurrent edits of one customer: a review conflict on the phone, the set merged.
        try n.write(author: "S001") { tx in
            try tx.update("customer", id: ids[0], ["phone": "13911111111"])
            try tx.add("老人", to: "tags", of: "customer", id: ids[0])
        }
        try h.write(author: "H001") { tx in
            try tx.update("customer", id: ids[0], ["phone": "13922222222"])
            try tx.remove("vip", from: "tags", of: "customer", id: ids[0])
        }
        try f.advance(.seconds(2))
        #expect(try n.allStates(scope: scope).filter { $0.id != stray } == h.allStates(scope: scope))
        #expect(try n.conflicts(reviewOnly: true).count == 1 && h.conflicts(reviewOnly: true).count == 1)

        // Resolved at the center: the resolution reaches head office.
        try n.resolveConflict(key: try n.conflicts()[0].key, with: .takeLoser, author: "S001")
        try f.advance(.seconds(2))
        #expect(try h.conflicts().isEmpty)
        #expect(try n.allStates(scope: scope).filter { $0.id != stray } == h.allStates(scope: scope))
    }

    @Test func headOfficeWritesWakeOnlyTheirCentersSessions() throws {
        let f = try SimFleet()
        let c1 = try f.addNode("C001")
        let c2 = try f.addNode("C002")
        try f.startHub()
        try f.advance(.seconds(2))
        let h = f.hubDesk.unsafeReplica
        let c2Cursor = try c2.replica.receivedCursor(from: h.id)
        let c2Head = try c2.replica.localClock().sequence
        let c2Sync = c2.state

        _ = try h.write(author: "H001") { tx in try tx.insert("customer", ["center": "C001", "name": "总部登记"]) }
        try f.advance(.seconds(2))
        #expect(try c1.replica.allStates(scope: .centers(["C001"])).contains { $0.slots.first?.values.first == "C001" && $0.table == "customer" })
        // C002 heard nothing of it: no CHANGES moved its cursor, nothing was written there.
        #expect(try c2.replica.receivedCursor(from: h.id) == c2Cursor)
        #expect(try c2.replica.localClock().sequence == c2Head)
        #expect(c2.state == c2Sync)

        // Shared data wakes everyone.
        try h.write(author: "H001") { tx in try tx.insert("calendar_day", id: "2026-10-02", ["kind": "holiday", "name": "国庆节"]) }
        try f.advance(.seconds(2))
        for n in [c1, c2] { #expect(try n.replica.state("calendar_day", id: "2026-10-02") != nil) }
    }

    @Test func aSilentLinkIsGivenUpAtTheDeadlineAndWritesArriveAfterIt() throws {
        let f = try SimFleet()
        let c1 = try f.addNode("C001")
        try f.startHub()
        try f.advance(.seconds(2))
        #expect(c1.state.state == "connected")
        #expect(try f.row("C001")?.state == "connected")

        f.network.cutLink(c1.keys.publicKey)
        let written = try f.writeCustomers("C001", 3)
        // The deadline runs from the last word heard (at about 0 s, 2 s before the cut).
        try f.advance(.seconds(12))
        #expect(c1.state.state == "connected", "within the 15 s deadline the session stands")
        try f.advance(.seconds(3))
        #expect(c1.state.state != "connected")
        #expect(c1.state.lastError?.contains("silent") == true, "\(c1.state)")
        // The hub expired the session too, and wrote it at its next flush.
        #expect(try f.row("C001")?.state == "offline")

        f.network.cutLink(c1.keys.publicKey, false)
        try f.advance(.seconds(3))
        #expect(c1.state.state == "connected")
        for id in written { #expect(try f.hubDesk.unsafeReplica.state("customer", id: id) != nil) }
        try f.advance(.seconds(1))
        #expect(try f.row("C001")?.state == "connected")
    }

    /// An idle fleet costs the hub the same whatever its size: past `pingBudget` PINGs a
    /// second the hub announces a longer heartbeat in WELCOME, the nodes ping at it, and a
    /// silent session is held to the longer deadline — expired by the hub's deadline heap
    /// at its time, not before, while the others stay.
    @Test func aLargeFleetIsAnnouncedALongerHeartbeatAndHeldToIt() throws {
        var o = HubRuntimeOptions()
        o.pingBudget = 1  // 10 keys at one PING a second: a 10 s heartbeat, a 30 s deadline
        let f = try SimFleet(hubOptions: o)
        for i in 1...10 { try f.addNode(String(format: "C%03d", i)) }
        try f.startHub()
        try f.advance(.seconds(2))
        #expect(f.hub.readySessions == 10)
        #expect(f.hub.configuration.limits.heartbeatInterval == .seconds(10))
        #expect(f.nodes["C001"]!.driver.session.limits.heartbeatInterval == .seconds(10))
        #expect(HubRuntimeOptions().heartbeatInterval(enrolled: 1000) == .seconds(5), "a small fleet keeps the protocol's 5 s")
        #expect(HubRuntimeOptions().heartbeatInterval(enrolled: 5000) == .seconds(25))

        let c1 = f.nodes["C001"]!
        f.network.cutLink(c1.keys.publicKey)
        try f.advance(.seconds(25))
        #expect(c1.state.state == "connected", "within the 30 s deadline the session stands")
        #expect(f.hub.readySessions == 10)
        try f.advance(.seconds(7))
        #expect(c1.state.state != "connected")
        #expect(try f.row("C001")?.state == "offline")
        #expect(f.hub.readySessions == 9, "the others ping every 10 s and stay")
        #expect(try f.row("C002")?.state == "connected")
    }

    /// The hub's timers come off a heap in deadline order, whatever order they were set in.
    @Test func deadlineHeapPopsWhatIsDueInOrder() {
        var h = DeadlineHeap<Int, String>()
        var rng = SplitMix64(seed: 3)
        let deadlines = (0..<200).map { _ in Int(rng.next() % 1000) }
        for (i, d) in deadlines.enumerated() { h.push(d, "\(d)#\(i)") }
        #expect(h.popDue(-1) == nil && h.count == 200)
        var popped: [Int] = []
        while let k = h.popDue(499) { popped.append(Int(k.split(separator: "#")[0])!) }
        #expect(popped == deadlines.filter { $0 <= 499 }.sorted())
        #expect(h.next.map { $0 > 499 } ?? true)
        while let k = h.popDue(1000) { popped.append(Int(k.split(separator: "#")[0])!) }
        #expect(popped == deadlines.sorted() && h.isEmpty)
    }

    @Test func aHubRestartSpreadsTheNodesReturnOverTheirNumber() throws {
        var o = HubRuntimeOptions()
        o.reconnectRate = 2  // 10 nodes: retry hints spread over 5 s after the first 5 s
        o.seed = 7
        let f = try SimFleet(hubOptions: o)
        for i in 1...10 { try f.addNode(String(format: "C%03d", i)) }
        try f.startHub()
        try f.advance(.seconds(2))
        #expect(f.hub.readySessions == 10)

        f.stopHub()
        try f.startHub()
        var back: [Int] = []
        for _ in 0..<12 {
            try f.advance(.seconds(1))
            back.append(f.hub.readySessions)
        }
        // Nobody before the hint's first 5 s; then a few at a time; everyone by 11 s.
        #expect(back[0..<4].allSatisfy { $0 == 0 }, "\(back)")
        #expect(back[10] == 10 && back[11] == 10, "\(back)")
        let steps = zip(back.dropFirst(), back).map { $0 - $1 }
        #expect(steps.max()! < 10 && steps.filter { $0 > 0 }.count >= 3, "returned in one burst: \(back)")
        #expect(f.nodes.values.allSatisfy { $0.state.state == "connected" })
    }

    @Test func aKeyEnrolledWhileTheHubRunsIsAdmittedWithinTheRefusalGrace() throws {
        let f = try SimFleet()
        try f.startHub()
        let c1 = try f.addNode("C001", enroll: false)
        try f.advance(.milliseconds(500))
        #expect(c1.state.state == "connecting")
        try f.registry.enroll(center: "C001", publicKey: c1.keys.publicKey)
        try f.advance(.seconds(2))
        #expect(c1.state.state == "connected", "\(c1.state)")
        #expect(!f.log.messages(.error).contains { $0.contains("refused this node's key") })
    }

    @Test func aKeyNeverEnrolledIsRefusedAfterTheGraceAndRetriedSlowly() throws {
        let f = try SimFleet()
        try f.startHub()
        let c1 = try f.addNode("C001", enroll: false)
        try f.advance(.seconds(5))
        #expect(c1.state.state == "refused")
        #expect(c1.state.lastError?.contains("not enrolled") == true)
        #expect(f.log.messages(.warning).contains("connection refused"))
        let attempts = f.log.messages(.warning).filter { $0 == "connection refused" }.count
        try f.advance(.seconds(20))
        #expect(f.log.messages(.warning).filter { $0 == "connection refused" }.count == attempts, "retried before 30 s")
        try f.advance(.seconds(11))
        #expect(f.log.messages(.warning).filter { $0 == "connection refused" }.count == attempts + 1)
    }

    @Test func aKeyRevokedWhileConnectedIsCutOffWithinTheWatchInterval() throws {
        let f = try SimFleet()
        let c1 = try f.addNode("C001")
        try f.startHub()
        try f.advance(.seconds(2))
        try f.registry.revoke(center: "C001")
        // The hub reloads the allow-list within a second (its watch interval) and ends the
        // session then, without waiting for the node's next message (SPEC §13).
        try f.advance(.milliseconds(1300))
        #expect(c1.state.state == "refused", "\(c1.state)")
        // The node learns only that it is unauthorized; the hub's status says why.
        #expect(c1.state.lastError?.contains(SyncError.unauthorizedOnTheWire.message) == true, "\(c1.state)")
        #expect(c1.state.lastError?.contains("revoked") == false)
        #expect(try f.row("C001")?.state == "refused")
    }

    @Test func theHubLoopLogsTransientFailuresAndGoesOn() throws {
        let f = try SimFleet()
        let c1 = try f.addNode("C001")
        let flaky = FlakyHubTransport(f.network.hubTransport(), failures: 3)
        var o = f.hubOptions
        o.errorPause = .zero
        let hub = try HubDriver(replica: f.hubDesk.unsafeReplica, registry: f.registry, transport: flaky, clock: f.clock, options: o,
                                logger: f.log.logger("hub"))
        try hub.start()
        var turns = 0
        try hub.run {
            turns += 1
            try? c1.driver.step()
            f.clock.advance(by: .milliseconds(50))
            return turns > 60
        }
        #expect(f.log.messages(.error).filter { $0 == "hub loop failed; retrying" }.count == 3)
        #expect(f.log.messages(.notice).contains("node connected"), "the hub served after the failures")
    }

    @Test func statusWritesThatFailAreRetriedNotLost() throws {
        var options = Replica.Options()
        options.busyTimeout = 0.05
        let f = try SimFleet(hubReplica: options)
        let c1 = try f.addNode("C001")
        try f.startHub()
        try f.advance(.seconds(2))
        #expect(try f.row("C001")?.state == "connected")

        // Another process holds the database: the flush after the node's BYE fails.
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: f.hubDesk.directory.databasePath, configuration: holding)
        try other.writeWithoutTransaction { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        c1.driver.finish()
        try f.advance(.seconds(2))
        #expect(f.log.messages(.error).contains("cannot write the nodes' status; retrying"))
        try other.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
        try f.advance(.seconds(2))
        #expect(try f.row("C001")?.state == "offline")
    }

    @Test func aOneShotSyncEndsSynchronizedOrSaysWhyNot() throws {
        let f = try SimFleet()
        let c1 = try f.addNode("C001", mode: .once(timeout: .seconds(10)))
        _ = try f.writeCustomers("C001", 5)
        try f.advance(.seconds(11))
        guard case .timedOut(let why) = c1.driver.outcome else {
            Issue.record("expected a timeout, got \(c1.driver.outcome)")
            return
        }
        #expect(why.contains("no answer"), "\(why)")
        #expect(c1.state.lastError == why)

        try f.startHub()
        try f.restart("C001", mode: .once(timeout: .seconds(10)))
        try f.advance(.seconds(1))
        #expect(c1.driver.outcome == .synchronized)
        #expect(try f.hubDesk.unsafeReplica.receivedCursor(from: c1.replica.id) == c1.replica.localClock().sequence)
    }
}

/// A hub transport that fails its first few receives, as a poll interrupted or a socket
/// briefly unusable would.
final class FlakyHubTransport: HubTransport {
    let inner: MemoryHubTransport
    var failures: Int
    init(_ inner: MemoryHubTransport, failures: Int) {
        self.inner = inner
        self.failures = failures
    }
    struct Flake: Error {}
    func start(admitting keys: Set<String>) throws { try inner.start(admitting: keys) }
    func stop() { inner.stop() }
    func admit(_ keys: Set<String>) throws { try inner.admit(keys) }
    func receive() throws -> InboundMessage? {
        if failures > 0 {
            failures -= 1
            throw Flake()
        }
        return try inner.receive()
    }
    func send(_ frames: [[UInt8]], to peer: [UInt8]) throws -> Bool { try inner.send(frames, to: peer) }
    func nextEvent() throws -> HubTransportEvent? { try inner.nextEvent() }
    func wait(timeout: Duration) throws {}
    var waker: @Sendable () -> Void { inner.waker }
}
