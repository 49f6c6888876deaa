import ArgumentParser
import Foundation
import ServiceDesk

/// `--data DIR`, falling back to GATEHOUSE_DATA.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The node's or hub's data directory (default: $GATEHOUSE_DATA).", valueName: "DIR"))
    var data: String?

    var directory: DataDirectory {
        get throws {
            guard let path = data ?? ProcessInfo.processInfo.environment["GATEHOUSE_DATA"], !path.isEmpty else {
                throw CLIError("say which data directory to use: --data DIR or GATEHOUSE_DATA")
            }
            return DataDirectory(path: path)
        }
    }

    func openDesk() throws -> Desk { try Desk.open(try directory) }
}

/// The logged-in staff member (the data directory's session, `gatehouse login`) and the
/// clock for writes.
struct ActingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Act as if it were this time, China time (default: $GATEHOUSE_NOW, else now).", valueName: "YYYY-MM-DD HH:MM", visibility: .hidden))
    var now: String?

    /// The logged-in staff member, once their role may perform `action`; a refusal is
    /// recorded in the audit trail and nothing else is written.
    func acting(_ action: Action, _ data: DataOptions) throws -> Acting {
        let desk = try data.openDesk()
        let me = try SignedIn.current(desk, now: try clock())
        try SignedIn.authorize(me, action, desk)
        return me
    }

    /// The logged-in staff member, for commands that check their own permissions.
    func acting(_ data: DataOptions) throws -> Acting {
        try SignedIn.current(try data.openDesk(), now: try clock())
    }

    func clock() throws -> Date { try CommandClock.now(now) }
}

/// Who is looking, for read commands: the logged-in staff member (`gatehouse login`),
/// whose role decides what is shown in clear.
struct ViewerOptions: ParsableArguments {
    /// The logged-in staff member's id; the session's expiry is checked against the real clock.
    func staff(_ desk: Desk) throws -> String {
        try SignedIn.current(desk, now: Date()).staff
    }
}

/// `--json` or `--csv` for lists that can be exported.
struct ExportOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
    @Flag(name: .long, help: "Print CSV (UTF-8, for Excel) instead of a table; an export, audited as such.")
    var csv = false
    func validate() throws {
        if json && csv { throw ValidationError("choose one of --json and --csv") }
    }
}

/// `--now` for read commands (overdue lists).
struct ClockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Evaluate as if it were this time, China time (default: $GATEHOUSE_NOW, else now).", valueName: "YYYY-MM-DD HH:MM", visibility: .hidden))
    var now: String?
    func clock() throws -> Date { try CommandClock.now(now) }
}

enum CommandClock {
    static func now(_ option: String?) throws -> Date {
        if let s = option ?? ProcessInfo.processInfo.environment["GATEHOUSE_NOW"], !s.isEmpty { return try TimeFormat.parse(s) }
        return Date()
    }
}

/// `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}

/// A user-facing error from the command line itself.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ m: String) { description = m }
}
