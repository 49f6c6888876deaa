import ArgumentParser
import Foundation
import ServiceDesk

struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in on this data directory: every command after it acts as you until logout or expiry.",
        discussion: """
            A wrong user name or password gets the same answer either way. After \(LoginThrottle.maxFailures) \
            failures within \(Int(LoginThrottle.window / 60)) minutes the name is locked for \
            \(Int(LoginThrottle.lockDuration / 60)) minutes. The session lasts --hours (default 12) and is kept \
            in the data directory, readable only by its owner.
            """)
    @OptionGroup var data: DataOptions
    @Option(help: "Your staff id, e.g. S001.") var user: String
    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input (for scripts).")
    var passwordStdin = false
    @Option(help: "How long the session lasts, in hours (at most 24).") var hours: Double = Session.defaultLifetime / 3600

    func validate() throws {
        guard hours > 0, hours <= 24 else { throw ValidationError("--hours must be more than 0 and at most 24") }
    }

    func run() throws {
        try perform {
            let desk = try data.openDesk()
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(user): ", option: "--password-stdin")
            let now = Date()
            switch try desk.authenticate(user: user, password: password, at: now) {
            case .success(let member):
                let role = try desk.role(of: member.id)
                let session = Session(staff: member.id, name: member.name, role: role?.rawValue, center: member.center,
                                      replicaID: desk.replica.id.rawValue, startedAt: now, lifetime: hours * 3600)
                try SessionStore(desk.directory).save(session)
                AuditLog.record(desk, action: "login", staff: member.id, role: role)
                print("logged in as \(member.id) \(member.name)（\(role?.displayName ?? "无岗位")）until \(TimeFormat.short(session.expiresAt))")
            case .failed(let staff, let lockedUntil):
                AuditLog.record(desk, action: "login-failed", staff: staff, role: try staff.flatMap(desk.role(of:)),
                                detail: staff == nil ? "unknown user name" : nil)
                if let lockedUntil {
                    AuditLog.record(desk, action: "lockout", staff: staff, role: try staff.flatMap(desk.role(of:)),
                                    detail: "locked until \(TimeFormat.short(lockedUntil))")
                }
                throw CLIError("wrong user name or password")
            case .locked(let staff, let until):
                AuditLog.record(desk, action: "login-failed", staff: staff, role: try staff.flatMap(desk.role(of:)),
                                detail: "locked")
                throw CLIError("too many failed logins for \(user): try again after \(TimeFormat.short(until))")
            }
        }
    }
}

struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the session on this data directory.")
    @OptionGroup var data: DataOptions
    func run() throws {
        try perform {
            let store = SessionStore(try data.directory)
            let who = try? store.load()
            print(try store.remove() ? "logged out \(who?.staff ?? "")" : "nobody was logged in")
        }
    }
}

struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Who is logged in on this data directory, and until when.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    struct Me: Encodable {
        var staff: String
        var name: String
        var role: String?
        var center: String?
        var since: Date
        var until: Date
    }
    func run() throws {
        try perform {
            let desk = try data.openDesk()
            let me = try SignedIn.current(desk, now: Date())
            guard let s = try SessionStore(desk.directory).load() else { throw CLIError("not logged in") }
            let member = try desk.staff(includeInactive: true).first { $0.id == me.staff }
            let info = Me(staff: me.staff, name: member?.name ?? s.name, role: me.role?.rawValue, center: member?.center,
                          since: s.startedAt, until: s.expiresAt)
            if output.json { return try Output.json(info) }
            Output.fields([("staff", info.staff), ("name", info.name),
                           ("role", me.role.map { "\($0.rawValue) \($0.displayName)" } ?? "(none)"),
                           ("center", info.center), ("since", TimeFormat.short(s.startedAt)), ("until", TimeFormat.short(s.expiresAt))])
        }
    }
}

/// `--admin ID --admin-password-stdin` for `node init` and `hub init`: the first
/// administrator, so a directory set up offline can be logged into at once.
struct AdminOptions: ParsableArguments {
    @Option(help: "The first administrator's staff id (default admin-<center>, e.g. admin-C001; admin-HQ at the hub).")
    var admin: String?
    @Option(name: .customLong("admin-name"), help: "The first administrator's name.") var adminName = "系统管理员"
    @Flag(name: .customLong("admin-password-stdin"), help: "Read the administrator's password from standard input (else a prompt).")
    var passwordStdin = false

    /// The administrator's id. Staff ids name records of the directory every center shares
    /// with head office, so the default carries the center: one `admin` per node would be
    /// one record edited from everywhere.
    func id(center: String) throws -> String {
        if let admin { return admin }
        return "admin-\(try CenterCode.validate(center))"
    }

    /// Asks for the password before anything is created, so a missing one leaves nothing behind.
    func password(center: String) throws -> String {
        try PasswordHash.validate(try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for administrator \(try id(center: center)): ",
                                                         option: "--admin-password-stdin"))
    }
}
