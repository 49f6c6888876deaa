import Replication

/// How one field's value is written on the wire and in storage, beyond its column kind:
/// what a third party must put there for the desk to read it (Protocol/SCHEMA-v<N>.md).
public struct FieldEncoding: Sendable, Hashable {
    /// A short name: `text`, `integer`, `boolean`, `unix-ms`, `date`, `month`, `quarter`,
    /// `enum`, `json`, `id`, `money`, `center`, …
    public var name: String
    /// For a person: the exact form, the values allowed.
    public var detail: String
    /// The values every receiver admits (`Field.format`); nil: any of the column's kind.
    public var format: ValueFormat?

    public init(_ name: String, _ detail: String, format: ValueFormat? = nil) {
        self.name = name
        self.detail = detail
        self.format = format
    }

    static let text = FieldEncoding("text", "free text (UTF-8)")
    static let integer = FieldEncoding("integer", "a whole number")
    static let boolean = FieldEncoding("boolean", "integer 0 (no) or 1 (yes)", format: .boolean)
    static let unixMillis = FieldEncoding("unix-ms", "integer: milliseconds since 1970-01-01T00:00:00Z, 0 to 253402300799999",
                                          format: .unixMillis)
    static let date = FieldEncoding("date", "text `YYYY-MM-DD`, a real calendar date (the center's local date)", format: .date)
    static let month = FieldEncoding("month", "text `YYYY-MM`", format: .month)
    static let quarter = FieldEncoding("quarter", "text `YYYY-Qn`, n = 1…4", format: .quarter)
    static let money = FieldEncoding("money", "integer: fen (分; 1 yuan = 100 fen), ≥ 0", format: .nonNegative)
    static let phone = FieldEncoding("phone", "text: the phone number's digits (a mobile is 11 digits)")
    static let staff = FieldEncoding("id", "text: a `staff` record's id (the staff code)")
    static let center = FieldEncoding("center", "text: the center code, 2–16 letters, digits or `-` (`C001`; head office's staff: `HQ`); the record's scope")

    static func ref(_ table: String) -> FieldEncoding { FieldEncoding("id", "text: a `\(table)` record's id") }
    static func oneOf<E: DomainEnumeration>(_ e: E.Type) -> FieldEncoding {
        FieldEncoding("enum", "text, one of: " + E.allCases.map { "`\($0.rawValue)` (\($0.displayName))" }.joined(separator: ", "),
                      format: .oneOf(E.allCases.map(\.rawValue)))
    }
    static func oneOf(_ values: [String]) -> FieldEncoding {
        FieldEncoding("enum", "text, one of: " + values.map { "`\($0)`" }.joined(separator: ", "), format: .oneOf(values))
    }
    static func json(_ what: String) -> FieldEncoding { FieldEncoding("json", "text: JSON " + what) }
    static func jsonArray<E: DomainEnumeration>(of e: E.Type) -> FieldEncoding {
        FieldEncoding("json", "text: JSON array of " + E.allCases.map { "`\"\($0.rawValue)\"`" }.joined(separator: ", ") + " (\(E.valueName))",
                      format: .jsonArray(of: E.allCases.map(\.rawValue)))
    }
}

/// The ids a table's records have: how the desk makes them, and when two are the same.
public struct IDFormat: Sendable, Hashable {
    /// The form of the ids the desk makes.
    public var form: String
    /// Which records share an id (merged as one) and which cannot.
    public var uniqueness: String
    /// Each id is made by one replica: two creations under one id are a collision, refused
    /// by the receiver (`IDOrigin.oneReplica`), never merged.
    public var oneReplica = false
}

extension DeskSchema {
    /// A generated id's form: prefix, time-ordered part, replica part (`RecordID.ordered(replica:)`).
    static func generated(_ prefix: String) -> IDFormat {
        IDFormat(form: "`\(prefix)-<ordered>-<replica>` (e.g. `\(prefix)-0k5v2mcq3n1xz7-c001-7k2m9q4x8p3r`); before schema 3 `\(prefix)-<ordered>`",
                 uniqueness: "made by one replica, never by two: the replica part is the creating replica's id", oneReplica: true)
    }

    /// The id of each table's records (SCHEMA-v<N>.md, "Record ids").
    public static let idFormats: [String: IDFormat] = [
        "customer": generated("cu"), "household_member": generated("hm"), "ticket": generated("tk"),
        "ticket_event": IDFormat(
            form: "`ev-<hlc>-<random>-<replica>`: `<hlc>` the writing transaction's hybrid-logical time as 16 lower-case hex digits, `<random>` 6 base-32 digits; before schema 3 without `-<replica>`",
            uniqueness: "made by one replica, never by two", oneReplica: true),
        "callback": generated("cb"), "parcel": generated("pc"), "custody": generated("cs"),
        "price_item": generated("pi"), "data_grant": generated("gr"),
        "callback_plan": IDFormat(form: "`plan-<center>-<YYYY-MM>`",
                                  uniqueness: "one plan per center and month: the same id made twice is the same plan (merged)"),
        "calendar_day": IDFormat(form: "the date, `YYYY-MM-DD`", uniqueness: "one record per date, shared by every center"),
        "staff": IDFormat(form: "the staff code (1–32 characters, no space, e.g. `S001`, `admin-C001`)",
                          uniqueness: "one record per staff code across the company: the same code made twice is the same person (merged; concurrent creations stay conflicts for review)"),
        "audit": IDFormat(form: "`<node>-<seq>`: the writing replica's id and its chain position as 8 or more decimal digits (`c001-7k2m9q4x8p3r-00000042`)",
                          uniqueness: "made by one replica, never by two (`node` is the writer)", oneReplica: true),
        "survey": IDFormat(form: "`sv-<center>-<year>`", uniqueness: "one questionnaire per center and year (merged)"),
        "follow_up": generated("fu"), "service_exception": generated("ex"), "corrective_action": generated("ca"),
    ]

    /// `table` with what the wire declarations add to it: who makes its ids, and the values
    /// each field admits (its encoding's format), which every receiver checks.
    static func wired(_ table: ReplicatedTable) -> ReplicatedTable {
        var t = table
        let name = table.name
        t.idOrigin = idFormats[name]?.oneReplica == true ? .oneReplica : .shared
        t.fields = table.fields.map { f in
            var f = f
            f.format = encoding(table: name, field: f).format
            return f
        }
        return t
    }

    /// What each field holds beyond its kind; fields not listed are `FieldEncoding.text`
    /// or `.integer` by their column.
    public static let encodings: [String: [String: FieldEncoding]] = [
        "customer": [
            "center": .center, "phone": .phone, "id_number": FieldEncoding("text", "identity card number (18 characters)"),
            "unit": FieldEncoding("text", "the unit, e.g. `3栋2单元1101`"), "move_in": .date, "move_out": .date,
            "special_care": .boolean, "refused_callback": .boolean, "created_at": .unixMillis, "created_by": .staff,
            "tags": FieldEncoding("set", "add-wins set of text tags (`vip`, `老人`, …)"), "refused_at": .unixMillis,
            "butler": .staff,
        ],
        "household_member": ["center": .center, "customer": .ref("customer"), "phone": .phone],
        "ticket": [
            "center": .center, "number": FieldEncoding("text", "`<center>-<YYMMDD>-<nnn>` (a hub's: `<center>-<YYMMDD>-H<nn>`)"),
            "kind": .oneOf(RequestKind.self), "complaint_class": FieldEncoding("enum", "integer 1, 2 or 3 (一类/二类/三类投诉)", format: .oneOfIntegers([1, 2, 3])),
            "severity": .oneOf(Severity.self), "channel": .oneOf(Channel.self), "customer": .ref("customer"),
            "about_staff": .staff, "location": .oneOf(RepairLocation.self), "status": .oneOf(TicketStage.self),
            "escalated": .boolean, "assignee_kind": .oneOf(["staff", "supplier"]),
            "opened_at": .unixMillis, "opened_by": .staff, "cycle_opened_at": .unixMillis, "answered_at": .unixMillis,
            "dispatched_at": .unixMillis, "agreed_arrival_at": .unixMillis, "arrived_at": .unixMillis,
            "completed_at": .unixMillis, "customer_signed": .boolean, "called_back_at": .unixMillis,
            "closed_at": .unixMillis, "cancelled_at": .unixMillis, "escalated_at": .unixMillis,
            "price_item": .ref("price_item"), "off_list": .boolean, "off_list_reviewed_by": .staff, "fee": .money,
            "material_source": .oneOf(MaterialSource.self), "material_failed_inspection": .boolean,
            "material_customer_signed": .boolean, "paid_at": .unixMillis, "collected_by": .staff,
        ],
        "ticket_event": ["center": .center, "ticket": .ref("ticket"), "at": .unixMillis, "staff": .staff,
                         "action": FieldEncoding("text", "`open`, `answer`, `note` or a lifecycle event: " + TicketEvent.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))],
        "callback": [
            "center": .center, "ticket": .ref("ticket"), "customer": .ref("customer"), "method": .oneOf(CallbackMethod.self),
            "result": .oneOf(CallbackResult.self), "score": FieldEncoding("integer", "satisfaction score"),
            "signed": .boolean, "at": .unixMillis, "staff": .staff, "programmes": .jsonArray(of: CallbackProgramme.self),
            "steps": .jsonArray(of: CallbackStep.self), "survey": .ref("survey"),
            "answers": .json("object: survey item → result"), "provider_told_at": .unixMillis, "provider_told_by": .staff,
        ],
        "callback_plan": ["center": .center, "month": .month, "seed": FieldEncoding("integer", "the sample's random seed, 1…2^63-1"),
                          "created_at": .unixMillis, "created_by": .staff],
        "parcel": ["center": .center, "received_at": .unixMillis, "type": .oneOf(ParcelType.self), "customer": .ref("customer"),
                   "notified_at": .unixMillis, "picked_up_at": .unixMillis,
                   "picked_up_by": FieldEncoding("text", "the name of whoever picked it up (not necessarily staff or a customer)"),
                   "signed": .boolean],
        "custody": ["center": .center, "customer": .ref("customer"), "verified_in": .boolean, "received_at": .unixMillis,
                    "received_by": .staff, "returned_at": .unixMillis, "verified_out": .boolean, "returned_by": .staff,
                    "incident": .oneOf(CustodyIncidentKind.self), "incident_at": .unixMillis, "incident_by": .staff,
                    "reported_at": .unixMillis, "reported_by": .staff],
        "price_item": ["center": FieldEncoding("center", "text: the center code; NULL: head office's shared price list"),
                       "price": .money, "active": .boolean],
        "calendar_day": ["kind": .oneOf(["holiday", "workday"]), "name": FieldEncoding("text", "the holiday's name, e.g. `国庆节`")],
        "staff": ["center": .center, "role": .oneOf(StaffRole.self), "phone": .phone, "hire_date": .date, "supplier": .boolean,
                  "active": .boolean,
                  "password_hash": FieldEncoding("text", "`pbkdf2-sha256$<rounds>$<salt, base64>$<hash, base64>` (PBKDF2-HMAC-SHA256)")],
        "audit": ["center": .center, "node": FieldEncoding("id", "text: the writing replica's id"),
                  "seq": FieldEncoding("integer", "the entry's position in its node's chain, from 1"),
                  "staff": .staff, "role": .oneOf(StaffRole.self), "fields": .json("array of field names"),
                  "grant_id": .ref("data_grant"), "at": .unixMillis,
                  "prev": FieldEncoding("text", "the previous entry's `hash` in this node's chain (64 hex digits; empty for the first)"),
                  "hash": FieldEncoding("text", "SHA-256 of the entry, 64 lower-case hex digits")],
        "data_grant": ["center": .center, "customers": .json("array of `customer` ids; NULL: every customer of the center"),
                       "fields": .json("array of personal field names"), "grantee": .staff, "valid_from": .unixMillis,
                       "valid_to": .unixMillis, "applied_by": .staff, "applied_at": .unixMillis, "quality_by": .staff,
                       "quality_at": .unixMillis, "leadership_by": .staff, "leadership_at": .unixMillis, "revoked": .boolean,
                       "revoked_by": .staff, "revoked_at": .unixMillis],
        "follow_up": ["center": .center, "callback": .ref("callback"), "ticket": .ref("ticket"), "customer": .ref("customer"),
                      "due_on": .date, "created_at": .unixMillis, "created_by": .staff, "butler": .staff,
                      "status": .oneOf(FollowUpState.self), "visited_at": .unixMillis, "visited_by": .staff,
                      "closed_at": .unixMillis, "closed_by": .staff],
        "survey": ["center": .center, "year": FieldEncoding("integer", "the year, e.g. 2026"),
                   "items": .jsonArray(of: SurveyItem.self), "created_at": .unixMillis, "created_by": .staff],
        "service_exception": ["center": .center, "ticket": .ref("ticket"), "kind": .oneOf(ServiceExceptionKind.self),
                              "amount": .money, "recorded_at": .unixMillis, "recorded_by": .staff, "confirmed_by": .staff,
                              "confirmed_at": .unixMillis],
        "corrective_action": ["center": .center, "quarter": .quarter, "recorded_at": .unixMillis, "recorded_by": .staff,
                              "decision": .oneOf(["approved", "rejected"]), "decided_by": .staff, "decided_at": .unixMillis,
                              "done_at": .unixMillis, "done_by": .staff],
    ]

    /// The encoding of `field` of `table`: declared above, else plain by its column kind.
    public static func encoding(table: String, field: Field) -> FieldEncoding {
        if let e = encodings[table]?[field.name] { return e }
        switch field.type {
        case .integer: return .integer
        case .real: return FieldEncoding("real", "a number")
        case .blob: return FieldEncoding("blob", "bytes")
        case .text: return .text
        }
    }
}
