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

/// The desk acting for the logged-in staff member (the data directory's session,
/// `gatehouse login`), on the directory's clock. The desk checks every permission itself.
struct ActingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Act as if it were this time, China time (default: $GATEHOUSE_NOW, else now); only on a directory created with --demo.", valueName: "YYYY-MM-DD HH:MM", visibility: .hidden))
    var now: String?

    /// The desk signed in as the session's staff member.
    func desk(_ data: DataOptions) throws -> Desk {
        try SignedIn.desk(try data.openDesk(), clock: try CommandClock.clock(now))
    }
}

/// The desk for read commands, signed in as the logged-in staff member, whose role decides
/// what is shown in clear.
struct ViewerOptions: ParsableArguments {
    func desk(_ data: DataOptions, _ clock: ClockOptions? = nil) throws -> Desk {
        try SignedIn.desk(try data.openDesk(), clock: try CommandClock.clock(clock?.now))
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
    @Option(name: .long, help: ArgumentHelp("Evaluate as if it were this time, China time (default: $GATEHOUSE_NOW, else now); only on a directory created with --demo.", valueName: "YYYY-MM-DD HH:MM", visibility: .hidden))
    var now: String?
    func clock() throws -> DeskClock { try CommandClock.clock(now) }
}

/// The clock a command asks for: simulated when `--now` or GATEHOUSE_NOW is given (the
/// desk refuses that on a directory not created with `--demo`), else the real one.
enum CommandClock {
    static func clock(_ option: String?) throws -> DeskClock {
        if let s = option ?? ProcessInfo.processInfo.environment["GATEHOUSE_NOW"], !s.isEmpty { return .simulated(try TimeFormat.parse(s)) }
        return .system
    }
}

/// `--limit` and `--offset` for every list, and the line that says when a list is cut.
struct PageOptions: ParsableArguments {
    @Option(help: "Show at most this many.") var limit = 200
    @Option(help: "Skip this many first: the next page of a cut list (--offset 200 after the first 200).") var offset = 0

    func validate() throws {
        if !(1...1_000_000).contains(limit) { throw ValidationError("--limit is 1 to 1000000") }
        if offset < 0 { throw ValidationError("--offset cannot be negative") }
    }

    /// On stderr, so the table, JSON or CSV on stdout stays whole for scripts: "showing
    /// 1–200 of 20,137; the next page: --offset 200 (or a larger --limit)".
    func note(shown: Int, total: Int) {
        guard offset > 0 || shown < total else { return }
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.locale = Locale(identifier: "en_US")
        func n(_ x: Int) -> String { f.string(from: NSNumber(value: x)) ?? String(x) }
        var line = shown == 0 ? "showing none of \(n(total))" : "showing \(n(offset + 1))–\(n(offset + shown)) of \(n(total))"
        if offset + shown < total { line += "; the next page: --offset \(offset + shown) (or a larger --limit)" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
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
