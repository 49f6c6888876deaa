import Foundation
import SyncRuntime
import ServiceDesk
import TestSupport
import Testing

/// The daemons' web options and resources, through the real binary: refusals at start,
/// the `--insecure-http` warning, and the templates found beside an installed binary.
@Suite struct DaemonTests {
    let root: URL
    let hub: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("webdaemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        hub = root.appendingPathComponent("hub").path
        let made = try gatehouse(["hub", "init", "--data", hub, "--bind", "tcp://127.0.0.1:\(Self.freePort())", "--admin-password-stdin"],
                                 stdin: "web-test-password\n", logDirectory: root)
        try #require(made.status == 0, "\(made)")
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    @Test func aNetworkAddressWithoutTLSIsRefusedAtStart() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try gatehouse(["hub", "run", "--data", hub, "--http", "0.0.0.0:0"], timeout: .seconds(60), logDirectory: root)
        #expect(r.status == 64, "\(r)")
        #expect(r.err.contains("--tls-cert"), "\(r)")
        let half = try gatehouse(["hub", "run", "--data", hub, "--tls-cert", "/nonexistent.pem"], timeout: .seconds(60), logDirectory: root)
        #expect(half.status == 64)
        #expect(half.err.contains("--tls-key"))
    }

    @Test func insecureHTTPIsServedWithAWarningAtStartAndInTheRecord() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let p = try Spawned(["hub", "run", "--data", hub, "--http", "0.0.0.0:0", "--insecure-http"], logDirectory: root)
        defer { p.kill() }
        #expect(p.waitForLog("web console: http://0.0.0.0:", timeout: .seconds(60)), "\(p.stderr)")
        #expect(p.stderr.contains("warning: the web desk is served over plain HTTP"))
        let record = try #require(WebListenerRecord.load(DataDirectory(path: hub)))
        #expect(record.security == "insecure")
        #expect(record.problem?.level == .warning)
        p.signal(SIGTERM)
        #expect(p.waitExit(timeout: .seconds(30)) == 0, "\(p.stderr)")
        #expect(WebListenerRecord.load(DataDirectory(path: hub), requireAlive: false) == nil, "removed at a clean stop")
    }

    @Test func anInstalledBinaryFindsItsTemplatesOnlyWhereTheyWereInstalled() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let built = try #require(GatehouseBinary.url)
        let bundle = built.deletingLastPathComponent().appendingPathComponent("Gatehouse_WebDesk.resources")
        let prefix = root.appendingPathComponent("usr")
        let bin = prefix.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: built, to: bin.appendingPathComponent("gatehouse"))
        let missing = try run(bin, ["hub", "run", "--data", hub])
        #expect(missing.status == 1)
        #expect(missing.err.contains("templates and static files were not found"), "\(missing.err)")

        let share = prefix.appendingPathComponent("share/gatehouse")
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: bundle, to: share.appendingPathComponent("Gatehouse_WebDesk.resources"))
        let p = try Spawned(["hub", "run", "--data", hub], logDirectory: root, executable: bin.appendingPathComponent("gatehouse"))
        defer { p.kill() }
        #expect(p.waitForLog("web console: http://127.0.0.1:", timeout: .seconds(60)), "\(p.stderr)")
    }

    func run(_ bin: URL, _ args: [String]) throws -> CLIResult {
        let p = try Spawned(args, logDirectory: root, executable: bin.appendingPathComponent("gatehouse"))
        guard let status = p.waitExit(timeout: .seconds(60)) else { throw ProcessTimedOut(command: args.joined(separator: " ")) }
        return CLIResult(status: status, out: p.stdout, err: p.stderr)
    }
}
