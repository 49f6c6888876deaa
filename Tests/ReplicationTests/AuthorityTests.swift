import Foundation
import Testing
@testable import Replication

/// The authority rules of the apply path (`AuthorityCheck`), through real replicas: a
/// "node" replica written straight through the engine (as root on the node machine can)
/// pushes to a "hub" replica that holds other centers' and head office's data; the hub
/// sends a node what it may and may not receive.
@Suite struct AuthorityTests {
    static let schema = ReplicationSchema(version: 1, tables: [
        ReplicatedTable("customer", scope: .column("center"), fields: [
            Field("center", .text, .appendOnly),
            Field("name", .text, .review),
            Field("created_by", .text, .appendOnly),
            Field("tags", .text, .addWinsSet),
        ], authority: TableAuthority(create: .anyone, delete: .nobody)),
        ReplicatedTable("staff", scope: .column("center"), fields: [
            Field("center", .text, .appendOnly),
            Field("role", .text),
            Field("password", .text),
        ], authority: TableAuthority(create: .anyone, delete: .nobody,
                                     rules: [.oneOf(field: "role", values: ["front_desk", "admin"], when: .center)])),
        ReplicatedTable("grant", scope: .column("center"), fields: [
            Field("center", .text, .appendOnly),
            Field("purpose", .text, .appendOnly),
            Field("approved_by", .text, origin: .headOffice),
            Field("approved_at", .integer, .partOf("approved_by"), origin: .headOffice),
        ], authority: TableAuthority(create: .anyone, delete: .nobody)),
        ReplicatedTable("audit", scope: .column("center"), fields: [
            Field("center", .text, .appendOnly),
            Field("node", .text, .appendOnly),
            Field("what", .text, .appendOnly),
        ], appendOnly: true, authority: TableAuthority(create: .anyone, delete: .nobody, rules: [.writerReplica(field: "node")])),
        ReplicatedTable("calendar", scope: .shared, fields: [
            Field("kind", .text, origin: .headOffice),
        ], authority: TableAuthority(create: .headOffice, delete: .headOffice)),
    ])

    /// A hub, a C001 node and a C002 node over temporary files, with a manual clock.
    final class World {
        let dir = Fixtures.tempDir()
        let clock = Fixtures.ManualClock()
        let hub: Replica, c1: Replica, c2: Replica
        init() throws {
            let (dir, clock) = (self.dir, self.clock)
            func make(_ name: String) throws -> Replica {
                var o = Replica.Options()
                o.durable = false
                o.wallClock = { clock.now() }
                return try Replica.create(at: dir.appendingPathComponent("\(name).sqlite").path, id: ReplicaID(rawValue: name)!,
                                          schema: AuthorityTests.schema, options: o)
            }
            hub = try make("hub")
            c1 = try make("c001-node")
            c2 = try make("c002-node")
        }
        deinit { try? FileManager.default.removeItem(at: dir) }

        func sender(_ r: Replica) -> Sender {
            r === hub ? .hub(hub.id, servingCenter: "C001") : .centerNode(r.id, center: r === c1 ? "C001" : "C002")
        }

        /// Everything `from` has after the receiver's cursor, applied with the authority
        /// rules; returns the refusals.
        @discardableResult
        func push(_ from: Replica, to: Replica, center: String? = nil) throws -> [Refusal] {
            let cursor = try to.receivedCursor(from: from.id)
            let scope: ScopeFilter = from === hub ? .centers([center ?? "C001"]) : .all
            let b = try from.changes(after: cursor, scope: scope, for: to.id, maxCount: 1000)
            let sender = from === hub ? .hub(hub.id, servingCenter: center ?? "C001") : self.sender(from)
            return try to.apply(b, from: from.id, sender: sender).refused
        }

        /// Applies one crafted state from `from`.
        @discardableResult
        func send(_ state: RecordState, from: Replica, to: Replica, center: String? = nil) throws -> [Refusal] {
            let b = ChangeBatch(schemaVersion: 1, origin: from.id, fromSeq: 0, toSeq: 0, records: [state], isLast: true)
            let sender = from === hub ? .hub(hub.id, servingCenter: center ?? "C001") : self.sender(from)
            return try to.apply(b, from: from.id, sender: sender).refused
        }
    }

    @Test func aNodeCannotTakeOverAnotherCentersOrHeadOfficesRecordByReusingItsID() throws {
        let w = try World()
        try w.hub.write(author: "admin") { tx in
            try tx.insert("staff", id: "admin-HQ", ["center": "HQ", "role": "admin", "password": "hq-hash"])
            try tx.insert("staff", id: "S-C2", ["center": "C002", "role": "front_desk", "password": "c2-hash"])
        }
        let before = try w.hub.allStates()
        // The node never received them (not its center): it "creates" them as its own.
        try w.c1.write(author: "evil") { tx in
            try tx.insert("staff", id: "admin-HQ", ["center": "C001", "role": "admin", "password": "stolen"])
            try tx.insert("staff", id: "S-C2", ["center": "C001", "role": "front_desk", "password": "stolen"])
            try tx.insert("staff", id: "S-OWN", ["center": "C001", "role": "front_desk", "password": "own"])
        }
        let refused = try w.push(w.c1, to: w.hub)
        #expect(Set(refused.map(\.id)) == ["admin-HQ", "S-C2"], "\(refused)")
        #expect(refused.allSatisfy { $0.reason.contains("refused from a node of C001") }, "\(refused)")
        let after = try w.hub.allStates().filter { $0.id != "S-OWN" }
        #expect(after == before, "the hub's records changed")
        #expect(try w.hub.state("staff", id: "S-OWN") != nil, "the node's own record must still apply")
        // Quarantined with the reason.
        let q = try w.hub.read { db in try String.fetchAll(db, sql: "SELECT rid || ': ' || reason FROM _rep_quarantine ORDER BY rid") }
        #expect(q.count == 2 && q[0].hasPrefix("S-C2: ") && q[1].hasPrefix("admin-HQ: "), "\(q)")
    }

    @Test func aNodeCannotMoveOrDeleteAnotherCentersRecord() throws {
        let w = try World()
        let id = try w.hub.write(author: "hq") { tx in try tx.insert("customer", ["center": "C002", "name": "张三"]) }
        try w.push(w.hub, to: w.c2, center: "C002")
        let held = try #require(try w.hub.state("customer", id: id))
        // A state of the record claiming center C001, built from C002's copy (root on a
        // node can write anything into its own database).
        var moved = try #require(try w.c2.state("customer", id: id))
        moved.slots[0].values = [.text("C001")]
        moved.slots[0].clock = Clock(dot: Dot(replica: w.c1.id, counter: 1), hlc: HLCTimestamp(millis: w.clock.now(), logical: 0))
        moved.vector.raise(w.c1.id, to: 1)
        let r1 = try w.send(moved, from: w.c1, to: w.hub)
        #expect(r1.count == 1 && r1[0].reason.contains("center C002"), "\(r1)")
        // A tombstone of it, claiming C001.
        var tomb = moved
        tomb.deletion = Clock(dot: Dot(replica: w.c1.id, counter: 2), hlc: HLCTimestamp(millis: w.clock.now(), logical: 1))
        tomb.vector.raise(w.c1.id, to: 2)
        #expect(try w.send(tomb, from: w.c1, to: w.hub).count == 1)
        // The same from C002's own node: moving it away is refused, deleting too.
        var away = try #require(try w.c2.state("customer", id: id))
        away.slots[0].values = [.text("C001")]
        away.slots[0].clock = Clock(dot: Dot(replica: w.c2.id, counter: 1), hlc: HLCTimestamp(millis: w.clock.now(), logical: 2))
        away.vector.raise(w.c2.id, to: 1)
        let r2 = try w.send(away, from: w.c2, to: w.hub)
        #expect(r2.count == 1 && r2[0].reason.contains("center of a customer record never changes"), "\(r2.map(\.reason))")
        try w.c2.write(author: "S1") { tx in try tx.delete("customer", id: id) }
        let r3 = try w.push(w.c2, to: w.hub)
        #expect(r3.count == 1 && r3[0].reason.contains("never deleted"), "\(r3)")
        #expect(try w.hub.state("customer", id: id) == held)
    }

    @Test func headOfficeFieldsAndValueRulesHoldAgainstANodesWrites() throws {
        let w = try World()
        // A grant applied for at the node, approvals filled in by the node itself.
        try w.c1.write(author: "M1") { tx in
            try tx.insert("grant", id: "g-forged", ["center": "C001", "purpose": "核查", "approved_by": "Q01", "approved_at": 1])
            try tx.insert("grant", id: "g-honest", ["center": "C001", "purpose": "核查"])
        }
        var refused = try w.push(w.c1, to: w.hub)
        #expect(refused.map(\.id) == ["g-forged"] && refused[0].reason.contains("only head office may write grant.approved_by"), "\(refused)")
        // Approving later at the node is refused too; head office's approval travels back.
        try w.c1.write(author: "M1") { tx in try tx.update("grant", id: "g-honest", ["approved_by": "M1"]) }
        refused = try w.push(w.c1, to: w.hub)
        #expect(refused.map(\.id) == ["g-honest"], "\(refused)")
        #expect(try w.hub.state("grant", id: "g-honest")?.slots[2].values == [.null, .null])
        // Staff roles: a center may give only center roles.
        try w.c1.write(author: "A1") { tx in
            try tx.insert("staff", id: "S-Q", ["center": "C001", "role": "quality"])
            try tx.insert("staff", id: "S-F", ["center": "C001", "role": "front_desk"])
        }
        refused = try w.push(w.c1, to: w.hub)
        #expect(refused.map(\.id) == ["S-Q"] && refused[0].reason.contains("quality"), "\(refused)")
        try w.c1.write(author: "A1") { tx in try tx.update("staff", id: "S-F", ["role": "executive"]) }
        #expect(try w.push(w.c1, to: w.hub).map(\.id) == ["S-F"])
        #expect(try w.hub.state("staff", id: "S-F")?.slots[1].values == [.text("front_desk")])
        // Shared data and its deletion only from head office.
        try w.c1.write(author: "A1") { tx in _ = try tx.insert("calendar", id: "2026-10-01", ["kind": "workday"]) }
        refused = try w.push(w.c1, to: w.hub)
        #expect(refused.map(\.id) == ["2026-10-01"] && refused[0].reason.contains("shared"), "\(refused)")
    }

    @Test func auditEntriesAreNeverRewrittenOrDeletedAndEachNodeWritesItsOwnChain() throws {
        let w = try World()
        try w.c1.write(author: "S1") { tx in _ = try tx.insert("audit", id: "a1", ["center": "C001", "node": .text(w.c1.id.rawValue), "what": "view"]) }
        #expect(try w.push(w.c1, to: w.hub).isEmpty)
        let held = try #require(try w.hub.state("audit", id: "a1"))
        // Rewritten (a later write of the node's own) and tombstoned.
        var rewritten = held
        let c = Clock(dot: Dot(replica: w.c1.id, counter: 9), hlc: HLCTimestamp(millis: w.clock.now(), logical: 5))
        rewritten.slots[2] = SlotState(values: [.text("nothing")], clock: c)
        rewritten.vector.raise(w.c1.id, to: 9)
        let r1 = try w.send(rewritten, from: w.c1, to: w.hub)
        #expect(r1.count == 1 && r1[0].reason.contains("append-only"), "\(r1)")
        var deleted = held
        deleted.deletion = c
        deleted.vector.raise(w.c1.id, to: 9)
        let r2 = try w.send(deleted, from: w.c1, to: w.hub)
        #expect(r2.count == 1 && r2[0].reason.contains("append-only"), "\(r2)")
        // The same value under the same dot, but with the vector moved on: nothing new, kept.
        // Another value under the SAME dot (the merge would take it whole): refused.
        var sameDot = held
        sameDot.slots[2].values = [.text("nothing")]
        sameDot.vector.raise(w.c1.id, to: 10)
        sameDot.slots[1].clock = Clock(dot: Dot(replica: w.c1.id, counter: 10), hlc: c.hlc)
        #expect(try w.send(sameDot, from: w.c1, to: w.hub).count == 1)
        // An entry of another node's chain.
        try w.c1.write(author: "S1") { tx in _ = try tx.insert("audit", id: "a2", ["center": "C001", "node": "c001-old", "what": "view"]) }
        let r3 = try w.push(w.c1, to: w.hub)
        #expect(r3.map(\.id) == ["a2"] && r3[0].reason.contains("writes only its own"), "\(r3)")
        #expect(try w.hub.state("audit", id: "a1") == held)
        // Locally the engine refuses to touch it too, conflict resolution included.
        #expect(throws: ReplicationError.self) { try w.c1.write(author: "S1") { tx in try tx.delete("audit", id: "a1") } }
        #expect(throws: ReplicationError.self) {
            try w.c1.write(author: "S1") { tx in
                try tx.resolveConflict("audit", id: "a1", field: "what", loser: Dot(replica: w.c1.id, counter: 1), with: .keepWinner)
            }
        }
    }

    @Test func aNodeSendsOnlyItsOwnWrites() throws {
        let w = try World()
        try w.c1.write(author: "S1") { tx in _ = try tx.insert("customer", id: "cu1", ["center": "C001", "name": "李四"]) }
        #expect(try w.push(w.c1, to: w.hub).isEmpty)
        // A write forged in the hub's name (a dot the hub never made), and one of another node.
        for forger in [w.hub.id, w.c2.id] {
            var s = try #require(try w.c1.state("customer", id: "cu1"))
            let c = Clock(dot: Dot(replica: forger, counter: 77), hlc: HLCTimestamp(millis: w.clock.now(), logical: 9))
            s.slots[1] = SlotState(values: [.text("王五")], clock: c)
            s.vector.raise(forger, to: 77)
            let r = try w.send(s, from: w.c1, to: w.hub)
            #expect(r.count == 1 && r[0].reason.contains("a node sends only its own writes"), "\(r)")
        }
        // Dropping a conflict without a write that settles it is refused.
        try w.hub.write(author: "hq") { tx in try tx.update("customer", id: "cu1", ["name": "总部改"]) }
        try w.c1.write(author: "S1") { tx in try tx.update("customer", id: "cu1", ["name": "中心改"]) }
        #expect(try w.push(w.c1, to: w.hub).isEmpty)
        let conflicted = try #require(try w.hub.state("customer", id: "cu1"))
        #expect(conflicted.slots[1].siblings.count == 1)
        var dropped = conflicted
        dropped.slots[1].siblings = []
        dropped.vector.raise(w.c1.id, to: dropped.vector[w.c1.id] + 1)
        let r = try w.send(dropped, from: w.c1, to: w.hub)
        #expect(r.count == 1 && r[0].reason.contains("without a write of its own"), "\(r)")
    }

    @Test func concurrentCreationsOfAnAppendOnlyFieldStayAConflictThatCanBeSettled() throws {
        let w = try World()
        // Head office and the node create the same id apart (a plan keyed by center and month).
        try w.hub.write(author: "hq") { tx in _ = try tx.insert("customer", id: "plan", ["center": "C001", "created_by": "hq"]) }
        try w.c1.write(author: "S1") { tx in _ = try tx.insert("customer", id: "plan", ["center": "C001", "created_by": "S1"]) }
        #expect(try w.push(w.c1, to: w.hub).isEmpty)
        #expect(try w.push(w.hub, to: w.c1).isEmpty)
        let s = try #require(try w.hub.state("customer", id: "plan"))
        #expect(s.slots[2].siblings.count == 1)
        #expect(try w.c1.state("customer", id: "plan") == s)
        // Settling it by taking one of the created values travels; writing a third does not.
        let loser = s.slots[2].siblings[0].clock.dot
        try w.c1.write(author: "S1") { tx in try tx.resolveConflict("customer", id: "plan", field: "created_by", loser: loser, with: .keepWinner) }
        #expect(try w.push(w.c1, to: w.hub).isEmpty)
        #expect(try w.hub.state("customer", id: "plan")?.slots[2].siblings.isEmpty == true)
    }

    @Test func aNodeRefusesWhatTheHubMayNotSendIt() throws {
        let w = try World()
        let mine = try w.hub.write(author: "hq") { tx -> String in
            try tx.insert("calendar", id: "2026-10-01", ["kind": "holiday"])
            return try tx.insert("customer", ["center": "C001", "name": "赵六"])
        }
        #expect(try w.push(w.hub, to: w.c1).isEmpty)
        // Another center's record, and a tombstone of this center's customer.
        let other = try w.hub.write(author: "hq") { tx in try tx.insert("customer", ["center": "C002", "name": "钱七"]) }
        let b = try w.hub.changes(after: 0, scope: .centers(["C002"]), maxCount: 100)
        let r1 = try w.c1.apply(b, from: w.hub.id, sender: .hub(w.hub.id, servingCenter: "C001")).refused
        #expect(r1.map(\.id) == [other] && r1[0].reason.contains("sent to the node of C001"), "\(r1)")
        try w.hub.write(author: "hq") { tx in try tx.delete("customer", id: mine) }
        let r2 = try w.push(w.hub, to: w.c1)
        #expect(r2.map(\.id) == [mine] && r2[0].reason.contains("never deleted"), "\(r2)")
        // Head office clears a calendar override: that is its to delete.
        try w.hub.write(author: "hq") { tx in try tx.delete("calendar", id: "2026-10-01") }
        #expect(try w.push(w.hub, to: w.c1).isEmpty)
        #expect(try w.c1.state("calendar", id: "2026-10-01")?.isDeleted == true)
        #expect(try w.c1.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _rep_quarantine") } == 2)
    }

    @Test func aClockFarAheadIsRefusedWholeNotAbsorbed() throws {
        let w = try World()
        // A node whose clock is six minutes ahead of the hub's: refused whole, nothing applied.
        var o = Replica.Options()
        o.durable = false
        let skewedClock = Fixtures.ManualClock(w.clock.now() + 6 * 60 * 1000)
        o.wallClock = { skewedClock.now() }
        let skewed = try Replica.create(at: w.dir.appendingPathComponent("skewed.sqlite").path, id: ReplicaID(rawValue: "c001-skew")!,
                                        schema: Self.schema, options: o)
        try skewed.write(author: "S1") { tx in _ = try tx.insert("customer", ["center": "C001", "name": "孙八"]) }
        let b = try skewed.changes(after: 0, maxCount: 100)
        let hlcBefore = try w.hub.localClock().hlc
        #expect {
            try w.hub.apply(b, from: skewed.id, sender: .centerNode(skewed.id, center: "C001"))
        } throws: { e in
            guard case .clockAhead(_, let ahead, let bound)? = e as? ReplicationError else { return false }
            return ahead >= 6 * 60 * 1000 && bound == Sender.defaultMaxClockAheadMillis
                && "\(e)".contains("6 min") && "\(e)".contains("5 min")
        }
        #expect(try w.hub.localClock().hlc == hlcBefore, "the hub's clock absorbed the skewed time")
        #expect(try w.hub.allStates().isEmpty)
        #expect(try w.hub.receivedCursor(from: skewed.id) == 0)
        // Four minutes ahead is within the bound.
        skewedClock.set(w.clock.now() + 4 * 60 * 1000)
        let ok = try Replica.create(at: w.dir.appendingPathComponent("ok.sqlite").path, id: ReplicaID(rawValue: "c001-ok")!,
                                    schema: Self.schema, options: o)
        try ok.write(author: "S1") { tx in _ = try tx.insert("customer", ["center": "C001", "name": "周九"]) }
        #expect(try w.hub.apply(try ok.changes(after: 0, maxCount: 100), from: ok.id, sender: .centerNode(ok.id, center: "C001")).changed == 1)
    }
}
