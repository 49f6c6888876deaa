import Foundation
import Replication
import Testing
@testable import SyncProtocol

@Suite("Framing")
struct FramingTests {
    @Test("a message survives encode and decode, with the signature frame first")
    func roundTrip() throws {
        let m = pushMessage(from: 0, to: 5, records: [sampleRecord(), sampleRecord(id: "T-2", deleted: true)])
        let frames = try SyncFraming.encode(m)
        #expect(frames.count == 2)
        #expect(frames[0] == Array("GHSP".utf8) + [1])
        let r = try SyncFraming.decode(frames)
        #expect(r.bodySize == frames[1].count)
        // A PUSH comes back read by the fast reader: the change set's head in the
        // message, its records already validated beside it.
        guard case .push(let sent) = m.kind, case .push(let got)? = r.message.kind else { Issue.record("not a PUSH"); return }
        var head = sent.changes
        head.records = []
        #expect(got.changes == head)
        #expect(r.changeSet != nil)
        #expect(try r.decodedChangeSet(got.changes, limits: .default) == (try sent.changes.decoded()))
        // Any other message comes back as it was sent.
        let ping = SyncMessage(.ping(.with { $0.nonce = 42 }))
        #expect(try SyncFraming.decode(SyncFraming.encode(ping)).message == ping)
    }

    @Test("a change set's body is byte for byte what SwiftProtobuf writes")
    func changeSetBodyIsCanonical() throws {
        var records: [RecordState] = []
        for i in 0..<40 { records.append(sampleRecord(id: "T-\(i)", deleted: i % 7 == 0)) }
        let b = ChangeBatch(schemaVersion: 3, origin: nodeA, fromSeq: 10, toSeq: 90, records: records, isLast: true)
        let one = ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 5, records: [sampleRecord()], isLast: true)
        for (batch, push) in [(one, true), (b, true), (b, false)] {
            let cs = Gatehouse_Sync_V1_ChangeSet(batch)
            let m = push ? SyncMessage(.push(.with { $0.changes = cs })) : SyncMessage(.changes(.with { $0.changes = cs }))
            let expected: [UInt8] = try m.serializedBytes()
            #expect((push ? OutgoingMessage.push(batch) : OutgoingMessage.changes(batch)).body == expected)
        }
        // A message built with SwiftProtobuf goes out as it writes it, unknown fields kept.
        var u = pushMessage(from: 0, to: 5, records: [sampleRecord()])
        try u.merge(serializedBytes: [0xF8, 0x06, 0x01] as [UInt8])  // field 111, varint 1
        #expect(OutgoingMessage(u).body == (try u.serializedBytes() as [UInt8]))
    }

    @Test("a ROUTER's routing-id frame is dropped before decoding")
    func routerFrames() throws {
        let frames = [[0, 1, 2, 3, 4]] + (try SyncFraming.encode(hello()))
        #expect(try SyncFraming.decode(frames.dropFirst()).message == hello())
    }

    func code(_ frames: [[UInt8]], max: Int = SyncLimits.default.maxMessageBytes) -> SyncErrorCode? {
        do {
            _ = try SyncFraming.decode(frames, maxMessageBytes: max)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("framing errors map to the spec's codes")
    func errors() throws {
        let body = try SyncFraming.body(hello())
        #expect(code([Array("GHSX".utf8) + [1], body]) == .malformed)
        #expect(code([Array("GHSP".utf8), body]) == .malformed)
        #expect(code([Array("GHSP".utf8) + [2], body]) == .unsupportedProtocol)
        #expect(code([GHSP.signatureFrame]) == .malformed)
        #expect(code([GHSP.signatureFrame, body, body]) == .malformed)
        #expect(code([GHSP.signatureFrame, [0xFF, 0xFF, 0xFF]]) == .malformed)
        #expect(code([GHSP.signatureFrame, []]) == .malformed)  // no command
        #expect(code([GHSP.signatureFrame, body], max: body.count - 1) == .tooLarge)
        #expect(code([GHSP.signatureFrame, body], max: body.count) == nil)
    }

    @Test("ERROR carries code, reason and retry hint; unknown codes stay readable")
    func errorMessage() throws {
        let e = SyncError(.unavailable, "shutting down", retryAfterMilliseconds: 5000)
        let r = try wire(.error(e))
        guard case .error(let p) = r.message.kind else { Issue.record("not an ERROR"); return }
        #expect(SyncError(p) == e)
        var odd = Gatehouse_Sync_V1_Error()
        odd.code = 499
        odd.reason = "new"
        #expect(SyncError(odd).code == .internalError)
        #expect(SyncError(odd).message.contains("499"))
    }
}
