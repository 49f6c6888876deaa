import ArgumentParser
import Foundation
import Logging
import ServiceDesk
import SyncProtocol
import SyncRuntime
import WebDesk

struct HubRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the hub's sync server until SIGINT/SIGTERM.")
    @OptionGroup var data: DataOptions
    @Option(help: "Listen here instead of the configured address.") var bind: String?
    @Flag(help: "Log every session event.") var verbose = false
    @Option(name: .customLong("log-format"), help: "text (default) or json (one object per line, for log shippers).") var logFormat: LogFormat = .text
    // For tests that kill and restart processes: a short heartbeat makes nodes notice a
    // restarted hub in a second instead of 15. Not for production (more idle traffic).
    @Option(name: .customLong("heartbeat-ms"), help: .hidden) var heartbeatMilliseconds: Int?
    // The batch bounds this hub announces in WELCOME (SPEC.md §12): a batch must cross the
    // slowest center's link within the 15 s heartbeat deadline.
    @Option(name: .customLong("max-batch-records"),
            help: "Most records per batch this hub announces (default 2000).") var maxBatchRecords: Int?
    @OptionGroup(title: "Web console") var web: WebOptions
    @Option(name: .customLong("max-batch-bytes"),
            help: ArgumentHelp("Target size of a batch in bytes (default 2097152).",
                               discussion: "A batch must reach the hub within the heartbeat deadline (15 s): about 1.2 Mbit/s for the default. Lower both for centers on slower links.")) var maxBatchBytes: Int?

    func validate() throws {
        if let h = heartbeatMilliseconds, !(50...60_000).contains(h) { throw ValidationError("--heartbeat-ms is 50 to 60000") }
        if let n = maxBatchRecords, !(1...100_000).contains(n) { throw ValidationError("--max-batch-records is 1 to 100000") }
        let maxBytes = SyncLimits.default.maxMessageBytes
        if let b = maxBatchBytes, !(1024...maxBytes).contains(b) { throw ValidationError("--max-batch-bytes is 1024 to \(maxBytes)") }
    }

    func run() throws {
        try perform {
            LoggingSetup.bootstrap(verbose: verbose, format: logFormat)
            if let bind { try Endpoint.validate(bind) }
            // First, before anything is read or written: one server per directory.
            let lock = try DaemonLock.acquire(try data.directory, what: "hub server (hub run)")
            StopSignal.install()
            var options = HubRuntimeOptions()
            if let h = heartbeatMilliseconds { options.limits.heartbeatInterval = .milliseconds(h) }
            if let n = maxBatchRecords { options.limits.maxBatchRecords = n }
            if let b = maxBatchBytes { options.limits.maxBatchBytes = b }
            let server = try HubServer(directory: try data.directory, endpoint: bind, options: options)
            server.lock = lock
            let console = try WebServing.start(.console, web, try data.directory)
            defer { console.stop() }
            try server.run()
        }
    }
}

struct NodeRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the node's sync daemon: follows local writes, survives hub outages, stops on SIGINT/SIGTERM.")
    @OptionGroup var data: DataOptions
    @Flag(help: "Log every session event.") var verbose = false
    @Option(name: .customLong("log-format"), help: "text (default) or json (one object per line, for log shippers).") var logFormat: LogFormat = .text
    @OptionGroup(title: "Web desk") var web: WebOptions

    func run() throws {
        try perform {
            LoggingSetup.bootstrap(verbose: verbose, format: logFormat)
            // First, before anything is read or written: a second daemon on the directory
            // is refused and leaves the first one's status as it was.
            let lock = try DaemonLock.acquire(try data.directory, what: "node daemon (node run)")
            StopSignal.install()
            let client = try NodeClient(directory: try data.directory)
            client.lock = lock
            let desk = try WebServing.start(.desk, web, try data.directory)
            defer { desk.stop() }
            try client.run(.daemon)
        }
    }
}

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Push local changes to the hub and pull the hub's, once; exit 0 when up to date.")
    @OptionGroup var data: DataOptions
    @Option(help: "Give up after this many seconds.") var timeout: Double = 30
    @Flag(help: "Log every session event.") var verbose = false
    @Option(name: .customLong("log-format"), help: "text (default) or json (one object per line, for log shippers).") var logFormat: LogFormat = .text

    func validate() throws {
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout is 1 second to 1 day") }
    }

    func run() throws {
        try perform {
            LoggingSetup.bootstrap(verbose: verbose, format: logFormat)
            StopSignal.install()
            let client = try NodeClient(directory: try data.directory)
            try client.run(.once(timeout: .milliseconds(Int(timeout * 1000))))
            let r = client.desk.unsafeReplica
            print("up to date with the hub (log position \(try r.localClock().sequence))")
        }
    }
}

/// How the daemons write their log lines.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// `2026-12-06T17:05:01.123+08:00 notice gatehouse.hub: hub listening endpoint=…`
    case text
    /// One JSON object per line, for log shippers: time, level, label, message, metadata.
    case json
}

enum LoggingSetup {
    /// Logs go to stderr; notices and above (start, stop, connect, reconnect, refusals)
    /// unless verbose; times in China time, as the desk shows them.
    static func bootstrap(verbose: Bool, format: LogFormat = .text) {
        LoggingSystem.bootstrap { label in
            var h = DaemonLogHandler(label: label, format: format)
            h.logLevel = verbose ? .debug : .notice
            return h
        }
    }
}

/// The daemons' log handler: one line per event on stderr, text or JSON, stamped in
/// China time (UTC+8, no daylight saving) with milliseconds.
struct DaemonLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static func timestamp(_ d: Date) -> String {
        let ms = Int64((d.timeIntervalSince1970 * 1000).rounded(.down)) + 8 * 3_600_000
        let days = Int(ms.quotientAndRemainder(dividingBy: 86_400_000).quotient - (ms < 0 ? 1 : 0))
        let inDay = Int(ms - Int64(days) * 86_400_000)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        // By hand: `String(format:)` was most of a log line's cost, one line per session at the hub.
        var out = ""
        out.reserveCapacity(29)
        func pad(_ v: Int, _ width: Int) {
            let digits = String(v)
            if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
            out += digits
        }
        pad(year, 4); out += "-"; pad(month, 2); out += "-"; pad(day, 2); out += "T"
        pad(inDay / 3_600_000, 2); out += ":"; pad(inDay / 60_000 % 60, 2); out += ":"; pad(inDay / 1000 % 60, 2)
        out += "."; pad(inDay % 1000, 3); out += "+08:00"
        return out
    }

    func log(event: LogEvent) {
        var all = metadata
        if let m = event.metadata { all.merge(m) { $1 } }
        let time = Self.timestamp(Date())
        let line: String
        switch format {
        case .text:
            let meta = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
            line = "\(time) \(event.level) \(label): \(event.message)" + (meta.isEmpty ? "" : " " + meta) + "\n"
        case .json:
            var o: [String: Any] = ["time": time, "level": "\(event.level)", "label": label, "message": "\(event.message)"]
            if !all.isEmpty { o["metadata"] = all.mapValues { "\($0)" } }
            let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
