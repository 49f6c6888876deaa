import Foundation
import Replication
import SwiftProtobuf
import Testing
@testable import SyncProtocol

/// Random record states with every feature the wire form carries. They need not be
/// valid merges: the writer must reproduce SwiftProtobuf's bytes for any state.
struct RandomStates {
    var rng: SeededRNG
    init(seed: UInt64) { rng = SeededRNG(seed: seed) }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func text() -> String {
        let pool = ["", "a", "张三", "客户", "1栋2单元301", "😀", "note with spaces", String(repeating: "长", count: 70), "x"]
        return pool[int(0...(pool.count - 1))]
    }

    mutating func value() -> Value {
        switch int(0...6) {
        case 0: return .null
        case 1: return .integer([0, 1, -1, .min, .max, 127, 128, -64][int(0...7)])
        case 2: return .integer(Int64.random(in: .min ... .max, using: &rng))
        case 3: return .real([0, -0.0, 12.5, .infinity, -1e300][int(0...4)])
        case 4, 5: return .text(text())
        default: return .blob((0..<int(0...200)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    mutating func replica() -> ReplicaID { [nodeA, hubR, rid("c002-n"), rid("a")][int(0...3)] }

    mutating func dot() -> Dot { Dot(replica: replica(), counter: [1, 2, 127, 128, 1 << 40][int(0...4)]) }

    mutating func clock() -> Clock {
        Clock(dot: dot(), hlc: HLCTimestamp(rawValue: [0, 1, UInt64.random(in: 0 ... .max, using: &rng)][int(0...2)]),
              author: chance(0.3) ? "" : text())
    }

    mutating func values() -> [Value] { (0..<int(0...3)).map { _ in value() } }

    mutating func slot() -> SlotState {
        var s = SlotState(values: values(), clock: chance(0.8) ? clock() : nil)
        if chance(0.2) {
            s.elements = (0..<int(0...3)).map { _ in SetElement(value: value(), dots: (0..<int(0...2)).map { _ in dot() }) }
        } else if chance(0.2) {
            s.siblings = (0..<int(1...2)).map { _ in Sibling(values: values(), clock: clock()) }
        }
        return s
    }

    mutating func record() -> RecordState {
        let vector = VersionVector((0..<int(0...3)).map { _ in (replica(), UInt64(int(1...1000))) })
        let history = (0..<(chance(0.2) ? int(1...2) : 0)).map { _ in
            ConflictEntry(field: text(), policy: ["lww", "review", ""][int(0...2)], needsReview: chance(0.5),
                          winner: clock(), winnerValues: values(), loser: clock(), loserValues: values(),
                          resolution: chance(0.8) ? clock() : nil)
        }
        return RecordState(table: chance(0.05) ? "" : "customer", id: chance(0.05) ? "" : "cu-\(int(0...99_999))",
                           vector: vector, slots: (0..<int(0...16)).map { _ in slot() },
                           deletion: chance(0.1) ? clock() : nil, history: history)
    }

    mutating func batch() -> ChangeBatch {
        ChangeBatch(schemaVersion: [0, 2, 300][int(0...2)], origin: replica(), fromSeq: UInt64(int(0...5)),
                    toSeq: UInt64(int(0...100_000)), records: (0..<int(0...12)).map { _ in record() }, isLast: chance(0.5))
    }
}

@Suite("Change-set writer")
struct ChangeSetWriterTests {
    /// What SwiftProtobuf writes for the same batch, through the generated messages.
    func generic(_ b: ChangeBatch, push: Bool) throws -> [UInt8] {
        let cs = Gatehouse_Sync_V1_ChangeSet(b)
        let m = push ? SyncMessage(.push(.with { $0.changes = cs })) : SyncMessage(.changes(.with { $0.changes = cs }))
        return try m.serializedBytes()
    }

    @Test("PUSH and CHANGES bodies are byte for byte SwiftProtobuf's, over 1,000 random batches")
    func matchesSwiftProtobuf() throws {
        let seed: UInt64 = 0x5EED_0001
        var g = RandomStates(seed: seed)
        for i in 0..<1000 {
            let b = g.batch()
            let push = i % 2 == 0
            let fast = push ? OutgoingMessage.push(b) : OutgoingMessage.changes(b)
            #expect(fast.body == (try generic(b, push: push)), "seed \(seed), batch \(i)")
            #expect(fast.commandName == (push ? "PUSH" : "CHANGES"))
        }
    }

    @Test("lengths widen past one byte at every level (long texts, many records)")
    func longLengths() throws {
        var g = RandomStates(seed: 7)
        var records = (0..<300).map { _ in g.record() }
        records[0].slots = [SlotState(values: [.text(String(repeating: "客", count: 50_000))], clock: g.clock())]
        let b = ChangeBatch(schemaVersion: 2, origin: nodeA, fromSeq: 0, toSeq: 300, records: records, isLast: true)
        let fast = OutgoingMessage.push(b)
        #expect(fast.body == (try generic(b, push: true)))
        #expect(fast.size > 150_000)
        // …and it reads back to the same batch.
        guard case .push(let p)? = fast.message.kind else { Issue.record("not a PUSH"); return }
        #expect(p.changes == Gatehouse_Sync_V1_ChangeSet(b))
    }
}
