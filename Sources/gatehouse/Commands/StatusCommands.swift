import ArgumentParser
import Foundation
import ServiceDesk
import SyncRuntime

/// Threshold options shared by both status commands.
struct ThresholdOptions: ParsableArguments {
    @Option(name: .customLong("warn-backlog"), help: "Warn at this many changes waiting (default 1000).") var warnBacklog: Int?
    @Option(name: .customLong("crit-backlog"), help: "Critical at this many (default 10000).") var critBacklog: Int?
    @Option(name: .customLong("warn-age"), help: "Warn when the oldest waiting change is this many seconds old (default 3600).") var warnAge: Double?
    @Option(name: .customLong("crit-age"), help: "Critical age, seconds (default 86400).") var critAge: Double?
    @Option(name: .customLong("warn-offline"), help: "Warn after this many seconds without contact (default 3600).") var warnOffline: Double?
    @Option(name: .customLong("crit-offline"), help: "Critical after this many seconds (default 86400).") var critOffline: Double?
    @Option(name: .customLong("warn-lag"), help: "Warn at this many hub changes behind (default 1000).") var warnLag: Int64?
    @Option(name: .customLong("crit-lag"), help: "Critical lag (default 10000).") var critLag: Int64?

    var thresholds: StatusThresholds {
        var t = StatusThresholds()
        if let warnBacklog { t.backlogWarning = warnBacklog }
        if let critBacklog { t.backlogCritical = critBacklog }
        if let warnAge { t.pendingAgeWarning = warnAge }
        if let critAge { t.pendingAgeCritical = critAge }
        if let warnOffline { t.offlineWarning = warnOffline }
        if let critOffline { t.offlineCritical = critOffline }
        if let warnLag { t.lagWarning = warnLag }
        if let critLag { t.lagCritical = critLag }
        return t
    }

    func validate() throws {
        let values: [Double?] = [warnBacklog.map(Double.init), critBacklog.map(Double.init), warnAge, critAge, warnOffline, critOffline,
                                 warnLag.map(Double.init), critLag.map(Double.init)]
        if values.contains(where: { ($0 ?? 0) < 0 }) { throw ValidationError("thresholds cannot be negative") }
    }
}

/// Runs a status body once or, with --watch, every `interval` until SIGINT, then exits with
/// the health's code (0 ok, 1 warning, 2 critical; 3 when the status cannot be read).
func statusLoop(watch: Bool, interval: Double, _ body: () throws -> Health) throws -> Never {
    var health = Health.ok
    do {
        if watch {
            StopSignal.install()
            repeat {
                print("\u{1B}[H\u{1B}[2J", terminator: "")
                health = try body()
                fflush(nil)
                let until = Date().addingTimeInterval(interval)
                while Date() < until && !StopSignal.requested { Thread.sleep(forTimeInterval: 0.1) }
            } while !StopSignal.requested
        } else {
            health = try body()
        }
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(3)
    }
    exit(health.exitCode)
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "A center's sync status: connection, backlog, refusals, conflicts. Exit 0 ok, 1 warning, 2 critical, 3 unknown.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var limits: ThresholdOptions
    @Flag(help: "Refresh in place every --interval seconds, like top.") var watch = false
    @Option(help: "Seconds between refreshes with --watch.") var interval: Double = 2

    func run() throws {
        try statusLoop(watch: watch, interval: max(0.5, interval)) {
            let v = try NodeStatusView.read(try data.directory, thresholds: limits.thresholds)
            if output.json { try Output.json(v) } else { render(v) }
            if !output.json, (try? data.directory.loadConfig().demoClock) == true { DemoWarning.print() }
            return v.health
        }
    }

    func render(_ v: NodeStatusView) {
        func ago(_ d: Date?) -> String? { d.map { "\(Output.time($0)) (\(Ages.text(v.generatedAt.timeIntervalSince($0))) ago)" } }
        print("\(v.center) \(v.name) — \(v.health.rawValue.uppercased())")
        Output.fields([
            ("replica", v.replicaID), ("schema", String(v.schemaVersion)),
            ("hub", v.hub.endpoint.map { "\($0)  key \(v.hub.keyFingerprint ?? "?")" } ?? "not configured"),
            ("connection", v.connection.state + (v.connection.since.map { " since \(Output.time($0))" } ?? "")),
            ("daemon", v.daemon.running ? "running (pid \(v.daemon.pid.map(String.init) ?? "?"))" : "not running"),
            ("last push", ago(v.push.lastAt) ?? "never"), ("last pull", ago(v.pull.lastAt) ?? "never"),
            ("waiting", "\(v.push.pending) change(s)" + (v.push.oldestPendingAgeSeconds.map { ", oldest \(Ages.text($0))" } ?? "")),
            ("log", "head \(v.push.logHead), acknowledged \(v.push.acknowledgedSeq)"),
            ("pulled", "cursor \(v.pull.cursor), \(v.pull.behindAtLastContact) behind at last contact"),
            ("conflicts", "\(v.conflicts.open) open, \(v.conflicts.needsReview) awaiting review"),
            ("refused", v.refused.isEmpty ? "none" : "\(v.refused.count) record(s) refused by the hub"),
            ("kept out", v.quarantined == 0 ? nil : "\(v.quarantined) record(s) from the hub"),
            ("last error", v.connection.lastError.map { $0 + (v.connection.lastErrorAt.map { " (\(Output.time($0)))" } ?? "") }),
            ("database", "\(v.database.path) \(v.database.bytes / 1024) KiB"),
        ])
        if !v.refused.isEmpty {
            print("")
            Output.table(["table", "record", "code", "reason", "at"], v.refused.prefix(20).map { [$0.table, $0.record, String($0.code), $0.reason, Output.time($0.at)] })
        }
        for p in v.problems { print("\(p.level.rawValue.uppercased()): \(p.message)") }
    }
}

/// What `status` and `hub status` say about a directory created with `--demo`.
enum DemoWarning {
    static func print() {
        Swift.print("WARNING: this directory was created for demonstration (--demo): its users may set the clock (--now, GATEHOUSE_NOW), so its times and grants prove nothing; a real hub refuses its records")
    }
}

struct HubStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Every enrolled node at a glance. Exit 0 ok, 1 warning, 2 critical, 3 unknown.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var limits: ThresholdOptions
    @Flag(help: "Only nodes not connected.") var offline = false
    @Flag(help: "Only nodes lagging (backlog, age of the oldest waiting change, or pull lag past a warning threshold).") var lagging = false
    @Option(help: "Only this center.") var center: String?
    @Flag(help: "Refresh in place, like top.") var watch = false
    @Option(help: "Seconds between refreshes with --watch.") var interval: Double = 2

    func run() throws {
        var f = HubStatusView.Filter()
        f.offlineOnly = offline
        f.laggingOnly = lagging
        f.center = center
        try statusLoop(watch: watch, interval: max(0.5, interval)) {
            let v = try HubStatusView.read(try data.directory, thresholds: limits.thresholds, filter: f, checkDaemon: true)
            if output.json { try Output.json(v) } else { render(v) }
            if !output.json, (try? data.directory.loadConfig().demoClock) == true { DemoWarning.print() }
            return v.health
        }
    }

    func render(_ v: HubStatusView) {
        print("hub \(v.hubID) \(v.endpoint ?? "") — log head \(v.logHead) — \(v.health.rawValue.uppercased())")
        Output.table(["center", "node", "state", "last seen", "pushed", "backlog", "pull lag", "refused", "conflicts", "health"], v.nodes.map { r in
            [r.center, r.replicaID ?? "-", (r.revoked ? "revoked" : r.state) + (r.offlineSeconds.map { " \(Ages.text($0))" } ?? ""), Output.time(r.lastSeen),
             String(r.lastPushSeq), String(r.backlog), String(r.pullLag), String(r.refusedRecords), String(r.openConflicts),
             r.health.rawValue + (r.problems.isEmpty ? "" : ": " + r.problems.map { $0.message }.joined(separator: "; "))]
        }, empty: "(no nodes)")
        let s = v.summary
        print("\(s.nodes) node(s): \(s.healthy) healthy, \(s.lagging) lagging, \(s.offline) offline, \(s.refused) refused")
        print("hub server: " + (v.daemon.running ? "running" + (v.daemon.pid.map { " (pid \($0))" } ?? "") : "not running"))
        for p in v.problems { print("\(p.level.rawValue.uppercased()): \(p.message)") }
    }
}
