import Foundation
import Testing

/// The deployment files as Debian's systemd reads them, and the version a packager sees.
@Suite struct ServiceUnitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built binary: `GATEHOUSE_BIN` (set by scripts/test), else the debug build.
    static var binary: String {
        ProcessInfo.processInfo.environment["GATEHOUSE_BIN"] ?? Self.root.appendingPathComponent(".build/debug/gatehouse").path
    }

    static func run(_ tool: String, _ args: [String], env: [String: String] = [:]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `systemd-analyze verify` finds no problem in either unit: syntax, the hardening
    /// directives, the binary they start (the built one stands in for /usr/local/bin) and
    /// the manual pages they name (docs/man stands in for the installed ones).
    @Test(arguments: ["gatehouse-node.service", "gatehouse-hub.service"])
    func unitsVerify(_ unit: String) throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is missing (Debian's systemd package)")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString)")
        let man1 = tmp.appendingPathComponent("man/man1")
        try FileManager.default.createDirectory(at: man1, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let pages = Self.root.appendingPathComponent("docs/man")
        for page in try FileManager.default.contentsOfDirectory(atPath: pages.path) where page.hasSuffix(".1") {
            try FileManager.default.copyItem(at: pages.appendingPathComponent(page), to: man1.appendingPathComponent(page))
        }
        let text = try String(contentsOf: Self.root.appendingPathComponent("packaging/systemd/\(unit)"), encoding: .utf8)
        for directive in ["User=gatehouse", "ProtectSystem=strict", "ReadWritePaths=/var/lib/gatehouse", "NoNewPrivileges=yes",
                          "Restart=on-failure", "UMask=0077", "LimitNOFILE="] {
            #expect(text.contains(directive), "\(unit) lacks \(directive)")
        }
        let local = tmp.appendingPathComponent(unit)
        try text.replacingOccurrences(of: "/usr/local/bin/gatehouse", with: Self.binary).write(to: local, atomically: true, encoding: .utf8)
        let r = try Self.run(analyze, ["verify", local.path], env: ["MANPATH": tmp.appendingPathComponent("man").path])
        #expect(r.status == 0 && r.out.isEmpty, "systemd-analyze verify \(unit):\n\(r.out)")
    }

    /// The hub's unit leaves room for thousands of node connections.
    @Test func hubUnitAllowsAFleet() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("packaging/systemd/gatehouse-hub.service"), encoding: .utf8)
        let limit = text.split(separator: "\n").first { $0.hasPrefix("LimitNOFILE=") }.flatMap { Int($0.dropFirst("LimitNOFILE=".count)) }
        #expect((limit ?? 0) >= 16_384)
    }

    /// `gatehouse --version`: the release, the desk schema and the protocol version, one line.
    @Test func versionNamesTheSchemaAndProtocol() throws {
        let r = try Self.run(Self.binary, ["--version"])
        #expect(r.status == 0)
        let line = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.range(of: #"^gatehouse \d+\.\d+\.\d+ \(desk schema \d+, protocol GHSP/\d+\)$"#, options: .regularExpression) != nil, "got: \(line)")
    }

    /// Every command has its manual page (scripts/gen-man writes them; `--check` compares).
    @Test func everyCommandHasAManualPage() throws {
        let pages = Set(try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("docs/man").path))
        for page in ["gatehouse.1", "gatehouse.node.run.1", "gatehouse.hub.run.1", "gatehouse.ticket.open.1", "gatehouse.status.1"] {
            #expect(pages.contains(page), "docs/man lacks \(page)")
        }
    }
}
