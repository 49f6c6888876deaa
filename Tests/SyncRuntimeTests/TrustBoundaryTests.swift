import Foundation
import Replication
import ServiceDesk
import SyncProtocol
import SyncRuntime
import TestSupport
import Testing
import ZeroMQ

/// Issue 14, the sync side of the trust boundary, with real processes: a real hub, real
/// nodes, real sockets. The attacker is root on a center's node machine: it writes
/// straight through the replication API into its node's database (bypassing the CLI and
/// its permission checks) and pushes with `gatehouse sync`, or drives the node's own key
/// frame by frame. The hub must keep what it holds exactly as it was, record by record,
/// and show every refusal with its reason.
@Suite(.serialized) struct TrustBoundaryTests {
    /// A hub with head office's administrator and quality department, and two centers,
    /// each with its staff and a customer, all synced.
    struct World {
        let c: Cluster
        let c001: Cluster.Node
        let c002: Cluster.Node
        let c002Customer: String

        init() throws {
            c = try Cluster()
            c001 = try c.addNode(center: "C001")
            c002 = try c.addNode(center: "C002", addStaff: false)
            try c.ok(["staff", "add", "--data", c002.dir, "--id", "S201", "--name", "周丽", "--role", "front-desk"])
            try c.ok(["staff", "add", "--data", c.hubDir, "--id", "Q01", "--name", "品质周", "--role", "quality"], staff: "H001")
            c002Customer = try c.ok(["customer", "add", "--data", c002.dir, "--name", "张三丰", "--phone", "13812345678",
                                     "--unit", "3栋2单元1101"], staff: "S201").trimmed
            try c.startHub()
            #expect(try c.sync("C001").status == 0)
            #expect(try c.sync("C002").status == 0)
        }

        /// The hub's records that are not the attacker's center's own, record by record:
        /// what must never change (head office's own audit trail grows as the test acts there).
        func protected() throws -> [RecordState] {
            try c.open(c.hubDir).allStates().filter { s in
                if s.table == "calendar_day" { return true }
                let center = s.slots[0].values[0]  // DeskSchema puts `center` first
                return center != .text("C001") && !(s.table == "audit" && center == .text("HQ"))
            }
        }

        /// Writes straight into C001's database through the replication API.
        func tamper(_ body: (WriteTransaction) throws -> Void) throws {
            try c.open(c001.dir).write(author: "S001", body)
        }

        /// Syncs C001 and returns the refusals the node recorded (record id → code).
        func syncAttacker() throws -> [String: Int] {
            let r = try c.sync("C001")
            #expect(r.status == 0, "a refused record must not fail the sync: \(r)")
            var out: [String: Int] = [:]
            for row in try c.sql(c001.dir, "SELECT rid || ' ' || code FROM node_refusal", as: String.self) {
                let parts = row.split(separator: " ")
                out[String(parts[0])] = Int(parts[1])
            }
            return out
        }

        func quarantine() throws -> [String: String] {
            var out: [String: String] = [:]
            for row in try c.sql(c.hubDir, "SELECT rid || '|' || reason FROM _rep_quarantine", as: String.self) {
                let p = row.split(separator: "|", maxSplits: 1)
                out[String(p[0])] = String(p[1])
            }
            return out
        }
    }

    @Test func aCenterCannotTakeOverHeadOfficesOrAnotherCentersStaffAccount() throws {
        let w = try World()
        defer { w.c.shutDown(removeFiles: true) }
        let before = try w.protected()
        let admin = TestLogin.adminID(w.c.hubDir)
        let stolen = try PasswordHash.make("stolen-password")
        // `staff add --id admin-HQ` at the center, as the issue reproduced it, and the same
        // for C002's front desk: the node never held those records, so it creates them.
        try w.tamper { tx in
            try tx.insert("staff", id: admin, ["center": "C001", "name": "假管理员", "role": "admin", "active": 1, "password_hash": .text(stolen)])
            try tx.insert("staff", id: "S201", ["center": "C001", "name": "假周丽", "role": "front_desk", "active": 1, "password_hash": .text(stolen)])
        }
        let refused = try w.syncAttacker()
        #expect(refused[admin] == 403 && refused["S201"] == 403, "\(refused)")
        #expect(try w.protected() == before, "head office's or C002's records changed")
        func hashes(_ dir: String, _ id: String) throws -> [String] {
            try w.c.sql(dir, "SELECT password_hash FROM staff WHERE id = '\(id)'", as: String.self)
        }
        let adminHash = try hashes(w.c.hubDir, admin)
        #expect(adminHash.count == 1 && PasswordHash.verify(TestLogin.password, against: adminHash[0]),
                "head office's administrator lost their password")
        #expect(!adminHash.contains { PasswordHash.verify("stolen-password", against: $0) },
                "the center's password logs in as head office's administrator")
        let q = try w.quarantine()
        #expect(q[admin]?.contains("center HQ") == true && q["S201"]?.contains("center C002") == true, "\(q)")
        // C002 still logs in with its own password after syncing again.
        #expect(try w.c.sync("C002").status == 0)
        #expect(try hashes(w.c002.dir, "S201").allSatisfy { PasswordHash.verify(TestLogin.password, against: $0) })
        #expect(try w.c.sql(w.c002.dir, "SELECT center FROM staff WHERE id = 'S201'", as: String.self) == ["C002"])
        // Shown where people look: the hub's status and the node's.
        let hubStatus = try w.c.run(["hub", "status", "--data", w.c.hubDir, "--json"], staff: "H001").out  // exit 1: a warning
        #expect(hubStatus.contains("record(s) refused") && hubStatus.contains("refused from a node of C001"), "\(hubStatus)")
        let nodeStatus = try w.c.run(["status", "--data", w.c001.dir, "--json"]).out
        #expect(nodeStatus.contains(admin) && nodeStatus.contains("center HQ"), "\(nodeStatus)")
    }

    @Test func aCenterCannotMoveOrDeleteAnotherCentersCustomer() throws {
        let w = try World()
        defer { w.c.shutDown(removeFiles: true) }
        let moved = try w.c.ok(["customer", "add", "--data", w.c002.dir, "--name", "李四", "--phone", "13912345678"], staff: "S201").trimmed
        #expect(try w.c.sync("C002").status == 0)
        let before = try w.protected()
        // Push C002's customers back claiming center C001: one as an edit, one as a tombstone.
        try w.tamper { tx in
            try tx.insert("customer", id: moved, ["center": "C001", "name": "李四（已迁走）", "phone": "13900000000"])
            try tx.insert("customer", id: w.c002Customer, ["center": "C001", "name": "张三丰"])
            try tx.delete("customer", id: w.c002Customer)
        }
        let refused = try w.syncAttacker()
        // Created apart under ids the hub holds for other records: id collisions (409),
        // checked before the authority rules (which refuse them too: another center's).
        #expect(refused[moved] == 409 && refused[w.c002Customer] == 409, "\(refused)")
        #expect(try w.protected() == before, "C002's customers changed at the hub")
        #expect(try w.c.sync("C002").status == 0)
        let names = try w.c.sql(w.c002.dir, "SELECT name FROM customer ORDER BY name", as: String.self)
        #expect(names == ["张三丰", "李四"], "\(names)")
        let q = try w.quarantine()
        #expect(q[moved]?.contains("id collision") == true, "\(q)")
    }

    @Test func aCenterCannotCreateHeadOfficeRolesOrApproveItsOwnGrant() throws {
        let w = try World()
        defer { w.c.shutDown(removeFiles: true) }
        let before = try w.protected()
        try w.tamper { tx in
            try tx.insert("staff", id: "Q99", ["center": "C001", "name": "自封品质", "role": "quality", "active": 1])
            try tx.insert("staff", id: "E99", ["center": "C001", "name": "自封领导", "role": "executive", "active": 1])
            try tx.insert("staff", id: "O99", ["center": "C001", "name": "自封营运", "role": "operations", "active": 1])
            try tx.insert("data_grant", id: "gr-forged", [
                "center": "C001", "fields": "[\"name\",\"phone\"]", "purpose": "自批", "grantee": "Q01",
                "valid_from": 0, "valid_to": 4_102_444_800_000 /* 2100-01-01: a time the record layer admits */, "applied_by": "S001", "applied_at": 0,
                "quality_by": "Q99", "quality_at": 1, "leadership_by": "E99", "leadership_at": 2, "revoked": 0,
            ])
            try tx.insert("data_grant", id: "gr-honest", [
                "center": "C001", "fields": "[\"name\"]", "purpose": "核查", "grantee": "Q01", "valid_from": 0,
                "valid_to": 4_102_444_800_000 /* 2100-01-01: a time the record layer admits */, "applied_by": "S001", "applied_at": 0, "revoked": 0,
            ])
        }
        var refused = try w.syncAttacker()
        #expect(refused["Q99"] == 403 && refused["E99"] == 403 && refused["O99"] == 403 && refused["gr-forged"] == 403, "\(refused)")
        #expect(refused["gr-honest"] == nil, "an honest application must go through")
        // Approving the honest application at the center afterwards is refused too.
        try w.tamper { tx in try tx.update("data_grant", id: "gr-honest", ["quality_by": "S001", "quality_at": 5]) }
        refused = try w.syncAttacker()
        #expect(refused["gr-honest"] == 403, "\(refused)")
        #expect(try w.c.sql(w.c.hubDir, "SELECT count(*) FROM _rep_staff WHERE id IN ('Q99', 'E99', 'O99')", as: Int.self) == [0])
        #expect(try w.c.sql(w.c.hubDir, "SELECT count(*) FROM _rep_data_grant WHERE id = 'gr-forged'", as: Int.self) == [0])
        #expect(try w.c.sql(w.c.hubDir, "SELECT count(*) FROM data_grant WHERE id = 'gr-honest' AND quality_by IS NULL AND leadership_by IS NULL",
                            as: Int.self) == [1], "the honest application arrived, unapproved")
        #expect(try w.protected() == before)
        let q = try w.quarantine()
        #expect(q["Q99"]?.contains("quality") == true && q["gr-forged"]?.contains("only head office") == true, "\(q)")
    }

    @Test func auditEntriesCannotBeRewrittenOrDeletedThroughSync() throws {
        let w = try World()
        defer { w.c.shutDown(removeFiles: true) }
        let nodeID = try w.c.nodeID("C001")
        let hub = try w.c.open(w.c.hubDir)
        let entries = try hub.allStates().filter { $0.table == "audit" && $0.id.hasPrefix(nodeID.rawValue) }
        let entry = try #require(entries.first, "the node's logins are audited")
        // The node's own key, frame by frame: PUSHes of its next positions carrying the entry
        // rewritten, then tombstoned (the engine refuses both locally, so they are forged).
        let next = entry.vector[nodeID] + 1_000
        let clock = Clock(dot: Dot(replica: nodeID, counter: next), hlc: HLCTimestamp(millis: UInt64(Date().timeIntervalSince1970 * 1000), logical: 0))
        var rewritten = entry
        rewritten.slots[3] = SlotState(values: [.text("nothing happened")], clock: clock)  // `action`
        rewritten.vector.raise(nodeID, to: next)
        var tombstone = entry
        tombstone.deletion = clock
        tombstone.vector.raise(nodeID, to: next)
        let keys = try KeyStore(DataDirectory(path: w.c001.dir)).load()
        let raw = try RawClient(endpoint: w.c.endpoint, hubKey: w.c.hubKey, keys: keys)
        defer { raw.close() }
        try raw.send(RawClient.hello(node: nodeID.rawValue, center: "C001", schemaVersion: DeskSchema.version))
        guard case .welcome(let welcome) = try raw.receive()?.kind else { Issue.record("no WELCOME"); return }
        for (i, forged) in [rewritten, tombstone].enumerated() {
            var push = Gatehouse_Sync_V1_Push()
            let from = welcome.committedPush + UInt64(i)
            push.changes = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: DeskSchema.version, origin: nodeID, fromSeq: from,
                                                                   toSeq: from + 1, records: [forged], isLast: true))
            try raw.send(SyncMessage(.push(push)))
            guard case .ack(let ack) = try raw.receive()?.kind else { Issue.record("no ACK"); return }
            #expect(ack.refused.map(\.id) == [entry.id] && ack.refused.allSatisfy { $0.code == 403 && $0.reason.contains("append-only") },
                    "\(ack.refused)")
        }
        raw.close()
        let after = try hub.allStates().filter { $0.table == "audit" && $0.id.hasPrefix(nodeID.rawValue) }
        #expect(after == entries, "audit entries changed at the hub")
        #expect(try w.c.run(["audit", "verify", "--data", w.c.hubDir], staff: "H001").status == 0)
    }

    @Test func wireIntegersThatTrappedTheHubAre400ToThatNodeAlone() throws {
        let w = try World()
        defer { w.c.shutDown(removeFiles: true) }
        let nodeID = try w.c.nodeID("C001")
        let keys = try KeyStore(DataDirectory(path: w.c001.dir)).load()
        let raw = try RawClient(endpoint: w.c.endpoint, hubKey: w.c.hubKey, keys: keys)
        defer { raw.close() }
        func welcome() throws {
            try raw.send(RawClient.hello(node: nodeID.rawValue, center: "C001", schemaVersion: DeskSchema.version))
            guard case .welcome = try raw.receive()?.kind else { Issue.record("no WELCOME"); return }
        }
        try welcome()
        var pull = Gatehouse_Sync_V1_Pull()
        pull.cursor = 1 << 63
        pull.creditBytes = 1 << 20
        pull.creditBatches = 1
        try raw.send(SyncMessage(.pull(pull)))
        #expect(try raw.errorCode() == .malformed, "PULL cursor 2^63")
        try welcome()
        pull.cursor = 0
        try raw.send(SyncMessage(.pull(pull)))
        var credit = Gatehouse_Sync_V1_Credit()
        credit.bytes = .max
        credit.batches = .max
        try raw.send(SyncMessage(.credit(credit)))
        var ping = Gatehouse_Sync_V1_Ping()
        ping.nonce = 9
        try raw.send(SyncMessage(.ping(ping)))
        var gotPong = false
        for _ in 0..<50 where !gotPong {
            guard let m = try raw.receive(within: 2000) else { break }
            if case .pong(let p) = m.kind { gotPong = p.nonce == 9 }
            if case .error(let e) = m.kind { Issue.record("CREDIT 2^64-1 got ERROR \(e.code): \(e.reason)") }
        }
        #expect(gotPong, "the session did not survive a CREDIT of 2^64-1 (clamped)")
        raw.close()
        #expect(w.c.hub?.isRunning == true, "the hub died")
        // Every other center goes on syncing.
        _ = try w.c.ok(["customer", "add", "--data", w.c002.dir, "--name", "王五", "--phone", "13712345678"], staff: "S201")
        #expect(try w.c.sync("C002").status == 0)
        try w.c.expectConverged("C002", hubRowsLoggedOnce: false)
    }

    @Test func aDemonstrationNodeIsRefusedByARealHubWithTheReasonShown() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        // A production hub (no --demo) beside the cluster's demonstration one.
        let realHub = c.root.appendingPathComponent("real-hub").path
        let port = Int.random(in: 20000...60000)
        let endpoint = "tcp://127.0.0.1:\(port)"
        let production = ["GATEHOUSE_NOW": ""]  // a production directory takes no business clock
        let realKey = try c.ok(["hub", "init", "--data", realHub, "--bind", endpoint], environment: production).trimmed
        let node = try c.addNode(center: "C001", enroll: false)
        try c.ok(["node", "connect", "--data", node.dir, "--hub", endpoint, "--hub-key=\(realKey)"])
        try c.ok(["hub", "enroll", "--data", realHub, "--center", "C001", "--key=\(node.key)"], environment: production)
        let hub = try c.spawn(["hub", "run", "--data", realHub, "--bind", endpoint, "--verbose"])
        #expect(hub.waitForLog("hub listening", timeout: .seconds(20)), "\(hub.stderr)")
        let r = try c.run(["sync", "--data", node.dir, "--timeout", "10"])
        #expect(r.status == 1 && r.err.contains("demonstration"), "\(r)")
        #expect(try eventually(within: .seconds(5)) {
            (try? c.run(["hub", "status", "--data", realHub, "--json"], environment: production).out.contains("demonstration")) == true
        }, "hub status does not say why the node was refused")
        let status = try c.run(["status", "--data", node.dir, "--json"]).out
        #expect(status.contains("refused") && status.contains("demonstration"), "\(status)")
        #expect(try c.sql(realHub, "SELECT count(*) FROM _rep_customer", as: Int.self) == [0])
        hub.signal(SIGTERM)
        _ = hub.waitExit(timeout: .seconds(5))
    }

    @Test func aNodeWhoseClockIsFarAheadIsRefusedAndShownNotAbsorbed() throws {
        let w = try World()
        defer { w.c.shutDown(removeFiles: true) }
        let hlcBefore = try w.c.open(w.c.hubDir).localClock().hlc
        // Root on the node writes with a clock a day ahead (a machine whose date is wrong).
        var o = Replica.Options()
        o.wallClock = { UInt64(Date().timeIntervalSince1970 * 1000) + 86_400_000 }
        let skewed = try Replica.open(at: DataDirectory(path: w.c001.dir).databasePath, schema: DeskSchema.schema, options: o)
        try skewed.write(author: "S001") { tx in _ = try tx.insert("customer", ["center": "C001", "name": "明天的客户"]) }
        let r = try w.c.run(["sync", "--data", w.c001.dir, "--timeout", "10"])
        #expect(r.status == 1 && r.err.contains("clock") && r.err.contains("ahead"), "\(r)")
        #expect(try w.c.open(w.c.hubDir).localClock().hlc == hlcBefore, "the hub's clock absorbed the node's")
        #expect(try w.c.sql(w.c.hubDir, "SELECT count(*) FROM customer WHERE name = '明天的客户'", as: Int.self) == [0])
        let status = try w.c.run(["status", "--data", w.c001.dir, "--json"]).out
        #expect(status.contains("clock"), "\(status)")
        // C002 is not held back by it.
        #expect(try w.c.sync("C002").status == 0)
    }
}
