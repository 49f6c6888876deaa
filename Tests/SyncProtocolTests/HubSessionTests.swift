@testable import Replication
import Testing
@testable import SyncProtocol

@Suite("HubSession")
struct HubSessionTests {
    let config = HubConfiguration(hubID: hubR, epoch: 42, schemaVersion: 7)
    var clock = MockClock()
    var directory = TestDirectory()

    func session() -> HubSession<TestInstant> { HubSession(key: keyA, configuration: config, now: clock.now) }

    func welcomed(committed: UInt64 = 0) throws -> HubSession<TestInstant> {
        var s = session()
        var d = directory
        d.committed[nodeA] = committed
        _ = s.received(try wire(hello()), now: clock.now, directory: d)
        #expect(s.state == .ready)
        return s
    }

    @Test("HELLO from an enrolled key gets WELCOME with the committed push and the limits; first contact binds the node id")
    func handshake() throws {
        var directory = self.directory
        var s = session()
        directory.committed[nodeA] = 17
        let actions = s.received(try wire(hello()), now: clock.now, directory: directory)
        #expect(actions.contains(.bindNode(nodeA, center: "c001")))
        #expect(actions.contains { if case .sessionOpened(nodeA, "c001", _, _) = $0 { true } else { false } })
        guard case .welcome(let w)? = actions.sent.first?.kind else { Issue.record("no WELCOME"); return }
        #expect(w.hubID == "hub-main")
        #expect(w.hubEpoch == 42)
        #expect(w.committedPush == 17)
        #expect(w.schemaVersion == 7)
        #expect(w.heartbeatIntervalMs == 5000)
        #expect(w.heartbeatLiveness == 3)
        #expect(w.pushWindow == 8)
        #expect(w.maxMessageBytes == 4 << 20)
        #expect(s.state == .ready)
        #expect(s.node == nodeA)

        // A key already bound to this node id: no second binding.
        directory.enrollments[keyA]?.nodeID = nodeA
        var again = session()
        #expect(!again.received(try wire(hello()), now: clock.now, directory: directory).contains(.bindNode(nodeA, center: "c001")))
    }

    @Test("401: unknown key, other center, node id of another key")
    func unauthorized() throws {
        var s = HubSession<TestInstant>(key: "stranger", configuration: config, now: clock.now)
        #expect(s.received(try wire(hello()), now: clock.now, directory: directory).errorCode == 401)
        #expect(s.state == .awaitingHello)

        s = session()
        #expect(s.received(try wire(hello(center: "c002")), now: clock.now, directory: directory).errorCode == 401)

        var d = directory
        d.enrollments[keyA]?.nodeID = rid("c001-old")
        s = session()
        let a = s.received(try wire(hello()), now: clock.now, directory: d)
        #expect(a.errorCode == 401)
        #expect(a.contains { if case .close(let r?) = $0 { r.code == .unauthorized } else { false } })

        d = directory
        d.bindings[nodeA] = "someone-else"
        s = session()
        #expect(s.received(try wire(hello()), now: clock.now, directory: d).errorCode == 401)
    }

    @Test("every 401 has the same reason on the wire; which check failed is only in the close reason (the hub's log)")
    func unauthorizedSaysNothing() throws {
        func reason(_ a: [HubAction]) -> String? {
            for m in a.sent { if case .error(let e) = m.kind { return e.reason } }
            return nil
        }
        func detail(_ a: [HubAction]) -> String? {
            for x in a { if case .close(let r?) = x { return r.message } }
            return nil
        }
        var stranger = HubSession<TestInstant>(key: "stranger", configuration: config, now: clock.now)
        let unknown = stranger.received(try wire(hello()), now: clock.now, directory: directory)
        var s = session()
        let otherCenter = s.received(try wire(hello(center: "c002")), now: clock.now, directory: directory)
        var d = directory
        d.enrollments[keyA]?.nodeID = rid("c001-old")
        s = session()
        let otherNode = s.received(try wire(hello()), now: clock.now, directory: d)
        let all = [unknown, otherCenter, otherNode]
        #expect(all.allSatisfy { $0.errorCode == 401 && reason($0) == SyncError.unauthorizedOnTheWire.message })
        #expect(!all.contains { reason($0)?.contains("c00") == true })
        #expect(detail(otherCenter)?.contains("enrolled for center c001, not c002") == true)
        #expect(detail(otherNode)?.contains("c001-old") == true)
        // A PUSH of another replica's log too.
        s = try welcomed()
        let push = s.received(try wire(pushMessage(from: 0, to: 1, origin: rid("c002-node"))), now: clock.now, directory: directory)
        #expect(reason(push) == SyncError.unauthorizedOnTheWire.message && detail(push)?.contains("c002-node") == true)
    }

    @Test("a HELLO refused with 412 (or 421) binds nothing: only a HELLO answered WELCOME binds the node id")
    func refusedHelloDoesNotBind() throws {
        var s = session()
        let a = s.received(try wire(hello(schema: 6)), now: clock.now, directory: directory)
        #expect(a.errorCode == 412)
        #expect(!a.contains { if case .bindNode = $0 { true } else { false } })
        let b = s.received(try wire(hello()), now: clock.now, directory: directory)
        #expect(b.contains(.bindNode(nodeA, center: "c001")))
    }

    @Test("a PULL cursor past the hub's log head is 400; at the head it streams")
    func pullPastTheHead() throws {
        var d = directory
        d.head = 10
        var s = session()
        _ = s.received(try wire(hello()), now: clock.now, directory: d)
        var p = Gatehouse_Sync_V1_Pull()
        p.cursor = 11
        p.creditBytes = 1 << 20
        p.creditBatches = 4
        let past = s.received(try wire(SyncMessage(.pull(p))), now: clock.now, directory: d)
        #expect(past.errorCode == 400 && s.state == .awaitingHello)
        _ = s.received(try wire(hello()), now: clock.now, directory: d)
        p.cursor = 10
        let at = s.received(try wire(SyncMessage(.pull(p))), now: clock.now, directory: d)
        #expect(at.errorCode == nil && at.extraction?.after == 10)
    }

    @Test("400 for a malformed node id, 412 for another schema, 500 when the directory fails")
    func helloErrors() throws {
        var s = session()
        #expect(s.received(try wire(hello(node: "not valid!")), now: clock.now, directory: directory).errorCode == 400)
        #expect(s.received(try wire(hello(schema: 6)), now: clock.now, directory: directory).errorCode == 412)
        #expect(s.state == .awaitingHello)
        var d = directory
        d.failing = true
        #expect(s.received(try wire(hello()), now: clock.now, directory: d).errorCode == 500)
    }

    @Test("409 for anything but HELLO before the handshake, and for commands a node may not send")
    func outOfState() throws {
        var s = session()
        let a = s.received(try wire(pushMessage(from: 0, to: 1, records: [sampleRecord()])), now: clock.now, directory: directory)
        #expect(a.errorCode == 409)
        #expect(a.applies.isEmpty)
        #expect(s.received(try wire(SyncMessage(.ping(.init()))), now: clock.now, directory: directory).errorCode == 409)
        s = try welcomed()
        #expect(s.received(try wire(SyncMessage(.welcome(.init()))), now: clock.now, directory: directory).errorCode == 409)
        #expect(s.state == .awaitingHello)
    }

    @Test("PUSH: apply once, ACK only after commit, with refusals; a re-sent PUSH is re-ACKed and not applied")
    func pushAndDuplicate() throws {
        var s = try welcomed()
        let push = pushMessage(from: 0, to: 3, records: [sampleRecord(id: "a"), sampleRecord(id: "b")])
        var a = s.received(try wire(push), now: clock.now, directory: directory)
        #expect(a.applies.count == 1)
        #expect(a.applies[0].toSeq == 3)
        #expect(a.sent.isEmpty)  // no ACK before commit

        var result = ApplyResult()
        result.changed = 1
        result.cursor = 3
        result.refused = [Refusal(table: "ticket", id: "b", reason: "record of center c002")]
        a = s.pushCommitted(result, toSeq: 3, now: clock.now)
        guard case .ack(let ack)? = a.sent.first?.kind else { Issue.record("no ACK"); return }
        #expect(ack.toSeq == 3)
        #expect(ack.committed == 3)
        #expect(!ack.duplicate)
        #expect(ack.refused.map(RejectedRecord.init) == [RejectedRecord(table: "ticket", id: "b", code: .forbiddenRecord, reason: "record of center c002")])

        // The ACK was lost; the node re-sends after reconnecting.
        a = s.received(try wire(push), now: clock.now, directory: directory)
        #expect(a.applies.isEmpty)
        guard case .ack(let again)? = a.sent.first?.kind else { Issue.record("no re-ACK"); return }
        #expect(again.duplicate)
        #expect(again.committed == 3)

        // After a reconnect the directory's committed position counts.
        var d = directory
        d.committed[nodeA] = 3
        _ = s.received(try wire(hello(logHead: 3)), now: clock.now, directory: d)
        a = s.received(try wire(push), now: clock.now, directory: d)
        #expect(a.applies.isEmpty)
        #expect(s.committed == 3)
    }

    @Test("malformed records of a PUSH are reported in the ACK and the rest applies")
    func malformedRecordInPush() throws {
        var s = try welcomed()
        var push = pushMessage(from: 0, to: 2, records: [sampleRecord(id: "a"), sampleRecord(id: "b")])
        push.push.changes.records[0].vector = []
        let a = s.received(try wire(push), now: clock.now, directory: directory)
        #expect(a.applies.first?.records.map(\.id) == ["b"])
        var r = ApplyResult()
        r.cursor = 2
        guard case .ack(let ack)? = s.pushCommitted(r, toSeq: 2, now: clock.now).sent.first?.kind else { Issue.record("no ACK"); return }
        #expect(ack.refused.count == 1)
        #expect(ack.refused[0].id == "a")
        #expect(ack.refused[0].code == 400)
    }

    @Test("pushes pipeline within the window: each is applied as it arrives, ACKs go out in order, gaps are refused")
    func pushWindow() throws {
        var s = try welcomed()
        #expect(s.received(try wire(pushMessage(from: 0, to: 2)), now: clock.now, directory: directory).applies.map(\.toSeq) == [2])
        #expect(s.received(try wire(pushMessage(from: 2, to: 4)), now: clock.now, directory: directory).applies.map(\.toSeq) == [4])
        var r = ApplyResult()
        r.cursor = 2
        // Only the oldest outstanding batch's commit is acknowledged.
        #expect(s.pushCommitted(r, toSeq: 4, now: clock.now).isEmpty)
        var a = s.pushCommitted(r, toSeq: 2, now: clock.now)
        guard case .ack(let first)? = a.sent.first?.kind else { Issue.record("no ACK"); return }
        #expect(first.toSeq == 2 && first.committed == 2)
        #expect(a.applies.isEmpty)
        r.cursor = 4
        a = s.pushCommitted(r, toSeq: 4, now: clock.now)
        guard case .ack(let second)? = a.sent.first?.kind else { Issue.record("no ACK"); return }
        #expect(second.toSeq == 4 && second.committed == 4)
        #expect(s.committed == 4)
        // a gap: positions 5…6 would be skipped
        a = s.received(try wire(pushMessage(from: 6, to: 8)), now: clock.now, directory: directory)
        #expect(a.errorCode == 409)
        #expect(a.applies.isEmpty)
    }

    @Test("a commit that lands after a new HELLO reset the session acknowledges nothing it was not asked for")
    func staleCommitAfterReHello() throws {
        var s = try welcomed()
        _ = s.received(try wire(pushMessage(from: 0, to: 2)), now: clock.now, directory: directory)
        // The node reconnects on the same session before that apply finished, and pushes anew.
        _ = s.received(try wire(hello()), now: clock.now, directory: directory)
        #expect(s.received(try wire(pushMessage(from: 0, to: 3)), now: clock.now, directory: directory).applies.map(\.toSeq) == [3])
        var r = ApplyResult()
        r.cursor = 2
        #expect(s.pushCommitted(r, toSeq: 2, now: clock.now).sent.isEmpty, "no ACK for (0, 3] before its own commit")
        #expect(s.pushFailed(ReplicationError.invalidInput("late"), toSeq: 2, now: clock.now).isEmpty)
        r.cursor = 3
        guard case .ack(let ack)? = s.pushCommitted(r, toSeq: 3, now: clock.now).sent.first?.kind else { Issue.record("no ACK"); return }
        #expect(ack.toSeq == 3 && ack.committed == 3)
    }

    /// Regression (simulation seed 392): the positions of re-sent pushes were already
    /// in through an apply asked for before the new HELLO. The ACK of the first said
    /// `committed` up to the second, the node freed both window slots, and its next
    /// pushes overfilled the hub's queue (409).
    @Test("an ACK's committed never passes the pushes still queued")
    func ackCommittedStopsAtTheQueue() throws {
        var s = try welcomed()
        _ = s.received(try wire(pushMessage(from: 0, to: 2)), now: clock.now, directory: directory)
        _ = s.received(try wire(pushMessage(from: 2, to: 4)), now: clock.now, directory: directory)
        var r = ApplyResult()
        r.cursor = 4  // the store was already at 4
        guard case .ack(let ack)? = s.pushCommitted(r, toSeq: 2, now: clock.now).sent.first?.kind else { Issue.record("no ACK"); return }
        #expect(ack.toSeq == 2 && ack.committed == 2)
        guard case .ack(let next)? = s.pushCommitted(r, toSeq: 4, now: clock.now).sent.first?.kind else { Issue.record("no ACK"); return }
        #expect(next.toSeq == 4 && next.committed == 4)
    }

    @Test("a push beyond the window is out of state")
    func windowExceeded() throws {
        var s = try welcomed()
        let window = UInt64(SyncLimits.default.pushWindow)
        for i in 0..<window {
            #expect(s.received(try wire(pushMessage(from: i, to: i + 1)), now: clock.now, directory: directory).errorCode == nil)
        }
        #expect(s.received(try wire(pushMessage(from: window, to: window + 1)), now: clock.now, directory: directory).errorCode == 409)
    }

    @Test("412: a PUSH on another schema version is refused whole, nothing applied")
    func pushSchemaMismatch() throws {
        var s = try welcomed()
        let a = s.received(try wire(pushMessage(from: 0, to: 1, records: [sampleRecord()], schema: 8)), now: clock.now, directory: directory)
        #expect(a.errorCode == 412)
        #expect(a.applies.isEmpty)
        // and if the store finds it (schema changed underneath), same answer
        s = try welcomed()
        _ = s.received(try wire(pushMessage(from: 0, to: 1, records: [sampleRecord()])), now: clock.now, directory: directory)
        #expect(s.pushFailed(ReplicationError.schemaMismatch(local: 7, remote: 8), toSeq: 1, now: clock.now).errorCode == 412)
    }

    @Test("a PUSH of another replica's log is 401; a failing apply is 500")
    func pushErrors() throws {
        var s = try welcomed()
        #expect(s.received(try wire(pushMessage(from: 0, to: 1, origin: rid("c002-node"))), now: clock.now, directory: directory).errorCode == 401)
        s = try welcomed()
        _ = s.received(try wire(pushMessage(from: 0, to: 1)), now: clock.now, directory: directory)
        struct DiskFull: Error {}
        #expect(s.pushFailed(DiskFull(), toSeq: 1, now: clock.now).errorCode == 500)
    }

    func pull(cursor: UInt64 = 0, bytes: UInt64, batches: UInt32) -> SyncMessage {
        var p = Gatehouse_Sync_V1_Pull()
        p.cursor = cursor
        p.creditBytes = bytes
        p.creditBatches = batches
        return SyncMessage(.pull(p))
    }

    func credit(bytes: UInt64, batches: UInt32, applied: UInt64) -> SyncMessage {
        var c = Gatehouse_Sync_V1_Credit()
        c.bytes = bytes
        c.batches = batches
        c.appliedSeq = applied
        return SyncMessage(.credit(c))
    }

    /// A hub log of `count` records; extraction as `Replica.changes` does it (by count;
    /// bytes by batchSize as SPEC §12 counts them, always at least one record).
    func extract(_ log: [RecordState], after: UInt64, maxCount: Int, maxBytes: Int) -> ChangeBatch {
        var out: [RecordState] = []
        var bytes = 0
        var seq = after
        while Int(seq) < log.count, out.count < maxCount {
            let r = log[Int(seq)]
            if !out.isEmpty && bytes + r.batchSize > maxBytes { break }
            out.append(r)
            bytes += r.batchSize
            seq += 1
        }
        return ChangeBatch(schemaVersion: 7, origin: hubR, fromSeq: after, toSeq: seq, records: out, isLast: Int(seq) == log.count)
    }

    @Test("PULL streams CHANGES and never beyond the credit; CREDIT resumes it", arguments: [UInt64(1), 7, 99])
    func creditNeverExceeded(seed: UInt64) throws {
        var rng = SeededRNG(seed: seed)
        let log = (0..<300).map { i in
            var r = sampleRecord(id: "R-\(i)")
            r.slots[0].values[0] = .text(String(repeating: "x", count: Int.random(in: 0..<3000, using: &rng)))
            return r
        }
        var s = try welcomed()
        var granted: Int = 40_000
        var outstanding = granted
        var grantedBatches = 3
        var outstandingBatches = grantedBatches
        var received: [UInt64] = []
        var pending = s.received(try wire(pull(bytes: UInt64(granted), batches: UInt32(grantedBatches))), now: clock.now, directory: directory)
        var applied: [(seq: UInt64, size: Int)] = []
        var steps = 0
        while steps < 10_000 {
            steps += 1
            var next: [HubAction] = []
            for action in pending {
                switch action {
                case .extractChanges(let after, _, _, let maxCount, let maxBytes):
                    #expect(maxCount <= config.limits.maxBatchRecords)
                    next += s.changesExtracted(extract(log, after: after, maxCount: maxCount, maxBytes: maxBytes), now: clock.now)
                case .send(let m):
                    guard case .changes(let c) = m.message.kind else { Issue.record("unexpected \(m.commandName)"); continue }
                    let size = m.size
                    #expect(size <= outstanding, "hub sent \(size) bytes with \(outstanding) credit")
                    #expect(outstandingBatches >= 1)
                    outstanding -= size
                    outstandingBatches -= 1
                    #expect(c.changes.fromSeq == (received.last ?? 0))
                    received.append(c.changes.toSeq)
                    applied.append((c.changes.toSeq, size))
                default: break
                }
            }
            if next.isEmpty {
                // The node applies one batch and returns its credit, sometimes more.
                guard !applied.isEmpty else { break }
                let (seq, size) = applied.removeFirst()
                let extra = Int.random(in: 0...1, using: &rng) == 1 ? 5_000 : 0
                outstanding += size + extra
                outstandingBatches += 1
                granted += size + extra
                grantedBatches += 1
                next = s.received(try wire(credit(bytes: UInt64(size + extra), batches: 1, applied: seq)), now: clock.now, directory: directory)
                #expect(next.contains(.markAcknowledged(node: nodeA, upTo: seq)))
            }
            pending = next
        }
        #expect(received.last == 300)
        #expect(s.credit.bytes == outstanding)
    }

    @Test("when up to date the hub says so once, then streams new changes as the log advances")
    func liveStream() throws {
        var s = try welcomed()
        var a = s.received(try wire(pull(cursor: 5, bytes: 1 << 22, batches: 4)), now: clock.now, directory: directory)
        #expect(a.contains(.markAcknowledged(node: nodeA, upTo: 5)))
        #expect(a.extraction?.after == 5)
        a = s.changesExtracted(ChangeBatch(schemaVersion: 7, origin: hubR, fromSeq: 5, toSeq: 5, records: [], isLast: true), now: clock.now)
        guard case .changes(let c)? = a.sent.first?.kind else { Issue.record("no CHANGES"); return }
        #expect(c.changes.isLast && c.changes.records.isEmpty)
        #expect(a.extraction == nil)
        a = s.logAdvanced(now: clock.now)
        #expect(a.extraction?.after == 5)
        a = s.changesExtracted(ChangeBatch(schemaVersion: 7, origin: hubR, fromSeq: 5, toSeq: 5, records: [], isLast: true), now: clock.now)
        #expect(a.sent.isEmpty)  // told already
        a = s.logAdvanced(now: clock.now)
        a = s.changesExtracted(ChangeBatch(schemaVersion: 7, origin: hubR, fromSeq: 5, toSeq: 6, records: [sampleRecord()], isLast: true), now: clock.now)
        #expect(a.sent.count == 1)
    }

    @Test("a batch too big for the node's window is asked again with fewer records; credit left over is waited for")
    func splitAndHold() throws {
        var s = try welcomed()
        let big = (0..<4).map { i in
            var r = sampleRecord(id: "B-\(i)")
            r.slots[0].values[0] = .text(String(repeating: "y", count: 3000))
            return r
        }
        _ = s.received(try wire(pull(bytes: 9000, batches: 4)), now: clock.now, directory: directory)
        var a = s.changesExtracted(ChangeBatch(schemaVersion: 7, origin: hubR, fromSeq: 0, toSeq: 4, records: big, isLast: true), now: clock.now)
        #expect(a.sent.isEmpty)
        #expect(a.extraction?.maxCount == 2)
        a = s.changesExtracted(ChangeBatch(schemaVersion: 7, origin: hubR, fromSeq: 0, toSeq: 2, records: Array(big[0..<2]), isLast: false), now: clock.now)
        #expect(a.sent.count == 1)
        #expect(a.extraction != nil)
        a = s.changesExtracted(ChangeBatch(schemaVersion: 7, origin: hubR, fromSeq: 2, toSeq: 4, records: Array(big[2..<4]), isLast: true), now: clock.now)
        #expect(a.sent.isEmpty, "held: fits the window but not the credit left")
        let first = s.credit.bytes
        a = s.received(try wire(credit(bytes: UInt64(9000 - first), batches: 1, applied: 2)), now: clock.now, directory: directory)
        #expect(a.sent.count == 1)
    }

    @Test("PING gets PONG with the nonce and reports status")
    func ping() throws {
        var s = try welcomed()
        var p = Gatehouse_Sync_V1_Ping()
        p.nonce = 9
        p.status = NodeStatusReport(pendingCount: 12, oldestPendingUnixMillis: 1000, lastErrorCode: 503, lastError: "hub down").proto
        let a = s.received(try wire(SyncMessage(.ping(p))), now: clock.now, directory: directory)
        guard case .pong(let pong)? = a.sent.first?.kind else { Issue.record("no PONG"); return }
        #expect(pong.nonce == 9)
        #expect(a.contains(.statusReported(node: nodeA, NodeStatusReport(pendingCount: 12, oldestPendingUnixMillis: 1000, lastErrorCode: 503, lastError: "hub down"))))
    }

    @Test("a silent node's session expires; what it sends afterwards without HELLO gets 409")
    func expiry() throws {
        var clock = self.clock
        var s = try welcomed()
        clock.advance(.seconds(14))
        #expect(s.tick(now: clock.now).isEmpty)
        _ = s.received(try wire(SyncMessage(.ping(.init()))), now: clock.now, directory: directory)
        clock.advance(.seconds(14.9))
        #expect(s.tick(now: clock.now).isEmpty)
        clock.advance(.milliseconds(100))
        let a = s.tick(now: clock.now)
        #expect(a.contains { if case .close(let r?) = $0 { r.code == .unavailable } else { false } })
        #expect(s.tick(now: clock.now).isEmpty)
        #expect(s.received(try wire(SyncMessage(.ping(.init()))), now: clock.now, directory: directory).errorCode == 409)
        _ = s.received(try wire(hello()), now: clock.now, directory: directory)
        #expect(s.state == .ready)
    }

    @Test("framing errors are answered with their code and end the session; shutdown says 503 with a retry hint")
    func invalidAndShutdown() throws {
        var s = try welcomed()
        #expect(s.receivedInvalid(.tooLarge("5 MiB"), now: clock.now).errorCode == 413)
        #expect(s.state == .awaitingHello)
        s = try welcomed()
        let a = s.shutdown(now: clock.now)
        guard case .error(let e)? = a.sent.first?.kind else { Issue.record("no ERROR"); return }
        #expect(e.code == 503)
        #expect(e.retryAfterMs == 5000)
    }

    @Test("BYE ends the session quietly")
    func bye() throws {
        var s = try welcomed()
        #expect(s.received(try wire(.bye("stopping")), now: clock.now, directory: directory) == [.close(reason: nil)])
        #expect(s.state == .awaitingHello)
    }

    @Test("integers from the wire never trap: positions past 2^63-1 are 400, huge credit is clamped")
    func wireIntegers() throws {
        // PULL cursor 2^63 (it once trapped converting to SQLite's Int64 and stopped every center).
        var s = try welcomed()
        var a = s.received(try wire(pull(cursor: 1 << 63, bytes: 1 << 20, batches: 1)), now: clock.now, directory: directory)
        #expect(a.errorCode == 400)
        #expect(!a.contains { if case .markAcknowledged = $0 { true } else { false } })
        #expect(s.state == .awaitingHello)
        s = try welcomed()
        a = s.received(try wire(pull(cursor: .max, bytes: .max, batches: .max)), now: clock.now, directory: directory)
        #expect(a.errorCode == 400)
        // The largest position is fine.
        s = try welcomed()
        a = s.received(try wire(pull(cursor: UInt64(Int64.max), bytes: 1 << 20, batches: 1)), now: clock.now, directory: directory)
        #expect(a.errorCode == nil)
        #expect(a.contains(.markAcknowledged(node: nodeA, upTo: UInt64(Int64.max))))
        // CREDIT of 2^64-1 bytes (it once overflowed adding to the outstanding credit): clamped.
        s = try welcomed()
        _ = s.received(try wire(pull(bytes: 1 << 20, batches: 1)), now: clock.now, directory: directory)
        a = s.received(try wire(credit(bytes: .max, batches: .max, applied: 0)), now: clock.now, directory: directory)
        #expect(a.errorCode == nil)
        #expect(s.credit.bytes == SyncLimits.default.maxCreditBytes)
        #expect(s.credit.batches == SyncLimits.default.maxCreditBatches)
        a = s.received(try wire(credit(bytes: .max, batches: .max, applied: .max)), now: clock.now, directory: directory)
        #expect(a.errorCode == 400)
        // HELLO's positions, a change set's positions and counters.
        s = session()
        var h = hello()
        if case .hello(var m) = h.kind { m.pullCursor = .max; h = SyncMessage(.hello(m)) }
        #expect(s.received(try wire(h), now: clock.now, directory: directory).errorCode == 400)
        s = try welcomed()
        #expect(s.received(try wire(pushMessage(from: 0, to: 1 << 63)), now: clock.now, directory: directory).errorCode == 400)
        s = try welcomed()
        var forged = sampleRecord()
        forged.vector.raise(nodeA, to: 1 << 63)
        a = s.received(try wire(pushMessage(from: 0, to: 1, records: [forged])), now: clock.now, directory: directory)
        #expect(a.applies.first?.records.isEmpty == true, "a record with a counter past 2^63-1 must be rejected, not applied")
    }

    @Test("a push dated too far ahead is refused whole with 425, which only an operator cures")
    func clockAhead() throws {
        var s = try welcomed()
        _ = s.received(try wire(pushMessage(from: 0, to: 1)), now: clock.now, directory: directory)
        let e = ReplicationError.clockAhead(peer: "c001-node", aheadMillis: 3 * 86_400_000, boundMillis: 300_000)
        let a = s.pushFailed(e, toSeq: 1, now: clock.now)
        #expect(a.errorCode == 425)
        guard case .error(let m)? = a.sent.first?.kind else { Issue.record("no ERROR"); return }
        #expect(m.reason.contains("3 d") && m.reason.contains("clock"))
        #expect(SyncErrorCode.clockAhead.needsOperator)
    }

    @Test("421: a demonstration node at a real hub, and a real node at a demonstration hub")
    func demo() throws {
        var s = session()
        var h = hello()
        if case .hello(var m) = h.kind { m.demo = true; h = SyncMessage(.hello(m)) }
        let a = s.received(try wire(h), now: clock.now, directory: directory)
        #expect(a.errorCode == 421)
        #expect(a.contains { if case .close(let r?) = $0 { r.code == .demoMismatch && r.message.contains("--demo") } else { false } })
        #expect(s.state == .awaitingHello)
        var demoHub = HubSession<TestInstant>(key: keyA, configuration: HubConfiguration(hubID: hubR, epoch: 42, schemaVersion: 7, demo: true),
                                              now: clock.now)
        #expect(demoHub.received(try wire(hello()), now: clock.now, directory: directory).errorCode == 421)
        let ok = demoHub.received(try wire(h), now: clock.now, directory: directory)
        guard case .welcome(let w)? = ok.sent.first?.kind else { Issue.record("no WELCOME"); return }
        #expect(w.demo)
    }
}

