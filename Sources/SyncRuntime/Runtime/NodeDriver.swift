import Foundation
import Logging
import Replication
import ServiceDesk
import SyncProtocol

/// The node's sync runtime: performs a pure ``NodeSession``'s actions against a
/// ``NodeStore`` over a ``NodeTransport``, on a clock.
///
/// Generic over the transport and the clock (the shape of Hummingbird's `PersistDriver` /
/// `MemoryPersistDriver`): `gatehouse node run` and `gatehouse sync` drive it over
/// ZeroMQ on the continuous clock (``run(shouldStop:)``); tests and simulations drive it
/// over a ``MemoryNetwork`` on a ``ManualClock``, calling ``step()`` after moving the clock.
///
/// ```swift
/// let node = try NodeDriver(store: store, transport: network.nodeTransport(key: key), clock: clock, mode: .daemon)
/// try node.step()                    // connects, says HELLO
/// try hub.step(); try node.step()    // WELCOME, PULL, PUSH…
/// clock.advance(by: .seconds(5))     // time for a PING
/// ```
public final class NodeDriver<Transport: NodeTransport, C: _Concurrency.Clock> where C.Duration == Duration {
    public typealias Session = NodeSession<C.Instant, SplitMix64>

    /// How the driver runs.
    public enum Mode: Sendable, Equatable {
        /// Keep syncing until stopped.
        case daemon
        /// Sync until up to date, or fail after the timeout.
        case once(timeout: Duration)
    }

    /// Where a run stands.
    public enum Outcome: Sendable, Equatable {
        case running
        /// (once) Everything local is acknowledged and everything the hub had is applied.
        case synchronized
        /// (once) Refused for a reason a reconnect cannot cure.
        case failed(SyncError)
        /// (once) Not synchronized within the timeout; the message says why.
        case timedOut(String)
    }

    public let store: any NodeStore
    public let transport: Transport
    public let clock: C
    public let options: NodeRuntimeOptions
    public let mode: Mode
    public var logger: Logger
    /// What the hub is called in messages (its endpoint).
    public var hubName: String
    /// Called every `beatInterval` while running: the daemon's sign of life.
    public var onBeat: (() throws -> Void)?

    public private(set) var session: Session
    public private(set) var outcome: Outcome = .running

    private var reconnectAt: C.Instant?
    private var refusedSince: C.Instant?
    private let started: C.Instant
    private var lastSeq: UInt64
    private var nextWatch: C.Instant
    private var nextReport: C.Instant
    private var nextBeat: C.Instant
    private var lastError: SyncError?
    private var lastHeard: C.Instant?

    public init(store: any NodeStore, transport: Transport, clock: C, options: NodeRuntimeOptions = NodeRuntimeOptions(),
                mode: Mode, hubName: String = "the hub", logger: Logger = Logger(label: "gatehouse.node")) throws {
        self.store = store
        self.transport = transport
        self.clock = clock
        self.options = options
        self.mode = mode
        self.hubName = hubName
        self.logger = logger
        let now = clock.now
        var rng = SplitMix64(seed: options.seed ?? UInt64.random(in: .min ... .max))
        _ = rng.next()
        session = Session(
            configuration: NodeConfiguration(nodeID: store.nodeID, center: store.center, schemaVersion: store.schemaVersion,
                                             defaults: options.limits, backoff: options.backoff, demo: store.demo),
            rng: rng, now: now)
        started = now
        reconnectAt = now
        lastSeq = try store.logHead()
        nextWatch = now
        nextReport = now
        nextBeat = now
    }

    // MARK: - Running

    /// Runs until `shouldStop` says so (daemon) or until synchronized (once), waiting on the
    /// transport between turns. A one-shot run that cannot finish throws, with the reason.
    public func run(shouldStop: () -> Bool) throws {
        defer { finish() }
        while !shouldStop() {
            try step()
            switch outcome {
            case .running: break
            case .synchronized: return
            case .failed(let e): throw RuntimeError.refused(code: Int(e.code.rawValue), reason: e.message)
            case .timedOut(let m): throw RuntimeError.timeout(m)
            }
            try transport.wait(timeout: options.pollInterval)
        }
    }

    /// One turn: connects when due, handles every event and message waiting (up to
    /// `messagesPerTurn`), then the timers. Never waits.
    public func step() throws {
        guard outcome == .running else { return }
        var now = clock.now
        if case .once(let timeout) = mode, started.duration(to: now) >= timeout {
            timeOut(timeout)
            return
        }
        if !transport.isOpen, let at = reconnectAt, at <= now { connect(now) }
        // Messages before events: a hub that stops says ERROR 503 with a retry hint just
        // before its connection drops, and the hint must win over the drop.
        var n = 0
        while transport.isOpen, n < options.messagesPerTurn, let frames = try transport.receive() {
            n += 1
            now = clock.now
            lastHeard = now
            do {
                perform(session.received(try SyncFraming.decode(frames, maxMessageBytes: session.configuration.defaults.maxMessageBytes),
                                         now: now))
            } catch {
                perform(session.receivedInvalid(error, now: now))
            }
        }
        while transport.isOpen, let e = try transport.nextEvent() { handle(e) }
        now = clock.now
        perform(session.tick(now: now))
        if now >= nextWatch {
            nextWatch = now.advanced(by: options.watchInterval)
            let seq = try store.logHead()
            if seq != lastSeq {
                lastSeq = seq
                perform(session.localChangesAvailable(now: now))
            }
        }
        if now >= nextReport { report(now) }
        if now >= nextBeat {
            nextBeat = now.advanced(by: options.beatInterval)
            do { try onBeat?() } catch { logger.error("cannot record that the daemon is alive", metadata: ["error": "\(error)"]) }
        }
    }

    /// Ends the run: says BYE to the hub if a session is open, closes the connection, and
    /// (daemon) records the node offline. Idempotent.
    public func finish() {
        if transport.isOpen {
            perform(session.stop(now: clock.now))
            transport.close()
        }
        if case .daemon = mode {
            let last = lastContact
            saveState { st in
                if st.state != "refused" {
                    st.state = "offline"
                    st.stateSince = Date()
                }
                if let last { st.lastContactAt = max(st.lastContactAt ?? last, last) }
            }
        }
    }

    /// When the hub was last heard from, as a wall-clock date.
    private var lastContact: Date? {
        lastHeard.map { Date().addingTimeInterval(-max(0, $0.duration(to: clock.now).seconds)) }
    }

    // MARK: - Performing the session's actions

    /// Performs the session's actions in order, feeding each result back to the session
    /// (and performing what it answers) before the next one.
    public func perform(_ actions: [NodeAction]) {
        var queue = actions[...]
        while let a = queue.popFirst() {
            let now = clock.now
            switch a {
            case .send(let m):
                do { try transport.send(m.frames) } catch {
                    logger.warning("send to the hub failed", metadata: ["error": "\(error)"])
                }
            case .extractPush(let after, let hub, let maxCount, let maxBytes):
                do {
                    let batch = try store.changes(after: after, for: hub, maxCount: maxCount, maxBytes: maxBytes)
                    queue = session.pushExtracted(batch, now: now)[...] + queue
                } catch {
                    queue = session.pushExtractionFailed(error, now: now)[...] + queue
                }
            case .applyChanges(let batch, let rejected):
                if !rejected.isEmpty { logger.warning("the hub sent unreadable records; kept out", metadata: ["count": "\(rejected.count)"]) }
                do {
                    // Unreadable records are quarantined, the rest applies (SPEC §5.8).
                    try store.apply(batch, unreadable: rejected.map { Refusal(table: $0.table, id: $0.id, reason: $0.reason) }, at: Date())
                    queue = session.changesApplied(upTo: batch.toSeq, now: now)[...] + queue
                } catch {
                    queue = session.applyFailed(error, now: now)[...] + queue
                }
            case .markAcknowledged(let hub, let upTo):
                do { try store.markAcknowledged(by: hub, upTo: upTo, at: Date()) } catch {
                    logger.error("recording the hub's acknowledgement failed", metadata: ["error": "\(error)"])
                }
            case .recordsRefused(let list):
                let at = Date()
                do {
                    try store.recordRefusals(list.map { NodeRefusal(table: $0.table, record: $0.id, code: Int($0.code.rawValue), reason: $0.reason, at: at) })
                } catch {
                    logger.error("recording the hub's refusals failed", metadata: ["error": "\(error)"])
                }
                logger.warning("the hub refused records", metadata: ["count": "\(list.count)", "first": "\(list.first.map { "\($0.table)/\($0.id): \($0.reason)" } ?? "")"])
            case .established(let hubID, let epoch, let bootstrap):
                refusedSince = nil
                do { try store.established(hub: hubID, epoch: epoch, bootstrap: bootstrap, at: Date()) } catch {
                    logger.error("recording the session failed", metadata: ["error": "\(error)"])
                }
                logger.notice("connected to hub", metadata: ["hub": "\(hubID)", "endpoint": "\(hubName)", "bootstrap": "\(bootstrap)"])
            case .reconnect(let after, let reason):
                transport.close()
                reconnectAt = now.advanced(by: after)
                lastError = reason
                setState(reason.code.needsOperator ? "refused" : "offline", error: reason, lastContact: lastContact)
                logger.notice("hub connection lost; reconnecting", metadata: ["reason": "\(reason)", "retry in": "\(after)"])
            case .fail(let e):
                lastError = e
                setState("refused", error: e)
                logger.error("the hub refused this node", metadata: ["reason": "\(e)"])
                if case .once = mode { outcome = .failed(e) }
            case .synchronized:
                saveState { $0.lastPullAt = Date(); $0.lastPushAt = Date() }
                if case .once = mode { outcome = .synchronized }
            }
        }
    }

    // MARK: - Connection

    private func connect(_ now: C.Instant) {
        reconnectAt = nil
        do {
            try transport.open()
            setState("connecting")
            report(now)
            perform(session.connected(now: now, local: try store.knownHub(), logHead: try store.logHead()))
        } catch {
            transport.close()
            logger.error("cannot open a connection to the hub", metadata: ["error": "\(error)"])
            reconnectAt = now.advanced(by: options.socketRetry)
        }
    }

    private func handle(_ event: NodeTransportEvent) {
        let now = clock.now
        switch event {
        case .keyRefused, .handshakeFailed:
            let e: SyncError
            if case .keyRefused(let status) = event {
                e = SyncError(.unauthorized, "the hub refused this node's key (ZAP status \(status)): it is not enrolled at head office for \(store.center), or it was revoked")
            } else {
                e = SyncError(.unauthorized, "the secure handshake with the hub failed: check the hub key given to `node connect`")
            }
            lastError = e
            let since = refusedSince ?? now
            refusedSince = since
            let final = since.duration(to: now) >= options.refusalGrace
            if final {
                setState("refused", error: e)
                logger.error("the hub refused this node's key", metadata: ["reason": "\(e.message)"])
                if case .once = mode { outcome = .failed(e) }
            }
            // libzmq does not retry a refused handshake: open a new connection ourselves,
            // soon while the hub may still be loading a fresh enrollment, then slowly.
            transport.close()
            session.connectionClosed(now: now)
            reconnectAt = now.advanced(by: final ? options.refusedRetry : options.refusalRetry)
        case .handshakeSucceeded:
            refusedSince = nil
        case .connectRetried:
            if lastError == nil { lastError = SyncError(.unavailable, "nothing answers at \(hubName): is the hub running?") }
        case .disconnected:
            perform(session.connectionLost(SyncError(.unavailable, "the connection to the hub dropped"), now: now))
        }
    }

    private func timeOut(_ timeout: Duration) {
        let why = lastError.map { " (last error: \($0.message))" } ?? " (no answer: the hub may be down, or may not have enrolled this node's key)"
        let message = "not synchronized with \(hubName) within \(timeout)\(why)"
        // Kept for `gatehouse status`: why the last attempt failed.
        saveState { st in
            guard st.state != "refused" else { return }
            if st.state == "connecting" || st.state == "connected" {
                st.state = "offline"
                st.stateSince = Date()
            }
            st.lastError = message
            st.lastErrorAt = Date()
        }
        outcome = .timedOut(message)
    }

    // MARK: - Status

    private func setState(_ s: String, error: SyncError? = nil, lastContact: Date? = nil) {
        saveState { st in
            if let lastContact { st.lastContactAt = max(st.lastContactAt ?? lastContact, lastContact) }
            // A refusal stands, with its reason, until a session is established again: the
            // next attempts meet only silence (the hub's ZAP handler drops a revoked key
            // without a word), which must not turn "refused" into a mere "offline".
            if st.state == "refused" && s != "refused" { return }
            if st.state != s {
                st.state = s
                st.stateSince = Date()
            }
            if let error {
                st.lastError = "\(error)"
                st.lastErrorAt = Date()
            }
        }
    }

    private func saveState(_ change: (inout NodeSyncState) -> Void) {
        do { try store.updateSyncState(change) } catch {
            logger.error("cannot record the sync state", metadata: ["error": "\(error)"])
        }
    }

    /// What HELLO and PING tell the hub about this node's backlog: refreshed before each
    /// HELLO (so the hub's first word about a node is not "nothing waiting") and every
    /// `reportInterval`.
    private func report(_ now: C.Instant) {
        nextReport = now.advanced(by: options.reportInterval)
        do {
            let b = try store.backlog(for: try store.knownHub()?.id)
            session.status.pendingCount = UInt64(b.pending)
            session.status.oldestPendingUnixMillis = b.pending > 0 ? b.oldest.map(\.millis) : nil
            session.status.quarantinedCount = UInt64(b.quarantined)
        } catch {
            logger.warning("cannot count the local backlog", metadata: ["error": "\(error)"])
        }
        if let e = lastError {
            session.status.lastErrorCode = e.code.rawValue
            session.status.lastError = e.message
        }
    }
}
