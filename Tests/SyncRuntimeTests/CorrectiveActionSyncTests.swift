import Foundation
import ServiceDesk
import Testing

/// 001 P7.9-8 4.4.2 across the real sync: the center manager records a corrective action
/// at the center, the quality department approves it at head office (only there: the schema
/// lets only head office write the decision), the center carries it out, and the quarterly
/// report at head office lists it with its state.
@Suite(.serialized) struct CorrectiveActionSyncTests {
    @Test func theCenterRecordsQualityApprovesAtHeadOfficeAndTheQuarterListsIt() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let n1 = try c.addNode(center: "C001")
        try c.ok(["staff", "add", "--data", n1.dir, "--id", "M01", "--name", "陈经理", "--role", "manager"])
        try c.ok(["staff", "add", "--data", c.hubDir, "--id", "Q01", "--name", "品质部", "--role", "quality"], staff: "H001")
        let id = try c.ok(["corrective", "add", "--data", n1.dir, "--quarter", "2026-Q4", "--finding", "日回访当日完成率 1/9",
                           "--action", "前台每日17:00前完成当日回访"], staff: "M01").trimmed
        // The center cannot approve its own action, whoever asks.
        let self_ = try c.run(["corrective", "approve", "--data", n1.dir, id], staff: "M01")
        #expect(self_.status == 1 && self_.err.contains("permission denied: center_manager may not approve corrective actions"))

        try c.startHub()
        #expect(try c.sync("C001").status == 0)
        let proposed = try c.ok(["report", "quarterly", "--data", c.hubDir, "--quarter", "2026-Q4", "--format", "csv"], staff: "H001").out
        #expect(proposed.contains("corrective_action.\(id)") && proposed.contains("待审批"))
        // Operations may read, not decide; quality decides, once.
        let ops = try c.run(["corrective", "approve", "--data", c.hubDir, id], staff: "H001")
        #expect(ops.status == 1 && ops.err.contains("permission denied: operations may not approve corrective actions"))
        try c.ok(["corrective", "approve", "--data", c.hubDir, id, "--note", "同意，月底复查"], staff: "Q01")
        let twice = try c.run(["corrective", "reject", "--data", c.hubDir, id, "--note", "x"], staff: "Q01")
        #expect(twice.status == 1 && twice.err.contains("already"))

        // The approval reaches the center, which carries the action out.
        #expect(try c.sync("C001").status == 0)
        try c.ok(["corrective", "done", "--data", n1.dir, id, "--note", "已执行两周"], staff: "M01")
        #expect(try c.sync("C001").status == 0)
        let list = try c.ok(["corrective", "list", "--data", c.hubDir, "--quarter", "2026-Q4", "--json"], staff: "H001").out
        let actions = try JSONSerialization.jsonObject(with: Data(list.utf8)) as! [[String: Any]]
        #expect(actions.count == 1 && actions[0]["decidedBy"] as? String == "Q01" && actions[0]["doneBy"] as? String == "M01")
        let done = try c.ok(["report", "quarterly", "--data", c.hubDir, "--quarter", "2026-Q4", "--format", "csv"], staff: "H001").out
        #expect(done.contains("corrective_action.\(id)") && done.contains("已完成"))
    }
}
