import Foundation
import Testing

/// The built `gatehouse` binary: GATEHOUSE_BIN (set by scripts/test), else `gatehouse`
/// next to the test bundle in the build directory (the approach of ServiceDeskTests'
/// end-to-end tests), so a plain `swift test` finds it too.
public enum GatehouseBinary {
    public static let url: URL? = {
        let fm = FileManager.default
        if let p = ProcessInfo.processInfo.environment["GATEHOUSE_BIN"], !p.isEmpty { return URL(fileURLWithPath: p) }
        var dirs: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let e = Bundle.main.executableURL { dirs.append(e.deletingLastPathComponent()) }
        dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for b in Bundle.allBundles { dirs += [b.bundleURL.deletingLastPathComponent()] }
        for d in dirs {
            var dir = d
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("gatehouse")
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }()
}

public struct BinaryMissing: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the gatehouse binary was not found: build it, or set GATEHOUSE_BIN" }
}

public struct ProcessTimedOut: Error, CustomStringConvertible {
    public var command: String
    public init(command: String) { self.command = command }
    public var description: String { "\(command) did not finish in time and was killed" }
}

/// What a finished command printed.
public struct CLIResult: CustomStringConvertible, Sendable {
    public var status: Int32
    public var out: String
    public var err: String
    public init(status: Int32, out: String, err: String) {
        self.status = status
        self.out = out
        self.err = err
    }
    public var description: String { "exit \(status)\nstdout: \(out)\nstderr: \(err)" }
    public var trimmed: String { out.trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// A `gatehouse` process in the background (hub run, node run, a sync to be killed).
/// stdout and stderr go to files, so a chatty child can never block on a full pipe.
/// Killed (SIGKILL) when released if still running.
public final class Spawned: @unchecked Sendable {
    public let process = Process()
    public let args: [String]
    public let outURL: URL
    public let errURL: URL

    /// Starts `gatehouse args` (or `executable`, another copy of it).
    public init(_ args: [String], env: [String: String] = [:], stdin: String? = nil, logDirectory: URL, executable: URL? = nil) throws {
        guard let bin = executable ?? GatehouseBinary.url else { throw BinaryMissing() }
        self.args = args
        let tag = UUID().uuidString.prefix(8)
        outURL = logDirectory.appendingPathComponent("\(args.prefix(2).joined(separator: "-"))-\(tag).out")
        errURL = logDirectory.appendingPathComponent("\(args.prefix(2).joined(separator: "-"))-\(tag).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = bin
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        // Daemons serve the web desk too: on a free port each, so tests run side by side.
        if environment["GATEHOUSE_HTTP"] == nil { environment["GATEHOUSE_HTTP"] = "127.0.0.1:0" }
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        if let stdin {
            // Through a file: nothing to pump while the child runs, and it sees EOF after it.
            let inURL = logDirectory.appendingPathComponent("\(args.prefix(2).joined(separator: "-"))-\(tag).in")
            try Data(stdin.utf8).write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
    }

    deinit { kill() }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// The kernel's view of the process (state, signal masks), for failure messages.
    public var procStatus: String {
        let s = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? "(no /proc entry)"
        return s.split(separator: "\n").filter { $0.hasPrefix("State") || $0.hasPrefix("Sig") || $0.hasPrefix("Shd") }.joined(separator: "; ")
    }

    /// Sends `sig` if the process still runs (SIGKILL by default).
    public func signal(_ sig: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, sig) }
    }

    /// SIGKILL and reap.
    public func kill() {
        signal(SIGKILL)
        _ = waitExit(timeout: .seconds(10))
    }

    /// Waits at most `timeout` for the process to exit; its status, or nil if still running.
    @discardableResult
    public func waitExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return process.terminationStatus
    }

    /// Waits until stderr contains `text` (true), the process exits or `timeout` passes (false).
    public func waitForLog(_ text: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }
}

/// Runs `gatehouse args` to completion, killing it after `timeout`.
public func gatehouse(_ args: [String], env: [String: String] = [:], stdin: String? = nil, timeout: Duration = .seconds(120),
               logDirectory: URL) throws -> CLIResult {
    let p = try Spawned(args, env: env, stdin: stdin, logDirectory: logDirectory)
    defer {
        try? FileManager.default.removeItem(at: p.outURL)
        try? FileManager.default.removeItem(at: p.errURL)
    }
    guard let status = p.waitExit(timeout: timeout) else {
        p.kill()
        throw ProcessTimedOut(command: "gatehouse \(args.joined(separator: " "))")
    }
    return CLIResult(status: status, out: p.stdout, err: p.stderr)
}

/// Polls `condition` until it holds or `timeout` passes; never hangs a test.
public func eventually(within timeout: Duration, every interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}

/// A test knob from the environment.
public func envInt(_ name: String, default value: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? value
}
