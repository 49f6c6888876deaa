import Foundation
import ServiceDesk
import Testing

/// Issue 17, the spreadsheet round trip: files written the way Excel on a Chinese Windows
/// writes them (committed in ExcelFixtures/: GBK or UTF-8 with a BOM, CRLF, 序号 columns,
/// 楼栋/单元/房号 split, Chinese and Excel-number dates), imported through the real binary;
/// exports Excel opens without mojibake or 1.38E+10; lists that say when they are cut.
struct ExcelRoundTripTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ExcelFixtures")

    struct C: Decodable, Equatable { var name: String; var phone: String?; var unit: String?; var moveIn: String? }

    static func customers(_ g: Gatehouse) throws -> [String: C] {
        let list = try JSONDecoder().decode([C].self, from: Data(try g.ok("customer", "list", "--json", "--limit", "1000").utf8))
        return Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func importsWhatExcelWrites() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        // GBK (Excel's plain "CSV"), detected; 序号 left out; the unit from 楼栋/单元/房号;
        // 2023年6月15日, 2023/6/15, 45092 (an Excel date number) and 2023-06-15 all one day.
        let gbk = try g.ok("import", "customers", Self.fixtures.appendingPathComponent("customers-gbk.csv").path)
        #expect(gbk == "imported 4 customers of 4 rows from customers-gbk.csv; columns left out: 序号", "\(gbk)")
        let c = try Self.customers(g)
        #expect(c["张伟"] == C(name: "张伟", phone: "13900001111", unit: "3栋2单元1101", moveIn: "2023-06-15"))
        #expect(c["李娜"]?.unit == "3栋1单元502" && c["李娜"]?.moveIn == "2023-06-15")
        #expect(c["王芳"]?.unit == "5栋1单元0302" && c["王芳"]?.moveIn == "2023-06-15")
        #expect(c["欧阳明"]?.moveIn == "2023-06-15" && c["欧阳明"]?.unit == "5栋2单元101")

        // UTF-8 with a BOM: an unknown column (车牌) refuses the file, naming it…
        let bom = Self.fixtures.appendingPathComponent("customers-utf8-bom.csv").path
        let refused = try g.runArgs(["import", "customers", bom])
        #expect(refused.status == 1 && refused.err.contains("\"车牌\"") && refused.err.contains("--ignore-unknown-columns"), "\(refused.err)")
        // …unless asked to leave it out; an exported ="…" phone reads back as digits.
        let ok = try g.ok("import", "customers", "--ignore-unknown-columns", "--verbose", bom)
        #expect(ok.hasPrefix("imported 2 customers of 2 rows from customers-utf8-bom.csv; columns left out: 序号, 车牌"), "\(ok)")
        #expect(ok.contains("赵磊") && ok.contains("钱多多"), "--verbose lists the rows")
        let c2 = try Self.customers(g)
        #expect(c2["钱多多"]?.phone == "13700002222" && c2["钱多多"]?.moveIn == "2022-01-03")
        #expect(c2["赵磊"]?.moveIn == "2022-01-03" && c2["赵磊"]?.unit == "1栋1单元101")

        // Historical requests in GBK: 报事描述, 手机号码, 报事日期 with a time, an Excel date-time.
        let t = try g.ok("import", "tickets", Self.fixtures.appendingPathComponent("tickets-gbk.csv").path)
        #expect(t == "imported 2 requests of 2 rows from tickets-gbk.csv; columns left out: 序号", "\(t)")
        let listed = try g.ok("ticket", "list", "--json")
        #expect(listed.contains("卫生间漏水") && listed.contains("夜间噪音"))
        #expect(listed.contains("C001-261012-") && listed.contains("C001-261013-"))
    }

    @Test func exportsWhatExcelOpens() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        try g.ok("customer", "add", "--name", "=HYPERLINK(\"http://x\")", "--phone", "13912345678", "--unit", "1栋101")
        let r = try g.runArgs(["customer", "list", "--csv"], staff: "M01")
        #expect(r.status == 0, "\(r.err)")
        let bytes = Array(r.out.utf8)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "UTF-8 with a BOM")
        let lines = r.out.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.count == 4 && lines.last == "", "CRLF line ends: \(lines)")
        let lf = bytes.indices.filter { bytes[$0] == 0x0A }
        #expect(!lf.isEmpty && lf.allSatisfy { $0 > 0 && bytes[$0 - 1] == 0x0D }, "every line ends in CRLF")
        #expect(r.out.contains(",=\"\"13912345678\"\",") || r.out.contains(",\"=\"\"13912345678\"\"\","), "the phone as text for Excel: \(r.out)")
        #expect(r.out.contains("\"'=HYPERLINK("), "a formula neutralized: \(r.out)")
        // What was exported imports again (="…" unwrapped, the ' of a neutralized formula dropped).
        let file = g.root.appendingPathComponent("export.csv")
        try Data(r.out.utf8).write(to: file)
        let back = try g.runArgs(["import", "customers", "--ignore-unknown-columns", file.path])
        #expect(back.status == 1 && back.err.contains("already registered"), "the same customers: \(back.err)")
    }

    @Test func listsSayWhenTheyAreCut() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        var csv = "姓名,电话,房号\r\n"
        for i in 0..<250 { csv += "客户\(i),139\(String(format: "%08d", i)),1栋\(i)\r\n" }
        let file = g.root.appendingPathComponent("many.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let imported = try g.ok("import", "customers", file.path)
        #expect(imported == "imported 250 customers of 250 rows from many.csv", "a summary, not 250 lines: \(imported)")
        let first = try g.runArgs(["customer", "list"], staff: "M01")
        #expect(first.err.contains("showing 1–200 of 251; the next page: --offset 200"), "\(first.err)")
        let second = try g.runArgs(["customer", "list", "--offset", "200", "--json"], staff: "M01")
        struct Item: Decodable { var id: String }
        #expect(try JSONDecoder().decode([Item].self, from: Data(second.out.utf8)).count == 51)
        #expect(second.err.contains("showing 201–251 of 251"))
        let whole = try g.runArgs(["customer", "list", "--limit", "500"], staff: "M01")
        #expect(!whole.err.contains("showing"), "a whole list says nothing: \(whole.err)")

        // The audit trail: newest first, paged.
        let audit = try g.runArgs(["audit", "--json", "--limit", "5"], staff: "M01")
        #expect(audit.status == 0, "\(audit.err)")
        struct A: Decodable { var at: String; var seq: Int }
        let entries = try JSONDecoder().decode([A].self, from: Data(audit.out.utf8))
        #expect(entries.count == 5)
        #expect(entries.map(\.at) == entries.map(\.at).sorted(by: >), "newest first")
        #expect(audit.err.contains("showing 1–5 of"))
    }
}
