import Foundation
import Replication
import ServiceDesk
import TestSupport
import Testing

/// The desk side of the trust boundary (issue 14) with real processes: a hub and a node
/// on loopback, a conflict on a customer's phone made by concurrent edits.
@Suite(.serialized) struct DeskBoundaryTests {
    /// A conflict on customer `id`'s phone: head office and the center each change it apart.
    func phoneConflict(_ c: Cluster) throws -> (node: Cluster.Node, customer: String, key: String) {
        let node = try c.addNode(center: "C001")
        try c.ok(["staff", "add", "--data", node.dir, "--id", "K01", "--name", "钱收款", "--role", "cashier"])
        try c.ok(["staff", "add", "--data", node.dir, "--id", "A02", "--name", "二号管理员", "--role", "admin"])
        let customer = try c.ok(["customer", "add", "--data", node.dir, "--name", "欧阳娜娜", "--phone", "13812345678", "--unit", "3栋2单元1101"])
            .out.trimmingCharacters(in: .whitespacesAndNewlines)
        try c.startHub()
        #expect(try c.sync("C001").status == 0)
        try c.ok(["customer", "update", "--data", c.hubDir, customer, "--phone", "13900001111"], staff: "H001")
        try c.ok(["customer", "update", "--data", node.dir, customer, "--phone", "13700002222"])
        #expect(try c.sync("C001").status == 0)
        #expect(try c.sync("C001").status == 0)
        c.killHub()
        let key = try #require(try c.open(node.dir).conflicts(openOnly: true).first { $0.recordID == customer && $0.entry.field == "phone" }?.key)
        return (node, customer, key)
    }

    @Test func conflictsNeedALoginShowValuesMaskedLikeTheRecordAndAreAudited() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let (node, customer, key) = try phoneConflict(c)

        // Nobody logged in: no list, no values.
        try c.ok(["logout", "--data", node.dir])
        for args in [["conflicts", "list", "--data", node.dir, "--all"], ["conflicts", "show", "--data", node.dir, key]] {
            let anon = try gatehouse(args, env: c.env(staff: ""), logDirectory: c.logs)
            #expect(anon.status == 1 && anon.err.contains("not logged in"), "\(args): \(anon)")
            #expect(!anon.out.contains("1390000") && !anon.out.contains("1370000"))
        }
        // The cashier sees both phones masked, exactly as in the customer record.
        let masked = try c.ok(["conflicts", "show", "--data", node.dir, key, "--json"], staff: "K01").out
        #expect(masked.contains("139****1111") && masked.contains("137****2222"), "\(masked)")
        #expect(!masked.contains("13900001111") && !masked.contains("13700002222"), "\(masked)")
        // The front desk sees them in clear, and that view is in the audit trail.
        let clear = try c.ok(["conflicts", "list", "--data", node.dir, "--json"], staff: "S001").out
        #expect(clear.contains("13900001111") && clear.contains("13700002222"), "\(clear)")
        let trail = try Desk.open(DataDirectory(path: node.dir)).signedIn(as: "admin-C001").auditEntries(AuditQuery(staff: "S001", action: "view"))
        #expect(trail.contains { $0.record == "customer/\(customer)" && $0.fields == ["phone"] && ($0.detail ?? "").contains("conflict") }, "\(trail)")
        #expect(try Desk.open(DataDirectory(path: node.dir)).signedIn(as: "admin-C001").auditEntries(AuditQuery(staff: "K01", action: "view")).isEmpty)

        // Resolving is a write of the field: the cashier may not edit customers, the desk may.
        let refused = try c.run(["conflicts", "resolve", "--data", node.dir, key, "--take-other"], staff: "K01")
        #expect(refused.status == 1 && refused.err.contains("permission denied: cashier may not edit customers"), "\(refused)")
        #expect(try c.open(node.dir).conflicts(openOnly: true).contains { $0.key == key })
        try c.ok(["conflicts", "resolve", "--data", node.dir, key, "--keep"], staff: "S001")
        #expect(try !c.open(node.dir).conflicts(openOnly: true).contains { $0.key == key })
    }

    @Test func aClerkCannotSettleAStaffRoleOrPasswordConflict() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.ok(["staff", "add", "--data", node.dir, "--id", "T01", "--name", "李师傅", "--role", "technician"])
        try c.startHub()
        #expect(try c.sync("C001").status == 0)
        // Head office and the center's administrator change T01's role apart.
        try c.ok(["staff", "update", "--data", c.hubDir, "T01", "--role", "supplier"], staff: "H001")
        try c.ok(["staff", "update", "--data", node.dir, "T01", "--role", "butler"])
        #expect(try c.sync("C001").status == 0)
        #expect(try c.sync("C001").status == 0)
        c.killHub()
        guard let key = try c.open(node.dir).conflicts(openOnly: false, reviewOnly: false).first(where: { $0.table == "staff" && $0.recordID == "T01" })?.key else {
            // Last-writer-wins on the role settles it without a review: nothing to resolve.
            return
        }
        let clerk = try c.run(["conflicts", "resolve", "--data", node.dir, key, "--value", "admin"], staff: "S001")
        #expect(clerk.status == 1 && clerk.err.contains("permission denied: front_desk may not manage staff"), "\(clerk)")
    }
}
