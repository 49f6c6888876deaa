/// The merge of two states of one record (ARCHITECTURE.md, "Replication semantics").
///
/// - remote's vector ≤ local's: nothing new in the fields (history entries still union);
/// - local's vector < remote's: take remote;
/// - concurrent: the result's vector is the pointwise maximum and each slot merges as a
///   multi-value register: of the writes either side holds (its winner and siblings),
///   keep those both sides hold and those the other side has not seen (a write the other
///   side has seen but no longer holds was superseded there). The slot's policy picks
///   the winner among the kept writes; the others stay as siblings, the open conflicts.
///   A delete wins over concurrent edits, which stay in the tombstone.
///
/// Which writes a slot holds is a function of the writes the state has seen (its
/// vector), the history entries are a grow-only map with a max per key, and nothing
/// here creates an entry: the merge is a join — commutative, associative, idempotent —
/// on the whole state, conflicts included. History entries are made only by local
/// writes (`WriteTransaction`) that replace a slot's siblings.
public enum Merge {
    public struct Outcome: Sendable {
        /// The merged state.
        public var state: RecordState
        /// The merged state differs from the local one.
        public var changed: Bool
        /// The merged state is exactly the remote one (nothing of the local side survives
        /// that the remote did not already have).
        public var tookRemote: Bool
        /// Open conflicts this merge detected: siblings of the result that were a winner
        /// on both sides they came from (neither side knew them as a conflict).
        public var newConflicts: Int
    }

    /// Merges `remote` into `local` (nil when the record is new here).
    public static func merge(local: RecordState?, remote: RecordState, layout: TableLayout) -> Outcome {
        guard let local else { return Outcome(state: remote, changed: true, tookRemote: true, newConflicts: 0) }
        switch remote.vector.compare(local.vector) {
        case .equal, .before:
            var s = local
            fillUnwritten(&s, from: remote)
            s.history = unionHistory(local.history, remote.history)
            let changed = s != local
            return Outcome(state: s, changed: changed, tookRemote: changed && s == remote, newConflicts: 0)
        case .after:
            var s = remote
            fillUnwritten(&s, from: local)
            s.history = unionHistory(local.history, remote.history)
            return Outcome(state: s, changed: s != local, tookRemote: s.history == remote.history, newConflicts: 0)
        case .concurrent:
            var detected = 0
            var s = local
            s.vector = local.vector.merged(remote.vector)
            for i in layout.slots.indices {
                s.slots[i] = mergeSlot(local.slots[i], remote.slots[i], slot: layout.slots[i],
                                       localVector: local.vector, remoteVector: remote.vector, detected: &detected)
            }
            s.deletion = maxClock(local.deletion, remote.deletion)
            s.history = unionHistory(local.history, remote.history)
            return Outcome(state: s, changed: true, tookRemote: s == remote, newConflicts: detected)
        }
    }

    /// Gives `s` the other side's slots where `s` has none written but the other has: one
    /// side held the record on an earlier schema, without the fields added since, though
    /// its vector covers their writes (a hub sends a node one version behind only the
    /// fields it knows; SPEC §11). Between replicas on one schema a slot without a clock
    /// exists only when neither side wrote it, so this changes nothing there.
    static func fillUnwritten(_ s: inout RecordState, from other: RecordState) {
        for i in s.slots.indices where i < other.slots.count && s.slots[i].clock == nil && other.slots[i].clock != nil {
            s.slots[i] = other.slots[i]
        }
    }

    /// Whether slot state `a` orders below `b` under `policy` (the winner is the larger).
    static func less(_ a: SlotState, _ b: SlotState, policy: MergePolicy) -> Bool {
        guard let bc = b.clock else { return false }
        guard let ac = a.clock else { return true }
        return less(a.values, ac, b.values, bc, policy: policy)
    }

    /// The winner order of concurrent writes: lifecycle rank first (lifecycle slots),
    /// then the last-writer-wins order of their clocks. Total over distinct dots.
    static func less(_ av: [Value], _ ac: Clock, _ bv: [Value], _ bc: Clock, policy: MergePolicy) -> Bool {
        if case .lifecycle(let l) = policy {
            let ra = l.rank(av) ?? [], rb = l.rank(bv) ?? []
            if ra != rb { return ra.lexicographicallyPrecedes(rb) }
        }
        return Clock.lwwLess(ac, bc)
    }

    /// Merges one slot of two concurrent states as a multi-value register.
    static func mergeSlot(_ l: SlotState, _ r: SlotState, slot: TableLayout.Slot, localVector lv: VersionVector,
                          remoteVector rv: VersionVector, detected: inout Int) -> SlotState {
        if case .addWinsSet = slot.policy { return mergeSet(l, r, lv: lv, rv: rv) }
        guard let lc = l.clock else { return r }
        guard let rc = r.clock else { return l }
        if l.siblings.isEmpty && r.siblings.isEmpty {
            // The common case: one write on each side.
            if lc.dot == rc.dot { return l }
            let keepL = !rv.covers(lc.dot), keepR = !lv.covers(rc.dot)
            if keepL && !keepR { return l }
            if keepR && !keepL { return r }
            let remoteWins = less(l, r, policy: slot.policy)
            // Each side superseded the other's write: no history produces this; stay total.
            if !keepL && !keepR { return remoteWins ? r : l }
            var out = remoteWins ? r : l
            let loser = remoteWins ? l : r
            out.siblings = [Sibling(values: loser.values, clock: loser.clock!)]
            detected += 1
            return out
        }
        let le = entries(l), re = entries(r)
        var kept: [Sibling] = []
        kept.reserveCapacity(le.count + re.count)
        var i = 0, j = 0
        while i < le.count || j < re.count {
            if j == re.count || (i < le.count && le[i].clock.dot < re[j].clock.dot) {
                if !rv.covers(le[i].clock.dot) { kept.append(le[i]) }
                i += 1
            } else if i == le.count || re[j].clock.dot < le[i].clock.dot {
                if !lv.covers(re[j].clock.dot) { kept.append(re[j]) }
                j += 1
            } else {
                kept.append(le[i])
                i += 1; j += 1
            }
        }
        if kept.isEmpty { return less(l, r, policy: slot.policy) ? r : l }  // not reachable, see above
        var w = 0
        for k in kept.indices.dropFirst()
        where less(kept[w].values, kept[w].clock, kept[k].values, kept[k].clock, policy: slot.policy) { w = k }
        let winner = kept.remove(at: w)
        for s in kept where !l.siblings.contains(where: { $0.clock.dot == s.clock.dot })
            && !r.siblings.contains(where: { $0.clock.dot == s.clock.dot }) { detected += 1 }
        return SlotState(values: winner.values, clock: winner.clock, elements: l.elements, siblings: kept)
    }

    /// A register slot's writes (winner and siblings), sorted by dot.
    static func entries(_ s: SlotState) -> [Sibling] {
        guard let c = s.clock else { return [] }
        var out = s.siblings
        let w = Sibling(values: s.values, clock: c)
        out.insert(w, at: out.firstIndex { c.dot < $0.clock.dot } ?? out.count)
        return out
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

    /// Union of two sorted history lists keyed by (field, loser dot); for the same key
    /// (two replicas settled the same sibling concurrently) the entry with the later
    /// resolution clock (last-writer-wins order) is kept.
    static func unionHistory(_ a: [ConflictEntry], _ b: [ConflictEntry]) -> [ConflictEntry] {
        if b.isEmpty || a == b { return a }
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
                out.append(resolvedLater(a[i], b[j]))
                i += 1; j += 1
            }
        }
        return out
    }

    /// Of two history entries with the same key, the one settled by the later write.
    static func resolvedLater(_ a: ConflictEntry, _ b: ConflictEntry) -> ConflictEntry {
        guard let rb = b.resolution else { return a }
        guard let ra = a.resolution else { return b }
        if ra.dot == rb.dot { return a }
        return Clock.lwwLess(ra, rb) ? b : a
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
