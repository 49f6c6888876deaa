import Foundation
import GRDB
import ServiceDesk
import Testing
import ZeroMQ
@testable import SyncRuntime

@Suite struct EnrollmentTests {
    func hub() throws -> (Desk, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gh-hub-\(UUID().uuidString)")
        let desk = try Desk.create(in: DataDirectory(path: dir.path), role: .hub, center: "HQ", name: "总部")
        return (desk, dir)
    }

    @Test func enrollBindAndRevoke() throws {
        let (desk, dir) = try hub()
        defer { try? FileManager.default.removeItem(at: dir) }
        let e = try NodeRegistry(desk.unsafeReplica.database)
        let k1 = try CurveKeyPair.generate().publicKey, k2 = try CurveKeyPair.generate().publicKey
        try e.enroll(center: "c001", publicKey: k1)
        try e.enroll(center: "C002", publicKey: k2)
        #expect(try e.allowedKeys() == [k1, k2])
        #expect(try e.nodes().map(\.center) == ["C001", "C002"])
        #expect(throws: RuntimeError.self) { try e.enroll(center: "C003", publicKey: k1) }
        #expect(throws: (any Error).self) { try e.enroll(center: "C003", publicKey: "short") }
        #expect(throws: RuntimeError.self) { try e.enroll(center: "HQ", publicKey: try CurveKeyPair.generate().publicKey) }

        try e.bind(publicKey: k1, replicaID: "c001-aaaa", at: Date())
        try e.bind(publicKey: k1, replicaID: "c001-aaaa", at: Date())  // same id again: fine
        #expect(throws: RuntimeError.refused(code: 401, reason: "node id c001-bbbb does not match the id c001-aaaa bound to this key")) {
            try e.bind(publicKey: k1, replicaID: "c001-bbbb", at: Date())
        }
        #expect(throws: RuntimeError.self) { try e.bind(publicKey: k2, replicaID: "c001-aaaa", at: Date()) }

        #expect(try e.revoke(center: "C001") == 1)
        #expect(try e.allowedKeys() == [k2])
        #expect(throws: RuntimeError.self) { try e.bind(publicKey: k1, replicaID: "c001-aaaa", at: Date()) }
        #expect(throws: RuntimeError.self) { try e.enroll(center: "C001", publicKey: k1) }
        #expect(throws: RuntimeError.self) { try e.revoke(center: "C001") }
    }

    @Test func keyStoreKeepsSecretPrivateAndRefusesOverwrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gh-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = KeyStore(DataDirectory(path: dir.path))
        let pair = try store.create()
        #expect(try store.load() == pair)
        let attrs = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("keys/curve.secret").path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        #expect(throws: RuntimeError.self) { try store.create() }
    }
}
