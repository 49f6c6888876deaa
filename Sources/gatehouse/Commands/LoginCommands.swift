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
            let store = SessionStore(desk.directory)
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(user): ", option: "--password-stdin")
            let outcome = try desk.login(user: user, password: password, lifetime: hours * 3600)
            // One session per directory: whatever happened, the previous one ends (a failed
            // login must not leave the previous person logged in).
            if let previous = try? store.load() { _ = try? desk.logout(token: previous.token) }
            switch outcome {
            case .success(let member, let token, _):
                let role = try desk.role(of: member.id)
                let session = Session(token: token, staff: member.id, name: member.name, role: role?.rawValue, center: member.center,
                                      replicaID: desk.unsafeReplica.id.rawValue, startedAt: Date(), lifetime: hours * 3600)
                try store.save(session)
                print("logged in as \(member.id) \(member.name)（\(role?.displayName ?? "无岗位")）until \(TimeFormat.short(session.expiresAt))")
            case .failed:
                // A failed login ends the previous person's session too.
                _ = try? store.remove()
                throw CLIError("wrong user name or password")
            case .locked(let until):
                _ = try? store.remove()
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
            let desk = try data.openDesk()
            let store = SessionStore(desk.directory)
            let who = try? store.load()
            if let who { try desk.logout(token: who.token) }
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
            let me = try SignedIn.desk(desk, clock: .system).principal!
            guard let s = try SessionStore(desk.directory).load() else { throw CLIError("not logged in") }
            let info = Me(staff: me.staff, name: me.name, role: me.role?.rawValue, center: me.center,
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
