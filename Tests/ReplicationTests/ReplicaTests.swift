import Foundation
import GRDB
import Testing
@testable import Replication

@Suite struct ReplicaWriteTests {
    @Test func writeThroughEngineAndReadThroughView() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Fixtures.replica(dir, "n1")
        let id = try r.write(author: "S001") { tx in
            try tx.insert("customer", ["center": "C001", "name": "张三", "phone": "13812345678"], sets: ["tags": ["老人"]])
        }
        let row = try r.read { db in try Row.fetchOne(db, sql: "SELECT name, phone, tags FROM customer WHERE id = ?", arguments: [id]) }
        #expect(row?["name"] == "张三")
        #expect(row?["tags"] == "[\"老人\"]")
        let (counter, _, seq) = try r.localClock()
        #expect(counter == 1 && seq == 1)
        let author = try r.read { db in try String.fetchOne(db, sql: "SELECT author FROM _rep_changes WHERE counter = 1") }
        #expect(author == "S001")
        let st = try #require(try r.state("customer", id: id))
        #expect(st.slots.allSatisfy { $0.clock?.author == "S001" })
    }

    @Test func oneTransactionIsOneChange() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Fixtures.replica(dir, "n1")
        try r.write(author: "S1") { tx in
            let a = try tx.insert("customer", ["center": "C001", "name": "李四"])
            try tx.update("customer", id: a, ["phone": "13900000000"])
            try tx.insert("price", ["item": "换灯泡", "amount": 20])
        }
        let (counter, _, seq) = try r.localClock()
        #expect(counter == 1)
        #expect(seq == 3)
        #expect(try r.read { db in try Int.fetchOne(db, sql: "SELECT records FROM _rep_changes") } == 3)
    }

    @Test func writesOutsideTheEngineAreRefused() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Fixtures.replica(dir, "n1")
        let id = try r.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "王五"]) }
        for sql in ["UPDATE _rep_customer SET name = 'x'", "DELETE FROM _rep_customer",
                    "INSERT INTO _rep_customer(id, _vv, _clk, _seq) VALUES ('z', x'', x'', 9)",
                    "UPDATE customer SET name = 'x'"] {
            #expect(throws: DatabaseError.self) { try r.database.write { db in try db.execute(sql: sql) } }
        }
        // A transaction of `WriteGate.bulkRecords` records goes on with triggers off on the
        // engine's connection (with the gate function closed, a raw write then passes);
        // below that they stay on.
        struct Boom: Error {}
        func rawWritePasses(afterRecords n: Int) throws -> Bool {
            var passed = false
            #expect(throws: Boom.self) {
                try r.database.write { db in
                    try WriteGate.withOpenGate(db) { gate in
                        for _ in 0..<n { gate.willWriteRecord() }
                        try db.execute(sql: "SELECT gatehouse_gate(0)")
                        passed = (try? db.execute(sql: "UPDATE _rep_customer SET name = name")) != nil
                        try db.execute(sql: "SELECT gatehouse_gate(1)")
                    }
                    throw Boom()  // roll the probe back
                }
            }
            return passed
        }
        #expect(try !rawWritePasses(afterRecords: WriteGate.bulkRecords - 1))
        #expect(try rawWritePasses(afterRecords: WriteGate.bulkRecords))
        // The triggers come back on after a bulk apply, a failed bulk write and a failed
        // bulk apply alike.
        let bulk = WriteGate.bulkRecords + 1
        let peer = try Fixtures.replica(dir, "n2")
        try peer.write(author: "S2") { tx in
            for i in 0..<bulk { _ = try tx.insert("customer", ["center": "C001", "name": .text("赵六\(i)")]) }
        }
        let batch = try peer.changes(after: 0, maxCount: 1000)
        #expect(batch.records.count == bulk)
        #expect(try r.apply(batch, from: peer.id).changed == bulk)
        #expect(throws: Boom.self) {
            try r.write(author: "S1") { tx in
                for _ in 0..<bulk { _ = try tx.insert("customer", ["center": "C001", "name": "钱七"]) }
                throw Boom()
            }
        }
        try peer.write(author: "S2") { tx in
            for i in 0..<bulk { _ = try tx.insert("customer", ["center": "C001", "name": .text("孙八\(i)")]) }
        }
        let second = try peer.changes(after: batch.toSeq, maxCount: 1000)
        #expect(second.records.count == bulk)
        #expect(throws: Boom.self) { try r.apply(second, from: peer.id, alongside: { _, _ in throw Boom() }) }
        for sql in ["UPDATE _rep_customer SET name = 'x'", "DELETE FROM _rep_customer"] {
            #expect(throws: DatabaseError.self) { try r.database.write { db in try db.execute(sql: sql) } }
        }
        // A plain sqlite3 connection without the engine cannot write either.
        r.database.releaseMemory()
        let q = try DatabaseQueue(path: dir.appendingPathComponent("n1.sqlite").path)
        #expect(throws: DatabaseError.self) { try q.write { db in try db.execute(sql: "DELETE FROM _rep_customer") } }
        #expect(try r.read { db in try String.fetchOne(db, sql: "SELECT name FROM customer WHERE id = ?", arguments: [id]) } == "王五")
    }

    @Test func failedTransactionLeavesNothing() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Fixtures.replica(dir, "n1")
        #expect(throws: ReplicationError.self) {
            try r.write(author: "S1") { tx in
                try tx.insert("customer", ["center": "C001", "name": "甲"])
                try tx.update("customer", id: "missing", ["name": "乙"])
            }
        }
        #expect(try r.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _rep_customer") } == 0)
        #expect(try r.localClock().counter == 0)
    }

    @Test func policiesRefuseIllegalLocalWrites() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Fixtures.replica(dir, "n1")
        let t = try r.write(author: "S1") { tx in try tx.insert("ticket", ["center": "C001", "status": "received", "reopened": 0]) }
        try r.write(author: "S1") { tx in try tx.update("ticket", id: t, ["status": "dispatched"]) }
        #expect(throws: ReplicationError.self) { try r.write(author: "S1") { tx in try tx.update("ticket", id: t, ["status": "received"]) } }
        #expect(throws: ReplicationError.self) { try r.write(author: "S1") { tx in try tx.update("ticket", id: t, ["status": "flying"]) } }
        // Reopening moves forward through the companion count.
        try r.write(author: "S1") { tx in try tx.update("ticket", id: t, ["status": "received", "reopened": 1]) }
        #expect(throws: ReplicationError.self) { try r.write(author: "S1") { tx in try tx.update("ticket", id: t, ["center": "C002"]) } }
        let e = try r.write(author: "S1") { tx in try tx.insert("event", ["center": "C001", "ticket": .text(t), "what": "opened"]) }
        #expect(throws: ReplicationError.self) { try r.write(author: "S1") { tx in try tx.update("event", id: e, ["what": "x"]) } }
        #expect(throws: ReplicationError.self) { try r.write(author: "S1") { tx in try tx.delete("event", id: e) } }
        #expect(throws: ReplicationError.self) { try r.write(author: "S1") { tx in try tx.update("ticket", id: t, ["fee": "abc"]) } }
        #expect(throws: ReplicationError.self) { try r.write(author: "S1") { tx in try tx.update("ticket", id: t, ["nope": 1]) } }
    }

    @Test func stateSurvivesReopen() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var r: Replica? = try Fixtures.replica(dir, "n1")
        let id = try r!.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "赵六"], sets: ["tags": ["a", "b"]]) }
        let before = try r!.state("customer", id: id)
        r = nil
        let r2 = try Fixtures.reopen(dir, "n1")
        #expect(r2.id.rawValue == "n1")
        #expect(try r2.state("customer", id: id) == before)
        try r2.write(author: "S1") { tx in try tx.update("customer", id: id, ["name": "赵七"]) }
        #expect(try r2.localClock().counter == 2)
    }

    @Test func newerSchemaInDatabaseIsRefused() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Fixtures.replica(dir, "n1", version: 2)
        #expect(throws: ReplicationError.self) { try Fixtures.reopen(dir, "n1") }
    }
}

@Suite struct ReplicaSyncTests {
    @Test func changesFlowBothWays() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a"), b = try Fixtures.replica(dir, "b")
        let ids = try a.write(author: "S1") { tx in try (0..<20).map { i in try tx.insert("customer", ["center": "C001", "name": .text("客户\(i)")]) } }
        #expect(try Fixtures.sync(a, to: b) == 20)
        try b.write(author: "S2") { tx in try tx.update("customer", id: ids[3], ["note": "已回访"]) }
        try Fixtures.sync(b, to: a)
        #expect(try a.allStates() == b.allStates())
        // Nothing echoes back: b's changes came from a unchanged, so only its edit goes.
        #expect(try Fixtures.sync(b, to: a) == 0)
        #expect(try Fixtures.sync(a, to: b) == 0)
    }

    @Test func concurrentReviewFieldKeepsLoserOnBothSides() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = Fixtures.ManualClock()
        let a = try Fixtures.replica(dir, "a", clock: clock), b = try Fixtures.replica(dir, "b", clock: clock)
        let id = try a.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "张三", "phone": "111"]) }
        try Fixtures.sync(a, to: b)
        clock.advance(10)
        try a.write(author: "S1") { tx in try tx.update("customer", id: id, ["phone": "13800000001"]) }
        clock.advance(10)
        try b.write(author: "HQ1") { tx in try tx.update("customer", id: id, ["phone": "13800000002", "note": "hq"]) }
        try Fixtures.sync(a, to: b)
        try Fixtures.sync(b, to: a)
        #expect(try a.allStates() == b.allStates())
        let st = try #require(try a.state("customer", id: id))
        #expect(st.slots[2].values == ["13800000002"])  // later HLC wins
        for r in [a, b] {
            let c = try r.conflicts(reviewOnly: true)
            #expect(c.count == 1)
            #expect(c[0].entry.loserValues == ["13800000001"] && c[0].entry.loser.author == "S1")
            #expect(c[0].entry.winner.author == "HQ1")
        }
        // Resolving takes the loser back, and the resolution replicates.
        try a.resolveConflict(key: try a.conflicts()[0].key, with: .takeLoser, author: "M1")
        try Fixtures.sync(a, to: b)
        #expect(try b.conflicts().isEmpty)
        #expect(try b.state("customer", id: id)?.slots[2].values == ["13800000001"])
        #expect(try a.allStates() == b.allStates())
    }

    @Test func lifecycleKeepsHighestStage() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = Fixtures.ManualClock()
        let a = try Fixtures.replica(dir, "a", clock: clock), b = try Fixtures.replica(dir, "b", clock: clock)
        let t = try a.write(author: "S1") { tx in try tx.insert("ticket", ["center": "C001", "status": "received", "reopened": 0]) }
        try Fixtures.sync(a, to: b)
        try a.write(author: "S1") { tx in try tx.update("ticket", id: t, ["status": "completed"]) }
        clock.advance(100)
        try b.write(author: "S2") { tx in try tx.update("ticket", id: t, ["status": "dispatched", "assignee": "W9"]) }
        try Fixtures.sync(b, to: a)
        try Fixtures.sync(a, to: b)
        for r in [a, b] {
            let s = try #require(try r.state("ticket", id: t))
            #expect(s.slots[1].values == ["completed", 0])
            #expect(s.slots[2].values == ["W9"])
        }
        #expect(try a.conflicts(openOnly: true, reviewOnly: false).count == 1)
        #expect(try a.conflicts(reviewOnly: true).isEmpty)
        // Taking the losing stage back would move the ticket backwards: refused.
        let key = try a.conflicts()[0].key
        #expect(throws: ReplicationError.self) { try a.resolveConflict(key: key, with: .takeLoser, author: "M1") }
        try a.resolveConflict(key: key, with: .keepWinner, author: "M1")
        #expect(try a.conflicts().isEmpty)
        #expect(try a.state("ticket", id: t)?.slots[1].values == ["completed", 0])
    }

    @Test func equalConcurrentValuesStaySiblingsAndResolutionsBecomeHistory() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = Fixtures.ManualClock()
        var a: Replica? = try Fixtures.replica(dir, "a", clock: clock)
        let b = try Fixtures.replica(dir, "b", clock: clock)
        let t = try a!.write(author: "S1") { tx in try tx.insert("ticket", ["center": "C001", "status": "received", "reopened": 0]) }
        try Fixtures.sync(a!, to: b)
        clock.advance(10)
        try a!.write(author: "S1") { tx in try tx.update("ticket", id: t, ["fee": 30]) }
        try b.write(author: "S2") { tx in try tx.update("ticket", id: t, ["fee": 30]) }
        try Fixtures.sync(a!, to: b)
        try Fixtures.sync(b, to: a!)
        #expect(try a!.allStates() == b.allStates())
        for r in [a!, b] {
            // Equal values: two siblings kept by the merge, but no conflict to review (issue 17).
            #expect(try r.state("ticket", id: t)?.siblingCount == 1)
            #expect(try r.conflicts(reviewOnly: true).isEmpty)
        }
        // Different values: an open conflict, settled into history below.
        clock.advance(10)
        try a!.write(author: "S1") { tx in try tx.update("ticket", id: t, ["fee": 35]) }
        try b.write(author: "S2") { tx in try tx.update("ticket", id: t, ["fee": 40]) }
        try Fixtures.sync(a!, to: b)
        try Fixtures.sync(b, to: a!)
        #expect(try a!.allStates() == b.allStates())
        for r in [a!, b] {
            let open = try r.conflicts(reviewOnly: true)
            #expect(open.count == 1)
            #expect(open.first?.entry.winnerValues == [40] && open.first?.entry.loserValues == [35])
        }
        // Siblings survive a reopen (the `_clk` encoding).
        let expected = try b.allStates()
        a = nil
        let a2 = try Fixtures.reopen(dir, "a", clock: clock)
        #expect(try a2.allStates() == expected)
        let key = try #require(try a2.conflicts().first).key
        try a2.resolveConflict(key: key, with: .keepWinner, author: "M1")
        #expect(try a2.conflicts().isEmpty)
        // (The history also holds the equal-valued siblings the writes of 35 and 40 settled.)
        let history = try a2.conflicts(openOnly: false)
        let settled = history.filter { $0.key == key }
        #expect(settled.count == 1 && settled.first?.entry.resolution?.author == "M1")
        #expect(try a2.conflict(key: key).entry.resolution != nil)
        #expect(throws: ReplicationError.self) { try a2.resolveConflict(key: key, with: .keepWinner, author: "M1") }
        try Fixtures.sync(a2, to: b)
        #expect(try b.conflicts().isEmpty)
        #expect(try b.conflicts(openOnly: false).map(\.entry) == history.map(\.entry))
        #expect(try a2.allStates() == b.allStates())
    }

    @Test func deleteWinsOverConcurrentEditAndKeepsTheEdit() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a"), b = try Fixtures.replica(dir, "b")
        let id = try a.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "钱八"]) }
        try Fixtures.sync(a, to: b)
        try a.write(author: "S1") { tx in try tx.delete("customer", id: id) }
        try b.write(author: "S2") { tx in try tx.update("customer", id: id, ["note": "新地址"]) }
        try Fixtures.sync(a, to: b)
        try Fixtures.sync(b, to: a)
        #expect(try a.allStates() == b.allStates())
        let s = try #require(try a.state("customer", id: id))
        #expect(s.isDeleted && s.slots[3].values == ["新地址"])
        #expect(try a.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer") } == 0)
    }

    @Test func addWinsOverConcurrentRemove() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a"), b = try Fixtures.replica(dir, "b")
        let id = try a.write(author: "S1") { tx in try tx.insert("customer", ["center": "C001", "name": "孙九"], sets: ["tags": ["vip"]]) }
        try Fixtures.sync(a, to: b)
        try a.write(author: "S1") { tx in try tx.remove("vip", from: "tags", of: "customer", id: id) }
        try b.write(author: "S2") { tx in
            try tx.add("vip", to: "tags", of: "customer", id: id)
            try tx.add("老人", to: "tags", of: "customer", id: id)
        }
        try Fixtures.sync(a, to: b)
        try Fixtures.sync(b, to: a)
        #expect(try a.allStates() == b.allStates())
        #expect(try a.read { db in try String.fetchOne(db, sql: "SELECT tags FROM customer") } == "[\"vip\",\"老人\"]")
        #expect(try a.conflicts(openOnly: false).isEmpty)
    }

    @Test func schemaMismatchIsRefusedWhole() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a", version: 2), b = try Fixtures.replica(dir, "b")
        try a.write(author: "S1") { tx in _ = try tx.insert("price", ["item": "x", "amount": 1]) }
        let batch = try a.changes(after: 0)
        #expect(throws: ReplicationError.schemaMismatch(local: 1, remote: 2)) { try b.apply(batch, from: a.id) }
        #expect(try b.allStates().isEmpty)
        #expect(try b.receivedCursor(from: a.id) == 0)
    }

    /// The plan of each query a scoped pull or a pull lag runs, as EXPLAIN QUERY PLAN
    /// details.
    private func plans(_ hub: Replica, _ table: String, after cursor: UInt64, scope: ScopeFilter) throws -> [String] {
        let l = try hub.layout(table)
        return try hub.read { db in
            var out: [String] = []
            for s in Storage.streams(l, after: cursor, scope: scope, heads: nil) {
                let (sql, args) = Storage.logQuery(l, s, source: -1, limit: 50)
                let count = "SELECT count(*) FROM \(s.from) WHERE \(s.condition) AND _src != ?"
                for (q, a) in [(sql, args), (count, s.args + [(-1).databaseValue])] {
                    out += try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + q, arguments: StatementArguments(a)).map { $0["detail"] as String }
                }
            }
            return out
        }
    }

    /// A center's pull and pull lag cost its own entries, never the fleet's log: each
    /// query walks the center's range of the `(center, _seq)` index from the cursor, in
    /// log order (no sort, no scan). Regression: with the scope column indexed alone,
    /// SQLite read every row of the center and sorted them for each batch; with the `_seq`
    /// index alone, every center's entries after the cursor (`hub status` took 49 s at
    /// 1,000 centers).
    @Test func scopedPullAndLagWalkTheCentersIndexRange() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hub = try Fixtures.replica(dir, "hub")
        try hub.write(author: "HQ") { tx in
            for i in 0..<300 { try tx.insert("customer", ["center": .text(i % 3 == 0 ? "C002" : "C001"), "name": .text("客户\(i)")]) }
            _ = try tx.insert("price", ["item": "换锁", "amount": 80])
        }
        for table in ["customer", "ticket", "price"] {
            let plan = try plans(hub, table, after: 10, scope: .centers(["C001"]))
            let index = table == "price" ? "_rep_price_seq" : "_rep_\(table)_scope"
            #expect(!plan.isEmpty && plan.allSatisfy { $0.contains("USING INDEX \(index)") || $0.contains("USING COVERING INDEX \(index)") },
                    "\(table): \(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN") }, "\(table): \(plan)")
        }
        // …and the batches still hold exactly the center's records and the shared ones, in log order.
        var cursor: UInt64 = 0
        var got: [String] = []
        var seqs: [UInt64] = []
        while true {
            let b = try hub.changes(after: cursor, scope: .centers(["C001"]), maxCount: 37)
            got += b.records.map { $0.table == "price" ? "shared" : $0.slots[0].values[0].text ?? "?" }
            seqs.append(b.toSeq)
            cursor = b.toSeq
            if b.isLast { break }
        }
        #expect(got.count == 201 && Set(got) == ["C001", "shared"], "\(got.count) records: \(Dictionary(grouping: got, by: { $0 }).mapValues(\.count)), batches ending at \(seqs)")
        #expect(seqs == seqs.sorted())
    }

    /// Every node's pull lag in a fixed number of statements (one per table, `hub status`
    /// at 5,000 centers): the same figure as counting each peer's streams one by one
    /// (`pendingCount`), its own pushes left out, shared rows in, a peer with no cursor or
    /// no index of its own counted from the start; each center through its own range of
    /// the `(center, _seq)` index.
    @Test func pullLagsOfManyPeersAgreeWithEachPeersCount() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hub = try Fixtures.replica(dir, "hub"), n1 = try Fixtures.replica(dir, "n1")
        try hub.write(author: "HQ") { tx in
            for i in 0..<60 { try tx.insert("customer", ["center": .text(i % 3 == 0 ? "C002" : "C001"), "name": .text("客户\(i)")]) }
            _ = try tx.insert("price", ["item": "换锁", "amount": 80])
            _ = try tx.insert("customer", ["name": "共享"])  // center NULL: every center's
        }
        try Fixtures.sync(hub, to: n1, scope: .centers(["C001"]))
        let mid = try hub.localClock().sequence
        try hub.markAcknowledged(by: n1.id, upTo: mid)
        try n1.write(author: "S1") { tx in
            for i in 0..<7 { try tx.insert("ticket", ["center": "C001", "status": "received", "fee": .integer(Int64(i))]) }
        }
        _ = try hub.apply(try n1.changes(after: 0, for: hub.id), from: n1.id)
        try hub.write(author: "HQ") { tx in
            for i in 0..<5 { try tx.insert("ticket", ["center": "C001", "status": "received", "fee": .integer(Int64(100 + i))]) }
            try tx.insert("event", ["center": "C002", "ticket": "T1", "what": "派单"])
            _ = try tx.insert("price", ["item": "疏通", "amount": 50])
        }
        let n2 = ReplicaID(rawValue: "n2")!, n3 = ReplicaID(rawValue: "n3")!
        try hub.markAcknowledged(by: n2, upTo: 10)
        let peers: [(peer: ReplicaID, center: String)] = [(n1.id, "C001"), (n2, "C002"), (n3, "C003"), (n1.id, "C002")]
        let lags = try hub.pullLags(peers)
        let each = try peers.map { try hub.pendingCount(for: $0.peer, scope: .centers([$0.center])) }
        #expect(lags == each)
        // n1: the hub's 5 tickets and the new price, not its own 7 tickets.
        #expect(lags[0] == 6 && lags[2] == 3, "\(lags)")
        #expect(try hub.pullLags([]) == [])
        for table in ["customer", "ticket", "price"] {
            let l = try hub.layout(table)
            let plan = try hub.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Storage.lagQuery(l, shared: true), arguments: ["[[\"C001\",1,2]]"])
                    .map { $0["detail"] as String }
            }
            let index = table == "price" ? "_rep_price_seq" : "_rep_\(table)_scope"
            let searches = plan.filter { $0.contains("_rep_") }
            #expect(!searches.isEmpty && searches.allSatisfy { $0.hasPrefix("SEARCH") && $0.contains("INDEX \(index)") }, "\(table): \(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(table): \(plan)")
        }
    }

    @Test func scopeFiltersExtractionAndAdmissionQuarantines() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hub = try Fixtures.replica(dir, "hub"), n1 = try Fixtures.replica(dir, "n1")
        try hub.write(author: "HQ") { tx in
            try tx.insert("customer", ["center": "C001", "name": "甲"])
            try tx.insert("customer", ["center": "C002", "name": "乙"])
            try tx.insert("price", ["item": "疏通", "amount": 50])
        }
        try Fixtures.sync(hub, to: n1, scope: .centers(["C001"]))
        #expect(try n1.read { db in try String.fetchAll(db, sql: "SELECT name FROM customer") } == ["甲"])
        #expect(try n1.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM price") } == 1)
        // n1 forges a record of another center: the hub keeps it out, applies the rest.
        try n1.write(author: "S1") { tx in
            try tx.insert("customer", ["center": "C009", "name": "伪造"])
            try tx.insert("customer", ["center": "C001", "name": "丙"])
        }
        let res = try hub.apply(try n1.changes(after: 0, for: hub.id), from: n1.id) { _, scope in
            scope == "C001" ? nil : "record of center \(scope ?? "shared") refused from a C001 node"
        }
        #expect(res.refused.count == 1 && res.changed == 1)
        #expect(try hub.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer WHERE center = 'C009'") } == 0)
        #expect(try hub.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _rep_quarantine") } == 1)
    }

    /// The caller's bookkeeping (the hub's node registry) commits with the batch, or
    /// neither does: a failure in it leaves no record applied and the cursor unmoved.
    @Test func workAlongsideAnApplyCommitsOrRollsBackWithIt() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a"), b = try Fixtures.replica(dir, "b")
        try b.database.write { db in try db.execute(sql: "CREATE TABLE book (applied INTEGER, cursor INTEGER)") }
        try a.write(author: "S") { tx in
            for i in 0..<5 { try tx.insert("customer", ["center": "C001", "name": .text("客户\(i)")]) }
        }
        let batch = try a.changes(after: 0)
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try b.apply(batch, from: a.id, alongside: { db, _ in
                try db.execute(sql: "INSERT INTO book VALUES (1, 1)")
                throw Refused()
            })
        }
        #expect(try b.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer") } == 0)
        #expect(try b.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM book") } == 0)
        #expect(try b.receivedCursor(from: a.id) == 0)
        let res = try b.apply(batch, from: a.id, alongside: { db, result in
            try db.execute(sql: "INSERT INTO book VALUES (?, ?)", arguments: [result.changed, Int64(result.cursor)])
        })
        #expect(res.changed == 5)
        #expect(try b.read { db in try Row.fetchOne(db, sql: "SELECT applied, cursor FROM book") }.map { [$0[0] as Int, $0[1] as Int] } == [5, 5])
        #expect(try b.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer") } == 5)
    }

    /// Group commit: several change sets (from two peers) in one transaction. The one
    /// whose bookkeeping fails is the only one lost; the rest commit, with their cursors,
    /// in order.
    @Test func groupApplyCommitsEachItemOrRollsItBackAlone() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a"), c = try Fixtures.replica(dir, "c"), hub = try Fixtures.replica(dir, "hub")
        try a.write(author: "S") { tx in
            for i in 0..<30 { try tx.insert("customer", ["center": "C001", "name": .text("甲\(i)")]) }
        }
        try c.write(author: "S") { tx in
            for i in 0..<7 { try tx.insert("customer", ["center": "C002", "name": .text("丙\(i)")]) }
        }
        let a1 = try a.changes(after: 0, maxCount: 10), a2 = try a.changes(after: 10, maxCount: 10), a3 = try a.changes(after: 20, maxCount: 10)
        let c1 = try c.changes(after: 0)
        struct Refused: Error {}
        let results = hub.apply([
            Replica.ApplyItem(a1, from: a.id),
            Replica.ApplyItem(c1, from: c.id, alongside: { db, _ in
                try db.execute(sql: "UPDATE _rep_local SET seq = seq")  // wrote something, then fails
                throw Refused()
            }),
            Replica.ApplyItem(a2, from: a.id),
            Replica.ApplyItem(a3, from: a.id),
        ])
        #expect(results.count == 4)
        #expect(try results[0].get().cursor == 10)
        #expect(throws: Refused.self) { try results[1].get() }
        #expect(try results[2].get().cursor == 20 && results[3].get().cursor == 30)
        #expect(try hub.receivedCursor(from: a.id) == 30)
        #expect(try hub.receivedCursor(from: c.id) == 0)
        #expect(try hub.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer") } == 30)
        // The hub's own log numbers every change of the committed items once, in order.
        let log = try hub.changes(after: 0, maxCount: 100)
        #expect(log.records.count == 30 && log.toSeq == 30)
        // c's items apply later, in a group of their own; its replica id resolves again.
        #expect(try hub.apply([Replica.ApplyItem(c1, from: c.id)])[0].get().changed == 7)
        #expect(try hub.receivedCursor(from: c.id) == 7)
        try Fixtures.sync(hub, to: a)
        #expect(try a.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer") } == 37)
    }

    /// `max_batch_bytes` is computable by a third party: SPEC §12's count, exactly, and the
    /// cut before the record that would pass it (the first record always goes).
    @Test func batchBytesAreCountedExactlyAsTheSpecSays() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a")
        try a.write(author: "S") { tx in
            for id in ["cu-1", "cu-2", "cu-3"] {
                try tx.insert("customer", id: id, ["center": "C001", "name": "张三"], sets: ["tags": ["vip"]])
            }
        }
        let s = try #require(try a.state("customer", id: "cu-1"))
        // 32 + id (4) + table (8) + 1 vector entry (24) + 5 slots (5 × 24)
        // + values: "C001" 4+2, "张三" 6+2, phone NULL 9, note NULL 9, tags `["vip"]` 7+2
        // + 1 set element (32); no siblings, no history.
        #expect(s.batchSize == 32 + 4 + 8 + 24 + 5 * 24 + (6 + 8 + 9 + 9 + 9) + 32)
        #expect(s.batchSize == 261)
        #expect(try a.changes(after: 0, maxBytes: 2 * 261).records.map(\.id) == ["cu-1", "cu-2"])
        #expect(try a.changes(after: 0, maxBytes: 2 * 261 - 1).records.map(\.id) == ["cu-1"])
        #expect(try a.changes(after: 0, maxBytes: 1).records.map(\.id) == ["cu-1"], "a batch always takes its first record")
        #expect(try a.changes(after: 0, maxCount: 2, maxBytes: 10 * 261).records.count == 2)
    }

    @Test func batchesAreBoundedAndCursorSkipsGaps() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Fixtures.replica(dir, "a"), b = try Fixtures.replica(dir, "b")
        try a.write(author: "S") { tx in
            for i in 0..<50 { try tx.insert("customer", ["center": "C001", "name": .text(String(repeating: "长", count: 100) + "\(i)")]) }
            for i in 0..<30 { try tx.insert("price", ["item": .text("p\(i)"), "amount": 1]) }
        }
        let b1 = try a.changes(after: 0, maxCount: 10)
        #expect(b1.records.count == 10 && b1.toSeq == 10 && !b1.isLast)
        let small = try a.changes(after: 0, maxCount: 1000, maxBytes: 2000)
        #expect(small.records.count < 10 && !small.records.isEmpty)
        let b2 = try a.changes(after: b1.toSeq, maxCount: 10)
        // Applying the second batch first merges it but cannot move the cursor over the gap.
        #expect(try b.apply(b2, from: a.id).cursor == 0)
        #expect(try b.apply(b1, from: a.id).cursor == 10)
        #expect(try b.apply(b1, from: a.id).unchanged == 10)  // duplicate
        try Fixtures.sync(a, to: b)
        #expect(try b.receivedCursor(from: a.id) == 80)
        #expect(try a.allStates() == b.allStates())
    }
}
