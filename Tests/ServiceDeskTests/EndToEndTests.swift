import Foundation
import TestSupport
import Replication
import ServiceDesk
import Testing

/// Runs the built `gatehouse` binary as a front desk would: a temporary data directory,
/// GATEHOUSE_DATA / GATEHOUSE_NOW in the environment, logged in as the staff member acting.
struct Gatehouse {
    struct Result {
        var status: Int32
        var out: String
        var err: String
        var lines: [String] { out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    }

    /// GATEHOUSE_BIN (set by scripts/test), else `gatehouse` next to the test bundle in
    /// the build directory, so a plain `swift test` finds it too.
    static let binary: URL? = {
        let fm = FileManager.default
        if let p = ProcessInfo.processInfo.environment["GATEHOUSE_BIN"], !p.isEmpty { return URL(fileURLWithPath: p) }
        var dirs: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let e = Bundle.main.executableURL { dirs.append(e.deletingLastPathComponent()) }
        dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for b in Bundle.allBundles { dirs += [b.bundleURL.deletingLastPathComponent()] }
        for d in dirs {
            // On macOS the bundle is …/debug/X.xctest/Contents/MacOS; walk up to …/debug.
            var dir = d
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("gatehouse")
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }()

    let root: URL
    var data: String { root.appendingPathComponent("node").path }
    var now = "2026-11-02 09:00"
    var staff = "S001"
    /// Whether `node init`/`hub init` make a demonstration directory (whose clock the
    /// fixture sets); false for a production one, run on the real clock.
    var demo = true

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }

    /// Runs and expects success; returns stdout trimmed.
    @discardableResult
    func ok(_ args: String..., now: String? = nil, staff: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try runArgs(args, now: now, staff: staff)
        #expect(r.status == 0, "gatehouse \(args.joined(separator: " ")) failed: \(r.err)", sourceLocation: sourceLocation)
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the binary with `args` as `staff` (default the fixture's), logging them in
    /// first when needed (`TestLogin`); GATEHOUSE_NOW defaults to the fixture's.
    func runArgs(_ args: [String], now: String? = nil, staff: String? = nil) throws -> Result {
        let p = TestLogin.prepare(args, staff: staff ?? self.staff)
        if let who = p.actAs, let dir = TestLogin.dataDirectory(p.args, env: ["GATEHOUSE_DATA": data]) {
            try TestLogin.ensure(who, in: dir) { a, input in try raw(a, now: now, stdin: input).status }
        }
        return try raw(p.args, now: now, stdin: p.stdin)
    }

    /// Runs the binary with exactly `args` and `stdin`, no login on the way.
    func raw(_ args: [String], now: String? = nil, stdin: String? = nil) throws -> Result {
        guard let bin = Gatehouse.binary else { throw CLIMissing() }
        let p = Process()
        p.executableURL = bin
        // The fixture sets the business clock, which only a demonstration directory takes.
        let initCommand = ["node init", "hub init"].contains(args.prefix(2).joined(separator: " "))
        p.arguments = initCommand && !args.contains("--demo") && demo ? args + ["--demo"] : args
        var env = ProcessInfo.processInfo.environment
        env["GATEHOUSE_DATA"] = data
        env["GATEHOUSE_NOW"] = demo ? (now ?? self.now) : ""
        p.environment = env
        // stdout through a pipe, stderr to a file: nothing can fill up and block the child.
        let errURL = root.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errHandle
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try errHandle.close()
        let errData = FileManager.default.contents(atPath: errURL.path) ?? Data()
        return Result(status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    /// Every replicated record of the node, read in-process.
    func states() throws -> [RecordState] {
        try Desk.open(DataDirectory(path: data)).unsafeReplica.allStates()
    }

    /// The node's records apart from the audit trail, which logins and refusals add to:
    /// what a refused command must leave as it was.
    func business() throws -> [RecordState] {
        try states().filter { $0.table != "audit" }
    }

    /// A node with three staff members (front desk, technician, center manager) and a customer.
    func setUpNode() throws -> String {
        try ok("node", "init", "--center", "C001", "--name", "阳光花园管理服务中心")
        try ok("staff", "add", "--id", "S001", "--name", "王前台", "--role", "front-desk", "--hire-date", "2020-01-01")
        try ok("staff", "add", "--id", "T01", "--name", "李师傅", "--role", "technician", "--hire-date", "2019-05-01")
        try ok("staff", "add", "--id", "M01", "--name", "赵经理", "--role", "manager", "--hire-date", "2018-03-01")
        return try ok("customer", "add", "--name", "欧阳娜娜", "--phone", "13812345678", "--unit", "3栋2单元1101")
    }
}

struct CLIMissing: Error, CustomStringConvertible {
    var description: String { "the gatehouse binary was not found: build it (swift build) or set GATEHOUSE_BIN" }
}

/// The display column where each cell of `line` starts, given the rule line under the
/// header (`----  ------  --`).
func columnStarts(rule: String) -> [Int] {
    var starts: [Int] = []
    var previous: Character = " "
    for (i, c) in rule.enumerated() {
        if c == "-" && previous == " " { starts.append(i) }
        previous = c
    }
    return starts
}

/// Whether every cell of `line` begins exactly at a column start, measured in display width.
func isAligned(_ line: String, to starts: [Int]) -> Bool {
    var col = 0
    var cellStarts: [Int] = []
    var previous: Character = " "
    var spaces = 2
    for c in line {
        if c != " " && (cellStarts.isEmpty || (previous == " " && spaces >= 2)) { cellStarts.append(col) }
        spaces = c == " " ? spaces + 1 : 0
        previous = c
        col += DisplayWidth.of(String(c))
    }
    return Set(cellStarts).isSubset(of: Set(starts))
}

@Suite(.serialized) struct EndToEndTests {
    @Test func aRequestGoesThroughItsLifeAtTheCommandLine() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let customer = try g.setUpNode()
        #expect(customer.hasPrefix("cu-") && !customer.contains("\n"))
        let number = try g.ok("ticket", "open", "--kind", "报修", "--channel", "phone", "--summary", "卫生间漏水到楼下", "--customer", customer,
                              now: "2026-11-02 09:00")
        #expect(number == "C001-261102-001")
        try g.ok("ticket", "dispatch", number, "--to", "T01", now: "2026-11-02 09:05")
        try g.ok("ticket", "arrive", number, now: "2026-11-02 09:30", staff: "T01")
        try g.ok("ticket", "complete", number, "--signed", now: "2026-11-02 11:00", staff: "T01")
        try g.ok("callback", "add", number, "--method", "on-site", "--result", "满意", "--score", "95", "--signed", now: "2026-11-03 10:00")
        try g.ok("ticket", "close", number, now: "2026-11-03 10:05")

        struct Show: Decodable {
            struct T: Decodable { var number: String; var stage: String; var summary: String; var unit: String? }
            struct E: Decodable { var action: String; var staff: String }
            var ticket: T
            var timeline: [E]
        }
        let show = try JSONDecoder().decode(Show.self, from: Data(try g.ok("ticket", "show", number, "--json").utf8))
        #expect(show.ticket.stage == "closed" && show.ticket.summary == "卫生间漏水到楼下" && show.ticket.unit == "3栋2单元1101")
        #expect(show.timeline.map(\.action) == ["open", "dispatch", "arrive", "complete", "callback", "close"])
        #expect(show.timeline.map(\.staff) == ["S001", "S001", "T01", "T01", "S001", "S001"])
        let text = try g.ok("ticket", "show", number)
        #expect(text.contains("已关闭") && text.contains("时间线"))
    }

    @Test func overdueAndDueTodayListsFollowTheClock() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        try g.ok("calendar", "set", "2026-10-01", "--holiday", "--name", "国庆节", staff: "M01")
        // Friday evening, general complaint: due Monday 18:00; first answer due Saturday 20:00.
        let n = try g.ok("ticket", "open", "--kind", "complaint", "--severity", "一般", "--class", "1", "--summary", "保安态度差", now: "2026-09-25 20:00")
        struct Item: Decodable {
            struct T: Decodable { var number: String }
            var ticket: T
            var overdue: [String]
            var dueToday: [String]
        }
        func list(_ flag: String, _ now: String) throws -> [Item] {
            try JSONDecoder().decode([Item].self, from: Data(try g.ok("ticket", "list", flag, "--json", "--now", now).utf8))
        }
        #expect(try list("--due-today", "2026-09-26 12:00").map(\.dueToday) == [["first_answer"]])
        #expect(try list("--overdue", "2026-09-26 12:00").isEmpty)
        #expect(try list("--overdue", "2026-09-28 10:00").map(\.overdue) == [["first_answer"]])
        #expect(try list("--due-today", "2026-09-28 10:00").map(\.dueToday) == [["complaint_resolution"]])
        #expect(try list("--overdue", "2026-09-28 18:30").map(\.overdue) == [["first_answer", "complaint_resolution"]])
        let table = try g.ok("ticket", "list", "--overdue", now: "2026-09-28 18:30")
        #expect(table.contains(n) && table.contains("超期:首次答复") && table.contains("超期:投诉处理"))
    }

    @Test func aRefusedCommandSaysWhyOnOneLineAndChangesNothing() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let customer = try g.setUpNode()
        let n = try g.ok("ticket", "open", "--kind", "repair", "--summary", "门禁坏了", "--customer", customer)
        let before = try g.business()
        func refused(_ args: String..., staff: String? = nil, contains: String) throws {
            let r = try g.runArgs(args, staff: staff)
            #expect(r.status != 0, "\(args) should fail")
            #expect(r.out.isEmpty, "\(args) printed \(r.out)")
            let lines = r.err.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && r.err.contains(contains), "\(args): \(r.err)")
            #expect(try g.business() == before, "\(args) changed the database")
        }
        try refused("ticket", "complete", n, contains: "cannot complete a repair that is received; allowed: dispatch, cancel, escalate")
        try refused("ticket", "dispatch", "C001-261102-999", "--to", "T01", contains: "no request C001-261102-999")
        try refused("ticket", "dispatch", n, "--to", "T99", contains: "no staff member T99")
        try refused("customer", "add", "--name", "李四", "--move-in", "2026-02-30", contains: "February 2026 has 28 days")
        try refused("customer", "update", "cu-nothere", "--name", "王五", contains: "no customer with id cu-nothere")
        try refused("customer", "add", "--name", "李四", staff: "NOBODY", contains: "not logged in")
        try refused("custody", "receive", "--customer", customer, "--description", "现金2000元", "--condition", "新钞", "--verified",
                    contains: "looks like cash or valuables")
        try refused("parcel", "pickup", "pc-nothere", "--by", "张三", "--signed", contains: "no parcel pc-nothere")
        try refused("price", "add", "--code", "R01", "--name", "疏通", "--price", "8.888", staff: "M01", contains: "invalid amount")
        // Argument errors (unknown kind) are usage errors: non-zero, nothing written.
        let usage = try g.runArgs(["ticket", "open", "--kind", "维修保养", "--summary", "x"])
        #expect(usage.status != 0 && usage.err.contains("维修保养"))
        #expect(try g.business() == before)
        // No data directory at all.
        let nowhere = try g.runArgs(["customer", "list", "--data", g.root.appendingPathComponent("missing").path])
        #expect(nowhere.status == 1 && nowhere.err.contains("is not a gatehouse data directory"))
    }

    @Test func importGoodAndBadCSV() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        let good = g.root.appendingPathComponent("roster.csv")
        try "\u{FEFF}姓名,电话,房号,入住日期\r\n张伟,13900001111,1栋101,2025/3/1\r\n李娜,13900002222,\"1栋102\",2025-04-01\r\n".write(to: good, atomically: true, encoding: .utf8)
        let imported = try g.ok("import", "customers", good.path)
        #expect(imported.hasPrefix("imported 2 customers of 2 rows from roster.csv"))
        let bad = g.root.appendingPathComponent("more.csv")
        try "name,phone,unit,move_in\n王芳,13900003333,2栋201,\n,13900004444,2栋202,\n张伟,13900001111,1栋101,\n刘洋,13900005555,2栋203,2025-13-01\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let before = try g.business()
        let r = try g.runArgs(["import", "customers", bad.path])
        #expect(r.status == 1)
        let lines = r.err.split(separator: "\n").map(String.init)
        #expect(lines.first == "error: more.csv: 3 of 4 rows are bad; nothing was imported (fix them, or use --skip-bad to import the good rows)")
        #expect(lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces).prefix(7) } == ["line 3:", "line 4:", "line 5:"])
        #expect(r.err.contains("张伟 is already registered"))
        #expect(try g.business() == before)
        let skipped = try g.runArgs(["import", "customers", "--skip-bad", bad.path])
        #expect(skipped.status == 0 && skipped.out.contains("imported 1 customers of 4 rows") && skipped.err.contains("line 5:"))
        struct C: Decodable { var name: String }
        let all = try JSONDecoder().decode([C].self, from: Data(try g.ok("customer", "list", "--json").utf8))
        #expect(Set(all.map(\.name)) == ["欧阳娜娜", "张伟", "李娜", "王芳"])

        let history = g.root.appendingPathComponent("history.csv")
        try "类型,内容,电话,受理时间,完成时间\n报修,水龙头滴水,13900001111,2026-10-12 09:30,2026-10-12 15:00\n建议,增加快递柜,13900002222,2026-10-13,\n"
            .write(to: history, atomically: true, encoding: .utf8)
        let tickets = try g.ok("import", "tickets", "--verbose", history.path)
        #expect(tickets.contains("C001-261012-001") && tickets.contains("C001-261013-001"))
        let help = try g.runArgs(["import", "customers", "--help"])
        #expect(help.out.contains("姓名") && help.out.contains("--skip-bad") && help.out.contains("WHOLE FILE IS REFUSED"))
        // A GBK file said to be UTF-8 is refused with a hint (auto-detection reads it: ExcelRoundTripTests).
        let gbk = g.root.appendingPathComponent("gbk.csv")
        try Data([0xD0, 0xD5, 0xC3, 0xFB, 0x0A]).write(to: gbk)
        let notUTF8 = try g.runArgs(["import", "customers", "--encoding", "utf-8", gbk.path])
        #expect(notUTF8.status == 1 && notUTF8.err.contains("not valid UTF-8"))
    }

    @Test func chineseTextRoundTripsAndTablesAlign() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let first = try g.setUpNode()
        let second = try g.ok("customer", "add", "--name", "Li Ming", "--phone", "0755-86001234", "--unit", "B座12F", "--note", "英文名，备注「含引号」")
        struct C: Decodable { var id: String; var name: String; var unit: String?; var note: String? }
        let list = try JSONDecoder().decode([C].self, from: Data(try g.ok("customer", "list", "--json").utf8))
        #expect(list.first { $0.id == first }?.name == "欧阳娜娜")
        #expect(list.first { $0.id == second }?.note == "英文名，备注「含引号」")
        let table = try g.ok("customer", "list").split(separator: "\n").map(String.init)
        #expect(table.count == 4)
        let starts = columnStarts(rule: table[1])
        #expect(starts.count == 5)
        for line in [table[0]] + table[2...] { #expect(isAligned(line, to: starts), "misaligned: \(line)") }

        let p = try g.ok("parcel", "receive", "--type", "快递", "--customer", first, "--carrier", "顺丰速运", "--tracking", "SF1234567890")
        try g.ok("parcel", "receive", "--type", "letter", "--recipient", "Li Ming", "--unit", "B座12F")
        try g.ok("parcel", "notify", p)
        let unsigned = try g.runArgs(["parcel", "pickup", p, "--by", "欧阳娜娜"])
        #expect(unsigned.status == 1 && unsigned.err.contains("signature"))
        try g.ok("parcel", "pickup", p, "--by", "欧阳娜娜", "--signed", now: "2026-11-02 18:00")
        struct P: Decodable { var id: String; var recipient: String?; var pickedUpBy: String? }
        let waiting = try JSONDecoder().decode([P].self, from: Data(try g.ok("parcel", "list", "--waiting", "--json").utf8))
        #expect(waiting.map(\.recipient) == ["Li Ming"])
        let parcels = try g.ok("parcel", "list").split(separator: "\n").map(String.init)
        let pstarts = columnStarts(rule: parcels[1])
        for line in parcels where line != parcels[1] { #expect(isAligned(line, to: pstarts), "misaligned: \(line)") }

        let item = try g.ok("custody", "receive", "--customer", first, "--description", "备用钥匙两把", "--condition", "完好", "--verified")
        try g.ok("custody", "return", item, "--condition", "完好", "--verified", now: "2026-11-03 09:00")
        struct K: Decodable { var description: String; var returnedAt: String? }
        let held = try JSONDecoder().decode([K].self, from: Data(try g.ok("custody", "list", "--json").utf8))
        #expect(held.map(\.description) == ["备用钥匙两把"] && held[0].returnedAt == "2026-11-03T09:00:00+08:00")

        try g.ok("price", "add", "--code", "R01", "--name", "疏通下水道", "--unit", "次", "--price", "80", staff: "M01")
        try g.ok("price", "update", "R01", "--price", "85.50", staff: "M01")
        let prices = try g.ok("price", "list")
        #expect(prices.contains("疏通下水道") && prices.contains("85.50"))
    }
}
