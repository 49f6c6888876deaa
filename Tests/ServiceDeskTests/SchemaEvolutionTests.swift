import Replication
import Testing
@testable import ServiceDesk

/// Fields are only ever appended (a record's slots are positional, on disk and on the
/// wire): desk schema 2's tables, pinned here from the schema of commit d0bc770^, must be
/// the first fields of today's, and `DeskSchema.version2FieldCounts` must say so. A field
/// inserted in the middle (as `ticket.location` first was) would shift the clocks of every
/// stored ticket of an upgraded database and break a rolling upgrade.
struct SchemaEvolutionTests {
    static let version2: [String: [String]] = [
        "customer": ["center", "name", "phone", "id_number", "unit", "move_in", "move_out", "special_care", "refused_callback", "refused_reason", "needs", "note", "created_at", "created_by", "tags"],
        "household_member": ["center", "customer", "name", "relation", "phone"],
        "ticket": ["center", "number", "kind", "complaint_class", "severity", "channel", "summary", "customer", "unit", "about_staff", "status", "reopen_count", "escalated", "assignee", "assignee_kind", "opened_at", "opened_by", "cycle_opened_at", "answered_at", "dispatched_at", "agreed_arrival_at", "arrived_at", "completed_at", "customer_signed", "called_back_at", "closed_at", "cancelled_at", "escalated_at", "price_item", "off_list", "off_list_reviewed_by", "fee", "material_source", "material_failed_inspection", "material_customer_signed", "supplier", "supplier_agreement", "paid_at", "receipt_no", "collected_by"],
        "ticket_event": ["center", "ticket", "at", "staff", "action", "detail"],
        "callback": ["center", "ticket", "customer", "method", "result", "score", "comment", "signed", "at", "staff"],
        "callback_plan": ["center", "month", "seed", "created_at", "created_by"],
        "parcel": ["center", "received_at", "type", "customer", "recipient", "unit", "carrier", "tracking_no", "notified_at", "picked_up_at", "picked_up_by", "signed", "note"],
        "custody": ["center", "customer", "description", "condition_in", "verified_in", "received_at", "received_by", "returned_at", "condition_out", "verified_out", "returned_by"],
        "price_item": ["center", "code", "name", "unit", "price", "active"],
        "calendar_day": ["kind", "name"],
        "staff": ["center", "name", "role", "phone", "hire_date", "supplier", "active", "password_hash"],
        "audit": ["center", "node", "seq", "action", "staff", "role", "record", "fields", "grant_id", "purpose", "detail", "at", "prev", "hash"],
        "data_grant": ["center", "customers", "fields", "purpose", "grantee", "valid_from", "valid_to", "applied_by", "applied_at", "quality_by", "quality_at", "leadership_by", "leadership_at", "revoked", "revoked_by", "revoked_at", "revoke_reason"],
    ]

    @Test func version2IsAPrefixOfToday() throws {
        let today = Dictionary(uniqueKeysWithValues: DeskSchema.schema.tables.map { ($0.name, $0.fields.map(\.name)) })
        for (table, fields) in Self.version2 {
            let now = try #require(today[table], "table \(table) disappeared")
            #expect(Array(now.prefix(fields.count)) == fields, "\(table): fields of version 2 moved or changed")
            #expect(DeskSchema.version2FieldCounts[table] == fields.count, "\(table): version2FieldCounts")
        }
        #expect(Set(DeskSchema.version2FieldCounts.keys) == Set(Self.version2.keys))
        let v2 = try #require(DeskSchema.schema.projected(to: 2))
        #expect(v2.tables.map(\.name).sorted() == Self.version2.keys.sorted())
    }
}
