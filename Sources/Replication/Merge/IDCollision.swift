extension TableLayout {
    /// Why `received` is not the record held under its id, if it is not: for a table whose
    /// ids are made by one replica (`IDOrigin.oneReplica`), two states are the same record
    /// exactly when they share its creation. The creating write stamps every append-only
    /// field, and no later write changes them without having seen it (settling a conflict
    /// re-stamps the field with a write whose vector covers the creation). So an append-only
    /// field written by two dots neither of which the other side's vector covers means two
    /// creations made apart: two records under one id (GHSP per-record code 409, SPEC §9).
    /// Merging them would mix their fields into one record; the receiver keeps its own and
    /// quarantines the other. Pure.
    public func idCollision(held: RecordState, received: RecordState) -> String? {
        guard table.idOrigin == .oneReplica else { return nil }
        for i in slots.indices where i < held.slots.count && i < received.slots.count {
            guard case .appendOnly = slots[i].policy,
                  let mine = held.slots[i].clock?.dot, let theirs = received.slots[i].clock?.dot, mine != theirs,
                  !received.vector.covers(mine), !held.vector.covers(theirs)
            else { continue }
            // Which replicas wrote them stays out: the reason travels to the sender, who may
            // be of another center.
            return "id collision: another \(table.name) record, created apart from this one (its \(slots[i].name) was "
                + "written by another creation), is held under the id \(received.id); the two are not merged: "
                + "re-create this record to give it an id of its own"
        }
        return nil
    }
}
