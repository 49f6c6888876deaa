import Foundation
import Logging
import Replication
import ServiceDesk
import SyncProtocol
import ZeroMQ

/// `gatehouse hub run`: the hub's server. A ``HubDriver`` over ZeroMQ
/// (``ZMQHubTransport``) on the continuous clock, with its pushes applied on a thread of
/// their own.
///
/// Security: CURVE on the socket, a ZAP handler admitting only enrolled, unrevoked keys
/// (bound before the ROUTER, so no connection is ever unauthenticated), and every message
/// checked against the allow-list again, so a revocation also cuts live connections.
public final class HubServer {
    public let desk: Desk
    let registry: NodeRegistry
    let keys: CurveKeyPair
    let endpoint: String
    public var options: HubRuntimeOptions
    var logger: Logger
    /// The data directory's daemon lock, held by `hub run`: touched at every beat, how
    /// `hub status` knows the server lives.
    public var lock: DaemonLock?

    /// Opens the hub in `directory`; `endpoint` overrides the configured bind address.
    public init(directory: DataDirectory, endpoint: String? = nil, options: HubRuntimeOptions = HubRuntimeOptions(),
                logger: Logger = Logger(label: "gatehouse.hub")) throws {
        desk = try Desk.open(directory)
        guard desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is a center's node, not the hub") }
        registry = try NodeRegistry(desk.unsafeReplica.database)
        keys = try KeyStore(directory).load()
        guard let e = endpoint ?? desk.config.endpoint else { throw RuntimeError.configuration("the hub has no bind address; give --bind") }
        self.endpoint = e
        self.options = options
        self.logger = logger
    }

    /// Serves until SIGINT/SIGTERM (`StopSignal`) or `shouldStop` says so.
    public func run(shouldStop: () -> Bool = { StopSignal.requested }) throws {
        MemoryTuning.keepBatchBuffers()
        try ZeroMQ.requireCurve()
        // One descriptor per connected node: take all the system allows, and say what
        // that holds (running out later is logged by the transport, never a silent spin).
        let files = FileLimit.raiseToHard()
        let capacity = FileLimit.nodeCapacity(soft: files.soft)
        // Sockets, not connections, count against ZMQ_MAX_SOCKETS; sized with the fleet
        // all the same, so no libzmq limit is lower than the descriptors'.
        let ctx = try ZMQContext(maxSockets: min(max(1023, capacity), 65_535))
        logger.notice("hub can hold about \(capacity) nodes", metadata: [
            "open files (soft/hard)": "\(files.soft)/\(files.hard)", "zmq max sockets": "\(ctx.maxSockets)",
            "more": "raise LimitNOFILE= (systemd) or ulimit -Hn; past one machine see docs/SCALE.md"])
        defer { ctx.terminate() }
        let transport = try ZMQHubTransport(context: ctx, options: .init(endpoint: endpoint, secretKey: keys.secretKey,
                                                                         maxMessageBytes: options.limits.maxMessageBytes))
        let driver = try HubDriver(replica: desk.unsafeReplica, registry: registry, transport: transport, clock: ContinuousClock(),
                                   options: options, demo: desk.config.demoClock, logger: logger)
        let lock = self.lock
        driver.onBeat = { lock?.beat() }
        try driver.start()
        logger.notice("hub listening", metadata: ["endpoint": "\(endpoint)", "hub": "\(desk.unsafeReplica.id)"])
        try driver.run(shouldStop: shouldStop)
        logger.notice("hub stopped")
    }
}
