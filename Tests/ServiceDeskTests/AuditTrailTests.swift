import Foundation
import GRDB
import Replication
@testable import ServiceDesk
import Testing

/// The audit trail over a real SQLite file: the per-node hash chain, queries, and
/// tampering with raw SQL (after dropping the write guard) found by `verifyAudit`.
@Suite struct AuditTrailTests {
    @Test func theChainHashIsSHA256OfTheNISTVectors() {
        #expect(AuditEntry.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(AuditEntry.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(AuditEntry.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // The long NIST vector: a million "a", many blocks.
        #expect(AuditEntry.digest(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(AuditEntry.digest("张三") != AuditEntry.digest("张四"))
    }

    @Test func entriesChainPerNodeAndAreQueried() throws {
        let t = try TestDesk()
        let c = try t.customer()
        try t.desk.recordAudit(AuditEvent(action: "view", staff: "S001", role: "front_desk", record: "customer/\(c)",
                                          fields: ["name", "phone"], at: Fixtures.at("2026-11-02 09:00")))
        try t.desk.recordAudit(AuditEvent(action: "login-failed", staff: nil, role: nil, detail: "user 不存在", at: Fixtures.at("2026-11-02 09:01")))
        try t.desk.recordAudit(AuditEvent(action: "export", staff: "M01", role: "center_manager", record: "customer/\(c)",
                                          fields: ["name"], grant: "gr-1", purpose: "回访核对", at: Fixtures.at("2026-11-03 10:00")))
        let all = try t.admin.auditEntries()
        #expect(all.map(\.seq) == [1, 2, 3])
        #expect(all[0].prev == "" && all[1].prev == all[0].hash && all[2].prev == all[1].hash)
        #expect(all.allSatisfy { $0.hash == $0.computedHash && $0.center == "C001" })
        #expect(all[1].staff == nil && all[1].detail == "user 不存在")
        #expect(all[2].fields == ["name"] && all[2].grant == "gr-1" && all[2].purpose == "回访核对")
        #expect(try t.admin.auditEntries(AuditQuery(staff: "M01")).map(\.seq) == [3])
        #expect(try t.admin.auditEntries(AuditQuery(customer: c)).map(\.seq) == [1, 3])
        #expect(try t.admin.auditEntries(AuditQuery(from: Fixtures.at("2026-11-03 00:00"))).map(\.seq) == [3])
        #expect(try t.admin.auditEntries(AuditQuery(to: Fixtures.at("2026-11-03 00:00"))).map(\.seq) == [1, 2])
        #expect(try t.admin.auditEntries(AuditQuery(center: "C002")).isEmpty)
        #expect(try t.desk.verifyAudit().intact)
    }

    @Test func anEditedOrRemovedEntryIsFound() throws {
        let t = try TestDesk()
        for i in 1...4 {
            try t.desk.recordAudit(AuditEvent(action: "view", staff: "S001", role: "front_desk", record: "customer/cu-\(i)",
                                              fields: ["phone"], at: Fixtures.at("2026-11-02 09:0\(i)")))
        }
        let entries = try t.admin.auditEntries()
        #expect(try t.desk.verifyAudit().intact)
        let db = try DatabaseQueue(path: t.desk.directory.databasePath)
        // The write guard refuses raw writes.
        #expect(throws: (any Error).self) { try db.write { try $0.execute(sql: "UPDATE _rep_audit SET staff = 'X' WHERE seq = 2") } }
        try db.write { d in
            try d.execute(sql: "DROP TRIGGER _rep_guard_audit_update")
            try d.execute(sql: "DROP TRIGGER _rep_guard_audit_delete")
            try d.execute(sql: "UPDATE _rep_audit SET staff = 'S999' WHERE seq = 2")
        }
        var v = try t.desk.verifyAudit()
        #expect(v.problems.map(\.entry) == [entries[1].id])
        #expect(v.problems.first?.problem.contains("edited") == true)
        try db.write { d in try d.execute(sql: "UPDATE _rep_audit SET staff = 'S001' WHERE seq = 2") }
        #expect(try t.desk.verifyAudit().intact)
        try db.write { d in try d.execute(sql: "DELETE FROM _rep_audit WHERE seq = 3") }
        v = try t.desk.verifyAudit()
        #expect(v.problems.count == 1 && v.problems[0].seq == 3 && v.problems[0].entry == nil)
        try db.close()
    }
}
