import CSQLiteConfig
import Foundation
import GRDB
import Logging
import Synchronization

/// One replica's database: the replicated tables, their metadata, the change log, peer
/// cursors and conflict records, in one SQLite file (WAL) shared by the CLI and the sync
/// daemon.
///
/// ```swift
/// let replica = try Replica.create(at: path, id: ReplicaID.generate(prefix: "c001"), schema: schema)
/// let id = try replica.write(author: "S001") { tx in
///     try tx.insert("customer", ["center": "C001", "name": "张三", "phone": "13812345678"])
/// }
/// let names = try replica.read { db in try String.fetchAll(db, sql: "SELECT name FROM customer") }
/// ```
public final class Replica: Sendable {
    /// This replica's id.
    public let id: ReplicaID
    public let schema: ReplicationSchema
    /// The underlying pool; read freely, but write only through `write(author:_:)`.
    public let database: DatabasePool
    let layouts: [String: TableLayout]
    /// Tables in declared order.
    public let tables: [TableLayout]
    /// The layouts of the earlier schema versions this one exchanges change sets with
    /// (`ReplicationSchema.earlierVersions`), by version and table.
    let earlierLayouts: [Int: [String: TableLayout]]
    let directory: ReplicaDirectory
    let wallClock: @Sendable () -> UInt64
    let logger: Logger

    /// Tunables of a replica.
    public struct Options: Sendable {
        /// Milliseconds since the epoch; injectable for tests.
        public var wallClock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }
        /// `synchronous = FULL`: what a peer was told is committed survives power loss.
        public var durable = true
        public var busyTimeout: TimeInterval = 10
        public var logger = Logger(label: "gatehouse.replication")
        public init() {}
    }

    /// Creates a new replica database at `path` (which must not exist yet).
    public static func create(at path: String, id: ReplicaID, schema: ReplicationSchema, options: Options = Options()) throws -> Replica {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicationError.invalidInput("\(path) already exists; refusing to overwrite a replica")
        }
        return try Replica(path: path, schema: schema, createAs: id, options: options)
    }

    /// Opens an existing replica database.
    public static func open(at path: String, schema: ReplicationSchema, options: Options = Options()) throws -> Replica {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReplicationError.invalidInput("no replica database at \(path)")
        }
        return try Replica(path: path, schema: schema, createAs: nil, options: options)
    }

    /// Process-wide SQLite settings, made before the first connection initializes SQLite
    /// (later they cannot change, and `sqlite3_config` says so without harm).
    private static let sqliteConfigured: Bool = gatehouse_sqlite_disable_memstatus() == 0

    private init(path: String, schema: ReplicationSchema, createAs: ReplicaID?, options: Options) throws {
        _ = Replica.sqliteConfigured
        var config = Configuration()
        config.busyMode = .timeout(options.busyTimeout)
        let durable = options.durable
        config.prepareDatabase { db in
            let gate = Mutex(false)
            db.add(function: DatabaseFunction("gatehouse_gate", argumentCount: 0, pure: false) { _ in
                gate.withLock { $0 }
            })
            db.add(function: DatabaseFunction("gatehouse_gate", argumentCount: 1, pure: false) { args in
                let open = (Int.fromDatabaseValue(args[0]) ?? 0) != 0
                gate.withLock { $0 = open }
                return open
            })
            if durable { try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        database = try DatabasePool(path: path, configuration: config)
        if durable {
            // GRDB switches the writer to `synchronous = NORMAL` when it enables WAL, after
            // `prepareDatabase` ran; the writer is the only connection that commits.
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        // The writer's page cache: applying a batch of records with random ids touches
        // most leaf pages of a table; with SQLite's default 2 MiB they were read again
        // from the file for every batch.
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -16384") }
        // Checkpoint the WAL every ~40 MiB instead of SQLite's 4 MiB: a stream of batches
        // rewrites the same index pages, and each checkpoint copies and fsyncs them into
        // the database file again (pushing 100K records went 10.2K → 12.6K changes/s).
        // Commits still fsync the WAL (`synchronous = FULL`); the limit caps the file
        // SQLite leaves behind after a checkpoint.
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        var layouts: [String: TableLayout] = [:]
        var list: [TableLayout] = []
        for t in schema.tables {
            let l = try TableLayout(t)
            guard layouts[t.name] == nil else { throw ReplicationError.invalidSchema("table \(t.name) declared twice") }
            layouts[t.name] = l
            list.append(l)
        }
        self.layouts = layouts
        self.tables = list
        var earlier: [Int: [String: TableLayout]] = [:]
        for v in schema.earlierVersions.keys where v < schema.version {
            guard let old = schema.projected(to: v) else { continue }
            var byName: [String: TableLayout] = [:]
            for t in old.tables {
                let ol = try TableLayout(t)
                // An earlier version's slots must be the first slots of today's, field for
                // field: that is what lets a record of it be completed and one of today cut.
                guard let full = layouts[t.name], ol.slots.count <= full.slots.count,
                      zip(ol.slots, full.slots).allSatisfy({ $0.name == $1.name && $0.columns == $1.columns }) else {
                    throw ReplicationError.invalidSchema("table \(t.name) at version \(v) is not a prefix of version \(schema.version): fields may only be appended")
                }
                byName[t.name] = ol
            }
            earlier[v] = byName
        }
        self.earlierLayouts = earlier
        self.schema = schema
        self.directory = ReplicaDirectory()
        self.wallClock = options.wallClock
        self.logger = options.logger
        self.id = try Storage.prepare(database, schema: schema, layouts: list, createAs: createAs)
    }

    func layout(_ table: String) throws -> TableLayout {
        guard let l = layouts[table] else { throw ReplicationError.unknownTable(table) }
        return l
    }

    /// Runs `body` as one local change: the first mutation bumps this replica's counter
    /// and takes a clock; every record it touches gets that dot; the change log gets one
    /// entry; all of it commits atomically or not at all.
    @discardableResult
    public func write<T>(author: String, _ body: (WriteTransaction) throws -> T) throws -> T {
        let (result, snapshot) = try database.write { db -> (T, ReplicaDirectory.Snapshot) in
            try WriteGate.withOpenGate(db) { gate in
                let tx = WriteTransaction(replica: self, db: db, author: author, gate: gate)
                let r = try body(tx)
                try tx.finish()
                return (r, tx.resolver.snap)
            }
        }
        directory.adopt(snapshot)
        return result
    }

    /// Reads through the pool (a consistent snapshot).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    /// The replicated state of one record, tombstones included; nil if never seen.
    public func state(_ table: String, id: String) throws -> RecordState? {
        let l = try layout(table)
        return try database.read { db in
            var r = ReplicaResolver(directory)
            return try Storage.load(l, id: id, db, &r)
        }
    }

    /// Local counters: the last change number, the hybrid-logical time and the log
    /// sequence.
    public func localClock() throws -> (counter: UInt64, hlc: HLCTimestamp, sequence: UInt64) {
        try database.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT counter, hlc, seq FROM _rep_local"))!
            return (row[0], HLCTimestamp(rawValue: row[1]), row[2])
        }
    }
}

/// Per-transaction local state, loaded on first mutation.
struct LocalCounters {
    var counter: UInt64
    var hlc: HybridLogicalClock
    var seq: UInt64
}
