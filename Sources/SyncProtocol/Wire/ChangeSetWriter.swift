import Replication

/// Writes PUSH and CHANGES bodies straight from a `ChangeBatch`: byte for byte what
/// SwiftProtobuf writes for `Message { push|changes { changes = ChangeSet(batch) } }`,
/// without building the generated messages. SwiftProtobuf sizes every nested message
/// again at each level above it, and the intermediate messages cost more than the bytes;
/// this writer makes one pass and patches each length in place.
///
/// Field order and default omission follow proto3 as SwiftProtobuf applies them: scalars
/// equal to their default are left out, a present singular message is written even when
/// empty, the set member of a oneof is always written. `ChangeSetWriterTests` holds it to
/// SwiftProtobuf's output over randomized states.
enum ChangeSetWriter {
    /// The body frame of a PUSH (`messageField` 4) or CHANGES (7) carrying `batch`.
    static func body(_ batch: ChangeBatch, messageField: Int) -> [UInt8] {
        // A guess, not `batchSize` again (it walks every value): the array grows if short.
        var w = WireWriter(capacity: 64 + batch.records.count * 512)
        w.message(messageField) { w in
            w.message(1) { w in
                w.uint(1, UInt64(UInt32(clamping: batch.schemaVersion)))
                w.string(2, batch.origin.rawValue)
                w.uint(3, batch.fromSeq)
                w.uint(4, batch.toSeq)
                w.bool(5, batch.isLast)
                for r in batch.records { w.message(6) { $0.record(r) } }
            }
        }
        return w.bytes
    }
}

/// Protobuf wire primitives over a growing byte array.
struct WireWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always) mutating func tag(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    /// A varint field, left out when 0.
    mutating func uint(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        tag(field, 0)
        varint(v)
    }

    mutating func bool(_ field: Int, _ v: Bool) {
        guard v else { return }
        tag(field, 0)
        bytes.append(1)
    }

    /// A string field, left out when empty.
    mutating func string(_ field: Int, _ s: String) {
        guard !s.isEmpty else { return }
        alwaysString(field, s)
    }

    mutating func alwaysString(_ field: Int, _ s: String) {
        tag(field, 2)
        var s = s
        s.withUTF8 { u in
            varint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    mutating func alwaysBytes(_ field: Int, _ b: [UInt8]) {
        tag(field, 2)
        varint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    /// A length-delimited submessage: the length is written as one byte and widened in
    /// place when the body turns out longer (rare below the record level).
    mutating func message(_ field: Int, _ body: (inout WireWriter) -> Void) {
        let at = beginMessage(field)
        body(&self)
        endMessage(at)
    }

    /// Starts a submessage: its tag and a one-byte length for ``endMessage(_:)`` to fill
    /// in. The record path uses the pair rather than ``message(_:_:)``: a closure that
    /// captured a slot or value copied it (retaining its arrays and strings) per field.
    @inline(__always) mutating func beginMessage(_ field: Int) -> Int {
        tag(field, 2)
        bytes.append(0)
        return bytes.count - 1
    }

    /// Ends the submessage ``beginMessage(_:)`` started at `at`, writing its length.
    mutating func endMessage(_ at: Int) {
        let len = bytes.count - at - 1
        if len < 0x80 {
            bytes[at] = UInt8(len)
        } else {
            var prefix: [UInt8] = []
            var v = UInt64(len)
            while v >= 0x80 {
                prefix.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            prefix.append(UInt8(v))
            bytes.replaceSubrange(at..<(at + 1), with: prefix)
        }
    }

    // MARK: - gatehouse.sync.v1 messages (Protocol/gatehouse.proto)

    mutating func record(_ s: RecordState) {
        string(1, s.table)
        string(2, s.id)
        for e in s.vector.entries {
            message(3) { w in
                w.string(1, e.replica.rawValue)
                w.uint(2, e.counter)
            }
        }
        s.slots.withUnsafeBufferPointer { slots in
            for i in slots.indices {
                let at = beginMessage(4)
                slot(slots[i])
                endMessage(at)
            }
        }
        if let d = s.deletion { message(5) { $0.clock(d) } }
        for c in s.history { message(6) { $0.conflict(c) } }
    }

    mutating func slot(_ s: borrowing SlotState) {
        for i in s.values.indices {
            let at = beginMessage(1)
            value(s.values[i])
            endMessage(at)
        }
        if let c = s.clock {
            let at = beginMessage(2)
            clock(c)
            endMessage(at)
        }
        if let els = s.elements {
            bool(3, true)
            for e in els {
                message(4) { w in
                    w.message(1) { $0.value(e.value) }
                    for d in e.dots {
                        w.message(2) { w in
                            w.string(1, d.replica.rawValue)
                            w.uint(2, d.counter)
                        }
                    }
                }
            }
        }
        for sib in s.siblings {
            message(5) { w in
                for v in sib.values { w.message(1) { $0.value(v) } }
                w.message(2) { $0.clock(sib.clock) }
            }
        }
    }

    mutating func clock(_ c: Clock) {
        string(1, c.dot.replica.rawValue)
        uint(2, c.dot.counter)
        uint(3, c.hlc.rawValue)
        string(4, c.author)
    }

    mutating func conflict(_ c: ConflictEntry) {
        string(1, c.field)
        string(2, c.policy)
        bool(3, c.needsReview)
        message(4) { $0.clock(c.winner) }
        for v in c.winnerValues { message(5) { $0.value(v) } }
        message(6) { $0.clock(c.loser) }
        for v in c.loserValues { message(7) { $0.value(v) } }
        if let r = c.resolution { message(8) { $0.clock(r) } }
    }

    /// `Value`: the oneof member is written even when it holds its type's default.
    mutating func value(_ v: Value) {
        switch v {
        case .null:
            tag(1, 0)
            bytes.append(1)
        case .integer(let i):
            tag(2, 0)
            varint(UInt64(bitPattern: (i << 1) ^ (i >> 63)))  // zigzag
        case .real(let d):
            tag(3, 1)
            withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case .text(let t): alwaysString(4, t)
        case .blob(let b): alwaysBytes(5, b)
        }
    }
}
