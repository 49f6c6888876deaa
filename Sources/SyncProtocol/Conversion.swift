import Foundation
import Replication

// Conversion between the replication types and their wire form. Encoding never fails;
// decoding validates everything the merge relies on (valid replica ids, canonical
// vectors, every dot covered by the record's vector, sorted set elements, siblings and
// history entries) so a hostile or buggy peer cannot feed the merge a state it would mishandle.

/// A record of an incoming change set that could not be read; it is kept out and reported
/// (in the ACK when the hub rejects it), and the rest of the batch still applies.
public struct RejectedRecord: Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var id: String
    public var code: SyncErrorCode
    public var reason: String

    public init(table: String, id: String, code: SyncErrorCode, reason: String) {
        self.table = table
        self.id = id
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(table)/\(id): \(code): \(reason)" }

    public var proto: Gatehouse_Sync_V1_Refusal {
        var r = Gatehouse_Sync_V1_Refusal()
        r.table = table
        r.id = id
        r.code = code.rawValue
        r.reason = reason
        return r
    }

    public init(_ p: Gatehouse_Sync_V1_Refusal) {
        self.init(table: p.table, id: p.id, code: SyncErrorCode(rawValue: p.code) ?? .forbiddenRecord, reason: p.reason)
    }
}

/// A change set read off the wire: the batch of records that passed validation, and the
/// records that did not.
public struct DecodedChangeSet: Sendable, Equatable {
    public var batch: ChangeBatch
    public var rejected: [RejectedRecord]

    public init(batch: ChangeBatch, rejected: [RejectedRecord] = []) {
        self.batch = batch
        self.rejected = rejected
    }
}

// MARK: - Change sets

extension Gatehouse_Sync_V1_ChangeSet {
    /// The wire form of `batch`.
    public init(_ batch: ChangeBatch) {
        self.init()
        schemaVersion = UInt32(clamping: batch.schemaVersion)
        origin = batch.origin.rawValue
        fromSeq = batch.fromSeq
        toSeq = batch.toSeq
        isLast = batch.isLast
        records = batch.records.map(Gatehouse_Sync_V1_RecordState.init)
    }

    /// Validates and converts to a `ChangeBatch`.
    ///
    /// - Throws: 400 when the batch as a whole is malformed (origin, positions), 413 when
    ///   it holds more than `limits.maxBatchRecords` records. A malformed record does not
    ///   throw: it lands in `rejected`.
    public func decoded(limits: SyncLimits = .default) throws(SyncError) -> DecodedChangeSet {
        guard let origin = ReplicaID(rawValue: origin) else {
            throw .malformed("change set origin \"\(self.origin)\" is not a valid replica id")
        }
        guard toSeq >= fromSeq else {
            throw .malformed("change set covers (\(fromSeq), \(toSeq)]: to_seq is below from_seq")
        }
        guard toSeq <= SyncLimits.maxPosition else {
            throw .malformed("change set covers (\(fromSeq), \(toSeq)]: positions end at 2^63-1")
        }
        if let e = limits.batchTooLarge(records.count) { throw e }
        var good: [RecordState] = []
        good.reserveCapacity(records.count)
        var rejected: [RejectedRecord] = []
        for r in records {
            do {
                good.append(try r.decoded())
            } catch {
                rejected.append(RejectedRecord(table: r.table, id: r.id, code: .malformed, reason: error.message))
            }
        }
        let batch = ChangeBatch(schemaVersion: Int(schemaVersion), origin: origin, fromSeq: fromSeq, toSeq: toSeq,
                                records: good, isLast: isLast)
        return DecodedChangeSet(batch: batch, rejected: rejected)
    }
}

// MARK: - Records

extension Gatehouse_Sync_V1_RecordState {
    /// The wire form of `state`.
    public init(_ state: RecordState) {
        self.init()
        table = state.table
        id = state.id
        vector = state.vector.entries.map {
            var e = Gatehouse_Sync_V1_VectorEntry()
            e.replica = $0.replica.rawValue
            e.counter = $0.counter
            return e
        }
        slots = state.slots.map(Gatehouse_Sync_V1_SlotState.init)
        if let d = state.deletion { deletion = Gatehouse_Sync_V1_Clock(d) }
        conflicts = state.history.map(Gatehouse_Sync_V1_ConflictEntry.init)
    }

    /// Validates and converts to a `RecordState`.
    ///
    /// - Throws: 400 with a reason naming the offending part, e.g.
    ///   `slot 2 written by c001-x:9 beyond the record's vector`.
    public func decoded() throws(SyncError) -> RecordState {
        guard !table.isEmpty else { throw .malformed("record without a table name") }
        guard !id.isEmpty else { throw .malformed("record of \(table) without an id") }
        var pairs: [(ReplicaID, UInt64)] = []
        pairs.reserveCapacity(vector.count)
        for e in vector {
            guard let r = ReplicaID(rawValue: e.replica) else {
                throw .malformed("version vector names an invalid replica id \"\(e.replica)\"")
            }
            guard e.counter > 0 else { throw .malformed("version vector entry \(r) has counter 0") }
            guard e.counter <= SyncLimits.maxCounter else { throw .malformed("version vector entry \(r) has counter \(e.counter), above 2^63-1") }
            if let last = pairs.last, !(last.0 < r) {
                throw .malformed("version vector entries are not strictly sorted by replica (\(last.0) then \(r))")
            }
            pairs.append((r, e.counter))
        }
        let vv = VersionVector(pairs)
        func covered(_ c: Gatehouse_Sync_V1_Clock, _ what: String) throws(SyncError) -> Clock {
            let clock = try c.decoded(what)
            guard vv.covers(clock.dot) else { throw .malformed("\(what) written by \(clock.dot) beyond the record's vector \(vv)") }
            return clock
        }
        var outSlots: [SlotState] = []
        outSlots.reserveCapacity(slots.count)
        for (i, s) in slots.enumerated() {
            let values = try s.values.map { v throws(SyncError) in try v.decoded() }
            let clock = s.hasClock ? try covered(s.clock, "slot \(i)") : nil
            var elements: [SetElement]? = nil
            if s.isSet {
                var out: [SetElement] = []
                out.reserveCapacity(s.elements.count)
                for e in s.elements {
                    let value = try e.value.decoded()
                    if let prev = out.last, !Value.canonicalLess(prev.value, value) {
                        throw .malformed("slot \(i): set elements are not strictly sorted (\(prev.value) then \(value))")
                    }
                    guard !e.dots.isEmpty else { throw .malformed("slot \(i): set element \(value) has no dots") }
                    var dots: [Dot] = []
                    for d in e.dots {
                        let dot = try d.decoded("slot \(i) set element")
                        guard vv.covers(dot) else { throw .malformed("slot \(i): set element added by \(dot) beyond the record's vector") }
                        if let p = dots.last, !(p < dot) { throw .malformed("slot \(i): dots of set element \(value) are not strictly sorted") }
                        dots.append(dot)
                    }
                    out.append(SetElement(value: value, dots: dots))
                }
                elements = out
            } else if !s.elements.isEmpty {
                throw .malformed("slot \(i) carries set elements but is not marked as a set")
            }
            var siblings: [Sibling] = []
            if !s.siblings.isEmpty {
                guard let winner = clock else { throw .malformed("slot \(i) has siblings but no clock") }
                guard !s.isSet else { throw .malformed("slot \(i) is a set and cannot have siblings") }
                siblings.reserveCapacity(s.siblings.count)
                for sib in s.siblings {
                    guard sib.hasClock else { throw .malformed("slot \(i): sibling without a clock") }
                    let c = try covered(sib.clock, "slot \(i) sibling")
                    guard c.dot != winner.dot else { throw .malformed("slot \(i): sibling \(c.dot) is the winner's write") }
                    if let p = siblings.last, !(p.clock.dot < c.dot) {
                        throw .malformed("slot \(i): siblings are not strictly sorted by dot (\(p.clock.dot) then \(c.dot))")
                    }
                    let sv = try sib.values.map { v throws(SyncError) in try v.decoded() }
                    guard sv.count == values.count else {
                        throw .malformed("slot \(i): sibling \(c.dot) has \(sv.count) values, the slot \(values.count)")
                    }
                    siblings.append(Sibling(values: sv, clock: c))
                }
            }
            outSlots.append(SlotState(values: values, clock: clock, elements: elements, siblings: siblings))
        }
        let deletion = hasDeletion ? try covered(self.deletion, "deletion") : nil
        var outConflicts: [ConflictEntry] = []
        outConflicts.reserveCapacity(conflicts.count)
        for c in conflicts {
            guard !c.field.isEmpty else { throw .malformed("conflict entry without a field") }
            guard c.hasWinner, c.hasLoser else { throw .malformed("conflict on \(c.field) lacks its winner or loser clock") }
            guard c.hasResolution else {
                throw .malformed("conflict on \(c.field) lacks its resolution (open conflicts travel as slot siblings)")
            }
            let entry = ConflictEntry(
                field: c.field, policy: c.policy, needsReview: c.needsReview,
                winner: try covered(c.winner, "conflict on \(c.field): winner"),
                winnerValues: try c.winnerValues.map { v throws(SyncError) in try v.decoded() },
                loser: try covered(c.loser, "conflict on \(c.field): loser"),
                loserValues: try c.loserValues.map { v throws(SyncError) in try v.decoded() },
                resolution: c.hasResolution ? try covered(c.resolution, "conflict on \(c.field): resolution") : nil)
            if let p = outConflicts.last {
                let ordered = p.field != entry.field ? p.field < entry.field : p.loser.dot < entry.loser.dot
                guard ordered else { throw .malformed("conflict entries are not strictly sorted by (field, loser)") }
            }
            outConflicts.append(entry)
        }
        return RecordState(table: table, id: id, vector: vv, slots: outSlots, deletion: deletion, history: outConflicts)
    }
}

extension Gatehouse_Sync_V1_SlotState {
    public init(_ s: SlotState) {
        self.init()
        values = s.values.map(Gatehouse_Sync_V1_Value.init)
        if let c = s.clock { clock = Gatehouse_Sync_V1_Clock(c) }
        if let e = s.elements {
            isSet = true
            elements = e.map {
                var out = Gatehouse_Sync_V1_SetElement()
                out.value = Gatehouse_Sync_V1_Value($0.value)
                out.dots = $0.dots.map(Gatehouse_Sync_V1_Dot.init)
                return out
            }
        }
        siblings = s.siblings.map {
            var out = Gatehouse_Sync_V1_Sibling()
            out.values = $0.values.map(Gatehouse_Sync_V1_Value.init)
            out.clock = Gatehouse_Sync_V1_Clock($0.clock)
            return out
        }
    }
}

extension Gatehouse_Sync_V1_ConflictEntry {
    public init(_ c: ConflictEntry) {
        self.init()
        field = c.field
        policy = c.policy
        needsReview = c.needsReview
        winner = Gatehouse_Sync_V1_Clock(c.winner)
        winnerValues = c.winnerValues.map(Gatehouse_Sync_V1_Value.init)
        loser = Gatehouse_Sync_V1_Clock(c.loser)
        loserValues = c.loserValues.map(Gatehouse_Sync_V1_Value.init)
        if let r = c.resolution { resolution = Gatehouse_Sync_V1_Clock(r) }
    }
}

extension Gatehouse_Sync_V1_Clock {
    public init(_ c: Clock) {
        self.init()
        replica = c.dot.replica.rawValue
        counter = c.dot.counter
        hlc = c.hlc.rawValue
        author = c.author
    }

    /// Validates and converts; `what` names the clock in the error.
    public func decoded(_ what: String = "clock") throws(SyncError) -> Clock {
        guard let r = ReplicaID(rawValue: replica) else { throw .malformed("\(what): invalid replica id \"\(replica)\"") }
        guard counter > 0 else { throw .malformed("\(what): dot counter 0") }
        guard counter <= SyncLimits.maxCounter else { throw .malformed("\(what): dot counter \(counter), above 2^63-1") }
        return Clock(dot: Dot(replica: r, counter: counter), hlc: HLCTimestamp(rawValue: hlc), author: author)
    }
}

extension Gatehouse_Sync_V1_Dot {
    public init(_ d: Dot) {
        self.init()
        replica = d.replica.rawValue
        counter = d.counter
    }

    public func decoded(_ what: String = "dot") throws(SyncError) -> Dot {
        guard let r = ReplicaID(rawValue: replica) else { throw .malformed("\(what): invalid replica id \"\(replica)\"") }
        guard counter > 0 else { throw .malformed("\(what): dot counter 0") }
        guard counter <= SyncLimits.maxCounter else { throw .malformed("\(what): dot counter \(counter), above 2^63-1") }
        return Dot(replica: r, counter: counter)
    }
}

extension Gatehouse_Sync_V1_Value {
    public init(_ v: Value) {
        self.init()
        switch v {
        case .null: kind = .null(true)
        case .integer(let i): kind = .integer(i)
        case .real(let d): kind = .real(d)
        case .text(let s): kind = .text(s)
        case .blob(let b): kind = .blob(Data(b))
        }
    }

    /// The value; a `Value` message with no kind set is malformed.
    public func decoded() throws(SyncError) -> Value {
        switch kind {
        case .null: return .null
        case .integer(let i): return .integer(i)
        case .real(let d): return .real(d)
        case .text(let s): return .text(s)
        case .blob(let b): return .blob([UInt8](b))
        case nil: throw .malformed("value without a kind")
        }
    }
}
