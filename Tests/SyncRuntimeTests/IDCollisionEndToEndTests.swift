import Foundation
import Replication
import ServiceDesk
import Testing

/// Ids made before schema 3 carry no replica part, so two replicas may have made the same
/// one apart. Through a real hub and two real nodes: the record held is kept, the other is
/// refused per record with 409 and quarantined (SPEC §9), never merged into it, and
/// everything else syncs.
@Suite(.serialized) struct IDCollisionEndToEndTests {
    @Test func twoRecordsUnderOneOldIDAreRefusedWith409NotMerged() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let n1 = try c.addNode(center: "C001")
        let n2 = try c.addNode(center: "C002")
        let crossCenter = "cu-0k5v2mcq3n1xz"  // made at C001 and at C002
        let sameCenter = "cu-0k5v2mcq3n1yy"   // made at head office for C001, and at C001
        try c.open(n1.dir).write(author: "S001") { tx in
            _ = try tx.insert("customer", id: crossCenter, ["center": "C001", "name": "一中心张三"])
            _ = try tx.insert("customer", id: sameCenter, ["center": "C001", "name": "中心建的李四"])
        }
        try c.open(n2.dir).write(author: "S001") { tx in
            _ = try tx.insert("customer", id: crossCenter, ["center": "C002", "name": "二中心王五"])
        }
        try c.open(c.hubDir).write(author: "H001") { tx in
            _ = try tx.insert("customer", id: sameCenter, ["center": "C001", "name": "总部建的赵六"])
        }
        let n1Before = try c.open(n1.dir).state("customer", id: sameCenter)
        let n2Before = try c.open(n2.dir).state("customer", id: crossCenter)
        let hubBefore = try c.open(c.hubDir).state("customer", id: sameCenter)
        try c.startHub()
        for center in ["C001", "C002", "C001"] {
            let r = try c.sync(center)
            #expect(r.status == 0, "a collision must not block the sync: \(r)")
        }
        c.killHub()

        let hub = try c.open(c.hubDir)
        // The hub kept C001's record (it came first) and its own: nothing merged into them.
        let held = try #require(try hub.state("customer", id: crossCenter))
        #expect(held.slots.allSatisfy { $0.siblings.isEmpty } && held.history.isEmpty)
        #expect(try c.sql(c.hubDir, "SELECT center || name FROM customer WHERE id = '\(crossCenter)'", as: String.self) == ["C001一中心张三"])
        #expect(try hub.state("customer", id: sameCenter) == hubBefore)
        // Each node was told 409 for its record (both nodes' staff S001 meet at the hub too,
        // refused with 403 as another center's staff: not what is tested here), and still has it as it was.
        #expect(try c.sql(n2.dir, "SELECT rid || ' ' || code FROM node_refusal WHERE tbl = 'customer'", as: String.self) == ["\(crossCenter) 409"])
        #expect(try c.sql(n1.dir, "SELECT rid || ' ' || code FROM node_refusal WHERE tbl = 'customer'", as: String.self) == ["\(sameCenter) 409"])
        #expect(try c.open(n2.dir).state("customer", id: crossCenter) == n2Before)
        // C001's node quarantined head office's record under its id, and kept its own.
        #expect(try c.open(n1.dir).state("customer", id: sameCenter) == n1Before)
        let q = try c.sql(n1.dir, "SELECT rid || ' ' || reason FROM _rep_quarantine", as: String.self)
        #expect(q.count == 1 && q[0].hasPrefix(sameCenter) && q[0].contains("id collision"), "\(q)")
        let hq = try c.sql(c.hubDir, "SELECT rid FROM _rep_quarantine WHERE tbl = 'customer' ORDER BY rid", as: String.self)
        #expect(hq == [crossCenter, sameCenter], "\(hq)")
        // Everything else agrees.
        let nodeStates = try c.states(n1.dir, center: "C001").filter { $0.id != sameCenter }
        let hubStates = try c.states(c.hubDir, center: "C001").filter { $0.id != sameCenter }
        #expect(nodeStates == hubStates, "node \(Cluster.digest(nodeStates)) vs hub \(Cluster.digest(hubStates))")
    }
}
