import Foundation
import ServiceDesk

extension Desk {
    /// The disclosure for `staff` looking now: their role, and at head office the grants
    /// in force for them.
    func disclosure(for staff: String, at now: Date, export: Bool = false) throws -> Disclosure {
        let viewer = try viewer(staff)
        let grants = viewer.role?.workplace == .headOffice ? try activeGrants(for: viewer.staff, at: now) : []
        return Disclosure(viewer: viewer, grants: grants, now: now, action: export ? "export" : "view")
    }
}

enum CSVOutput {
    static func print(_ headers: [String], _ rows: [[String]]) {
        Swift.print(CSVWriter.document([headers] + rows, lineEnding: "\n"), terminator: "")
    }
}
