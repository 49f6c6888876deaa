import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `gatehouse` binary, run against real temporary data directories, for the
/// status end-to-end tests: a hub on a free loopback port, nodes, background daemons.
/// Named apart from other suites' helpers (`StatusLab`, `StatusRun`) on purpose.
struct StatusRun {
    var status: Int32
    var out: String
    var err: String
}

final class StatusLab: @unchecked Sendable {
    /// The binary under test (see `GatehouseBinary`).
    static var binary: URL? { GatehouseBinary.url }

    let root: URL
    var hub: String { root.appendingPathComponent("hub").path }
    let port: Int
    var endpoint: String { "tcp://127.0.0.1:\(port)" }
    private(set) var hubKey = ""
    private var background: [String: Background] = [:]

    init() throws {
        guard Self.binary != nil else { throw BinaryMissing() }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        port = Self.freePort()
    }

    deinit {
        for (_, b) in background where b.isRunning { kill(b.pid, SIGKILL); _ = b.wait(5) }
        try? FileManager.default.removeItem(at: root)
    }

    func node(_ center: String) -> String { root.appendingPathComponent(center.lowercased()).path }

    /// A port the kernel just handed out on loopback (bound, then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    // MARK: running the binary

    private func environment(_ staff: String?) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        // Daemons serve the web desk too: on a free port each, so tests run side by side.
        if env["GATEHOUSE_HTTP"] == nil { env["GATEHOUSE_HTTP"] = "127.0.0.1:0" }
        env["GATEHOUSE_DATA"] = nil
        env["GATEHOUSE_NOW"] = nil
        _ = staff
        return env
    }

    /// Runs to completion as `staff` (logged in first when the command needs it,
    /// `TestLogin`); stdout through a pipe, stderr through a file.
    func run(_ args: [String], staff: String? = nil) throws -> StatusRun {
        let prepared = TestLogin.prepare(args, staff: staff)
        if let who = prepared.actAs, let dir = TestLogin.dataDirectory(prepared.args, env: [:]) {
            try TestLogin.ensure(who, in: dir) { a, input in try raw(a, stdin: input).status }
        }
        return try raw(prepared.args, stdin: prepared.stdin)
    }

    /// Logs `staff` in on `dir` unless they already are.
    func login(_ staff: String, _ dir: String) throws {
        try TestLogin.ensure(staff, in: dir) { a, input in try raw(a, stdin: input).status }
    }

    /// Runs exactly `args`, no login on the way.
    func raw(_ args: [String], stdin: String? = nil) throws -> StatusRun {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        p.environment = environment(nil)
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        let errURL = root.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errHandle
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try errHandle.close()
        return StatusRun(status: p.terminationStatus, out: String(decoding: data, as: UTF8.self),
                         err: String(decoding: FileManager.default.contents(atPath: errURL.path) ?? Data(), as: UTF8.self))
    }

    /// Runs and expects exit 0; returns stdout trimmed.
    @discardableResult
    func ok(_ args: String..., staff: String? = "S001", sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args, staff: staff)
        #expect(r.status == 0, "gatehouse \(args.joined(separator: " ")) exited \(r.status): \(r.err)", sourceLocation: sourceLocation)
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `status --json` (or `hub status --json`) decoded, with the exit code.
    func json(_ args: [String]) throws -> (code: Int32, json: StatusJSON) {
        let r = try run(args + ["--json"])
        guard let o = StatusJSON.parse(r.out) else {
            Issue.record("not JSON from gatehouse \(args.joined(separator: " ")) (exit \(r.status)): \(r.out) \(r.err)")
            return (r.status, .null)
        }
        return (r.status, o)
    }

    func nodeStatus(_ center: String, _ extra: String...) throws -> (code: Int32, json: StatusJSON) {
        try json(["status", "--data", node(center)] + extra)
    }

    func hubStatus(_ extra: String...) throws -> (code: Int32, json: StatusJSON) {
        try json(["hub", "status", "--data", hub] + extra)
    }

    /// A background `gatehouse`, spawned with an empty signal mask and default SIGINT and
    /// SIGTERM dispositions: the test runner's threads block signals, and a child spawned
    /// through Foundation's Process inherits that mask, so SIGINT would never reach it.
    final class Background {
        let pid: pid_t
        private(set) var exitStatus: Int32?
        init(pid: pid_t) { self.pid = pid }

        var isRunning: Bool {
            if exitStatus != nil { return false }
            var st: Int32 = 0
            let r = waitpid(pid, &st, WNOHANG)
            if r == pid { exitStatus = Self.decode(st); return false }
            return r == 0
        }

        /// The exit code, or 128 + the signal that ended it.
        static func decode(_ st: Int32) -> Int32 {
            let sig = st & 0x7f
            return sig == 0 ? (st >> 8) & 0xff : 128 + sig
        }

        func wait(_ seconds: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            return exitStatus
        }
    }

    /// Starts a long-running command; its output goes to `name`.log under the root.
    @discardableResult
    func start(_ name: String, _ args: [String]) throws -> Background {
        let log = root.appendingPathComponent("\(name).log").path
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&fa, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let path = Self.binary!.path
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = environment(nil).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &fa, &attr, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        let b = Background(pid: pid)
        background[name] = b
        return b
    }

    func log(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: root.appendingPathComponent("\(name).log").path) ?? Data(), as: UTF8.self)
    }

    /// Sends `signal` (SIGINT) and waits for the exit; returns the exit status (128 + the
    /// signal when one ended it; SIGKILL after 15 s).
    @discardableResult
    func stop(_ name: String, signal: Int32 = SIGINT) -> Int32 {
        guard let b = background.removeValue(forKey: name) else { return -1 }
        if b.isRunning { kill(b.pid, signal) }
        if let s = b.wait(15) { return s }
        kill(b.pid, SIGKILL)
        return b.wait(5) ?? -1
    }

    // MARK: set-up

    /// `hub init` on the lab's port; remembers the hub's public key.
    func initHub() throws {
        hubKey = try ok("hub", "init", "--data", hub, "--bind", endpoint, staff: nil)
        #expect(hubKey.count == 40)
    }

    /// `node init` for `center`, enrolled at the hub, with a first staff member S001.
    func initNode(_ center: String, enroll: Bool = true) throws {
        let key = try ok("node", "init", "--data", node(center), "--center", center, "--name", "服务中心\(center)",
                         "--hub", endpoint, "--hub-key", hubKey, staff: nil)
        if enroll { try ok("hub", "enroll", "--data", hub, "--center", center, "--key", key, staff: nil) }
        try ok("staff", "add", "--data", node(center), "--id", "S001", "--name", "王芳", "--role", "front-desk")
    }

    func startHub() throws {
        try start("hub", ["hub", "run", "--data", hub])
        // The hub binds within a moment; a sync before that just retries.
        Thread.sleep(forTimeInterval: 0.3)
    }

    func sync(_ center: String, timeout: Int = 20, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try run(["sync", "--data", node(center), "--timeout", String(timeout)])
        #expect(r.status == 0, "sync \(center) exited \(r.status): \(r.err)", sourceLocation: sourceLocation)
    }

    /// Polls `condition` until it holds or `seconds` pass.
    @discardableResult
    func waitUntil(_ seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        return try condition()
    }
}

// MARK: reading decoded JSON

/// A JSON value as decoded, keeping the difference between true and 1, 1 and 1.5.
enum StatusJSON: Decodable, Equatable {
    case null, bool(Bool), int(Int64), number(Double), string(String), array([StatusJSON]), object([String: StatusJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([StatusJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: StatusJSON].self)) }
    }

    static func parse(_ text: String) -> StatusJSON? { try? JSONDecoder().decode(StatusJSON.self, from: Data(text.utf8)) }

    /// `a.b.c` through objects; `a.0.b` indexes arrays.
    subscript(_ path: String) -> StatusJSON? {
        var cur: StatusJSON? = self
        for part in path.split(separator: ".") {
            switch cur {
            case .object(let o)?: cur = o[String(part)]
            case .array(let a)?: cur = Int(part).flatMap { a.indices.contains($0) ? a[$0] : nil }
            default: return nil
            }
        }
        return cur
    }

    var int: Int64? { if case .int(let i) = self { return i } else { return nil } }
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var array: [StatusJSON] { if case .array(let a) = self { return a } else { return [] } }
    var keys: Set<String> { if case .object(let o) = self { return Set(o.keys) } else { return [] } }
    var isNull: Bool { self == .null }

    /// The JSON type's name: null, bool, int, number, string, array, object.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
