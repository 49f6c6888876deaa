import Foundation
import Logging
import Replication
import ServiceDesk
import Synchronization
import SyncProtocol
import ZeroMQ
@testable import SyncRuntime

/// A hub and its nodes in one process: the real drivers over real SQLite data directories,
/// talking over a ``MemoryNetwork`` on a ``ManualClock``. Nothing waits for real time:
/// `settle()` steps every side until nothing moves, `advance(_:)` moves the clock in small
/// ticks, settling at each.
final class SimFleet {
    typealias Hub = HubDriver<MemoryHubTransport, ManualClock>
    typealias Driver = NodeDriver<MemoryNodeTransport, ManualClock>

    final class Node {
        let center: String
        let desk: Desk
        let keys: CurveKeyPair
        let store: ReplicaNodeStore
        var driver: Driver
        init(center: String, desk: Desk, keys: CurveKeyPair, store: ReplicaNodeStore, driver: Driver) {
            self.center = center
            self.desk = desk
            self.keys = keys
            self.store = store
            self.driver = driver
        }
        var replica: Replica { desk.unsafeReplica }
        var state: NodeSyncState { (try? store.syncState()) ?? NodeSyncState() }
    }

    let root: URL
    let clock = ManualClock()
    let network = MemoryNetwork()
    let hubDesk: Desk
    let registry: NodeRegistry
    var hubOptions: HubRuntimeOptions
    var nodeOptions: NodeRuntimeOptions
    private(set) var hub: Hub
    private(set) var hubRunning = false
    private(set) var nodes: [String: Node] = [:]
    let log = LogCapture()
    private var seed: UInt64 = 1

    /// A hub in a temporary directory, not started; `limits` are what it announces.
    init(limits: SyncLimits = .default, hubOptions: HubRuntimeOptions? = nil, hubReplica: Replica.Options = Replica.Options()) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gh-sim-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        hubDesk = try Desk.create(in: DataDirectory(path: root.appendingPathComponent("hub").path), role: .hub, center: "HQ", name: "总部",
                                  options: hubReplica)
        registry = try NodeRegistry(hubDesk.unsafeReplica.database)
        var h = hubOptions ?? HubRuntimeOptions()
        h.limits = limits
        h.threadedApply = false
        self.hubOptions = h
        var n = NodeRuntimeOptions()
        n.limits = limits
        nodeOptions = n
        hub = try HubDriver(replica: hubDesk.unsafeReplica, registry: registry, transport: network.hubTransport(), clock: clock,
                            options: h, logger: log.logger("hub"))
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Starts the hub (again, after `stopHub()`: a new driver, as a restarted process).
    func startHub() throws {
        if hubRunning { return }
        hub = try HubDriver(replica: hubDesk.unsafeReplica, registry: registry, transport: network.hubTransport(), clock: clock,
                            options: hubOptions, logger: log.logger("hub"))
        try hub.start()
        hubRunning = true
    }

    /// Stops the hub as SIGTERM does (ERROR 503 to every node, status written).
    func stopHub() {
        guard hubRunning else { return }
        hub.shutdown()
        hubRunning = false
    }

    /// A center's node with its own key, enrolled unless told otherwise, its daemon created
    /// (it connects at its first step).
    @discardableResult
    func addNode(_ center: String, enroll: Bool = true, mode: Driver.Mode = .daemon) throws -> Node {
        let desk = try Desk.create(in: DataDirectory(path: root.appendingPathComponent(center.lowercased()).path), role: .node,
                                   center: center, name: "中心\(center)")
        let keys = try CurveKeyPair.generate()
        if enroll { try registry.enroll(center: center, publicKey: keys.publicKey) }
        let store = try ReplicaNodeStore(replica: desk.unsafeReplica, center: center)
        let node = Node(center: center, desk: desk, keys: keys, store: store, driver: try makeDriver(store, keys, mode))
        nodes[center] = node
        return node
    }

    /// A new driver for a node (a restarted daemon, or a one-shot sync).
    func restart(_ center: String, mode: Driver.Mode = .daemon) throws {
        let n = nodes[center]!
        n.driver.finish()
        n.driver = try makeDriver(n.store, n.keys, mode)
    }

    private func makeDriver(_ store: ReplicaNodeStore, _ keys: CurveKeyPair, _ mode: Driver.Mode) throws -> Driver {
        var o = nodeOptions
        seed += 1
        o.seed = seed
        return try Driver(store: store, transport: network.nodeTransport(key: keys.publicKey), clock: clock, options: o,
                          mode: mode, hubName: "memory hub", logger: log.logger(store.center))
    }

    /// Steps every side until no message is in flight and no push is being applied (at
    /// most `turns` rounds).
    func settle(turns: Int = 10_000) throws {
        for _ in 0..<turns {
            if hubRunning { try hub.step() }
            for n in nodes.values { try n.driver.step() }
            if network.inFlight == 0 && (!hubRunning || hub.isIdle) { return }
        }
        throw Stuck(inFlight: network.inFlight)
    }

    struct Stuck: Error, CustomStringConvertible {
        var inFlight: Int
        var description: String { "the fleet did not settle: \(inFlight) message(s) in flight" }
    }

    /// Moves the clock by `duration` in steps of `tick`, settling after each.
    func advance(_ duration: Duration, tick: Duration = .milliseconds(100)) throws {
        var left = duration
        while left > .zero {
            let d = min(tick, left)
            clock.advance(by: d)
            left -= d
            try settle()
        }
    }

    /// Writes `count` customers at a node, one transaction each.
    func writeCustomers(_ center: String, _ count: Int, prefix: String = "客户") throws -> [String] {
        let r = nodes[center]!.replica
        return try (0..<count).map { i in
            try r.write(author: "S001") { tx in
                try tx.insert("customer", ["center": .text(center), "name": .text("\(prefix)\(i)"), "phone": .text("1390000\(1000 + i)")])
            }
        }
    }

    /// Every record state of `center` plus the shared data, at a replica.
    func states(_ replica: Replica, center: String) throws -> [RecordState] {
        try replica.allStates(scope: .centers([center]))
    }

    /// The hub's registry row of a center's (first) key.
    func row(_ center: String) throws -> EnrolledNode? {
        try registry.nodes().first { $0.center == center }
    }
}

/// Log records captured in memory, for tests that check what the runtime said.
final class LogCapture: Sendable {
    struct Entry: Sendable {
        var label: String
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    let entries = Mutex<[Entry]>([])

    func logger(_ label: String) -> Logger {
        var l = Logger(label: label) { [self] label in Handler(label: label, capture: self) }
        l.logLevel = .trace
        return l
    }

    func messages(_ level: Logger.Level? = nil) -> [String] {
        entries.withLock { $0.filter { level == nil || $0.level == level }.map(\.message) }
    }

    struct Handler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let m = (event.metadata ?? [:]).mapValues { "\($0)" }
            capture.entries.withLock { $0.append(Entry(label: label, level: event.level, message: "\(event.message)", metadata: m)) }
        }
    }
}
