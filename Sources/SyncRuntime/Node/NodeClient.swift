import Foundation
import Logging
import Replication
import ServiceDesk
import SyncProtocol
import ZeroMQ

/// The node's sync client: `gatehouse node run` (a daemon that follows local writes and
/// survives hub outages of any length) and `gatehouse sync` (one push-and-pull, then
/// exit). A ``NodeDriver`` over ZeroMQ (``ZMQNodeTransport``) on the continuous clock,
/// against the node's own database (``ReplicaNodeStore``).
public final class NodeClient {
    public let desk: Desk
    let store: ReplicaNodeStore
    let keys: CurveKeyPair
    let endpoint: String
    let hubKey: String
    public var options: NodeRuntimeOptions
    var logger: Logger
    /// The data directory's daemon lock, held by `node run`: touched at every beat, the
    /// daemon's sign of life (nothing is written to the database while idle).
    public var lock: DaemonLock?

    /// How the client runs.
    public typealias Mode = NodeDriver<ZMQNodeTransport, ContinuousClock>.Mode

    public init(directory: DataDirectory, options: NodeRuntimeOptions = NodeRuntimeOptions(),
                logger: Logger = Logger(label: "gatehouse.node")) throws {
        desk = try Desk.open(directory)
        guard !desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is the hub; sync runs on a center's node") }
        guard let e = desk.config.endpoint, let k = desk.config.hubKey else {
            throw RuntimeError.configuration("this node does not know its hub yet: run `gatehouse node connect --hub ENDPOINT --hub-key KEY`")
        }
        endpoint = e
        hubKey = k
        keys = try KeyStore(directory).load()
        store = try ReplicaNodeStore(replica: desk.unsafeReplica, center: desk.center, demo: desk.config.demoClock)
        self.options = options
        self.logger = logger
    }

    /// Runs until stopped (daemon) or until synchronized (once). Throws for a one-shot
    /// sync that could not finish, with the reason.
    public func run(_ mode: Mode, shouldStop: () -> Bool = { StopSignal.requested }) throws {
        MemoryTuning.keepBatchBuffers()
        try ZeroMQ.requireCurve()
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        let transport = ZMQNodeTransport(context: ctx, endpoint: endpoint, hubKey: hubKey, keys: keys,
                                         options: .init(maxMessageBytes: options.limits.maxMessageBytes))
        let driver = try NodeDriver(store: store, transport: transport, clock: ContinuousClock(), options: options, mode: mode,
                                    hubName: endpoint, logger: logger)
        if case .daemon = mode {
            let store = self.store
            // Recorded once (for a directory read by an older `status`); the lock is what
            // `status` reads.
            try store.updateSyncState { $0.daemonPID = getpid(); $0.daemonHeartbeatAt = Date() }
            let lock = self.lock
            driver.onBeat = { lock?.beat() }
            defer { try? store.updateSyncState { $0.daemonPID = nil } }
            logger.notice("node daemon started", metadata: ["center": "\(desk.center)", "hub": "\(endpoint)", "pid": "\(getpid())"])
            defer { logger.notice("node daemon stopped", metadata: ["center": "\(desk.center)"]) }
            try driver.run(shouldStop: shouldStop)
        } else {
            try driver.run(shouldStop: shouldStop)
        }
    }
}
