import Foundation
import GRDB
import TestSupport
import ServiceDesk
import Testing

/// Masking and auditing at the command line, on a real node: the same role sees the same
/// masks in table, JSON and CSV; a clear view writes one audit entry per record, a masked
/// one none; a technician's view of a request ends with its reassignment or closing.
@Suite(.serialized) struct PrivacyEndToEndTests {
    func node() throws -> (Gatehouse, String, String) {
        let g = try Gatehouse()
        let c = try g.setUpNode()
        try g.ok("staff", "add", "--id", "K01", "--name", "钱收款", "--role", "cashier")
        try g.ok("staff", "add", "--id", "A01", "--name", "系统管理员", "--role", "admin")
        try g.ok("staff", "add", "--id", "T02", "--name", "赵师傅", "--role", "technician")
        let n = try g.ok("ticket", "open", "--kind", "repair", "--channel", "phone", "--summary", "厨房水管漏水", "--customer", c)
        try g.ok("ticket", "dispatch", n, "--to", "T01")
        return (g, c, n)
    }

    func views(_ g: Gatehouse) throws -> [AuditEntry] {
        let desk = try Desk.open(DataDirectory(path: g.data)).signedIn(as: TestLogin.adminID(g.data))
        return try desk.auditEntries(AuditQuery(action: "view")) + desk.auditEntries(AuditQuery(action: "export"))
    }

    @Test func tableJSONAndCSVAreMaskedAlikeForEachRole() throws {
        let (g, c, _) = try node()
        defer { g.cleanUp() }
        let expected: [(String, String, String, String)] = [
            ("S001", "欧阳娜娜", "13812345678", "3栋2单元1101"),   // front desk: clear
            ("K01", "欧阳**", "138****5678", "3栋2单元1101"),        // cashier: unit only
            ("A01", "***", "***", "***"),                          // administrator: nothing
        ]
        for (staff, name, phone, unit) in expected {
            let table = try g.ok("customer", "list", staff: staff)
            let csv = try g.ok("customer", "list", "--csv", staff: staff)
            let json = try g.ok("customer", "list", "--json", staff: staff)
            for out in [table, csv, json] {
                #expect(out.contains(name) && out.contains(phone) && out.contains(unit), "\(staff): \(out)")
            }
            if staff != "S001" {
                for out in [table, csv, json] { #expect(!out.contains("13812345678") && !out.contains("欧阳娜娜"), "\(staff) saw clear data: \(out)") }
            }
            // CRLF lines, cells as Excel needs them (a clear phone as ="…").
            let line = try #require(csv.components(separatedBy: "\r\n").last)
            #expect(line.hasPrefix([c, name, phone, unit].map { CSVWriter.field(CSVWriter.excelCell($0)) }.joined(separator: ",")), "\(line)")
        }
        let parcel = try g.ok("parcel", "receive", "--type", "express", "--customer", c)
        #expect(try g.ok("parcel", "list", "--json", staff: "K01").contains("欧阳**"))
        #expect(try g.ok("parcel", "list", staff: "S001").contains("欧阳娜娜"))
        #expect(try !g.ok("parcel", "list", staff: "T01").contains(parcel), "a technician has no mail log")
        // The cashier finds a customer by the full number without it being printed; part of
        // a number is no search for a role that sees it masked (no prefix oracle).
        let found = try g.ok("customer", "list", "--phone", "13812345678", "--json", staff: "K01")
        #expect(found.contains(c) && !found.contains("13812345678"))
        let probe = try g.runArgs(["customer", "list", "--phone", "138123"], staff: "K01")
        #expect(probe.status == 1 && probe.err.contains("full phone number"), "\(probe.err)")
    }

    @Test func oneAuditEntryPerClearViewAndNoneForMaskedViews() throws {
        let (g, c, _) = try node()
        defer { g.cleanUp() }
        try g.ok("customer", "add", "--name", "张三丰", "--phone", "13900001111", "--unit", "5栋1单元101")
        #expect(try views(g).isEmpty)
        try g.ok("customer", "list")                                // 2 customers in clear
        #expect(try views(g).count == 2)
        try g.ok("customer", "show", c)
        let entries = try views(g)
        #expect(entries.count == 3)
        #expect(entries.last?.record == "customer/\(c)" && entries.last?.staff == "S001" && entries.last?.role == "front_desk")
        #expect(entries.last?.fields == ["address", "name", "phone"])
        try g.ok("customer", "list", "--csv")
        #expect(try views(g).filter { $0.action == "export" }.count == 2)
        for staff in ["K01", "A01"] {
            _ = try g.ok("customer", "list", staff: staff)
            _ = try g.ok("customer", "list", "--json", staff: staff)
        }
        // The cashier's unit is in clear, so it is audited; the administrator's views are not.
        let after = try views(g)
        #expect(after.filter { $0.staff == "A01" }.isEmpty)
        #expect(after.filter { $0.staff == "K01" }.allSatisfy { $0.fields == ["address"] })
        #expect(try g.ok("audit", "verify").contains("intact"))
        // Reading the trail is the administrator's (and quality's, leadership's, the manager's).
        let listed = try g.ok("audit", "--customer", c, "--json", staff: "A01")
        #expect(listed.contains("customer/\(c)"))
    }

    @Test func aTechniciansAccessEndsWhenTheRequestIsReassignedOrClosed() throws {
        let (g, _, n) = try node()
        defer { g.cleanUp() }
        var shown = try g.ok("ticket", "show", n, staff: "T01")
        #expect(shown.contains("13812345678") && shown.contains("3栋2单元1101") && shown.contains("欧阳**") && !shown.contains("欧阳娜娜"))
        #expect(try g.ok("ticket", "list", staff: "T01").contains(n))
        #expect(try g.ok("ticket", "list", staff: "T02").contains("(none)"))
        let refused = try g.runArgs(["ticket", "show", n], staff: "T02")
        #expect(refused.status == 1 && refused.err.hasPrefix("error: permission denied") && refused.out.isEmpty)
        #expect(try g.runArgs(["customer", "list"], staff: "T01").out.contains("(none)"))
        // Reassigned: T01 loses it, T02 gains it.
        try g.ok("ticket", "update", n, "--assignee", "T02")
        #expect(try g.runArgs(["ticket", "show", n], staff: "T01").status == 1)
        shown = try g.ok("ticket", "show", n, staff: "T02")
        #expect(shown.contains("13812345678"))
        // Closed: still visible to its assignee, but masked.
        try g.ok("ticket", "arrive", n, staff: "T02")
        try g.ok("ticket", "complete", n, "--signed", staff: "T02")
        try g.ok("callback", "add", n, "--method", "phone", "--result", "satisfied", "--score", "95")
        try g.ok("ticket", "close", n)
        shown = try g.ok("ticket", "show", n, staff: "T02")
        #expect(!shown.contains("13812345678") && shown.contains("138****5678") && !shown.contains("3栋2单元1101"))
    }

    @Test func auditVerifyNamesAnEditedEntryAndExitsNonZero() throws {
        let (g, c, _) = try node()
        defer { g.cleanUp() }
        try g.ok("customer", "show", c)
        try g.ok("customer", "show", c)
        let second = try #require(try views(g).last)
        let db = try DatabaseQueue(path: DataDirectory(path: g.data).databasePath)
        try db.write { d in
            try d.execute(sql: "DROP TRIGGER _rep_guard_audit_update")
            try d.execute(sql: "UPDATE _rep_audit SET fields = '[]' WHERE id = ?", arguments: [second.id])
        }
        try db.close()
        let r = try g.runArgs(["audit", "verify"])
        #expect(r.status == 1 && r.err.contains(second.id) && r.err.contains("edited"), "\(r)")
    }
}
