/// The merge of two states of one record (ARCHITECTURE.md, "Replication semantics").
///
/// - remote's vector ≤ local's: nothing new in the fields (conflict entries still union);
/// - local's vector < remote's: take remote;
/// - concurrent: per slot, a value whose dot the other side has seen loses to the other
///   side's value; where neither side saw the other's write, the slot's policy picks the
///   winner and the loser is kept as a `ConflictEntry`. The result's vector is the
///   pointwise maximum. A delete wins over concurrent edits, which stay in the tombstone.
///
/// Every policy's order extends causality (hybrid-logical time moves past everything a
/// replica has seen; lifecycle values only move forward), so each slot ends holding the
/// maximum of every write seen: the merge is commutative, associative and idempotent.
public enum Merge {
    public struct Outcome: Sendable {
        /// The merged state.
        public var state: RecordState
        /// The merged state differs from the local one.
        public var changed: Bool
        /// The merged state is exactly the remote one (nothing of the local side survives
        /// that the remote did not already have).
        public var tookRemote: Bool
        /// Conflict entries this merge created.
        public var newConflicts: Int
    }

    /// Merges `remote` into `local` (nil when the record is new here).
    public static func merge(local: RecordState?, remote: RecordState, layout: TableLayout) -> Outcome {
        guard let local else { return Outcome(state: remote, changed: true, tookRemote: true, newConflicts: 0) }
        switch remote.vector.compare(local.vector) {
        case .equal, .before:
            var s = local
            s.conflicts = unionConflicts(local.conflicts, remote.conflicts, layout: layout)
            let changed = s.conflicts != local.conflicts
            return Outcome(state: s, changed: changed, tookRemote: changed && s == remote, newConflicts: 0)
        case .after:
            var s = remote
            s.conflicts = unionConflicts(local.conflicts, remote.conflicts, layout: layout)
            return Outcome(state: s, changed: s != local, tookRemote: s.conflicts == remote.conflicts, newConflicts: 0)
        case .concurrent:
            var created: [ConflictEntry] = []
            var s = local
            s.vector = local.vector.merged(remote.vector)
            for i in layout.slots.indices {
                s.slots[i] = mergeSlot(local.slots[i], remote.slots[i], slot: layout.slots[i],
                                       localVector: local.vector, remoteVector: remote.vector, conflicts: &created)
            }
            s.deletion = maxClock(local.deletion, remote.deletion)
            created.sort(by: ConflictEntry.keyLess)
            s.conflicts = unionConflicts(unionConflicts(local.conflicts, remote.conflicts, layout: layout), created,
                                         layout: layout)
            return Outcome(state: s, changed: true, tookRemote: s == remote, newConflicts: created.count)
        }
    }

    /// Whether slot state `a` orders below `b` under `policy` (the winner is the larger).
    static func less(_ a: SlotState, _ b: SlotState, policy: MergePolicy) -> Bool {
        guard let bc = b.clock else { return false }
        guard let ac = a.clock else { return true }
        if case .lifecycle(let l) = policy {
            let ra = l.rank(a.values) ?? [], rb = l.rank(b.values) ?? []
            if ra != rb { return ra.lexicographicallyPrecedes(rb) }
        }
        return Clock.lwwLess(ac, bc)
    }

    static func mergeSlot(_ l: SlotState, _ r: SlotState, slot: TableLayout.Slot, localVector lv: VersionVector,
                          remoteVector rv: VersionVector, conflicts: inout [ConflictEntry]) -> SlotState {
        if case .addWinsSet = slot.policy { return mergeSet(l, r, lv: lv, rv: rv) }
        guard let lc = l.clock else { return r }
        guard let rc = r.clock else { return l }
        if lc.dot == rc.dot { return l }
        let lSeenByRemote = rv.covers(lc.dot), rSeenByLocal = lv.covers(rc.dot)
        if rSeenByLocal && !lSeenByRemote { return l }
        if lSeenByRemote && !rSeenByLocal { return r }
        let remoteWins = less(l, r, policy: slot.policy)
        let (winner, loser) = remoteWins ? (r, l) : (l, r)
        if !lSeenByRemote && !rSeenByLocal && winner.values != loser.values {
            conflicts.append(ConflictEntry(
                field: slot.name, policy: slot.policy.name, needsReview: needsReview(slot.policy),
                winner: winner.clock!, winnerValues: winner.values, loser: loser.clock!, loserValues: loser.values))
        }
        return winner
    }

    static func needsReview(_ p: MergePolicy) -> Bool {
        switch p {
        case .review, .appendOnly: return true
        default: return false
        }
    }

    /// Observed-remove merge: an add dot survives unless the other side has seen it and
    /// dropped it.
    static func mergeSet(_ l: SlotState, _ r: SlotState, lv: VersionVector, rv: VersionVector) -> SlotState {
        let le = l.elements ?? [], re = r.elements ?? []
        var out: [SetElement] = []
        var i = 0, j = 0
        while i < le.count || j < re.count {
            if j == re.count || (i < le.count && Value.canonicalLess(le[i].value, re[j].value)) {
                let d = le[i].dots.filter { !rv.covers($0) }
                if !d.isEmpty { out.append(SetElement(value: le[i].value, dots: d)) }
                i += 1
            } else if i == le.count || Value.canonicalLess(re[j].value, le[i].value) {
                let d = re[j].dots.filter { !lv.covers($0) }
                if !d.isEmpty { out.append(SetElement(value: re[j].value, dots: d)) }
                j += 1
            } else {
                let a = Set(le[i].dots), b = Set(re[j].dots)
                let keep = a.intersection(b).union(a.subtracting(b).filter { !rv.covers($0) })
                    .union(b.subtracting(a).filter { !lv.covers($0) })
                if !keep.isEmpty { out.append(SetElement(value: le[i].value, dots: keep.sorted())) }
                i += 1; j += 1
            }
        }
        return SlotState(values: [SetCodec.encode(out.map(\.value))], clock: maxClock(l.clock, r.clock), elements: out)
    }

    static func maxClock(_ a: Clock?, _ b: Clock?) -> Clock? {
        guard let a else { return b }
        guard let b else { return a }
        return Clock.lwwLess(a, b) ? b : a
    }

    /// Union of two sorted conflict lists; entries with the same key keep the higher
    /// winner (by the field's policy) and the later resolution.
    static func unionConflicts(_ a: [ConflictEntry], _ b: [ConflictEntry], layout: TableLayout) -> [ConflictEntry] {
        if b.isEmpty { return a }
        if a.isEmpty { return b }
        var out: [ConflictEntry] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && ConflictEntry.keyLess(a[i], b[j])) {
                out.append(a[i]); i += 1
            } else if i == a.count || ConflictEntry.keyLess(b[j], a[i]) {
                out.append(b[j]); j += 1
            } else {
                var e = a[i]
                let o = b[j]
                if e != o {
                    let policy = layout.fieldSlot[e.field].map { layout.slots[$0.slot].policy } ?? .lastWriterWins
                    let ew = SlotState(values: e.winnerValues, clock: e.winner)
                    let ow = SlotState(values: o.winnerValues, clock: o.winner)
                    if less(ew, ow, policy: policy) {
                        e.winner = o.winner
                        e.winnerValues = o.winnerValues
                    }
                    e.resolution = maxClock(e.resolution, o.resolution)
                }
                out.append(e)
                i += 1; j += 1
            }
        }
        return out
    }
}

/// The column encoding of an add-wins set: a JSON array of its elements in canonical
/// order, so SQL can read it with `json_each`.
public enum SetCodec {
    public static func encode(_ values: [Value]) -> Value {
        var s = "["
        for (k, v) in values.enumerated() {
            if k > 0 { s += "," }
            switch v {
            case .null: s += "null"
            case .integer(let i): s += String(i)
            case .real(let d): s += d.isFinite ? String(d) : "null"
            case .text(let t): s += jsonString(t)
            case .blob(let b): s += jsonString(b.map { String(format: "%02x", $0) }.joined())
            }
        }
        return .text(s + "]")
    }

    static func jsonString(_ t: String) -> String {
        var out = "\""
        for u in t.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

import Foundation
