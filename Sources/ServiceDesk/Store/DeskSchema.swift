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
/// - Corrective actions (version 3): a center records and carries them out
///   (`action`, `done_*`); only head office decides (`decision`, `decided_*`). A service
///   exception's confirmation by the center manager (`confirmed_*`) comes from the center.
public enum DeskSchema {
    /// Bumped whenever a table or field is added. A hub serves nodes of this version and of
    /// the one before it (`earlierVersions`: a rolling upgrade); other peers refuse to sync.
    /// 3: the manual's measures (issue 16) — repair location, refusal time, butlers,
    /// callback programmes and script, survey, follow-ups, service exceptions, custody
    /// incidents, corrective actions.
    public static let version = 3

    /// Request status with its reopen count, ranked as `TicketState.rank`.
    static let requestLifecycle = Lifecycle(name: "request") { v in
        guard let s = v.first?.text, let stage = TicketStage(rawValue: s) else { return nil }
        let reopen = v.count > 1 ? Int(v[1].integer ?? 0) : 0
        return [reopen, stage.stageIndex]
    }

    /// A follow-up visit: open → visited → closed, never back.
    static let followUpLifecycle = Lifecycle.stages("follow_up", FollowUpState.allCases.map(\.rawValue))

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
            // Version 3: when the customer went on the refused-callback list (NULL with
            // refused_callback = 1: before version 3, counted as always), so a later refusal
            // does not redraw earlier callback plans; the butler who looks after the household.
            Field("refused_at", .integer),
            Field("butler", .text),
            // The refused-callback list: a request list reads it whole once (its deadline
            // facts) instead of looking up each request's customer.
        ], indexes: [["center", "phone"], ["center", "unit"], ["phone"], ["refused_callback"]]),
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
            // Version 3: for repairs, in_home or common_area (RepairLocation; NULL counts
            // as in-home, RepairLocation.unrecordedDefault). Last, because a record's slots
            // are positional: a field inserted mid-table would shift the slot clocks of
            // every ticket in a database upgraded from version 2 (columns are appended).
            Field("location", .text),
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
            // Version 3: what the callback was made for and how (fixed when recorded): the
            // customer programmes it serves (JSON array of CallbackProgramme; a callback on a
            // request serves the request's programmes), the script steps taken (003 (1) 三),
            // what else the customer asked for (注意事项 (1)), and for the annual survey the
            // questionnaire and its answers (JSON object item → result).
            Field("programmes", .text, .appendOnly),
            Field("steps", .text, .appendOnly),
            Field("requests", .text, .appendOnly),
            Field("survey", .text, .appendOnly),
            Field("answers", .text, .appendOnly),
            // 4.2.14.2: the provider was told the result.
            Field("provider_told_at", .integer),
            Field("provider_told_by", .text, .partOf("provider_told_at")),
        ], indexes: [["ticket"], ["center", "at"], ["customer"]]),
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
            // Version 3 (P7.12-1 4.2.9): lost, damaged or found unfit, and when the customer
            // was told. Concurrent different findings go to review.
            Field("incident", .text, .review),
            Field("incident_detail", .text, .partOf("incident")),
            Field("incident_at", .integer, .partOf("incident")),
            Field("incident_by", .text, .partOf("incident")),
            Field("reported_at", .integer),
            Field("reported_by", .text, .partOf("reported_at")),
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

    /// Version 3 (issue 16): the records of the callback programmes, the survey and the
    /// quality loop. Each belongs to a center.
    static let qualityTables: [ReplicatedTable] = [
        // A follow-up visit by the butler to an owner who answered a callback 不满意
        // (003 (1) 三 整改), tracked to closure. Created with the callback; only moves forward.
        scoped("follow_up", [
            Field("callback", .text, .appendOnly),
            Field("ticket", .text, .appendOnly),
            Field("customer", .text, .appendOnly),
            Field("due_on", .text, .appendOnly),
            Field("created_at", .integer, .appendOnly),
            Field("created_by", .text, .appendOnly),
            Field("butler", .text),
            Field("status", .text, .lifecycle(followUpLifecycle)),
            Field("visited_at", .integer),
            Field("visited_by", .text, .partOf("visited_at")),
            Field("visit_note", .text, .partOf("visited_at")),
            Field("closed_at", .integer),
            Field("closed_by", .text, .partOf("closed_at")),
            Field("outcome", .text, .partOf("closed_at")),
        ], indexes: [["center", "status"], ["customer"]]),
        // A center's annual satisfaction questionnaire (003 (1) 二 4): its items, fixed
        // once made (responses refer to it). Id `sv-<center>-<year>`.
        scoped("survey", [
            Field("year", .integer, .appendOnly),
            Field("items", .text, .appendOnly),
            Field("created_at", .integer, .appendOnly),
            Field("created_by", .text, .appendOnly),
        ]),
        // A commissioned service's exception (001 P7.9-8 4.2.10, 4.3.5, 4.3.6): what was
        // recorded is fixed; the amount is money (review); the manager's confirmation is set
        // once by the center.
        scoped("service_exception", [
            Field("ticket", .text, .appendOnly),
            Field("kind", .text, .appendOnly),
            Field("detail", .text, .appendOnly),
            Field("amount", .integer, .review),
            Field("recorded_at", .integer, .appendOnly),
            Field("recorded_by", .text, .appendOnly),
            // The center manager's confirmation (4.2.10 经理确认), at the center.
            Field("confirmed_by", .text, origin: .center),
            Field("confirmed_at", .integer, .partOf("confirmed_by"), origin: .center),
        ], indexes: [["ticket"], ["center", "recorded_at"]]),
        // The quarterly analysis's corrective actions (4.4.2): the center manager records
        // finding and action and marks it done; the quality department at head office
        // decides (approved / rejected; concurrent decisions go to review). Authority: the
        // center creates and carries out, only head office decides.
        scoped("corrective_action", [
            Field("quarter", .text, .appendOnly),
            Field("finding", .text, .appendOnly),
            Field("action", .text, origin: .center),
            Field("recorded_at", .integer, .appendOnly),
            Field("recorded_by", .text, .appendOnly),
            Field("decision", .text, .review, origin: .headOffice),
            Field("decided_by", .text, .partOf("decision"), origin: .headOffice),
            Field("decided_at", .integer, .partOf("decision"), origin: .headOffice),
            Field("decision_note", .text, .partOf("decision"), origin: .headOffice),
            Field("done_at", .integer, origin: .center),
            Field("done_by", .text, .partOf("done_at"), origin: .center),
            Field("done_note", .text, .partOf("done_at"), origin: .center),
        ], indexes: [["center", "quarter"]], authority: TableAuthority(create: .center, delete: .nobody)),
    ]

    /// Each table's field count at version 2 (`center` included), the version a hub at 3 still serves during a
    /// rollout (SPEC §11): fields are only ever appended, so a count says which fields a
    /// version had; tables absent here (follow_up, survey, service_exception,
    /// corrective_action) did not exist. `Replica` checks that each is a prefix.
    public static let version2FieldCounts: [String: Int] = [
        "customer": 15, "household_member": 5, "ticket": 40, "ticket_event": 6, "callback": 10, "callback_plan": 5,
        "parcel": 13, "custody": 11, "price_item": 6, "calendar_day": 2, "staff": 8, "audit": 14, "data_grant": 17,
    ]

    /// The tables with their wire declarations (`DeskSchema+Wire.swift`): who makes the ids.
    public static let schema = ReplicationSchema(version: version, tables: (tables + qualityTables).map(wired),
                                                 earlierVersions: [2: version2FieldCounts])
}
