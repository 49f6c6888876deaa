import Foundation
import Logging
import Replication
import ServiceDesk
import SyncProtocol
import SyncRuntime
import ZeroMQ

/// `gatehouse-bench fleet --nodes N --changes M`: N simulated centers in this process
/// against a real `gatehouse hub run` process over loopback with CURVE.
///
/// Each center has its own CURVE key (enrolled at the hub), its own replica id and an
/// in-memory log of M customers of its own (``MemoryNodeStore``: records made on demand,
/// what the hub sends counted), and its own DEALER socket driven by a real ``NodeDriver``
/// on the continuous clock. One thread steps them all, polling their sockets. The hub is
/// the real binary in its own process, so its CPU time and peak memory are its own.
///
/// Figures: every center caught up (all M changes acknowledged) after connecting at once
/// with a backlog (an outage's end); the hub's CPU for that; `hub status` (text, JSON)
/// and `report monthly` with the fleet connected; the idle hub's CPU with the fleet
/// connected; every center back after a hub restart (SIGTERM, a new process on the same
/// data directory), as `systemctl restart` does it; the hub's CPU per session (handshake, HELLO/WELCOME, registry, an empty
/// catch-up, BYE); the hub's peak memory.
enum FleetSection {
    static func run(_ o: BenchOptions, _ scratch: Scratch, _ report: Report) throws {
        let n = o.nodes, m = o.changes
        let gh = try gatehouseBinary(o)
        // Each simulated node holds one socket (its TCP connection and its mailbox): two
        // descriptors, plus libzmq's and SQLite's own.
        let limit = raiseFileLimit()
        guard 2 * n + 256 <= limit else {
            throw BenchError.usage("\(n) simulated nodes need about \(2 * n + 256) file descriptors in this process; "
                                   + "the hard limit (ulimit -Hn) allows \(limit)")
        }
        let root = scratch.url.appendingPathComponent("fleet")
        let hubDir = root.appendingPathComponent("hub").path
        let endpoint = "tcp://127.0.0.1:\(try freePort())"
        let password = "bench-password\n"
        print("  fleet: \(n) centers × \(m) changes, hub \(gh)")
        let hubKey = try tool(gh, ["hub", "init", "--data", hubDir, "--bind", endpoint, "--admin-password-stdin"], stdin: password)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // Keys and enrollment in-process, in one transaction: 5,000 `hub enroll` processes
        // would measure process start-up.
        let centers = (1...n).map { String(format: "C%05d", $0) }
        var keys: [CurveKeyPair] = []
        for _ in centers { keys.append(try CurveKeyPair.generate()) }
        do {
            let desk = try Desk.open(DataDirectory(path: hubDir))
            try NodeRegistry(desk.unsafeReplica.database).enroll(zip(centers, keys).map { ($0, $1.publicKey) })
        }
        _ = try tool(gh, ["login", "--data", hubDir, "--user", "admin-HQ", "--password-stdin"], stdin: password)
        let template = try templateCustomer(root.appendingPathComponent("template").path)

        // The hub, a real process.
        let hubLog = root.appendingPathComponent("hub.log")
        FileManager.default.createFile(atPath: hubLog.path, contents: nil)
        var hub = try startHub(gh, hubDir, log: hubLog)
        defer {
            if hub.isRunning { hub.terminate(); hub.waitUntilExit() }
        }
        var pid = hub.processIdentifier

        // The nodes, in this process. Every socket must be closed before the context ends.
        var fleet = Fleet()
        let ctx = try ZMQContext(ioThreads: 1, maxSockets: n + 64)
        defer {
            for d in fleet.drivers { d.transport.close() }
            ctx.terminate()
        }
        var quiet = Logger(label: "fleet")
        quiet.logLevel = .critical
        let base = UInt64((Date().timeIntervalSince1970 - 3600) * 1000)
        let schemaVersion = DeskSchema.schema.version
        var stores: [MemoryNodeStore] = []
        for (i, (center, kp)) in zip(centers, keys).enumerated() {
            let id = ReplicaID.generate(prefix: center)
            let store = MemoryNodeStore(nodeID: id, center: center, schemaVersion: schemaVersion, head: UInt64(m)) { seq in
                remap(template, node: id, center: center, seq: seq, base: base)
            }
            stores.append(store)
            fleet.add(try driver(store, kp, ctx, endpoint, hubKey, seed: UInt64(i + 1), mode: .daemon, logger: quiet))
        }
        // Every center welcomed again since `counts` (``MemoryNodeStore/sessions``) were taken.
        func allWelcomed(since counts: [Int]) -> Bool { zip(stores, counts).allSatisfy { $0.sessions > $1 } }

        // 1. Catch-up: every center connects with M changes waiting.
        let cpu0 = try hubCPU(pid)
        let catchUp = try measure {
            try fleet.run(until: { stores.allSatisfy(\.isCaughtUp) }, timeout: .seconds(max(120, n / 20)), what: "catch-up")
        }
        let catchUpCPU = try hubCPU(pid) - cpu0
        let total = n * m
        report.add(.init(figure: "fleet \(n)×\(m): all caught up", value: String(format: "%.1f", catchUp), unit: "s",
                         ratio: "\(fmtRate(Double(total) / catchUp))/s", target: n >= 5000 ? "< 60 s" : n >= 1000 ? "< 15 s" : "",
                         pass: n >= 5000 ? catchUp < 60 : n >= 1000 ? catchUp < 15 : nil))
        report.add(.init(figure: "fleet \(n)×\(m): hub CPU for the catch-up", value: String(format: "%.1f", catchUpCPU), unit: "s",
                         ratio: String(format: "%.1f µs/change", catchUpCPU / Double(max(1, total)) * 1e6), target: "", pass: nil))
        print("  caught up: \(fmtSeconds(catchUp)), hub CPU \(fmtSeconds(catchUpCPU))")
        flushOutput()

        // 2. The idle fleet: connected, nothing to do (PINGs only).
        try fleet.run(for: .seconds(2))
        // An idle fleet's cost is periodic: each node pings once per heartbeat interval,
        // stretched past the ping budget (25 s at 5,000 keys), and nodes that went idle
        // together ping together. A shorter window measures whichever happen to ping in it;
        // a whole period measures the average the hub runs at.
        let idleWindow = max(Duration.seconds(o.idleSeconds), HubRuntimeOptions().heartbeatInterval(enrolled: n))
        let idleSeconds = idleWindow / .seconds(1)
        let idle0 = try hubCPU(pid)
        let idleWall = try measure { try fleet.run(for: idleWindow) }
        let idleShare = (try hubCPU(pid) - idle0) / idleWall * 100
        report.add(.init(figure: "fleet \(n): idle hub, all connected (\(Int(idleSeconds)) s)", value: String(format: "%.2f", idleShare),
                         unit: "% of a core", ratio: "", target: "< 2 %", pass: idleShare < 2))

        // 3. Monitoring and reporting with the fleet connected.
        var statusTimes: [Double] = []
        for args in [["hub", "status"], ["hub", "status", "--json"]] {
            var out = ""
            let t = try measure { out = try tool(gh, args + ["--data", hubDir], okStatuses: [0, 1, 2]) }
            try check(out.contains(centers.last!) || out.contains("\(n)"), "hub status lists the fleet")
            statusTimes.append(t)
            report.add(.init(figure: "fleet \(n): `\(args.joined(separator: " "))`", value: String(format: "%.3f", t), unit: "s",
                             ratio: "", target: "< 1 s", pass: t < 1))
            try fleet.run(for: .milliseconds(200))
        }
        let month = monthBefore(Date())
        var reportOut = ""
        let reportTime = try measure { reportOut = try tool(gh, ["report", "monthly", "--month", month, "--data", hubDir]) }
        try check(!reportOut.isEmpty, "the report printed something")
        report.add(.init(figure: "fleet \(n): `report monthly` (\(n) centers)", value: String(format: "%.3f", reportTime), unit: "s",
                         ratio: "", target: "< 5 s", pass: reportTime < 5))

        // 4. Sessions: BYE from every daemon, then one short session per center (nothing to
        // push, an empty catch-up), a few hundred at a time.
        fleet.finishAll()
        fleet = Fleet()
        // The idle fleet's BYEs and disconnections are those sessions' cost, not these:
        // at 5,000 centers the hub is still closing them seconds later.
        try waitUntilQuiet(pid)
        let s0 = try hubCPU(pid)
        let sessionWall = try measure {
            var i = 0
            while i < n {
                var batch = Fleet()
                for k in i..<min(n, i + 250) {
                    batch.add(try driver(stores[k], keys[k], ctx, endpoint, hubKey, seed: UInt64(k + 1), mode: .once(timeout: .seconds(60)),
                                         logger: quiet))
                }
                try batch.run(until: { batch.allDone }, timeout: .seconds(90), what: "sessions")
                batch.finishAll()
                i += 250
            }
        }
        // The hub writes the sessions' ends at its next flush: count that too.
        try waitUntilQuiet(pid)
        let perSession = (try hubCPU(pid) - s0) / Double(n)
        report.add(.init(figure: "fleet \(n): hub CPU per session", value: String(format: "%.2f", perSession * 1000), unit: "ms",
                         ratio: String(format: "%.0f sessions/s", Double(n) / sessionWall), target: "< 2 ms", pass: perSession < 0.002))

        let peak = peakMemoryKB(pid)
        report.add(.init(figure: "fleet \(n): hub peak memory (VmHWM)", value: String(format: "%.0f", Double(peak) / 1024), unit: "MB",
                         ratio: "", target: "", pass: nil))

        // 5. A hub restart with the fleet connected (last, so that the figures above are of
        // one hub process): the fleet's daemons connect again, then the old process stops,
        // saying when to come back (ERROR 503 hints spread over the fleet), and the nodes
        // back off with jitter.
        let connected = stores.map(\.sessions)
        for k in 0..<n {
            fleet.add(try driver(stores[k], keys[k], ctx, endpoint, hubKey, seed: UInt64(k + 1), mode: .daemon, logger: quiet))
        }
        try fleet.run(until: { allWelcomed(since: connected) }, timeout: .seconds(180), what: "reconnecting")
        let before = stores.map(\.sessions)
        hub.terminate()
        hub.waitUntilExit()
        let restartedAt = ContinuousClock.now
        hub = try startHub(gh, hubDir, log: hubLog)
        pid = hub.processIdentifier
        let r0 = try hubCPU(pid)
        try fleet.run(until: { allWelcomed(since: before) }, timeout: .seconds(180), what: "resuming after a restart")
        let back = (ContinuousClock.now - restartedAt) / .seconds(1)
        let backCPU = try hubCPU(pid) - r0
        report.add(.init(figure: "fleet \(n): all back after a hub restart", value: String(format: "%.1f", back), unit: "s",
                         ratio: String(format: "hub CPU %.1f s", backCPU), target: "< 60 s", pass: back < 60))
        print("  back after a restart: \(fmtSeconds(back)) (the new hub's start included), hub CPU \(fmtSeconds(backCPU))")
        flushOutput()

        hub.terminate()
        hub.waitUntilExit()
        let said = (try? String(contentsOf: hubLog, encoding: .utf8)) ?? ""
        if let line = said.split(separator: "\n").first(where: { $0.contains("can hold") }) { report.note("hub: \(line)") }
    }

    // MARK: - The simulated nodes

    typealias Driver = NodeDriver<ZMQNodeTransport, ContinuousClock>

    static func driver(_ store: MemoryNodeStore, _ kp: CurveKeyPair, _ ctx: ZMQContext, _ endpoint: String, _ hubKey: String,
                       seed: UInt64, mode: Driver.Mode, logger: Logger) throws -> Driver {
        var o = NodeRuntimeOptions()
        o.seed = seed
        var t = ZMQNodeTransport.Options(maxMessageBytes: o.limits.maxMessageBytes)
        t.monitor = false
        return try Driver(store: store, transport: ZMQNodeTransport(context: ctx, endpoint: endpoint, hubKey: hubKey, keys: kp, options: t),
                          clock: ContinuousClock(), options: o, mode: mode, hubName: endpoint, logger: logger)
    }

    /// Drivers stepped by one thread: every one at least every 100 ms (timers), the ones
    /// whose socket has input as soon as it arrives.
    struct Fleet {
        var drivers: [Driver] = []
        mutating func add(_ d: Driver) { drivers.append(d) }

        var allDone: Bool { drivers.allSatisfy { $0.outcome != .running } }

        func run(until done: () -> Bool, timeout: Duration, what: String) throws {
            let start = ContinuousClock.now
            while !done() {
                guard ContinuousClock.now - start < timeout else {
                    throw BenchError.check("\(what) not finished within \(timeout)")
                }
                try turn()
            }
        }

        func run(for d: Duration) throws {
            let end = ContinuousClock.now + d
            while ContinuousClock.now < end { try turn() }
        }

        /// Steps every driver, then waits up to 100 ms for input and steps those that got
        /// some until the 100 ms are up.
        func turn() throws {
            for d in drivers { try d.step() }
            for d in drivers {
                if case .failed(let e) = d.outcome { throw BenchError.check("a node was refused: \(e)") }
                if case .timedOut(let e) = d.outcome { throw BenchError.check("a node timed out: \(e)") }
            }
            let end = ContinuousClock.now + .milliseconds(100)
            var poller = ZMQPoller()
            var owner: [Int] = []
            for (i, d) in drivers.enumerated() {
                for s in d.transport.pollSockets {
                    poller.append(s)
                    owner.append(i)
                }
            }
            guard !owner.isEmpty else {
                Thread.sleep(forTimeInterval: 0.1)
                return
            }
            while true {
                let left = end - ContinuousClock.now
                guard left > .zero else { return }
                let ready = try poller.poll(timeout: left)
                if ready.isEmpty { return }
                for r in ready { try drivers[owner[r.index]].step() }
            }
        }

        func finishAll() { for d in drivers { d.finish() } }
    }

    /// One customer record as a node of the desk's schema writes it: the shape every
    /// simulated record copies, with its own id, center, dots and clocks.
    static func templateCustomer(_ path: String) throws -> RecordState {
        let desk = try Desk.create(in: DataDirectory(path: path), role: .node, center: "C00000", name: "模板中心")
        try desk.unsafeReplica.write(author: "S001") { tx in
            try tx.insert("customer", ["center": .text("C00000"), "name": .text("基准客户"), "phone": .text("13900001000")])
        }
        guard let r = try desk.unsafeReplica.changes(after: 0, maxCount: 100_000).records.first(where: { $0.table == "customer" }) else {
            throw BenchError.check("no customer record to copy")
        }
        return r
    }

    /// `template` as written by `node` of `center` at position `seq` of its log.
    static func remap(_ template: RecordState, node: ReplicaID, center: String, seq: UInt64, base: UInt64) -> RecordState {
        var r = template
        r.id = "cu-\(center.lowercased())-\(seq)"
        let clock = Clock(dot: Dot(replica: node, counter: seq), hlc: HLCTimestamp(millis: base + seq, logical: 0), author: "S001")
        r.vector = VersionVector([(node, seq)])
        for i in r.slots.indices {
            if r.slots[i].clock != nil { r.slots[i].clock = clock }
            if let e = r.slots[i].elements { r.slots[i].elements = e.map { SetElement(value: $0.value, dots: [clock.dot]) } }
            for k in r.slots[i].values.indices {
                switch r.slots[i].values[k] {
                case .text("C00000"): r.slots[i].values[k] = .text(center)
                case .text("基准客户"): r.slots[i].values[k] = .text("客户\(seq)")
                default: break
                }
            }
        }
        return r
    }

    // MARK: - The hub process

    /// Starts `gatehouse hub run` on the data directory, its log appended to `log`.
    static func startHub(_ gh: String, _ hubDir: String, log: URL) throws -> Process {
        let hub = Process()
        hub.executableURL = URL(fileURLWithPath: gh)
        hub.arguments = ["hub", "run", "--data", hubDir, "--http", "127.0.0.1:0"]
        let out = try FileHandle(forWritingTo: log)
        out.seekToEndOfFile()
        hub.standardError = out
        hub.standardOutput = FileHandle.nullDevice
        try hub.run()
        Thread.sleep(forTimeInterval: 1)
        guard hub.isRunning else { throw BenchError.check("the hub did not start: \(tail(log))") }
        return hub
    }

    /// CPU seconds (user + system) the process has used, from /proc.
    static func hubCPU(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may hold spaces): state is field 3.
        let after = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = (Double(after[11]) ?? 0) + (Double(after[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits until the hub has used at most one clock tick (10 ms) of CPU in half a second:
    /// what it was still doing belongs to the phase before.
    static func waitUntilQuiet(_ pid: Int32, timeout: Double = 60) throws {
        let window = 0.5, start = ContinuousClock.now
        var last = try hubCPU(pid)
        while (ContinuousClock.now - start) < .seconds(timeout) {
            Thread.sleep(forTimeInterval: window)
            let now = try hubCPU(pid)
            if now - last < 0.015 { return }
            last = now
        }
        throw BenchError.check("the hub went quiet within \(Int(timeout)) s")
    }

    /// The process's peak resident memory (VmHWM), in KB.
    static func peakMemoryKB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func tail(_ url: URL) -> String {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").suffix(5).joined(separator: "\n")
    }

    // MARK: - Support

    /// The `gatehouse` binary: `--gatehouse PATH`, else the one beside this benchmark.
    static func gatehouseBinary(_ o: BenchOptions) throws -> String {
        let path = o.gatehouse ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("gatehouse").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError.usage("no gatehouse binary at \(path): build it, or give --gatehouse PATH")
        }
        return path
    }

    /// Runs the tool, returns its standard output; fails on another exit status.
    @discardableResult
    static func tool(_ gh: String, _ args: [String], stdin: String? = nil, okStatuses: Set<Int32> = [0]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: gh)
        p.arguments = args
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read before waiting: a large output would fill the pipe and block the tool.
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard okStatuses.contains(p.terminationStatus) else {
            throw BenchError.check("gatehouse \(args.prefix(2).joined(separator: " ")) exited \(p.terminationStatus): "
                                   + String(decoding: errData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Raises this process's descriptor limit to the hard limit; returns it.
    static func raiseFileLimit() -> Int { FileLimit.raiseToHard().soft }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw BenchError.check("no free port") }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    static func monthBefore(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let prev = cal.date(byAdding: .month, value: -1, to: d)!
        let c = cal.dateComponents([.year, .month], from: prev)
        return String(format: "%04d-%02d", c.year!, c.month!)
    }
}
