import Foundation
import GRDB
import TestSupport
import Replication
import ServiceDesk
import Testing

/// Logging in, out, expiry, lockout and refused actions, through the built binary on a
/// real data directory.
@Suite(.serialized) struct LoginEndToEndTests {
    static func business(_ g: Gatehouse) throws -> [RecordState] { try g.business() }

    func login(_ g: Gatehouse, _ user: String, _ password: String) throws -> Gatehouse.Result {
        try g.raw(["login", "--user", user, "--password-stdin"], stdin: password + "\n")
    }

    var sessionPath: (Gatehouse) -> String { { URL(fileURLWithPath: $0.data).appendingPathComponent("session.json").path } }

    @Test func initWithoutAPasswordCreatesNothingAndInitMakesAnAdministrator() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let r = try g.raw(["node", "init", "--center", "C001", "--name", "阳光花园管理服务中心"])
        #expect(r.status == 1 && r.err.hasPrefix("error: no terminal") && r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: g.data + "/gatehouse.json"))
        let short = try g.raw(["node", "init", "--center", "C001", "--name", "阳光", "--admin-password-stdin"], stdin: "short\n")
        #expect(short.status == 1 && short.err.contains("at least 8 characters"))
        #expect(!FileManager.default.fileExists(atPath: g.data + "/gatehouse.json"))

        let ok = try g.raw(["node", "init", "--center", "C001", "--name", "阳光", "--admin", "A01", "--admin-name", "管理员小李",
                            "--admin-password-stdin"], stdin: "first-admin-pw\n")
        #expect(ok.status == 0, "\(ok.err)")
        let li = try login(g, "A01", "first-admin-pw")
        #expect(li.status == 0 && li.out.contains("A01 管理员小李"), "\(li.err)")
        let who = try g.raw(["whoami", "--json"])
        #expect(who.out.contains("\"role\" : \"admin\"") && who.out.contains("\"staff\" : \"A01\""), "\(who.out)")
        let attrs = try FileManager.default.attributesOfItem(atPath: sessionPath(g))
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // The hash is in the replicated staff directory, never the password itself.
        let staff = try #require(try g.states().first { $0.table == "staff" && $0.id == "A01" })
        let stored = "\(staff)"
        #expect(stored.contains("pbkdf2-sha256$") && !stored.contains("first-admin-pw"))
    }

    @Test func aWrongUserAndAWrongPasswordGetTheSameAnswer() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        try g.ok("logout")
        let wrongPassword = try login(g, "S001", "not-the-password")
        let wrongUser = try login(g, "S999", TestLogin.password)
        #expect(wrongPassword.status == 1 && wrongUser.status == 1)
        #expect(wrongPassword.err == "error: wrong user name or password\n")
        #expect(wrongUser.err == wrongPassword.err)
        #expect(wrongUser.out.isEmpty && wrongPassword.out.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sessionPath(g)))
        let nobody = try g.raw(["ticket", "open", "--kind", "inquiry", "--summary", "停车"])
        #expect(nobody.status == 1 && nobody.err.hasPrefix("error: not logged in"), "\(nobody.err)")
    }

    @Test func theStaffDirectoryNeedsALoginAndMasksColleaguesPhones() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        try g.ok("staff", "update", "T01", "--phone", "13912345678")
        // A command that creates a record prints it with --json.
        let added = try g.ok("staff", "add", "--id", "K01", "--name", "钱收款", "--role", "cashier", "--json")
        #expect(added.contains("\"id\" : \"K01\"") && added.contains("钱收款"), "\(added)")
        try g.ok("logout")
        let anon = try g.raw(["staff", "list"])
        #expect(anon.status == 1 && anon.err.hasPrefix("error: not logged in") && anon.out.isEmpty, "\(anon)")
        // A front-desk clerk sees who works here, a colleague's phone masked.
        let clerk = try g.ok("staff", "list", "--json", staff: "S001")
        #expect(clerk.contains("李师傅") && clerk.contains("139****5678") && !clerk.contains("13912345678"), "\(clerk)")
        // The administrator, who manages staff, sees it in clear.
        let admin = try g.runArgs(["staff", "list", "--json"], staff: TestLogin.admin)
        #expect(admin.status == 0 && admin.out.contains("13912345678"), "\(admin)")
    }

    @Test func repeatedFailuresLockTheAccountEvenForTheRightPassword() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        try g.ok("logout")
        for _ in 0..<LoginThrottle.maxFailures { #expect(try login(g, "S001", "guess-guess").status == 1) }
        let locked = try login(g, "S001", TestLogin.password)
        #expect(locked.status == 1 && locked.err.hasPrefix("error: too many failed logins for S001"), "\(locked.err)")
        #expect(!FileManager.default.fileExists(atPath: sessionPath(g)))
        // Unknown names lock the same way, so a lock tells nothing about whether an account exists.
        for _ in 0..<LoginThrottle.maxFailures { _ = try login(g, "ghost", "guess-guess") }
        #expect(try login(g, "ghost", "guess-guess").err.hasPrefix("error: too many failed logins for ghost"))
        // Others are not affected.
        #expect(try login(g, "T01", TestLogin.password).status == 0)
        // The trail has each failure, the two lockouts and the logins; an unknown name is
        // recorded without an account (the name typed is not stored: it may be a password).
        let trail = try Desk.open(DataDirectory(path: g.data)).signedIn(as: TestLogin.adminID(g.data)).auditEntries()
        let failed = trail.filter { $0.action == "login-failed" }
        #expect(failed.filter { $0.staff == "S001" }.count == LoginThrottle.maxFailures + 1)
        #expect(failed.filter { $0.staff == nil }.count == LoginThrottle.maxFailures + 1)
        #expect(!trail.contains { ($0.detail ?? "").contains("ghost") })
        #expect(trail.filter { $0.action == "lockout" }.map(\.staff) == ["S001", nil])
        #expect(trail.last?.action == "login" && trail.last?.staff == "T01" && trail.last?.role == "technician")
        #expect(try Desk.open(DataDirectory(path: g.data)).verifyAudit().problems.isEmpty)
        // The lock lives in the database: no file to delete, and the administrator lifts it.
        #expect(!FileManager.default.fileExists(atPath: g.data + "/login-failures.json"))
        #expect(try login(g, "S001", TestLogin.password).err.hasPrefix("error: too many failed logins"))
        #expect(try g.runArgs(["staff", "unlock", "S001"], staff: "T01").err.contains("permission denied: technician may not manage staff"))
        try g.ok("staff", "unlock", "S001", staff: TestLogin.admin)
        #expect(try login(g, "S001", TestLogin.password).status == 0)
    }

    @Test func parallelLoginsCannotGetPastTheLimit() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        try g.ok("logout")
        // Twelve guesses at once, as twelve processes: at most five are ever checked.
        let results = try (0..<12).map { _ -> Process in
            guard let bin = Gatehouse.binary else { throw CLIMissing() }
            let p = Process()
            p.executableURL = bin
            p.arguments = ["login", "--data", g.data, "--user", "S001", "--password-stdin"]
            var env = ProcessInfo.processInfo.environment
            env["GATEHOUSE_NOW"] = nil
            p.environment = env
            let input = Pipe()
            p.standardInput = input
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            input.fileHandleForWriting.write(Data("guess-guess\n".utf8))
            try input.fileHandleForWriting.close()
            return p
        }
        for p in results { p.waitUntilExit() }
        #expect(results.allSatisfy { $0.terminationStatus == 1 })
        let trail = try Desk.open(DataDirectory(path: g.data)).signedIn(as: TestLogin.adminID(g.data)).auditEntries()
        let checked = trail.filter { $0.action == "login-failed" && $0.staff == "S001" && $0.detail != "locked" }
        #expect(checked.count <= LoginThrottle.maxFailures, "\(checked.count) passwords were checked")
        #expect(try login(g, "S001", TestLogin.password).err.hasPrefix("error: too many failed logins"))
    }

    @Test func aSessionFileEditedByHandAuthenticatesNobodyElse() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        #expect(TestLogin.loggedIn(g.data) == "S001")
        // Claim to be the manager: the token still belongs to S001, so S001 acts.
        var o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sessionPath(g)))) as? [String: Any])
        o["staff"] = "M01"
        o["role"] = "center_manager"
        try JSONSerialization.data(withJSONObject: o).write(to: URL(fileURLWithPath: sessionPath(g)))
        let who = try g.raw(["whoami", "--json"])
        #expect(who.out.contains("\"staff\" : \"S001\"") && !who.out.contains("M01"), "\(who.out)")
        let price = try g.raw(["price", "add", "--code", "R09", "--name", "疏通", "--price", "50"])
        #expect(price.err.contains("permission denied: front_desk may not edit the price list"), "\(price.err)")
        // A forged token is nobody.
        o["token"] = String(repeating: "ab", count: 32)
        try JSONSerialization.data(withJSONObject: o).write(to: URL(fileURLWithPath: sessionPath(g)))
        let forged = try g.raw(["customer", "list"])
        #expect(forged.status == 1 && forged.err.contains("not logged in"), "\(forged.err)")
        // A failed login ends the session that was there.
        _ = try login(g, "S001", TestLogin.password)
        #expect(try g.raw(["whoami"]).status == 0)
        #expect(try login(g, "M01", "wrong-password").status == 1)
        #expect(try g.raw(["whoami"]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: sessionPath(g)))
    }

    @Test func theDataDirectoryAndDatabaseAreTheOwnersOnly() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        func mode(_ path: String) throws -> Int {
            try #require((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
        }
        #expect(try mode(g.data) == 0o700)
        for f in ["gatehouse.sqlite", "gatehouse.sqlite-wal", "gatehouse.sqlite-shm", "gatehouse.json", "session.json"]
            where FileManager.default.fileExists(atPath: g.data + "/" + f) {
            #expect(try mode(g.data + "/" + f) == 0o600, "\(f)")
        }
    }

    @Test func anExpiredSessionActsForNobody() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        // Age the session where it lives, in the database: its expiry an hour ago.
        let db = try DatabaseQueue(path: g.data + "/gatehouse.sqlite")
        try db.write { try $0.execute(sql: "UPDATE local_session SET expires_at = ?", arguments: [Int64(Date().addingTimeInterval(-3600).timeIntervalSince1970 * 1000)]) }
        try db.close()
        let before = try Self.business(g)
        let r = try g.raw(["customer", "add", "--name", "李四", "--phone", "13900001111", "--unit", "1栋101"])
        #expect(r.status == 1 && r.err.contains("ended at") && r.err.contains("log in again"), "\(r.err)")
        #expect(try Self.business(g) == before)
        #expect(!FileManager.default.fileExists(atPath: sessionPath(g)), "an expired session is removed")
        // --hours bounds the lifetime.
        #expect(try g.raw(["login", "--user", "S001", "--password-stdin", "--hours", "48"], stdin: TestLogin.password + "\n").status != 0)
    }

    @Test func refusedActionsSayWhoMayNotAndWriteNothing() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        let customer = try g.setUpNode()
        try g.ok("staff", "add", "--id", "C01", "--name", "孙收款", "--role", "cashier")
        let number = try g.ok("ticket", "open", "--kind", "repair", "--channel", "phone", "--summary", "厨房水管漏水", "--customer", customer)
        let before = try Self.business(g)
        func refused(_ staff: String, _ args: [String], _ message: String) throws {
            let r = try g.runArgs(args, staff: staff)
            #expect(r.status == 1, "\(staff) \(args) should be refused")
            #expect(r.err == "error: \(message)\n", "\(staff) \(args): \(r.err)")
            #expect(r.out.isEmpty)
            #expect(try Self.business(g) == before, "\(staff) \(args) changed the database")
        }
        try refused("T01", ["ticket", "dispatch", number, "--to", "T01"], "permission denied: technician may not ticket dispatch")
        try refused("T01", ["ticket", "close", number], "permission denied: technician may not ticket close")
        try refused("T01", ["customer", "add", "--name", "李四", "--phone", "13900001111", "--unit", "1栋101"],
                    "permission denied: technician may not edit customers")
        try refused("C01", ["ticket", "open", "--kind", "inquiry", "--summary", "停车"], "permission denied: cashier may not ticket open")
        try refused("admin", ["ticket", "open", "--kind", "inquiry", "--summary", "停车"], "permission denied: admin may not ticket open")
        try refused("S001", ["price", "add", "--code", "R09", "--name", "疏通", "--price", "50"],
                    "permission denied: front_desk may not edit the price list")
        try refused("S001", ["ticket", "service", number, "--off-list", "--reviewed-by", "S001", "--fee", "50"],
                    "permission denied: front_desk may not review an off-list service")
        // Staff management is the administrator's: the front desk may not add or change staff.
        let add = try g.raw(["staff", "add", "--id", "X01", "--name", "外人", "--role", "manager"])
        #expect(add.status == 1 && add.err.contains("permission denied: front_desk may not manage staff"), "\(add.err)")
        #expect(try Self.business(g) == before)
        // Each refusal is in the audit trail, with who, the role and the action refused.
        let denied = try Desk.open(DataDirectory(path: g.data)).signedIn(as: TestLogin.adminID(g.data)).auditEntries(AuditQuery(action: "denied"))
        #expect(denied.count == 8)
        #expect(denied.first.map { [$0.staff, $0.role, $0.detail] } == ["T01", "technician", "ticket dispatch"])
        #expect(denied.last.map { [$0.staff, $0.role, $0.detail] } == ["S001", "front_desk", "manage staff"])

        // Allowed ones still go through, as the person logged in.
        try g.ok("ticket", "dispatch", number, "--to", "T01")
        try g.ok("ticket", "arrive", number, staff: "T01")
        let tl = try g.ok("ticket", "show", number, "--json")
        #expect(tl.contains("\"staff\" : \"T01\""))
    }

    @Test func aRoleChangeCountsAtOnceAndStaffChangeTheirOwnPassword() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        try g.ok("staff", "update", "S001", "--role", "cashier")
        let r = try g.runArgs(["ticket", "open", "--kind", "inquiry", "--summary", "停车"], staff: "S001")
        #expect(r.err == "error: permission denied: cashier may not ticket open\n", "\(r.err)")
        #expect(try g.raw(["staff", "password", "--password-stdin"], stdin: "a-brand-new-one\n").status == 0)
        #expect(try g.raw(["staff", "password", "T01", "--password-stdin"], stdin: "a-brand-new-one\n").err
                .contains("permission denied: cashier may not manage staff"))
        #expect(try login(g, "S001", TestLogin.password).status == 1)
        #expect(try login(g, "S001", "a-brand-new-one").status == 0)
        // A deactivated member's session ends.
        try g.ok("staff", "update", "T01", "--active", "no")
        #expect(try login(g, "T01", TestLogin.password).err == "error: wrong user name or password\n")
    }
}
