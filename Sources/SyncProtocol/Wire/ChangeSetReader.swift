import Foundation
import Replication

// A PUSH or CHANGES body read straight into `RecordState`s, without building the
// SwiftProtobuf messages first: the same results as
// `Gatehouse_Sync_V1_ChangeSet(...).decoded(limits:)` (Conversion.swift), same
// validation order and same error texts, at a fraction of the cost.
//
// Each record is read in two steps. A prescan of its top-level fields takes the table,
// the id and where the repeated fields lie; the decoding then walks the parts in the
// order `Gatehouse_Sync_V1_RecordState.decoded()` validates them, checking the wire
// structure of everything it reads. When the decoding finds a validation error, the
// rest of the record is checked structurally (`Structure.record`) before the record is
// reported rejected, because SwiftProtobuf refuses the whole message for a structural
// problem anywhere. Anything this reader does not model (unknown fields, a singular
// message field repeated, two kinds in a Value, wire types that do not match the
// schema) makes `read` return nil, and the caller takes the SwiftProtobuf path.

/// A PUSH or CHANGES body read without SwiftProtobuf.
struct FastChangeSet {
    /// 4 for PUSH, 7 for CHANGES (the field of Message's `kind` oneof).
    var messageField: Int
    /// The change set's own fields (schema_version, origin, from_seq, to_seq, is_last) with `records` EMPTY.
    var head: Gatehouse_Sync_V1_ChangeSet
    /// Exactly what `Gatehouse_Sync_V1_ChangeSet(serializedBytes: <the change set bytes>).decoded(limits: limits)` returns or throws.
    var decoded: Result<DecodedChangeSet, SyncError>
}

enum ChangeSetReader {
    /// nil when `body` is not a Message whose only field is push(4) or changes(7) holding a Push/Changes whose only field is `changes = 1`,
    /// or when anything is encoded in a way this fast path does not handle (unknown fields anywhere, a singular message field repeated,
    /// a wire type that does not match the schema, truncation, invalid UTF-8 in a string field, packed encodings it does not expect):
    /// the caller then takes the generic SwiftProtobuf path, which gives the authoritative answer. Never crashes on any input.
    static func read(_ body: [UInt8], limits: SyncLimits) -> FastChangeSet? {
        body.withUnsafeBytes { buf -> FastChangeSet? in
            var decoder = FastDecoder(buf)
            do throws(ReadFailure) {
                return try decoder.body(limits: limits)
            } catch {
                return nil
            }
        }
    }
}

// MARK: - Decoding

/// Why a part could not be read: a structure this reader leaves to SwiftProtobuf, or a
/// validation error of the record being decoded.
private enum ReadFailure: Error {
    case unsupported
    case rejected(SyncError)
}

extension WireReader {
    @inline(__always)
    fileprivate mutating func tag() throws(ReadFailure) -> (field: Int, wireType: WireType) {
        do throws(WireFailure) { return try readTag() } catch { throw .unsupported }
    }
    @inline(__always)
    fileprivate mutating func varint() throws(ReadFailure) -> UInt64 {
        do throws(WireFailure) { return try readVarint() } catch { throw .unsupported }
    }
    @inline(__always)
    fileprivate mutating func sint64() throws(ReadFailure) -> Int64 {
        do throws(WireFailure) { return try readSInt64() } catch { throw .unsupported }
    }
    @inline(__always)
    fileprivate mutating func double() throws(ReadFailure) -> Double {
        do throws(WireFailure) { return try readDouble() } catch { throw .unsupported }
    }
    @inline(__always)
    fileprivate mutating func length() throws(ReadFailure) -> Range<Int> {
        do throws(WireFailure) { return try readLengthDelimited() } catch { throw .unsupported }
    }
    @inline(__always)
    fileprivate mutating func skipField(_ wt: WireType) throws(ReadFailure) {
        do throws(WireFailure) { try skip(wt) } catch { throw .unsupported }
    }
}

/// Where the occurrences of one repeated field lie in a message: from the tag of the
/// first to the end of the last, and how many there are.
private struct Span {
    var start = 0
    var end = 0
    var count = 0

    @inline(__always)
    mutating func add(_ lo: Int, _ hi: Int) {
        if count == 0 { start = lo }
        end = hi
        count += 1
    }
}

/// The occurrences of length-delimited field `field` within a span, in wire order.
private struct FieldIterator {
    var reader: WireReader
    let field: Int

    init(_ buf: UnsafeRawBufferPointer, _ span: Span, field: Int) {
        reader = WireReader(buf, span.start..<(span.count == 0 ? span.start : span.end))
        self.field = field
    }

    @inline(__always)
    mutating func next() throws(ReadFailure) -> Range<Int>? {
        while !reader.isAtEnd {
            let (f, wt) = try reader.tag()
            if f == field && wt == .lengthDelimited { return try reader.length() }
            try reader.skipField(wt)
        }
        return nil
    }
}

/// What a clock or dot is, for the error texts of Conversion.swift.
private enum Site {
    case slot(Int)
    case sibling(Int)
    case setElement(Int)
    case deletion
    case winner(String)
    case loser(String)
    case resolution(String)

    var text: String {
        switch self {
        case .slot(let i): return "slot \(i)"
        case .sibling(let i): return "slot \(i) sibling"
        case .setElement(let i): return "slot \(i) set element"
        case .deletion: return "deletion"
        case .winner(let f): return "conflict on \(f): winner"
        case .loser(let f): return "conflict on \(f): loser"
        case .resolution(let f): return "conflict on \(f): resolution"
        }
    }
}

/// The top-level fields of one RecordState.
private struct RecordLayout {
    var table = ""
    var id = ""
    var vector = Span()
    var slots = Span()
    var deletion: Range<Int>? = nil
    var conflicts = Span()
}

private struct FastDecoder {
    let buf: UnsafeRawBufferPointer
    /// Replica ids seen lately: most clocks of a batch name the same few replicas.
    private var replicaKeys: [[UInt8]] = []
    private var replicaValues: [ReplicaID] = []
    private var replicaNext = 0
    /// Authors seen lately, likewise.
    private var authorKeys: [[UInt8]] = []
    private var authorValues: [String] = []
    private var authorNext = 0
    private static let cacheSize = 8
    /// The last clock decoded and where its bytes are: the slots of a record mostly carry
    /// one write's clock, byte for byte the same, and decoding is a function of the bytes.
    private var lastClockRange: Range<Int>? = nil
    private var lastClock: Clock? = nil

    init(_ buf: UnsafeRawBufferPointer) {
        self.buf = buf
        replicaKeys.reserveCapacity(Self.cacheSize)
        replicaValues.reserveCapacity(Self.cacheSize)
        authorKeys.reserveCapacity(Self.cacheSize)
        authorValues.reserveCapacity(Self.cacheSize)
    }

    // MARK: Envelope and change set

    mutating func body(limits: SyncLimits) throws(ReadFailure) -> FastChangeSet {
        var m = WireReader(buf)
        guard !m.isAtEnd else { throw .unsupported }
        let (kind, kindWT) = try m.tag()
        guard kind == 4 || kind == 7, kindWT == .lengthDelimited else { throw .unsupported }
        let inner = try m.length()
        guard m.isAtEnd else { throw .unsupported }

        var p = WireReader(buf, inner)
        guard !p.isAtEnd else { throw .unsupported }
        let (f, wt) = try p.tag()
        guard f == 1, wt == .lengthDelimited else { throw .unsupported }
        let csRange = try p.length()
        guard p.isAtEnd else { throw .unsupported }

        var head = Gatehouse_Sync_V1_ChangeSet()
        var records: [Range<Int>] = []
        var c = WireReader(buf, csRange)
        while !c.isAtEnd {
            let (n, t) = try c.tag()
            switch (n, t) {
            case (1, .varint): head.schemaVersion = UInt32(truncatingIfNeeded: try c.varint())
            case (2, .lengthDelimited): head.origin = try string(try c.length())
            case (3, .varint): head.fromSeq = try c.varint()
            case (4, .varint): head.toSeq = try c.varint()
            case (5, .varint): head.isLast = try c.varint() != 0
            case (6, .lengthDelimited): records.append(try c.length())
            default: throw .unsupported
            }
        }

        func failure(_ e: SyncError) throws(ReadFailure) -> FastChangeSet {
            // SwiftProtobuf parses everything before `decoded` looks at the batch.
            for r in records { try checkStructure(r) }
            return FastChangeSet(messageField: kind, head: head, decoded: .failure(e))
        }
        guard let origin = ReplicaID(rawValue: head.origin) else {
            return try failure(.malformed("change set origin \"\(head.origin)\" is not a valid replica id"))
        }
        guard head.toSeq >= head.fromSeq else {
            return try failure(.malformed("change set covers (\(head.fromSeq), \(head.toSeq)]: to_seq is below from_seq"))
        }
        guard head.toSeq <= SyncLimits.maxPosition else {
            return try failure(.malformed("change set covers (\(head.fromSeq), \(head.toSeq)]: positions end at 2^63-1"))
        }
        if let e = limits.batchTooLarge(records.count) { return try failure(e) }

        var good: [RecordState] = []
        good.reserveCapacity(records.count)
        var rejected: [RejectedRecord] = []
        for r in records {
            let layout = try prescan(r)
            do throws(ReadFailure) {
                good.append(try record(layout))
            } catch {
                switch error {
                case .unsupported:
                    throw .unsupported
                case .rejected(let e):
                    try checkStructure(r)
                    rejected.append(RejectedRecord(table: layout.table, id: layout.id, code: .malformed, reason: e.message))
                }
            }
        }
        let batch = ChangeBatch(schemaVersion: Int(head.schemaVersion), origin: origin, fromSeq: head.fromSeq,
                                toSeq: head.toSeq, records: good, isLast: head.isLast)
        return FastChangeSet(messageField: kind, head: head, decoded: .success(DecodedChangeSet(batch: batch, rejected: rejected)))
    }

    private func checkStructure(_ r: Range<Int>) throws(ReadFailure) {
        do throws(WireFailure) { try Structure(buf: buf).record(r) } catch { throw .unsupported }
    }

    // MARK: Strings and ids

    @inline(__always)
    private func validate(_ r: Range<Int>) throws(ReadFailure) {
        guard WireReader.isValidUTF8(buf, r) else { throw .unsupported }
    }

    @inline(__always)
    private func string(_ r: Range<Int>) throws(ReadFailure) -> String {
        if r.isEmpty { return "" }
        try validate(r)
        return WireReader.string(buf, r)
    }

    /// The replica id in `r` (valid UTF-8 checked), or nil when the string is not a valid id.
    private mutating func replica(_ r: Range<Int>) throws(ReadFailure) -> ReplicaID? {
        for k in replicaKeys.indices where WireReader.equal(buf, r, replicaKeys[k]) { return replicaValues[k] }
        let s = try string(r)
        guard let id = ReplicaID(rawValue: s) else { return nil }
        let key = [UInt8](buf[r])
        if replicaKeys.count < Self.cacheSize {
            replicaKeys.append(key)
            replicaValues.append(id)
        } else {
            replicaKeys[replicaNext] = key
            replicaValues[replicaNext] = id
            replicaNext = (replicaNext + 1) % Self.cacheSize
        }
        return id
    }

    private mutating func author(_ r: Range<Int>) throws(ReadFailure) -> String {
        if r.isEmpty { return "" }
        for k in authorKeys.indices where WireReader.equal(buf, r, authorKeys[k]) { return authorValues[k] }
        let s = try string(r)
        let key = [UInt8](buf[r])
        if authorKeys.count < Self.cacheSize {
            authorKeys.append(key)
            authorValues.append(s)
        } else {
            authorKeys[authorNext] = key
            authorValues[authorNext] = s
            authorNext = (authorNext + 1) % Self.cacheSize
        }
        return s
    }

    // MARK: Record

    /// The top-level fields of a record, structure checked (not the nested messages).
    private func prescan(_ range: Range<Int>) throws(ReadFailure) -> RecordLayout {
        var out = RecordLayout()
        var r = WireReader(buf, range)
        while !r.isAtEnd {
            let start = r.index
            let (f, wt) = try r.tag()
            guard wt == .lengthDelimited else { throw .unsupported }
            let body = try r.length()
            switch f {
            case 1: out.table = try string(body)
            case 2: out.id = try string(body)
            case 3: out.vector.add(start, r.index)
            case 4: out.slots.add(start, r.index)
            case 5:
                guard out.deletion == nil else { throw .unsupported }
                out.deletion = body
            case 6: out.conflicts.add(start, r.index)
            default: throw .unsupported
            }
        }
        return out
    }

    private mutating func record(_ layout: RecordLayout) throws(ReadFailure) -> RecordState {
        guard !layout.table.isEmpty else { throw .rejected(.malformed("record without a table name")) }
        guard !layout.id.isEmpty else { throw .rejected(.malformed("record of \(layout.table) without an id")) }

        var pairs: [(ReplicaID, UInt64)] = []
        pairs.reserveCapacity(layout.vector.count)
        var vit = FieldIterator(buf, layout.vector, field: 3)
        while let e = try vit.next() {
            let (rr, counter) = try dotFields(e)
            guard let rid = try replica(rr) else {
                throw .rejected(.malformed("version vector names an invalid replica id \"\(try string(rr))\""))
            }
            guard counter > 0 else { throw .rejected(.malformed("version vector entry \(rid) has counter 0")) }
            guard counter <= SyncLimits.maxCounter else { throw .rejected(.malformed("version vector entry \(rid) has counter \(counter), above 2^63-1")) }
            if let last = pairs.last, !(last.0 < rid) {
                throw .rejected(.malformed("version vector entries are not strictly sorted by replica (\(last.0) then \(rid))"))
            }
            pairs.append((rid, counter))
        }
        let vv = VersionVector(pairs)

        var slots: [SlotState] = []
        slots.reserveCapacity(layout.slots.count)
        var sit = FieldIterator(buf, layout.slots, field: 4)
        var i = 0
        while let s = try sit.next() {
            slots.append(try slot(i, s, vv))
            i += 1
        }

        var deletion: Clock? = nil
        if let d = layout.deletion { deletion = try covered(d, .deletion, vv) }

        var history: [ConflictEntry] = []
        history.reserveCapacity(layout.conflicts.count)
        var cit = FieldIterator(buf, layout.conflicts, field: 6)
        while let c = try cit.next() {
            let entry = try conflict(c, vv)
            if let p = history.last {
                let ordered = p.field != entry.field ? p.field < entry.field : p.loser.dot < entry.loser.dot
                guard ordered else { throw .rejected(.malformed("conflict entries are not strictly sorted by (field, loser)")) }
            }
            history.append(entry)
        }
        return RecordState(table: layout.table, id: layout.id, vector: vv, slots: slots, deletion: deletion, history: history)
    }

    // MARK: Slots

    private mutating func slot(_ i: Int, _ range: Range<Int>, _ vv: VersionVector) throws(ReadFailure) -> SlotState {
        var r = WireReader(buf, range)
        var values: [Value] = []
        var clockRange: Range<Int>? = nil
        var isSet = false
        var elements = Span()
        var siblings = Span()
        while !r.isAtEnd {
            let start = r.index
            let (f, wt) = try r.tag()
            switch (f, wt) {
            // Values come first in the validation order: decode them as they come.
            case (1, .lengthDelimited): values.append(try value(try r.length()))
            case (2, .lengthDelimited):
                guard clockRange == nil else { throw .unsupported }
                clockRange = try r.length()
            case (3, .varint): isSet = try r.varint() != 0
            case (4, .lengthDelimited):
                _ = try r.length()
                elements.add(start, r.index)
            case (5, .lengthDelimited):
                _ = try r.length()
                siblings.add(start, r.index)
            default: throw .unsupported
            }
        }
        var clock: Clock? = nil
        if let clockRange { clock = try covered(clockRange, .slot(i), vv) }

        var outElements: [SetElement]? = nil
        if isSet {
            var out: [SetElement] = []
            out.reserveCapacity(elements.count)
            var it = FieldIterator(buf, elements, field: 4)
            while let e = try it.next() {
                out.append(try setElement(i, e, previous: out.last, vv))
            }
            outElements = out
        } else if elements.count > 0 {
            throw .rejected(.malformed("slot \(i) carries set elements but is not marked as a set"))
        }

        var outSiblings: [Sibling] = []
        if siblings.count > 0 {
            guard let winner = clock else { throw .rejected(.malformed("slot \(i) has siblings but no clock")) }
            guard !isSet else { throw .rejected(.malformed("slot \(i) is a set and cannot have siblings")) }
            outSiblings.reserveCapacity(siblings.count)
            var it = FieldIterator(buf, siblings, field: 5)
            while let s = try it.next() {
                var sr = WireReader(buf, s)
                var sibClock: Range<Int>? = nil
                var sibValues = Span()
                while !sr.isAtEnd {
                    let start = sr.index
                    let (f, wt) = try sr.tag()
                    switch (f, wt) {
                    case (1, .lengthDelimited):
                        _ = try sr.length()
                        sibValues.add(start, sr.index)
                    case (2, .lengthDelimited):
                        guard sibClock == nil else { throw .unsupported }
                        sibClock = try sr.length()
                    default: throw .unsupported
                    }
                }
                guard let sibClock else { throw .rejected(.malformed("slot \(i): sibling without a clock")) }
                let c = try covered(sibClock, .sibling(i), vv)
                guard c.dot != winner.dot else { throw .rejected(.malformed("slot \(i): sibling \(c.dot) is the winner's write")) }
                if let p = outSiblings.last, !(p.clock.dot < c.dot) {
                    throw .rejected(.malformed("slot \(i): siblings are not strictly sorted by dot (\(p.clock.dot) then \(c.dot))"))
                }
                let sv = try valueList(sibValues, field: 1)
                guard sv.count == values.count else {
                    throw .rejected(.malformed("slot \(i): sibling \(c.dot) has \(sv.count) values, the slot \(values.count)"))
                }
                outSiblings.append(Sibling(values: sv, clock: c))
            }
        }
        return SlotState(values: values, clock: clock, elements: outElements, siblings: outSiblings)
    }

    private mutating func setElement(_ i: Int, _ range: Range<Int>, previous: SetElement?,
                                     _ vv: VersionVector) throws(ReadFailure) -> SetElement {
        var r = WireReader(buf, range)
        var valueRange: Range<Int>? = nil
        var dots = Span()
        while !r.isAtEnd {
            let start = r.index
            let (f, wt) = try r.tag()
            switch (f, wt) {
            case (1, .lengthDelimited):
                guard valueRange == nil else { throw .unsupported }
                valueRange = try r.length()
            case (2, .lengthDelimited):
                _ = try r.length()
                dots.add(start, r.index)
            default: throw .unsupported
            }
        }
        // An absent value is the empty Value message: no kind.
        let value = try self.value(valueRange ?? range.lowerBound..<range.lowerBound)
        if let prev = previous, !Value.canonicalLess(prev.value, value) {
            throw .rejected(.malformed("slot \(i): set elements are not strictly sorted (\(prev.value) then \(value))"))
        }
        guard dots.count > 0 else { throw .rejected(.malformed("slot \(i): set element \(value) has no dots")) }
        var out: [Dot] = []
        out.reserveCapacity(dots.count)
        var it = FieldIterator(buf, dots, field: 2)
        while let d = try it.next() {
            let dot = try self.dot(d, .setElement(i))
            guard vv.covers(dot) else {
                throw .rejected(.malformed("slot \(i): set element added by \(dot) beyond the record's vector"))
            }
            if let p = out.last, !(p < dot) {
                throw .rejected(.malformed("slot \(i): dots of set element \(value) are not strictly sorted"))
            }
            out.append(dot)
        }
        return SetElement(value: value, dots: out)
    }

    // MARK: History

    private mutating func conflict(_ range: Range<Int>, _ vv: VersionVector) throws(ReadFailure) -> ConflictEntry {
        var r = WireReader(buf, range)
        var field = "", policy = ""
        var needsReview = false
        var winner: Range<Int>? = nil, loser: Range<Int>? = nil, resolution: Range<Int>? = nil
        var winnerValues = Span(), loserValues = Span()
        while !r.isAtEnd {
            let start = r.index
            let (f, wt) = try r.tag()
            switch (f, wt) {
            case (1, .lengthDelimited): field = try string(try r.length())
            case (2, .lengthDelimited): policy = try string(try r.length())
            case (3, .varint): needsReview = try r.varint() != 0
            case (4, .lengthDelimited):
                guard winner == nil else { throw .unsupported }
                winner = try r.length()
            case (5, .lengthDelimited):
                _ = try r.length()
                winnerValues.add(start, r.index)
            case (6, .lengthDelimited):
                guard loser == nil else { throw .unsupported }
                loser = try r.length()
            case (7, .lengthDelimited):
                _ = try r.length()
                loserValues.add(start, r.index)
            case (8, .lengthDelimited):
                guard resolution == nil else { throw .unsupported }
                resolution = try r.length()
            default: throw .unsupported
            }
        }
        guard !field.isEmpty else { throw .rejected(.malformed("conflict entry without a field")) }
        guard let winner, let loser else {
            throw .rejected(.malformed("conflict on \(field) lacks its winner or loser clock"))
        }
        guard let resolution else {
            throw .rejected(.malformed("conflict on \(field) lacks its resolution (open conflicts travel as slot siblings)"))
        }
        let w = try covered(winner, .winner(field), vv)
        let wv = try valueList(winnerValues, field: 5)
        let l = try covered(loser, .loser(field), vv)
        let lv = try valueList(loserValues, field: 7)
        let res = try covered(resolution, .resolution(field), vv)
        return ConflictEntry(field: field, policy: policy, needsReview: needsReview, winner: w, winnerValues: wv,
                             loser: l, loserValues: lv, resolution: res)
    }

    // MARK: Clocks, dots, values

    /// The replica range and counter of a VectorEntry or Dot (same fields).
    private func dotFields(_ range: Range<Int>) throws(ReadFailure) -> (Range<Int>, UInt64) {
        var r = WireReader(buf, range)
        var replica = range.lowerBound..<range.lowerBound
        var counter: UInt64 = 0
        while !r.isAtEnd {
            let (f, wt) = try r.tag()
            switch (f, wt) {
            case (1, .lengthDelimited):
                // Last one wins; an earlier one must still be valid UTF-8.
                if !replica.isEmpty { try validate(replica) }
                replica = try r.length()
            case (2, .varint): counter = try r.varint()
            default: throw .unsupported
            }
        }
        return (replica, counter)
    }

    private mutating func dot(_ range: Range<Int>, _ site: Site) throws(ReadFailure) -> Dot {
        let (rr, counter) = try dotFields(range)
        guard let rid = try replica(rr) else {
            throw .rejected(.malformed("\(site.text): invalid replica id \"\(try string(rr))\""))
        }
        guard counter > 0 else { throw .rejected(.malformed("\(site.text): dot counter 0")) }
        guard counter <= SyncLimits.maxCounter else { throw .rejected(.malformed("\(site.text): dot counter \(counter), above 2^63-1")) }
        return Dot(replica: rid, counter: counter)
    }

    private func sameBytes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        guard let base = buf.baseAddress else { return a.isEmpty }
        return memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
    }

    private mutating func clock(_ range: Range<Int>, _ site: Site) throws(ReadFailure) -> Clock {
        var r = WireReader(buf, range)
        var replica = range.lowerBound..<range.lowerBound
        var author = replica
        var counter: UInt64 = 0, hlc: UInt64 = 0
        while !r.isAtEnd {
            let (f, wt) = try r.tag()
            switch (f, wt) {
            case (1, .lengthDelimited):
                if !replica.isEmpty { try validate(replica) }
                replica = try r.length()
            case (2, .varint): counter = try r.varint()
            case (3, .varint): hlc = try r.varint()
            case (4, .lengthDelimited):
                if !author.isEmpty { try validate(author) }
                author = try r.length()
            default: throw .unsupported
            }
        }
        // The author is a string of the message: checked even when the clock is refused.
        let a = try self.author(author)
        guard let rid = try self.replica(replica) else {
            throw .rejected(.malformed("\(site.text): invalid replica id \"\(try string(replica))\""))
        }
        guard counter > 0 else { throw .rejected(.malformed("\(site.text): dot counter 0")) }
        guard counter <= SyncLimits.maxCounter else { throw .rejected(.malformed("\(site.text): dot counter \(counter), above 2^63-1")) }
        return Clock(dot: Dot(replica: rid, counter: counter), hlc: HLCTimestamp(rawValue: hlc), author: a)
    }

    /// `Gatehouse_Sync_V1_Clock.decoded(what)` then the coverage check of `RecordState.decoded()`.
    private mutating func covered(_ range: Range<Int>, _ site: Site, _ vv: VersionVector) throws(ReadFailure) -> Clock {
        let c: Clock
        if let lr = lastClockRange, let lc = lastClock, sameBytes(lr, range) {
            c = lc
        } else {
            c = try clock(range, site)
            lastClockRange = range
            lastClock = c
        }
        guard vv.covers(c.dot) else {
            throw .rejected(.malformed("\(site.text) written by \(c.dot) beyond the record's vector \(vv)"))
        }
        return c
    }

    private mutating func valueList(_ span: Span, field: Int) throws(ReadFailure) -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(span.count)
        var it = FieldIterator(buf, span, field: field)
        while let v = try it.next() { out.append(try value(v)) }
        return out
    }

    private func value(_ range: Range<Int>) throws(ReadFailure) -> Value {
        var r = WireReader(buf, range)
        var v: Value? = nil
        while !r.isAtEnd {
            let (f, wt) = try r.tag()
            // A second kind: SwiftProtobuf keeps the last; leave that to it.
            guard v == nil else { throw .unsupported }
            switch (f, wt) {
            case (1, .varint):
                _ = try r.varint()
                v = .null
            case (2, .varint): v = .integer(try r.sint64())
            case (3, .fixed64): v = .real(try r.double())
            case (4, .lengthDelimited): v = .text(try string(try r.length()))
            case (5, .lengthDelimited):
                let b = try r.length()
                v = .blob([UInt8](buf[b]))
            default: throw .unsupported
            }
        }
        guard let v else { throw .rejected(.malformed("value without a kind")) }
        return v
    }
}

// MARK: - Structure

/// The structural check of a record, down to its values: exactly what the decoding
/// above refuses as `.unsupported`, without converting anything. Run on the rare paths
/// (a rejected record, a refused batch), where the decoding stopped early.
private struct Structure {
    let buf: UnsafeRawBufferPointer

    private func string(_ r: inout WireReader) throws(WireFailure) {
        let s = try r.readLengthDelimited()
        guard WireReader.isValidUTF8(buf, s) else { throw WireFailure() }
    }

    func record(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        var deletion = false
        while !r.isAtEnd {
            let (f, wt) = try r.readTag()
            guard wt == .lengthDelimited else { throw WireFailure() }
            switch f {
            case 1, 2: try string(&r)
            case 3: try dot(try r.readLengthDelimited())
            case 4: try slot(try r.readLengthDelimited())
            case 5:
                guard !deletion else { throw WireFailure() }
                deletion = true
                try clock(try r.readLengthDelimited())
            case 6: try conflict(try r.readLengthDelimited())
            default: throw WireFailure()
            }
        }
    }

    /// VectorEntry and Dot.
    func dot(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        while !r.isAtEnd {
            switch try r.readTag() {
            case (1, .lengthDelimited): try string(&r)
            case (2, .varint): _ = try r.readVarint()
            default: throw WireFailure()
            }
        }
    }

    func clock(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        while !r.isAtEnd {
            switch try r.readTag() {
            case (1, .lengthDelimited), (4, .lengthDelimited): try string(&r)
            case (2, .varint), (3, .varint): _ = try r.readVarint()
            default: throw WireFailure()
            }
        }
    }

    func value(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        var seen = false
        while !r.isAtEnd {
            let tag = try r.readTag()
            guard !seen else { throw WireFailure() }
            seen = true
            switch tag {
            case (1, .varint), (2, .varint): _ = try r.readVarint()
            case (3, .fixed64): _ = try r.readFixed64()
            case (4, .lengthDelimited): try string(&r)
            case (5, .lengthDelimited): _ = try r.readLengthDelimited()
            default: throw WireFailure()
            }
        }
    }

    func slot(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        var clockSeen = false
        while !r.isAtEnd {
            switch try r.readTag() {
            case (1, .lengthDelimited): try value(try r.readLengthDelimited())
            case (2, .lengthDelimited):
                guard !clockSeen else { throw WireFailure() }
                clockSeen = true
                try clock(try r.readLengthDelimited())
            case (3, .varint): _ = try r.readVarint()
            case (4, .lengthDelimited): try element(try r.readLengthDelimited())
            case (5, .lengthDelimited): try sibling(try r.readLengthDelimited())
            default: throw WireFailure()
            }
        }
    }

    func element(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        var valueSeen = false
        while !r.isAtEnd {
            switch try r.readTag() {
            case (1, .lengthDelimited):
                guard !valueSeen else { throw WireFailure() }
                valueSeen = true
                try value(try r.readLengthDelimited())
            case (2, .lengthDelimited): try dot(try r.readLengthDelimited())
            default: throw WireFailure()
            }
        }
    }

    func sibling(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        var clockSeen = false
        while !r.isAtEnd {
            switch try r.readTag() {
            case (1, .lengthDelimited): try value(try r.readLengthDelimited())
            case (2, .lengthDelimited):
                guard !clockSeen else { throw WireFailure() }
                clockSeen = true
                try clock(try r.readLengthDelimited())
            default: throw WireFailure()
            }
        }
    }

    func conflict(_ range: Range<Int>) throws(WireFailure) {
        var r = WireReader(buf, range)
        var seen = Set<Int>()
        while !r.isAtEnd {
            switch try r.readTag() {
            case (1, .lengthDelimited), (2, .lengthDelimited): try string(&r)
            case (3, .varint): _ = try r.readVarint()
            case (let f, .lengthDelimited) where f == 4 || f == 6 || f == 8:
                guard seen.insert(f).inserted else { throw WireFailure() }
                try clock(try r.readLengthDelimited())
            case (5, .lengthDelimited), (7, .lengthDelimited): try value(try r.readLengthDelimited())
            default: throw WireFailure()
            }
        }
    }
}
