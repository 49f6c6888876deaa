import Foundation
import Replication
@testable import ServiceDesk
import Testing

/// A node on a real temporary SQLite file, removed when the test is done; with staff,
/// the 2026 National Day calendar and helpers to act at a chosen China time.
final class TestDesk {
    let url: URL
    let desk: Desk

    init(center: String = "C001", calendar: Bool = true) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-it-\(UUID().uuidString)")
        var options = Replica.Options()
        options.durable = false
        // A demonstration directory: the tests set the business clock.
        desk = try Desk.create(in: DataDirectory(path: url.path), role: .node, center: center, name: "阳光花园管理服务中心",
                               demoClock: true, options: options)
        try desk.createAdministrator(id: "admin-\(center)", name: "管理员", password: "gatehouse-test-pw")
        let admin = try desk.signedIn(as: "admin-\(center)", clock: .simulated(Fixtures.at("2026-09-01 09:00")))
        try admin.addStaff(id: "S001", name: "王前台", role: "front-desk", phone: nil, hireDate: "2020-01-01", supplier: false)
        try admin.addStaff(id: "T01", name: "李师傅", role: "technician", phone: nil, hireDate: "2019-05-01", supplier: false)
        try admin.addStaff(id: "T02", name: "赵新人", role: "technician", phone: nil, hireDate: "2026-10-15", supplier: false)
        try admin.addStaff(id: "M01", name: "陈经理", role: "manager", phone: nil, hireDate: "2018-01-01", supplier: false)
        if calendar {
            for d in 1...7 { try admin.setCalendarDay("2026-10-0\(d)", kind: "holiday", name: "国庆节") }
            try admin.setCalendarDay("2026-09-20", kind: "workday", name: "国庆调休")
            try admin.setCalendarDay("2026-10-10", kind: "workday", name: "国庆调休")
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The desk signed in as the center's administrator, who reads the audit trail.
    var admin: Desk { get throws { try desk.signedIn(as: "admin-\(desk.center)") } }

    /// The desk signed in as `staff` at "YYYY-MM-DD HH:MM" China time.
    func at(_ time: String, _ staff: String = "S001") throws -> Desk { try desk.signedIn(as: staff, clock: .simulated(Fixtures.at(time))) }

    func customer(_ name: String = "张三", phone: String = "13812345678", unit: String = "3栋2单元1101", at time: String = "2026-09-01 10:00") throws -> String {
        try at(time).addCustomer(CustomerInput(name: name, phone: phone, unit: unit))
    }

    /// Every replicated record, for "the database is exactly as before" checks.
    func snapshot() throws -> [RecordState] { try desk.replica.allStates() }

    /// Runs `body`, expects it to throw, and expects the database unchanged; returns the message.
    @discardableResult
    func refused(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let before = try snapshot()
        var message = ""
        do {
            try body()
            Issue.record("expected the write to be refused", sourceLocation: sourceLocation)
        } catch {
            message = String(describing: error)
        }
        #expect(try snapshot() == before, "a refused write changed the database", sourceLocation: sourceLocation)
        return message
    }
}
