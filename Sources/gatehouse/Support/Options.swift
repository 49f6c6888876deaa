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

/// `--staff ID` and the clock for writes.
struct ActingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The staff member acting (default: $GATEHOUSE_STAFF).", valueName: "ID"))
    var staff: String?

    @Option(name: .long, help: ArgumentHelp("Act as if it were this time, China time (default: $GATEHOUSE_NOW, else now).", valueName: "YYYY-MM-DD HH:MM", visibility: .hidden))
    var now: String?

    var acting: Acting {
        get throws {
            guard let s = staff ?? ProcessInfo.processInfo.environment["GATEHOUSE_STAFF"], !s.isEmpty else {
                throw CLIError("say who is acting: --staff ID or GATEHOUSE_STAFF")
            }
            return Acting(staff: s, now: try clock())
        }
    }

    func clock() throws -> Date { try CommandClock.now(now) }
}

/// `--staff ID` for read commands: who is looking, which decides what is shown in clear
/// (issue 6). Until login lands the role is looked up in the staff directory.
struct ViewerOptions: ParsableArguments {
    @Option(name: .customLong("staff"), help: ArgumentHelp("The staff member looking (default: $GATEHOUSE_STAFF).", valueName: "ID"))
    var viewerStaff: String?

    var staff: String {
        get throws {
            guard let s = viewerStaff ?? ProcessInfo.processInfo.environment["GATEHOUSE_STAFF"], !s.isEmpty else {
                throw CLIError("say who is looking: --staff ID or GATEHOUSE_STAFF")
            }
            return s
        }
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
