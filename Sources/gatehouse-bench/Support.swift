import Foundation
import GRDB

/// Command-line options shared by every section.
struct BenchOptions {
    var sections: [String] = []
    /// Records written / changes applied in the bulk figures.
    var count = 100_000
    /// Records written one per transaction.
    var singleCount = 2_000
    /// Records per transaction in the bulk figures (engine and raw alike).
    var txSize = 1_000
    /// Records per change batch extracted for apply.
    var batch = 1_000
    /// Timed runs per figure; the median is reported.
    var runs = 3
    /// Which `synchronous` settings to measure.
    var syncModes: [SyncMode] = [.full, .normal]
    var scratch: String?
    var help = false
    /// The fleet section: simulated centers, changes each, idle measurement, the binary.
    var nodes = 1_000
    var changes = 100
    var idleSeconds = 10
    var gatehouse: String?

    static let usage = """
        usage: gatehouse-bench [SECTION...] [options]

        sections (default: write, apply): write, apply, fleet

        options:
          --count N          records / changes in the bulk figures (default 100000)
          --single-count N   records written one per transaction (default 2000)
          --tx-size N        records per transaction in the bulk figures (default 1000)
          --batch N          changes per batch for apply (default 1000)
          --runs N           timed runs per figure, median reported (default 3)
          --sync MODE        full, normal or both (default both)
          --scratch DIR      where temporary databases go (default: the system temp dir)
          --nodes N          fleet: simulated centers (default 1000)
          --changes M        fleet: changes waiting at each center (default 100)
          --idle-seconds S   fleet: how long the idle hub is measured (default 10; at least one heartbeat interval)
          --gatehouse PATH   fleet: the gatehouse binary (default: beside gatehouse-bench)
        """

    static func parse(_ args: [String]) throws -> BenchOptions {
        var o = BenchOptions()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError.usage("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func int() throws -> Int {
            let s = try value()
            guard let n = Int(s.replacingOccurrences(of: "_", with: "")), n > 0 else {
                throw BenchError.usage("\(args[i - 1]) takes a positive integer, not \(s)")
            }
            return n
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "--count": o.count = try int()
            case "--single-count": o.singleCount = try int()
            case "--tx-size": o.txSize = try int()
            case "--batch": o.batch = try int()
            case "--runs": o.runs = try int()
            case "--scratch": o.scratch = try value()
            case "--nodes": o.nodes = try int()
            case "--changes": o.changes = try int()
            case "--idle-seconds": o.idleSeconds = try int()
            case "--gatehouse": o.gatehouse = try value()
            case "--sync":
                switch try value() {
                case "full": o.syncModes = [.full]
                case "normal": o.syncModes = [.normal]
                case "both": o.syncModes = [.full, .normal]
                case let s: throw BenchError.usage("--sync takes full, normal or both, not \(s)")
                }
            case "-h", "--help": o.help = true
            default:
                if a.hasPrefix("-") { throw BenchError.usage("unknown option \(a)") }
                o.sections.append(a)
            }
            i += 1
        }
        return o
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case check(String)
    var description: String {
        switch self {
        case .usage(let s): return s
        case .check(let s): return "check failed: \(s)"
        }
    }
}

func check(_ ok: Bool, _ what: @autoclosure () -> String) throws {
    if !ok { throw BenchError.check(what()) }
}

/// SQLite `synchronous` setting of a measured database.
enum SyncMode: String {
    case full = "FULL", normal = "NORMAL"
    /// `PRAGMA synchronous` value.
    var pragmaValue: Int { self == .full ? 2 : 1 }
}

/// A scratch directory for the run's databases; removed at the end.
final class Scratch {
    let url: URL
    private var n = 0

    init(base: String?) throws {
        let parent = base.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        url = parent.appendingPathComponent("gatehouse-bench-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A fresh path for a database file (nothing exists there yet).
    func path(_ name: String) -> String {
        n += 1
        return url.appendingPathComponent("\(n)-\(name).sqlite").path
    }

    /// Removes a database file with its WAL and shared-memory files.
    func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// CPU seconds (user + system) of the last `measure`: on a shared machine the wall
/// time includes waiting for the cores, the CPU time does not.
nonisolated(unsafe) var lastCPU = 0.0

func processCPU() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return s(u.ru_utime) + s(u.ru_stime)
}

/// Wall-clock timing (CPU time in `lastCPU`).
func measure(_ body: () throws -> Void) rethrows -> Double {
    let cpu0 = processCPU()
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    lastCPU = processCPU() - cpu0
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// The 1-minute load average (other work on the machine competes for the cores).
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Runs `body` `runs` times (each returns its timed seconds) and returns the median,
/// printing every run.
func timed(_ label: String, runs: Int, _ body: (Int) throws -> Double) throws -> Double {
    var times: [Double] = [], cpu: [Double] = []
    for k in 0..<runs {
        times.append(try body(k))
        cpu.append(lastCPU)
    }
    let m = median(times)
    print("  \(label): median \(fmtSeconds(m)) [runs: \(times.map(fmtSeconds).joined(separator: ", "))], cpu median \(fmtSeconds(median(cpu)))")
    flushOutput()
    return m
}

func fmtSeconds(_ s: Double) -> String { String(format: "%.3f s", s) }

func fmtRate(_ r: Double) -> String {
    let i = Int(r.rounded())
    var s = String(i)
    var out = ""
    while s.count > 3 {
        out = "," + s.suffix(3) + out
        s = String(s.dropLast(3))
    }
    return s + out
}

func fmtCount(_ n: Int) -> String {
    n % 1000 == 0 ? "\(n / 1000)K" : String(n)
}

/// The report: a table of figures printed at the end, plus progress lines as they go.
final class Report {
    struct Line {
        var figure: String
        var value: String
        var unit: String
        var ratio: String
        var target: String
        /// nil: no target, informational.
        var pass: Bool?
    }

    private var lines: [Line] = []
    private var notes: [String] = []

    func header(_ o: BenchOptions) {
        print("gatehouse-bench — replication figures")
        print("date:     \(ISO8601DateFormatter().string(from: Date()))")
        print("machine:  \(ProcessInfo.processInfo.activeProcessorCount) cores (nproc), \(cpuModel())")
        print("kernel:   \(kernel()); load average \(loadAverage())")
        let sqlite = (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }) ?? nil
        print("sqlite:   \(sqlite ?? "?")")
        print("settings: count \(o.count), single-row count \(o.singleCount), \(o.txSize) rows/tx, \(o.batch) changes/batch, "
              + "median of \(o.runs) runs, synchronous \(o.syncModes.map(\.rawValue).joined(separator: "+"))")
        flushOutput()
    }

    func section(_ title: String) {
        print("\n== \(title)")
        flushOutput()
    }

    func add(_ l: Line) { lines.append(l) }

    func note(_ s: String) {
        notes.append(s)
        print("  note: \(s)")
        flushOutput()
    }

    func summary() {
        print("\nResults (wall-clock medians; ratio = engine time / raw time, or rate / raw insert rate)")
        let head = Line(figure: "figure", value: "value", unit: "unit", ratio: "ratio", target: "target", pass: nil)
        let rows = [head] + lines
        func result(_ l: Line, _ isHead: Bool) -> String { isHead ? "result" : l.pass.map { $0 ? "PASS" : "MISS" } ?? "info" }
        let w = [rows.map(\.figure.count).max()!, rows.map(\.value.count).max()!, rows.map(\.unit.count).max()!,
                 rows.map(\.ratio.count).max()!, rows.map(\.target.count).max()!]
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let p = String(repeating: " ", count: max(0, n - s.count))
            return right ? p + s : s + p
        }
        for (k, l) in rows.enumerated() {
            print([pad(l.figure, w[0]), pad(l.value, w[1], right: true), pad(l.unit, w[2]), pad(l.ratio, w[3], right: true),
                   pad(l.target, w[4]), result(l, k == 0)].joined(separator: "  "))
            if k == 0 { print(String(repeating: "-", count: w.reduce(0, +) + 6 + 2 * 5)) }
        }
        let missed = lines.filter { $0.pass == false }.count
        let targeted = lines.filter { $0.pass != nil }.count
        print("load average at the end: \(loadAverage()) on \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("\(targeted - missed)/\(targeted) targets met" + (notes.isEmpty ? "" : "; \(notes.count) note(s) above"))
        flushOutput()
    }

    private func cpuModel() -> String {
        guard let s = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in s.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        }
        return "unknown CPU"
    }

    private func kernel() -> String {
        var u = utsname()
        uname(&u)
        func str<T>(_ t: T) -> String {
            withUnsafeBytes(of: t) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(str(u.sysname)) \(str(u.release)) \(str(u.machine))"
    }
}

/// Flushes stdout (progress lines appear as they happen even when piped).
func flushOutput() { fflush(nil) }
