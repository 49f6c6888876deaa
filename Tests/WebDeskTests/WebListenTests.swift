import Foundation
import Testing
@testable import WebDesk

/// The `--http` / `--tls-cert` / `--tls-key` / `--insecure-http` rules, every combination.
@Suite struct WebListenTests {
    @Test func defaultsToLoopbackOnTheSitesPort() throws {
        #expect(try WebListen.resolve(http: nil, defaultPort: 8080) == WebListen(host: "127.0.0.1", port: 8080, security: .loopback))
        #expect(try WebListen.resolve(http: nil, defaultPort: 8081).port == 8081)
    }

    @Test(arguments: ["127.0.0.1:8080", "127.9.9.9:80", "localhost:8080", "[::1]:8080", "127.0.0.1:0"])
    func loopbackServesPlainHTTP(_ address: String) throws {
        let l = try WebListen.resolve(http: address, defaultPort: 8080)
        #expect(l.security == .loopback)
        #expect(l.scheme == "http")
        #expect(l.warning == nil)
    }

    @Test(arguments: ["0.0.0.0:8080", "192.168.1.10:80", "[::]:8080", "10.0.0.1:443", "128.0.0.1:80"])
    func aNetworkAddressNeedsTLSOrAnExplicitInsecureFlag(_ address: String) throws {
        #expect(throws: WebConfigError.self) { try WebListen.resolve(http: address, defaultPort: 8080) }
        let insecure = try WebListen.resolve(http: address, defaultPort: 8080, insecureHTTP: true)
        #expect(insecure.security == .insecure)
        #expect(insecure.warning?.contains("--insecure-http") == true)
    }

    @Test func aCertificateAndItsKeyServeHTTPS() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weblisten-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("c.pem").path, key = dir.appendingPathComponent("k.pem").path
        _ = FileManager.default.createFile(atPath: cert, contents: Data("x".utf8))
        _ = FileManager.default.createFile(atPath: key, contents: Data("x".utf8))
        let l = try WebListen.resolve(http: "0.0.0.0:8443", defaultPort: 8080, tlsCert: cert, tlsKey: key)
        #expect(l.security == .tls(certificate: cert, key: key))
        #expect(l.scheme == "https")
        #expect(l.warning == nil)
        // Also on loopback.
        #expect(try WebListen.resolve(http: nil, defaultPort: 8080, tlsCert: cert, tlsKey: key).usesTLS)
        // Half a pair, a contradiction, a missing file: refused with the reason.
        #expect(throws: WebConfigError("--tls-cert needs --tls-key (the certificate's private key)")) {
            try WebListen.resolve(http: nil, defaultPort: 8080, tlsCert: cert)
        }
        #expect(throws: WebConfigError("--tls-key needs --tls-cert (the certificate it belongs to)")) {
            try WebListen.resolve(http: nil, defaultPort: 8080, tlsKey: key)
        }
        #expect(throws: WebConfigError.self) {
            try WebListen.resolve(http: "0.0.0.0:8443", defaultPort: 8080, tlsCert: cert, tlsKey: key, insecureHTTP: true)
        }
        #expect(throws: WebConfigError("--tls-cert /nonexistent.pem: no such file, or not readable")) {
            try WebListen.resolve(http: nil, defaultPort: 8080, tlsCert: "/nonexistent.pem", tlsKey: key)
        }
    }

    @Test(arguments: ["8080", ":8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:8080", "[::1]8080",
                      "example.com:80", "300.1.1.1:80", "127.0.0.1:-1", ""])
    func malformedAddressesAreRefused(_ address: String) {
        #expect(throws: WebConfigError.self) { try WebListen.resolve(http: address, defaultPort: 8080) }
    }
}
