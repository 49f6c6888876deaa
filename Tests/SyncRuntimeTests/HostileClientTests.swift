import Foundation
import TestSupport
import Replication
import ServiceDesk
import SyncProtocol
import Testing
import ZeroMQ

/// Issue 4, reliability test 3, and the key checks: a raw ZeroMQ client with an ENROLLED
/// key (so it passes CURVE and ZAP) sends malformed frames, wrong signatures, oversized
/// and out-of-state messages; the hub answers ERROR or drops them, and a healthy node's
/// daemon keeps syncing all along. An unenrolled key gets nothing; a revoked key is cut
/// off; a hub on another schema version is refused.
@Suite(.serialized) struct HostileClientTests {
    static let sig = GHSP.signatureFrame

    static func body(_ m: SyncMessage) throws -> [UInt8] { try SyncFraming.body(m) }

    @Test func malformedAndOutOfStateMessagesGetErrorsWhileAHealthyNodeSyncs() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let healthy = try c.addNode(center: "C001")
        try c.addNode(center: "C002", enroll: false)
        let rawKeys = try CurveKeyPair.generate()
        try c.ok(["hub", "enroll", "--data", c.hubDir, "--center", "C002", "--key=\(rawKeys.publicKey)"], staff: "H001")
        try c.startHub()
        let daemon = try c.spawn(["node", "run", "--data", healthy.dir])

        let raw = try RawClient(endpoint: c.endpoint, hubKey: c.hubKey, keys: rawKeys)
        let v = DeskSchema.version
        let hello = RawClient.hello(node: "c002-rawclient", center: "C002", schemaVersion: v)
        var push = Gatehouse_Sync_V1_Push()
        push.changes = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: v, origin: ReplicaID(rawValue: "c002-rawclient")!,
                                                               fromSeq: 0, toSeq: 1, records: [], isLast: true))
        var credit = Gatehouse_Sync_V1_Credit()
        credit.bytes = 1000
        credit.batches = 1
        var ping = Gatehouse_Sync_V1_Ping()
        ping.nonce = 7

        func expectError(_ frames: [[UInt8]], _ code: SyncErrorCode, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            try raw.send(frames: frames)
            let got = try raw.errorCode()
            #expect(got == code, "\(what): expected ERROR \(code), got \(got.map { "\($0)" } ?? "nothing")", sourceLocation: sourceLocation)
        }
        func welcome(sourceLocation: SourceLocation = #_sourceLocation) throws {
            try raw.send(hello)
            let m = try raw.receive()
            guard case .welcome = m?.kind else {
                Issue.record("HELLO of an enrolled key: expected WELCOME, got \(m?.commandName ?? "nothing")", sourceLocation: sourceLocation)
                return
            }
        }

        // Framing (SPEC §3), in the order a receiver checks.
        try expectError([Array("only one frame".utf8)], .malformed, "one frame")
        try expectError([Self.sig, try Self.body(hello), [1, 2, 3]], .malformed, "three frames")
        try expectError([Array("GHSQ".utf8) + [1], try Self.body(hello)], .malformed, "a wrong signature")
        try expectError([Array("GHSP".utf8), try Self.body(hello)], .malformed, "a signature without its version byte")
        try expectError([Array("GHSP".utf8) + [2], try Self.body(hello)], .unsupportedProtocol, "protocol version 2")
        try expectError([Self.sig, [UInt8](repeating: 0xFF, count: 16)], .malformed, "a body that is not protobuf")
        try expectError([Self.sig, []], .malformed, "an envelope without a command")
        // Above max_message_bytes but under the socket's limit: 413. Far above the socket's
        // limit: libzmq drops it and resets the connection (the DEALER reconnects).
        try expectError([Self.sig, [UInt8](repeating: 0x20, count: SyncLimits.default.maxMessageBytes + 100)], .tooLarge, "an oversized body")
        try raw.send(frames: [Self.sig, [UInt8](repeating: 0x20, count: 3 * SyncLimits.default.maxMessageBytes)])
        #expect(try raw.receive(within: 1500) == nil, "a body far above the limit must be dropped unanswered")

        // Out of state (SPEC §4–5): anything but HELLO before WELCOME.
        try expectError(try SyncFraming.encode(SyncMessage(.push(push))), .outOfState, "PUSH before HELLO")
        try expectError(try SyncFraming.encode(SyncMessage(.credit(credit))), .outOfState, "CREDIT before HELLO")
        try expectError(try SyncFraming.encode(SyncMessage(.ping(ping))), .outOfState, "PING before HELLO")
        // Identity checks at HELLO.
        try expectError(try SyncFraming.encode(RawClient.hello(node: "not a replica id!", center: "C002", schemaVersion: v)), .malformed, "HELLO with an invalid node id")
        try expectError(try SyncFraming.encode(RawClient.hello(node: "c002-rawclient", center: "C001", schemaVersion: v)), .unauthorized, "HELLO claiming another center")
        try expectError(try SyncFraming.encode(RawClient.hello(node: "c002-rawclient", center: "C002", schemaVersion: v + 1)), .schemaMismatch, "HELLO on another schema version")
        try welcome()  // binds c002-rawclient to the key
        try expectError(try SyncFraming.encode(RawClient.hello(node: "c002-impostor", center: "C002", schemaVersion: v)), .unauthorized, "HELLO with another node id than the key's")
        try expectError(try SyncFraming.encode(RawClient.hello(node: try c.nodeID("C001").rawValue, center: "C002", schemaVersion: v)), .unauthorized, "HELLO with the healthy node's id")
        // Out of state within a session.
        try welcome()
        try expectError(try SyncFraming.encode(SyncMessage(.credit(credit))), .outOfState, "CREDIT before PULL")
        try welcome()
        try expectError(try SyncFraming.encode(SyncMessage(.welcome(Gatehouse_Sync_V1_Welcome()))), .outOfState, "a node sending WELCOME")
        try welcome()
        try expectError(try SyncFraming.encode(SyncMessage(.ack(Gatehouse_Sync_V1_Ack()))), .outOfState, "a node sending ACK")
        try welcome()
        var skipping = push
        skipping.changes.fromSeq = 5
        skipping.changes.toSeq = 6
        try expectError(try SyncFraming.encode(SyncMessage(.push(skipping))), .outOfState, "PUSH skipping positions")
        try welcome()
        var foreign = push
        foreign.changes.origin = try c.nodeID("C001").rawValue
        try expectError(try SyncFraming.encode(SyncMessage(.push(foreign))), .unauthorized, "PUSH of another node's log")
        try welcome()
        var noChanges = Gatehouse_Sync_V1_Push()
        noChanges.clearChanges()
        try expectError(try SyncFraming.encode(SyncMessage(.push(noChanges))), .malformed, "PUSH without a change set")
        try welcome()
        var otherSchema = push
        otherSchema.changes.schemaVersion = UInt32(v + 1)
        try expectError(try SyncFraming.encode(SyncMessage(.push(otherSchema))), .schemaMismatch, "PUSH on another schema version")
        // After all that, a well-behaved exchange on the same connection still works.
        try welcome()
        try raw.send(SyncMessage(.ping(ping)))
        let pong = try raw.receive()
        if case .pong(let p) = pong?.kind { #expect(p.nonce == 7) } else { Issue.record("PING: expected PONG, got \(pong?.commandName ?? "nothing")") }
        raw.close()

        // Meanwhile the healthy node's daemon kept working: a write made now arrives.
        _ = try c.openTicket("C001", summary: "攻击期间 正常报修")
        #expect(try eventually(within: .seconds(15)) { let x = try c.cursors("C001"); return x.hubCommitted == x.nodeHead && x.nodeHead > 0 },
                "the healthy node stopped syncing")
        #expect(daemon.isRunning)
        #expect(try c.sync("C001").status == 0)
        #expect(c.hub?.isRunning == true, "the hub died")
        daemon.signal(SIGTERM)
        _ = daemon.waitExit(timeout: .seconds(5))
        c.killHub()
        try c.expectConverged("C001", "healthy node after the attack:")
        // Nothing of the raw client was applied.
        #expect(try c.sql(c.hubDir, "SELECT count(*) FROM _rep_customer WHERE center = 'C002'", as: Int.self) == [0])
    }

    @Test func unknownKeysGetNothingAndARevokedKeyIsCutOff() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.startHub()

        // An unenrolled key: the CURVE handshake is refused by ZAP, nothing comes back.
        let stranger = try RawClient(endpoint: c.endpoint, hubKey: c.hubKey, keys: try CurveKeyPair.generate())
        try stranger.send(RawClient.hello(node: "c001-stranger", center: "C001", schemaVersion: DeskSchema.version))
        #expect(try stranger.receive(within: 1500) == nil, "an unenrolled key got an answer")
        stranger.close()
        // A client that does not even know the hub's key: nothing either.
        let wrongServer = try RawClient(endpoint: c.endpoint, hubKey: try CurveKeyPair.generate().publicKey, keys: try CurveKeyPair.generate())
        try wrongServer.send(RawClient.hello(node: "c001-stranger", center: "C001", schemaVersion: DeskSchema.version))
        #expect(try wrongServer.receive(within: 1000) == nil)
        wrongServer.close()
        // An unenrolled node through the CLI: the sync fails with a clear message.
        let lost = try c.addNode(center: "C003", enroll: false)
        let r = try c.run(["sync", "--data", lost.dir, "--timeout", "2"])
        #expect(r.status == 1 && r.err.contains("error:"), "\(r)")
        #expect(try c.sql(c.hubDir, "SELECT count(*) FROM hub_log WHERE event = 'denied'", as: Int.self).first ?? 0 >= 1, "the denial was not logged")

        // Revoked while connected: the daemon's next message is refused, and so is the next sync.
        #expect(try c.sync("C001").status == 0)
        let daemon = try c.spawn(["node", "run", "--data", node.dir])
        #expect(try eventually(within: .seconds(10)) {
            try c.sql(c.hubDir, "SELECT state FROM hub_node WHERE center = 'C001'", as: String.self) == ["connected"]
        })
        try c.ok(["hub", "revoke", "--data", c.hubDir, "--key=\(node.key)"], staff: "H001")
        // The running hub re-reads its allow-list every second: give it that second, then
        // the daemon's next message (a PING within the 1 s heartbeat) is refused with 401.
        Thread.sleep(forTimeInterval: 1.5)
        _ = try c.openTicket("C001", summary: "吊销之后的报修")
        #expect(try eventually(within: .seconds(10)) {
            try c.sql(node.dir, "SELECT body FROM node_sync", as: String.self).first?.contains("\"refused\"") == true
        }, "the daemon does not show that it was refused: \(daemon.stderr.suffix(1500))")
        Thread.sleep(forTimeInterval: 1)
        let ref = try c.sql(node.dir, "SELECT id FROM ticket", as: String.self)
        let atHub = try c.sql(c.hubDir, "SELECT id FROM ticket", as: String.self)
        #expect(Set(ref).subtracting(atHub).count == 1, "a write made after the revocation reached the hub")
        daemon.signal(SIGTERM)
        _ = daemon.waitExit(timeout: .seconds(5))
        let after = try c.run(["sync", "--data", node.dir, "--timeout", "3"])
        #expect(after.status == 1, "a revoked node could still sync: \(after)")
        #expect(after.err.contains("error:"), "\(after)")
    }

    /// A hub on another schema version, played by a stand-in ROUTER with the real CURVE
    /// setup: it answers HELLO with a WELCOME of schema version +1 (the node must refuse),
    /// then, on the next connection, with the ERROR 412 a real hub sends.
    @Test func syncAgainstAHubOnAnotherSchemaVersionIsRefused() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        let hubKeys = try CurveKeyPair.generate()
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        let router = try ctx.makeSocket(.router)
        defer { router.close() }
        try router.makeCurveServer(secretKey: hubKeys.secretKey)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint
        try c.ok(["node", "connect", "--data", node.dir, "--hub", endpoint, "--hub-key=\(hubKeys.publicKey)"])

        for answer in ["welcome", "error"] {
            let sync = try c.spawn(["sync", "--data", node.dir, "--timeout", "10"])
            // Skip what the previous connection said last (its BYE) until this one's HELLO.
            var found: (rid: [UInt8], hello: Gatehouse_Sync_V1_Hello)?
            let deadline = ContinuousClock.now + .seconds(8)
            while found == nil, ContinuousClock.now < deadline {
                guard let m = try router.receive(timeoutMilliseconds: 500) else { continue }
                if m.frames.count == 3, let msg = try? SyncFraming.decode(Array(m.frames[1...])).message, case .hello(let h) = msg.kind {
                    found = (m.frames[0], h)
                }
            }
            guard let (rid, h) = found else { Issue.record("\(answer): no HELLO from the node: \(sync.stderr)"); continue }
            #expect(Int(h.schemaVersion) == DeskSchema.version)
            let reply: SyncMessage
            if answer == "welcome" {
                var w = Gatehouse_Sync_V1_Welcome()
                w.hubID = "hub-future"
                w.hubEpoch = 1
                w.schemaVersion = h.schemaVersion + 1
                w.heartbeatIntervalMs = 5000
                w.heartbeatLiveness = 3
                w.pushWindow = 4
                w.maxMessageBytes = 4 << 20
                w.maxBatchRecords = 1000
                w.maxBatchBytes = 1 << 20
                w.maxCreditBytes = 64 << 20
                w.maxCreditBatches = 64
                reply = SyncMessage(.welcome(w))
            } else {
                reply = .error(SyncError(.schemaMismatch, "the hub is on schema version \(h.schemaVersion + 1), the node on \(h.schemaVersion); upgrade the older side"))
            }
            try router.send([rid] + SyncFraming.encode(reply))
            let status = sync.waitExit(timeout: .seconds(15))
            #expect(status == 1, "\(answer): the sync was not refused: \(sync.stderr)")
            #expect(sync.stderr.contains("error:") && sync.stderr.contains("schema"), "\(answer): \(sync.stderr)")
        }
        #expect(try c.sql(node.dir, "SELECT count(*) FROM _rep_peers WHERE received > 0", as: Int.self) == [0], "something was applied")
    }

    /// A PUSH whose records are hostile one by one (unknown table, wrong shape, a dot its
    /// vector does not cover, an unsorted vector, another center) next to a valid one:
    /// each bad record is refused in the ACK and quarantined, the valid one applies, the
    /// committed cursor moves, and a replay of the same PUSH is a duplicate.
    @Test func hostileRecordsInAPushAreRefusedOneByOne() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let keys = try CurveKeyPair.generate()
        try c.ok(["hub", "enroll", "--data", c.hubDir, "--center", "C002", "--key=\(keys.publicKey)"], staff: "H001")
        try c.startHub()
        // Real record states from a scratch replica with the raw client's id.
        let scratch = c.root.appendingPathComponent("scratch.sqlite").path
        let me = ReplicaID(rawValue: "c002-rawclient")!
        let replica = try Replica.create(at: scratch, id: me, schema: DeskSchema.schema)
        try replica.write(author: "S002") { tx in
            for i in 0..<6 { _ = try tx.insert("customer", ["center": .text(i == 5 ? "C001" : "C002"), "name": .text("客户\(i)"), "phone": .text("1370000000\(i)")]) }
        }
        let batch = try replica.changes(after: 0)
        #expect(batch.records.count == 6)
        var set = Gatehouse_Sync_V1_ChangeSet(batch)
        set.records[1].table = "no_such_table"
        set.records[2].slots.removeLast()
        set.records[3].slots[1].clock.counter = 99  // a write its vector does not cover
        set.records[4].vector = [set.records[4].vector[0], set.records[4].vector[0]]  // not strictly sorted
        let good = batch.records[0].id
        let bad = (1...5).map { batch.records[$0].id }

        let raw = try RawClient(endpoint: c.endpoint, hubKey: c.hubKey, keys: keys)
        try raw.send(RawClient.hello(node: me.rawValue, center: "C002", schemaVersion: DeskSchema.version))
        guard case .welcome(let w) = try raw.receive()?.kind else { Issue.record("no WELCOME"); return }
        #expect(w.committedPush == 0)
        var push = Gatehouse_Sync_V1_Push()
        push.changes = set
        try raw.send(SyncMessage(.push(push)))
        var ack: Gatehouse_Sync_V1_Ack?
        for _ in 0..<5 {
            guard let m = try raw.receive() else { break }
            if case .ack(let a) = m.kind { ack = a; break }
            if case .error(let e) = m.kind { Issue.record("ERROR \(e.code): \(e.reason)"); break }
        }
        guard let ack else { Issue.record("no ACK"); return }
        #expect(ack.committed == batch.toSeq && !ack.duplicate)
        #expect(Set(ack.refused.map(\.id)) == Set(bad), "refused: \(ack.refused.map { "\($0.id) \($0.code) \($0.reason)" })")
        #expect(ack.refused.allSatisfy { $0.code == 400 || $0.code == 403 }, "\(ack.refused.map(\.code))")
        // A replay of the same PUSH on the same session: a duplicate, nothing applied again.
        try raw.send(SyncMessage(.push(push)))
        if case .ack(let again) = try raw.receive()?.kind {
            #expect(again.duplicate && again.committed == batch.toSeq)
        } else { Issue.record("the replayed PUSH was not acknowledged as a duplicate") }
        raw.close()
        c.killHub()
        #expect(try c.sql(c.hubDir, "SELECT id FROM _rep_customer", as: String.self) == [good])
        let quarantined = Set(try c.sql(c.hubDir, "SELECT rid FROM _rep_quarantine", as: String.self))
        #expect(quarantined == Set(bad), "quarantine: \(quarantined)")
        #expect(try c.sql(c.hubDir, "SELECT refused_records FROM hub_node WHERE center = 'C002'", as: Int.self) == [bad.count])
        let logged = try c.sql(c.hubDir, "SELECT detail FROM hub_log WHERE event = 'refused'", as: String.self).joined(separator: "\n")
        #expect(bad.allSatisfy { logged.contains($0) }, "hub_log: \(logged)")
        #expect(try c.open(c.hubDir).state("customer", id: good) == batch.records[0])
    }

    /// The node's side of validation: a stand-in hub sends CHANGES with a valid record and
    /// one whose write its vector does not cover. The node applies the valid one,
    /// quarantines the other, moves its cursor, and the sync succeeds.
    @Test func aNodeQuarantinesUnreadableRecordsFromTheHub() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        let hubKeys = try CurveKeyPair.generate()
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        let router = try ctx.makeSocket(.router)
        defer { router.close() }
        try router.makeCurveServer(secretKey: hubKeys.secretKey)
        try router.bind("tcp://127.0.0.1:*")
        try c.ok(["node", "connect", "--data", node.dir, "--hub", try router.lastEndpoint, "--hub-key=\(hubKeys.publicKey)"])

        let hubID = ReplicaID(rawValue: "hub-standin")!
        let scratch = try Replica.create(at: c.root.appendingPathComponent("standin.sqlite").path, id: hubID, schema: DeskSchema.schema)
        try scratch.write(author: "H001") { tx in
            _ = try tx.insert("customer", ["center": .text("C001"), "name": .text("总部录入的客户"), "phone": .text("13600000001")])
            _ = try tx.insert("customer", ["center": .text("C001"), "name": .text("坏记录"), "phone": .text("13600000002")])
        }
        let batch = try scratch.changes(after: 0)
        var set = Gatehouse_Sync_V1_ChangeSet(batch)
        set.records[1].slots[1].clock.counter = 42
        let (good, bad) = (batch.records[0].id, batch.records[1].id)

        let sync = try c.spawn(["sync", "--data", node.dir, "--timeout", "15"])
        let deadline = ContinuousClock.now + .seconds(20)
        while sync.isRunning, ContinuousClock.now < deadline {
            guard let m = try router.receive(timeoutMilliseconds: 200), m.frames.count == 3,
                  let msg = try? SyncFraming.decode(Array(m.frames[1...])).message else { continue }
            let rid = m.frames[0]
            switch msg.kind {
            case .hello(let h):
                var w = Gatehouse_Sync_V1_Welcome()
                w.hubID = hubID.rawValue
                w.hubEpoch = 1
                w.schemaVersion = h.schemaVersion
                w.heartbeatIntervalMs = 5000
                w.heartbeatLiveness = 3
                w.pushWindow = 4
                w.maxMessageBytes = 4 << 20
                w.maxBatchRecords = 1000
                w.maxBatchBytes = 1 << 20
                w.maxCreditBytes = 64 << 20
                w.maxCreditBatches = 64
                w.demo = h.demo
                try router.send([rid] + SyncFraming.encode(SyncMessage(.welcome(w))))
            case .push(let p):
                var a = Gatehouse_Sync_V1_Ack()
                a.toSeq = p.changes.toSeq
                a.committed = p.changes.toSeq
                try router.send([rid] + SyncFraming.encode(SyncMessage(.ack(a))))
            case .pull:
                var ch = Gatehouse_Sync_V1_Changes()
                ch.changes = set
                try router.send([rid] + SyncFraming.encode(SyncMessage(.changes(ch))))
            default:
                break
            }
        }
        #expect(sync.waitExit(timeout: .seconds(5)) == 0, "\(sync.stderr)")
        let replica = try c.open(node.dir)
        #expect(try replica.state("customer", id: good) == batch.records[0])
        #expect(try replica.state("customer", id: bad) == nil)
        #expect(try c.sql(node.dir, "SELECT rid FROM _rep_quarantine", as: String.self) == [bad])
        #expect(try replica.receivedCursor(from: hubID) == batch.toSeq)
    }
}
