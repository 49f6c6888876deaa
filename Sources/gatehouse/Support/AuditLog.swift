import Foundation
import ServiceDesk

/// Login, failed login, lockout and refused actions in the audit trail. A failure to
/// record is reported on stderr but does not change the command's outcome: the refusal
/// or the failed login stands either way.
enum AuditLog {
    static func record(_ desk: Desk, action: String, staff: String?, role: StaffRole?, detail: String? = nil) {
        do {
            try desk.recordAudit(AuditEvent(action: action, staff: staff, role: role?.rawValue, detail: detail, at: Date()))
        } catch {
            FileHandle.standardError.write(Data("warning: could not record \(action) in the audit trail: \(error)\n".utf8))
        }
    }
}
