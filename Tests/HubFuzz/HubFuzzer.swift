import Foundation
import Logging
import Replication
import ServiceDesk
import Synchronization
import SyncProtocol
import ZeroMQ
import SyncRuntime

/// An in-process fuzzer of the hub's message handling (issue 14, "one node never stops the
/// hub"): the real ``HubDriver`` over real SQLite data directories, on a ``MemoryNetwork``
/// and a ``ManualClock`` — no sockets, no sleeps.
///
/// An enrolled C002 node (the attacker, driven message by message) runs valid sessions —
/// HELLO, PUSH of its own log, PULL, CREDIT, PING, BYE, reconnects — and about half of
/// what it sends is mutated by ``WireMutator`` (frames, bytes, protobuf fields at any
/// depth). Meanwhile a well-behaved C001 node runs its real ``NodeDriver`` against the
/// same hub. The fuzzer checks that the hub never traps (a trap ends the process), never
/// hangs (a watchdog aborts, naming the seed and message, when a message takes more than
/// two minutes), never throws out of its loop, and that the C001 node's one session is
/// never disturbed: it stays connected on the session it opened first, and at every
/// checkpoint a write at each side reaches the other. At the end, C001's records at the
/// hub are exactly the ones C001 and head office wrote, equal at both sides, and head
/// office's own and the shared records are exactly as they were.
///
/// A mutated PUSH can move the attacker's committed position to 2^63−1, after which its
/// pushes can only be refused; the fuzzer then enrolls a fresh C002 node (new key, new
/// replica) and goes on with it, so a long run keeps reaching the apply path.
///
/// It lives in its own target so that `./scripts/test` runs a short seed-pinned run
/// (HubFuzzTests) and `gatehouse-bench fuzz-hub` the long one in a release build.
public final class HubFuzzer {
    typealias Hub = HubDriver<MemoryHubTransport, ManualClock>

    public struct Report: CustomStringConvertible, Sendable {
        public var seed: UInt64
        public var messages = 0
        public var mutated = 0
        public var seconds = 0.0
        /// Attacker nodes used: a new one is enrolled when a mutated PUSH saturates the
        /// committed position of the one before.
        public var attackers = 1
        /// ERROR codes the attacker received, and how often.
        public var errors: [UInt32: Int] = [:]
        public var acks = 0
        public var refusedRecords = 0
        public var checkpoints = 0
        /// What went wrong, empty when nothing did.
        public var failures: [String] = []

        public var description: String {
            let codes = errors.keys.sorted().map { "\($0)×\(errors[$0]!)" }.joined(separator: " ")
            return "hub fuzz: seed \(seed): \(mutated) mutated messages (\(messages) in all) in "
                + String(format: "%.1f", seconds) + " s, crashes 0, hangs 0, failures \(failures.count); "
                + "answers: ERROR \(codes), ACK \(acks) (\(refusedRecords) records refused); "
                + "C001's session undisturbed at \(checkpoints) checkpoints; \(attackers) attacker nodes"
        }
    }

    let seed: UInt64
    let root: URL
    let clock = ManualClock()
    let network = MemoryNetwork()
    let log = CountingLog()
    let hubDesk: Desk
    let registry: NodeRegistry
    let hub: Hub
    let good: Desk
    let goodStore: ReplicaNodeStore
    let goodDriver: NodeDriver<MemoryNodeTransport, ManualClock>
    var attacker: Desk
    var attackerKey: String
    let fastOptions: Replica.Options
    var attackerLink: MemoryNodeTransport
    var mutator: WireMutator
    var report: Report

    /// What the attacker knows of its session, as an honest node would.
    var welcomed = false
    var pushedTo: UInt64 = 0
    var pulled = false
    var hubSeq: UInt64 = 0
    /// Chunks of the attacker's real log, re-sent at whatever positions come next.
    var chunks: [[RecordState]] = []
    /// C001 records at the hub that C001 or head office wrote: nothing else may be there.
    var c001IDs: Set<String> = []
    var headOfficeBefore: [RecordState] = []
    var connectedSince: Date?

    /// Progress for the watchdog: messages handled so far.
    public static let progress = Atomic<Int>(0)
    public static let lastInput = Mutex<(index: Int, frames: [[UInt8]])>((0, []))

    public init(seed: UInt64) throws {
        self.seed = seed
        report = Report(seed: seed)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gh-fuzz-\(UUID().uuidString.prefix(8))")
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // Not durable: the fuzzer tests decisions, not power loss, and fsyncs would make it crawl.
        var fast = Replica.Options()
        fast.durable = false
        // A million refused records are the point here, not a million warnings on stderr.
        fast.logger.logLevel = .critical
        fastOptions = fast
        func dir(_ name: String) -> DataDirectory { DataDirectory(path: root.appendingPathComponent(name).path) }
        hubDesk = try Desk.create(in: dir("hub"), role: .hub, center: "HQ", name: "总部", options: fast)
        registry = try NodeRegistry(hubDesk.unsafeReplica.database)
        good = try Desk.create(in: dir("c001"), role: .node, center: "C001", name: "阳光花园", options: fast)

        // Small batches and credit: a PULL mutated to cursor 0 with the largest credit then
        // costs a few batches, not the attacker's whole scope.
        let limits = SyncLimits(maxMessageBytes: 1 << 20, maxBatchRecords: 50, maxBatchBytes: 64 << 10, maxCreditBytes: 1 << 20,
                                maxCreditBatches: 4)
        var h = HubRuntimeOptions()
        h.limits = limits
        h.threadedApply = false
        h.seed = seed
        hub = try HubDriver(replica: hubDesk.unsafeReplica, registry: registry, transport: network.hubTransport(), clock: clock,
                            options: h, logger: log.logger("hub"))
        let goodKeys = try CurveKeyPair.generate()
        try registry.enroll(center: "C001", publicKey: goodKeys.publicKey)
        goodStore = try ReplicaNodeStore(replica: good.unsafeReplica, center: "C001")
        var n = NodeRuntimeOptions()
        n.limits = limits
        n.seed = seed &+ 1
        goodDriver = try NodeDriver(store: goodStore, transport: network.nodeTransport(key: goodKeys.publicKey), clock: clock,
                                    options: n, mode: .daemon, hubName: "memory hub", logger: log.logger("C001"))
        (attacker, attackerKey) = try Self.enrolledAttacker(1, root: root, registry: registry, options: fast)
        attackerLink = network.nodeTransport(key: attackerKey)
        mutator = WireMutator(seed: seed, words: [good.unsafeReplica.id.rawValue, attacker.unsafeReplica.id.rawValue, hubDesk.unsafeReplica.id.rawValue])
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The `n`th C002 node: its data directory under `root`, its key enrolled at the hub.
    static func enrolledAttacker(_ n: Int, root: URL, registry: NodeRegistry, options: Replica.Options) throws -> (Desk, String) {
        let desk = try Desk.create(in: DataDirectory(path: root.appendingPathComponent("c002-\(n)").path), role: .node, center: "C002",
                                   name: "攻击者\(n)", options: options)
        let key = try CurveKeyPair.generate().publicKey
        try registry.enroll(center: "C002", publicKey: key)
        return (desk, key)
    }

    // MARK: - Set-up

    /// Head office's data, C001's, and the attacker's log.
    func prepare() throws {
        let h = hubDesk.unsafeReplica
        try h.write(author: "admin-HQ") { tx in
            try tx.insert("staff", id: "H001", ["center": "HQ", "name": "质量部", "role": "quality"])
            try tx.insert("calendar_day", id: "2026-10-01", ["kind": "holiday", "name": "国庆节"])
            try tx.insert("price_item", id: "P-HQ-1", ["code": "P1", "name": "疏通", "price": .integer(5000)])
        }
        c001IDs.insert(try h.write(author: "H001") { tx in try tx.insert("customer", ["center": "C001", "name": "总部登记"]) })
        for i in 0..<5 {
            c001IDs.insert(try good.unsafeReplica.write(author: "S001") { tx in
                try tx.insert("customer", ["center": "C001", "name": .text("客户\(i)"), "phone": "13800000000"])
            })
        }
        try prepareAttacker()
        headOfficeBefore = try headOffice()
    }

    /// The attacker's log: its own records and the ones it may not originate (another
    /// center's customer, head office's staff, the calendar, a grant with approvals,
    /// head-office roles, audit entries), cut into chunks.
    func prepareAttacker() throws {
        chunks = []
        let h = hubDesk.unsafeReplica
        let a = attacker.unsafeReplica
        for i in 0..<30 {
            _ = try a.write(author: "S201") { tx in
                try tx.insert("customer", ["center": "C002", "name": .text("二号\(i)"), "phone": .text("1370000\(1000 + i)")])
            }
        }
        try a.write(author: "S201") { tx in
            try tx.insert("staff", id: "S201", ["center": "C002", "name": "前台", "role": "front_desk"])
            try tx.insert("staff", id: "admin-HQ", ["center": "C002", "name": "夺权", "role": "admin"])
            try tx.insert("staff", id: "S202", ["center": "C002", "name": "假质检", "role": "quality"])
            try tx.insert("calendar_day", id: "2026-10-02", ["kind": "holiday", "name": "假期"])
            try tx.insert("customer", id: "stray-c001", ["center": "C001", "name": "外人"])
            try tx.insert("data_grant", id: "g-self", ["center": "C002", "purpose": "自批", "quality_by": "S202", "quality_at": .integer(1),
                                                    "revoked": .integer(0)])
        }
        for i in 0..<8 {
            try attacker.recordAudit(AuditEvent(action: "view", staff: "S201", role: "front_desk", record: "customer/x\(i)", at: Date()))
        }
        var after: UInt64 = 0
        while true {
            let b = try a.changes(after: after, scope: .all, for: h.id, maxCount: 4)
            if !b.records.isEmpty { chunks.append(b.records) }
            if b.isLast || b.toSeq <= after { break }
            after = b.toSeq
        }
    }

    /// Enrolls a fresh C002 node and continues with it: the one before has a committed
    /// position no further push can follow.
    func replaceAttacker() throws {
        report.attackers += 1
        (attacker, attackerKey) = try Self.enrolledAttacker(report.attackers, root: root, registry: registry, options: fastOptions)
        try prepareAttacker()
        attackerLink.close()
        attackerLink = network.nodeTransport(key: attackerKey)
        try attackerLink.open()
        welcomed = false
        pulled = false
        pushedTo = 0
        hubSeq = 0
        mutator.words.append(Array(attacker.unsafeReplica.id.rawValue.utf8))
    }

    /// Head office's own records (center HQ) and the shared ones, at the hub.
    func headOffice() throws -> [RecordState] {
        try hubDesk.unsafeReplica.allStates(scope: .centers(["HQ"]))
    }

    // MARK: - Running

    /// Runs `count` messages from the attacker, about half of them mutated.
    public func run(messages count: Int, checkpointEvery: Int = 2_000) throws -> Report {
        try prepare()
        try hub.start()
        try settleGood()
        guard goodStore.syncStateOrNil?.state == "connected" else {
            report.failures.append("the C001 node did not connect before the fuzzing: \(String(describing: goodStore.syncStateOrNil))")
            return report
        }
        connectedSince = goodStore.syncStateOrNil?.stateSince
        let started = Date()
        try attackerLink.open()
        for i in 0..<count {
            var frames = nextValidMessage()
            if mutator.chance(55) {
                frames = mutator.mutate(frames)
                report.mutated += 1
            }
            Self.lastInput.withLock { $0 = (i, frames) }
            try attackerLink.send(frames)
            report.messages += 1
            try step(hub)
            drainAttacker()
            if pushedTo >= Self.saturated { try replaceAttacker() }
            _ = Self.progress.add(1, ordering: .relaxed)
            if i % 8 == 0 {
                try goodDriver.step()
                try step(hub)
            }
            if i % 4 == 0 { clock.advance(by: .milliseconds(1)) }
            if mutator.chance(1) {
                // A reconnect: the hub sees a new connection of the same key.
                attackerLink.close()
                attackerLink = network.nodeTransport(key: attackerKey)
                try attackerLink.open()
                welcomed = false
            }
            if (i + 1) % checkpointEvery == 0 {
                try checkpoint(i)
                if !report.failures.isEmpty { break }
            }
            if (i + 1) % 100_000 == 0 {
                report.seconds = Date().timeIntervalSince(started)
                print("hub fuzz progress: \(report)")
                fflush(nil)  // as it comes, also through a pipe or into a file
            }
        }
        try checkpoint(count)
        try finalCheck()
        report.seconds = Date().timeIntervalSince(started)
        hub.shutdown()
        goodDriver.finish()
        return report
    }

    /// A committed position this far up leaves no room for the pushes after it.
    static let saturated: UInt64 = 1 << 62

    func step(_ hub: Hub) throws {
        do {
            try hub.step()
        } catch {
            report.failures.append("the hub's step threw: \(error)")
            throw error
        }
    }

    /// A valid next message for the attacker's session as it knows it.
    func nextValidMessage() -> [[UInt8]] {
        guard welcomed else { return OutgoingMessage(.hello(hello())).frames }
        switch mutator.int(100) {
        case 0..<45:
            let chunk = chunks[mutator.int(chunks.count)]
            let to = pushedTo + UInt64(1 + mutator.int(3))
            let batch = ChangeBatch(schemaVersion: DeskSchema.version, origin: attacker.unsafeReplica.id, fromSeq: pushedTo, toSeq: to,
                                    records: chunk, isLast: mutator.chance(50))
            pushedTo = to
            return OutgoingMessage.push(batch).frames
        case 45..<60:
            var p = Gatehouse_Sync_V1_Pull()
            p.cursor = mutator.chance(80) ? hubSeq : 0
            p.creditBytes = UInt64(4096 + mutator.int(64 << 10))
            p.creditBatches = UInt32(1 + mutator.int(2))
            pulled = true
            return OutgoingMessage(.pull(p)).frames
        case 60..<72 where pulled:
            var c = Gatehouse_Sync_V1_Credit()
            c.bytes = UInt64(1024 + mutator.int(32 << 10))
            c.batches = 1
            c.appliedSeq = hubSeq
            return OutgoingMessage(.credit(c)).frames
        case 72..<92:
            var p = Gatehouse_Sync_V1_Ping()
            p.nonce = mutator.rng.next()
            p.status = NodeStatusReport(pendingCount: UInt64(mutator.int(100)), lastError: mutator.chance(10) ? "磁盘满" : "").proto
            return OutgoingMessage(.ping(p)).frames
        case 92..<96:
            welcomed = false
            return OutgoingMessage(SyncMessage.bye("fuzz")).frames
        default:
            return OutgoingMessage(.hello(hello())).frames
        }
    }

    func hello() -> Gatehouse_Sync_V1_Hello {
        var h = Gatehouse_Sync_V1_Hello()
        h.nodeID = attacker.unsafeReplica.id.rawValue
        h.center = "C002"
        h.schemaVersion = UInt32(DeskSchema.version)
        h.logHead = pushedTo
        h.knownHubID = hubDesk.unsafeReplica.id.rawValue
        h.pullCursor = hubSeq
        h.agent = "hub-fuzzer"
        return h
    }

    /// Reads what the hub answered the attacker, as its session would.
    func drainAttacker() {
        while let frames = try? attackerLink.receive() {
            guard let m = try? SyncFraming.decode(frames, maxMessageBytes: 64 << 20).message else {
                report.failures.append("the hub sent something unreadable")
                continue
            }
            switch m.kind {
            case .welcome(let w):
                welcomed = true
                pulled = false
                pushedTo = w.committedPush
            case .error(let e):
                report.errors[e.code, default: 0] += 1
                welcomed = false
            case .ack(let a):
                report.acks += 1
                report.refusedRecords += a.refused.count
            case .changes(let c):
                hubSeq = max(hubSeq, c.changes.toSeq)
            case .bye:
                welcomed = false
            default:
                break
            }
        }
        // The hub's committed position can be ahead of a mutated to_seq the attacker
        // thought it sent; a 409 and a new HELLO put it right, as for a real node.
    }

    // MARK: - Checks

    /// A write at C001 and one at head office for C001 must cross; the C001 node must still
    /// be on the session it opened first.
    func checkpoint(_ at: Int) throws {
        let k = report.checkpoints
        let fromNode = try good.unsafeReplica.write(author: "S001") { tx in
            try tx.insert("customer", ["center": "C001", "name": .text("检查\(k)"), "phone": "13900000000"])
        }
        let fromHub = try hubDesk.unsafeReplica.write(author: "H001") { tx in
            try tx.insert("customer", ["center": "C001", "name": .text("总部检查\(k)")])
        }
        c001IDs.formUnion([fromNode, fromHub])
        var crossed = false
        for _ in 0..<200 {
            clock.advance(by: .milliseconds(50))
            try step(hub)
            try goodDriver.step()
            try step(hub)
            drainAttacker()
            if try hubDesk.unsafeReplica.state("customer", id: fromNode) != nil && good.unsafeReplica.state("customer", id: fromHub) != nil {
                crossed = true
                break
            }
        }
        if !crossed { report.failures.append("checkpoint \(k) (message \(at)): C001's and head office's writes did not cross in 10 s") }
        let s = goodStore.syncStateOrNil
        if s?.state != "connected" || s?.stateSince != connectedSince {
            report.failures.append("checkpoint \(k) (message \(at)): the C001 node's session was disturbed: \(String(describing: s))")
        }
        let opened = log.count("node connected", center: "C001")
        if opened != 1 { report.failures.append("checkpoint \(k): the C001 node connected \(opened) times") }
        let errors = log.count(level: .error)
        if errors > 0 { report.failures.append("checkpoint \(k): the hub logged errors: \(log.errors())") }
        report.checkpoints += 1
    }

    func finalCheck() throws {
        try settleGood()
        let scope = ScopeFilter.centers(["C001"])
        let atHub = try hubDesk.unsafeReplica.allStates(scope: scope)
        let atNode = try good.unsafeReplica.allStates(scope: scope)
        let c001AtHub = atHub.filter { $0.slots.first?.values.first == "C001" }
        let foreign = c001AtHub.filter { !c001IDs.contains($0.id) }
        if !foreign.isEmpty { report.failures.append("C001 records at the hub nobody of C001 or head office wrote: \(foreign.map(\.id))") }
        if atHub != atNode { report.failures.append("C001's records differ between the hub (\(atHub.count)) and the node (\(atNode.count))") }
        if try headOffice() != headOfficeBefore { report.failures.append("head office's or the shared records changed") }
    }

    /// Steps the hub and the C001 node, moving the clock, until nothing is in flight.
    func settleGood() throws {
        for _ in 0..<100 {
            clock.advance(by: .milliseconds(50))
            try step(hub)
            try goodDriver.step()
            try step(hub)
            drainAttacker()
        }
    }
}

extension ReplicaNodeStore {
    var syncStateOrNil: NodeSyncState? { try? syncState() }
}

/// Log records counted, not kept: a million mutated messages log a million refusals.
public final class CountingLog: Sendable {
    let counts = Mutex<[String: Int]>([:])
    let errorTexts = Mutex<[String]>([])

    func logger(_ label: String) -> Logger {
        var l = Logger(label: label) { [self] _ in Handler(log: self) }
        l.logLevel = .info
        return l
    }

    func count(_ message: String, center: String) -> Int { counts.withLock { $0["\(message)|\(center)"] ?? 0 } }
    func count(level: Logger.Level) -> Int { counts.withLock { $0["level:\(level)"] ?? 0 } }
    func errors() -> [String] { errorTexts.withLock { $0 } }

    struct Handler: LogHandler {
        let log: CountingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let center = event.metadata?["center"].map { "\($0)" } ?? "-"
            log.counts.withLock { c in
                c["\(event.message)|\(center)", default: 0] += 1
                c["level:\(event.level)", default: 0] += 1
            }
            if event.level >= .error {
                log.errorTexts.withLock { t in if t.count < 20 { t.append("\(event.message) \(event.metadata ?? [:])") } }
            }
        }
    }
}

/// Aborts the process, naming the seed and the message being handled, when the fuzzer
/// makes no progress for `limit`: a hang fails loudly instead of stalling the suite.
public final class FuzzWatchdog: Sendable {
    let stop = Atomic<Bool>(false)

    public init(seed: UInt64, limit: TimeInterval = 120) {
        let thread = Thread { [self] in
            var last = HubFuzzer.progress.load(ordering: .relaxed)
            var since = Date()
            while !self.stop.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 1)
                let now = HubFuzzer.progress.load(ordering: .relaxed)
                if now != last {
                    last = now
                    since = Date()
                } else if Date().timeIntervalSince(since) > limit {
                    let input = HubFuzzer.lastInput.withLock { $0 }
                    let hex = input.frames.map { $0.prefix(256).map { String(format: "%02x", $0) }.joined() }
                    FileHandle.standardError.write(Data("hub fuzz HANG: seed \(seed), message \(input.index): \(hex)\n".utf8))
                    fatalError("hub fuzz: no progress for \(Int(limit)) s (seed \(seed), message \(input.index))")
                }
            }
        }
        thread.start()
    }

    public func finish() { stop.store(true, ordering: .relaxed) }
}
