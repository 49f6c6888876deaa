import Foundation
import Replication
import ServiceDesk
import Testing

/// Issue 4, reliability tests 4 and 5: a tampered node pushes records of another center
/// (refused, logged, kept out, the rest applies, the node records the refusal); the same
/// request edited at head office and at the center while apart converges, with the
/// conflict recorded on both sides.
@Suite(.serialized) struct ScopeAndConflictTests {
    @Test func recordsOfAnotherCenterAreRefusedLoggedAndKeptOutWhileTheRestApplies() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.importCustomers("C001", count: 50, prefix: "本中心")
        // A tampered node writes straight through the replication API: in one transaction
        // (so in one pushed batch) a customer of C009, one claiming to be shared data, and
        // two of its own.
        let replica = try c.open(node.dir)
        let (foreign, shared, own) = try replica.write(author: "S001") { tx -> (String, String, [String]) in
            let f = try tx.insert("customer", ["center": .text("C009"), "name": .text("别的中心的客户"), "phone": .text("13900000009")])
            let s = try tx.insert("customer", ["center": .null, "name": .text("冒充共享数据"), "phone": .text("13900000010")])
            let o1 = try tx.insert("customer", ["center": .text("C001"), "name": .text("同批正常客户一"), "phone": .text("13900000011")])
            let o2 = try tx.insert("customer", ["center": .text("C001"), "name": .text("同批正常客户二"), "phone": .text("13900000012")])
            return (f, s, [o1, o2])
        }
        _ = try c.openTicket("C001", summary: "之后的正常报修")
        try c.startHub()

        let r = try c.sync("C001")
        #expect(r.status == 0, "a refusal must not block the sync: \(r)")
        let cur = try c.cursors("C001")
        #expect(cur.hubCommitted == cur.nodeHead, "the refused records must not stop the committed cursor")

        // Kept out.
        for id in [foreign, shared] {
            #expect(try c.sql(c.hubDir, "SELECT count(*) FROM _rep_customer WHERE id = '\(id)'", as: Int.self) == [0], "\(id) was applied at the hub")
        }
        // The rest of the batch, and what came after, applied.
        for id in own {
            #expect(try c.sql(c.hubDir, "SELECT count(*) FROM _rep_customer WHERE id = '\(id)'", as: Int.self) == [1], "\(id) was not applied")
        }
        // Logged at the hub: quarantine, event log, the node's refusal count.
        let quarantined = try c.sql(c.hubDir, "SELECT rid || ' ' || reason FROM _rep_quarantine", as: String.self)
        #expect(quarantined.count == 2, "\(quarantined)")
        #expect(quarantined.contains { $0.hasPrefix(foreign) && $0.contains("C009") }, "\(quarantined)")
        #expect(quarantined.contains { $0.hasPrefix(shared) }, "\(quarantined)")
        let events = try c.sql(c.hubDir, "SELECT detail FROM hub_log WHERE event = 'refused'", as: String.self)
        #expect(events.contains { $0.contains(foreign) } && events.contains { $0.contains(shared) }, "\(events)")
        #expect(try c.sql(c.hubDir, "SELECT refused_records FROM hub_node WHERE center = 'C001'", as: Int.self) == [2])
        // Shown at the node.
        let refusals = try c.sql(node.dir, "SELECT rid || ' ' || code FROM node_refusal", as: String.self)
        #expect(Set(refusals) == ["\(foreign) 403", "\(shared) 403"], "\(refusals)")

        // Everything else agrees, and syncing again neither re-sends nor re-refuses.
        let again = try c.sync("C001")
        #expect(again.status == 0, "\(again)")
        #expect(try c.sql(c.hubDir, "SELECT count(*) FROM _rep_quarantine", as: Int.self) == [2], "the refused records were sent again")
        c.killHub()
        let nodeStates = try c.states(node.dir, center: "C001").filter { $0.id != foreign && $0.id != shared }
        let hubStates = try c.states(c.hubDir, center: "C001")
        #expect(nodeStates == hubStates, "node \(Cluster.digest(nodeStates)) vs hub \(Cluster.digest(hubStates))")
        // Nothing of C009 anywhere at the hub.
        #expect(try c.open(c.hubDir).allStates(scope: .centers(["C009"])).filter { $0.table == "customer" && $0.id == foreign }.isEmpty)
    }

    /// Entries of `conflicts list --all --json` mentioning `id`, as raw JSON objects.
    func conflicts(_ c: Cluster, _ dir: String, staff: String, mentioning id: String) throws -> [[String: Any]] {
        let out = try c.ok(["conflicts", "list", "--data", dir, "--all", "--json"], staff: staff).out
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8))
        let list = (json as? [[String: Any]]) ?? ((json as? [String: Any])?.values.compactMap { $0 as? [[String: Any]] }.first ?? [])
        return list.filter { obj in
            obj.values.contains { ($0 as? String)?.contains(id) == true }
        }
    }

    @Test func theSameRequestEditedAtHeadOfficeAndAtTheCenterConvergesWithTheConflictOnBothSides() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        let ref = try c.openTicket("C001", summary: "楼道灯不亮")
        try c.startHub()
        #expect(try c.sync("C001").status == 0)
        let id = try c.sql(node.dir, "SELECT id FROM ticket WHERE number = '\(ref)'", as: String.self).first ?? ref

        // Apart: no sync. Head office rewrites the summary and escalates; the center writes
        // another summary.
        try c.ok(["ticket", "update", "--data", c.hubDir, ref, "--summary", "总部：楼道灯不亮，已报物业工程部"], staff: "H001")
        try c.ok(["ticket", "escalate", "--data", c.hubDir, ref, "--note", "业主多次投诉"], staff: "H001")
        try c.ok(["ticket", "update", "--data", node.dir, ref, "--summary", "中心：三楼楼道灯不亮，业主要求今天修好"])

        // Together again.
        let r = try c.sync("C001")
        #expect(r.status == 0, "\(r)")
        let second = try c.sync("C001")  // lets the hub's merged state come back, if it differs
        #expect(second.status == 0, "\(second)")
        c.killHub()

        let atHub = try c.open(c.hubDir).state("ticket", id: id)
        let atNode = try c.open(node.dir).state("ticket", id: id)
        #expect(atHub != nil && atHub == atNode, "the request did not converge:\nhub  \(String(describing: atHub))\nnode \(String(describing: atNode))")
        let hubRow = try c.sql(c.hubDir, "SELECT summary || ' | ' || escalated FROM ticket WHERE id = '\(id)'", as: String.self)
        let nodeRow = try c.sql(node.dir, "SELECT summary || ' | ' || escalated FROM ticket WHERE id = '\(id)'", as: String.self)
        #expect(hubRow == nodeRow && hubRow.first?.hasSuffix("| 1") == true, "hub \(hubRow) node \(nodeRow)")

        // The conflict is recorded on both sides, through the replication API…
        let hubConflicts = try c.open(c.hubDir).conflicts(openOnly: false).filter { $0.recordID == id && $0.entry.field == "summary" }
        let nodeConflicts = try c.open(node.dir).conflicts(openOnly: false).filter { $0.recordID == id && $0.entry.field == "summary" }
        #expect(hubConflicts.count == 1 && nodeConflicts.count == 1, "hub \(hubConflicts) node \(nodeConflicts)")
        #expect(hubConflicts.map(\.key) == nodeConflicts.map(\.key))
        // …and where staff look for it.
        #expect(try !conflicts(c, c.hubDir, staff: "H001", mentioning: id).isEmpty, "conflicts list at the hub does not show it")
        #expect(try !conflicts(c, node.dir, staff: "S001", mentioning: id).isEmpty, "conflicts list at the center does not show it")
        try c.expectConverged("C001", hubRowsLoggedOnce: false, "after the concurrent edits:")
    }
}
