import Foundation
import GRDB
import Replication

/// The benchmark table: a service request as the front desk records it.
enum Workload {
    static let table = "request"
    static let stages = ["received", "dispatched", "arrived", "completed", "closed"]

    /// Status ranks as (reopen count, stage), like the service desk's tickets.
    static let lifecycle = Lifecycle(name: "request") { v in
        guard let s = v.first?.text, let i = stages.firstIndex(of: s) else { return nil }
        return [Int(v.count > 1 ? (v[1].integer ?? 0) : 0), i]
    }

    static let fields: [Field] = [
        Field("center", .text, .appendOnly),
        Field("kind", .text, .lastWriterWins),
        Field("status", .text, .lifecycle(lifecycle)),
        Field("reopened", .integer, .partOf("status")),
        Field("summary", .text, .lastWriterWins),
        Field("customer", .text, .appendOnly),
        Field("unit", .text, .lastWriterWins),
        Field("assignee", .text, .lastWriterWins),
        Field("fee", .integer, .review),
        Field("created_at", .integer, .appendOnly),
        Field("updated_at", .integer, .lastWriterWins),
    ]

    static let schema = ReplicationSchema(version: 1, tables: [
        ReplicatedTable(table, scope: .column("center"), fields: fields),
    ])

    static var fieldNames: [String] { fields.map(\.name) }

    struct Record {
        var id: String
        /// In `fields` order.
        var values: [Value]
        var dictionary: [String: Value] {
            var d: [String: Value] = [:]
            d.reserveCapacity(values.count)
            for (f, v) in zip(Workload.fields, values) where !v.isNull { d[f.name] = v }
            return d
        }
    }

    /// `n` deterministic records with realistic values (Chinese summaries, unit
    /// addresses, fees in cents); ids look like the engine's (16 base-32 characters).
    static func records(_ n: Int, seed: UInt64 = 0x6a7e_4005e) -> [Record] {
        var rng = SplitMix64(seed: seed)
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
        let kinds = ["维修", "安装", "咨询", "投诉", "上门保养", "回访"]
        let things = ["空调", "热水器", "燃气灶", "洗衣机", "冰箱", "油烟机", "门锁", "水管", "电路", "窗户"]
        let problems = ["不制冷", "漏水", "无法点火", "噪音很大", "显示故障代码E4", "门关不上", "跳闸", "需要定期保养", "安装位置需要调整", "遥控器失灵"]
        let notes = ["，客户下午在家", "，请提前电话联系", "，老人独居，注意沟通", "，已过保修期", "，上次维修后再次出现", ""]
        let buildings = ["幸福家园", "阳光小区", "锦绣花园", "翠湖苑", "东方明珠城"]
        let staff = (1...60).map { String(format: "S%03d", $0) }
        let base: Int64 = 1_780_000_000_000
        var out: [Record] = []
        out.reserveCapacity(n)
        var seen = Set<String>()
        while out.count < n {
            var bits = rng.next()
            var idBytes: [UInt8] = []
            for i in 0..<16 {
                if i == 12 { bits = rng.next() }
                idBytes.append(alphabet[Int(bits & 31)])
                bits >>= 5
            }
            let id = String(decoding: idBytes, as: UTF8.self)
            guard seen.insert(id).inserted else { continue }
            let k = out.count
            let r = rng.next()
            let created = base + Int64(k) * 1_500 + Int64(r % 1_000)
            let summary = buildings[Int(r >> 8) % buildings.count] + things[Int(r >> 16) % things.count]
                + problems[Int(r >> 24) % problems.count] + notes[Int(r >> 32) % notes.count]
            let assigned = (r >> 40) % 3 != 0
            out.append(Record(id: id, values: [
                .text(String(format: "C%03d", Int(r >> 44) % 12 + 1)),
                .text(kinds[Int(r >> 48) % kinds.count]),
                .text("received"),
                .integer(0),
                .text(summary),
                .text(String(format: "K%07d", Int(rng.next() % 9_000_000) + 1_000_000)),
                .text("\(buildings[Int(r >> 52) % buildings.count])\(Int(r >> 56) % 20 + 1)栋\(Int(r >> 60) % 4 + 1)单元\(Int(r % 30) + 1)0\(Int(r >> 4) % 4 + 1)"),
                assigned ? .text(staff[Int(r >> 20) % staff.count]) : .null,
                .integer(Int64((r >> 12) % 200) * 500),
                .integer(created),
                .integer(created),
            ]))
        }
        return out
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The baseline: a plain SQLite table with the same columns in the same kind of file
/// (a GRDB pool, so WAL), with the same `synchronous` setting and one cached INSERT.
/// WITHOUT ROWID keyed by the text id, like the engine's storage table: the fastest
/// plain layout for text keys, so the ratio is not flattered by a slow baseline.
final class RawDatabase {
    let pool: DatabasePool
    let insertSQL: String

    init(path: String, sync: SyncMode) throws {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(sync.rawValue)") }
        pool = try DatabasePool(path: path, configuration: config)
        let cols = Workload.fields.map { "\"\($0.name)\" \($0.type.rawValue)" }.joined(separator: ", ")
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE request (id TEXT PRIMARY KEY NOT NULL, \(cols)) WITHOUT ROWID")
        }
        insertSQL = "INSERT INTO request (id, \(Workload.fieldNames.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: Workload.fields.count + 1).joined(separator: ", ") + ")"
        // GRDB sets NORMAL on the writer when it enables WAL, after prepareDatabase.
        let s = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(sync.rawValue)")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        try check(s == sync.pragmaValue, "raw database synchronous is \(s ?? -1), wanted \(sync.rawValue)")
    }

    /// Inserts `rows` in transactions of `txSize` rows.
    func insert(_ rows: ArraySlice<[DatabaseValue]>, txSize: Int) throws {
        var i = rows.startIndex
        while i < rows.endIndex {
            let end = min(i + txSize, rows.endIndex)
            try pool.write { db in
                let stmt = try db.cachedStatement(sql: insertSQL)
                for k in i..<end { try stmt.execute(arguments: StatementArguments(rows[k])) }
            }
            i = end
        }
    }

    static func arguments(_ records: [Workload.Record]) -> [[DatabaseValue]] {
        records.map { r in [r.id.databaseValue] + r.values.map(\.databaseValue) }
    }
}

enum Engine {
    /// A fresh replica; `sync` nil means fast set-up databases (not timed).
    static func create(_ path: String, _ name: String, sync: SyncMode?) throws -> Replica {
        let r = try Replica.create(at: path, id: ReplicaID(rawValue: name)!, schema: Workload.schema, options: options(sync))
        try configure(r, sync)
        return r
    }

    static func open(_ path: String, sync: SyncMode) throws -> Replica {
        let r = try Replica.open(at: path, schema: Workload.schema, options: options(sync))
        try configure(r, sync)
        return r
    }

    private static func options(_ sync: SyncMode?) -> Replica.Options {
        var o = Replica.Options()
        // durable = synchronous FULL, the engine default.
        o.durable = sync == .full
        return o
    }

    /// Checks (and for set-up databases, `sync` nil, sets) the writer connection's
    /// `synchronous`: `durable` gives FULL, otherwise GRDB's WAL default NORMAL.
    private static func configure(_ r: Replica, _ sync: SyncMode?) throws {
        let wanted = sync ?? .normal
        let (s, j) = try r.database.writeWithoutTransaction { db in
            if wanted == .normal { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            return (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        try check(s == wanted.pragmaValue, "replica synchronous is \(s ?? -1), wanted \(wanted.rawValue)")
        try check(j?.lowercased() == "wal", "replica journal mode is \(j ?? "?"), wanted WAL")
    }

    /// Inserts records through the write API, `txSize` per transaction.
    static func insert(_ r: Replica, _ records: ArraySlice<(String, [String: Value])>, txSize: Int, author: String = "S001") throws {
        var i = records.startIndex
        while i < records.endIndex {
            let end = min(i + txSize, records.endIndex)
            try r.write(author: author) { tx in
                for k in i..<end { try tx.insert(Workload.table, id: records[k].0, records[k].1) }
            }
            i = end
        }
    }

    /// Extracts the whole log after `cursor` as batches of `batch` changes.
    static func stream(_ r: Replica, after cursor: UInt64, batch: Int) throws -> [ChangeBatch] {
        var out: [ChangeBatch] = []
        var c = cursor
        while true {
            let b = try r.changes(after: c, maxCount: batch, maxBytes: Int.max / 2)
            out.append(b)
            c = b.toSeq
            if b.isLast { return out }
        }
    }

    /// Applies a stream; returns the summed result counts.
    static func apply(_ r: Replica, _ stream: [ChangeBatch], from peer: ReplicaID) throws -> (changed: Int, conflicts: Int, refused: Int) {
        var changed = 0, conflicts = 0, refused = 0
        for b in stream {
            let res = try r.apply(b, from: peer)
            changed += res.changed
            conflicts += res.newConflicts
            refused += res.refused.count
        }
        return (changed, conflicts, refused)
    }

    /// Flushes the WAL into the main file so the file can be copied on its own.
    static func checkpoint(_ r: Replica) throws {
        try r.database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }
}
