import Foundation

/// What a data directory is: a center's node or the head-office hub.
public enum DirectoryRole: String, Codable, Sendable {
    case node, hub
}

/// The settings kept beside the database in `gatehouse.json`.
public struct DirectoryConfig: Codable, Sendable, Equatable {
    public var role: DirectoryRole
    /// The center code (`HQ` for the hub).
    public var center: String
    public var name: String
    public var replicaID: String
    public var createdAt: Date
    /// Where the hub listens (hub) or where the node finds it (node).
    public var endpoint: String?
    /// The hub's CURVE public key (node).
    public var hubKey: String?
    /// Created for demonstration (`--demo` at init): the only kind of directory whose
    /// users may set the business clock (`--now`, `GATEHOUSE_NOW`). Fixed at creation;
    /// `status` warns about it, and a hub not created this way refuses its records.
    public var demoClock: Bool

    public init(role: DirectoryRole, center: String, name: String, replicaID: String, createdAt: Date,
                endpoint: String? = nil, hubKey: String? = nil, demoClock: Bool = false) {
        self.role = role
        self.center = center
        self.name = name
        self.replicaID = replicaID
        self.createdAt = createdAt
        self.endpoint = endpoint
        self.hubKey = hubKey
        self.demoClock = demoClock
    }

    private enum CodingKeys: String, CodingKey {
        case role, center, name, replicaID, createdAt, endpoint, hubKey, demoClock
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(DirectoryRole.self, forKey: .role)
        center = try c.decode(String.self, forKey: .center)
        name = try c.decode(String.self, forKey: .name)
        replicaID = try c.decode(String.self, forKey: .replicaID)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint)
        hubKey = try c.decodeIfPresent(String.self, forKey: .hubKey)
        // Directories made before the flag existed are production ones.
        demoClock = try c.decodeIfPresent(Bool.self, forKey: .demoClock) ?? false
    }
}

/// A node's or hub's data directory: `gatehouse.json`, `gatehouse.sqlite` (+ WAL files),
/// and later keys and sessions.
public struct DataDirectory: Sendable {
    public let url: URL
    public init(path: String) { url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL }

    public var configURL: URL { url.appendingPathComponent("gatehouse.json") }
    public var databasePath: String { url.appendingPathComponent("gatehouse.sqlite").path }
    public var exists: Bool { FileManager.default.fileExists(atPath: configURL.path) }

    public func loadConfig() throws -> DirectoryConfig {
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw DeskError.notInitialized(url.path)
        }
        do {
            let d = JSONDecoder()
            d.dateDecodingStrategy = .iso8601
            return try d.decode(DirectoryConfig.self, from: data)
        } catch {
            throw DeskError.invalid("\(configURL.path) is not a valid gatehouse configuration: \(error)")
        }
    }

    /// Writes the configuration atomically (write to a temporary file, then rename).
    public func saveConfig(_ c: DirectoryConfig) throws {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try e.encode(c).write(to: configURL, options: .atomic)
    }

    /// Creates the directory for a new node or hub; refuses one that is already set up.
    public func prepareNew() throws {
        if exists || FileManager.default.fileExists(atPath: databasePath) {
            throw DeskError.invalid("\(url.path) already holds a gatehouse \((try? loadConfig().role.rawValue) ?? "database"); refusing to overwrite it")
        }
        Self.restrictNewFiles()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // An existing empty directory given for the node is made owner-only too.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
    }

    /// Every file this process creates from now on is its owner's only (umask 077): the
    /// database and its WAL and SHM files are 0600 from the moment they exist, with no
    /// window in which another account could open them.
    public static func restrictNewFiles() {
        _ = umask(0o077)
    }

    /// Tightens a directory made before the rule: the directory 0700, the database files
    /// 0600 (best effort; the owner may always loosen them again).
    public func restrictExisting() {
        let fm = FileManager.default
        func tighten(_ path: String, _ mode: Int) {
            guard let attrs = try? fm.attributesOfItem(atPath: path), let p = attrs[.posixPermissions] as? Int, p & 0o077 != 0 else { return }
            try? fm.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        tighten(url.path, 0o700)
        for suffix in ["", "-wal", "-shm"] { tighten(databasePath + suffix, 0o600) }
        tighten(configURL.path, 0o600)
    }
}
