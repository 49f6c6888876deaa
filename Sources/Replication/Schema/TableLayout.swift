/// A declared table compiled for the engine: fields grouped into merge *slots*. A slot is
/// one field plus its `.partOf` companions; it carries one clock and merges as a unit.
///
/// A class: the merge path looks a layout up for every incoming record, and copying the
/// struct retained each of its arrays and strings.
public final class TableLayout: Sendable {
    public struct Slot: Sendable {
        /// Name of the field that owns the slot.
        public var name: String
        public var policy: MergePolicy
        /// Indices into `fields` of the slot's columns; the owner comes first.
        public var columns: [Int]
    }

    public let table: ReplicatedTable
    public let slots: [Slot]
    /// For each field: (slot index, position inside the slot).
    let fieldSlot: [String: (slot: Int, position: Int)]
    /// The same by field index, in `fields` order: what a storage row's columns hold.
    let columnSlot: [(slot: Int, position: Int)]
    /// Index of the scope field in `fields`, if scoped by column.
    let scopeField: Int?
    /// Where the scope field sits in a record state's slots.
    let scopeSlot: (slot: Int, position: Int)?
    /// The table's value rules, with where their field sits.
    let valueRules: [(slot: Int, position: Int, rule: ValueRule)]
    /// The storage table's statements, built once rather than on every row.
    let sql: StorageSQL
    /// Whether each slot is an add-wins set (read per row by `RowCodec`).
    public let isSetSlot: [Bool]

    public var name: String { table.name }
    public var fields: [Field] { table.fields }
    var storage: String { "_rep_" + table.name }

    /// Compiles a declared table (fails for an invalid declaration).
    public init(_ table: ReplicatedTable) throws {
        self.table = table
        func fail(_ m: String) -> ReplicationError { .invalidSchema("table \(table.name): \(m)") }
        guard SQLName.isValid(table.name) else { throw fail("invalid table name") }
        var seen = Set<String>()
        for f in table.fields {
            guard SQLName.isValid(f.name), !f.name.hasPrefix("_"), f.name != "id" else {
                throw fail("invalid field name \"\(f.name)\" (letters, digits, '_'; not 'id'; not starting with '_')")
            }
            guard seen.insert(f.name).inserted else { throw fail("duplicate field \(f.name)") }
            if let fmt = f.format, fmt.kind != f.type {
                throw fail("field \(f.name) is \(f.type.rawValue.lowercased()); its format is for \(fmt.kind.rawValue.lowercased())")
            }
        }
        var slots: [Slot] = []
        var slotOf: [String: Int] = [:]
        for (i, f) in table.fields.enumerated() {
            if case .partOf = f.policy { continue }
            slotOf[f.name] = slots.count
            slots.append(Slot(name: f.name, policy: f.policy, columns: [i]))
        }
        for (i, f) in table.fields.enumerated() {
            guard case .partOf(let owner) = f.policy else { continue }
            guard let s = slotOf[owner] else { throw fail("\(f.name) is part of unknown field \(owner)") }
            if case .addWinsSet = slots[s].policy { throw fail("a set field cannot have companions") }
            slots[s].columns.append(i)
        }
        var map: [String: (Int, Int)] = [:]
        for (s, slot) in slots.enumerated() {
            for (p, c) in slot.columns.enumerated() { map[table.fields[c].name] = (s, p) }
        }
        self.slots = slots
        self.fieldSlot = map
        columnSlot = table.fields.map { map[$0.name]! }
        self.sql = StorageSQL(table)
        isSetSlot = slots.map { if case .addWinsSet = $0.policy { return true } else { return false } }
        switch table.scope {
        case .shared:
            scopeField = nil
            scopeSlot = nil
        case .column(let name):
            guard let i = table.fields.firstIndex(where: { $0.name == name }) else {
                throw fail("scope field \(name) is not declared")
            }
            guard table.fields[i].type == .text else { throw fail("scope field \(name) must be text") }
            scopeField = i
            scopeSlot = map[name]
        }
        var rules: [(Int, Int, ValueRule)] = []
        for rule in table.authority.rules {
            guard let (s, p) = map[rule.field] else { throw fail("value rule on unknown field \(rule.field)") }
            guard table.fields[slots[s].columns[p]].type == .text else { throw fail("value rule on \(rule.field), which is not text") }
            rules.append((s, p, rule))
        }
        valueRules = rules
        for idx in table.indexes {
            for c in idx where c != "id" && !seen.contains(c) { throw fail("index on unknown field \(c)") }
        }
    }

    /// Why `values` (one per column of slot `slot`) do not fit the columns, if they do
    /// not: their kinds (NULL fits every column, an integer fits an integer or real column,
    /// text only text, a blob only a blob: text "yes" in an integer column is refused), then
    /// their formats (`Field.format`: 2 in a boolean, `2026-02-30` as a date, a value no
    /// enumeration has).
    func kindProblem(slot: Int, _ values: [Value]) -> String? {
        let cols = slots[slot].columns
        for p in values.indices where p < cols.count {
            let f = table.fields[cols[p]]
            if !ColumnType.admits(f.type, values[p]) {
                return "field \(f.name) takes \(f.type.rawValue.lowercased()), not \(values[p].kindName) \(values[p])"
            }
            if let fmt = f.format, let problem = fmt.problem(values[p]) {
                return "field \(f.name): \(problem)"
            }
        }
        return nil
    }

    /// The center a record belongs to, or nil when shared by all centers.
    func scope(of state: RecordState) -> String? {
        guard let (s, p) = scopeSlot, s < state.slots.count, p < state.slots[s].values.count else { return nil }
        if case .text(let t) = state.slots[s].values[p], !t.isEmpty { return t }
        return nil
    }
}

enum SQLName {
    static func isValid(_ s: String) -> Bool {
        guard let f = s.utf8.first, !(f >= 48 && f <= 57), s.utf8.count <= 64 else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
        }
    }
}
