import Foundation
import GRDB
import Replication

extension Desk {
    /// Takes a customer's item into custody. Cash and valuables are refused (CustodyPolicy);
    /// the item's condition must be described and verified with the customer face to face.
    @discardableResult
    public func receiveCustody(customer: String, description: String, condition: String, verified: Bool) throws -> CustodyItem {
        let acting = try authorize(.custody)
        try CustodyPolicy.validate(description: description)
        let cond = condition.trimmingWhitespace()
        guard !cond.isEmpty else { throw DeskError.invalid("describe the item's condition at hand-over (--condition)") }
        guard verified else {
            throw DeskError.refused("the item's condition is verified with the customer face to face at hand-over (001 P7.12-1 4.2.5): add --verified once you both checked it")
        }
        let id = try write(acting) { tx -> String in
            let c = try requireCustomer(tx.db, customer)
            return try tx.insert("custody", id: ShortID.make("cs", tx), [
                "center": .text(c.center), "customer": .text(c.id), "description": Col.text(description),
                "condition_in": .text(cond), "verified_in": 1, "received_at": Col.time(acting.now),
                "received_by": .text(acting.staff),
            ])
        }
        return try custodyItem(id)
    }

    /// Returns an item to its owner, with its condition verified again.
    @discardableResult
    public func returnCustody(_ id: String, condition: String, verified: Bool) throws -> CustodyItem {
        let acting = try authorize(.custody)
        let cond = condition.trimmingWhitespace()
        guard !cond.isEmpty else { throw DeskError.invalid("describe the item's condition at return (--condition)") }
        guard verified else {
            throw DeskError.refused("the item's condition is verified with the customer when it is returned (001 P7.12-1 4.2.8): add --verified")
        }
        try write(acting) { tx in
            let item = try requireCustody(tx.db, id)
            guard item.isHeld else {
                throw DeskError.refused("custody item \(item.id) was already returned on \(TimeFormat.short(item.returnedAt!))")
            }
            try tx.update("custody", id: item.id, [
                "returned_at": Col.time(acting.now), "condition_out": .text(cond), "verified_out": 1, "returned_by": .text(acting.staff),
            ])
        }
        return try custodyItem(id)
    }

    func custodyItem(_ id: String) throws -> CustodyItem {
        try replica.read { db in try requireCustody(db, id) }
    }

    /// Items in custody, newest first; `heldOnly` leaves out returned ones.
    func custodyItems(heldOnly: Bool = false, customer: String? = nil) throws -> [CustodyItem] {
        var sql = "SELECT * FROM custody WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if heldOnly { sql += " AND returned_at IS NULL" }
        if let customer { sql += " AND customer = ?"; args.append(customer) }
        sql += " ORDER BY received_at DESC, id"
        return try replica.read { db in try CustodyItem.fetchAll(db, sql: sql, arguments: StatementArguments(args)) }
    }

    func requireCustody(_ db: Database, _ id: String) throws -> CustodyItem {
        guard let c = try CustodyItem.fetchOne(db, sql: "SELECT * FROM custody WHERE id = ?", arguments: [id.trimmingWhitespace()]) else {
            throw DeskError.notFound("no custody item \(id); see `gatehouse custody list`")
        }
        return c
    }
}
