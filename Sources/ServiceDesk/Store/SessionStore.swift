import Foundation

/// The files a data directory keeps for logins, both readable by their owner only
/// (0600): `session.json`, the staff member logged in on this directory, and
/// `login-failures.json`, the local lockout state (not replicated: a lock protects the
/// machine it was earned on).
public struct SessionStore: Sendable {
    public let directory: DataDirectory
    public init(_ directory: DataDirectory) { self.directory = directory }

    public var sessionURL: URL { directory.url.appendingPathComponent("session.json") }
    public var throttleURL: URL { directory.url.appendingPathComponent("login-failures.json") }

    /// The stored session, valid or not; nil when nobody is logged in.
    public func load() throws -> Session? {
        guard let data = FileManager.default.contents(atPath: sessionURL.path) else { return nil }
        do { return try Self.decoder.decode(Session.self, from: data) } catch {
            throw DeskError.invalid("\(sessionURL.path) is not a valid session; log in again (gatehouse login)")
        }
    }

    public func save(_ session: Session) throws { try write(session, to: sessionURL) }

    /// Ends the session; true when there was one.
    @discardableResult
    public func remove() throws -> Bool {
        guard FileManager.default.fileExists(atPath: sessionURL.path) else { return false }
        try FileManager.default.removeItem(at: sessionURL)
        return true
    }

    public func loadThrottle() -> LoginThrottle {
        guard let data = FileManager.default.contents(atPath: throttleURL.path),
              let t = try? Self.decoder.decode(LoginThrottle.self, from: data) else { return LoginThrottle() }
        return t
    }

    public func saveThrottle(_ t: LoginThrottle) throws { try write(t, to: throttleURL) }

    /// Runs `body` holding an exclusive lock on the lockout state (`flock` on
    /// `login-failures.lock`): the daemon's web logins and the command line's load, change
    /// and save the whole file, and without the lock one would overwrite a failure or a
    /// lock the other had just recorded.
    public func withThrottleLock<T>(_ body: () throws -> T) throws -> T {
        let path = directory.url.appendingPathComponent("login-failures.lock").path
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeskError.invalid("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw DeskError.invalid("cannot lock \(path): \(String(cString: strerror(errno)))") }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Writes owner-only through a temporary file and a rename, so a reader never sees half
    /// a file and the content is never readable by others, not even for a moment.
    private func write<T: Encodable>(_ value: T, to url: URL) throws {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: try e.encode(value), attributes: [.posixPermissions: 0o600]) else {
            throw DeskError.invalid("cannot write \(url.path)")
        }
        if rename(tmp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw DeskError.invalid("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()
}
