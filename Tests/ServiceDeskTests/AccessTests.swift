import Foundation
import ServiceDesk
import Testing

/// The pure parts of logging in and of role checks: password hashes, the lockout
/// counter, session expiry and the action × role matrix.
@Suite struct AccessTests {
    @Test func aPasswordHashVerifiesOnlyItsPassword() throws {
        let h = try PasswordHash.make("correct horse")
        #expect(h.hasPrefix("pbkdf2-sha256$\(PasswordHash.rounds)$"))
        #expect(PasswordHash.verify("correct horse", against: h))
        #expect(!PasswordHash.verify("correct horsf", against: h))
        #expect(!PasswordHash.verify("", against: h))
        // Salted: the same password hashes differently each time.
        #expect(try PasswordHash.make("correct horse") != h)
        // A tampered or malformed stored value never verifies.
        #expect(!PasswordHash.verify("correct horse", against: h.replacingOccurrences(of: "$210000$", with: "$1000$")))
        #expect(!PasswordHash.verify("correct horse", against: "correct horse"))
        #expect(throws: DeskError.self) { try PasswordHash.validate("short") }
        #expect(PasswordHash.verify("密码是中文的呢", against: try PasswordHash.make("密码是中文的呢")))
    }

    @Test func fiveFailuresWithinTheWindowLockTheNameForAWhile() {
        var t = LoginThrottle()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<4 { #expect(t.recordFailure("S001", at: t0.addingTimeInterval(Double(i) * 60)) == nil) }
        #expect(t.lockedUntil("S001", at: t0.addingTimeInterval(240)) == nil)
        let until = t.recordFailure("s001", at: t0.addingTimeInterval(240))   // names ignore case
        #expect(until == t0.addingTimeInterval(240 + LoginThrottle.lockDuration))
        #expect(t.lockedUntil("S001", at: t0.addingTimeInterval(300)) == until)
        #expect(t.lockedUntil("S002", at: t0.addingTimeInterval(300)) == nil)
        #expect(t.lockedUntil("S001", at: until!.addingTimeInterval(1)) == nil, "the lock ends on its own")
    }

    @Test func failuresSpreadBeyondTheWindowAndASuccessDoNotLock() {
        var t = LoginThrottle()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<10 { #expect(t.recordFailure("S001", at: t0.addingTimeInterval(Double(i) * 300)) == nil) }
        var u = LoginThrottle()
        for i in 0..<4 { _ = u.recordFailure("S001", at: t0.addingTimeInterval(Double(i))) }
        u.recordSuccess("S001")
        #expect(u.recordFailure("S001", at: t0.addingTimeInterval(5)) == nil)
    }

    @Test func aSessionExpires() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let s = Session(token: "t", staff: "S001", name: "王芳", role: "front_desk", center: "C001", replicaID: "C001-x", startedAt: t0, lifetime: 3600)
        #expect(s.isValid(at: t0.addingTimeInterval(3599)))
        #expect(!s.isValid(at: t0.addingTimeInterval(3600)))
        #expect(!s.isValid(at: t0.addingTimeInterval(-3600)), "a clock set back does not revive it")
    }

    /// The matrix, row by row: who may and who may not.
    @Test(arguments: [
        (Action.ticketOpen, [StaffRole.frontDesk, .butler, .serviceLead, .managerAssistant, .centerManager, .quality, .operations]),
        (.ticketDispatch, [.frontDesk, .serviceLead, .centerManager, .quality, .operations]),
        (.ticketComplete, [.frontDesk, .serviceLead, .centerManager, .technician, .supplier]),
        (.ticketClose, [.frontDesk, .serviceLead, .centerManager]),
        (.reviewOffList, [.centerManager]),
        (.ticketPay, [.cashier, .frontDesk, .centerManager]),
        (.staffManage, [.administrator]),
        (.nodeEnroll, [.administrator]),
        (.nodeRevoke, [.administrator]),
        (.grantApply, [.centerManager]),
        (.grantApproveQuality, [.quality]),
        (.grantApproveLeadership, [.executive]),
        (.grantRevoke, [.centerManager, .quality, .executive]),
        (.auditRead, [.administrator, .quality, .executive, .centerManager]),
        // Issue 16: 4.2.11 the provider collects at the door; 4.2.10 confirmed by the manager
        // only; money decided by the center's lead; 4.4.2 the manager records, quality approves.
        (.collectFee, [.technician, .supplier]),
        (.followUp, [.frontDesk, .butler, .serviceLead, .managerAssistant, .centerManager]),
        (.surveyEdit, [.centerManager, .managerAssistant, .quality]),
        (.serviceException, [.frontDesk, .serviceLead, .centerManager, .technician, .supplier, .managerAssistant, .quality]),
        (.serviceMoney, [.serviceLead, .centerManager, .quality]),
        (.confirmServiceChange, [.centerManager]),
        (.correctiveRecord, [.centerManager]),
        (.correctiveDecide, [.quality]),
    ] as [(Action, [StaffRole])])
    func theMatrixAllowsExactlyTheseRoles(action: Action, roles: [StaffRole]) {
        for role in StaffRole.allCases {
            #expect(Permissions.allows(role, action) == roles.contains(role), "\(role) × \(action)")
        }
        #expect(!Permissions.allows(nil, action), "a staff member without a role may do nothing")
    }

    @Test func theAdministratorTouchesNoCustomerAndTheTechnicianNoFlow() {
        for action in Action.allCases {
            let customerWork: Set<Action> = [.ticketOpen, .ticketNote, .customerEdit, .callbackAdd, .parcels, .custody, .importData, .ticketPay]
            if customerWork.contains(action) { #expect(!Permissions.allows(.administrator, action), "administrator × \(action)") }
        }
        for action: Action in [.ticketDispatch, .ticketClose, .ticketCancel, .customerEdit, .staffManage, .grantApply] {
            #expect(!Permissions.allows(.technician, action))
            #expect(!Permissions.allows(.supplier, action))
        }
        #expect(Permissions.action(for: .dispatch) == .ticketDispatch)
        #expect(Permissions.action(for: .callBack) == .callbackAdd)
    }

    @Test func aRefusalSaysWhoMayNotDoWhat() {
        #expect(PermissionDenied(role: .technician, action: .ticketDispatch).description
                == "permission denied: technician may not ticket dispatch")
        #expect(throws: PermissionDenied(role: .cashier, action: .staffManage)) { try Permissions.check(.cashier, .staffManage) }
        #expect(PermissionDenied(role: nil, action: .ticketOpen).description.hasPrefix("permission denied: staff without a role may not"))
    }
}
