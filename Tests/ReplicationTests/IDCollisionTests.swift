import Foundation
import Testing
@testable import Replication

/// Ids that collide (SPEC §9, SCHEMA-v<N>.md §3): two replicas that made the same id apart
/// (possible for ids made before they carried the replica's id) made two records. The
/// receiver keeps the one it holds and refuses the other per record (GHSP 409), never
/// merging their fields into one; a table whose ids are keys of the domain still merges.
@Suite struct IDCollisionTests {
    /// AuthorityTests' schema, with customer ids made by one replica.
    static let schema = ReplicationSchema(version: 1, tables: AuthorityTests.schema.tables.map { t in
        var t = t
        if t.name == "customer" { t.idOrigin = .oneReplica }
        return t
    })

    final class World {
        let dir = Fixtures.tempDir()
        let hub: Replica, c1: Replica, c2: Replica
        init() throws {
            let dir = self.dir
            func make(_ name: String) throws -> Replica {
                var o = Replica.Options()
                o.durable = false
                return try Replica.create(at: dir.appendingPathComponent("\(name).sqlite").path, id: ReplicaID(rawValue: name)!,
                                          schema: IDCollisionTests.schema, options: o)
            }
            hub = try make("hub")
            c1 = try make("c001-node")
            c2 = try make("c002-node")
        }
        deinit { try? FileManager.default.removeItem(at: dir) }

        func push(_ from: Replica, to: Replica, center: String) throws -> [Refusal] {
            let b = try from.changes(after: try to.receivedCursor(from: from.id), scope: from === hub ? .centers([center]) : .all,
                                     for: to.id, maxCount: 1000)
            let sender: Sender = from === hub ? .hub(hub.id, servingCenter: center) : .centerNode(from.id, center: center)
            return try to.apply(b, from: from.id, sender: sender).refused
        }
    }

    @Test func aSecondCreationUnderTheSameIDIsRefusedNotMerged() throws {
        let w = try World()
        // The same old-format id made at head office and at the center, apart.
        try w.hub.write(author: "hq") { tx in _ = try tx.insert("customer", id: "cu-0k5v2mcq3n1xz", ["center": "C001", "name": "总部建的", "created_by": "hq"]) }
        try w.c1.write(author: "S1") { tx in
            _ = try tx.insert("customer", id: "cu-0k5v2mcq3n1xz", ["center": "C001", "name": "中心建的", "created_by": "S1"])
            _ = try tx.insert("customer", id: "cu-0k5v2mcq3n200", ["center": "C001", "name": "同批正常"])
        }
        let hubBefore = try #require(try w.hub.state("customer", id: "cu-0k5v2mcq3n1xz"))
        let nodeBefore = try #require(try w.c1.state("customer", id: "cu-0k5v2mcq3n1xz"))
        let r = try w.push(w.c1, to: w.hub, center: "C001")
        #expect(r.count == 1 && r[0].id == "cu-0k5v2mcq3n1xz" && r[0].kind == .collision && !r[0].invalid, "\(r)")
        #expect(r[0].reason.contains("id collision"), "\(r)")
        #expect(try w.hub.state("customer", id: "cu-0k5v2mcq3n1xz") == hubBefore, "the hub's record was merged with another")
        #expect(try w.hub.state("customer", id: "cu-0k5v2mcq3n200") != nil, "the rest of the batch applies")
        // And the other way: the node keeps its own and quarantines the hub's.
        let back = try w.push(w.hub, to: w.c1, center: "C001")
        #expect(back.map(\.kind) == [.collision] && back[0].id == "cu-0k5v2mcq3n1xz", "\(back)")
        #expect(try w.c1.state("customer", id: "cu-0k5v2mcq3n1xz") == nodeBefore)
        // Without the authority rules (no sender) it is refused all the same.
        let b = try w.c1.changes(after: 0, maxCount: 100)
        let r2 = try w.hub.apply(b, from: w.c1.id).refused
        #expect(r2.map(\.kind) == [.collision], "\(r2)")
    }

    @Test func anIDTakenByAnotherCentersRecordIsACollisionNotAForbiddenRecord() throws {
        let w = try World()
        try w.c1.write(author: "S1") { tx in _ = try tx.insert("customer", id: "cu-same", ["center": "C001", "name": "一中心"]) }
        try w.c2.write(author: "S2") { tx in _ = try tx.insert("customer", id: "cu-same", ["center": "C002", "name": "二中心"]) }
        #expect(try w.push(w.c1, to: w.hub, center: "C001").isEmpty)
        let held = try w.hub.state("customer", id: "cu-same")
        let r = try w.push(w.c2, to: w.hub, center: "C002")
        #expect(r.map(\.kind) == [.collision], "\(r)")
        #expect(!r[0].reason.contains("c001") && !r[0].reason.contains("C001"), "the reason names the other center: \(r)")
        #expect(try w.hub.state("customer", id: "cu-same") == held)
    }

    @Test func theSameRecordComingBackEditedOrSettledIsNoCollision() throws {
        let w = try World()
        let id = try w.c1.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "张三", "created_by": "S1"]) }
        #expect(try w.push(w.c1, to: w.hub, center: "C001").isEmpty)
        try w.hub.write(author: "hq") { tx in try tx.update("customer", id: id, ["name": "张三丰"]) }
        try w.c1.write(author: "S1") { tx in try tx.update("customer", id: id, ["name": "张三（改）"]) }
        #expect(try w.push(w.hub, to: w.c1, center: "C001").isEmpty)
        #expect(try w.push(w.c1, to: w.hub, center: "C001").isEmpty)
        // Re-sent whole (a lost ACK): a duplicate, not a collision.
        let all = try w.c1.changes(after: 0, maxCount: 100)
        #expect(try w.hub.apply(all, from: w.c1.id, sender: .centerNode(w.c1.id, center: "C001")).refused.isEmpty)
        #expect(try w.hub.state("customer", id: id) == w.c1.state("customer", id: id))
        // A table whose ids are keys of the domain still merges two creations.
        try w.hub.write(author: "hq") { tx in _ = try tx.insert("staff", id: "S9", ["center": "C001", "role": "admin"]) }
        try w.c1.write(author: "S1") { tx in _ = try tx.insert("staff", id: "S9", ["center": "C001", "role": "front_desk"]) }
        #expect(try w.push(w.c1, to: w.hub, center: "C001").isEmpty)
    }

    @Test func theCheckIsPure() throws {
        let l = try TableLayout(Self.schema.tables[0])
        let a = Clock(dot: Dot(replica: ReplicaID(rawValue: "a")!, counter: 1), hlc: HLCTimestamp(rawValue: 1), author: "")
        let b = Clock(dot: Dot(replica: ReplicaID(rawValue: "b")!, counter: 1), hlc: HLCTimestamp(rawValue: 2), author: "")
        func state(_ c: Clock) -> RecordState {
            var s = RecordState(table: "customer", id: "x", vector: VersionVector([c.dot.replica: c.dot.counter]),
                                slots: l.slots.map { _ in SlotState(values: [.null], clock: c) })
            s.slots[3].elements = []
            return s
        }
        #expect(l.idCollision(held: state(a), received: state(b)) != nil)
        #expect(l.idCollision(held: state(a), received: state(a)) == nil)
        var seen = state(b)
        seen.vector.raise(a.dot.replica, to: 1)  // b's state has seen a's creation: not another record
        #expect(l.idCollision(held: state(a), received: seen) == nil)
        let shared = try TableLayout(AuthorityTests.schema.tables[0])
        #expect(shared.idCollision(held: state(a), received: state(b)) == nil)
    }
}
