/// How concurrent writes to one field are merged. Declared per field by the domain.
public enum MergePolicy: Sendable {
    /// Last writer wins, by hybrid logical clock, then replica id. The losing value is
    /// kept in a conflict record (not flagged for review).
    case lastWriterWins
    /// Deterministic winner as for last-writer-wins, and the conflict is flagged for a
    /// person to review: fees, satisfaction results, customer contact data.
    case review
    /// Values only move forward in a declared order; concurrent writes keep the highest.
    /// Local writes that do not move forward are refused.
    case lifecycle(Lifecycle)
    /// A set of elements stored as a JSON array; concurrent add and remove of the same
    /// element keep it (observed-remove, add wins). Never conflicts.
    case addWinsSet
    /// Set once when the record is created and never changed afterwards.
    case appendOnly
    /// Carried together with another field (same dot, merged as one unit), e.g. a
    /// ticket's reopen count with its status.
    case partOf(String)

    /// The policy's name in conflict entries and in SCHEMA-v<N>.md.
    public var name: String {
        switch self {
        case .lastWriterWins: return "last-writer-wins"
        case .review: return "review"
        case .lifecycle(let l): return "lifecycle:\(l.name)"
        case .addWinsSet: return "add-wins-set"
        case .appendOnly: return "append-only"
        case .partOf(let f): return "part-of:\(f)"
        }
    }
}

/// A declared forward-only order for a lifecycle field.
///
/// `rank` receives the values of the field and of its `.partOf` companions (in declared
/// order) and returns their position in the lifecycle, compared lexicographically; nil
/// marks a value that is not in the lifecycle. Ticket status, for example, ranks as
/// (reopen count, stage index).
public struct Lifecycle: Sendable {
    public var name: String
    public var rank: @Sendable ([Value]) -> [Int]?
    public init(name: String, rank: @escaping @Sendable ([Value]) -> [Int]?) {
        self.name = name
        self.rank = rank
    }

    /// A lifecycle over plain stage names, ranked by their position in `stages`.
    public static func stages(_ name: String, _ stages: [String]) -> Lifecycle {
        Lifecycle(name: name) { values in
            guard let s = values.first?.text, let i = stages.firstIndex(of: s) else { return nil }
            return [i]
        }
    }
}

/// SQLite column type of a declared field.
public enum ColumnType: String, Sendable {
    case text = "TEXT", integer = "INTEGER", real = "REAL", blob = "BLOB"

    /// Whether a column of `type` may hold `value`: NULL always; otherwise a value of the
    /// same kind, or an integer in a real column. The rule of local writes and of every
    /// receiver (SPEC §9).
    public static func admits(_ type: ColumnType, _ value: Value) -> Bool {
        switch (type, value) {
        case (_, .null), (.text, .text), (.integer, .integer), (.real, .real), (.real, .integer), (.blob, .blob): return true
        default: return false
        }
    }
}

/// One replicated column.
public struct Field: Sendable {
    public var name: String
    public var type: ColumnType
    public var policy: MergePolicy
    /// Who may write the field. A record created by a side the field does not permit
    /// carries NULL there (a grant applied for at a center has no approvals yet).
    public var origin: Authority
    /// Which values of its kind the column admits (a boolean's 0 or 1, a calendar date, an
    /// enumeration's values); nil: every value of the kind. Checked by every receiver.
    public var format: ValueFormat?
    public init(_ name: String, _ type: ColumnType, _ policy: MergePolicy = .lastWriterWins, origin: Authority = .anyone,
                format: ValueFormat? = nil) {
        self.name = name
        self.type = type
        self.policy = policy
        self.origin = origin
        self.format = format
    }
}

/// Which center a record belongs to, which decides which nodes receive it.
public enum Scope: Sendable {
    /// Every record goes to every center (price list, work calendar).
    case shared
    /// The named text field holds the center code; NULL there means "shared by all
    /// centers". The field is fixed at creation: neither a local write nor a peer's change
    /// moves an existing record to another center.
    case column(String)
}

/// The declaration of one replicated table. The engine creates the storage table
/// `_rep_<name>`, a read-only view `<name>` of the live rows, and triggers that refuse
/// writes from outside the engine.
///
/// ```swift
/// let customers = ReplicatedTable("customer", scope: .column("center"), fields: [
///     Field("center", .text, .appendOnly),
///     Field("name", .text, .review),
///     Field("phone", .text, .review),
///     Field("tags", .text, .addWinsSet),
/// ], indexes: [["center", "name"]])
/// ```
public struct ReplicatedTable: Sendable {
    public var name: String
    public var scope: Scope
    public var fields: [Field]
    /// Rows are never updated or deleted after insertion (timelines, audit entries).
    public var appendOnly: Bool
    /// Column lists to index on the storage table, for the domain's queries.
    public var indexes: [[String]]
    /// Who may create and delete records, and the value rules every receiver checks.
    public var authority: TableAuthority
    /// Whether two replicas may make the same id for the same record.
    public var idOrigin: IDOrigin

    public init(_ name: String, scope: Scope, fields: [Field], appendOnly: Bool = false, indexes: [[String]] = [],
                authority: TableAuthority = TableAuthority(), idOrigin: IDOrigin = .shared) {
        self.name = name
        self.scope = scope
        self.fields = fields
        self.appendOnly = appendOnly
        self.indexes = indexes
        self.authority = authority
        self.idOrigin = idOrigin
    }
}

/// Who makes a table's record ids, which decides what two states under one id are.
public enum IDOrigin: Sendable, Hashable {
    /// Ids are keys of the domain (a staff code, a date, a center and month): two replicas
    /// that create the same id create the same record, and their creations merge (the
    /// append-only fields they set apart stay a conflict for review).
    case shared
    /// Each id is made by one replica (generated ids). A received state whose creation is
    /// not the one held under its id is another record that happens to have the same id
    /// (an id collision, possible between ids made before they carried the replica's
    /// id): the receiver refuses it, never merges the two (`TableLayout.idCollision`).
    case oneReplica
}

/// Every replicated table of an application, with the schema version peers must share.
public struct ReplicationSchema: Sendable {
    public var version: Int
    public var tables: [ReplicatedTable]
    /// Earlier versions this one still exchanges change sets with (a rolling upgrade: the
    /// hub first, the centers over the following days): for each, how many of each table's
    /// fields existed then. Fields are only ever appended to a table, so a count describes
    /// the table; a table missing from an entry did not exist.
    public var earlierVersions: [Int: [String: Int]]

    public init(version: Int, tables: [ReplicatedTable], earlierVersions: [Int: [String: Int]] = [:]) {
        self.version = version
        self.tables = tables
        self.earlierVersions = earlierVersions
    }

    /// The schema as it was at `version`: the tables that existed then with the fields they
    /// had. Nil for a version this schema does not describe.
    ///
    /// ```swift
    /// let v2 = DeskSchema.schema.projected(to: 2)!   // what a node not yet upgraded runs
    /// ```
    public func projected(to version: Int) -> ReplicationSchema? {
        if version == self.version { return self }
        guard let counts = earlierVersions[version] else { return nil }
        var tables: [ReplicatedTable] = []
        for t in self.tables {
            guard let n = counts[t.name], n <= t.fields.count else { continue }
            var old = t
            old.fields = Array(t.fields.prefix(n))
            let kept = Set(old.fields.map(\.name))
            old.indexes = t.indexes.filter { $0.allSatisfy(kept.contains) }
            old.authority.rules = t.authority.rules.filter { kept.contains($0.field) }
            tables.append(old)
        }
        return ReplicationSchema(version: version, tables: tables)
    }
}
