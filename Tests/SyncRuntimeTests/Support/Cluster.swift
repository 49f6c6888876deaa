import Foundation
import TestSupport
import GRDB
import Replication
import ServiceDesk
import Testing

/// A hub and its nodes in a temporary directory, driven through the real `gatehouse`
/// binary on a loopback port. Every process it starts is SIGKILLed when the test ends
/// (`shutDown()` in a `defer`, and again when released).
final class Cluster: @unchecked Sendable {
    struct Node {
        var center: String
        var dir: String
        var key: String
    }

    let root: URL
    let logs: URL
    let hubDir: String
    private(set) var hubKey = ""
    private(set) var port: Int
    private(set) var nodes: [String: Node] = [:]
    private(set) var hub: Spawned?
    private var spawned: [Spawned] = []
    /// Heartbeat the hub announces: short, so a node notices a killed hub in about a second.
    var heartbeatMilliseconds = 1000

    var endpoint: String { "tcp://127.0.0.1:\(port)" }

    init(_ name: String = #function) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gh-rel-\(UUID().uuidString.prefix(8))")
        logs = root.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        hubDir = root.appendingPathComponent("hub").path
        port = Int.random(in: 20000...60000)
        hubKey = try ok(["hub", "init", "--data", hubDir, "--bind", endpoint, "--demo"]).trimmed
        try ok(["staff", "add", "--data", hubDir, "--id", "H001", "--name", "总部值班", "--role", "operations"], staff: "H001")
    }

    deinit { shutDown(removeFiles: true) }

    /// Kills every process started here (SIGKILL: nothing may outlive the test).
    func shutDown(removeFiles: Bool = false) {
        for p in spawned { p.kill() }
        spawned = []
        hub = nil
        if removeFiles { try? FileManager.default.removeItem(at: root) }
    }

    // MARK: - Commands

    /// The business clock of every command: the directories are made with `--demo`, the
    /// one kind whose users may set it (and a hub refuses a demonstration node unless it
    /// is one too).
    func env(staff: String) -> [String: String] {
        ["GATEHOUSE_NOW": "2026-11-02 09:00"]
    }

    /// Runs a command as `staff`, logged in first when the command needs it (`TestLogin`).
    /// `environment` overrides the cluster's (e.g. no business clock for a production directory).
    @discardableResult
    func run(_ args: [String], staff: String = "S001", timeout: Duration = .seconds(120),
             environment: [String: String] = [:]) throws -> CLIResult {
        let p = TestLogin.prepare(args, staff: staff)
        if let who = p.actAs, let dir = TestLogin.dataDirectory(p.args, env: [:]) {
            try TestLogin.ensure(who, in: dir) { a, input in
                try gatehouse(a, env: env(staff: who).merging(environment) { $1 }, stdin: input, timeout: timeout, logDirectory: logs).status
            }
        }
        return try gatehouse(p.args, env: env(staff: staff).merging(environment) { $1 }, stdin: p.stdin, timeout: timeout, logDirectory: logs)
    }

    /// Runs and requires exit 0.
    @discardableResult
    func ok(_ args: [String], staff: String = "S001", timeout: Duration = .seconds(120), environment: [String: String] = [:],
            sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let r = try run(args, staff: staff, timeout: timeout, environment: environment)
        guard r.status == 0 else {
            Issue.record("gatehouse \(args.joined(separator: " ")) failed: \(r)", sourceLocation: sourceLocation)
            throw CommandFailed(result: r)
        }
        return r
    }

    struct CommandFailed: Error { var result: CLIResult }

    /// Creates a center's node, enrolls its key and registers its first staff member S001
    /// (`staff` id) so the service-desk commands work there.
    @discardableResult
    func addNode(center: String, name: String? = nil, enroll: Bool = true, as label: String? = nil, addStaff: Bool = true) throws -> Node {
        let dir = root.appendingPathComponent((label ?? center).lowercased()).path
        let key = try ok(["node", "init", "--data", dir, "--center", center, "--name", name ?? "中心\(center)",
                          "--hub", endpoint, "--hub-key=\(hubKey)", "--demo"]).trimmed
        if enroll { try ok(["hub", "enroll", "--data", hubDir, "--center", center, "--key=\(key)"], staff: "H001") }
        if addStaff { try ok(["staff", "add", "--data", dir, "--id", "S001", "--name", "王", "--role", "front-desk"]) }
        let n = Node(center: center, dir: dir, key: key)
        nodes[label ?? center] = n
        return n
    }

    /// Starts `hub run` and waits until it listens. A port taken by someone else moves the
    /// hub to another random port (and points every node at it).
    func startHub() throws {
        precondition(hub == nil || !(hub!.isRunning), "the hub is already running")
        for attempt in 0..<8 {
            let p = try spawn(["hub", "run", "--data", hubDir, "--bind", endpoint, "--verbose",
                               "--heartbeat-ms", "\(heartbeatMilliseconds)"], staff: "H001")
            if p.waitForLog("hub listening", timeout: .seconds(20)) {
                hub = p
                return
            }
            p.kill()
            let err = p.stderr
            guard err.localizedCaseInsensitiveContains("address already in use") || err.localizedCaseInsensitiveContains("EADDRINUSE"), attempt < 7 else {
                throw HubDidNotStart(stderr: err)
            }
            port = Int.random(in: 20000...60000)
            for n in nodes.values { try ok(["node", "connect", "--data", n.dir, "--hub", endpoint, "--hub-key=\(hubKey)"]) }
        }
    }

    struct HubDidNotStart: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "the hub did not start:\n\(stderr)" }
    }

    /// SIGKILLs the hub (a crash) and reaps it.
    func killHub() {
        hub?.kill()
        hub = nil
    }

    /// A background `gatehouse` process, killed at the end of the test.
    func spawn(_ args: [String], staff: String = "S001") throws -> Spawned {
        let p = try Spawned(args, env: env(staff: staff), logDirectory: logs)
        spawned.append(p)
        spawned.removeAll { !$0.isRunning && $0 !== p }
        return p
    }

    /// `gatehouse sync` for a node, bounded.
    func sync(_ center: String, timeout: Int = 60) throws -> CLIResult {
        try run(["sync", "--data", nodes[center]!.dir, "--timeout", "\(timeout)"], timeout: .seconds(timeout + 30))
    }

    // MARK: - Looking inside (after the processes writing there stopped, or read-only alongside them)

    func open(_ dir: String) throws -> Replica {
        try Replica.open(at: DataDirectory(path: dir).databasePath, schema: DeskSchema.schema)
    }

    /// What two converged replicas must agree on for a center: every record state of the
    /// center plus the shared data.
    func states(_ dir: String, center: String) throws -> [RecordState] {
        try open(dir).allStates(scope: .centers([center]))
    }

    /// An order-independent fingerprint of `states`, for messages.
    static func digest(_ states: [RecordState]) -> String {
        var h = Hasher()
        for s in states { h.combine(s) }
        return "\(states.count) records, hash \(String(UInt64(bitPattern: Int64(h.finalize())), radix: 16))"
    }

    func nodeID(_ center: String) throws -> ReplicaID {
        ReplicaID(rawValue: try DataDirectory(path: nodes[center]!.dir).loadConfig().replicaID)!
    }

    func sql<T: DatabaseValueConvertible>(_ dir: String, _ query: String, as: T.Type = T.self) throws -> [T] {
        let q = try DatabaseQueue(path: DataDirectory(path: dir).databasePath, configuration: { var c = Configuration(); c.readonly = true; c.busyMode = .timeout(10); return c }())
        return try q.read { db in try T.fetchAll(db, sql: query) }
    }
}

extension Cluster {
    /// Writes `count` new customers at a node in ONE process and one transaction (a CSV
    /// import): a cheap way to make thousands of changes.
    func importCustomers(_ center: String, count: Int, prefix: String) throws {
        var csv = "name,phone,unit\n"
        csv.reserveCapacity(count * 40)
        let base = Int.random(in: 0..<100_000) * 1000
        for i in 0..<count {
            csv += "\(prefix)客户\(i),139\(String(format: "%08d", (base + i) % 100_000_000)),\(i % 30 + 1)栋\(i % 4 + 1)单元\(i % 100 + 101)\n"
        }
        let file = logs.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(6)).csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        try ok(["import", "customers", file.path, "--data", nodes[center]!.dir])
    }

    /// Opens a request at a node; returns its reference (the first word printed).
    func openTicket(_ center: String, summary: String) throws -> String {
        let out = try ok(["ticket", "open", "--data", nodes[center]!.dir, "--kind", "repair", "--summary", summary]).trimmed
        return String(out.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first ?? "")
    }

    /// The node's log head and the hub's committed push cursor for that node.
    func cursors(_ center: String) throws -> (nodeHead: UInt64, hubCommitted: UInt64) {
        let head = try open(nodes[center]!.dir).localClock().sequence
        let committed = try open(hubDir).receivedCursor(from: try nodeID(center))
        return (head, committed)
    }

    /// Node and hub agree on the center's records, the hub committed the node's whole log,
    /// and no record reached the hub's log twice (each record row at the hub was logged
    /// exactly once: its log head equals the number of record rows, when every record was
    /// written once).
    func expectConverged(_ center: String, hubRowsLoggedOnce: Bool = true, _ comment: String = "",
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let n = try states(nodes[center]!.dir, center: center)
        let h = try states(hubDir, center: center)
        #expect(n.count == h.count, "\(comment) node \(Cluster.digest(n)) vs hub \(Cluster.digest(h))", sourceLocation: sourceLocation)
        #expect(Cluster.digest(n) == Cluster.digest(h), "\(comment) digests differ", sourceLocation: sourceLocation)
        if n != h {
            let nd = Dictionary(n.map { ("\($0.table)/\($0.id)", $0) }, uniquingKeysWith: { a, _ in a })
            let hd = Dictionary(h.map { ("\($0.table)/\($0.id)", $0) }, uniquingKeysWith: { a, _ in a })
            let onlyNode = nd.keys.filter { hd[$0] == nil }.sorted().prefix(5)
            let onlyHub = hd.keys.filter { nd[$0] == nil }.sorted().prefix(5)
            let differ = nd.keys.filter { hd[$0] != nil && hd[$0] != nd[$0] }.sorted().prefix(5)
            Issue.record("\(comment) only at node: \(onlyNode); only at hub: \(onlyHub); different: \(differ)", sourceLocation: sourceLocation)
        }
        let c = try cursors(center)
        #expect(c.hubCommitted == c.nodeHead, "\(comment) hub committed \(c.hubCommitted) of a node log ending at \(c.nodeHead)", sourceLocation: sourceLocation)
        if hubRowsLoggedOnce {
            let hub = try open(hubDir)
            #expect(try hub.localClock().sequence == UInt64(try hub.allStates().count),
                    "\(comment) the hub logged some record more than once", sourceLocation: sourceLocation)
        }
        let ids = h.map { "\($0.table)/\($0.id)" }
        #expect(Set(ids).count == ids.count, "\(comment) duplicate records at the hub", sourceLocation: sourceLocation)
    }
}
