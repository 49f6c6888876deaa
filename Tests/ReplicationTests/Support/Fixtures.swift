import Foundation
import Replication

/// The test schema: one table per policy family, scoped and shared.
enum Fixtures {
    static let stages = ["received", "dispatched", "arrived", "completed", "closed"]

    static let ticketLifecycle = Lifecycle(name: "ticket") { v in
        guard let s = v.first?.text, let i = stages.firstIndex(of: s) else { return nil }
        return [Int(v.count > 1 ? (v[1].integer ?? 0) : 0), i]
    }

    static func schema(version: Int = 1) -> ReplicationSchema {
        ReplicationSchema(version: version, tables: [
            ReplicatedTable("customer", scope: .column("center"), fields: [
                Field("center", .text, .appendOnly),
                Field("name", .text, .review),
                Field("phone", .text, .review),
                Field("note", .text, .lastWriterWins),
                Field("tags", .text, .addWinsSet),
            ], indexes: [["center", "name"]]),
            ReplicatedTable("ticket", scope: .column("center"), fields: [
                Field("center", .text, .appendOnly),
                Field("status", .text, .lifecycle(ticketLifecycle)),
                Field("reopened", .integer, .partOf("status")),
                Field("assignee", .text, .lastWriterWins),
                Field("fee", .integer, .review),
            ]),
            ReplicatedTable("event", scope: .column("center"), fields: [
                Field("center", .text, .appendOnly),
                Field("ticket", .text, .appendOnly),
                Field("what", .text, .appendOnly),
            ], appendOnly: true),
            ReplicatedTable("price", scope: .shared, fields: [
                Field("item", .text, .lastWriterWins),
                Field("amount", .integer, .review),
            ]),
        ])
    }

    /// A fresh temporary directory, removed by the caller.
    static func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("gh-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// A manual wall clock shared by the replicas of one test.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var ms: UInt64
        init(_ start: UInt64 = 1_780_000_000_000) { ms = start }
        func now() -> UInt64 { lock.lock(); defer { lock.unlock() }; return ms }
        func advance(_ d: UInt64) { lock.lock(); ms += d; lock.unlock() }
        func set(_ v: UInt64) { lock.lock(); ms = v; lock.unlock() }
    }

    static func replica(_ dir: URL, _ name: String, clock: ManualClock? = nil, version: Int = 1) throws -> Replica {
        var o = Replica.Options()
        o.durable = false
        if let clock { o.wallClock = { clock.now() } }
        return try Replica.create(at: dir.appendingPathComponent("\(name).sqlite").path,
                                  id: ReplicaID(rawValue: name)!, schema: schema(version: version), options: o)
    }

    static func reopen(_ dir: URL, _ name: String, clock: ManualClock? = nil) throws -> Replica {
        var o = Replica.Options()
        o.durable = false
        if let clock { o.wallClock = { clock.now() } }
        return try Replica.open(at: dir.appendingPathComponent("\(name).sqlite").path, schema: schema(), options: o)
    }

    /// Sends everything `from` has after the receiver's cursor, in small batches.
    @discardableResult
    static func sync(_ from: Replica, to: Replica, scope: ScopeFilter = .all, batch: Int = 7) throws -> Int {
        var n = 0
        while true {
            let cursor = try to.receivedCursor(from: from.id)
            let b = try from.changes(after: cursor, scope: scope, for: to.id, maxCount: batch)
            try to.apply(b, from: from.id)
            n += b.records.count
            if b.isLast { return n }
        }
    }
}
