import Foundation
import GRDB
import Replication
import ServiceDesk
import TestSupport
import Testing

/// Issue 14, "Audit trail anchored at head office", with real processes: a center's audit
/// entries reach the hub with `gatehouse sync`; afterwards root on either machine edits
/// the SQLite file by hand — rewriting an entry and recomputing every hash after it, or
/// cutting off the newest entries, which the hash chain alone cannot show — and
/// `gatehouse audit verify` there exits 1 naming the entry.
@Suite(.serialized) struct AuditAnchorTests {
    /// Opens a data directory's database the way root would: no engine, its write guard dropped.
    static func tamper(_ dir: String, _ body: (Database) throws -> Void) throws {
        let db = try DatabaseQueue(path: DataDirectory(path: dir).databasePath)
        try db.write { d in
            try d.execute(sql: "DROP TRIGGER IF EXISTS _rep_guard_audit_update; DROP TRIGGER IF EXISTS _rep_guard_audit_delete")
            try body(d)
        }
        try db.close()
    }

    /// A node's chain as stored, oldest first.
    static func chain(_ dir: String, node: String) throws -> [AuditEntry] {
        // The desk reads the trail only for someone signed in who may (the center's administrator).
        let desk = try Desk.open(DataDirectory(path: dir)).signedIn(as: "admin-C001")
        return try desk.auditEntries(AuditQuery(limit: 100_000)).filter { $0.node == node }.sorted { $0.seq < $1.seq }
    }

    static func acknowledgedHead(_ c: Cluster, _ dir: String, node: String) throws -> Int {
        try c.sql(dir, "SELECT coalesce(max(seq), 0) FROM _audit_acknowledged WHERE node = '\(node)'", as: Int.self).first ?? 0
    }

    @Test func anEntryRewrittenOrRemovedAfterItReachedTheHubIsNamedByAuditVerify() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let n = try c.addNode(center: "C001")
        let customer = try c.ok(["customer", "add", "--data", n.dir, "--name", "张三", "--phone", "13812345678",
                                 "--unit", "3栋2单元1101"]).trimmed
        for _ in 0..<3 { try c.ok(["customer", "show", customer, "--data", n.dir]) }
        try c.startHub()
        #expect(try c.sync("C001").status == 0)
        let node = try c.nodeID("C001").rawValue
        let reached = try Self.chain(n.dir, node: node)
        #expect(reached.filter { $0.action == "view" }.count >= 3, "clear views are audited: \(reached.map(\.action))")

        // Both sides recorded the head of the node's chain that reached the hub.
        let head = try Self.acknowledgedHead(c, n.dir, node: node)
        #expect(head == reached.last?.seq && head > 0)
        #expect(try Self.acknowledgedHead(c, c.hubDir, node: node) == head)
        #expect(try c.run(["audit", "verify", "--data", n.dir], staff: TestLogin.admin).status == 0)

        // Rewrite the first clear view ("nobody looked") and recompute every hash after it:
        // the chain alone is consistent again.
        let view = try #require(reached.first { $0.action == "view" })
        let all = try Self.chain(n.dir, node: node)
        try Self.tamper(n.dir) { db in
            var prev = all.first { $0.seq == view.seq - 1 }?.hash ?? ""
            for var e in all where e.seq >= view.seq {
                if e.id == view.id {
                    e.action = "login"
                    e.fields = []
                    e.record = nil
                    try db.execute(sql: "UPDATE _rep_audit SET action = 'login', fields = '[]', record = NULL WHERE id = ?", arguments: [e.id])
                }
                e.prev = prev
                e.hash = e.computedHash
                prev = e.hash
                try db.execute(sql: "UPDATE _rep_audit SET prev = ?, hash = ? WHERE id = ?", arguments: [e.prev, e.hash, e.id])
            }
        }
        var r = try c.run(["audit", "verify", "--data", n.dir], staff: TestLogin.admin)
        #expect(r.status == 1, "\(r)")
        #expect(r.err.contains("\(view.id): rewritten after head office acknowledged it"), "\(r.err)")

        // Cut off the chain from its acknowledged head: nothing after it to show a gap.
        try Self.tamper(n.dir) { db in
            try db.execute(sql: "DELETE FROM _rep_audit WHERE node = ? AND seq >= ?", arguments: [node, head])
        }
        r = try c.run(["audit", "verify", "--data", n.dir], staff: TestLogin.admin)
        let headID = "\(node)-\(String(format: "%08d", head))"
        #expect(r.status == 1 && r.err.contains("\(headID): removed after head office acknowledged it"), "\(r)")

        // The hub's copy is untouched and intact; the same cut made there is found there too.
        #expect(try c.run(["audit", "verify", "--data", c.hubDir], staff: "H001").status == 0)
        c.killHub()
        try Self.tamper(c.hubDir) { db in
            try db.execute(sql: "DELETE FROM _rep_audit WHERE node = ? AND seq = ?", arguments: [node, head])
        }
        r = try c.run(["audit", "verify", "--data", c.hubDir], staff: "H001")
        #expect(r.status == 1 && r.err.contains("\(headID): removed after head office acknowledged it"), "\(r)")
    }
}
