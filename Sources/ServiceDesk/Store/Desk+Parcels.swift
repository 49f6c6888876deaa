import Foundation
import GRDB
import Replication

extension Desk {
    /// Logs mail received at the desk and returns the entry. The addressee is a registered
    /// customer (their name and unit are copied unless given) or a name and a unit.
    @discardableResult
    public func receiveParcel(_ input: ParcelInput, center requested: String? = nil) throws -> Parcel {
        let acting = try authorize(.parcels)
        let center = try recordCenter(requested)
        var recipient = input.recipient.flatMap { Col.text($0).text }
        var unit = input.unit.flatMap { Col.text($0).text }
        if input.customer == nil && (recipient == nil || unit == nil) {
            throw DeskError.invalid("say who the mail is for: --customer ID, or --recipient NAME and --unit UNIT")
        }
        let id = try write(acting) { tx -> String in
            if let c = input.customer {
                let cust = try requireCustomer(tx.db, c)
                guard cust.center == center else { throw DeskError.invalid("customer \(c) belongs to center \(cust.center), not \(center)") }
                recipient = recipient ?? cust.name
                unit = unit ?? cust.unit
            }
            return try tx.insert("parcel", id: ShortID.make("pc", tx), [
                "center": .text(center), "received_at": Col.time(acting.now), "type": .text(input.type.rawValue),
                "customer": Value(input.customer), "recipient": Value(recipient), "unit": Value(unit),
                "carrier": Col.text(input.carrier), "tracking_no": Col.text(input.trackingNo), "signed": 0,
                "note": Col.text(input.note),
            ])
        }
        return try parcel(id)
    }

    /// Records that the addressee was told their mail is waiting (again, if called twice).
    @discardableResult
    public func notifyParcel(_ id: String) throws -> Parcel {
        let acting = try authorize(.parcels)
        try write(acting) { tx in
            let p = try requireParcel(tx.db, id)
            guard p.isWaiting else {
                throw DeskError.refused("parcel \(p.id) was picked up on \(TimeFormat.short(p.pickedUpAt!)); nobody needs notifying")
            }
            try tx.update("parcel", id: p.id, ["notified_at": Col.time(acting.now)])
        }
        return try parcel(id)
    }

    /// Hands mail over. The log needs the collector's signature (签收): without it the
    /// hand-over is refused.
    @discardableResult
    public func pickUpParcel(_ id: String, by collector: String, signed: Bool) throws -> Parcel {
        let acting = try authorize(.parcels)
        let who = collector.trimmingWhitespace()
        guard !who.isEmpty else { throw DeskError.invalid("say who collected the mail (--by NAME)") }
        guard signed else {
            throw DeskError.refused("mail is handed over only against the collector's signature (001 P7.9-8 4.2.13): add --signed once they have signed")
        }
        try write(acting) { tx in
            let p = try requireParcel(tx.db, id)
            guard p.isWaiting else {
                throw DeskError.refused("parcel \(p.id) was already picked up by \(p.pickedUpBy ?? "?") on \(TimeFormat.short(p.pickedUpAt!))")
            }
            try tx.update("parcel", id: p.id, ["picked_up_at": Col.time(acting.now), "picked_up_by": .text(who), "signed": 1])
        }
        return try parcel(id)
    }

    package func parcel(_ id: String) throws -> Parcel {
        try replica.read { db in try requireParcel(db, id) }
    }

    /// The mail log, newest first; `waitingOnly` leaves out what was picked up.
    package func parcels(waitingOnly: Bool = false, customer: String? = nil, limit: Int = 500, offset: Int = 0) throws -> [Parcel] {
        var (sql, args) = parcelQuery(waitingOnly: waitingOnly, customer: customer, select: "*")
        sql += " ORDER BY received_at DESC, id LIMIT \(max(1, limit)) OFFSET \(max(0, offset))"
        return try replica.read { db in try Parcel.fetchAll(db, sql: sql, arguments: StatementArguments(args)) }
    }

    /// How many entries of the mail log match (what a cut list says).
    package func parcelCount(waitingOnly: Bool = false, customer: String? = nil) throws -> Int {
        let (sql, args) = parcelQuery(waitingOnly: waitingOnly, customer: customer, select: "count(*)")
        return try replica.read { db in try Int.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0 }
    }

    private func parcelQuery(waitingOnly: Bool, customer: String?, select: String) -> (String, [DatabaseValueConvertible]) {
        var sql = "SELECT \(select) FROM parcel WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if waitingOnly { sql += " AND picked_up_at IS NULL" }
        if let customer { sql += " AND customer = ?"; args.append(customer) }
        return (sql, args)
    }

    func requireParcel(_ db: Database, _ id: String) throws -> Parcel {
        guard let p = try Parcel.fetchOne(db, sql: "SELECT * FROM parcel WHERE id = ?", arguments: [id.trimmingWhitespace()]) else {
            throw DeskError.notFound("no parcel \(id); see `gatehouse parcel list`")
        }
        return p
    }
}
