import Foundation
import GRDB
import Replication

extension Desk {
    /// The account a login name refers to: a staff id, exactly or ignoring case.
    func account(_ user: String) throws -> (StaffMember, hash: String?)? {
        let u = user.trimmingWhitespace()
        guard !u.isEmpty else { return nil }
        return try replica.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT * FROM staff WHERE id = ? OR lower(id) = lower(?) ORDER BY id = ? DESC LIMIT 1
                """, arguments: [u, u, u]) else { return nil }
            return (try StaffMember(row: row), row["password_hash"] as String?)
        }
    }

    /// The staff member's current role in the directory (nil: none, or not a known role).
    public func role(of staff: String) throws -> StaffRole? {
        try replica.read { db in
            try String.fetchOne(db, sql: "SELECT role FROM staff WHERE id = ?", arguments: [staff])
        }.flatMap { try? StaffRole.parse($0) }
    }

    /// Sets a staff member's password: one's own, or anyone's this desk manages as the
    /// administrator.
    public func setPassword(staff id: String, password: String) throws {
        var acting = try acting()
        if id != acting.staff { acting = try authorize(.staffManage) }
        let hash = try PasswordHash.make(try PasswordHash.validate(password))
        try write(acting) { tx in
            if id == acting.staff { try requireStaff(tx.db, id) } else { _ = try requireManagedStaff(tx.db, id) }
            try tx.update("staff", id: id, ["password_hash": .text(hash)])
        }
    }

    /// The first administrator of a new node or hub, so a directory set up offline can be
    /// logged into at once. Refused once the directory has any staff.
    public func createAdministrator(id: String, name: String, password: String) throws {
        let existing = try replica.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM staff") ?? 0 }
        guard existing == 0 else { throw DeskError.refused("this directory already has staff; an administrator adds accounts with `gatehouse staff add`") }
        try insertStaff(id: id, name: name, role: StaffRole.administrator.rawValue, phone: nil, hireDate: nil, supplier: false, home: center,
                        password: password, acting: Acting(staff: id, now: Date(), role: .administrator), bootstrap: true)
    }
}
