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
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        let transport = try ZMQHubTransport(context: ctx, options: .init(endpoint: endpoint, secretKey: keys.secretKey,
                                                                         maxMessageBytes: options.limits.maxMessageBytes))
        let driver = try HubDriver(replica: desk.unsafeReplica, registry: registry, transport: transport, clock: ContinuousClock(),
                                   options: options, demo: desk.config.demoClock, logger: logger)
        try driver.start()
        logger.info("hub listening", metadata: ["endpoint": "\(endpoint)", "hub": "\(desk.unsafeReplica.id)"])
        try driver.run(shouldStop: shouldStop)
        logger.info("hub stopped")
    }
}
