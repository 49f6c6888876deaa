import Foundation

/// `session.json`, the command line's session on a data directory: readable by its owner
/// only (0600), written atomically. It holds the session's secret token; the database
/// holds only the token's hash and decides who the session is for (`Desk.resume`), so
/// editing the file's other fields changes nothing.
public struct SessionStore: Sendable {
    public let directory: DataDirectory
    public init(_ directory: DataDirectory) { self.directory = directory }

    public var sessionURL: URL { directory.url.appendingPathComponent("session.json") }

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
