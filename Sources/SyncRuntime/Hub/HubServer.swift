import Foundation
import GRDB
import Logging
import Replication
import ServiceDesk
import SyncProtocol
import ZeroMQ

/// `gatehouse hub run`: the hub's server. One thread owns the ROUTER socket and runs the
/// poll loop; each node's conversation is a pure `HubSession` whose actions this loop
/// performs against the hub's replica. Pushes are applied on a second thread
/// (``PushApplier``), so the loop keeps receiving and decoding the next ones meanwhile.
///
/// Security: CURVE on the socket, a ZAP handler admitting only enrolled, unrevoked keys
/// (bound before the ROUTER, so no connection is ever unauthenticated), and every message
/// checked against the allow-list again, so a revocation also cuts live connections.
public final class HubServer {
    public let desk: Desk
    let registry: NodeRegistry
    let keys: CurveKeyPair
    let endpoint: String
    let limits: SyncLimits
    var logger: Logger

    typealias Session = HubSession<ContinuousClock.Instant>
    private var sessions: [[UInt8]: Session] = [:]
    private var allowed: Set<String> = []
    private let clock = ContinuousClock()
    private var applier: PushApplier?

    /// Opens the hub in `directory`; `endpoint` overrides the configured bind address.
    public init(directory: DataDirectory, endpoint: String? = nil, limits: SyncLimits = .default,
                logger: Logger = Logger(label: "gatehouse.hub")) throws {
        desk = try Desk.open(directory)
        guard desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is a center's node, not the hub") }
        registry = try NodeRegistry(desk.replica.database)
        keys = try KeyStore(directory).load()
        guard let e = endpoint ?? desk.config.endpoint else { throw RuntimeError.configuration("the hub has no bind address; give --bind") }
        self.endpoint = e
        self.limits = limits
        self.logger = logger
    }

    /// Serves until SIGINT/SIGTERM (`StopSignal`) or `shouldStop` says so.
    public func run(shouldStop: () -> Bool = { StopSignal.requested }) throws {
        MemoryTuning.keepBatchBuffers()
        try ZeroMQ.requireCurve()
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        allowed = try registry.allowedKeys()
        try registry.markSessionsOffline()
        let registry = self.registry
        let log = logger
        let zap = try ZAPHandler(context: ctx, allowedKeys: allowed, domain: "gatehouse") { denial in
            log.warning("connection refused", metadata: ["key": "\(denial.publicKey ?? "-")", "address": "\(denial.address)", "reason": "\(denial.reason)"])
            try? registry.log("denied", publicKey: denial.publicKey, center: nil, detail: "\(denial.address): \(denial.reason)")
        }
        try zap.start()
        defer { zap.stop() }
        let router = try ctx.makeSocket(.router)
        defer { router.close() }
        try router.makeCurveServer(secretKey: keys.secretKey)
        try router.set(.zapDomain, "gatehouse")
        try router.set(.routerMandatory, true)
        try router.set(.maxMessageSize, Int64(limits.maxMessageBytes + 1024))
        try router.set(.sendHighWaterMark, 10_000)
        try router.bind(endpoint)
        let applier = try PushApplier(replica: desk.replica, context: ctx, logger: logger, makeItem: Self.applyItem)
        self.applier = applier
        applier.start()
        defer {
            applier.stop()
            self.applier = nil
        }
        var poller = ZMQPoller()
        poller.register(router)
        poller.register(applier.wakeSocket)
        logger.info("hub listening", metadata: ["endpoint": "\(endpoint)", "hub": "\(desk.replica.id)"])
        let config = HubConfiguration(hubID: desk.replica.id, epoch: try registry.epoch(), schemaVersion: DeskSchema.version, limits: limits,
                                      demo: desk.config.demoClock)
        let directory = RegistryDirectory(registry: registry, replica: desk.replica)
        var lastRefresh = clock.now
        var logHead = try desk.replica.localClock().sequence

        while !shouldStop() {
            let ready = try poller.poll(timeoutMilliseconds: 100)
            if ready.contains(where: { $0.socket === router }) {
                var drained = 0
                while drained < 256, let msg = try router.receive(dontWait: true) {
                    drained += 1
                    handle(msg, router: router, config: config, directory: directory)
                }
            }
            if ready.contains(where: { $0.socket === applier.wakeSocket }) {
                while try applier.wakeSocket.receive(dontWait: true) != nil {}
            }
            deliver(applier.completed(), router: router)
            let now = clock.now
            for rid in Array(sessions.keys) {
                guard var s = sessions[rid] else { continue }
                perform(s.tick(now: now), on: &s, rid: rid, router: router)
                store(s, rid)
            }
            if lastRefresh.duration(to: now) >= .seconds(1) {
                lastRefresh = now
                let keysNow = try registry.allowedKeys()
                if keysNow != allowed {
                    allowed = keysNow
                    try zap.replaceAllowedKeys(keysNow)
                }
                // New entries in the hub's log (a node's push, head office's own edits):
                // let every ready session offer them.
                let head = try desk.replica.localClock().sequence
                if head != logHead {
                    logHead = head
                    for rid in Array(sessions.keys) {
                        guard var s = sessions[rid] else { continue }
                        perform(s.logAdvanced(now: now), on: &s, rid: rid, router: router)
                        store(s, rid)
                    }
                }
            }
        }
        let now = clock.now
        for rid in Array(sessions.keys) {
            guard var s = sessions[rid] else { continue }
            perform(s.shutdown(now: now), on: &s, rid: rid, router: router)
        }
        for (_, s) in sessions { try? registry.record(publicKey: s.key, ["state": "offline"]) }
        sessions = [:]
        logger.info("hub stopped")
    }

    private func store(_ s: Session, _ rid: [UInt8]) {
        if sessions[rid] != nil { sessions[rid] = s }
    }

    private func handle(_ msg: ZMQMultipart, router: ZMQSocket, config: HubConfiguration, directory: RegistryDirectory) {
        guard msg.frames.count >= 1 else { return }
        let rid = msg.frames[0]
        let now = clock.now
        guard let key = msg.userId, allowed.contains(key) else {
            // Revoked while connected (ZAP only runs at the handshake).
            let e = SyncError(.unauthorized, "this node's key is not enrolled or was revoked")
            try? router.send([rid] + OutgoingMessage(.error(e)).frames, dontWait: true)
            sessions[rid] = nil
            return
        }
        var s = sessions[rid] ?? Session(key: key, configuration: config, now: now)
        sessions[rid] = s
        let actions: [HubAction]
        do {
            let r = try SyncFraming.decode(msg.frames.dropFirst(), maxMessageBytes: limits.maxMessageBytes)
            if case .hello = r.message.kind {
                // A node that reconnects gets a new routing id: retire its old session.
                for (other, o) in sessions where other != rid && o.key == key { sessions[other] = nil }
            }
            actions = s.received(r, now: now, directory: directory)
        } catch {
            actions = s.receivedInvalid(error, now: now)
        }
        perform(actions, on: &s, rid: rid, router: router)
        store(s, rid)
    }

    private func perform(_ actions: [HubAction], on s: inout Session, rid: [UInt8], router: ZMQSocket) {
        var queue = actions[...]
        while let a = queue.popFirst() {
            let now = clock.now
            do {
                switch a {
                case .send(let m):
                    do {
                        try router.send([rid] + m.frames, dontWait: true)
                    } catch let e as ZMQError where e.isHostUnreachable || e.isAgain {
                        // The node is gone or not reading: its session ends here.
                        sessions[rid] = nil
                        return
                    }
                case .bindNode(let node, _):
                    try registry.bind(publicKey: s.key, replicaID: node.rawValue, at: Date())
                case .sessionOpened(let node, let center, let agent, let status):
                    try registry.record(publicKey: s.key, Self.statusFields(status).merging([
                        "state": "connected", "connected_since": NodeRegistry.ms(Date()), "last_seen": NodeRegistry.ms(Date()),
                    ]) { $1 })
                    try registry.log("session", publicKey: s.key, center: center, detail: "\(node) \(agent)")
                    logger.info("node connected", metadata: ["node": "\(node)", "center": "\(center)"])
                case .statusReported(_, let status):
                    try registry.record(publicKey: s.key, Self.statusFields(status).merging(["last_seen": NodeRegistry.ms(Date())]) { $1 })
                case .applyPush(let batch, let center, let rejected):
                    for r in rejected { logger.warning("unreadable record in push", metadata: ["center": "\(center)", "record": "\(r)"]) }
                    // Applied on the applier's thread; `deliver` acknowledges it after commit.
                    applier?.submit(PushApplier.Job(routingID: rid, key: s.key, batch: batch, center: center, rejected: rejected))
                case .extractChanges(let after, let node, let center, let maxCount, let maxBytes):
                    do {
                        let batch = try desk.replica.changes(after: after, scope: .centers([center]), for: node, maxCount: maxCount, maxBytes: maxBytes)
                        queue = s.changesExtracted(batch, now: now)[...] + queue
                    } catch {
                        queue = s.extractionFailed(error, now: now)[...] + queue
                    }
                case .markAcknowledged(let node, let upTo):
                    try desk.replica.markAcknowledged(by: node, upTo: upTo)
                    try registry.record(publicKey: s.key, ["pull_cursor": Int64(upTo), "last_pull_at": NodeRegistry.ms(Date()), "last_seen": NodeRegistry.ms(Date())])
                case .close(let reason):
                    // Refusals only an operator can cure (key, schema, demo, clock) stay on the status screen.
                    let refused = reason?.code.needsOperator == true
                    try registry.record(publicKey: s.key, [
                        "state": refused ? "refused" : "offline", "connected_since": nil,
                        "last_error": reason.map { "\($0)" }, "last_error_at": reason.map { _ in NodeRegistry.ms(Date()) },
                    ])
                    if let reason { logger.notice("session closed", metadata: ["key": "\(s.key.prefix(8))", "reason": "\(reason)"]) }
                    sessions[rid] = nil
                }
            } catch {
                logger.error("hub action failed", metadata: ["action": "\(a)", "error": "\(error)"])
            }
        }
    }

    /// Hands applied pushes back to their sessions: an ACK for each commit, an ERROR for a
    /// rolled-back one. A session that ended meanwhile gets nothing (its node resends).
    private func deliver(_ done: [PushApplier.Done], router: ZMQSocket) {
        for d in done {
            let rid = d.job.routingID
            guard var s = sessions[rid], s.key == d.job.key else { continue }
            let now = clock.now
            switch d.result {
            case .success(let result):
                perform(s.pushCommitted(result, toSeq: d.job.batch.toSeq, now: now), on: &s, rid: rid, router: router)
            case .failure(let error):
                logger.error("push failed", metadata: ["center": "\(d.job.center)", "error": "\(error)"])
                try? registry.record(publicKey: s.key, ["last_error": "\(error)", "last_error_at": NodeRegistry.ms(Date())])
                perform(s.pushFailed(error, toSeq: d.job.batch.toSeq, now: now), on: &s, rid: rid, router: router)
            }
            store(s, rid)
        }
    }

    /// What the applier does with a job: merge the batch, keeping out what a node of its
    /// center may not originate (`AuthorityCheck`: other centers' records, shared and
    /// head-office data, rewrites of what the hub holds), and update the registry's view
    /// of the node in the same transaction (one commit for both, and the refusal log entry
    /// exactly when the quarantine rows commit).
    static func applyItem(_ job: PushApplier.Job) -> Replica.ApplyItem {
        let (batch, center, key) = (job.batch, job.center, job.key)
        // Unreadable records are quarantined like refused ones (SPEC §5.5).
        let unreadable = job.rejected.map { Refusal(table: $0.table, id: $0.id, reason: $0.reason) }
        // The session checked that the batch is the log of the node bound to the key.
        return Replica.ApplyItem(batch, from: batch.origin, sender: .centerNode(batch.origin, center: center), unreadable: unreadable,
                                 alongside: { db, result in
            let refused = unreadable + result.refused
            let now = Date()
            if !refused.isEmpty {
                try NodeRegistry.log(db, now, key, center, "refused",
                                     refused.map { "\($0.table)/\($0.id): \($0.reason)" }.joined(separator: "; "))
            }
            var fields: [String: DatabaseValueConvertible?] = [
                "last_push_seq": Int64(batch.toSeq), "last_push_at": NodeRegistry.ms(now), "last_seen": NodeRegistry.ms(now),
            ]
            // The node's log ended with this batch: nothing waits there any more (its next
            // PING says otherwise if it wrote meanwhile). Without this a one-shot `sync`
            // leaves the backlog its HELLO reported.
            if batch.isLast { fields["backlog"] = Int64(0); fields.updateValue(nil, forKey: "oldest_pending_at") }
            try NodeRegistry.record(db, publicKey: key, fields, addRefused: refused.count)
        })
    }

    /// What a node's HELLO or PING reports, as registry columns.
    static func statusFields(_ s: NodeStatusReport) -> [String: DatabaseValueConvertible?] {
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
}
