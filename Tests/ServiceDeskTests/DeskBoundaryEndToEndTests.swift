import Foundation
import TestSupport
import Replication
import ServiceDesk
import Testing

/// The desk side of issue 14's attacks, each through the built binary on a real node: the
/// desk checks every permission and mask itself, whatever the front end asks.
@Suite(.serialized) struct DeskBoundaryEndToEndTests {
    @Test func aCenterManagesOnlyItsOwnStaffWithCenterRoles() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        let before = try g.business()
        func refused(_ args: [String], _ message: String) throws {
            let r = try g.runArgs(args, staff: TestLogin.admin)
            #expect(r.status == 1 && r.err.contains(message), "\(args): \(r.err)")
            #expect(try g.business() == before, "\(args) changed the database")
        }
        // Head office's administrator, another center's, head-office roles, another center.
        try refused(["staff", "add", "--id", "admin-HQ", "--name", "冒充总部", "--role", "admin"], "names the administrator of HQ")
        try refused(["staff", "add", "--id", "admin-C002", "--name", "冒充", "--role", "admin"], "names the administrator of C002")
        for role in ["quality", "executive", "operations"] {
            try refused(["staff", "add", "--id", "Q\(role.count)", "--name", "自封", "--role", role], "is a head-office role")
            try refused(["staff", "update", "S001", "--role", role], "is a head-office role")
        }
        try refused(["staff", "add", "--id", "X01", "--name", "别家", "--role", "front-desk", "--center", "C002"], "cannot create records for C002")
        // Its own staff with center roles are fine.
        try g.ok("staff", "add", "--id", "B01", "--name", "刘管家", "--role", "butler")
    }

    @Test func theClockCannotBeSetOnAProductionDirectory() throws {
        var g = try Gatehouse()
        g.demo = false
        defer { g.cleanUp() }
        try g.ok("node", "init", "--center", "C001", "--name", "阳光花园管理服务中心")
        try g.ok("staff", "add", "--id", "S001", "--name", "王前台", "--role", "front-desk")
        try g.ok("logout")
        _ = try g.raw(["login", "--user", "S001", "--password-stdin"], stdin: TestLogin.password + "\n")
        let before = try g.business()
        let future = try g.raw(["customer", "add", "--name", "张三", "--phone", "13812345678", "--now", "2099-01-01 09:00"])
        #expect(future.status == 1 && future.err.contains("--demo"), "\(future.err)")
        let viaEnv = try g.raw(["ticket", "list", "--now", "2099-01-01 09:00"])
        #expect(viaEnv.status == 1 && viaEnv.err.contains("--demo"), "\(viaEnv.err)")
        #expect(try g.business() == before)
        // On the real clock it works, and the audit trail is dated now, not in 2099.
        try g.ok("customer", "add", "--name", "张三", "--phone", "13812345678")
        try g.ok("customer", "list")
        let trail = try Desk.open(DataDirectory(path: g.data)).signedIn(as: TestLogin.adminID(g.data)).auditEntries()
        #expect(!trail.isEmpty && trail.allSatisfy { abs($0.at.timeIntervalSinceNow) < 600 }, "\(trail.map(\.at))")
        #expect(try !g.raw(["status"]).out.contains("demonstration"))
    }

    @Test func aDemoDirectoryTakesTheClockAndSaysSo() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        let status = try g.raw(["status"])
        #expect(status.out.contains("demonstration"), "\(status.out)")
    }

    @Test func aMaskedViewerFindsCustomersOnlyByTheWholeNameOrPhone() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let c = try g.setUpNode()
        try g.ok("staff", "add", "--id", "K01", "--name", "钱收款", "--role", "cashier")
        for args in [["--phone", "138"], ["--phone", "1381234567"], ["--search", "欧阳"], ["--unit", "3栋"]] {
            let probe = try g.runArgs(["customer", "list"] + args, staff: "K01")
            #expect(!probe.out.contains(c), "\(args): \(probe.out) \(probe.err)")
        }
        #expect(try g.ok("customer", "list", "--search", "欧阳娜娜", "--json", staff: "K01").contains(c))
        let byPhone = try g.ok("customer", "list", "--phone", "13812345678", "--json", staff: "K01")
        #expect(byPhone.contains(c) && !byPhone.contains("13812345678") && !byPhone.contains("欧阳娜娜"))
        // The desk, who sees the data anyway, searches by part.
        #expect(try g.ok("customer", "list", "--phone", "5678", "--json").contains(c))
    }

    @Test func theTimelineIsMaskedLikeTheRecord() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let c = try g.setUpNode()
        let n = try g.ok("ticket", "open", "--kind", "repair", "--channel", "phone", "--summary", "厨房水管漏水", "--customer", c)
        try g.ok("ticket", "dispatch", n, "--to", "T01")
        try g.ok("ticket", "update", n, "--unit", "5栋3单元702")
        try g.ok("ticket", "note", n, "顾客电话 13812345678，下午在家")
        try g.ok("ticket", "arrive", n, staff: "T01")
        try g.ok("ticket", "complete", n, "--signed", staff: "T01")
        try g.ok("callback", "add", n, "--result", "satisfied")
        try g.ok("ticket", "close", n)
        // The request is closed: its technician sees its unit masked, in the timeline too.
        let shown = try g.ok("ticket", "show", n, "--json", staff: "T01")
        #expect(!shown.contains("5栋3单元702") && !shown.contains("13812345678"), "\(shown)")
        #expect(shown.contains("138****5678"), "\(shown)")
        // The desk sees it all.
        let desk = try g.ok("ticket", "show", n, "--json")
        #expect(desk.contains("5栋3单元702") && desk.contains("13812345678"))
    }

    @Test func aTechnicianRecordsOnlyTheirOwnSteps() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let c = try g.setUpNode()
        try g.ok("staff", "add", "--id", "T02", "--name", "赵师傅", "--role", "technician")
        let n = try g.ok("ticket", "open", "--kind", "repair", "--channel", "phone", "--summary", "门锁坏了", "--customer", c)
        try g.ok("ticket", "dispatch", n, "--to", "T02")
        let before = try g.business()
        for step in ["arrive", "complete"] {
            let r = try g.runArgs(["ticket", step, n], staff: "T01")
            #expect(r.status == 1 && r.err.contains("permission denied: technician may not ticket \(step)"), "\(r.err)")
        }
        #expect(try g.business() == before)
        try g.ok("ticket", "arrive", n, staff: "T02")
        try g.ok("ticket", "complete", n, staff: "S001")   // the desk records it when phoned in
    }

    @Test func outputNeverLandsInTheDataDirectoryAndCSVCellsCannotRunFormulas() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        let db = g.data + "/gatehouse.sqlite"
        let size = try FileManager.default.attributesOfItem(atPath: db)[.size] as? NSNumber
        for target in [db, g.data + "/../node/gatehouse.json", g.data + "/report.html"] {
            let r = try g.runArgs(["report", "monthly", "--month", "2026-11", "--format", "html", "--output", target])
            #expect(r.status == 1 && r.err.contains("inside the data directory"), "\(target): \(r.err)")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: db)[.size] as? NSNumber == size)
        #expect(try g.states().count > 0)
        let outside = g.root.appendingPathComponent("report.csv").path
        try g.ok("report", "monthly", "--month", "2026-11", "--format", "csv", "--output", outside)

        try g.ok("customer", "add", "--name", "=HYPERLINK(\"http://evil\")", "--phone", "13900001111", "--unit", "@SUM(1+1)")
        try g.ok("ticket", "open", "--kind", "inquiry", "--channel", "phone", "--summary", "=cmd|' /C calc'!A0")
        let customers = try g.ok("customer", "list", "--csv")
        #expect(customers.contains("'=HYPERLINK") && customers.contains("'@SUM"), "\(customers)")
        let tickets = try g.ok("ticket", "list", "--csv")
        #expect(tickets.contains("'=cmd|"), "\(tickets)")
        for line in (customers + "\n" + tickets).split(separator: "\n") {
            for cell in line.split(separator: ",") {
                let t = cell.hasPrefix("\"") ? cell.dropFirst() : cell[...]
                // The one formula an export writes: ="<digits>", a phone or id Excel must
                // keep as text (a string literal, nothing that runs).
                let digitsAsText = t.wholeMatch(of: /=(""|")\d+(""|")"?/) != nil
                #expect(digitsAsText || !(t.first.map { "=+@\t\r".contains($0) } ?? false), "a live formula cell: \(cell)")
            }
        }
    }
}
