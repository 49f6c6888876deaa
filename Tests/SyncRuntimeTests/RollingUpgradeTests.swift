import Foundation
import Logging
import Replication
import ServiceDesk
import SyncRuntime
import TestSupport
import Testing
import ZeroMQ

/// Issue 17, rolling upgrades: the hub is upgraded first and serves centers still on the
/// previous desk schema (SPEC §11) — it reads their change sets, sends them what they
/// understand and keeps the newer fields intact — so 300 centers need not upgrade in the
/// same hour. The hub runs as the real binary on today's schema (3); the old center is a
/// node whose database and sync client are on schema 2 (today's engine with version 2's
/// tables and fields, `DeskSchema.schema.projected(to: 2)`), talking over ZeroMQ.
@Suite(.serialized) struct RollingUpgradeTests {
    static let v2 = DeskSchema.schema.projected(to: 2)!

    /// One sync of the old node, in this process, with its schema-2 replica.
    static func syncOld(_ replica: Replica, dir: String) throws {
        let d = DataDirectory(path: dir)
        let config = try d.loadConfig()
        let store = try ReplicaNodeStore(replica: replica, center: config.center, demo: config.demoClock)
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        var options = NodeRuntimeOptions()
        options.limits.heartbeatInterval = .milliseconds(1000)
        let transport = ZMQNodeTransport(context: ctx, endpoint: config.endpoint!, hubKey: config.hubKey!, keys: try KeyStore(d).load(),
                                         options: .init(maxMessageBytes: options.limits.maxMessageBytes))
        let driver = try NodeDriver(store: store, transport: transport, clock: ContinuousClock(), options: options,
                                    mode: .once(timeout: .seconds(60)), hubName: config.endpoint!, logger: Logger(label: "old-node"))
        try driver.run(shouldStop: { false })
    }

    @Test func aHubOnTheNewSchemaServesANodeOneVersionBehind() throws {
        #expect(Self.v2.version == 2 && Self.v2.tables.count == 13)
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let new = try c.addNode(center: "C001")
        // The old center: set up by `node init`, then its database replaced by one on
        // schema 2 under the same replica id (what a center installed before version 3 has).
        let old = try c.addNode(center: "C002", addStaff: false)
        let oldID = try c.nodeID("C002")
        let path = DataDirectory(path: old.dir).databasePath
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
        var oldReplica: Replica? = try Replica.create(at: path, id: oldID, schema: Self.v2)
        let customer = try oldReplica!.write(author: "S001") { tx in
            try tx.insert("customer", ["center": "C002", "name": "周老", "phone": "13600000001", "unit": "2栋1单元101"])
        }
        #expect(try oldReplica!.read { db in try Int.fetchOne(db, sql: "SELECT schema_version FROM _rep_local") } == 2)

        try c.startHub()
        try c.ok(["customer", "add", "--data", new.dir, "--name", "新一", "--phone", "13600000002", "--unit", "1栋1单元101"])
        _ = try c.sync("C001")
        try Self.syncOld(oldReplica!, dir: old.dir)
        let hub = try c.open(c.hubDir)
        #expect(try hub.state("customer", id: customer) != nil, "the hub took the old node's record")

        // Head office writes a field of version 3 (the butler) and a note the old node knows.
        try hub.write(author: "H001") { tx in try tx.update("customer", id: customer, ["butler": "B01"]) }
        try Self.syncOld(oldReplica!, dir: old.dir)
        // The old node edits the record (it cannot know the butler) and pushes it back.
        try oldReplica!.write(author: "S001") { tx in try tx.update("customer", id: customer, ["unit": "2栋1单元102"]) }
        try Self.syncOld(oldReplica!, dir: old.dir)
        let atHub = try c.sql(c.hubDir, "SELECT unit || '|' || ifnull(butler, '') FROM customer WHERE id = '\(customer)'", as: String.self)
        #expect(atHub == ["2栋1单元102|B01"], "the old node's edit arrived and the newer field stayed intact")
        #expect(try c.sql(c.hubDir, "SELECT count(*) FROM _rep_quarantine", as: Int.self) == [0], "nothing refused")
        // The new node kept syncing meanwhile.
        try c.ok(["customer", "add", "--data", new.dir, "--name", "新二", "--phone", "13600000003", "--unit", "1栋1单元102"])
        _ = try c.sync("C001")
        try c.expectConverged("C001", hubRowsLoggedOnce: false, "the new node during the rollout:")

        // The old center upgrades: today's binary opens its database (schema 3), pulls the
        // hub's log again from 0 and gets the butler; nothing it wrote was lost.
        oldReplica = nil
        _ = try c.sync("C002")
        _ = try c.sync("C002")
        #expect(try c.sql(old.dir, "SELECT butler FROM customer WHERE id = '\(customer)'", as: String.self) == ["B01"])
        #expect(try c.sql(old.dir, "SELECT schema_version FROM _rep_local", as: Int.self) == [3])
        c.killHub()
        try c.expectConverged("C002", hubRowsLoggedOnce: false, "the old node after its upgrade:")
    }
}
