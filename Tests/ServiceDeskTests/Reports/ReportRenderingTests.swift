import Foundation
import ServiceDesk
import Testing

@Suite struct ReportRenderingTests {
    let report = try! Report.build(ReportFixture.input(.month(try! YearMonth("2026-10"))))
    /// Customer record ids and units of the fixture: none may appear in any output.
    let personal = ["cu-1", "cu-3", "cu-7", "cx-1", "U-1", "U-9", "U-11"]

    @Test func tableShowsBothPeriodsAndFlagsIncompleteCenters() {
        let t = ReportText.table(report)
        #expect(t.contains("月度报表 2026-10（上期 2026-09）"))
        #expect(t.contains("注意：C003 从未同步"))
        #expect(t.contains("注意：C002 同步过期"))
        #expect(t.contains("3/4 (75.0 %)"))
        // The programmes as a table of their own, with the seed clause.
        #expect(t.contains("回访方案完成情况（2026-10，目标 100 %）") && t.contains("001 回访操作指引 1"))
        #expect(t.contains("T01 李师傅（1）"))
        for p in personal { #expect(!t.contains(p), "\(p) leaked into the table") }
        // CJK-aligned: every row of a block is as wide as its header line.
        let block = t.components(separatedBy: "== C001")[1].split(separator: "\n").dropFirst().prefix(5).map(String.init)
        #expect(Set(block.map { DisplayWidth.of($0.trimmingTrailingSpaces) }).count <= 2)
    }

    @Test func csvHasOneLinePerMeasureWithPlainNumbers() throws {
        let csv = ReportText.csv(report)
        #expect(csv.hasPrefix("\u{FEFF}center,as_of,freshness,measure,指标,"))
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines.contains { $0 == "C001,2026-11-01 20:00,synced,callbacks.rate,回访率（目标≥60 %）,2026-10,3/4 (75.0 %),75,2026-09,0/0 (—)," })
        #expect(lines.contains { $0.hasPrefix("C001,2026-11-01 20:00,synced,programme.monthly_plan.completion,月度回访计划·完成率（目标100 %）,2026-10,5/6 (83.3 %),83.3,") })
        #expect(lines.contains { $0.hasPrefix("C001,2026-11-01 20:00,synced,exceptions.compensation,赔偿金额,2026-10,¥50.00,50,") })
        #expect(lines.contains { $0.hasPrefix("C003,,never_synced,requests,受理请求,2026-10,0,0,") })
        #expect(lines.contains { $0.hasPrefix("ALL,,all,handling.working.p90,") && $0.contains(",12.0 h,12,") })
        for p in personal { #expect(!csv.contains(p)) }
    }

    @Test func jsonCarriesRatesAndFreshness() throws {
        let text = try ReportText.json(report)
        let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(o["incompleteCenters"] as? [String] == ["C002", "C003"])
        let rows = o["rows"] as! [[String: Any]]
        #expect(rows.map { $0["center"] as? String } == ["C001", "C002", "C003", "ALL"])
        let rates = rows[0]["currentRates"] as! [String: [String: Int]]
        #expect(rates["callback_rate"] == ["numerator": 3, "denominator": 4])
        #expect(rates["programme_monthly_plan"] == ["numerator": 5, "denominator": 6])
        #expect(rates["first_call_resolution"] == ["numerator": 2, "denominator": 8])
        #expect(rows[0]["lastSyncAt"] as? String == "2026-11-01T20:00:00+08:00")
        for p in personal { #expect(!text.contains("\"\(p)\"")) }
    }

    @Test func htmlIsSelfContainedWithBarsAndTargets() {
        let h = ReportHTML.render(report)
        #expect(h.hasPrefix("<!DOCTYPE html>"))
        #expect(!h.contains("<script") && !h.contains("http://www.w3.org/1999") && !h.contains("https://") && !h.contains("@import")
                && !h.contains("<link"))
        // Ten charts, each with a current bar per row that has data.
        #expect(h.components(separatedBy: "<figure class=\"chart\"").count - 1 == 10)
        for target in ["60.0", "40.0", "24.0", "100.0", "55.0", "68.0"] { #expect(h.contains("class=\"target\" data-target=\"\(target)\"")) }
        #expect(h.contains("<rect class=\"bar current\" data-row=\"C001\" data-value=\"75.0\""))
        #expect(h.contains("<tr data-programme=\"monthly_plan\"><td>月度回访计划</td>"))
        #expect(h.contains("class=\"bar previous\" data-row=\"C001\" data-value=\"100.0\""))
        #expect(h.contains("class=\"bar current warn\" data-row=\"C002\""))
        #expect(h.contains("⚠ C003：从未同步"))
        for p in personal { #expect(!h.contains(p)) }
    }

    @Test func htmlEscapesText() {
        #expect(HTMLText.escape("<a&\"b'>") == "&lt;a&amp;&quot;b&#39;&gt;")
        // A quote or `<` with a combining mark is one Character: still escaped, mark kept.
        #expect(HTMLText.escape("x=\"\u{301} y") == "x=&quot;\u{301} y")
        #expect(HTMLText.escape("<\u{338}b>") == "&lt;\u{338}b&gt;")
        #expect(HTMLText.escape("张三 3栋2单元") == "张三 3栋2单元")
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
