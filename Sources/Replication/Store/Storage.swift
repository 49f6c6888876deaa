import GRDB
import GRDBSQLite

/// The engine's tables and the storage of record states.
enum Storage {
    /// `_nconf`: open conflicts (siblings) of the record, so they are found by index;
    /// `_nhist`: its history entries (in `_rep_conflicts`).
    static let metaColumns = ["_vv", "_clk", "_del", "_seq", "_src", "_nconf", "_nhist"]

    static func q(_ name: String) -> String { "\"\(name)\"" }

    static func columnList(_ l: TableLayout) -> String { l.sql.columnList }

    /// Creates or upgrades the engine's tables and the declared tables; returns the
    /// replica id stored in the database.
    static func prepare(_ pool: DatabasePool, schema: ReplicationSchema, layouts: [TableLayout], createAs: ReplicaID?) throws -> ReplicaID {
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS _rep_local (
                  k INTEGER PRIMARY KEY CHECK (k = 1),
                  replica TEXT NOT NULL,
                  counter INTEGER NOT NULL,
                  hlc INTEGER NOT NULL,
                  seq INTEGER NOT NULL,
                  schema_version INTEGER NOT NULL,
                  created_at INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS _rep_replicas (
                  idx INTEGER PRIMARY KEY AUTOINCREMENT,
                  replica TEXT NOT NULL UNIQUE);
                CREATE TABLE IF NOT EXISTS _rep_changes (
                  counter INTEGER PRIMARY KEY,
                  hlc INTEGER NOT NULL,
                  author TEXT NOT NULL,
                  records INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS _rep_peers (
                  peer TEXT PRIMARY KEY,
                  received INTEGER NOT NULL DEFAULT 0,
                  acknowledged INTEGER NOT NULL DEFAULT 0,
                  updated_at INTEGER NOT NULL DEFAULT 0);
                -- The settled conflicts (RecordState.history); open ones are siblings in _clk.
                CREATE TABLE IF NOT EXISTS _rep_conflicts (
                  tbl TEXT NOT NULL, rid TEXT NOT NULL, field TEXT NOT NULL,
                  loser_replica TEXT NOT NULL, loser_counter INTEGER NOT NULL,
                  open INTEGER NOT NULL, review INTEGER NOT NULL, detected_hlc INTEGER NOT NULL,
                  body BLOB NOT NULL,
                  PRIMARY KEY (tbl, rid, field, loser_replica, loser_counter)) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS _rep_conflicts_open ON _rep_conflicts(open, review);
                -- Identities this replica used before it was restored from a backup (never
                -- written with again): peers may bring back writes of them it lost.
                CREATE TABLE IF NOT EXISTS _rep_retired (
                  replica TEXT PRIMARY KEY NOT NULL,
                  retired_at INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS _rep_quarantine (
                  n INTEGER PRIMARY KEY AUTOINCREMENT,
                  peer TEXT NOT NULL, tbl TEXT NOT NULL, rid TEXT NOT NULL,
                  reason TEXT NOT NULL, at INTEGER NOT NULL);
                -- A peer's last refusal (the hub's status row) without reading every peer's.
                CREATE INDEX IF NOT EXISTS _rep_quarantine_peer ON _rep_quarantine(peer);
                """)
            let row = try Row.fetchOne(db, sql: "SELECT replica, schema_version FROM _rep_local")
            let id: ReplicaID
            if let row {
                if let createAs { throw ReplicationError.invalidInput("database already belongs to replica \(row[0] as String), not \(createAs)") }
                let stored: Int = row[1]
                if stored > schema.version {
                    throw ReplicationError.invalidInput(
                        "database schema version \(stored) is newer than this program's (\(schema.version)); upgrade gatehouse")
                }
                guard let rid = ReplicaID(rawValue: row[0]) else { throw ReplicationError.corrupt("bad local replica id") }
                id = rid
            } else {
                guard let createAs else { throw ReplicationError.invalidInput("database has no replica identity; create it first") }
                id = createAs
                try db.execute(sql: "INSERT INTO _rep_local VALUES (1, ?, 0, 0, 0, ?, ?)",
                               arguments: [id.rawValue, schema.version, Int64(Date().timeIntervalSince1970)])
                try db.execute(sql: "INSERT INTO _rep_replicas(replica) VALUES (?)", arguments: [id.rawValue])
            }
            for l in layouts { try prepareTable(l, db) }
            try db.execute(sql: "UPDATE _rep_local SET schema_version = ?", arguments: [schema.version])
            return id
        }
    }

    static func prepareTable(_ l: TableLayout, _ db: Database) throws {
        let t = q(l.storage)
        let cols = l.fields.map { "\(q($0.name)) \($0.type.rawValue)" }.joined(separator: ", ")
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(t) (
              id TEXT PRIMARY KEY NOT NULL, \(cols),
              _vv BLOB NOT NULL, _clk BLOB NOT NULL, _del INTEGER NOT NULL DEFAULT 0,
              _seq INTEGER NOT NULL, _src INTEGER NOT NULL DEFAULT 0, _nconf INTEGER NOT NULL DEFAULT 0,
              _nhist INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID
            """)
        // Fields added by a later schema version are appended.
        let existing = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(t))").map { $0["name"] as String })
        for f in l.fields where !existing.contains(f.name) {
            try db.execute(sql: "ALTER TABLE \(t) ADD COLUMN \(q(f.name)) \(f.type.rawValue)")
        }
        if !existing.contains("_nhist") {
            // A table made before open conflicts became slot siblings: its rows decode (no
            // siblings); its old conflict entries are not carried over.
            try db.execute(sql: "ALTER TABLE \(t) ADD COLUMN _nhist INTEGER NOT NULL DEFAULT 0")
        }
        // The log index carries `_src` too: what a peer has not seen yet (`_seq > ? AND _src
        // != ?`) is then counted and found from the index alone, not by looking each row up
        // (the status of a node with 40,000 unsent records: 50 ms → 1 ms; the 工作台 shows it).
        // A database made with the one-column index gets the two-column one once.
        let seqIndex = q(l.storage + "_seq")
        if try Row.fetchAll(db, sql: "PRAGMA index_info(\(seqIndex))").count == 1 {
            try db.execute(sql: "DROP INDEX \(seqIndex)")
        }
        try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(seqIndex) ON \(t)(_seq, _src)")
        try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(q(l.storage + "_open")) ON \(t)(_nconf) WHERE _nconf > 0")
        if let sf = l.scopeField {
            // A center's log in log order: what its pulls and its pull lag read, whatever
            // the other centers wrote.
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(q(l.storage + "_scope")) ON \(t)(\(q(l.fields[sf].name)), _seq)")
        }
        for idx in l.table.indexes {
            let name = q(l.name + "_" + idx.joined(separator: "_"))
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(name) ON \(t)(\(idx.map(q).joined(separator: ", ")))")
        }
        try db.execute(sql: "DROP VIEW IF EXISTS \(q(l.name))")
        try db.execute(sql: """
            CREATE VIEW \(q(l.name)) AS SELECT \((["id"] + l.fields.map(\.name)).map(q).joined(separator: ", "))
            FROM \(t) WHERE _del = 0
            """)
        for op in ["INSERT", "UPDATE", "DELETE"] {
            try db.execute(sql: """
                CREATE TRIGGER IF NOT EXISTS \(q("_rep_guard_\(l.name)_\(op.lowercased())")) BEFORE \(op) ON \(t)
                WHEN NOT gatehouse_gate()
                BEGIN SELECT RAISE(ABORT, 'gatehouse: \(l.name) is a replicated table; write it through the replication engine'); END
                """)
        }
    }

    /// One part of a table's log that an index yields in log order: a `FROM` (with the
    /// index named) and a condition on the rows after a cursor.
    struct LogStream {
        var from: String
        var condition: String
        var args: [DatabaseValue]
    }

    /// The parts of `l`'s log after `cursor` within `scope`, each read through an index
    /// from the cursor on: for `.all` the `_seq` index; for centers, each center's range
    /// of the `(scope, _seq)` index and the shared rows' (NULL and ''), so a pull costs
    /// the center's own entries, never the fleet's. With `heads`, the parts where nothing
    /// was logged after `cursor` are left out without a query.
    /// The last log position in `l` (the end of its `_seq` index), 0 when it has none.
    static func logHead(_ l: TableLayout, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(_seq) FROM \(q(l.storage))")) ?? 0
    }

    /// The local log sequence and the end of each table's log (as ``logHead(_:_:)``, in
    /// `tables`' order), in one statement of scalar subqueries: a catch-up probes them all,
    /// and one step costs a fraction of twenty GRDB fetches.
    static func logHeads(_ tables: [TableLayout], _ db: Database) throws -> (sequence: UInt64, tables: [Int64]) {
        let sql = "SELECT (SELECT seq FROM _rep_local)" + tables.map { ", (SELECT max(_seq) FROM \(q($0.storage)))" }.joined()
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql)) else { return (0, tables.map { _ in 0 }) }
        let seq: Int64 = row[0] ?? 0
        return (UInt64(bitPattern: seq), tables.indices.map { (row[$0 + 1] as Int64?) ?? 0 })
    }

    static func streams(_ l: TableLayout, after cursor: UInt64, scope: ScopeFilter, heads: ScopeHeads?) -> [LogStream] {
        let t = q(l.storage)
        let after = Int64(bitPattern: cursor).databaseValue
        func moved(_ s: String) -> Bool { heads.map { $0.head(s, l.name) > cursor } ?? true }
        guard case .centers(let set) = scope else { return [LogStream(from: t, condition: "_seq > ?", args: [after])] }
        guard let sf = l.scopeField else {
            return moved("") ? [LogStream(from: t + " INDEXED BY " + q(l.storage + "_seq"), condition: "_seq > ?", args: [after])] : []
        }
        let from = t + " INDEXED BY " + q(l.storage + "_scope")
        let col = q(l.fields[sf].name)
        var out: [LogStream] = []
        for c in set.sorted() where !c.isEmpty && moved(c) {
            out.append(LogStream(from: from, condition: "\(col) = ? AND _seq > ?", args: [c.databaseValue, after]))
        }
        if moved("") {
            out.append(LogStream(from: from, condition: "\(col) IS NULL AND _seq > ?", args: [after]))
            out.append(LogStream(from: from, condition: "\(col) = '' AND _seq > ?", args: [after]))
        }
        return out
    }

    /// Pull lags of many peers of `l` in one statement (``Replica/pullLags(_:)``): its one
    /// argument is a JSON array of `[center, cursor, source]`; each result row is the
    /// peer's position in it and its count of entries after `cursor`, in its center's
    /// range of the `(center, _seq)` index (and, with `shared`, the shared rows'), not
    /// from replica index `source`. An unscoped table is counted through its
    /// `(_seq, _src)` index.
    static func lagQuery(_ l: TableLayout, shared: Bool) -> String {
        let t = q(l.storage)
        let center = "json_extract(p.value, '$[0]')", after = "json_extract(p.value, '$[1]')", src = "json_extract(p.value, '$[2]')"
        func count(_ from: String, _ condition: String) -> String {
            "(SELECT count(*) FROM \(from) WHERE \(condition) AND _seq > \(after) AND _src != \(src))"
        }
        var parts: [String]
        if let sf = l.scopeField {
            let from = t + " INDEXED BY " + q(l.storage + "_scope"), col = q(l.fields[sf].name)
            parts = [count(from, "\(col) = \(center)")]
            if shared { parts += [count(from, "\(col) IS NULL"), count(from, "\(col) = ''")] }
        } else {
            parts = [count(t + " INDEXED BY " + q(l.storage + "_seq"), "1")]
        }
        return "SELECT p.key, " + parts.joined(separator: " + ") + " FROM json_each(?) AS p"
    }

    /// Whether any shared row (scope NULL or '') of scoped table `l` lies after a cursor
    /// (the one argument): if none, the pull lags leave the shared ranges out.
    static func sharedAfterQuery(_ l: TableLayout, _ sf: Int) -> String {
        let from = q(l.storage) + " INDEXED BY " + q(l.storage + "_scope"), col = q(l.fields[sf].name)
        return "SELECT EXISTS (SELECT 1 FROM \(from) WHERE \(col) IS NULL AND _seq > ?1) OR EXISTS (SELECT 1 FROM \(from) WHERE \(col) = '' AND _seq > ?1)"
    }

    /// The next rows of one stream of `l`'s log for a peer: not from replica index
    /// `source`, in log order, at most `limit`.
    static func logQuery(_ l: TableLayout, _ s: LogStream, source: Int, limit: Int) -> (sql: String, args: [DatabaseValue]) {
        ("SELECT \(columnList(l)) FROM \(s.from) WHERE \(s.condition) AND _src != ? ORDER BY _seq LIMIT \(limit)",
         s.args + [source.databaseValue])
    }

    /// Loads a record's state with its history.
    static func load(_ l: TableLayout, id: String, _ db: Database, _ r: inout ReplicaResolver) throws -> RecordState? {
        // Through the C API: on the merge path this runs once per incoming record, and
        // GRDB's argument checks and row copies cost more than the lookup.
        let stmt = try db.cachedStatement(sql: l.sql.selectByID)
        stmt.setUncheckedArguments(StatementArguments())  // reset, clear the bindings
        var b = Binder(stmt.sqliteStatement)
        b.text(id)
        var found: RecordState?
        try forEachRow(stmt, db) { found = try decode($0, l, db, &r) }
        return found
    }

    static func decode(_ row: some StorageColumns, _ l: TableLayout, _ db: Database, _ r: inout ReplicaResolver) throws -> RecordState {
        var s = try RowCodec.decodeRow(row, l, &r, db)
        let nhist = row.int(l.fields.count + 7)
        if nhist > 0 { s.history = try loadHistory(table: l.name, id: s.id, db) }
        return s
    }

    /// Writes a state. `previous` is the stored state it replaces (nil for a new record).
    static func save(_ s: RecordState, previous: RecordState?, _ l: TableLayout, seq: UInt64, source: Int,
                     _ db: Database, _ r: inout ReplicaResolver) throws {
        _ = try write(s, previous: previous, onlyIfAbsent: false, l, seq: seq, source: source, db, &r)
    }

    /// Stores `s` as a new record unless one with its id is already stored (then writes
    /// nothing and returns false). The merge of a record new here is the incoming state
    /// itself, so this saves looking the id up first, for every record of a first push or
    /// a bootstrap; the caller loads and merges only when it returns false.
    static func insertIfAbsent(_ s: RecordState, _ l: TableLayout, seq: UInt64, source: Int,
                               _ db: Database, _ r: inout ReplicaResolver) throws -> Bool {
        try write(s, previous: nil, onlyIfAbsent: true, l, seq: seq, source: source, db, &r)
    }

    private static func write(_ s: RecordState, previous: RecordState?, onlyIfAbsent: Bool, _ l: TableLayout, seq: UInt64,
                              source: Int, _ db: Database, _ r: inout ReplicaResolver) throws -> Bool {
        // Bound straight through the C API: building `StatementArguments` and validating
        // them cost more than the insert itself. The bindings mirror GRDB's own (text as
        // a NUL-terminated copy, blobs copied, integers as int64).
        // Column order: id, fields, meta for INSERT; fields, meta, id for UPDATE.
        let isNew = previous == nil
        let vv = try RowCodec.encodeVector(s.vector, &r, db)
        let clk = try RowCodec.encodeClocks(s, l, &r, db)
        let stmt = try db.cachedStatement(sql: isNew ? (onlyIfAbsent ? l.sql.insertIfAbsent : l.sql.insert) : l.sql.update)
        stmt.setUncheckedArguments(StatementArguments())  // reset, clear the bindings
        var b = Binder(stmt.sqliteStatement)
        if isNew { b.text(s.id) }
        // Each column straight from its slot (`columnSlot`), without gathering them first.
        for (slot, position) in l.columnSlot {
            if position < s.slots[slot].values.count { b.value(s.slots[slot].values[position]) } else { b.value(.null) }
        }
        b.blob(vv)
        b.blob(clk)
        b.int(s.deletion == nil ? 0 : 1)
        b.int(Int64(bitPattern: seq))
        b.int(Int64(source))
        b.int(Int64(s.siblingCount))
        b.int(Int64(s.history.count))
        if !isNew { b.text(s.id) }
        try run(stmt, db)
        if onlyIfAbsent && sqlite3_changes(db.sqliteConnection) == 0 { return false }
        let old = previous?.history ?? []
        if s.history != old {
            for e in s.history where !old.contains(e) { try saveHistoryEntry(e, table: l.name, id: s.id, db) }
        }
        return true
    }

    // MARK: history (settled conflicts)

    /// Stores a history entry (replacing one with the same key); `detected_hlc` is the
    /// time of the write that settled it.
    static func saveHistoryEntry(_ e: ConflictEntry, table: String, id: String, _ db: Database) throws {
        var w = ByteWriter(capacity: 96)
        func clock(_ c: Clock) {
            w.string(c.dot.replica.rawValue)
            w.varint(c.dot.counter)
            w.varint(c.hlc.rawValue)
            w.string(c.author)
        }
        w.string(e.policy)
        w.varint(e.needsReview ? 1 : 0)
        clock(e.winner)
        w.varint(e.winnerValues.count)
        e.winnerValues.forEach { w.value($0) }
        clock(e.loser)
        w.varint(e.loserValues.count)
        e.loserValues.forEach { w.value($0) }
        if let res = e.resolution {
            w.varint(1)
            clock(res)
        } else {
            w.varint(0)
        }
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO _rep_conflicts (tbl, rid, field, loser_replica, loser_counter, open, review, detected_hlc, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET open = excluded.open, review = excluded.review, detected_hlc = excluded.detected_hlc,
              body = excluded.body
            """)
        try stmt.execute(arguments: [table, id, e.field, e.loser.dot.replica.rawValue, Int64(e.loser.dot.counter),
                                     e.isOpen ? 1 : 0, e.needsReview ? 1 : 0,
                                     Int64(bitPattern: (e.resolution?.hlc ?? e.loser.hlc).rawValue),
                                     Data(w.bytes)])
    }

    static func decodeConflict(field: String, body: [UInt8]) throws -> ConflictEntry {
        var rd = ByteReader(body)
        func clock() throws -> Clock {
            let rep = try ReplicaID(validating: try rd.string())
            let counter = try rd.varint()
            let hlc = HLCTimestamp(rawValue: try rd.varint())
            return Clock(dot: Dot(replica: rep, counter: counter), hlc: hlc, author: try rd.string())
        }
        func values() throws -> [Value] { try (0..<(try rd.int())).map { _ in try rd.value() } }
        let policy = try rd.string()
        let review = try rd.varint() == 1
        let winner = try clock()
        let wv = try values()
        let loser = try clock()
        let lv = try values()
        let res = try rd.varint() == 1 ? try clock() : nil
        return ConflictEntry(field: field, policy: policy, needsReview: review, winner: winner, winnerValues: wv,
                             loser: loser, loserValues: lv, resolution: res)
    }

    static func loadHistory(table: String, id: String, _ db: Database) throws -> [ConflictEntry] {
        // open = 1 rows are open entries of the earlier format; open conflicts are siblings now.
        let stmt = try db.cachedStatement(sql: "SELECT field, body FROM _rep_conflicts WHERE tbl = ? AND rid = ? AND open = 0")
        return try Row.fetchAll(stmt, arguments: [table, id])
            .map { try decodeConflict(field: $0[0], body: [UInt8]($0[1] as Data)) }
            .sorted(by: ConflictEntry.keyLess)
    }
}

import Foundation

/// A storage table's SQL, derived from its declaration.
struct StorageSQL: Sendable {
    /// `id, <fields…>, <meta…>`: the storage row order `RowCodec` decodes.
    let columnList: String
    let selectByID: String
    /// `_del` of one id: whether it is taken, and by a tombstone.
    let deletedByID: String
    /// Binds `id, <fields…>, <meta…>`.
    let insert: String
    /// `insert` that does nothing when the id is already stored.
    let insertIfAbsent: String
    /// Binds `<fields…>, <meta…>, id`.
    let update: String

    init(_ t: ReplicatedTable) {
        let table = Storage.q("_rep_" + t.name)
        let names = t.fields.map { Storage.q($0.name) } + Storage.metaColumns
        columnList = (["id"] + names).joined(separator: ", ")
        selectByID = "SELECT \(columnList) FROM \(table) WHERE id = ?"
        deletedByID = "SELECT _del FROM \(table) WHERE id = ?"
        insert = "INSERT INTO \(table) (\(columnList)) VALUES (\(Array(repeating: "?", count: names.count + 1).joined(separator: ",")))"
        insertIfAbsent = insert + " ON CONFLICT(id) DO NOTHING"
        update = "UPDATE \(table) SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"
    }
}

/// Binds values in order to a statement GRDB prepared, through the C API.
struct Binder {
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    let stmt: OpaquePointer
    var index: CInt = 1
    init(_ stmt: OpaquePointer) { self.stmt = stmt }

    private mutating func check(_ code: CInt) {
        // Binding does not touch the file system: a failure is a programming error.
        precondition(code == SQLITE_OK, "sqlite3_bind failed (\(code)) at parameter \(index)")
        index += 1
    }
    mutating func null() { check(sqlite3_bind_null(stmt, index)) }
    mutating func int(_ v: Int64) { check(sqlite3_bind_int64(stmt, index, v)) }
    mutating func text(_ v: String) {
        // From the string's own UTF-8 (SQLite copies it): no NUL-terminated copy first.
        var v = v
        let stmt = stmt, index = index
        check(v.withUTF8 { u in
            // An empty string must bind as '' (a NULL pointer would bind NULL).
            guard let p = u.baseAddress, !u.isEmpty else { return sqlite3_bind_text(stmt, index, "", 0, Self.transient) }
            return p.withMemoryRebound(to: CChar.self, capacity: u.count) { sqlite3_bind_text(stmt, index, $0, CInt(u.count), Self.transient) }
        })
    }
    mutating func blob(_ v: [UInt8]) {
        check(v.withUnsafeBytes { sqlite3_bind_blob(stmt, index, $0.baseAddress, CInt($0.count), Self.transient) })
    }
    mutating func value(_ v: Value) {
        switch v {
        case .null: null()
        case .integer(let i): int(i)
        case .real(let d): check(sqlite3_bind_double(stmt, index, d))
        case .text(let t): text(t)
        // As GRDB binds it: through Data.
        case .blob(let bytes):
            check(Data(bytes).withUnsafeBytes { sqlite3_bind_blob(stmt, index, $0.baseAddress, CInt($0.count), Self.transient) })
        }
    }
}
