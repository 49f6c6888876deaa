import Foundation
import GRDB
import Replication
import ServiceDesk

/// Backups of a node's or hub's data directory, and restoring one so that nothing is lost
/// (README, "Backup and restore").
///
/// A backup is one SQLite file: a consistent online copy of the directory's database
/// (SQLite's backup API, taken while the daemon runs) plus, in two tables of its own, what
/// the copy was taken from and the directory's small files (`gatehouse.json`, the CURVE
/// keys), so a machine that lost its disk can be rebuilt from it alone. It holds customers'
/// personal data and the node's secret key: it is created 0600.
///
/// Restoring puts the copy back and makes it safe to sync again:
/// - a **hub** takes a new replica id (the old one retired) and a new `hub_epoch`. Nodes see
///   a new hub log, pull it from 0, and push again everything after the hub's restored
///   cursor of their log — including head-office writes they had pulled after the backup,
///   which the hub takes back (`Sender.lostWritesOf`);
/// - a **node** keeps its replica id (bound to its key at the hub) and its accounts, skips
///   its change counter and log position far ahead (so it never reuses what it issued after
///   the backup), and forgets the hub's log, so it pulls its center from 0 — its own
///   writes the hub holds included.
public enum DirectoryBackup {
    /// What a backup holds, from its own tables.
    public struct Info: Codable, Sendable, Equatable {
        public var role: DirectoryRole
        public var center: String
        public var replicaID: String
        public var takenAt: Date
        public var schemaVersion: Int
        public var software: String
        /// The log position of the copied database.
        public var logHead: UInt64
        /// Size of the backup file.
        public var bytes: Int64
    }

    /// The files of a data directory a backup carries besides the database.
    static let carriedFiles = ["gatehouse.json", "keys/curve.public", "keys/curve.secret"]

    /// Takes a backup of `dir` into `file` (a new file), while its daemon may be running.
    @discardableResult
    public static func take(_ dir: DataDirectory, to file: String, software: String, now: Date = Date()) throws -> Info {
        let config = try dir.loadConfig()
        let fm = FileManager.default
        guard fm.fileExists(atPath: dir.databasePath) else { throw RuntimeError.configuration("no database in \(dir.url.path)") }
        guard !fm.fileExists(atPath: file) else {
            throw RuntimeError.configuration("\(file) already exists; refusing to overwrite it (choose a new file name, e.g. with the date)")
        }
        let target = URL(fileURLWithPath: file)
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())").path
        try? fm.removeItem(atPath: partial)
        try Replica.backup(databaseAt: dir.databasePath, to: partial)
        do {
            let q = try DatabaseQueue(path: partial)
            let head: UInt64 = try q.write { db in
                let head = UInt64(try Int64.fetchOne(db, sql: "SELECT seq FROM _rep_local") ?? 0)
                let schema = try Int.fetchOne(db, sql: "SELECT schema_version FROM _rep_local") ?? 0
                try db.execute(sql: """
                    CREATE TABLE gatehouse_backup (k INTEGER PRIMARY KEY CHECK (k = 1), role TEXT NOT NULL, center TEXT NOT NULL,
                      replica TEXT NOT NULL, taken_at INTEGER NOT NULL, schema_version INTEGER NOT NULL, software TEXT NOT NULL,
                      log_head INTEGER NOT NULL);
                    CREATE TABLE gatehouse_backup_file (name TEXT PRIMARY KEY, mode INTEGER NOT NULL, body BLOB NOT NULL);
                    """)
                try db.execute(sql: "INSERT INTO gatehouse_backup VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [config.role.rawValue, config.center, config.replicaID, Int64(now.timeIntervalSince1970 * 1000),
                                           schema, software, Int64(head)])
                for name in carriedFiles {
                    let path = dir.url.appendingPathComponent(name).path
                    guard let data = fm.contents(atPath: path) else { continue }
                    let mode = ((try? fm.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? 0o600
                    try db.execute(sql: "INSERT INTO gatehouse_backup_file VALUES (?, ?, ?)", arguments: [name, mode, data])
                }
                return head
            }
            try q.close()
            // Durable before it gets its name: a crash leaves a partial file, never a bad backup.
            let fd = open(partial, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            guard rename(partial, file) == 0 else { throw RuntimeError.configuration("cannot create \(file): \(String(cString: strerror(errno)))") }
            let bytes = ((try? fm.attributesOfItem(atPath: file))?[.size] as? Int64) ?? 0
            return Info(role: config.role, center: config.center, replicaID: config.replicaID, takenAt: now,
                        schemaVersion: DeskSchema.schema.version, software: software, logHead: head, bytes: bytes)
        } catch {
            try? fm.removeItem(atPath: partial)
            throw error
        }
    }

    /// Reads and checks a backup file (`PRAGMA integrity_check`), without changing it.
    public static func inspect(_ file: String) throws -> Info {
        guard FileManager.default.fileExists(atPath: file) else { throw RuntimeError.configuration("no such file: \(file)") }
        var c = Configuration()
        c.readonly = true
        let q: DatabaseQueue
        do { q = try DatabaseQueue(path: file, configuration: c) } catch {
            throw RuntimeError.configuration("\(file) is not a gatehouse backup (not an SQLite database)")
        }
        defer { try? q.close() }
        let info: Info = try q.read { db in
            guard (try? db.tableExists("gatehouse_backup")) == true,
                  let row = try Row.fetchOne(db, sql: "SELECT * FROM gatehouse_backup") else {
                throw RuntimeError.configuration("\(file) is not a gatehouse backup (made by `gatehouse backup --output FILE`)")
            }
            guard let role = DirectoryRole(rawValue: row["role"]) else { throw RuntimeError.configuration("\(file) names an unknown role") }
            let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard check == ["ok"] else {
                throw RuntimeError.configuration("\(file) is damaged (integrity check: \(check.prefix(3).joined(separator: "; "))); use an older backup")
            }
            return Info(role: role, center: row["center"], replicaID: row["replica"],
                        takenAt: Date(timeIntervalSince1970: Double(row["taken_at"] as Int64) / 1000),
                        schemaVersion: row["schema_version"], software: row["software"], logHead: UInt64(row["log_head"] as Int64), bytes: 0)
        }
        var i = info
        i.bytes = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int64) ?? 0
        return i
    }

    /// What a restore did.
    public struct Restored: Sendable, Equatable {
        public var backup: Info
        /// The replica id the directory has now (a hub's is new).
        public var replicaID: String
        /// The hub's new epoch (hub only).
        public var hubEpoch: UInt64?
        /// Where the database that was replaced was set aside (nil if there was none).
        public var setAside: String?
        /// The files written from the backup because the directory lacked them.
        public var filesRestored: [String]
    }

    /// Restores `file` into `dir` (which may be missing or empty on a rebuilt machine).
    /// Refuses while any process has the directory's database open (its daemon, or a
    /// command), a backup of another role, center or node, and a backup of a newer schema.
    /// The database it replaces is renamed, not deleted.
    public static func restore(_ file: String, into dir: DataDirectory, now: Date = Date()) throws -> Restored {
        let info = try inspect(file)
        let fm = FileManager.default
        guard info.schemaVersion <= DeskSchema.schema.version else {
            throw RuntimeError.configuration("the backup is of desk schema \(info.schemaVersion), newer than this program's (\(DeskSchema.schema.version)); restore it with the gatehouse that made it (\(info.software))")
        }
        if dir.exists {
            let config = try dir.loadConfig()
            guard config.role == info.role else {
                throw RuntimeError.configuration("the backup is of a \(info.role.rawValue), \(dir.url.path) is a \(config.role.rawValue); refusing to restore")
            }
            guard config.center == info.center else {
                throw RuntimeError.configuration("the backup is of center \(info.center), \(dir.url.path) serves \(config.center); refusing to restore")
            }
            // A node's id is bound to its key at the hub; a hub's changes at every restore.
            if info.role == .node, config.replicaID != info.replicaID {
                throw RuntimeError.configuration("the backup is of node \(info.replicaID), \(dir.url.path) is node \(config.replicaID); refusing to restore (a replaced node is set up with `node init` and enrolled anew)")
            }
        }
        let users = processesUsing(dir)
        guard users.isEmpty else {
            throw RuntimeError.configuration("the \(info.role.rawValue) in \(dir.url.path) is in use by process \(users.map(String.init).joined(separator: ", ")); stop its daemon first (systemctl stop gatehouse-\(info.role.rawValue)) and try again")
        }
        try fm.createDirectory(at: dir.url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let staging = dir.databasePath + ".restoring"
        for s in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: staging + s) }
        try fm.copyItem(atPath: file, toPath: staging)
        _ = chmod(staging, 0o600)
        var carried: [(String, Int, Data)] = []
        var newID = info.replicaID
        var epoch: UInt64?
        do {
            let q = try DatabaseQueue(path: staging)
            try q.write { db in
                for row in try Row.fetchAll(db, sql: "SELECT name, mode, body FROM gatehouse_backup_file") {
                    carried.append((row[0], row[1], row[2]))
                }
                try db.execute(sql: "DROP TABLE gatehouse_backup; DROP TABLE gatehouse_backup_file")
                if info.role == .hub, try db.tableExists("hub_meta") {
                    // A new hub log: nodes' cursors into the old one no longer apply (SPEC §5.2, §10).
                    let e = Int64.random(in: 1...Int64.max)
                    epoch = UInt64(e)
                    try db.execute(sql: "UPDATE hub_meta SET epoch = ?, keys_version = keys_version + 1", arguments: [e])
                    try db.execute(sql: "UPDATE hub_node SET state = 'offline', connected_since = NULL WHERE state = 'connected'")
                    try db.execute(sql: "INSERT INTO hub_log(at, public_key, center, event, detail) VALUES (?, NULL, NULL, 'restore', ?)",
                                   arguments: [Int64(now.timeIntervalSince1970 * 1000), "restored from a backup of \(info.takenAt)"])
                }
            }
            try q.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try q.close()
            if info.role == .hub {
                newID = ReplicaID.generate(prefix: "hub").rawValue
                try Replica.adoptNewIdentity(at: staging, newID: ReplicaID(rawValue: newID)!, now: now)
            } else {
                try Replica.skipAhead(at: staging)
                try Replica.forgetReceivedCursors(at: staging)
            }
        } catch {
            for s in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: staging + s) }
            throw error
        }
        // Set the old database aside with its WAL (left beside the restored file, SQLite
        // would replay it into it), then move the restored one in.
        var setAside: String?
        if fm.fileExists(atPath: dir.databasePath) {
            let stamp = ISO8601DateFormatter().string(from: now).replacingOccurrences(of: ":", with: "")
            let aside = dir.databasePath + ".replaced-\(stamp)"
            for s in ["", "-wal", "-shm"] where fm.fileExists(atPath: dir.databasePath + s) {
                guard rename(dir.databasePath + s, aside + s) == 0 else {
                    throw RuntimeError.configuration("cannot set \(dir.databasePath + s) aside: \(String(cString: strerror(errno)))")
                }
            }
            setAside = aside
        }
        for s in ["-wal", "-shm"] { try? fm.removeItem(atPath: dir.databasePath + s) }
        for s in ["-wal", "-shm"] where fm.fileExists(atPath: staging + s) { _ = rename(staging + s, dir.databasePath + s) }
        guard rename(staging, dir.databasePath) == 0 else {
            throw RuntimeError.configuration("cannot move the restored database into place: \(String(cString: strerror(errno)))")
        }
        // The directory's own files win (they are current); missing ones come from the backup.
        var restoredFiles: [String] = []
        for (name, mode, body) in carried {
            let url = dir.url.appendingPathComponent(name)
            guard !fm.fileExists(atPath: url.path) else { continue }
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard fm.createFile(atPath: url.path, contents: body, attributes: [.posixPermissions: mode & 0o777]) else {
                throw RuntimeError.configuration("cannot write \(url.path)")
            }
            restoredFiles.append(name)
        }
        var config = try dir.loadConfig()
        if config.replicaID != newID {
            config.replicaID = newID
            try dir.saveConfig(config)
        }
        // Sessions and the web listener of the database that was replaced mean nothing now.
        try? fm.removeItem(at: dir.url.appendingPathComponent("session.json"))
        if info.role == .node {
            // The pull starts over (from 0, the node's own writes the hub holds included).
            let pool = try DatabasePool(path: dir.databasePath)
            try NodeSyncStore(pool).update { st in
                st.hubID = nil
                st.hubEpoch = nil
                st.daemonPID = nil
                st.pullCursorAtContact = 0
                st.hubHeadSeq = 0
                st.state = "never"
                st.stateSince = now
            }
            try pool.close()
        }
        return Restored(backup: info, replicaID: newID, hubEpoch: epoch, setAside: setAside, filesRestored: restoredFiles)
    }

    /// The processes (other than this one) that have the directory's database or its WAL
    /// open, from `/proc/*/fd`: a running daemon, a command in progress. Processes of other
    /// users are not visible; the daemon runs as the same service account as `restore`.
    public static func processesUsing(_ dir: DataDirectory) -> [Int32] {
        let fm = FileManager.default
        let db = URL(fileURLWithPath: dir.databasePath).resolvingSymlinksInPath().path
        let targets: Set<String> = [db, db + "-wal", db + "-shm"]
        let me = getpid()
        var found: [Int32] = []
        for entry in (try? fm.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != me else { continue }
            let fdDir = "/proc/\(entry)/fd"
            for fd in (try? fm.contentsOfDirectory(atPath: fdDir)) ?? [] {
                if let link = try? fm.destinationOfSymbolicLink(atPath: "\(fdDir)/\(fd)"), targets.contains(link) {
                    found.append(pid)
                    break
                }
            }
        }
        return found.sorted()
    }
}
