import GRDB

/// Converts between a `RecordState` and a storage row:
/// `id, <fields…>, _vv, _clk, _del, _seq, _src, _nconf, _nhist`.
///
/// `_clk` holds the record's distinct clocks once each (most records have one or two),
/// then a clock reference per slot and for the delete, then the add dots of set slots,
/// then — only when some slot has siblings — the siblings:
///
///     clk      = nclocks *clock nslots *ref delref *setslot [siblings]
///     clock    = replica-index counter hlc author
///     setslot  = nelements *(value ndots *(replica-index counter))   ; set slots < nslots
///     siblings = nsib-slots *(slot-index nsib *(ref nvalues *value))  ; slot-index ascending
///
/// Rows written before siblings existed simply end after the set slots.
enum RowCodec {
    static func encodeVector(_ v: VersionVector, _ r: inout ReplicaResolver, _ db: Database) throws -> [UInt8] {
        var w = ByteWriter(capacity: 4 + v.entries.count * 6)
        w.varint(v.entries.count)
        for e in v.entries {
            w.varint(try r.index(e.replica, db))
            w.varint(e.counter)
        }
        return w.bytes
    }

    static func decodeVector(_ b: [UInt8], _ r: inout ReplicaResolver, _ db: Database) throws -> VersionVector {
        var rd = ByteReader(b)
        let n = try rd.int()
        var v = VersionVector()
        for _ in 0..<n {
            let idx = try rd.int()
            v.raise(try r.id(idx, db), to: try rd.varint())
        }
        return v
    }

    static func encodeClocks(_ s: RecordState, _ layout: TableLayout, _ r: inout ReplicaResolver, _ db: Database) throws -> [UInt8] {
        // Slots are read by index throughout: binding a slot to a name copied it (a retain
        // and a release of each of its arrays and strings), once per slot of every record saved.
        var distinct: [Clock] = []
        distinct.reserveCapacity(2)
        func ref(_ c: Clock?) -> Int {
            guard let c else { return 0 }
            if let i = distinct.firstIndex(of: c) { return i + 1 }
            distinct.append(c)
            return distinct.count
        }
        var refs: [Int] = []
        refs.reserveCapacity(s.slots.count)
        for i in s.slots.indices { refs.append(ref(s.slots[i].clock)) }
        let delRef = ref(s.deletion)
        var sibRefs: [(slot: Int, refs: [Int])] = []
        for i in s.slots.indices where !s.slots[i].siblings.isEmpty {
            sibRefs.append((i, s.slots[i].siblings.map { ref($0.clock) }))
        }
        var w = ByteWriter(capacity: 24 + refs.count)
        w.varint(distinct.count)
        for c in distinct {
            w.varint(try r.index(c.dot.replica, db))
            w.varint(c.dot.counter)
            w.varint(c.hlc.rawValue)
            w.string(c.author)
        }
        w.varint(refs.count)
        for x in refs { w.varint(x) }
        w.varint(delRef)
        for i in layout.slots.indices where layout.isSetSlot[i] {
            let els = s.slots[i].elements ?? []
            w.varint(els.count)
            for e in els {
                w.value(e.value)
                w.varint(e.dots.count)
                for d in e.dots {
                    w.varint(try r.index(d.replica, db))
                    w.varint(d.counter)
                }
            }
        }
        if !sibRefs.isEmpty {
            w.varint(sibRefs.count)
            for (i, refs) in sibRefs {
                w.varint(i)
                w.varint(refs.count)
                for (k, sib) in s.slots[i].siblings.enumerated() {
                    w.varint(refs[k])
                    w.varint(sib.values.count)
                    sib.values.forEach { w.value($0) }
                }
            }
        }
        return w.bytes
    }

    /// Decodes a full storage row (columns in storage order) into a record state, with
    /// the history left empty (it lives in `_rep_conflicts`).
    static func decodeRow(_ row: some StorageColumns, _ layout: TableLayout, _ r: inout ReplicaResolver, _ db: Database) throws -> RecordState {
        let nf = layout.fields.count
        let id = row.text(0)
        var values = [Value]()
        values.reserveCapacity(nf)
        for i in 0..<nf { values.append(row.value(i + 1)) }
        let vv = try decodeVector(row.withBytes(nf + 1) { [UInt8]($0) }, &r, db)
        var rd = ByteReader(row.withBytes(nf + 2) { [UInt8]($0) })
        let nc = try rd.int()
        var clocks: [Clock] = []
        clocks.reserveCapacity(nc)
        for _ in 0..<nc {
            let rep = try r.id(try rd.int(), db)
            let counter = try rd.varint()
            let hlc = HLCTimestamp(rawValue: try rd.varint())
            clocks.append(Clock(dot: Dot(replica: rep, counter: counter), hlc: hlc, author: try rd.string()))
        }
        func clock(_ k: Int) throws -> Clock? {
            if k == 0 { return nil }
            guard k <= clocks.count else { throw ReplicationError.corrupt("clock reference out of range") }
            return clocks[k - 1]
        }
        let ns = try rd.int()
        var slotClocks: [Clock?] = []
        for _ in 0..<ns { slotClocks.append(try clock(try rd.int())) }
        let deletion = try clock(try rd.int())
        var slots: [SlotState] = []
        slots.reserveCapacity(layout.slots.count)
        for i in layout.slots.indices {
            // Slots added by a later schema have no clock yet.
            let c = i < slotClocks.count ? slotClocks[i] : nil
            var els: [SetElement]?
            if layout.isSetSlot[i] {
                var list: [SetElement] = []
                if i < ns {
                    let ne = try rd.int()
                    for _ in 0..<ne {
                        let v = try rd.value()
                        let nd = try rd.int()
                        var dots: [Dot] = []
                        for _ in 0..<nd { dots.append(Dot(replica: try r.id(try rd.int(), db), counter: try rd.varint())) }
                        list.append(SetElement(value: v, dots: dots))
                    }
                }
                els = list
            }
            // Built in place: a named slot state appended was copied and destroyed again.
            slots.append(SlotState(values: layout.slots[i].columns.map { values[$0] }, clock: c, elements: els))
        }
        if !rd.atEnd {
            let n = try rd.int()
            var last = -1
            for _ in 0..<n {
                let i = try rd.int()
                guard i > last, i < slots.count, slots[i].clock != nil else { throw ReplicationError.corrupt("sibling slot index \(i)") }
                last = i
                let width = layout.slots[i].columns.count
                let count = try rd.int()
                var sibs: [Sibling] = []
                sibs.reserveCapacity(count)
                for _ in 0..<count {
                    guard let c = try clock(try rd.int()) else { throw ReplicationError.corrupt("sibling without a clock") }
                    var vals = try (0..<(try rd.int())).map { _ in try rd.value() }
                    // Companion fields added by a later schema are NULL in older writes.
                    if vals.count < width { vals += Array(repeating: .null, count: width - vals.count) }
                    sibs.append(Sibling(values: Array(vals.prefix(width)), clock: c))
                }
                slots[i].siblings = sibs
            }
        }
        return RecordState(table: layout.name, id: id, vector: vv, slots: slots, deletion: deletion)
    }

}

import Foundation
