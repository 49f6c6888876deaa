import Foundation
import Testing

/// A replacement node for an enrolled center takes its center's snapshot from the hub and
/// carries on: the day's request numbers continue where the old node stopped.
@Suite(.serialized) struct BootstrapTests {
    @Test func aReplacementNodeContinuesTicketNumbering() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let old = try c.addNode(center: "C001")
        let now = ["--now", "2026-11-23 10:00"]
        var numbers: [String] = []
        for s in ["门禁故障", "水管漏水", "电梯异响"] {
            numbers.append(try c.ok(["ticket", "open", "--data", old.dir, "--kind", "repair", "--summary", s] + now).trimmed)
        }
        #expect(numbers == ["C001-261123-001", "C001-261123-002", "C001-261123-003"])
        try c.startHub()
        #expect(try c.sync("C001").status == 0)

        // The old machine is gone; a new node for C001 is enrolled and bootstraps.
        let replacement = try c.addNode(center: "C001", as: "C001-new", addStaff: false)
        #expect(try c.sync("C001-new").status == 0)
        let listed = try c.ok(["ticket", "list", "--data", replacement.dir, "--json"]).out
        for n in numbers { #expect(listed.contains(n)) }
        // Its staff directory came along too, so the front desk can act at once.
        let next = try c.ok(["ticket", "open", "--data", replacement.dir, "--kind", "complaint", "--summary", "噪音扰民"] + now).trimmed
        #expect(next == "C001-261123-004")
        #expect(try c.sync("C001-new").status == 0)
        let atHub = try c.ok(["ticket", "list", "--data", c.hubDir, "--center", "C001", "--json"], staff: "H001").out
        for n in numbers + [next] { #expect(atHub.contains(n)) }
    }
}
