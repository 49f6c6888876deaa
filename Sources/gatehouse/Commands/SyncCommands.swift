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
            LoggingSetup.bootstrap(verbose: verbose)
            if let bind { try Endpoint.validate(bind) }
            StopSignal.install()
            var options = HubRuntimeOptions()
            if let h = heartbeatMilliseconds { options.limits.heartbeatInterval = .milliseconds(h) }
            if let n = maxBatchRecords { options.limits.maxBatchRecords = n }
            if let b = maxBatchBytes { options.limits.maxBatchBytes = b }
            let server = try HubServer(directory: try data.directory, endpoint: bind, options: options)
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
    @OptionGroup(title: "Web desk") var web: WebOptions

    func run() throws {
        try perform {
            LoggingSetup.bootstrap(verbose: verbose)
            StopSignal.install()
            let client = try NodeClient(directory: try data.directory)
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

    func validate() throws {
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout is 1 second to 1 day") }
    }

    func run() throws {
        try perform {
            LoggingSetup.bootstrap(verbose: verbose)
            StopSignal.install()
            let client = try NodeClient(directory: try data.directory)
            try client.run(.once(timeout: .milliseconds(Int(timeout * 1000))))
            let r = client.desk.unsafeReplica
            print("up to date with the hub (log position \(try r.localClock().sequence))")
        }
    }
}

enum LoggingSetup {
    /// Logs go to stderr; notices and above unless verbose.
    static func bootstrap(verbose: Bool) {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = verbose ? .debug : .notice
            return h
        }
    }
}
