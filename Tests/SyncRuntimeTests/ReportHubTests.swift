import Foundation
import ServiceDesk
import Testing

/// `gatehouse report` at head office after a real sync over loopback: the synced center's
/// figures with its last sync time, and a center that never synced flagged, not read as
/// "no complaints".
@Suite(.serialized) struct ReportHubTests {
    @Test func theHubReportsEveryCenterAsOfItsLastSync() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let n1 = try c.addNode(center: "C001")
        try c.addNode(center: "C002")   // enrolled, never synced
        let customer = try c.ok(["customer", "add", "--data", n1.dir, "--name", "张三", "--phone", "13812345678", "--unit", "3栋2单元1101"]).trimmed
        try c.ok(["ticket", "open", "--data", n1.dir, "--kind", "complaint", "--class", "1", "--severity", "general",
                  "--summary", "噪音", "--customer", customer])
        try c.ok(["ticket", "open", "--data", n1.dir, "--kind", "repair", "--channel", "wechat", "--summary", "漏水", "--customer", customer])
        try c.startHub()
        #expect(try c.sync("C001").status == 0)

        let json = try c.ok(["report", "monthly", "--data", c.hubDir, "--month", "2026-11", "--format", "json"]).out
        let o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(o["atHub"] as? Bool == true)
        let rows = o["rows"] as! [[String: Any]]
        #expect(rows.map { $0["center"] as? String } == ["C001", "C002", "ALL"])
        #expect(rows[0]["freshness"] as? String == "synced" && rows[0]["lastSyncAt"] is String)
        #expect(rows[1]["freshness"] as? String == "never_synced" && rows[1]["lastSyncAt"] == nil)
        #expect(o["incompleteCenters"] as? [String] == ["C002"])
        let m = rows[0]["current"] as! [String: Any]
        #expect(m["requests"] as? Int == 2 && m["complaints"] as? Int == 1 && m["openComplaintsNow"] as? Int == 1)
        #expect((rows[2]["current"] as! [String: Any])["requests"] as? Int == 2)
        for personal in ["张三", "13812345678", "3栋2单元1101", customer] { #expect(!json.contains(personal)) }

        let table = try c.ok(["report", "monthly", "--data", c.hubDir, "--month", "2026-11"]).out
        #expect(table.contains("注意：C002 从未同步") && table.contains("总部汇总"))
        let one = try c.ok(["report", "monthly", "--data", c.hubDir, "--month", "2026-11", "--center", "C002", "--format", "csv"]).out
        #expect(one.contains("C002,,never_synced,requests,") && !one.contains("C001,"))
        let bad = try c.run(["report", "monthly", "--data", c.hubDir, "--month", "2026-11", "--center", "C009"])
        #expect(bad.status == 1 && bad.err.hasPrefix("error: no center C009 at this hub"))
    }
}
