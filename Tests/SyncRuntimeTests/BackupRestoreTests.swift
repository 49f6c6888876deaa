import Foundation
import GRDB
import Replication
import ServiceDesk
import TestSupport
import Testing

/// Issue 17: backup and restore that lose nothing. Real processes (`hub run`, `node run`,
/// `sync`, `backup`, `restore`), real databases, every record compared at the end.
@Suite(.serialized) struct BackupRestoreTests {
    /// The notes of a request at a replica, in order of writing.
    static func notes(_ c: Cluster, _ dir: String) throws -> [String] {
        try c.sql(dir, "SELECT detail FROM ticket_event WHERE action = 'note' ORDER BY at, detail", as: String.self)
    }

    static func customers(_ c: Cluster, _ dir: String) throws -> Set<String> {
        Set(try c.sql(dir, "SELECT name FROM customer", as: String.self))
    }

    /// The scenario, widened: writes at the hub and at two centers before and after
    /// the hub's backup (taken while `hub run` serves), the hub restored, then more writes.
    /// The centers had pulled the hub's later notes, so they come back; the centers' own
    /// later writes come back from their logs; every record ends equal on both sides.
    @Test func aRestoredHubGetsBackWhatItsCentersHold() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let n1 = try c.addNode(center: "C001")
        // Staff ids are one directory shared with head office: C002's desk is S201.
        let n2 = try c.addNode(center: "C002", addStaff: false)
        try c.ok(["staff", "add", "--data", n2.dir, "--id", "S201", "--name", "李", "--role", "front-desk"])
        try c.startHub()
        try c.ok(["customer", "add", "--data", n1.dir, "--name", "张一", "--phone", "13800000001", "--unit", "1栋1单元101"])
        let ticket = try c.openTicket("C001", summary: "厨房水管漏水")
        try c.ok(["customer", "add", "--data", n2.dir, "--name", "李二", "--phone", "13800000002", "--unit", "2栋1单元202"], staff: "S201")
        _ = try c.sync("C001")
        _ = try c.sync("C002")
        try c.ok(["ticket", "note", "--data", c.hubDir, ticket, "总部：备份前的备注"], staff: "H001")
        _ = try c.sync("C001")

        // The backup, while the hub runs and a center keeps syncing.
        let file = c.root.appendingPathComponent("hub-backup.sqlite").path
        let backup = try c.ok(["backup", "--data", c.hubDir, "--output", file])
        #expect(backup.out.contains("backed up hub HQ"), "\(backup)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try c.run(["backup", "--data", c.hubDir, "--output", file])
        #expect(again.status == 1 && again.err.contains("already exists"), "\(again)")

        // After the backup: three notes at the hub, pulled by C001; writes at both centers.
        for i in 1...3 { try c.ok(["ticket", "note", "--data", c.hubDir, ticket, "总部：备份后的备注\(i)"], staff: "H001") }
        try c.ok(["customer", "add", "--data", n1.dir, "--name", "张三", "--phone", "13800000003", "--unit", "1栋1单元103"])
        try c.ok(["customer", "add", "--data", n2.dir, "--name", "李四", "--phone", "13800000004", "--unit", "2栋1单元204"], staff: "S201")
        _ = try c.sync("C001")
        _ = try c.sync("C002")
        #expect(try Self.notes(c, n1.dir).count == 4)

        // A running hub is not overwritten.
        let refused = try c.run(["restore", "--data", c.hubDir, file])
        #expect(refused.status == 1 && refused.err.contains("in use by process"), "\(refused)")
        c.killHub()
        let oldID = try DataDirectory(path: c.hubDir).loadConfig().replicaID
        let oldEpoch = try c.sql(c.hubDir, "SELECT epoch FROM hub_meta", as: Int64.self)
        let restored = try c.ok(["restore", "--data", c.hubDir, file])
        #expect(restored.out.contains("new hub epoch"), "\(restored)")
        #expect(try Self.notes(c, c.hubDir).count == 1, "the restored hub has only the note before the backup")
        #expect(try DataDirectory(path: c.hubDir).loadConfig().replicaID != oldID, "a restored hub writes under a new id")
        #expect(try c.sql(c.hubDir, "SELECT epoch FROM hub_meta", as: Int64.self) != oldEpoch, "a restored hub starts a new epoch")

        // The last step: another note at the restored hub; then the centers sync.
        try c.startHub()
        try c.ok(["ticket", "note", "--data", c.hubDir, ticket, "总部：恢复后的备注"], staff: "H001")
        try c.ok(["customer", "add", "--data", n1.dir, "--name", "张五", "--phone", "13800000005", "--unit", "1栋1单元105"])
        for _ in 0..<2 {
            _ = try c.sync("C001")
            _ = try c.sync("C002")
        }
        let expectedNotes = ["总部：备份前的备注", "总部：备份后的备注1", "总部：备份后的备注2", "总部：备份后的备注3", "总部：恢复后的备注"]
        #expect(try Self.notes(c, c.hubDir).sorted() == expectedNotes.sorted(), "the hub got the three notes back from C001")
        #expect(try Self.notes(c, n1.dir).sorted() == expectedNotes.sorted(), "C001 got the new note")
        #expect(try Self.customers(c, c.hubDir) == ["张一", "张三", "张五", "李二", "李四"])
        c.killHub()
        try c.expectConverged("C001", hubRowsLoggedOnce: false, "C001 after the hub's restore:")
        try c.expectConverged("C002", hubRowsLoggedOnce: false, "C002 after the hub's restore:")
        let status = try c.run(["hub", "status", "--data", c.hubDir])
        #expect(!status.out.contains("quarantine"), "\(status)")
    }

    /// A node restored from a backup taken while its daemon ran: it keeps its identity and
    /// administrator, gets back from the hub what it wrote after the backup, never reuses
    /// its counters, and converges record by record.
    @Test func aRestoredNodeKeepsItsIdentityAndGetsItsWritesBack() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let n = try c.addNode(center: "C001")
        try c.startHub()
        try c.ok(["customer", "add", "--data", n.dir, "--name", "王一", "--phone", "13900000001", "--unit", "1栋1单元101"])
        let ticket = try c.openTicket("C001", summary: "门禁卡失效")
        _ = try c.sync("C001")

        let daemon = try c.spawn(["node", "run", "--data", n.dir, "--verbose"])
        #expect(daemon.waitForLog("connected to hub", timeout: .seconds(30)), "\(daemon.stderr)")
        let file = c.root.appendingPathComponent("node-backup.sqlite").path
        try c.ok(["backup", "--data", n.dir, "--output", file])

        // After the backup: node writes (synced by the daemon), a hub note.
        try c.ok(["customer", "add", "--data", n.dir, "--name", "王二", "--phone", "13900000002", "--unit", "1栋1单元102"])
        try c.ok(["ticket", "note", "--data", n.dir, ticket, "中心：备份后的备注"])
        try c.ok(["ticket", "note", "--data", c.hubDir, ticket, "总部：备份后的备注"], staff: "H001")
        _ = try c.sync("C001")
        let refused = try c.run(["restore", "--data", n.dir, file])
        #expect(refused.status == 1 && refused.err.contains("in use by process"), "\(refused)")
        daemon.kill()

        let before = try c.open(n.dir).localClock()
        let id = try c.nodeID("C001")
        try c.ok(["restore", "--data", n.dir, file])
        #expect(try c.nodeID("C001") == id, "a restored node keeps its replica id")
        #expect(try Self.customers(c, n.dir) == ["王一"], "the restored database is the backup's")
        let after = try c.open(n.dir).localClock()
        #expect(after.counter > before.counter && after.sequence > before.sequence, "a restored node never reuses a counter or a log position")

        // The old administrator's password still works; no second administrator.
        let login = try gatehouse(["login", "--data", n.dir, "--user", "admin-C001", "--password-stdin"],
                                  stdin: TestLogin.password + "\n", logDirectory: c.logs)
        #expect(login.status == 0, "\(login)")
        let admins = try c.sql(n.dir, "SELECT count(*) FROM staff WHERE id LIKE 'admin-%'", as: Int.self)
        #expect(admins == [1])

        try c.ok(["customer", "add", "--data", n.dir, "--name", "王三", "--phone", "13900000003", "--unit", "1栋1单元103"])
        _ = try c.sync("C001")
        _ = try c.sync("C001")
        #expect(try Self.customers(c, n.dir) == ["王一", "王二", "王三"])
        #expect(try Self.notes(c, n.dir).sorted() == ["中心：备份后的备注", "总部：备份后的备注"].sorted())
        c.killHub()
        try c.expectConverged("C001", hubRowsLoggedOnce: false, "after the node's restore:")
        // (WARNING only because no daemon runs here.)
        let status = try c.run(["status", "--data", n.dir])
        #expect(status.out.contains("waiting     0 change") && status.out.contains("refused     none")
                && status.out.contains("conflicts   0 open"), "\(status)")
    }

    /// Bad input: not a backup, a backup of another center, a missing file; nothing changes.
    @Test func restoreRefusesWhatIsNotItsBackup() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let n1 = try c.addNode(center: "C001")
        let n2 = try c.addNode(center: "C002")
        let file = c.root.appendingPathComponent("c002.sqlite").path
        try c.ok(["backup", "--data", n2.dir, "--output", file])
        let other = try c.run(["restore", "--data", n1.dir, file])
        #expect(other.status == 1 && other.err.contains("center C002"), "\(other)")
        let junk = c.root.appendingPathComponent("junk.sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        let bad = try c.run(["restore", "--data", n1.dir, junk])
        #expect(bad.status == 1 && bad.err.contains("not a gatehouse backup"), "\(bad)")
        let missing = try c.run(["restore", "--data", n1.dir, c.root.appendingPathComponent("nope").path])
        #expect(missing.status == 1, "\(missing)")
        #expect(try Self.customers(c, n1.dir).isEmpty)

        // Onto a rebuilt machine: an empty directory gets the database, configuration and keys.
        let fresh = c.root.appendingPathComponent("rebuilt").path
        let r = try c.ok(["restore", "--data", fresh, file])
        #expect(r.out.contains("gatehouse.json") && r.out.contains("keys/curve.secret"), "\(r)")
        #expect(try DataDirectory(path: fresh).loadConfig().replicaID == DataDirectory(path: n2.dir).loadConfig().replicaID)
        #expect(FileManager.default.contents(atPath: fresh + "/keys/curve.secret") == FileManager.default.contents(atPath: n2.dir + "/keys/curve.secret"))
    }
}
