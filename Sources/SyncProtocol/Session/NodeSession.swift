import Replication

/// What a node knows of the hub whose log it has pulled, handed to
/// ``NodeSession/connected(now:local:)``.
public struct KnownHub: Sendable, Hashable {
    /// The hub's replica id.
    public var id: ReplicaID
    /// The hub's epoch when the cursor was taken.
    public var epoch: UInt64
    /// How far the node has applied that hub's log (`replica.receivedCursor(from: id)`).
    public var cursor: UInt64

    public init(id: ReplicaID, epoch: UInt64, cursor: UInt64) {
        self.id = id
        self.epoch = epoch
        self.cursor = cursor
    }
}

/// The node's side of the protocol, fixed for the life of the daemon.
public struct NodeConfiguration: Sendable, Hashable {
    public var nodeID: ReplicaID
    /// The center code the node was enrolled for.
    public var center: String
    /// The version of the replicated schema (`ReplicationSchema.version`).
    public var schemaVersion: Int
    /// Software name and version, shown on the hub's status screen.
    public var agent: String
    /// Byte credit the node keeps outstanding for CHANGES; at least the hub's
    /// `max_message_bytes` (it is raised to that if lower).
    public var pullWindowBytes: Int
    /// Batch credit the node keeps outstanding.
    public var pullWindowBatches: Int
    /// Heartbeat before WELCOME says otherwise, and the HELLO timeout (`deadline`).
    public var defaults: SyncLimits
    public var backoff: Backoff
    /// The node's data directory was created for demonstration (its users may set the
    /// business clock): it syncs only with a hub created the same way (SPEC §13.3).
    public var demo: Bool

    public init(nodeID: ReplicaID, center: String, schemaVersion: Int, agent: String = "gatehouse",
                pullWindowBytes: Int = 16 << 20, pullWindowBatches: Int = 8, defaults: SyncLimits = .default,
                backoff: Backoff = .default, demo: Bool = false) {
        precondition(pullWindowBytes > 0 && pullWindowBatches > 0)
        self.nodeID = nodeID
        self.center = center
        self.schemaVersion = schemaVersion
        self.agent = agent
        self.pullWindowBytes = pullWindowBytes
        self.pullWindowBatches = pullWindowBatches
        self.defaults = defaults
        self.backoff = backoff
        self.demo = demo
    }
}

/// What the node runtime must do for its ``NodeSession``. Perform the actions of one
/// call in order, before feeding the session its next input.
public enum NodeAction: Sendable, Equatable {
    /// Send this message to the hub (its ``OutgoingMessage/frames``).
    case send(OutgoingMessage)
    /// Extract the next change set of the local log to push:
    /// `replica.changes(after: after, scope: .all, for: hub, maxCount: maxCount, maxBytes: maxBytes)`,
    /// then call ``NodeSession/pushExtracted(_:now:)`` (or `pushExtractionFailed`).
    case extractPush(after: UInt64, hub: ReplicaID, maxCount: Int, maxBytes: Int)
    /// Apply a change set from the hub in one transaction with moving the cursor:
    /// `replica.apply(batch, from: batch.origin)`, then call
    /// ``NodeSession/changesApplied(upTo:now:)`` (or `applyFailed`). Log `rejected`: the
    /// hub sent records that could not be read, and they were kept out.
    case applyChanges(ChangeBatch, rejected: [RejectedRecord])
    /// The hub has committed the local log up to `upTo`:
    /// `replica.markAcknowledged(by: hub, upTo: upTo)`.
    case markAcknowledged(hub: ReplicaID, upTo: UInt64)
    /// The hub kept these local records out (out of the center's scope, unreadable…);
    /// record them where staff see them. The rest of the push was applied.
    case recordsRefused([RejectedRecord])
    /// The session is open with this hub. Remember `hubID` and `epoch` next to the pull
    /// cursor (``KnownHub``). When `bootstrap` is true the node's cursor did not belong to
    /// this hub (first contact, replaced hub, restored hub) and it pulls from 0.
    case established(hubID: ReplicaID, epoch: UInt64, bootstrap: Bool)
    /// Close the socket now with `ZMQ_LINGER` 0, open a new one after `after`, and call
    /// ``NodeSession/connected(now:local:)``. `reason` is what ended the session (for the
    /// status report and the log).
    case reconnect(after: Duration, reason: SyncError)
    /// An error a reconnect cannot cure (unknown key, schema or protocol mismatch, a log
    /// behind the hub's): tell the operator. A one-shot sync stops; a daemon may keep
    /// following the `reconnect` that comes with it.
    case fail(SyncError)
    /// Everything local is acknowledged and everything the hub had is applied.
    case synchronized
}

/// The node's side of a GHSP session: a pure state machine. It does no I/O and reads no
/// clock: the runtime hands it events with the current instant of a monotonic clock and
/// performs the ``NodeAction``s it returns. Tests drive it with a mock clock.
///
/// ```swift
/// var session = NodeSession(configuration: config, rng: SystemRandomNumberGenerator(), now: clock.now)
/// perform(session.connected(now: clock.now, local: known))
/// // on every received message: perform(session.received(try SyncFraming.decode(frames), now: clock.now))
/// // every ~100 ms:            perform(session.tick(now: clock.now))
/// ```
public struct NodeSession<Instant: InstantProtocol, Generator: RandomNumberGenerator>
where Instant.Duration == Duration {
    public enum State: Sendable, Equatable {
        /// No socket yet, or waiting to reconnect.
        case disconnected
        /// HELLO sent, waiting for WELCOME.
        case helloSent
        /// WELCOME received: pushing and pulling.
        case ready
        /// ``NodeSession/stop(now:)`` was called.
        case stopped
    }

    public let configuration: NodeConfiguration
    public private(set) var state: State = .disconnected
    /// What HELLO and PING report; the runtime keeps it current.
    public var status = NodeStatusReport()
    /// The limits the hub announced (the defaults before WELCOME).
    public private(set) var limits: SyncLimits
    /// The hub of the current session.
    public private(set) var hubID: ReplicaID?
    /// Reconnects since the last WELCOME.
    public private(set) var failedAttempts = 0

    private var rng: Generator
    private var lastSent: Instant
    private var lastReceived: Instant
    private var nonce: UInt64 = 0
    private var local = KnownHub?.none
    private var logHead: UInt64 = 0

    // push (node → hub)
    private var acknowledged: UInt64 = 0
    private var sentUpTo: UInt64 = 0
    private var inFlight: [UInt64] = []
    private var extracting = false
    private var localDirty = false
    private var pushCountLimit: Int?

    // pull (hub → node)
    private var receivedUpTo: UInt64 = 0
    private var creditBytes = 0
    private var creditBatches = 0
    private var unapplied: [(toSeq: UInt64, size: Int, isLast: Bool)] = []
    private var pullUpToDate = false
    private var reportedSynchronized = false

    public init(configuration: NodeConfiguration, rng: Generator, now: Instant) {
        self.configuration = configuration
        self.rng = rng
        self.limits = configuration.defaults
        self.lastSent = now
        self.lastReceived = now
    }

    /// Everything local is acknowledged and everything the hub had is applied.
    public var isSynchronized: Bool {
        state == .ready && !localDirty && !extracting && inFlight.isEmpty && pullUpToDate && unapplied.isEmpty
    }

    /// The runtime has opened a new DEALER socket to the hub. `local` is the hub the node
    /// pulled from before, if any; `logHead` the last position of the node's own log.
    public mutating func connected(now: Instant, local: KnownHub?, logHead: UInt64 = 0) -> [NodeAction] {
        guard state != .stopped else { return [] }
        state = .helloSent
        self.local = local
        self.logHead = logHead
        hubID = nil
        limits = configuration.defaults
        lastReceived = now
        inFlight = []
        extracting = false
        unapplied = []
        pullUpToDate = false
        reportedSynchronized = false
        pushCountLimit = nil
        var h = Gatehouse_Sync_V1_Hello()
        h.nodeID = configuration.nodeID.rawValue
        h.center = configuration.center
        h.schemaVersion = UInt32(clamping: configuration.schemaVersion)
        h.logHead = logHead
        if let local {
            h.knownHubID = local.id.rawValue
            h.knownHubEpoch = local.epoch
            h.pullCursor = local.cursor
        }
        h.agent = configuration.agent
        h.status = status.proto
        h.demo = configuration.demo
        return [send(.hello(h), now)]
    }

    /// A message from the hub (``SyncFraming/decode(_:maxMessageBytes:)``).
    public mutating func received(_ r: ReceivedMessage, now: Instant) -> [NodeAction] {
        guard state == .helloSent || state == .ready else { return [] }
        lastReceived = now
        let m = r.message
        if case .error(let e) = m.kind { return hubRefused(SyncError(e)) }
        if case .bye(let b) = m.kind {
            return lose(SyncError(.unavailable, "the hub closed the session: \(b.reason)"), sayBye: false)
        }
        switch (state, m.kind) {
        case (.helloSent, .welcome(let w)): return welcome(w, now)
        case (.ready, .ack(let a)): return ack(a, now)
        case (.ready, .changes(let c)): return changes(c, r, now)
        case (.ready, .pong): return []
        default:
            return lose(.outOfState("the hub sent \(m.commandName) while the session was \(state)"), sayBye: true)
        }
    }

    /// The hub sent frames that do not decode.
    public mutating func receivedInvalid(_ error: SyncError, now: Instant) -> [NodeAction] {
        guard state == .helloSent || state == .ready else { return [] }
        lastReceived = now
        return lose(SyncError(error.code, "the hub sent an unreadable message: \(error.message)"), sayBye: true)
    }

    /// Time passes: sends PING after `heartbeat_interval` of silence, and gives up on a
    /// hub silent for `interval × liveness` (reconnect with backoff). Call it at least
    /// every tenth of the interval.
    public mutating func tick(now: Instant) -> [NodeAction] {
        guard state == .helloSent || state == .ready else { return [] }
        if lastReceived.duration(to: now) >= limits.deadline {
            let what = state == .helloSent ? "did not answer HELLO" : "has been silent"
            return lose(SyncError(.unavailable, "the hub \(what) for \(limits.deadline)"), sayBye: false)
        }
        guard state == .ready, lastSent.duration(to: now) >= limits.heartbeatInterval else { return [] }
        nonce &+= 1
        var p = Gatehouse_Sync_V1_Ping()
        p.nonce = nonce
        p.status = status.proto
        return [send(.ping(p), now)]
    }

    /// The local log has grown (a write committed). Pushes when the window allows.
    public mutating func localChangesAvailable(now: Instant) -> [NodeAction] {
        localDirty = true
        reportedSynchronized = false
        return maybePush()
    }

    /// The result of ``NodeAction/extractPush(after:hub:maxCount:maxBytes:)``.
    public mutating func pushExtracted(_ batch: ChangeBatch, now: Instant) -> [NodeAction] {
        guard state == .ready, extracting else { return [] }
        extracting = false
        guard batch.fromSeq == sentUpTo else { return maybePush() }  // not what was asked: ask again
        if batch.toSeq <= batch.fromSeq {
            localDirty = !batch.isLast
            return synchronizedIfSo()
        }
        let message = OutgoingMessage.push(batch)
        let size = message.size
        if size > limits.maxMessageBytes {
            if batch.records.count > 1 {
                pushCountLimit = batch.records.count / 2
                localDirty = true
                return maybePush()
            }
            let e = SyncError(.tooLarge, "record \(batch.records.first.map { "\($0.table)/\($0.id)" } ?? "?") encodes to \(size) bytes, above the hub's limit of \(limits.maxMessageBytes); it cannot be pushed")
            return [.fail(e)] + lose(e, sayBye: true, operatorNeeded: true)
        }
        pushCountLimit = nil
        inFlight.append(batch.toSeq)
        sentUpTo = batch.toSeq
        localDirty = !batch.isLast
        return [send(message, now)] + maybePush()
    }

    /// ``NodeAction/extractPush(after:hub:maxCount:maxBytes:)`` failed (the local database).
    public mutating func pushExtractionFailed(_ error: any Error, now: Instant) -> [NodeAction] {
        guard state == .ready else { return [] }
        extracting = false
        return lose(.internalError("reading the local change log failed: \(error)"), sayBye: true)
    }

    /// ``NodeAction/applyChanges(_:rejected:)`` committed, moving the cursor to `upTo`.
    /// Returns the spent credit to the hub.
    public mutating func changesApplied(upTo: UInt64, now: Instant) -> [NodeAction] {
        guard state == .ready, let head = unapplied.first, head.toSeq == upTo else { return [] }
        unapplied.removeFirst()
        creditBytes += head.size
        creditBatches += 1
        if head.isLast && unapplied.isEmpty { pullUpToDate = true }
        var c = Gatehouse_Sync_V1_Credit()
        c.bytes = UInt64(head.size)
        c.batches = 1
        c.appliedSeq = upTo
        return [send(.credit(c), now)] + synchronizedIfSo()
    }

    /// ``NodeAction/applyChanges(_:rejected:)`` failed; nothing of it was applied.
    public mutating func applyFailed(_ error: any Error, now: Instant) -> [NodeAction] {
        guard state == .ready else { return [] }
        if let r = error as? ReplicationError, case .schemaMismatch(let l, let h) = r {
            let e = SyncError(.schemaMismatch, "the hub sent schema version \(h), this node is on \(l); upgrade the older side")
            return [.fail(e)] + lose(e, sayBye: true, operatorNeeded: true)
        }
        if let r = error as? ReplicationError, case .clockAhead = r {
            let e = SyncError(.clockAhead, "\(r)")
            return [.fail(e)] + lose(e, sayBye: true, operatorNeeded: true)
        }
        return lose(.internalError("applying the hub's changes failed: \(error)"), sayBye: true)
    }

    /// The connection dropped under the session (the transport saw it go: the hub stopped
    /// or crashed, the line broke). Reconnects without waiting for the heartbeat deadline,
    /// after the backoff or a random delay of up to one heartbeat interval, whichever is
    /// longer: every node of a hub that went away sees it in the same instant, and their
    /// return is spread over that interval instead of arriving at once.
    public mutating func connectionLost(_ reason: SyncError, now: Instant) -> [NodeAction] {
        guard state == .helloSent || state == .ready else { return [] }
        let spread = Duration.seconds(Double.random(in: 0...limits.heartbeatInterval.seconds, using: &rng))
        var actions = lose(reason, sayBye: false)
        if case .reconnect(let after, let r)? = actions.last {
            actions[actions.count - 1] = .reconnect(after: max(after, spread), reason: r)
        }
        return actions
    }

    /// The runtime closed the connection on its own account (the handshake was refused,
    /// so no session ever opened): the session waits, and the runtime decides when to call
    /// ``connected(now:local:logHead:)`` again.
    public mutating func connectionClosed(now: Instant) {
        guard state == .helloSent || state == .ready else { return }
        state = .disconnected
        hubID = nil
        extracting = false
        inFlight = []
        unapplied = []
    }

    /// The daemon is stopping: says BYE. The runtime then closes the socket.
    public mutating func stop(now: Instant) -> [NodeAction] {
        defer { state = .stopped }
        guard state == .ready || state == .helloSent else { return [] }
        return [send(.bye(Gatehouse_Sync_V1_Bye.with { $0.reason = "node stopping" }), now)]
    }

    // MARK: - Inputs by message

    private mutating func welcome(_ w: Gatehouse_Sync_V1_Welcome, _ now: Instant) -> [NodeAction] {
        guard let hub = ReplicaID(rawValue: w.hubID) else {
            return lose(.malformed("WELCOME carries an invalid hub id \"\(w.hubID)\""), sayBye: true)
        }
        guard Int(w.schemaVersion) == configuration.schemaVersion else {
            let e = SyncError(.schemaMismatch, "the hub is on schema version \(w.schemaVersion), this node on \(configuration.schemaVersion); upgrade the older side")
            return [.fail(e)] + lose(e, sayBye: true, operatorNeeded: true)
        }
        guard w.demo == configuration.demo else {
            let e = SyncError(.demoMismatch, configuration.demo
                ? "this node was created for demonstration (--demo) and the hub was not; demonstration data never reaches a real hub"
                : "the hub was created for demonstration (--demo); a real center's node does not sync with it")
            return [.fail(e)] + lose(e, sayBye: true, operatorNeeded: true)
        }
        guard w.heartbeatIntervalMs > 0, w.heartbeatLiveness > 0, w.pushWindow > 0, w.maxMessageBytes > 0,
              w.maxBatchRecords > 0, w.maxBatchBytes > 0, w.maxCreditBatches > 0,
              w.maxCreditBytes >= UInt64(w.maxMessageBytes)
        else { return lose(.malformed("WELCOME announces a zero or inconsistent limit"), sayBye: true) }
        guard w.committedPush <= SyncLimits.maxPosition else {
            return lose(.malformed("WELCOME committed_push \(w.committedPush) is beyond any log position (at most 2^63-1)"), sayBye: true)
        }
        guard w.committedPush <= logHead else {
            let e = SyncError(.outOfState, "the hub has committed this node's log up to \(w.committedPush) but the log ends at \(logHead): this database was restored or copied by hand; restore it with `gatehouse restore FILE` (which makes a restored node safe to sync), or enroll it as a new node")
            return [.fail(e)] + lose(e, sayBye: true, operatorNeeded: true)
        }
        state = .ready
        failedAttempts = 0
        hubID = hub
        limits = SyncLimits(
            maxMessageBytes: min(Int(w.maxMessageBytes), SyncLimits.hardMaxMessageBytes),
            maxBatchRecords: Int(w.maxBatchRecords), maxBatchBytes: Int(w.maxBatchBytes), pushWindow: Int(w.pushWindow),
            maxCreditBytes: Int(clamping: max(w.maxCreditBytes, UInt64(w.maxMessageBytes))),
            maxCreditBatches: Int(w.maxCreditBatches),
            heartbeatInterval: .milliseconds(Int64(w.heartbeatIntervalMs)), heartbeatLiveness: Int(w.heartbeatLiveness))
        let bootstrap = local.map { $0.id != hub || $0.epoch != w.hubEpoch } ?? true
        receivedUpTo = bootstrap ? 0 : local!.cursor
        acknowledged = w.committedPush
        sentUpTo = w.committedPush
        localDirty = true
        creditBytes = min(max(configuration.pullWindowBytes, limits.maxMessageBytes), limits.maxCreditBytes)
        creditBatches = min(configuration.pullWindowBatches, limits.maxCreditBatches)
        var actions: [NodeAction] = [.established(hubID: hub, epoch: w.hubEpoch, bootstrap: bootstrap)]
        if w.committedPush > 0 { actions.append(.markAcknowledged(hub: hub, upTo: w.committedPush)) }
        var p = Gatehouse_Sync_V1_Pull()
        p.cursor = receivedUpTo
        p.creditBytes = UInt64(creditBytes)
        p.creditBatches = UInt32(creditBatches)
        actions.append(send(.pull(p), now))
        return actions + maybePush()
    }

    private mutating func ack(_ a: Gatehouse_Sync_V1_Ack, _ now: Instant) -> [NodeAction] {
        guard let hub = hubID else { return [] }
        guard a.committed >= acknowledged, a.committed <= sentUpTo, a.committed >= a.toSeq || a.duplicate else {
            return lose(.outOfState("ACK of \(a.toSeq) says committed \(a.committed), but this node sent up to \(sentUpTo) and had \(acknowledged) acknowledged"), sayBye: true)
        }
        var actions: [NodeAction] = []
        if a.committed > acknowledged {
            acknowledged = a.committed
            actions.append(.markAcknowledged(hub: hub, upTo: a.committed))
        }
        inFlight.removeAll { $0 <= a.committed }
        if !a.refused.isEmpty { actions.append(.recordsRefused(a.refused.map(RejectedRecord.init))) }
        return actions + maybePush()
    }

    private mutating func changes(_ c: Gatehouse_Sync_V1_Changes, _ r: ReceivedMessage, _ now: Instant) -> [NodeAction] {
        let size = r.bodySize
        guard creditBatches >= 1, size <= creditBytes else {
            return lose(.outOfState("the hub sent CHANGES of \(size) bytes with \(creditBytes) bytes and \(creditBatches) batches of credit left"), sayBye: true)
        }
        guard c.hasChanges else { return lose(.malformed("CHANGES without a change set"), sayBye: true) }
        let decoded: DecodedChangeSet
        do {
            decoded = try r.decodedChangeSet(c.changes, limits: limits)
        } catch {
            return lose(SyncError(error.code, "the hub sent an unreadable change set: \(error.message)"), sayBye: true)
        }
        let batch = decoded.batch
        guard batch.origin == hubID else {
            return lose(.malformed("CHANGES from origin \(batch.origin), but the session's hub is \(hubID!)"), sayBye: true)
        }
        guard batch.schemaVersion == configuration.schemaVersion else {
            let e = SyncError(.schemaMismatch, "the hub sent schema version \(batch.schemaVersion), this node is on \(configuration.schemaVersion); nothing was applied")
            return [.fail(e)] + lose(e, sayBye: true, operatorNeeded: true)
        }
        guard batch.fromSeq == receivedUpTo else {
            return lose(.outOfState("CHANGES from \(batch.fromSeq), but the stream is at \(receivedUpTo)"), sayBye: true)
        }
        creditBytes -= size
        creditBatches -= 1
        receivedUpTo = batch.toSeq
        pullUpToDate = false
        reportedSynchronized = false
        unapplied.append((batch.toSeq, size, batch.isLast))
        return [.applyChanges(batch, rejected: decoded.rejected)]
    }

    // MARK: - Helpers

    private mutating func send(_ kind: SyncMessage.OneOf_Kind, _ now: Instant) -> NodeAction {
        send(SyncMessage(kind), now)
    }

    private mutating func send(_ m: SyncMessage, _ now: Instant) -> NodeAction {
        send(OutgoingMessage(m), now)
    }

    private mutating func send(_ m: OutgoingMessage, _ now: Instant) -> NodeAction {
        lastSent = now
        return .send(m)
    }

    private mutating func maybePush() -> [NodeAction] {
        guard state == .ready, let hub = hubID, localDirty, !extracting, inFlight.count < limits.pushWindow else {
            return synchronizedIfSo()
        }
        extracting = true
        let count = min(pushCountLimit ?? limits.maxBatchRecords, limits.maxBatchRecords)
        return [.extractPush(after: sentUpTo, hub: hub, maxCount: max(count, 1), maxBytes: limits.maxBatchBytes)]
    }

    private mutating func synchronizedIfSo() -> [NodeAction] {
        guard isSynchronized, !reportedSynchronized else { return [] }
        reportedSynchronized = true
        return [.synchronized]
    }

    private mutating func hubRefused(_ e: SyncError) -> [NodeAction] {
        if e.code.needsOperator { return [.fail(e)] + lose(e, sayBye: false, operatorNeeded: true) }
        return lose(e, sayBye: false)
    }

    /// Ends the session: optionally says BYE, then asks for a reconnect after a jittered,
    /// growing delay (the longest one when only an operator can help).
    private mutating func lose(_ reason: SyncError, sayBye: Bool, operatorNeeded: Bool = false) -> [NodeAction] {
        var actions: [NodeAction] = []
        if sayBye { actions.append(.send(OutgoingMessage(.bye(reason.description)))) }
        state = .disconnected
        hubID = nil
        extracting = false
        inFlight = []
        unapplied = []
        var delay = operatorNeeded
            ? configuration.backoff.maximum
            : configuration.backoff.delay(attempt: failedAttempts, using: &rng)
        delay = max(delay, .milliseconds(Int64(reason.retryAfterMilliseconds)))
        failedAttempts += 1
        actions.append(.reconnect(after: delay, reason: reason))
        return actions
    }
}

extension NodeSession: Sendable where Generator: Sendable {}
