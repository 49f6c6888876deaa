/// Whether a receiver takes a peer's record state: the schema's authority declarations
/// (`Authority`, `TableAuthority`, `ValueRule`) checked against what the receiver already
/// holds, never against what the incoming state claims (ARCHITECTURE.md, "The trust
/// boundary"). Pure: the apply path hands it the local state, the remote one and their
/// merge, and quarantines the record when it returns a reason.
///
/// The rules, in order:
/// 1. A center's node sends only its own writes: every replica but the node itself appears
///    in the record's vector no further than in the receiver's (a node has nothing from
///    anyone else that did not come from the hub, which holds it) — except the receiver's
///    own retired identities (`Sender.lostWritesOf`): after a restore from backup the hub
///    takes back from a node the head-office writes the node had pulled.
/// 2. The record's center is the one of the record held, else the one claimed by a new
///    record. A node originates only its own center's records (never shared ones); the
///    hub sends a node only that node's center's records and shared ones.
/// 3. A new record: its table must permit the sender to create it.
/// 4. Every field the merge would change needs a write of the sender's that the receiver
///    has not seen (no rewriting of writes it holds), and for each such write: the field's
///    origin must permit the sender (a new record may carry NULL there); an append-only
///    table's records never change; an append-only field is never rewritten (a write
///    concurrent with its creation elsewhere is a second creation, kept as a conflict to
///    review, and settling that conflict takes one of the values created); the center
///    field never changes; the table's value rules hold.
/// 5. A delete: never of an append-only table's record, and only by a side the table
///    permits to delete.
/// 6. Settled-conflict history the receiver lacks comes with the sender's write that
///    settled it, to a field the sender may write.
public enum AuthorityCheck {
    /// Why `sender` may not bring `remote` to a receiver holding `local` (nil when the
    /// record is new here), or nil when it may. `merged` is `Merge.merge(local:remote:)`'s
    /// state (`remote` itself for a new record).
    public static func refusal(local: RecordState?, remote: RecordState, merged: RecordState, layout l: TableLayout,
                               sender: Sender) -> String? {
        let t = l.table
        let seen = local?.vector ?? VersionVector()
        let side = sender.side
        // 1. Only its own writes.
        if side == .center {
            // A restored receiver's old identities are exempt: it lost their later writes,
            // and a node that pulled them is the only place they survive. It never writes
            // with those ids again, so a forged dot of theirs shadows no future write.
            for e in remote.vector.entries
            where e.replica != sender.replica && e.counter > seen[e.replica] && !sender.lostWritesOf.contains(e.replica) {
                return "carries writes of \(e.replica) that this replica does not hold; a node sends only its own writes"
            }
        }
        // 2. The center, from what is held.
        let center = local.map { l.scope(of: $0) } ?? l.scope(of: remote)
        switch side {
        case .center:
            guard center == sender.center else {
                return "\(t.name) of \(center.map { "center \($0)" } ?? "data shared by all centers") refused from a node of \(sender.center)"
            }
        case .headOffice:
            if let center, center != sender.center {
                return "\(t.name) of center \(center) sent to the node of \(sender.center)"
            }
        }
        // 3. Creation.
        if local == nil, !t.authority.create.permits(side) {
            return "only \(t.authority.create.rawValue) may create \(t.name) records"
        }
        // 4. Fields.
        for i in l.slots.indices {
            var writes = newWrites(remote.slots[i], seen)
            if writes.isEmpty, let local, local.slots[i].clock == nil, remote.slots[i].clock != nil {
                // The receiver held the record on an earlier schema, without this field: it
                // saw the writes (its vector covers them) but never their content. Nothing
                // held is rewritten; the writes are checked like new ones.
                writes = newWrites(remote.slots[i], VersionVector())
            }
            // A new record's slot that was never written holds nothing (a field added by a
            // later schema version and not set since).
            let changed = local.map { merged.slots[i] != $0.slots[i] }
                ?? !(remote.slots[i].values.allSatisfy { $0 == .null } && remote.slots[i].siblings.isEmpty && remote.slots[i].elements?.isEmpty != false)
            if writes.isEmpty {
                if changed {
                    return "changes \(t.name).\(l.slots[i].name) without a write of its own (rewrites a write this replica holds)"
                }
                continue
            }
            if let reason = fieldRefusal(slot: i, writes: writes, local: local, remote: remote, layout: l, sender: sender) {
                return reason
            }
        }
        // 5. Deletes.
        if let d = remote.deletion, !seen.covers(d.dot) {
            if t.appendOnly { return "\(t.name) is append-only: its records are never deleted" }
            if !t.authority.delete.permits(side) {
                return t.authority.delete == .nobody
                    ? "\(t.name) records are never deleted"
                    : "only \(t.authority.delete.rawValue) may delete \(t.name) records"
            }
        }
        // 6. Settled-conflict history.
        if merged.history != (local?.history ?? []) {
            for e in merged.history where !(local?.history.contains(e) ?? false) {
                guard let res = e.resolution, !seen.covers(res.dot) else {
                    return "brings a settled conflict of \(t.name).\(e.field) without the write that settled it"
                }
                guard let sp = l.fieldSlot[e.field], l.slots[sp.slot].name == e.field else {
                    return "settles a conflict of \(t.name).\(e.field), which is not a field of the table"
                }
                if t.appendOnly { return "\(t.name) is append-only: its records never change" }
                if let reason = originRefusal(slot: sp.slot, values: nil, isNew: false, layout: l, side: side) { return reason }
            }
        }
        return nil
    }

    /// One write to a slot that the receiver has not seen: its values (nil for a set's
    /// element or clock, which are checked as a whole) and dot.
    struct Write {
        var values: [Value]?
        var dot: Dot
    }

    /// The writes of `slot` that `seen` does not cover: its winner, its siblings, and for a
    /// set the adds of its elements.
    static func newWrites(_ slot: SlotState, _ seen: VersionVector) -> [Write] {
        var out: [Write] = []
        if let c = slot.clock, !seen.covers(c.dot) { out.append(Write(values: slot.elements == nil ? slot.values : nil, dot: c.dot)) }
        for s in slot.siblings where !seen.covers(s.clock.dot) { out.append(Write(values: s.values, dot: s.clock.dot)) }
        for e in slot.elements ?? [] {
            for d in e.dots where !seen.covers(d) { out.append(Write(values: nil, dot: d)) }
        }
        return out
    }

    static func fieldRefusal(slot i: Int, writes: [Write], local: RecordState?, remote: RecordState, layout l: TableLayout,
                             sender: Sender) -> String? {
        let t = l.table
        let slot = l.slots[i]
        if let local {
            if t.appendOnly { return "\(t.name) is append-only: its records never change" }
            if let (s, p) = l.scopeSlot, s == i {
                let held = local.slots[s].values[p]
                if writes.contains(where: { w in w.values.map { $0[p] != held } ?? true }) {
                    return "the center of a \(t.name) record never changes (it is \(held.text ?? "shared") here)"
                }
            }
            if case .appendOnly = slot.policy, let reason = appendOnlyRefusal(slot: i, writes: writes, local: local, remote: remote, layout: l) {
                return reason
            }
        }
        for w in writes {
            if let reason = originRefusal(slot: i, values: w.values, isNew: local == nil, layout: l, side: sender.side) { return reason }
        }
        for r in l.valueRules where r.slot == i {
            for w in writes {
                guard let values = w.values else { continue }
                let v = values[r.position]
                switch r.rule {
                case .oneOf(let field, let allowed, let when):
                    guard when == sender.side, v != .null else { continue }
                    if !(v.text.map(allowed.contains) ?? false) {
                        return "\(t.name).\(field) \(v) may not be written by \(when == .center ? "a center" : "head office") (allowed: \(allowed.joined(separator: ", ")))"
                    }
                case .writerReplica(let field):
                    if v != .text(w.dot.replica.rawValue) {
                        return "\(t.name).\(field) \(v) written by \(w.dot.replica): each replica writes only its own"
                    }
                }
            }
        }
        return nil
    }

    /// Whether `side` may write slot `i`; a new record may carry NULL in fields the side
    /// may not write (`values` nil: a set's elements, never NULL).
    static func originRefusal(slot i: Int, values: [Value]?, isNew: Bool, layout l: TableLayout, side: Side) -> String? {
        for (p, c) in l.slots[i].columns.enumerated() {
            let f = l.fields[c]
            guard !f.origin.permits(side) else { continue }
            if isNew, let values, values[p] == .null { continue }
            return "only \(f.origin.rawValue) may write \(l.name).\(f.name)"
        }
        return nil
    }

    /// An append-only field of a record held here. A write made without seeing the held
    /// value is a concurrent creation: the remote state still holds the held write beside
    /// it. A write that replaced a held write (the remote vector covers it, and the remote
    /// slot no longer holds it) rewrote it: refused, unless it settles a conflict between
    /// concurrent creations by taking one of the values created.
    static func appendOnlyRefusal(slot i: Int, writes: [Write], local: RecordState, remote: RecordState, layout l: TableLayout) -> String? {
        let held = local.slots[i]
        let kept = Set(Merge.entries(remote.slots[i]).map(\.clock.dot))
        let heldWrites = Merge.entries(held)
        guard heldWrites.contains(where: { remote.vector.covers($0.clock.dot) && !kept.contains($0.clock.dot) }) else { return nil }
        let created = heldWrites.map(\.values)
        if held.siblings.isEmpty || writes.contains(where: { w in !created.contains { $0 == w.values } }) {
            return "\(l.name).\(l.slots[i].name) is append-only: set once when the record is created"
        }
        return nil
    }
}
