import Foundation
import ServiceDesk

/// What a running daemon serves over HTTP, kept in `web.json` in its data directory (0600)
/// so `status` can show the desk's address and warn about `--insecure-http`. Written when
/// the listener is up, removed when the daemon stops; a file left by a killed daemon names
/// a pid that is gone, and counts as nothing.
public struct WebListenerRecord: Codable, Sendable, Equatable {
    /// The address to open in a browser, as bound (`http://127.0.0.1:8080/`).
    public var url: String
    /// `tls` (HTTPS), `loopback` (plain HTTP on this machine only) or `insecure` (plain
    /// HTTP on a network address, because `--insecure-http` said so).
    public var security: String
    /// The daemon serving it.
    public var pid: Int32
    public var startedAt: Date

    public init(url: String, security: String, pid: Int32 = getpid(), startedAt: Date = Date()) {
        self.url = url
        self.security = security
        self.pid = pid
        self.startedAt = startedAt
    }

    /// The problem `status` reports for a listener serving plain HTTP beyond this machine.
    public var problem: Problem? {
        security == "insecure"
            ? Problem(.warning, "the web desk at \(url) is served over plain HTTP (--insecure-http): passwords and customer data cross the network unencrypted")
            : nil
    }

    static func url(_ dir: DataDirectory) -> URL { dir.url.appendingPathComponent("web.json") }

    /// Records the listener of this process.
    public func save(in dir: DataDirectory) throws {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let target = Self.url(dir)
        let tmp = dir.url.appendingPathComponent(".web.json.\(getpid())")
        guard FileManager.default.createFile(atPath: tmp.path, contents: try e.encode(self), attributes: [.posixPermissions: 0o600]),
              rename(tmp.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: tmp)
            throw RuntimeError.configuration("cannot write \(target.path)")
        }
    }

    /// Removes the record if it is this process's (a later daemon's stays).
    public static func remove(in dir: DataDirectory, pid: Int32 = getpid()) {
        if let r = load(dir, requireAlive: false), r.pid == pid { try? FileManager.default.removeItem(at: url(dir)) }
    }

    /// The listener of a daemon still running, or nil.
    public static func load(_ dir: DataDirectory, requireAlive: Bool = true) -> WebListenerRecord? {
        guard let data = FileManager.default.contents(atPath: url(dir).path) else { return nil }
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        guard let r = try? d.decode(WebListenerRecord.self, from: data) else { return nil }
        if requireAlive { guard r.pid > 0, kill(r.pid, 0) == 0 || errno == EPERM else { return nil } }
        return r
    }
}
