import Foundation
import GRDB
import Testing
@testable import Replication

@Suite struct DurabilityTests {
    /// The connection that commits must run `synchronous = FULL` when durable, even
    /// though GRDB sets NORMAL on the writer when it enables WAL.
    @Test func durableReplicaCommitsWithSynchronousFull() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = Replica.Options()
        o.durable = true
        let r = try Replica.create(at: dir.appendingPathComponent("d.sqlite").path, id: ReplicaID(rawValue: "d1")!,
                                   schema: Fixtures.schema(), options: o)
        let writer = try r.database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(writer == 2)
        let reader = try r.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(reader == 2)
    }

    @Test func nonDurableReplicaKeepsNormal() throws {
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Fixtures.replica(dir, "n1")
        let writer = try r.database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(writer == 1)
    }
}
