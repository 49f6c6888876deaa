import Replication

/// What the hub knows of an enrolled key.
public struct Enrollment: Sendable, Hashable {
    /// The center the key was enrolled for.
    public var center: String
    /// The node id bound to the key by its first HELLO; nil until then.
    public var nodeID: ReplicaID?

    public init(center: String, nodeID: ReplicaID? = nil) {
        self.center = center
        self.nodeID = nodeID
    }
}

/// The hub's enrollment table and push cursors, as a ``HubSession`` reads them while
/// handling HELLO. The runtime implements it over its database; tests over a dictionary.
public protocol HubDirectory {
    /// The enrollment of a CURVE public key (Z85), or nil when it is unknown or revoked.
    func enrollment(forKey key: String) throws -> Enrollment?
    /// The key a node id is bound to, if any.
    func key(boundTo node: ReplicaID) throws -> String?
    /// The last position of `node`'s log the hub has committed (`replica.receivedCursor(from: node)`).
    func committedPush(from node: ReplicaID) throws -> UInt64
    /// The last position of the hub's own log (`replica.localClock().sequence`): a PULL
    /// cursor beyond it is refused (400, SPEC §5.7).
    func logHead() throws -> UInt64
}

extension HubDirectory {
    /// Without a log to ask, no cursor is beyond it.
    public func logHead() throws -> UInt64 { SyncLimits.maxPosition }
}

/// The hub's side of the protocol.
public struct HubConfiguration: Sendable, Hashable {
    /// The hub's replica id.
    public var hubID: ReplicaID
    /// Chosen at random when the hub's log starts; changed when it is restored or rebuilt.
    public var epoch: UInt64
    /// The version of the replicated schema.
    public var schemaVersion: Int
    /// The oldest schema version of a node this hub still serves (a rolling upgrade: the
    /// hub is upgraded first and serves the centers not yet upgraded); nil: its own only.
    /// A session speaks the node's version in WELCOME, PUSH and CHANGES alike.
    public var oldestSchemaVersion: Int?
    public var limits: SyncLimits
    /// What ERROR 503 asks nodes to wait when the hub shuts down.
    public var retryAfterShutdown: Duration
    /// The hub's data directory was created for demonstration: it serves only
    /// demonstration nodes, and a real hub refuses them (SPEC §13.3).
    public var demo: Bool

    public init(hubID: ReplicaID, epoch: UInt64, schemaVersion: Int, limits: SyncLimits = .default,
                retryAfterShutdown: Duration = .seconds(5), demo: Bool = false, oldestSchemaVersion: Int? = nil) {
        self.hubID = hubID
        self.epoch = epoch
        self.schemaVersion = schemaVersion
        self.oldestSchemaVersion = oldestSchemaVersion
        self.limits = limits
        self.retryAfterShutdown = retryAfterShutdown
        self.demo = demo
    }
}

/// What the hub runtime must do for one node's ``HubSession``. Perform the actions of one
/// call in order — including the database work and the call that reports its outcome —
/// before feeding the session its next input.
public enum HubAction: Sendable, Equatable {
    /// Send this message to the node's current routing id.
    case send(OutgoingMessage)
    /// First HELLO of an enrolled key: record that `node` is bound to the session's key.
    case bindNode(ReplicaID, center: String)
    /// A session opened (or reopened) for `node` of `center`: update the status screen.
    case sessionOpened(node: ReplicaID, center: String, agent: String, status: NodeStatusReport)
    /// The node reported its status (PING).
    case statusReported(node: ReplicaID, NodeStatusReport)
    /// Apply a pushed change set:
    /// `replica.apply(batch, from: batch.origin, admit: { only records of center })`, then
    /// call ``HubSession/pushCommitted(_:toSeq:now:)`` with its result (or `pushFailed`).
    /// `rejected` are records of the PUSH that could not be read: log them (the ACK reports them).
    /// Up to the push window of these may be outstanding at once (pipelining): the runtime
    /// applies them in the order given and may commit several in one transaction.
    case applyPush(ChangeBatch, center: String, rejected: [RejectedRecord])
    /// Extract the next change set for the node:
    /// `replica.changes(after: after, scope: .centers([center]), for: node, maxCount: maxCount, maxBytes: maxBytes)`,
    /// then call ``HubSession/changesExtracted(_:now:)`` (or `extractionFailed`).
    case extractChanges(after: UInt64, node: ReplicaID, center: String, maxCount: Int, maxBytes: Int)
    /// The node has durably applied the hub's log up to `upTo`:
    /// `replica.markAcknowledged(by: node, upTo: upTo)` (lets tombstones be compacted).
    case markAcknowledged(node: ReplicaID, upTo: UInt64)
    /// The session is over (BYE, ERROR sent, expiry): forget the routing id. The runtime
    /// may keep the session value (a later message without HELLO gets ERROR 409 from it)
    /// or discard it and create a new one for the key's next message.
    case close(reason: SyncError?)
}

/// The hub's side of a GHSP session with one node, keyed by the node's CURVE key: a pure
/// state machine (no I/O, no clock reads). A HELLO in any state starts the session anew,
/// which is how a reconnecting node resumes.
///
/// ```swift
/// var s = HubSession<ContinuousClock.Instant>(key: userId, configuration: config, now: clock.now)
/// perform(s.received(try SyncFraming.decode(frames.dropFirst()), now: clock.now, directory: directory))
/// ```
public struct HubSession<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum State: Sendable, Equatable {
        /// Waiting for HELLO (new, or after ERROR/BYE/expiry).
        case awaitingHello
        /// WELCOME sent.
        case ready
    }

    /// The node's CURVE public key (Z85): the ZAP User-Id of every message of the session.
    public let key: String
    public let configuration: HubConfiguration
    public private(set) var state: State = .awaitingHello
    public private(set) var node: ReplicaID?
    public private(set) var center: String?
    /// The node's log position the hub has committed.
    public private(set) var committed: UInt64 = 0
    public private(set) var lastHeard: Instant

    private var limits: SyncLimits { configuration.limits }
    private var expired = false

    // push
    private var queue: [DecodedChangeSet] = []

    // pull
    private var pulling = false
    private var cursor: UInt64 = 0
    private var nodeApplied: UInt64 = 0
    private var creditBytes = 0
    private var creditBatches = 0
    private var pullWindowBytes = 0
    private var extracting = false
    /// The schema version the node said in HELLO: what this session's change sets are on
    /// (the hub's own, or an earlier one it serves). Project CHANGES to it.
    public private(set) var nodeSchemaVersion = 0
    private var moreAvailable = false
    private var toldUpToDate = false
    private var countLimit: Int?
    private var held: (batch: ChangeBatch, message: OutgoingMessage)?

    public init(key: String, configuration: HubConfiguration, now: Instant) {
        self.key = key
        self.configuration = configuration
        self.lastHeard = now
    }

    /// Outstanding byte and batch credit of the node (what the hub may still send).
    public var credit: (bytes: Int, batches: Int) { (creditBytes, creditBatches) }

    /// A message from the node.
    public mutating func received(_ r: ReceivedMessage, now: Instant, directory: some HubDirectory) -> [HubAction] {
        lastHeard = now
        expired = false
        let m = r.message
        if case .hello(let h) = m.kind { return hello(h, directory) }
        guard state == .ready else {
            if case .bye = m.kind { return [] }
            return refuse(.outOfState("\(m.commandName) before HELLO: say HELLO first"))
        }
        switch m.kind {
        case .push(let p): return push(p, r)
        case .pull(let p): return pull(p, directory)
        case .credit(let c): return credit(c)
        case .ping(let p):
            var pong = Gatehouse_Sync_V1_Pong()
            pong.nonce = p.nonce
            var actions: [HubAction] = [.send(OutgoingMessage(.pong(pong)))]
            if p.hasStatus, let node { actions.append(.statusReported(node: node, NodeStatusReport(p.status))) }
            return actions
        case .bye:
            reset()
            return [.close(reason: nil)]
        default:
            return refuse(.outOfState("a node may not send \(m.commandName)"))
        }
    }

    /// Frames from the node that did not decode (``SyncFraming/decode(_:maxMessageBytes:)``):
    /// answers ERROR with the error's code and ends the session.
    public mutating func receivedInvalid(_ error: SyncError, now: Instant) -> [HubAction] {
        lastHeard = now
        return refuse(error)
    }

    /// The ``HubAction/applyPush(_:center:rejected:)`` of the batch ending at `toSeq`
    /// committed: acknowledges it. A result for another batch than the oldest outstanding
    /// one (an apply the session asked for before a new HELLO reset it) is ignored.
    public mutating func pushCommitted(_ result: ApplyResult, toSeq: UInt64, now: Instant) -> [HubAction] {
        guard state == .ready, let head = queue.first, head.batch.toSeq == toSeq else { return [] }
        queue.removeFirst()
        committed = max(committed, result.cursor)
        var ack = Gatehouse_Sync_V1_Ack()
        ack.toSeq = head.batch.toSeq
        // Never past the pushes still queued: the node frees its window by `committed`,
        // and the positions may already be in through an apply the session asked for
        // before a new HELLO (its re-sent pushes are still queued and will be ACKed).
        ack.committed = min(committed, queue.first.map { max($0.batch.fromSeq, head.batch.toSeq) } ?? committed)
        // 400: the record does not fit the schema (SPEC §9, SCHEMA-v<N>.md); 403: the
        // authority rules refused it (§13.1); 409: another record holds its id (§9).
        ack.refused = head.rejected.map(\.proto) + result.refused.map {
            let code: SyncErrorCode
            switch $0.kind {
            case .invalid: code = .malformed
            case .forbidden: code = .forbiddenRecord
            case .collision: code = .idCollision
            }
            return RejectedRecord(table: $0.table, id: $0.id, code: code, reason: $0.reason).proto
        }
        return [.send(OutgoingMessage(.ack(ack)))]
    }

    /// The ``HubAction/applyPush(_:center:rejected:)`` of the batch ending at `toSeq`
    /// failed and was rolled back: ends the session (the node resends from what is
    /// committed). Ignored for another batch than the oldest outstanding one.
    public mutating func pushFailed(_ error: any Error, toSeq: UInt64, now: Instant) -> [HubAction] {
        guard state == .ready, queue.first?.batch.toSeq == toSeq else { return [] }
        if let r = error as? ReplicationError, case .schemaMismatch(let l, let n) = r {
            return refuse(SyncError(.schemaMismatch, "the hub is on schema version \(l), the push on \(n); nothing was applied"))
        }
        if let r = error as? ReplicationError, case .clockAhead = r {
            return refuse(SyncError(.clockAhead, "\(r)"))
        }
        return refuse(.internalError("the hub could not apply the push (nothing was committed): \(error)"))
    }

    /// The result of ``HubAction/extractChanges(after:node:center:maxCount:maxBytes:)``.
    public mutating func changesExtracted(_ batch: ChangeBatch, now: Instant) -> [HubAction] {
        guard state == .ready, extracting else { return [] }
        extracting = false
        guard batch.fromSeq == cursor else { return maybeExtract() }  // a PULL moved the stream meanwhile
        if !batch.isLast { moreAvailable = true }
        if batch.records.isEmpty && batch.toSeq <= cursor {
            guard !toldUpToDate else { return maybeExtract() }
        }
        let message = OutgoingMessage.changes(batch)
        let size = message.size
        if size > limits.maxMessageBytes || size > pullWindowBytes {
            if batch.records.count > 1 {
                // Too big for the message limit or for the node's whole window: ask again
                // for fewer records. (Merely above the credit left: hold it until credit returns.)
                countLimit = batch.records.count / 2
                moreAvailable = true
                return maybeExtract()
            }
            let what = batch.records.first.map { "\($0.table)/\($0.id)" } ?? "?"
            if size > limits.maxMessageBytes {
                return refuse(.internalError("record \(what) encodes to \(size) bytes, above the message limit of \(limits.maxMessageBytes)"))
            }
            return refuse(.tooLarge("record \(what) encodes to \(size) bytes, more than the node's whole credit window of \(pullWindowBytes); grant at least max_message_bytes"))
        }
        held = (batch, message)
        return sendHeld()
    }

    /// ``HubAction/extractChanges(after:node:center:maxCount:maxBytes:)`` failed.
    public mutating func extractionFailed(_ error: any Error, now: Instant) -> [HubAction] {
        guard state == .ready else { return [] }
        extracting = false
        return refuse(.internalError("the hub could not read its log: \(error)"))
    }

    /// The hub's log has grown (any push committed, a local write): streams the new
    /// changes to a node that has credit.
    public mutating func logAdvanced(now: Instant) -> [HubAction] {
        guard state == .ready else { return [] }
        moreAvailable = true
        return maybeExtract()
    }

    /// Time passes: a session not heard from for `interval × liveness` expires.
    public mutating func tick(now: Instant) -> [HubAction] {
        guard !expired, lastHeard.duration(to: now) >= limits.deadline else { return [] }
        let wasReady = state == .ready
        expired = true
        reset()
        return wasReady || node != nil
            ? [.close(reason: SyncError(.unavailable, "node silent for \(limits.deadline); session expired"))]
            : [.close(reason: nil)]
    }

    /// The hub is shutting down: ERROR 503 with a retry hint (`retryAfter`, by default the
    /// configuration's; a hub spreads them so its nodes do not all return at once), and
    /// the session ends.
    public mutating func shutdown(now: Instant, retryAfter: Duration? = nil) -> [HubAction] {
        guard state == .ready else { return [] }
        let ms = UInt32(clamping: (retryAfter ?? configuration.retryAfterShutdown).milliseconds)
        return refuse(SyncError(.unavailable, "the hub is shutting down", retryAfterMilliseconds: ms))
    }

    /// The answer to a message that cannot belong to any session (no CURVE User-Id).
    public static func refusal(_ error: SyncError) -> SyncMessage { .error(error) }

    // MARK: - Messages

    private mutating func hello(_ h: Gatehouse_Sync_V1_Hello, _ directory: some HubDirectory) -> [HubAction] {
        reset()
        guard let nodeID = ReplicaID(rawValue: h.nodeID) else {
            return refuse(.malformed("HELLO node id \"\(h.nodeID)\" is not a valid replica id"))
        }
        guard h.logHead <= SyncLimits.maxPosition, h.pullCursor <= SyncLimits.maxPosition else {
            return refuse(.malformed("HELLO log_head \(h.logHead) or pull_cursor \(h.pullCursor) is beyond any log position (at most 2^63-1)"))
        }
        let enrollment: Enrollment?
        let other: String?
        let committedPush: UInt64
        do {
            enrollment = try directory.enrollment(forKey: key)
            // Which check failed goes to the hub's log and status screen only (the close
            // reason); the node learns nothing but 401 (SPEC §6, §13).
            guard let enrollment else {
                return refuse(.unauthorized("this key is not enrolled at the hub (or was revoked); ask head office to enroll it"),
                              wire: .unauthorizedOnTheWire)
            }
            guard enrollment.center == h.center else {
                return refuse(.unauthorized("this key is enrolled for center \(enrollment.center), not \(h.center)"),
                              wire: .unauthorizedOnTheWire)
            }
            if let bound = enrollment.nodeID, bound != nodeID {
                return refuse(.unauthorized("this key belongs to node \(bound), not \(nodeID); a replaced node needs its own enrollment"),
                              wire: .unauthorizedOnTheWire)
            }
            other = enrollment.nodeID == nil ? try directory.key(boundTo: nodeID) : nil
            if let other, other != key {
                return refuse(.unauthorized("node id \(nodeID) is bound to another key"), wire: .unauthorizedOnTheWire)
            }
            committedPush = try directory.committedPush(from: nodeID)
        } catch {
            return refuse(.internalError("the hub could not read its enrollments: \(error)"))
        }
        guard h.demo == configuration.demo else {
            return refuse(SyncError(.demoMismatch, h.demo
                ? "this node was created for demonstration (--demo: its users may set the business clock) and this hub takes real data only; set the node up anew without --demo"
                : "this hub was created for demonstration (--demo); it serves demonstration nodes only"))
        }
        guard serves(schemaVersion: Int(h.schemaVersion)) else {
            return refuse(SyncError(.schemaMismatch, "the hub is on schema version \(configuration.schemaVersion), the node on \(h.schemaVersion); upgrade the older side"))
        }
        nodeSchemaVersion = Int(h.schemaVersion)
        state = .ready
        node = nodeID
        center = h.center
        committed = committedPush
        var w = Gatehouse_Sync_V1_Welcome()
        w.hubID = configuration.hubID.rawValue
        w.hubEpoch = configuration.epoch
        w.schemaVersion = UInt32(clamping: nodeSchemaVersion)
        w.committedPush = committedPush
        w.heartbeatIntervalMs = UInt32(clamping: limits.heartbeatInterval.milliseconds)
        w.heartbeatLiveness = UInt32(clamping: limits.heartbeatLiveness)
        w.pushWindow = UInt32(clamping: limits.pushWindow)
        w.maxMessageBytes = UInt32(clamping: limits.maxMessageBytes)
        w.maxBatchRecords = UInt32(clamping: limits.maxBatchRecords)
        w.maxBatchBytes = UInt32(clamping: limits.maxBatchBytes)
        w.maxCreditBytes = UInt64(limits.maxCreditBytes)
        w.maxCreditBatches = UInt32(clamping: limits.maxCreditBatches)
        w.demo = configuration.demo
        var actions: [HubAction] = []
        if enrollment?.nodeID == nil { actions.append(.bindNode(nodeID, center: h.center)) }
        actions.append(.sessionOpened(node: nodeID, center: h.center, agent: h.agent, status: NodeStatusReport(h.status)))
        actions.append(.send(OutgoingMessage(.welcome(w))))
        return actions
    }

    /// Whether the hub serves a node on schema `version`.
    func serves(schemaVersion version: Int) -> Bool {
        version == configuration.schemaVersion || (configuration.oldestSchemaVersion.map { $0 <= version && version < configuration.schemaVersion } ?? false)
    }

    private mutating func push(_ p: Gatehouse_Sync_V1_Push, _ r: ReceivedMessage) -> [HubAction] {
        guard p.hasChanges else { return refuse(.malformed("PUSH without a change set")) }
        let decoded: DecodedChangeSet
        do { decoded = try r.decodedChangeSet(p.changes, limits: limits) } catch { return refuse(error) }
        let b = decoded.batch
        guard b.origin == node else {
            return refuse(.unauthorized("PUSH of \(b.origin)'s log on the session of \(node!)"), wire: .unauthorizedOnTheWire)
        }
        guard b.schemaVersion == nodeSchemaVersion else {
            return refuse(SyncError(.schemaMismatch, "the push is on schema version \(b.schemaVersion), the session on \(nodeSchemaVersion); nothing was applied"))
        }
        if b.toSeq <= committed {
            // Already committed (a re-send after a lost ACK): acknowledge again, apply nothing.
            var ack = Gatehouse_Sync_V1_Ack()
            ack.toSeq = b.toSeq
            ack.committed = committed
            ack.duplicate = true
            return [.send(OutgoingMessage(.ack(ack)))]
        }
        let expected = queue.last?.batch.toSeq ?? committed
        guard b.fromSeq <= expected else {
            return refuse(.outOfState("PUSH covers (\(b.fromSeq), \(b.toSeq)] but the hub expects positions after \(expected): positions would be skipped"))
        }
        guard b.toSeq > expected else {
            return refuse(.outOfState("PUSH up to \(b.toSeq) repeats a push still being applied"))
        }
        guard queue.count < limits.pushWindow else {
            return refuse(.outOfState("more than \(limits.pushWindow) PUSH messages unacknowledged"))
        }
        queue.append(decoded)
        // Pipelined: applied while the node's next pushes arrive, acknowledged in order.
        return [.applyPush(b, center: center!, rejected: decoded.rejected)]
    }

    private mutating func pull(_ p: Gatehouse_Sync_V1_Pull, _ directory: some HubDirectory) -> [HubAction] {
        guard p.cursor <= SyncLimits.maxPosition else {
            return refuse(.malformed("PULL cursor \(p.cursor) is beyond any log position (at most 2^63-1)"))
        }
        // A cursor past the head claims positions this hub's log (of this epoch) never had:
        // the node's state is not of this log. Refused, never streamed from (SPEC §5.7).
        let head: UInt64
        do { head = try directory.logHead() } catch { return refuse(.internalError("the hub could not read its log head: \(error)")) }
        guard p.cursor <= head else {
            return refuse(.malformed("PULL cursor \(p.cursor) is beyond the hub's log head \(head)"))
        }
        pulling = true
        cursor = p.cursor
        creditBytes = Int(clamping: min(p.creditBytes, UInt64(limits.maxCreditBytes)))
        creditBatches = min(Int(p.creditBatches), limits.maxCreditBatches)
        pullWindowBytes = creditBytes
        held = nil
        countLimit = nil
        moreAvailable = true
        toldUpToDate = false
        var actions: [HubAction] = []
        if p.cursor > nodeApplied, let node {
            nodeApplied = p.cursor
            actions.append(.markAcknowledged(node: node, upTo: p.cursor))
        }
        return actions + maybeExtract()
    }

    private mutating func credit(_ c: Gatehouse_Sync_V1_Credit) -> [HubAction] {
        guard pulling else { return refuse(.outOfState("CREDIT before PULL")) }
        guard c.appliedSeq <= SyncLimits.maxPosition else {
            return refuse(.malformed("CREDIT applied_seq \(c.appliedSeq) is beyond any log position (at most 2^63-1)"))
        }
        // Outstanding credit is clamped (SPEC §5.9), so a sum past 2^64 is simply the maximum.
        let (bytes, overflow) = UInt64(creditBytes).addingReportingOverflow(c.bytes)
        creditBytes = Int(clamping: overflow ? UInt64(limits.maxCreditBytes) : min(bytes, UInt64(limits.maxCreditBytes)))
        creditBatches = min(creditBatches + Int(c.batches), limits.maxCreditBatches)
        var actions: [HubAction] = []
        if c.appliedSeq > nodeApplied, c.appliedSeq <= cursor, let node {
            nodeApplied = c.appliedSeq
            actions.append(.markAcknowledged(node: node, upTo: c.appliedSeq))
        }
        return actions + (held != nil ? sendHeld() : maybeExtract())
    }

    // MARK: - Helpers

    private mutating func sendHeld() -> [HubAction] {
        guard let h = held, creditBatches >= 1, h.message.size <= creditBytes else { return [] }
        held = nil
        countLimit = nil
        creditBytes -= h.message.size
        creditBatches -= 1
        cursor = max(cursor, h.batch.toSeq)
        toldUpToDate = h.batch.isLast
        return [.send(h.message)] + maybeExtract()
    }

    private mutating func maybeExtract() -> [HubAction] {
        guard state == .ready, pulling, moreAvailable, !extracting, held == nil, creditBatches >= 1, creditBytes > 0,
              let node, let center
        else { return [] }
        extracting = true
        moreAvailable = false
        let count = min(countLimit ?? limits.maxBatchRecords, limits.maxBatchRecords)
        return [.extractChanges(after: cursor, node: node, center: center, maxCount: max(count, 1),
                                maxBytes: max(1, min(limits.maxBatchBytes, creditBytes)))]
    }

    /// ERROR `wire` (by default `e`) to the node; `e`, the full story, to the hub's log and
    /// status screen.
    private mutating func refuse(_ e: SyncError, wire: SyncError? = nil) -> [HubAction] {
        reset()
        return [.send(OutgoingMessage(.error(wire ?? e))), .close(reason: e)]
    }

    private mutating func reset() {
        state = .awaitingHello
        queue = []
        pulling = false
        extracting = false
        held = nil
        countLimit = nil
        creditBytes = 0
        creditBatches = 0
        nodeApplied = 0
    }
}
