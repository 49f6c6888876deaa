import Foundation
import GRDB
import Testing
@testable import Replication

/// Issue 17 in the engine: backups and what a restored copy changes, equal values that are
/// no conflict, and change sets between two schema versions (real SQLite files).
@Suite struct RestoreAndEvolutionTests {
    @Test func equalConcurrentValuesAreNoConflict() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a"), b = try Fixtures.replica(dir, "b")
        let id = try a.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "张三", "phone": "1"]) }
        try Fixtures.sync(a, to: b)
        try a.write(author: "S1") { tx in try tx.update("customer", id: id, ["phone": "13800000000", "name": "张三丰"]) }
        try b.write(author: "S2") { tx in try tx.update("customer", id: id, ["phone": "13800000000", "name": "张四"]) }
        try Fixtures.sync(a, to: b)
        try Fixtures.sync(b, to: a)
        // The name differs: one conflict; the phone is the same on both sides: none.
        for r in [a, b] {
            let open = try r.conflicts(openOnly: true)
            #expect(open.map(\.entry.field) == ["name"], "\(open)")
        }
        #expect(try a.state("customer", id: id) == b.state("customer", id: id))
    }

    @Test func aRestoredCopyNeverReusesWhatItIssued() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a")
        try a.write(author: "S1") { tx in _ = try tx.insert("customer", ["center": "C001", "name": "一"]) }
        let file = dir.appendingPathComponent("backup.sqlite").path
        try Replica.backup(databaseAt: dir.appendingPathComponent("a.sqlite").path, to: file)
        #expect(throws: ReplicationError.self) { try Replica.backup(databaseAt: dir.appendingPathComponent("a.sqlite").path, to: file) }
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        try a.write(author: "S1") { tx in _ = try tx.insert("customer", ["center": "C001", "name": "二"]) }
        let before = try a.localClock()

        try Replica.skipAhead(at: file)
        var o = Replica.Options()
        o.durable = false
        let restored = try Replica.open(at: file, schema: Fixtures.schema(), options: o)
        let after = try restored.localClock()
        #expect(after.counter == 1 + Replica.restoreGap && after.sequence == 1 + Replica.restoreGap)
        #expect(after.counter > before.counter && after.sequence > before.sequence)
        #expect(restored.id == a.id)

        let copy = dir.appendingPathComponent("copy.sqlite").path
        try Replica.backup(databaseAt: file, to: copy)
        let old = try Replica.adoptNewIdentity(at: copy, newID: ReplicaID(rawValue: "a2")!)
        #expect(old == a.id)
        let renamed = try Replica.open(at: copy, schema: Fixtures.schema(), options: o)
        #expect(renamed.id.rawValue == "a2")
        #expect(try renamed.retiredIdentities() == [a.id])
        let id = try renamed.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "三"]) }
        #expect(try renamed.state("customer", id: id)?.vector.entries.map(\.replica) == [ReplicaID(rawValue: "a2")!])
    }

    /// The test schema at version 2 adds a field to `customer` and a table; version 1 is
    /// what it had before.
    static func evolved() -> ReplicationSchema {
        var s = Fixtures.schema(version: 2)
        s.tables[0].fields.append(Field("butler", .text))
        s.tables.append(ReplicatedTable("survey", scope: .column("center"), fields: [Field("center", .text, .appendOnly)]))
        s.earlierVersions = [1: ["customer": 5, "ticket": 5, "event": 3, "price": 2]]
        return s
    }

    @Test func aChangeSetOfTheVersionBeforeKeepsTheNewerFieldsIntact() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = Replica.Options()
        o.durable = false
        let hub = try Replica.create(at: dir.appendingPathComponent("hub.sqlite").path, id: ReplicaID(rawValue: "hub")!,
                                     schema: Self.evolved(), options: o)
        let old = try Replica.create(at: dir.appendingPathComponent("old.sqlite").path, id: ReplicaID(rawValue: "old")!,
                                     schema: Self.evolved().projected(to: 1)!, options: o)
        #expect(hub.compatibleSchemaVersions == 1...2)
        let id = try old.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "周"]) }
        try hub.apply(try old.changes(after: 0), from: old.id)
        try hub.write(author: "H1") { tx in
            try tx.update("customer", id: id, ["butler": "B01"])
            _ = try tx.insert("survey", ["center": "C001"])
        }
        // What the hub sends the old replica: no survey, no butler, the whole vector.
        let down = try hub.project(try hub.changes(after: 0, for: old.id), to: 1)
        #expect(down.schemaVersion == 1 && down.records.map(\.table) == ["customer"])
        try old.apply(down, from: hub.id)
        try old.write(author: "S1") { tx in try tx.update("customer", id: id, ["note": "改过"]) }
        try hub.apply(try old.changes(after: 1), from: old.id)
        let row = try hub.read { db in try Row.fetchOne(db, sql: "SELECT note, butler FROM customer WHERE id = ?", arguments: [id]) }
        #expect(row?["note"] == "改过" && row?["butler"] == "B01")
        // An earlier version whose partOf group was split is refused (its slots would not
        // be today's first slots).
        var bad = Self.evolved()
        bad.earlierVersions = [1: ["customer": 5, "ticket": 2, "event": 3, "price": 2]]  // status without its reopen count
        #expect(throws: ReplicationError.self) {
            try Replica.create(at: dir.appendingPathComponent("bad.sqlite").path, id: ReplicaID(rawValue: "bad")!, schema: bad, options: o)
        }
    }
}
