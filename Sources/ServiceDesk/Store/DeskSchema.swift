import Replication

/// The service desk's replicated tables. Every table is scoped by its `center` column
/// (NULL means shared by all centers), so the hub can send each node only its own
/// center's records plus the shared reference data.
///
/// Policies follow DOMAIN.md: contact data, fees, receipt numbers and satisfaction
/// results are flagged for review when edited concurrently; request status only moves
/// forward as (reopen count, stage); the escalation flag only goes up; timeline events
/// are append-only.
///
/// Authority (issue 14; ARCHITECTURE.md, "The trust boundary"), checked by every receiver
/// against what it already holds (`AuthorityCheck`):
/// - A record's center is fixed when it is created. A center's node creates and changes
///   only its own center's records, never shared ones (NULL center): the calendar, the
///   shared price list and head office's staff (center `HQ`) come only from head office.
/// - Head office may write every table (it acts for centers too), except that its own
///   audit entries are only its own (see below).
/// - Nothing is deleted through sync except calendar overrides, by head office: the desk
///   retires records with flags (`active`, `cancelled_at`, `revoked`), never tombstones.
/// - Staff: a center's staff have center roles (`centerRoles`); the quality department,
///   operations, company leadership and head office's administrators exist only at the
///   hub (center `HQ`).
/// - Data grants: a center applies; only head office writes the approvals
///   (`quality_by`/`quality_at`, `leadership_by`/`leadership_at`); either side revokes.
/// - Audit entries are append-only for everybody and each replica writes only its own
///   chain (`node` is the writer's replica id), of its own center.
public enum DeskSchema {
    /// Bumped whenever a table or field is added; peers on other versions refuse to sync.
    public static let version = 2

    /// Request status with its reopen count, ranked as `TicketState.rank`.
    static let requestLifecycle = Lifecycle(name: "request") { v in
        guard let s = v.first?.text, let stage = TicketStage(rawValue: s) else { return nil }
        let reopen = v.count > 1 ? Int(v[1].integer ?? 0) : 0
        return [reopen, stage.stageIndex]
    }

    /// A 0/1 flag that can only be raised.
    static let raisedFlag = Lifecycle(name: "flag") { v in
        guard let i = v.first?.integer, i == 0 || i == 1 else { return nil }
        return [Int(i)]
    }

    /// The roles a center's node may give its staff: every role that works at a center,
    /// and the center's own administrator.
    public static let centerRoles: [String] = StaffRole.allCases.filter { $0.workplace != .headOffice }.map(\.rawValue)

    /// What most tables allow: either side creates (a center its own center's records),
    /// nobody deletes.
    static let kept = TableAuthority(create: .anyone, delete: .nobody)

    static func scoped(_ name: String, _ fields: [Field], appendOnly: Bool = false, indexes: [[String]] = [],
                       authority: TableAuthority = kept) -> ReplicatedTable {
        ReplicatedTable(name, scope: .column("center"), fields: [Field("center", .text, .appendOnly)] + fields,
                        appendOnly: appendOnly, indexes: indexes, authority: authority)
    }

    public static let tables: [ReplicatedTable] = [
        scoped("customer", [
            Field("name", .text, .review),
            Field("phone", .text, .review),
            Field("id_number", .text, .review),
            Field("unit", .text, .review),
            Field("move_in", .text),
            Field("move_out", .text),
            Field("special_care", .integer),
            Field("refused_callback", .integer),
            Field("refused_reason", .text),
            Field("needs", .text),
            Field("note", .text),
            Field("created_at", .integer, .appendOnly),
            Field("created_by", .text, .appendOnly),
            Field("tags", .text, .addWinsSet),
        ], indexes: [["center", "phone"], ["center", "unit"]]),
        scoped("household_member", [
            Field("customer", .text, .appendOnly),
            Field("name", .text, .review),
            Field("relation", .text),
            Field("phone", .text, .review),
        ], indexes: [["customer"]]),
        scoped("ticket", [
            Field("number", .text, .appendOnly),
            Field("kind", .text, .appendOnly),
            Field("complaint_class", .integer),
            Field("severity", .text),
            Field("channel", .text),
            Field("summary", .text),
            Field("customer", .text),
            Field("unit", .text),
            // For complaints: the staff member complained about, if any.
            Field("about_staff", .text),
            Field("status", .text, .lifecycle(requestLifecycle)),
            Field("reopen_count", .integer, .partOf("status")),
            Field("escalated", .integer, .lifecycle(raisedFlag)),
            Field("assignee", .text),
            Field("assignee_kind", .text, .partOf("assignee")),
            Field("opened_at", .integer, .appendOnly),
            Field("opened_by", .text, .appendOnly),
            // When the current cycle began (the last reopen), for its deadlines.
            Field("cycle_opened_at", .integer),
            Field("answered_at", .integer),
            Field("dispatched_at", .integer),
            Field("agreed_arrival_at", .integer),
            Field("arrived_at", .integer),
            Field("completed_at", .integer),
            Field("customer_signed", .integer),
            Field("called_back_at", .integer),
            Field("closed_at", .integer),
            Field("cancelled_at", .integer),
            Field("escalated_at", .integer),
            // Commissioned (paid) services.
            Field("price_item", .text),
            Field("off_list", .integer),
            Field("off_list_reviewed_by", .text, .review),
            Field("fee", .integer, .review),
            Field("material_source", .text),
            Field("material_failed_inspection", .integer),
            Field("material_customer_signed", .integer),
            Field("supplier", .text),
            Field("supplier_agreement", .text),
            Field("paid_at", .integer),
            Field("receipt_no", .text, .review),
            Field("collected_by", .text),
        ], indexes: [["center", "number"], ["center", "status"], ["customer"], ["center", "opened_at"]]),
        scoped("ticket_event", [
            Field("ticket", .text, .appendOnly),
            Field("at", .integer, .appendOnly),
            Field("staff", .text, .appendOnly),
            Field("action", .text, .appendOnly),
            Field("detail", .text, .appendOnly),
        ], appendOnly: true, indexes: [["ticket", "at"]]),
        scoped("callback", [
            Field("ticket", .text, .appendOnly),
            Field("customer", .text, .appendOnly),
            Field("method", .text),
            Field("result", .text, .review),
            Field("score", .integer, .review),
            Field("comment", .text),
            Field("signed", .integer),
            Field("at", .integer),
            Field("staff", .text),
        ], indexes: [["ticket"], ["center", "at"]]),
        scoped("callback_plan", [
            Field("month", .text, .appendOnly),
            Field("seed", .integer, .appendOnly),
            Field("created_at", .integer, .appendOnly),
            Field("created_by", .text, .appendOnly),
        ]),
        scoped("parcel", [
            Field("received_at", .integer, .appendOnly),
            Field("type", .text),
            Field("customer", .text),
            Field("recipient", .text, .review),
            Field("unit", .text),
            Field("carrier", .text),
            Field("tracking_no", .text),
            Field("notified_at", .integer),
            Field("picked_up_at", .integer),
            Field("picked_up_by", .text, .review),
            Field("signed", .integer),
            Field("note", .text),
        ], indexes: [["center", "received_at"]]),
        scoped("custody", [
            Field("customer", .text),
            Field("description", .text),
            Field("condition_in", .text),
            Field("verified_in", .integer),
            Field("received_at", .integer, .appendOnly),
            Field("received_by", .text, .appendOnly),
            Field("returned_at", .integer),
            Field("condition_out", .text),
            Field("verified_out", .integer),
            Field("returned_by", .text),
        ]),
        scoped("price_item", [
            Field("code", .text, .appendOnly),
            Field("name", .text),
            Field("unit", .text),
            Field("price", .integer, .review),
            Field("active", .integer),
        ], indexes: [["code"]]),
        ReplicatedTable("calendar_day", scope: .shared, fields: [
            Field("kind", .text, origin: .headOffice),
            Field("name", .text, origin: .headOffice),
        ], authority: TableAuthority(create: .headOffice, delete: .headOffice)),
        scoped("staff", [
            Field("name", .text),
            Field("role", .text),
            Field("phone", .text, .review),
            Field("hire_date", .text),
            Field("supplier", .integer),
            Field("active", .integer),
            // Version 2: the login password as a PBKDF2 hash (Access/PasswordHash.swift),
            // replicated so a center can log its staff in offline.
            Field("password_hash", .text),
        ], authority: TableAuthority(create: .anyone, delete: .nobody, rules: [.oneOf(field: "role", values: centerRoles, when: .center)])),
        // Issue 6 (schema version 2): the audit trail. Append-only; each node chains its
        // own entries (seq, prev → hash) so `gatehouse audit verify` finds edits and gaps.
        scoped("audit", [
            Field("node", .text, .appendOnly),
            Field("seq", .integer, .appendOnly),
            Field("action", .text, .appendOnly),
            Field("staff", .text, .appendOnly),
            Field("role", .text, .appendOnly),
            Field("record", .text, .appendOnly),
            Field("fields", .text, .appendOnly),
            Field("grant_id", .text, .appendOnly),
            Field("purpose", .text, .appendOnly),
            Field("detail", .text, .appendOnly),
            Field("at", .integer, .appendOnly),
            Field("prev", .text, .appendOnly),
            Field("hash", .text, .appendOnly),
        ], appendOnly: true, indexes: [["node", "seq"], ["center", "at"], ["staff"], ["record"]],
           authority: TableAuthority(create: .anyone, delete: .nobody, rules: [.writerReplica(field: "node")])),
        // Issue 6: head-office data grants. What a grant covers is fixed at application;
        // each approval is set once; revocation only goes up and, being a separate field,
        // wins over an approval made concurrently elsewhere (a grant acts only unrevoked).
        scoped("data_grant", [
            Field("customers", .text, .appendOnly),
            Field("fields", .text, .appendOnly),
            Field("purpose", .text, .appendOnly),
            Field("grantee", .text, .appendOnly),
            Field("valid_from", .integer, .appendOnly),
            Field("valid_to", .integer, .appendOnly),
            Field("applied_by", .text, .appendOnly),
            Field("applied_at", .integer, .appendOnly),
            Field("quality_by", .text, origin: .headOffice),
            Field("quality_at", .integer, .partOf("quality_by"), origin: .headOffice),
            Field("leadership_by", .text, origin: .headOffice),
            Field("leadership_at", .integer, .partOf("leadership_by"), origin: .headOffice),
            Field("revoked", .integer, .lifecycle(raisedFlag)),
            Field("revoked_by", .text, .partOf("revoked")),
            Field("revoked_at", .integer, .partOf("revoked")),
            Field("revoke_reason", .text, .partOf("revoked")),
        ], indexes: [["center", "grantee"]]),
    ]

    public static let schema = ReplicationSchema(version: version, tables: tables)
}
