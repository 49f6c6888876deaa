import Foundation

/// How the end-to-end helpers act as a staff member now that commands take the acting
/// person from a login session: init commands get the first administrator's password on
/// standard input, `staff add` gives every new member the same test password, and before
/// a command the helper logs in as the staff member it acts for (a real `gatehouse login`,
/// only when the directory's session is someone else's).
public enum TestLogin {
    public static let password = "gatehouse-test-pw"
    /// Stands for the directory's first administrator (`admin-<center>`).
    public static let admin = "admin"

    /// The id `node init`/`hub init` gave the directory's administrator.
    public static func adminID(_ dir: String) -> String {
        let url = URL(fileURLWithPath: dir).appendingPathComponent("gatehouse.json")
        let o = FileManager.default.contents(atPath: url.path).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        return "admin-\((o?["center"] as? String) ?? "")"
    }

    /// Commands that act without a session (set-up, monitoring, the login commands).
    public static func needsSession(_ args: [String]) -> Bool {
        guard let first = args.first else { return false }
        if ["login", "logout", "whoami", "status", "sync", "backup", "restore"].contains(first) { return false }
        if args.contains("--help") { return false }
        let two = args.prefix(2).joined(separator: " ")
        return !["node init", "hub init", "node run", "hub run", "hub status", "node info", "hub nodes"].contains(two)
    }

    /// The arguments with the non-interactive password flags added, what goes on standard
    /// input, and who must be logged in (nil: nobody).
    public static func prepare(_ args: [String], staff: String?) -> (args: [String], stdin: String?, actAs: String?) {
        var a = args
        var who = staff
        // `--staff X` in a test's arguments names who acts (the option is gone from the CLI).
        if let i = a.firstIndex(of: "--staff"), i + 1 < a.count {
            who = a[i + 1]
            a.removeSubrange(i...(i + 1))
        }
        let two = a.prefix(2).joined(separator: " ")
        var stdin: String?
        if two == "node init" || two == "hub init" {
            if !a.contains("--admin-password-stdin") { a.append("--admin-password-stdin"); stdin = password + "\n" }
            return (a, stdin, nil)
        }
        if ["staff add", "staff update", "hub enroll", "hub revoke", "node connect"].contains(two) { who = admin }
        if two == "staff add", !a.contains("--password-stdin") { a.append("--password-stdin"); stdin = password + "\n" }
        return (a, stdin, needsSession(a) ? who : nil)
    }

    /// The data directory a command line works on.
    public static func dataDirectory(_ args: [String], env: [String: String]) -> String? {
        if let i = args.firstIndex(of: "--data"), i + 1 < args.count { return args[i + 1] }
        if let a = args.first(where: { $0.hasPrefix("--data=") }) { return String(a.dropFirst(7)) }
        return env["GATEHOUSE_DATA"] ?? ProcessInfo.processInfo.environment["GATEHOUSE_DATA"]
    }

    /// Who the directory's session is for, if anyone.
    public static func loggedIn(_ dir: String) -> String? {
        let url = URL(fileURLWithPath: dir).appendingPathComponent("session.json")
        guard let data = FileManager.default.contents(atPath: url.path),
              let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return o["staff"] as? String
    }

    /// Logs `staff` in on `dir` unless already; when that fails the session is removed, so
    /// the command runs as nobody rather than as the previous person.
    public static func ensure(_ who: String, in dir: String, run: (_ args: [String], _ stdin: String) throws -> Int32) throws {
        let staff = who == admin ? adminID(dir) : who
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: dir).appendingPathComponent("gatehouse.json").path),
              loggedIn(dir) != staff else { return }
        if try run(["login", "--data", dir, "--user", staff, "--password-stdin"], password + "\n") != 0 {
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: dir).appendingPathComponent("session.json").path)
        }
    }
}
