import Foundation
import Logging
import Replication
import ServiceDesk
import SyncProtocol
import ZeroMQ

/// The node's sync client: `gatehouse node run` (a daemon that follows local writes and
/// survives hub outages of any length) and `gatehouse sync` (one push-and-pull, then
/// exit). One thread owns the DEALER socket; the conversation is a pure `NodeSession`
/// whose actions this loop performs against the node's replica.
public final class NodeClient {
    public let desk: Desk
    let store: NodeSyncStore
    let keys: CurveKeyPair
    let endpoint: String
    let hubKey: String
    let limits: SyncLimits
    var logger: Logger
    private let clock = ContinuousClock()

    /// How the client runs.
    public enum Mode: Sendable {
        /// Keep syncing until stopped.
        case daemon
        /// Sync until up to date, or fail after the timeout.
        case once(timeout: Duration)
    }

    public init(directory: DataDirectory, limits: SyncLimits = .default, logger: Logger = Logger(label: "gatehouse.node")) throws {
        desk = try Desk.open(directory)
        guard !desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is the hub; sync runs on a center's node") }
        guard let e = desk.config.endpoint, let k = desk.config.hubKey else {
            throw RuntimeError.configuration("this node does not know its hub yet: run `gatehouse node connect --hub ENDPOINT --hub-key KEY`")
        }
        endpoint = e
        hubKey = k
        keys = try KeyStore(directory).load()
        store = try NodeSyncStore(desk.replica.database)
        self.limits = limits
        self.logger = logger
    }

    /// Runs until stopped (daemon) or until synchronized (once). Throws for a one-shot
    /// sync that could not finish, with the reason.
    public func run(_ mode: Mode, shouldStop: () -> Bool = { StopSignal.requested }) throws {
        MemoryTuning.keepBatchBuffers()
        try ZeroMQ.requireCurve()
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        let replica = desk.replica
        var session = NodeSession(
            configuration: NodeConfiguration(nodeID: replica.id, center: desk.center, schemaVersion: DeskSchema.version, defaults: limits,
                                             demo: desk.config.demoClock),
            rng: SystemRandomNumberGenerator(), now: clock.now)
        var socket: ZMQSocket?
        // libzmq's connection events for the socket: the only way to learn that the hub
        // refused our key, since a ZAP denial sends no message.
        var monitor: ZMQSocket?
        var monitors = 0
        // A key enrolled moments ago is refused until the hub re-reads its allow-list
        // (every second): only refusals that persist this long are final.
        var refusedSince: ContinuousClock.Instant?
        let refusalGrace: Duration = .seconds(3)
        var reconnectAt: ContinuousClock.Instant? = clock.now
        let started = clock.now
        var lastSeq = try replica.localClock().sequence
        var lastWatch = clock.now
        var lastReport = clock.now.advanced(by: .seconds(-10))
        var lastError: SyncError?
        var failure: SyncError?
        var done = false
        if case .daemon = mode {
            try store.update { $0.daemonPID = getpid(); $0.daemonHeartbeatAt = Date() }
        }
        defer {
            socket?.close()
            monitor?.close()
            if case .daemon = mode {
                try? store.update { st in
                    st.daemonPID = nil
                    if st.state != "refused" { st.state = "offline"; st.stateSince = Date() }
                }
            }
        }

        func setState(_ s: String, error: SyncError? = nil) {
            try? store.update { st in
                // A refusal stands, with its reason, until a session is established again:
                // the next attempts meet only silence (the hub's ZAP handler drops a revoked
                // key without a word), which must not turn "refused" into a mere "offline".
                if st.state == "refused" && s != "refused" { return }
                if st.state != s { st.state = s; st.stateSince = Date() }
                if let error { st.lastError = "\(error)"; st.lastErrorAt = Date() }
            }
        }

        func perform(_ actions: [NodeAction]) {
            var queue = actions[...]
            while let a = queue.popFirst() {
                let now = clock.now
                switch a {
                case .send(let m):
                    do { try socket?.send(m.frames, dontWait: true) } catch {
                        logger.warning("send failed", metadata: ["error": "\(error)"])
                    }
                case .extractPush(let after, let hub, let maxCount, let maxBytes):
                    do {
                        let batch = try replica.changes(after: after, scope: .all, for: hub, maxCount: maxCount, maxBytes: maxBytes)
                        queue = session.pushExtracted(batch, now: now)[...] + queue
                    } catch {
                        queue = session.pushExtractionFailed(error, now: now)[...] + queue
                    }
                case .applyChanges(let batch, let rejected):
                    if !rejected.isEmpty { logger.warning("hub sent unreadable records", metadata: ["count": "\(rejected.count)"]) }
                    do {
                        // Unreadable records are quarantined, the rest applies (SPEC §5.8).
                        // The hub may send only this center's and shared records (SPEC §13).
                        try replica.apply(batch, from: batch.origin, sender: .hub(batch.origin, servingCenter: desk.center),
                                          unreadable: rejected.map { Refusal(table: $0.table, id: $0.id, reason: $0.reason) })
                        try? store.update { st in
                            st.lastPullAt = Date()
                            st.pullCursorAtContact = Int64(batch.toSeq)
                            // The last batch of a pull ends at the hub's head.
                            st.hubHeadSeq = batch.isLast ? Int64(batch.toSeq) : max(st.hubHeadSeq, Int64(batch.toSeq))
                        }
                        queue = session.changesApplied(upTo: batch.toSeq, now: now)[...] + queue
                    } catch {
                        queue = session.applyFailed(error, now: now)[...] + queue
                    }
                case .markAcknowledged(let hub, let upTo):
                    do {
                        try replica.markAcknowledged(by: hub, upTo: upTo)
                        try store.update { $0.lastPushAt = Date() }
                    } catch { logger.error("recording the hub's acknowledgement failed", metadata: ["error": "\(error)"]) }
                case .recordsRefused(let list):
                    let at = Date()
                    try? store.addRefusals(list.map { NodeRefusal(table: $0.table, record: $0.id, code: Int($0.code.rawValue), reason: $0.reason, at: at) })
                    logger.warning("hub refused records", metadata: ["count": "\(list.count)"])
                case .established(let hubID, let epoch, let bootstrap):
                    // A hub we have not pulled from in this epoch: its log positions are new.
                    if bootstrap { try? replica.resetReceivedCursor(from: hubID) }
                    try? store.update { st in
                        st.hubID = hubID.rawValue
                        st.hubEpoch = epoch
                        if st.state != "connected" { st.state = "connected"; st.stateSince = Date() }
                    }
                    logger.info("connected to hub", metadata: ["hub": "\(hubID)", "bootstrap": "\(bootstrap)"])
                case .reconnect(let after, let reason):
                    socket?.close()
                    socket = nil
                    monitor?.close()
                    monitor = nil
                    reconnectAt = now.advanced(by: after)
                    lastError = reason
                    setState(reason.code.needsOperator ? "refused" : "offline", error: reason)
                    logger.notice("hub connection lost", metadata: ["reason": "\(reason)", "retry in": "\(after)"])
                case .fail(let e):
                    failure = e
                    lastError = e
                    setState("refused", error: e)
                case .synchronized:
                    try? store.update { $0.lastPullAt = Date(); $0.lastPushAt = Date() }
                    done = true
                }
            }
        }

        func known() throws -> KnownHub? {
            let st = try store.load()
            guard let h = st.hubID.flatMap(ReplicaID.init(rawValue:)), let epoch = st.hubEpoch else { return nil }
            return KnownHub(id: h, epoch: epoch, cursor: try replica.receivedCursor(from: h))
        }

        // What HELLO and PING tell the hub about this node's backlog: refreshed before each
        // HELLO (so the hub's first word about a node is not "nothing waiting") and every
        // two seconds.
        func report() {
            lastReport = clock.now
            if let p = try? replica.pendingSummary(for: try known()?.id) {
                session.status.pendingCount = UInt64(p.count)
                session.status.oldestPendingUnixMillis = p.count > 0 ? p.oldest.map(\.millis) : nil
            }
            session.status.quarantinedCount = UInt64((try? replica.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _rep_quarantine") }) ?? 0)
            if let e = lastError {
                session.status.lastErrorCode = e.code.rawValue
                session.status.lastError = e.message
            }
        }

        // Anything from the hub is contact; recorded at most about once a second.
        var lastContactWrite = clock.now.advanced(by: .seconds(-10))
        func heardFromHub() {
            guard lastContactWrite.duration(to: clock.now) >= .seconds(1) else { return }
            lastContactWrite = clock.now
            try? store.update { $0.lastContactAt = Date() }
        }

        while !shouldStop() {
            let now = clock.now
            if case .once(let timeout) = mode {
                if done { break }
                if let failure { throw RuntimeError.refused(code: Int(failure.code.rawValue), reason: failure.message) }
                if started.duration(to: now) >= timeout {
                    let why = lastError.map { " (last error: \($0.message))" } ?? " (no answer: the hub may be down, or may not have enrolled this node's key)"
                    let message = "not synchronized with \(endpoint) within \(timeout)\(why)"
                    // Kept for `gatehouse status`: why the last attempt failed.
                    try? store.update { st in
                        guard st.state != "refused" else { return }
                        if st.state == "connecting" || st.state == "connected" { st.state = "offline"; st.stateSince = Date() }
                        st.lastError = message
                        st.lastErrorAt = Date()
                    }
                    throw RuntimeError.timeout(message)
                }
            }
            if socket == nil, let at = reconnectAt, at <= now {
                reconnectAt = nil
                do {
                    let s = try ctx.makeSocket(.dealer)
                    try s.makeCurveClient(serverKey: hubKey, publicKey: keys.publicKey, secretKey: keys.secretKey)
                    try s.set(.zapDomain, "gatehouse")
                    try s.set(.maxMessageSize, Int64(limits.maxMessageBytes + 1024))
                    monitors += 1
                    monitor = try s.monitor(name: "gatehouse-node-\(getpid())-\(monitors)")
                    try s.connect(endpoint)
                    socket = s
                    setState("connecting")
                    report()
                    perform(session.connected(now: now, local: try known(), logHead: try replica.localClock().sequence))
                } catch {
                    logger.error("cannot open a socket to the hub", metadata: ["error": "\(error)"])
                    reconnectAt = now.advanced(by: .seconds(2))
                }
            }
            while let m = monitor, let event = try ZMQMonitorEvent.read(from: m) {
                switch event.kind {
                case .handshakeFailedAuth, .handshakeFailedProtocol, .handshakeFailedNoDetail:
                    let e = event.kind == .handshakeFailedAuth
                        ? SyncError(.unauthorized, "the hub refused this node's key (ZAP status \(event.value)): it is not enrolled at head office for \(desk.center), or it was revoked; node key \(keys.publicKey)")
                        : SyncError(.unauthorized, "the secure handshake with the hub failed: check the hub key given to `node connect`")
                    lastError = e
                    let since = refusedSince ?? clock.now
                    refusedSince = since
                    let final = since.duration(to: clock.now) >= refusalGrace
                    if final {
                        setState("refused", error: e)
                        if case .once = mode { failure = e }
                    }
                    // libzmq does not retry a refused handshake: open a new socket ourselves,
                    // soon while the hub may still be loading a fresh enrollment, then slowly.
                    socket?.close()
                    socket = nil
                    monitor?.close()
                    monitor = nil
                    reconnectAt = clock.now.advanced(by: final ? .seconds(30) : .milliseconds(1100))
                case .handshakeSucceeded:
                    refusedSince = nil
                case .connectRetried:
                    if lastError == nil { lastError = SyncError(.unavailable, "nothing answers at \(endpoint): is the hub running?") }
                default:
                    break
                }
            }
            if let s = socket, let first = try s.receive(timeoutMilliseconds: 100) {
                heardFromHub()
                var msg: ZMQMultipart? = first
                var n = 0
                while let m = msg, n < 256 {
                    n += 1
                    do {
                        perform(session.received(try SyncFraming.decode(m.frames, maxMessageBytes: limits.maxMessageBytes), now: clock.now))
                    } catch {
                        perform(session.receivedInvalid(error, now: clock.now))
                    }
                    guard let s2 = socket else { break }
                    msg = try s2.receive(dontWait: true)
                }
            } else if socket == nil {
                Thread.sleep(forTimeInterval: 0.05)
            }
            perform(session.tick(now: clock.now))
            if lastWatch.duration(to: clock.now) >= .milliseconds(250) {
                lastWatch = clock.now
                let seq = try replica.localClock().sequence
                if seq != lastSeq {
                    lastSeq = seq
                    perform(session.localChangesAvailable(now: clock.now))
                }
                if case .daemon = mode { try? store.update { $0.daemonHeartbeatAt = Date() } }
            }
            if lastReport.duration(to: clock.now) >= .seconds(2) { report() }
        }
        if socket != nil { perform(session.stop(now: clock.now)) }
    }
}
