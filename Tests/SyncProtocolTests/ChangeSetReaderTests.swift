import Foundation
import Replication
import SwiftProtobuf
import Testing
@testable import SyncProtocol

// ChangeSetReader (Sources/SyncProtocol/Wire) must give exactly what SwiftProtobuf plus
// `decoded(limits:)` gives whenever it answers at all: randomized valid states, field
// orders SwiftProtobuf never writes, hand-made invalid records, and corrupted bytes.
// Every randomized test prints its seed when it fails: pin it in `seed` to replay.

/// What the generic path makes of a body: the Message's kind field, the change set without
/// its records, and `decoded(limits:)`'s answer; nil when the body does not parse or is not
/// a PUSH or CHANGES.
private func generic(_ body: [UInt8], limits: SyncLimits) -> FastChangeSet? {
    guard let m = try? SyncMessage(serializedBytes: body) else { return nil }
    let cs: Gatehouse_Sync_V1_ChangeSet
    let field: Int
    switch m.kind {
    case .push(let p): cs = p.changes; field = 4
    case .changes(let c): cs = c.changes; field = 7
    default: return nil
    }
    var head = cs
    head.records = []
    let decoded = Result { () throws(SyncError) -> DecodedChangeSet in try cs.decoded(limits: limits) }
    return FastChangeSet(messageField: field, head: head, decoded: decoded)
}

/// Equal, or describing the same (a NaN a bit flip made is not equal to itself).
private func same(_ a: FastChangeSet, _ b: FastChangeSet) -> Bool {
    guard a.messageField == b.messageField, a.head == b.head else { return false }
    return a.decoded == b.decoded || String(reflecting: a.decoded) == String(reflecting: b.decoded)
}

/// Checks `read` against the generic path; `mustRead`: the fast path may not give up.
@discardableResult
private func check(_ body: [UInt8], limits: SyncLimits = .default, mustRead: Bool, _ context: @autoclosure () -> String,
                   sourceLocation: SourceLocation = #_sourceLocation) -> FastChangeSet? {
    let fast = ChangeSetReader.read(body, limits: limits)
    if mustRead && fast == nil {
        Issue.record("the fast path gave up: \(context())", sourceLocation: sourceLocation)
        return nil
    }
    guard let fast else { return nil }
    guard let slow = generic(body, limits: limits) else {
        Issue.record("the fast path read a body SwiftProtobuf refuses: \(context())", sourceLocation: sourceLocation)
        return fast
    }
    if !same(fast, slow) {
        Issue.record("""
            fast and generic differ: \(context())
            fast:    \(fast.decoded)
            generic: \(slow.decoded)
            """, sourceLocation: sourceLocation)
    }
    return fast
}

// MARK: - Random states

private struct StateGenerator {
    var rng: SeededRNG
    let replicas = ["c001-node", "hub-main", "c002-x", "a", "Z.9_-", "c001-7k2m9q4x8p3r"].sorted()
    let authors = ["", "anna", "boris", "李娜", "staff-0042"]

    init(seed: UInt64) { rng = SeededRNG(seed: seed) }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func text() -> String {
        switch int(0...6) {
        case 0: return ""
        case 1: return "中文客户名称"
        case 2: return "Zoë Ångström"
        case 3: return String(repeating: "long text ", count: int(1...30))
        case 4: return "emoji 🧾 ok"
        default: return String((0..<int(1...12)).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789 -".randomElement(using: &rng)! })
        }
    }

    mutating func value() -> Value {
        switch int(0...9) {
        case 0: return .null
        case 1: return .integer([0, -1, 1, .min, .max, 42].randomElement(using: &rng)!)
        case 2: return .integer(Int64.random(in: .min ... .max, using: &rng))
        case 3: return .real([0.0, -0.5, 1e300, -2.25, .infinity, -.infinity, 1.0].randomElement(using: &rng)!)
        case 4: return .real(Double.random(in: -1e9...1e9, using: &rng))
        case 5: return .blob([])
        case 6: return .blob((0..<int(1...40)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        default: return .text(text())
        }
    }

    mutating func vector() -> VersionVector {
        var pairs: [(ReplicaID, UInt64)] = []
        for r in replicas where chance(0.5) || pairs.isEmpty && r == replicas.last {
            let big = chance(0.1)
            pairs.append((ReplicaID(rawValue: r)!, big ? UInt64.random(in: 1 << 33 ... SyncLimits.maxCounter, using: &rng) : UInt64(int(1...40))))
        }
        return VersionVector(pairs)
    }

    mutating func dot(in vv: VersionVector) -> Dot {
        let e = vv.entries.randomElement(using: &rng)!
        return Dot(replica: e.replica, counter: e.counter <= 40 ? UInt64(int(1...Int(e.counter))) : UInt64.random(in: 1...e.counter, using: &rng))
    }

    mutating func clock(in vv: VersionVector) -> Clock {
        let hlc: UInt64 = chance(0.1) ? 0 : (chance(0.1) ? .max : UInt64.random(in: 0...(1 << 60), using: &rng))
        return Clock(dot: dot(in: vv), hlc: HLCTimestamp(rawValue: hlc), author: authors.randomElement(using: &rng)!)
    }

    mutating func slot(in vv: VersionVector) -> SlotState {
        let width = int(1...3)
        var values = (0..<width).map { _ in value() }
        let clock = chance(0.8) ? clock(in: vv) : nil
        if chance(0.15) {  // an add-wins set
            values = [.text(text())]
            var vals = (0..<int(0...5)).map { _ in value() }.sorted(by: Value.canonicalLess)
            vals = vals.enumerated().filter { $0.offset == 0 || Value.canonicalLess(vals[$0.offset - 1], $0.element) }.map(\.element)
            let elements = vals.map { v in
                SetElement(value: v, dots: Array(Set((0..<int(1...3)).map { _ in dot(in: vv) })).sorted())
            }
            return SlotState(values: values, clock: clock, elements: elements)
        }
        var siblings: [Sibling] = []
        if let clock, chance(0.2) {
            let dots = Set((0..<int(1...3)).map { _ in dot(in: vv) }).subtracting([clock.dot]).sorted()
            siblings = dots.map { d in
                var c = self.clock(in: vv)
                c.dot = d
                return Sibling(values: (0..<width).map { _ in value() }, clock: c)
            }
        }
        return SlotState(values: values, clock: clock, siblings: siblings)
    }

    mutating func record(id: Int) -> RecordState {
        let vv = vector()
        let slots = (0..<int(1...15)).map { _ in slot(in: vv) }
        var history: [ConflictEntry] = []
        if chance(0.3) {
            var keys: [(String, Dot)] = (0..<int(1...3)).map { _ in (["fee", "phone", "状态", "a"].randomElement(using: &rng)!, dot(in: vv)) }
            keys.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            keys = keys.enumerated().filter { $0.offset == 0 || keys[$0.offset - 1] != $0.element }.map(\.element)
            history = keys.map { k in
                var loser = clock(in: vv)
                loser.dot = k.1
                return ConflictEntry(field: k.0, policy: ["lww", "review", ""].randomElement(using: &rng)!, needsReview: chance(0.5),
                                     winner: clock(in: vv), winnerValues: [value()], loser: loser,
                                     loserValues: (0..<int(0...2)).map { _ in value() }, resolution: clock(in: vv))
            }
        }
        return RecordState(table: ["ticket", "customer", "客户"].randomElement(using: &rng)!, id: "R-\(id)", vector: vv,
                           slots: slots, deletion: chance(0.15) ? clock(in: vv) : nil, history: history)
    }

    mutating func batch(records n: Int) -> ChangeBatch {
        let from = UInt64(int(0...1000))
        return ChangeBatch(schemaVersion: int(0...9), origin: ReplicaID(rawValue: replicas.randomElement(using: &rng)!)!,
                           fromSeq: from, toSeq: from + UInt64(int(0...50)), records: (0..<n).map { record(id: $0) },
                           isLast: chance(0.5))
    }
}

private func message(_ cs: Gatehouse_Sync_V1_ChangeSet, changes: Bool) -> SyncMessage {
    if changes {
        var c = Gatehouse_Sync_V1_Changes()
        c.changes = cs
        return SyncMessage(.changes(c))
    }
    var p = Gatehouse_Sync_V1_Push()
    p.changes = cs
    return SyncMessage(.push(p))
}

// MARK: - Hand-made wire bytes

private func varint(_ v: UInt64) -> [UInt8] {
    var v = v, out: [UInt8] = []
    while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
    out.append(UInt8(v))
    return out
}

private func field(_ n: Int, _ body: [UInt8]) -> [UInt8] { varint(UInt64(n << 3 | 2)) + varint(UInt64(body.count)) + body }

/// A PUSH (field 4) or CHANGES (7) body around change-set bytes.
private func envelope(_ changeSet: [UInt8], messageField: Int = 4) -> [UInt8] { field(messageField, field(1, changeSet)) }

/// The top-level fields of a message, each with its tag.
private func fields(_ bytes: [UInt8]) -> [[UInt8]] {
    bytes.withUnsafeBytes { buf in
        var r = WireReader(buf)
        var out: [[UInt8]] = []
        while !r.isAtEnd {
            let start = r.index
            guard let t = try? r.readTag(), (try? r.skip(t.wireType)) != nil else { return [Array(bytes[start...])] }
            out.append(Array(bytes[start..<r.index]))
        }
        return out
    }
}

/// The body of one length-delimited field (tag included in `f`).
private func bodyOf(_ f: [UInt8]) -> [UInt8] {
    f.withUnsafeBytes { buf in
        var r = WireReader(buf)
        guard (try? r.readTag()) != nil, let body = try? r.readLengthDelimited() else { return [] }
        return Array(f[body])
    }
}

private func serialized<M: SwiftProtobuf.Message>(_ m: M) -> [UInt8] { (try? m.serializedBytes()) ?? [] }

// MARK: - Tests

@Suite("ChangeSetReader")
struct ChangeSetReaderTests {
    let seed: UInt64 = 0x6A7E_4005_2026_0001

    @Test("random valid change sets read exactly as SwiftProtobuf + decoded(limits:), PUSH and CHANGES")
    func randomValid() throws {
        var g = StateGenerator(seed: seed)
        var total = 0
        for round in 0..<150 {
            let batch = g.batch(records: g.int(0...12))
            total += batch.records.count
            let cs = Gatehouse_Sync_V1_ChangeSet(batch)
            for changes in [false, true] {
                let m = message(cs, changes: changes)
                let framed = try SyncFraming.body(m)
                // SyncFraming.body writes the records apart; SwiftProtobuf's own bytes once too.
                let plain: [UInt8] = changes ? [] : try m.serializedBytes()
                for body in changes ? [framed] : [framed, plain] {
                    let fast = check(body, mustRead: true, "seed \(seed) round \(round) changes \(changes)")
                    #expect(try fast?.decoded.get().batch == batch, "seed \(seed) round \(round)")
                    #expect(try fast?.decoded.get().rejected == [], "seed \(seed) round \(round)")
                }
            }
        }
        #expect(total > 700)
    }

    @Test("fields in any order, repeated scalars (last wins), empty messages")
    func fieldOrder() throws {
        var g = StateGenerator(seed: seed &+ 1)
        for round in 0..<150 {
            let cs = Gatehouse_Sync_V1_ChangeSet(g.batch(records: g.int(1...5)))
            // Shuffle the fields of each record and of each of its slots, and the change set's.
            var csFields: [[UInt8]] = []
            for f in fields(serialized(cs)) {
                guard f.first == 6 << 3 | 2 else { csFields.append(f); continue }
                let rf = fields(bodyOf(f)).map { sub in
                    sub.first == 4 << 3 | 2 && g.chance(0.5) ? field(4, fields(bodyOf(sub)).shuffled(using: &g.rng).flatMap { $0 }) : sub
                }
                csFields.append(field(6, rf.shuffled(using: &g.rng).flatMap { $0 }))
            }
            csFields.shuffle(using: &g.rng)
            // A repeated scalar: an earlier origin and schema version the later ones override.
            csFields.insert(field(2, Array("bogus id!".utf8)), at: 0)
            csFields.insert([1 << 3, 0x7F], at: 0)
            let body = envelope(csFields.flatMap { $0 }, messageField: g.chance(0.5) ? 4 : 7)
            check(body, mustRead: true, "seed \(seed &+ 1) round \(round)")
        }
        // An empty change set (origin "" is refused as a batch), a present but empty clock and deletion.
        check(envelope([]), mustRead: true, "empty change set")
        var cs = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 1,
                                                          records: [sampleRecord()], isLast: true))
        cs.records[0].slots[0].clock = Gatehouse_Sync_V1_Clock()
        cs.records.append(cs.records[0])
        cs.records[1].slots[0].clock = cs.records[1].slots[1].clock
        cs.records[1].deletion = Gatehouse_Sync_V1_Clock()
        let d = check(try SyncFraming.body(message(cs, changes: false)), mustRead: true, "empty clocks")
        #expect(try d?.decoded.get().rejected.count == 2)
    }

    /// The hand-made invalid records of ConversionTests and more, each alone and among good ones.
    @Test("invalid records are rejected with the same reasons, batch errors thrown the same")
    func invalidRecords() throws {
        typealias M = (inout Gatehouse_Sync_V1_RecordState) -> Void
        let mutations: [M] = [
            { $0.table = "" }, { $0.id = "" }, { $0.table = ""; $0.id = "" },
            { $0.vector[0].replica = "bad id!" }, { $0.vector[0].replica = "" }, { $0.vector[0].counter = 0 },
            { $0.vector[0].counter = 1 << 63 }, { $0.vector[0].counter = .max },
            { $0.vector[0].counter = .max; $0.slots[0].clock.counter = .max },
            { $0.vector[0].counter = SyncLimits.maxCounter; $0.deletion = Gatehouse_Sync_V1_Clock(Clock(dot: Dot(replica: nodeA, counter: 1), hlc: .zero)); $0.deletion.counter = 1 << 63 },
            { $0.vector.reverse() }, { $0.vector.append($0.vector[1]) }, { $0.vector[1].replica = String(repeating: "x", count: 65) },
            { $0.slots[0].clock.counter = 99 }, { $0.slots[0].clock.counter = 0 }, { $0.slots[1].clock.replica = "stranger" },
            { $0.slots[1].clock.replica = "中文" },
            { $0.deletion = Gatehouse_Sync_V1_Clock(Clock(dot: Dot(replica: nodeA, counter: 50), hlc: .zero)) },
            { $0.deletion = Gatehouse_Sync_V1_Clock() },
            { $0.slots[4].elements.reverse() }, { $0.slots[4].elements[0].dots = [] }, { $0.slots[4].elements[0].dots.reverse() },
            { $0.slots[4].elements[1].dots[0].counter = 7 }, { $0.slots[4].elements[1].dots[0].counter = 0 },
            { $0.slots[4].elements[1].dots[0].replica = "no way" }, { $0.slots[4].elements[0].clearValue() },
            { $0.slots[4].elements.append($0.slots[4].elements[1]) },
            { $0.slots[0].elements = $0.slots[4].elements }, { $0.slots[5].isSet = false; $0.slots[5].elements = $0.slots[4].elements },
            { $0.slots[0].values.append(Gatehouse_Sync_V1_Value()) }, { $0.slots[3].values.insert(Gatehouse_Sync_V1_Value(), at: 0) },
            { $0.conflicts.reverse() }, { $0.conflicts[0].clearLoser() }, { $0.conflicts[0].clearWinner() },
            { $0.conflicts[0].resolution.counter = 40 }, { $0.conflicts[1].clearResolution() }, { $0.conflicts[1].field = "" },
            { $0.conflicts[0].winnerValues.append(Gatehouse_Sync_V1_Value()) }, { $0.conflicts[0].loser.replica = "?" },
            { $0.conflicts.append($0.conflicts[1]) },
            { $0.slots[1].siblings[0].clock.counter = 9 }, { $0.slots[3].siblings.reverse() },
            { $0.slots[3].siblings.append($0.slots[3].siblings[1]) }, { $0.slots[1].siblings[0].clock = $0.slots[1].clock },
            { $0.slots[1].siblings[0].clearClock() }, { $0.slots[1].siblings[0].values.append($0.slots[1].siblings[0].values[0]) },
            { $0.slots[1].siblings[0].values = [] }, { $0.slots[1].siblings[0].values = [Gatehouse_Sync_V1_Value()] },
            { $0.slots[1].clearClock() }, { $0.slots[4].siblings = $0.slots[1].siblings },
            { $0.slots[4].siblings = $0.slots[1].siblings; $0.slots[4].clearClock() },
            // Several problems at once: the first in validation order wins.
            { $0.slots[3].clock.counter = 0; $0.slots[1].values.append(Gatehouse_Sync_V1_Value()); $0.conflicts = [] },
            { $0.slots[0].values.append(Gatehouse_Sync_V1_Value()); $0.slots[0].clock.counter = 99 },
            { $0.vector[0].counter = 0; $0.id = "" },
            { $0.deletion = Gatehouse_Sync_V1_Clock(); $0.conflicts[0].field = "" },
            { _ in },
        ]
        var rng = SeededRNG(seed: seed &+ 2)
        for (k, mutate) in mutations.enumerated() {
            for deleted in [false, true] {
                var bad = Gatehouse_Sync_V1_RecordState(sampleRecord(id: "bad", deleted: deleted))
                mutate(&bad)
                var cs = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 3,
                    records: [sampleRecord(id: "a"), sampleRecord(id: "c", deleted: true)], isLast: true))
                cs.records.insert(bad, at: Int.random(in: 0...2, using: &rng))
                for changes in [false, true] {
                    let body = try SyncFraming.body(message(cs, changes: changes))
                    let fast = check(body, mustRead: true, "mutation \(k) deleted \(deleted)")
                    #expect(try fast?.decoded.get().rejected.count == (k == mutations.count - 1 ? 0 : 1), "mutation \(k)")
                }
            }
        }
        // Batch-level errors, with good and bad records behind them.
        let good = ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 4, toSeq: 9,
                               records: [sampleRecord(id: "a"), sampleRecord(id: "b")], isLast: false)
        var cs = Gatehouse_Sync_V1_ChangeSet(good)
        for mutate: (inout Gatehouse_Sync_V1_ChangeSet) -> Void in [
            { $0.origin = "no good" }, { $0.origin = "" }, { $0.origin = "过" }, { $0.toSeq = 3 },
            { $0.toSeq = 1 << 63 }, { $0.fromSeq = .max; $0.toSeq = .max },
            { $0.records[1].table = "" }, { $0.records[0].slots[0].values = [Gatehouse_Sync_V1_Value()] },
        ] {
            var bad = cs
            mutate(&bad)
            let body = try SyncFraming.body(message(bad, changes: false))
            check(body, mustRead: true, "batch \(bad.origin) \(bad.toSeq)")
            check(body, limits: SyncLimits(maxBatchRecords: 1), mustRead: true, "batch limits")
        }
        cs.records = []
        check(try SyncFraming.body(message(cs, changes: true)), mustRead: true, "no records")
        #expect(try ChangeSetReader.read(try SyncFraming.body(message(cs, changes: true)), limits: .default)?.decoded.get().batch
                    == ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 4, toSeq: 9, records: [], isLast: false))
    }

    @Test("what the fast path leaves to SwiftProtobuf: other messages, unknown fields, merges, two kinds, bad UTF-8")
    func unsupported() throws {
        let cs = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 1,
                                                          records: [sampleRecord()], isLast: true))
        let csBytes = serialized(cs)
        let record = serialized(cs.records[0])
        let head = fields(csBytes).filter { $0.first != 6 << 3 | 2 }.flatMap { $0 }
        func withRecord(_ r: [UInt8]) -> [UInt8] { envelope(head + field(6, r)) }
        // Sanity: the hand-built envelope reads.
        check(withRecord(record), mustRead: true, "hand-built")
        #expect(ChangeSetReader.read(try SyncFraming.body(hello()), limits: .default) == nil)
        #expect(ChangeSetReader.read(try SyncFraming.body(SyncMessage(.push(Gatehouse_Sync_V1_Push()))), limits: .default) == nil)
        #expect(ChangeSetReader.read([], limits: .default) == nil)
        let leftToGeneric: [(String, [UInt8])] = [
            ("unknown record field", withRecord(record + [15 << 3, 1])),
            ("unknown change-set field", envelope(csBytes + [9 << 3, 1])),
            ("unknown Push field", field(4, field(1, csBytes) + [2 << 3, 0])),
            ("unknown Message field", field(4, field(1, csBytes)) + field(12, [])),
            ("two kinds", field(4, field(1, csBytes)) + field(9, [])),
            ("push twice", field(4, field(1, csBytes)) + field(4, field(1, csBytes))),
            ("changes twice", field(4, field(1, csBytes) + field(1, csBytes))),
            ("deletion twice", withRecord(record + field(5, serialized(cs.records[0].slots[0].clock)) + field(5, []))),
            ("wrong wire type", withRecord(record + [3 << 3 | 0, 1])),
            ("value with two kinds", withRecord(record + field(4, field(1, [1 << 3, 1, 2 << 3, 2])))),
            ("same kind twice", withRecord(record + field(4, field(1, [2 << 3, 1, 2 << 3, 2])))),
            ("clock twice", withRecord(record + field(4, field(2, field(1, Array("hub-main".utf8))) + field(2, [])))),
            ("group", withRecord(record + [7 << 3 | 3, 7 << 3 | 4])),
            ("invalid UTF-8 text", withRecord(record + field(4, field(1, field(4, [0xC3, 0x28]))))),
            ("surrogate in author", withRecord(record + field(4, field(2, field(4, [0xED, 0xA0, 0x80]))))),
            ("invalid UTF-8 table", withRecord(field(1, [0xFF]) + record)),
            ("overlong varint", withRecord(record + field(4, [3 << 3] + [UInt8](repeating: 0x80, count: 10) + [0]))),
        ]
        for (name, body) in leftToGeneric {
            #expect(ChangeSetReader.read(body, limits: .default) == nil, "\(name)")
            check(body, mustRead: false, name)
        }
        // A 10-byte varint with the 64th bit set, a non-minimal varint: valid, read.
        check(withRecord(record + field(4, field(1, [2 << 3] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))),
              mustRead: true, "10-byte varint")
        check(withRecord(record + field(4, field(1, [2 << 3, 0x81, 0x80, 0x00])) ), mustRead: true, "non-minimal varint")
    }

    @Test("corrupted bytes never crash and never disagree with SwiftProtobuf")
    func corrupted() throws {
        var g = StateGenerator(seed: seed &+ 3)
        var read = 0
        for round in 0..<400 {
            let cs = Gatehouse_Sync_V1_ChangeSet(g.batch(records: g.int(1...3)))
            let body = try SyncFraming.body(message(cs, changes: g.chance(0.5)))
            for k in 0..<6 {
                var b = body
                switch k {
                case 0, 1, 2:  // bit flips
                    for _ in 0...g.int(0...2) {
                        let i = g.int(0...(b.count - 1))
                        b[i] ^= UInt8(1) << UInt8(g.int(0...7))
                    }
                case 3:  // truncation
                    b = Array(b.prefix(g.int(0...(b.count - 1))))
                case 4:  // a random byte replaced
                    b[g.int(0...(b.count - 1))] = UInt8.random(in: 0...255, using: &g.rng)
                default:  // random bytes after a valid envelope start
                    b = Array(b.prefix(g.int(0...8))) + (0..<g.int(0...64)).map { _ in UInt8.random(in: 0...255, using: &g.rng) }
                }
                if check(b, mustRead: false, "seed \(seed &+ 3) round \(round) corruption \(k)") != nil { read += 1 }
            }
        }
        // Pure noise.
        for round in 0..<500 {
            let noise = (0..<g.int(0...40)).map { _ in UInt8.random(in: 0...255, using: &g.rng) }
            check(noise, mustRead: false, "seed \(seed &+ 3) noise \(round)")
        }
        // Many flips land in values, counters and hlcs and keep the body valid.
        #expect(read > 100)
    }
}
