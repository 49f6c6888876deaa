import Foundation
import TestSupport
import GRDB
import Replication
import ServiceDesk
import Testing

/// Issue 4, reliability test 2: SIGKILL the hub and, separately, the node's sync process
/// at random points of a sync of at least 10K changes. After every kill (a crash-consistent
/// moment: nothing of the killed process survives but its committed database), the hub
/// holds exactly the node's changes up to its committed push cursor — each once, none
/// beyond it, none half-applied — and those records equal the node's; after recovery the
/// sync resumes from the hub's durable state and finally node and hub agree entirely.
///
/// GATEHOUSE_RELIABILITY_ROUNDS sets the total kill rounds (default 24: 12 hub, 12 node);
/// GATEHOUSE_RELIABILITY_CHANGES the size of the initial backlog (default 10 000).
@Suite(.serialized) struct CrashRecoveryTests {
    static let rounds = max(2, envInt("GATEHOUSE_RELIABILITY_ROUNDS", default: 24))
    static let changes = max(1, envInt("GATEHOUSE_RELIABILITY_CHANGES", default: 10_000))

    /// What a kill round checks, reading both databases while nothing writes the node's
    /// records (the hub may still be running: its read is one snapshot).
    static func checkPrefix(_ c: Cluster, round: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64 {
        let node = try c.nodeID("C001")
        let hubQueue = try DatabaseQueue(path: DataDirectory(path: c.hubDir).databasePath,
                                         configuration: { var x = Configuration(); x.readonly = true; x.busyMode = .timeout(10); return x }())
        let tables = DeskSchema.tables.map { "_rep_\($0.name)" }
        let (committed, hubIDs, hubSeq, hubRows): (UInt64, Set<String>, Int64, Int64) = try hubQueue.inDatabase { db in
            try db.execute(sql: "BEGIN DEFERRED")
            defer { try? db.execute(sql: "COMMIT") }
            let committed = UInt64(try Int64.fetchOne(db, sql: "SELECT received FROM _rep_peers WHERE peer = ?", arguments: [node.rawValue]) ?? 0)
            let ids = Set(try String.fetchAll(db, sql: "SELECT id FROM _rep_customer WHERE center = 'C001'"))
            let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM _rep_local")!
            var rows: Int64 = 0
            for t in tables { rows += try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(t)")! }
            return (committed, ids, seq, rows)
        }
        let nodeRows = try c.sql(c.nodes["C001"]!.dir, "SELECT id || ' ' || _seq FROM _rep_customer", as: String.self)
        var expected = Set<String>()
        for r in nodeRows {
            let parts = r.split(separator: " ")
            if UInt64(parts[1])! <= committed { expected.insert(String(parts[0])) }
        }
        let missing = expected.subtracting(hubIDs), extra = hubIDs.subtracting(expected)
        #expect(missing.isEmpty && extra.isEmpty,
                "\(round): hub committed \(committed) but lacks \(missing.count) customers of that prefix (\(missing.prefix(3))) and has \(extra.count) beyond it (\(extra.prefix(3)))",
                sourceLocation: sourceLocation)
        #expect(hubSeq == hubRows, "\(round): the hub's log head \(hubSeq) ≠ its \(hubRows) record rows: some record was logged twice", sourceLocation: sourceLocation)
        // The records that made it agree field by field (a sample, to keep rounds fast).
        let hub = try c.open(c.hubDir), nodeReplica = try c.open(c.nodes["C001"]!.dir)
        for id in hubIDs.shuffled().prefix(40) {
            let h = try hub.state("customer", id: id), n = try nodeReplica.state("customer", id: id)
            #expect(h == n, "\(round): customer \(id) differs between hub and node", sourceLocation: sourceLocation)
        }
        return committed
    }

    /// Keeps at least `minimum` changes waiting at the node, so every kill lands in a big sync.
    static func topUp(_ c: Cluster, minimum: Int, batch: Int, tag: String) throws {
        let cur = try c.cursors("C001")
        if Int(cur.nodeHead) - Int(cur.hubCommitted) < minimum { try c.importCustomers("C001", count: batch, prefix: tag) }
    }

    @Test func sigkillTheNodeDuringABigSync() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.importCustomers("C001", count: Self.changes, prefix: "大批")
        try c.startHub()
        let rounds = Self.rounds / 2
        var log: [String] = []
        var committed: UInt64 = 0
        for round in 0..<rounds {
            try Self.topUp(c, minimum: 4000, batch: 4000, tag: "补\(round)")
            // Kill in the data transfer: a random moment after the session opened.
            let sync = try c.spawn(["sync", "--data", node.dir, "--timeout", "60", "--verbose"])
            _ = sync.waitForLog("connected to hub", timeout: .seconds(20))
            let delay = Double.random(in: 0...1.5)
            Thread.sleep(forTimeInterval: delay)
            let finished = !sync.isRunning
            sync.kill()
            let now = try Self.checkPrefix(c, round: "node kill \(round + 1) after \(delay)s")
            log.append(String(format: "%.2fs→%d%@", delay, now, finished ? " (had finished)" : ""))
            #expect(now >= committed, "the hub's committed cursor moved back: \(committed) → \(now)")
            committed = now
        }
        print("node kill rounds: \(log.joined(separator: "; "))")
        // Recovery: a fresh sync finishes from the hub's committed state.
        let r = try c.sync("C001", timeout: 90)
        #expect(r.status == 0, "\(r)")
        c.killHub()
        try c.expectConverged("C001", "after \(rounds) node kills [\(log.joined(separator: ", "))]:")
        #expect(committed > 0, "no kill round made progress: \(log)")

        // The other direction: a replacement node for the center bootstraps the whole
        // center from the hub and is SIGKILLed at random points of that pull. After each
        // kill it holds exactly the hub's records up to its pull cursor.
        try c.startHub()
        let fresh = try c.addNode(center: "C001", as: "C001-new", addStaff: false)
        let hubID = try c.open(c.hubDir).id
        let hubSeqs = Dictionary(uniqueKeysWithValues: try c.sql(c.hubDir, "SELECT id || ' ' || _seq FROM _rep_customer WHERE center = 'C001'", as: String.self)
            .map { r -> (String, UInt64) in let p = r.split(separator: " "); return (String(p[0]), UInt64(p[1])!) })
        var pulled: [String] = []
        for round in 0..<max(1, rounds / 2) {
            let sync = try c.spawn(["sync", "--data", fresh.dir, "--timeout", "60", "--verbose"])
            _ = sync.waitForLog("connected to hub", timeout: .seconds(20))
            let delay = Double.random(in: 0...1.5)
            Thread.sleep(forTimeInterval: delay)
            sync.kill()
            let cursor = try c.open(fresh.dir).receivedCursor(from: hubID)
            let have = Set(try c.sql(fresh.dir, "SELECT id FROM _rep_customer", as: String.self))
            let expected = Set(hubSeqs.filter { $0.value <= cursor }.keys)
            #expect(have == expected, "bootstrap kill \(round + 1) after \(delay)s: cursor \(cursor), \(have.count) customers, expected \(expected.count)")
            pulled.append(String(format: "%.2fs→%d", delay, cursor))
        }
        print("bootstrap kill rounds: \(pulled.joined(separator: "; "))")
        let b = try c.sync("C001-new", timeout: 90)
        #expect(b.status == 0, "\(b)")
        c.killHub()
        let n2 = try c.states(fresh.dir, center: "C001"), h = try c.states(c.hubDir, center: "C001")
        #expect(n2 == h, "the bootstrapped node \(Cluster.digest(n2)) vs hub \(Cluster.digest(h))")
    }

    @Test func sigkillTheHubDuringABigSync() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.importCustomers("C001", count: Self.changes, prefix: "大批")
        try c.startHub()
        let rounds = Self.rounds - Self.rounds / 2
        var log: [String] = []
        var sync = try c.spawn(["sync", "--data", node.dir, "--timeout", "120", "--verbose"])
        var lastCommitted: UInt64 = 0
        for round in 0..<rounds {
            let delay = Double.random(in: 0.1...1.0)
            Thread.sleep(forTimeInterval: delay)
            c.killHub()
            let atCrash = try Self.checkPrefix(c, round: "hub kill \(round + 1) after \(delay)s")
            #expect(atCrash >= lastCommitted, "the hub's committed cursor moved back: \(lastCommitted) → \(atCrash)")
            log.append(String(format: "%.2fs→%d", delay, atCrash))
            try Self.topUp(c, minimum: 2000, batch: 3000, tag: "补\(round)")
            try c.startHub()
            let restarted = ContinuousClock.now
            if !sync.isRunning {
                #expect(sync.waitExit(timeout: .seconds(1)) == 0, "the sync failed: \(sync.stderr.suffix(1500))")
                sync = try c.spawn(["sync", "--data", node.dir, "--timeout", "120", "--verbose"])
            }
            // Recovery: the same sync process notices the new hub (a 409 for its next
            // message, or silence) and resumes from the committed cursor.
            let resumed = try eventually(within: .seconds(30)) {
                try c.cursors("C001").hubCommitted > atCrash || !sync.isRunning
            }
            #expect(resumed, "round \(round + 1): the sync did not resume after the hub restarted: \(sync.stderr.suffix(2000))")
            lastCommitted = try c.cursors("C001").hubCommitted
            log[log.count - 1] += " resumed in \(ContinuousClock.now - restarted)"
        }
        print("hub kill rounds: \(log.joined(separator: "; "))")
        #expect(sync.waitExit(timeout: .seconds(120)) == 0, "the sync did not finish: \(sync.stderr.suffix(2000))")
        let r = try c.sync("C001", timeout: 60)
        #expect(r.status == 0, "\(r)")
        c.killHub()
        try c.expectConverged("C001", "after \(rounds) hub kills [\(log.joined(separator: ", "))]:")
    }

    /// A hub SIGKILLed while a node was connected must not show that node as connected
    /// after its restart when the node is gone too (the status screen head office watches).
    @Test func aRestartedHubDoesNotShowDeadNodesAsConnected() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.startHub()
        let daemon = try c.spawn(["node", "run", "--data", node.dir])
        let state = { try c.sql(c.hubDir, "SELECT state FROM hub_node WHERE center = 'C001'", as: String.self).first ?? "" }
        #expect(try eventually(within: .seconds(10)) { try state() == "connected" })
        c.killHub()
        daemon.kill()
        try c.startHub()
        #expect(try state() != "connected", "the restarted hub still shows a dead node as connected")
    }
}
