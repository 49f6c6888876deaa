import Foundation
import ServiceDesk
import Testing

/// A head-office grant across a real hub and node: applied at the center, approved twice
/// at head office, in force only then and only for its period, revoked at the center and
/// ending at head office after the next sync; the audit trail travels too and verifies.
@Suite(.serialized) struct GrantSyncTests {
    @Test func aGrantIsAppliedApprovedUsedExpiredAndRevokedAcrossASync() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.ok(["staff", "add", "--data", node.dir, "--id", "M01", "--name", "陈经理", "--role", "manager"])
        try c.ok(["staff", "add", "--data", c.hubDir, "--id", "Q01", "--name", "品质周", "--role", "quality"], staff: "H001")
        try c.ok(["staff", "add", "--data", c.hubDir, "--id", "E01", "--name", "领导吴", "--role", "executive"], staff: "H001")
        let customer = try c.ok(["customer", "add", "--data", node.dir, "--name", "张三丰", "--phone", "13812345678", "--unit", "3栋2单元1101"]).trimmed

        // Only the center manager applies.
        let wrong = try c.run(["grant", "apply", "--data", node.dir, "--for", "Q01", "--purpose", "投诉核查", "--fields", "name,phone",
                               "--customers", customer, "--to", "2026-11-09"])
        #expect(wrong.status == 1 && wrong.err.contains("permission denied"))
        let grant = try c.ok(["grant", "apply", "--data", node.dir, "--for", "Q01", "--purpose", "投诉核查", "--fields", "name,phone",
                              "--customers", customer, "--to", "2026-11-09"], staff: "M01").trimmed
        try c.startHub()
        #expect(try c.sync("C001").status == 0)

        func seenByQ01(at now: String) throws -> String {
            try c.ok(["customer", "show", "--data", c.hubDir, customer, "--json", "--now", now], staff: "Q01").out
        }
        func clearViewsAtHub() throws -> [AuditEntry] {
            try Desk.open(DataDirectory(path: c.hubDir)).signedIn(as: "admin-HQ").auditEntries(AuditQuery(staff: "Q01", action: "view"))
        }
        #expect(try seenByQ01(at: "2026-11-02 10:00").contains("张**"), "masked before any approval")
        // Leadership cannot approve before quality; quality approves, then leadership.
        #expect(try c.run(["grant", "approve", "--data", c.hubDir, grant], staff: "E01").status == 1)
        try c.ok(["grant", "approve", "--data", c.hubDir, grant], staff: "Q01")
        #expect(try !seenByQ01(at: "2026-11-02 10:00").contains("13812345678"), "one approval is not enough")
        try c.ok(["grant", "approve", "--data", c.hubDir, grant], staff: "E01")
        #expect(try clearViewsAtHub().isEmpty)
        let clear = try seenByQ01(at: "2026-11-03 10:00")
        #expect(clear.contains("13812345678") && clear.contains("张三丰") && !clear.contains("3栋2单元1101"), "\(clear)")
        let views = try clearViewsAtHub()
        #expect(views.count == 1 && views[0].grant == grant && views[0].purpose == "投诉核查" && views[0].fields == ["name", "phone"])
        // It expires by itself.
        #expect(try !seenByQ01(at: "2026-11-10 00:00").contains("13812345678"))
        #expect(try clearViewsAtHub().count == 1)

        // The approvals reach the center; the center manager revokes there.
        #expect(try c.sync("C001").status == 0)
        #expect(try c.ok(["grant", "show", "--data", node.dir, grant, "--json", "--now", "2026-11-03 10:00"]).out.contains("\"active\""))
        try c.ok(["grant", "revoke", "--data", node.dir, grant, "--reason", "核查结束"], staff: "M01")
        #expect(try c.sync("C001").status == 0)
        #expect(try c.ok(["grant", "show", "--data", c.hubDir, grant, "--json"], staff: "Q01").out.contains("\"revoked\""))
        #expect(try !seenByQ01(at: "2026-11-03 11:00").contains("13812345678"), "revoked at the center: masked at head office")

        // Both nodes' audit trails are at head office, intact; the center's grant steps too.
        let steps = try c.ok(["audit", "--data", c.hubDir, "--center", "C001", "--json"], staff: "Q01").out
        #expect(steps.contains("grant-apply") && steps.contains("grant-revoke"))
        #expect(try c.run(["audit", "verify", "--data", c.hubDir], staff: "H001").status == 0)
        c.killHub()
    }
}
