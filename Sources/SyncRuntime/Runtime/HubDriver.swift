import Foundation
import GRDB
import Logging
import Replication
import ServiceDesk
import SyncProtocol
import ZeroMQ

/// The hub's sync runtime: one pure ``HubSession`` per connected node, whose actions it
/// performs against the hub's replica and node registry, over a ``HubTransport``, on a
/// clock.
///
/// Generic over the transport and the clock, like ``NodeDriver``: `gatehouse hub run`
/// drives it over ZeroMQ on the continuous clock (``run(shouldStop:)``), tests over a
/// ``MemoryNetwork`` on a ``ManualClock`` (``step()``, with pushes applied inline).
///
/// What it costs per node is that node's own work: sessions are found by routing id and
/// by key in dictionaries, a new entry in the hub's log wakes only the sessions of the
/// centers it belongs to (all of them for shared data), silent sessions and due "last
/// seen" writes come off a deadline-ordered heap (``DeadlineHeap``: a sweep looks at what
/// is due, not at every session), and the status rows are written in one transaction per
/// `flushInterval`, only what changed (``RegistryBuffer``). The allow-list is reloaded
/// only when an enrollment or revocation moved its version. An idle fleet costs the same
/// whatever its size: the heartbeat announced in WELCOME is stretched past
/// `pingBudget` PINGs a second, and turns with only PINGs are spaced
/// `heartbeatCoalescing` apart.
public final class HubDriver<Transport: HubTransport, C: _Concurrency.Clock> where C.Duration == Duration {
    public typealias Session = HubSession<C.Instant>

    public let replica: Replica
    public let registry: NodeRegistry
    public let transport: Transport
    public let clock: C
    public let options: HubRuntimeOptions
    public var logger: Logger
    /// Called every `beatInterval` while running: the server's sign of life.
    public var onBeat: (() throws -> Void)?

    /// What sessions are made with; its heartbeat follows the number of enrolled keys
    /// (``HubRuntimeOptions/heartbeatInterval(enrolled:)``).
    private(set) var configuration: HubConfiguration
    private var sessions: [[UInt8]: Session] = [:]
    /// The routing id of each key's current connection.
    private var byKey: [String: [UInt8]] = [:]
    /// The ready sessions of each center.
    private var byCenter: [String: Set<[UInt8]>] = [:]
    private var enrollments = Enrollments()
    private var keysVersion: Int64 = -1
    private var logHead: UInt64 = 0
    private var buffer = RegistryBuffer()
    private var flushing = false
    /// A session ended: write its row at the next turn, not at the next interval.
    private var flushSoon = false
    /// When each connected node's "last seen" was last queued.
    private var lastSeenWritten: [String: C.Instant] = [:]
    private var lastHeard: [String: Date] = [:]
    /// When each session may have fallen silent (checked against its last message when due).
    private var silence = DeadlineHeap<C.Instant, [UInt8]>()
    /// When each connected node's "last seen" is next due.
    private var lastSeenDue = DeadlineHeap<C.Instant, String>()
    /// The current turn handled only PINGs (or nothing).
    private var heartbeatsOnly = true
    private var applier: PushApplier!
    private var nextSweep: C.Instant
    private var nextWatch: C.Instant
    private var nextFlush: C.Instant
    private var nextBeat: C.Instant
    private var started = false
    private var errorsInARow = 0
    /// Nodes pulling from 0, and the hub's log head when they started: until they pass it
    /// they get their own records too.
    private var bootstrapUntil: [ReplicaID: UInt64] = [:]

    /// A hub over `replica` (the hub's own) and `registry` (its enrollments), whose epoch and
    /// schema version go into every WELCOME.
    /// `demo`: the hub's data directory was created for demonstration; it then serves
    /// demonstration nodes only, and a real hub refuses them (SPEC §13.3).
    public init(replica: Replica, registry: NodeRegistry, transport: Transport, clock: C,
                options: HubRuntimeOptions = HubRuntimeOptions(), demo: Bool = false,
                logger: Logger = Logger(label: "gatehouse.hub")) throws {
        self.replica = replica
        self.registry = registry
        self.transport = transport
        self.clock = clock
        self.options = options
        self.logger = logger
        configuration = HubConfiguration(hubID: replica.id, epoch: try registry.epoch(), schemaVersion: replica.schema.version,
                                         limits: options.limits, demo: demo,
                                         oldestSchemaVersion: replica.compatibleSchemaVersions.lowerBound)
        let now = clock.now
        (nextSweep, nextWatch, nextFlush, nextBeat) = (now, now, now, now)
        // A hub restored from a backup takes back, from the nodes that pulled them, the
        // writes of its old identities that the restore lost.
        let lost = try replica.retiredIdentities()
        applier = PushApplier(replica: replica, threaded: options.threadedApply, wake: transport.waker, logger: logger,
                              makeItem: { $0.applyItem(lostWritesOf: lost) })
    }

    /// Connected nodes (sessions that said HELLO and were welcomed).
    public var readySessions: Int { byCenter.values.reduce(0) { $0 + $1.count } }

    /// Sessions in any state.
    public var sessionCount: Int { sessions.count }

    // MARK: - Running

    /// Starts listening: marks sessions a crashed predecessor left "connected" offline, loads
    /// the allow-list, starts the applier.
    public func start() throws {
        try registry.markSessionsOffline()
        try reloadEnrollments()
        logHead = try replica.localClock().sequence
        applier.start()
        try transport.start(admitting: enrollments.allowed)
        started = true
    }

    /// Runs until `shouldStop` says so. Transient failures (an interrupted poll, a busy
    /// database, a registry read) are logged and the loop goes on; the server stops only
    /// when asked, or when its ZeroMQ context is gone.
    public func run(shouldStop: () -> Bool) throws {
        if !started { try start() }
        defer { shutdown() }
        while !shouldStop() {
            do {
                try step()
                // Only PINGs: let the next ones gather rather than wake for each.
                if heartbeatsOnly && options.heartbeatCoalescing > .zero { Thread.sleep(forTimeInterval: options.heartbeatCoalescing.seconds) }
                try transport.wait(timeout: options.pollInterval)
                errorsInARow = 0
            } catch let e as ZMQError where e.isTerminated {
                throw e
            } catch {
                errorsInARow += 1
                // The first few in full, then one in a hundred: a persistent failure must not
                // flood the log, nor stop the server for every center.
                if errorsInARow <= 3 || errorsInARow % 100 == 0 {
                    logger.error("hub loop failed; retrying", metadata: ["error": "\(error)", "in a row": "\(errorsInARow)"])
                }
                Thread.sleep(forTimeInterval: options.errorPause.seconds)
            }
        }
    }

    /// One turn: handles the messages waiting (up to `messagesPerTurn`), the applier's
    /// results, the listener's events, then whichever timers are due. Never waits.
    public func step() throws {
        var n = 0
        heartbeatsOnly = true
        var received = false
        while n < options.messagesPerTurn, let m = try transport.receive() {
            n += 1
            received = true
            handle(m)
        }
        // A turn woken by nothing but the poll's timeout need not wait more.
        if !received { heartbeatsOnly = false }
        let done = applier.completed()
        if !done.isEmpty || !applier.isIdle { heartbeatsOnly = false }
        deliver(done)
        while let e = try transport.nextEvent() { handle(e) }
        let now = clock.now
        if now >= nextSweep {
            nextSweep = now.advanced(by: options.sweep)
            sweep(now)
        }
        if now >= nextWatch {
            nextWatch = now.advanced(by: options.watchInterval)
            try watch(now)
        }
        if now >= nextFlush || flushSoon, !flushing, !buffer.isEmpty {
            flushSoon = false
            nextFlush = now.advanced(by: options.flushInterval)
            flush()
        }
        if now >= nextBeat {
            nextBeat = now.advanced(by: options.beatInterval)
            do { try onBeat?() } catch { logger.error("cannot record that the hub is alive", metadata: ["error": "\(error)"]) }
        }
    }

    /// Whether the hub has nothing in hand: no push being applied, no status write under
    /// way (status changes may wait for the next flush). Simulations step until every side
    /// is idle.
    public var isIdle: Bool { applier.isIdle && !flushing }

    /// Stops: ERROR 503 to every session with a retry hint spread over the fleet (so they
    /// do not all come back at once), records the nodes offline, writes what is queued,
    /// stops listening. Idempotent.
    public func shutdown() {
        guard started else { return }
        started = false
        let now = clock.now
        // Spread the fleet's return over count / reconnectRate seconds after the hint.
        let spread = Double(sessions.count) / max(1, options.reconnectRate)
        var rng = SplitMix64(seed: options.seed ?? UInt64.random(in: .min ... .max))
        for rid in Array(sessions.keys) {
            guard var s = sessions[rid] else { continue }
            let after = configuration.retryAfterShutdown + .seconds(Double.random(in: 0...max(0, spread), using: &rng))
            perform(s.shutdown(now: now, retryAfter: after), on: &s, rid: rid)
        }
        for s in sessions.values { buffer.set(s.key, ["state": "offline", "connected_since": nil, "last_seen": NodeRegistry.ms(Date())]) }
        sessions = [:]
        byKey = [:]
        byCenter = [:]
        applier.stop()
        deliver(applier.completed())
        let batch = buffer.take()
        do {
            try replica.database.write { db in try RegistryBuffer.write(batch, db, replica: replica) }
        } catch {
            logger.error("cannot record the nodes offline at shutdown", metadata: ["error": "\(error)"])
        }
        transport.stop()
    }

    // MARK: - Messages

    private func handle(_ m: InboundMessage) {
        let rid = m.peer
        let now = clock.now
        guard let key = m.key, enrollments.allowed.contains(key) else {
            // Revoked while connected (ZAP only runs at the handshake).
            _ = try? transport.send(OutgoingMessage(.error(.unauthorizedOnTheWire)).frames, to: rid)
            drop(rid)
            return
        }
        lastHeard[key] = Date()
        var s: Session
        if let existing = sessions[rid] {
            s = existing
        } else {
            s = Session(key: key, configuration: configuration, now: now)
            silence.push(now.advanced(by: configuration.limits.deadline), rid)
        }
        sessions[rid] = s
        let actions: [HubAction]
        do {
            let r = try SyncFraming.decode(m.frames, maxMessageBytes: options.limits.maxMessageBytes)
            if case .ping = r.message.kind {} else { heartbeatsOnly = false }
            if case .hello = r.message.kind {
                // A node that reconnects comes on a new connection: retire its old session.
                if let old = byKey[key], old != rid { drop(old) }
                byKey[key] = rid
                unready(rid, s)
            }
            actions = s.received(r, now: now, directory: EnrollmentDirectory(enrollments: enrollments, replica: replica))
        } catch {
            actions = s.receivedInvalid(error, now: now)
        }
        perform(actions, on: &s, rid: rid)
        store(s, rid)
    }

    private func handle(_ e: HubTransportEvent) {
        switch e {
        case .denied(let d):
            logger.warning("connection refused", metadata: ["key": "\(d.publicKey ?? "-")", "address": "\(d.address)", "reason": "\(d.reason)"])
            buffer.log("denied", key: d.publicKey, center: nil, detail: "\(d.address): \(d.reason)")
        case .acceptFailed(let code):
            if code == EMFILE || code == ENFILE {
                logger.error("out of file descriptors: cannot accept another node's connection", metadata: [
                    "errno": "\(code)", "connected": "\(readySessions)",
                    "remedy": "raise the hub's file limit (LimitNOFILE, ulimit -n) or move centers to another hub (docs/SCALE.md)"])
            } else {
                logger.warning("cannot accept a connection", metadata: ["errno": "\(code)", "error": "\(String(cString: strerror(code)))"])
            }
        case .accepting(let on):
            if on { logger.notice("accepting connections again") } else { logger.error("not accepting connections for a while (out of file descriptors)") }
        }
    }

    /// Keeps a session's changes, unless an action ended it meanwhile.
    private func store(_ s: Session, _ rid: [UInt8]) {
        guard sessions[rid] != nil else { return }
        sessions[rid] = s
        if s.state == .ready, let center = s.center { byCenter[center, default: []].insert(rid) }
    }

    private func unready(_ rid: [UInt8], _ s: Session) {
        if let center = s.center { byCenter[center]?.remove(rid) }
    }

    private func drop(_ rid: [UInt8]) {
        guard let s = sessions.removeValue(forKey: rid) else { return }
        unready(rid, s)
        if byKey[s.key] == rid { byKey[s.key] = nil }
    }

    // MARK: - Performing the sessions' actions

    /// Performs one session's actions in order, feeding each result back to the session
    /// (and performing what it answers) before the next one.
    func perform(_ actions: [HubAction], on s: inout Session, rid: [UInt8]) {
        var queue = actions[...]
        while let a = queue.popFirst() {
            let now = clock.now
            switch a {
            case .send(let m):
                do {
                    if try !transport.send(m.frames, to: rid) {
                        // The node is gone or not reading: its session ends here.
                        closed(s, reason: SyncError(.unavailable, "the node's connection is gone"))
                        drop(rid)
                        return
                    }
                } catch {
                    logger.warning("send to a node failed", metadata: ["key": "\(s.key.prefix(8))", "error": "\(error)"])
                }
            case .bindNode(let node, _):
                do {
                    try registry.bind(publicKey: s.key, replicaID: node.rawValue, at: Date())
                    enrollments.bind(s.key, node)
                } catch {
                    logger.error("cannot bind the node id to its key", metadata: ["node": "\(node)", "error": "\(error)"])
                }
            case .sessionOpened(let node, let center, let agent, let status):
                let at = Date()
                buffer.set(s.key, statusFields(status).merging([
                    "state": "connected", "connected_since": NodeRegistry.ms(at), "last_seen": NodeRegistry.ms(at),
                ]) { $1 })
                lastSeenWritten[s.key] = now
                lastSeenDue.push(now.advanced(by: options.lastSeenInterval), s.key)
                buffer.log("session", key: s.key, center: center, detail: "\(node) \(agent)", at: at)
                logger.notice("node connected", metadata: ["node": "\(node)", "center": "\(center)"])
            case .statusReported(_, let status):
                buffer.set(s.key, statusFields(status))
            case .applyPush(let batch, let center, let rejected):
                for r in rejected { logger.warning("unreadable record in push", metadata: ["center": "\(center)", "record": "\(r)"]) }
                // Applied on the applier's thread; `deliver` acknowledges it after commit.
                applier.submit(PushApplier.Job(routingID: rid, key: s.key, batch: batch, center: center, rejected: rejected,
                                               status: buffer.takeFields(s.key)))
            case .extractChanges(let after, let node, let center, let maxCount, let maxBytes):
                do {
                    // A pull from 0 is a snapshot of the center, the node's own records
                    // included: a node restored from a backup gets back what it wrote after
                    // the backup. Later pulls leave out what the node sent (no echo).
                    if after == 0 { bootstrapUntil[node] = try replica.localClock().sequence }
                    var echo: ReplicaID? = node
                    if let until = bootstrapUntil[node] {
                        if after < until { echo = nil } else { bootstrapUntil[node] = nil }
                    }
                    // A node one schema version behind gets what it understands (SPEC §11).
                    let batch = try replica.project(
                        try replica.changes(after: after, scope: .centers([center]), for: echo, maxCount: maxCount, maxBytes: maxBytes),
                        to: s.nodeSchemaVersion)
                    queue = s.changesExtracted(batch, now: now)[...] + queue
                } catch {
                    queue = s.extractionFailed(error, now: now)[...] + queue
                }
            case .markAcknowledged(let node, let upTo):
                buffer.acknowledged(node, upTo: upTo)
                buffer.set(s.key, ["pull_cursor": Int64(upTo), "last_pull_at": NodeRegistry.ms(Date())])
            case .close(let reason):
                closed(s, reason: reason)
                unready(rid, s)
                if byKey[s.key] == rid { byKey[s.key] = nil }
                sessions[rid] = nil
            }
        }
    }

    private func closed(_ s: Session, reason: SyncError?) {
        // Refusals only an operator can cure (key, schema, demo, clock) stay on the status screen.
        let refused = reason?.code.needsOperator == true
        let at = Date()
        var fields: [String: (any DatabaseValueConvertible)?] = ["state": refused ? "refused" : "offline", "connected_since": nil]
        fields["last_seen"] = NodeRegistry.ms(lastHeard[s.key] ?? at)
        if let reason {
            fields["last_error"] = "\(reason)"
            fields["last_error_at"] = NodeRegistry.ms(at)
            logger.notice("session closed", metadata: ["node": "\(s.node.map { "\($0)" } ?? "-")", "key": "\(s.key.prefix(8))", "reason": "\(reason)"])
        } else if let node = s.node {
            logger.info("node disconnected", metadata: ["node": "\(node)"])
        }
        buffer.set(s.key, fields)
        lastSeenWritten[s.key] = nil
        flushSoon = true
    }

    /// Hands applied pushes back to their sessions (an ACK for each commit, an ERROR for a
    /// rolled-back one; a session that ended meanwhile gets nothing: its node resends), and
    /// finished status writes to the buffer (a failed one is queued again).
    private func deliver(_ done: [PushApplier.Done]) {
        var applied = false
        for d in done {
            switch d {
            case .write(_, let error):
                flushing = false
                if let error {
                    logger.error("cannot write the nodes' status; retrying", metadata: ["error": "\(error)"])
                    buffer.restore(inFlight)
                }
                inFlight = RegistryBuffer.Batch()
            case .push(let job, let result):
                let rid = job.routingID
                guard var s = sessions[rid], s.key == job.key else { continue }
                let now = clock.now
                switch result {
                case .success(let r):
                    applied = applied || r.changed > 0
                    buffer.wrote(job.key, job.status.merging(job.pushedFields()) { _, pushed in pushed })
                    perform(s.pushCommitted(r, toSeq: job.batch.toSeq, now: now), on: &s, rid: rid)
                case .failure(let error):
                    if let r = error as? ReplicationError, case .clockAhead = r {
                        // A refusal of that node (425), not a failure of the hub.
                        logger.warning("push refused: the node's clock is ahead", metadata: ["center": "\(job.center)", "error": "\(error)"])
                    } else {
                        logger.error("push failed", metadata: ["center": "\(job.center)", "error": "\(error)"])
                    }
                    buffer.restore(RegistryBuffer.Batch(fields: [job.key: job.status]))
                    buffer.set(s.key, ["last_error": "\(error)", "last_error_at": NodeRegistry.ms(Date())])
                    perform(s.pushFailed(error, toSeq: job.batch.toSeq, now: now), on: &s, rid: rid)
                }
                store(s, rid)
            }
        }
        // New entries in the log: offer them without waiting for the next watch.
        if applied { nextWatch = clock.now }
    }

    // MARK: - Timers

    /// Expires silent sessions; queues "last seen" of connected nodes every `lastSeenInterval`.
    /// Both come off deadline-ordered heaps: a sweep costs what is due, not the fleet.
    private func sweep(_ now: C.Instant) {
        let deadline = configuration.limits.deadline
        while let rid = silence.popDue(now) {
            guard var s = sessions[rid] else { continue }  // ended meanwhile
            let due = s.lastHeard.advanced(by: deadline)
            if due > now {
                silence.push(due, rid)  // heard since: look again a deadline after its last word
                continue
            }
            perform(s.tick(now: now), on: &s, rid: rid)
            store(s, rid)
            // Still there: its deadline, announced before the fleet shrank, is longer.
            if sessions[rid] != nil { silence.push(now.advanced(by: options.sweep), rid) }
        }
        while let key = lastSeenDue.popDue(now) {
            // An entry of an earlier session of the key, or of one that ended, is dropped.
            guard let at = lastSeenWritten[key], at.advanced(by: options.lastSeenInterval) <= now,
                  let rid = byKey[key], sessions[rid]?.state == .ready else { continue }
            lastSeenWritten[key] = now
            lastSeenDue.push(now.advanced(by: options.lastSeenInterval), key)
            buffer.set(key, ["last_seen": NodeRegistry.ms(lastHeard[key] ?? Date())])
        }
    }

    /// Reloads the enrollments when their version moved (another process enrolled or
    /// revoked), and offers new log entries to the sessions of the centers they belong to.
    private func watch(_ now: C.Instant) throws {
        let version = try registry.keysVersion()
        if version != keysVersion {
            try reloadEnrollments()
            keysVersion = version
        }
        let head = try replica.localClock().sequence
        guard head != logHead else { return }
        let changed = try replica.scopesChanged(after: logHead)
        logHead = max(head, changed.head)
        var rids: Set<[UInt8]> = []
        if changed.shared {
            for set in byCenter.values { rids.formUnion(set) }
        } else {
            for c in changed.centers { rids.formUnion(byCenter[c] ?? []) }
        }
        for rid in rids {
            guard var s = sessions[rid] else { continue }
            perform(s.logAdvanced(now: now), on: &s, rid: rid)
            store(s, rid)
        }
    }

    private var inFlight = RegistryBuffer.Batch()

    private func flush() {
        let batch = buffer.take()
        guard !batch.isEmpty else { return }
        inFlight = batch
        flushing = true
        let replica = self.replica
        applier.submit(write: "status") { db in try RegistryBuffer.write(batch, db, replica: replica) }
    }

    private func reloadEnrollments() throws {
        let nodes = try registry.nodes()
        let before = enrollments.allowed
        enrollments = Enrollments(nodes)
        // New sessions get a heartbeat for the fleet the hub may now have to hold.
        let heartbeat = options.heartbeatInterval(enrolled: enrollments.allowed.count)
        if heartbeat != configuration.limits.heartbeatInterval {
            configuration.limits.heartbeatInterval = heartbeat
            logger.notice("heartbeat interval for the fleet", metadata: [
                "enrolled": "\(enrollments.allowed.count)", "interval": "\(heartbeat)", "ping budget": "\(options.pingBudget)/s"])
        }
        if started, enrollments.allowed != before { try transport.admit(enrollments.allowed) }
        // A key revoked while connected is cut off now, not at its next message: ERROR 401
        // (the same reason as every 401) and nothing more is sent to it. So a revocation
        // takes effect within one watch interval (1 s) whatever the build's speed (SPEC §13).
        for (rid, s) in sessions where !enrollments.allowed.contains(s.key) {
            _ = try? transport.send(OutgoingMessage(.error(.unauthorizedOnTheWire)).frames, to: rid)
            closed(s, reason: .unauthorized("the key was revoked while connected"))
            drop(rid)
        }
        // Revoked keys' rows were changed by `hub revoke`: write their next values whatever
        // was written before.
        for n in nodes where n.isRevoked { buffer.forget(n.publicKey) }
    }


}

/// The enrollments as the running hub holds them: who may connect, for which center, bound
/// to which node id. Reloaded when their version moves.
struct Enrollments {
    private var byKey: [String: Enrollment] = [:]
    private var byNode: [ReplicaID: String] = [:]
    private(set) var allowed: Set<String> = []

    init() {}

    init(_ nodes: [EnrolledNode]) {
        for n in nodes {
            let id = n.replicaID.flatMap(ReplicaID.init(rawValue:))
            if let id { byNode[id] = n.publicKey }
            guard !n.isRevoked else { continue }
            byKey[n.publicKey] = Enrollment(center: n.center, nodeID: id)
            allowed.insert(n.publicKey)
        }
    }

    func enrollment(_ key: String) -> Enrollment? { byKey[key] }
    func key(boundTo node: ReplicaID) -> String? { byNode[node] }

    mutating func bind(_ key: String, _ node: ReplicaID) {
        byKey[key]?.nodeID = node
        byNode[node] = key
    }
}

/// The `HubDirectory` a session consults at HELLO: the enrollments in memory, the pushes
/// committed from the replica.
struct EnrollmentDirectory: HubDirectory {
    let enrollments: Enrollments
    let replica: Replica

    func enrollment(forKey key: String) throws -> Enrollment? { enrollments.enrollment(key) }
    func key(boundTo node: ReplicaID) throws -> String? { enrollments.key(boundTo: node) }
    func committedPush(from node: ReplicaID) throws -> UInt64 { try replica.receivedCursor(from: node) }
    func logHead() throws -> UInt64 { try replica.localClock().sequence }
}

extension PushApplier.Job {
    /// What the applier does with this push: merge the batch, keeping out what a node of its
    /// center may not originate (`AuthorityCheck`: other centers' records, shared and
    /// head-office data, rewrites of what the hub holds), and update the node's registry
    /// row in the same transaction (one commit for both, and the refusal log entry exactly
    /// when the quarantine rows commit).
    func applyItem(lostWritesOf lost: Set<ReplicaID> = []) -> Replica.ApplyItem {
        let (batch, center, key) = (self.batch, self.center, self.key)
        // Unreadable records are quarantined like refused ones (SPEC §5.5).
        let unreadable = rejected.map { Refusal(table: $0.table, id: $0.id, reason: $0.reason) }
        // The session checked that the batch is the log of the node bound to the key.
        return Replica.ApplyItem(batch, from: batch.origin, sender: .centerNode(batch.origin, center: center, lostWritesOf: lost),
                                 unreadable: unreadable,
                                 alongside: { [status] db, result in
            let refused = unreadable + result.refused
            if !refused.isEmpty {
                try NodeRegistry.log(db, Date(), key, center, "refused",
                                     refused.map { "\($0.table)/\($0.id): \($0.reason)" }.joined(separator: "; "))
            }
            // What the node reported before this push, then what the push says: the node's
            // row is exact the moment its ACK goes out (a report or `hub status` right
            // after a `sync` sees it).
            let fields = status.merging(pushedFields()) { _, pushed in pushed }
            try NodeRegistry.record(db, publicKey: key, fields.mapValues { $0 as DatabaseValueConvertible? }, addRefused: refused.count)
            // The hub's copy of the node's audit chain is the authoritative one: record the
            // head it acknowledges with this push (`audit verify` checks against it).
            if batch.records.contains(where: { $0.table == "audit" }) {
                try AuditAcknowledgements.held(db, node: batch.origin.rawValue, atMillis: NodeRegistry.ms(Date()))
            }
        })
    }

    /// What a committed push says of its node's row.
    func pushedFields() -> [String: DatabaseValue] {
        let now = NodeRegistry.ms(Date()).databaseValue
        var fields: [String: DatabaseValue] = ["last_push_seq": Int64(batch.toSeq).databaseValue, "last_push_at": now, "last_seen": now]
        // The node's log ended with this batch: nothing waits there any more (its next
        // PING says otherwise if it wrote meanwhile). Without this a one-shot `sync` leaves
        // the backlog its HELLO reported.
        if batch.isLast {
            fields["backlog"] = Int64(0).databaseValue
            fields["oldest_pending_at"] = .null
        }
        return fields
    }
}

/// What a node's HELLO or PING reports, as registry columns.
func statusFields(_ s: NodeStatusReport) -> [String: DatabaseValueConvertible?] {
    var f: [String: DatabaseValueConvertible?] = [
        "backlog": Int64(clamping: s.pendingCount),
        "oldest_pending_at": s.oldestPendingUnixMillis.map { Int64(clamping: $0) },
    ]
    if s.lastErrorCode != 0 || !s.lastError.isEmpty {
        f["last_error"] = s.lastError
        f["last_error_at"] = Int64(clamping: s.lastErrorUnixMillis)
    }
    return f
}
