import Foundation
import GRDB
import Replication

/// A customer (顾客/业主/住户) of a center, with personal data that later access rules mask.
public struct Customer: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    public var name: String
    public var phone: String?
    public var idNumber: String?
    public var unit: String?
    public var moveIn: String?
    public var moveOut: String?
    public var specialCare: Bool
    public var refusedCallback: Bool
    public var refusedReason: String?
    /// When the customer went on the refused-callback list (schema version 3; `nil` for an
    /// earlier refusal).
    public var refusedAt: Date?
    /// The butler (管家) who looks after the household.
    public var butler: String?
    public var needs: String?
    public var note: String?
    public var tags: [String]
    public var createdAt: Date?
    public var createdBy: String?

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        name = row["name"] ?? ""
        phone = row["phone"]
        idNumber = row["id_number"]
        unit = row["unit"]
        moveIn = row["move_in"]
        moveOut = row["move_out"]
        specialCare = (row["special_care"] as Int?) == 1
        refusedCallback = (row["refused_callback"] as Int?) == 1
        refusedReason = row["refused_reason"]
        refusedAt = Col.date(row["refused_at"])
        butler = row["butler"]
        needs = row["needs"]
        note = row["note"]
        let tagsJSON: String = row["tags"] ?? "[]"
        tags = (try? JSONDecoder().decode([String].self, from: Data(tagsJSON.utf8))) ?? []
        createdAt = Col.date(row["created_at"])
        createdBy = row["created_by"]
    }
}

extension Customer {
    /// The customer as the callback programmes see them, dates in `calendar`'s time zone. A
    /// customer put on the refused list before schema version 3 recorded when (`refused_at`)
    /// counts as refused from the start.
    public func programmeCustomer(_ calendar: WorkCalendar) -> ProgrammeCustomer {
        Self.programmeCustomer(id: id, moveIn: moveIn, moveOut: moveOut, createdAt: createdAt, specialCare: specialCare,
                               refusedCallback: refusedCallback, refusedAt: refusedAt, calendar)
    }

    static func programmeCustomer(id: String, moveIn: String?, moveOut: String?, createdAt: Date?, specialCare: Bool,
                                  refusedCallback: Bool, refusedAt: Date?, _ calendar: WorkCalendar) -> ProgrammeCustomer {
        ProgrammeCustomer(id: id, moveIn: moveIn.flatMap { try? CivilDate($0) }, moveOut: moveOut.flatMap { try? CivilDate($0) },
                          knownSince: createdAt.map(calendar.civilDate(of:)) ?? CivilDate(daysSinceEpoch: 0), specialCare: specialCare,
                          refusedSince: refusedCallback ? refusedAt.map(calendar.civilDate(of:)) ?? CivilDate(daysSinceEpoch: -1_000_000) : nil)
    }

    /// The columns ``programmeCustomer(row:_:)`` reads, in its order.
    static let programmeColumns = "id, move_in, move_out, created_at, special_care, refused_callback, refused_at"

    /// The same from a row of ``programmeColumns`` only: a report at a 5,000-center hub reads
    /// half a million customers, and decoding each whole (names, tags as JSON) was a fifth
    /// of its time.
    static func programmeCustomer(row: Row, _ calendar: WorkCalendar) -> ProgrammeCustomer {
        programmeCustomer(id: row[0], moveIn: row[1], moveOut: row[2], createdAt: Col.date(row[3]), specialCare: (row[4] as Int?) == 1,
                          refusedCallback: (row[5] as Int?) == 1, refusedAt: Col.date(row[6]), calendar)
    }
}

/// A household member (家庭成员) living with a customer.
public struct HouseholdMember: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var customer: String
    public var name: String
    public var relation: String?
    public var phone: String?
    public init(row: Row) throws {
        id = row["id"]
        customer = row["customer"]
        name = row["name"] ?? ""
        relation = row["relation"]
        phone = row["phone"]
    }
}

/// What the front desk enters for a new customer.
public struct CustomerInput: Sendable {
    public var name: String
    public var phone: String?
    public var idNumber: String?
    public var unit: String?
    public var moveIn: String?
    public var specialCare = false
    public var needs: String?
    public var note: String?
    public var center: String?
    public init(name: String, phone: String? = nil, idNumber: String? = nil, unit: String? = nil, moveIn: String? = nil,
                specialCare: Bool = false, needs: String? = nil, note: String? = nil, center: String? = nil) {
        self.name = name
        self.phone = phone
        self.idNumber = idNumber
        self.unit = unit
        self.moveIn = moveIn
        self.specialCare = specialCare
        self.needs = needs
        self.note = note
        self.center = center
    }
}

/// Filters for listing customers.
public struct CustomerFilter: Sendable {
    public var text: String?
    public var phone: String?
    /// The last digits of the phone number (the last four, said by the caller): partial
    /// search, for the roles that see numbers in clear only.
    public var phoneEnding: String?
    public var unit: String?
    public var refusedOnly = false
    public var specialCareOnly = false
    public var center: String?
    public var limit = 200
    /// Matches the name and phone exactly (set by the desk for viewers without clear access).
    var exact = false
    /// Matches to skip first (paging).
    public var offset = 0
    public init() {}
}

extension Desk {
    /// Registers a customer and returns the new id.
    public func addCustomer(_ input: CustomerInput) throws -> String {
        let acting = try authorize(.customerEdit)
        let center = try recordCenter(input.center)
        let values = try Self.customerValues(name: input.name, phone: input.phone, idNumber: input.idNumber, unit: input.unit,
                                             moveIn: input.moveIn, moveOut: nil)
        return try write(acting) { tx in
            try insertCustomer(tx, center: center, values: values, input: input, acting: acting)
        }
    }

    func insertCustomer(_ tx: WriteTransaction, center: String, values: [String: Value], input: CustomerInput,
                        acting: Acting, id: String? = nil) throws -> String {
        var v = values
        v["center"] = .text(center)
        v["special_care"] = Col.flag(input.specialCare)
        v["refused_callback"] = v["refused_callback"] ?? 0
        v["needs"] = Col.text(input.needs)
        v["note"] = Col.text(input.note)
        v["created_at"] = Col.time(acting.now)
        v["created_by"] = .text(acting.staff)
        return try tx.insert("customer", id: id ?? ShortID.make("cu", tx), v)
    }

    /// Validates and normalises customer fields; nil arguments are left out.
    static func customerValues(name: String?, phone: String?, idNumber: String?, unit: String?, moveIn: String?,
                               moveOut: String?) throws -> [String: Value] {
        var v: [String: Value] = [:]
        if let name {
            let n = name.trimmingWhitespace()
            guard !n.isEmpty else { throw DeskError.invalid("a customer needs a name") }
            guard n.count <= 50 else { throw DeskError.invalid("name is too long (at most 50 characters)") }
            v["name"] = .text(n)
        }
        if let phone { v["phone"] = phone.trimmingWhitespace().isEmpty ? .null : .text(try PhoneNumber(phone).normalized) }
        if let idNumber { v["id_number"] = Col.text(idNumber.uppercased()) }
        if let unit { v["unit"] = Col.text(unit) }
        if let moveIn { v["move_in"] = moveIn.isEmpty ? .null : .text(try CivilDate(moveIn).description) }
        if let moveOut { v["move_out"] = moveOut.isEmpty ? .null : .text(try CivilDate(moveOut).description) }
        return v
    }

    /// Changes a customer's details; only the given fields change.
    public func updateCustomer(_ id: String, name: String? = nil, phone: String? = nil, idNumber: String? = nil,
                               unit: String? = nil, moveIn: String? = nil, moveOut: String? = nil, specialCare: Bool? = nil,
                               needs: String? = nil, note: String? = nil) throws {
        let acting = try authorize(.customerEdit)
        var v = try Self.customerValues(name: name, phone: phone, idNumber: idNumber, unit: unit, moveIn: moveIn, moveOut: moveOut)
        if let specialCare { v["special_care"] = Col.flag(specialCare) }
        if let needs { v["needs"] = Col.text(needs) }
        if let note { v["note"] = Col.text(note) }
        guard !v.isEmpty else { throw DeskError.invalid("nothing to change: give at least one field") }
        try write(acting) { tx in
            _ = try requireCustomer(tx.db, id)
            try tx.update("customer", id: id, v)
        }
    }

    /// Puts a customer on (or takes them off) the refused-callback list (拒访客户清单).
    public func setRefusedCallback(_ id: String, refused: Bool, reason: String?) throws {
        let acting = try authorize(.customerEdit)
        try write(acting) { tx in
            let c = try requireCustomer(tx.db, id)
            // Since when: kept from an earlier refusal; none for a roster's (refused all along).
            let since: Value = refused ? (c.refusedCallback ? Col.time(c.refusedAt) : Col.time(acting.now)) : .null
            try tx.update("customer", id: id, ["refused_callback": Col.flag(refused), "refused_reason": refused ? Col.text(reason) : .null,
                                               "refused_at": since])
        }
    }

    /// Adds or removes a tag (e.g. 老人, 残障) on a customer.
    public func tagCustomer(_ id: String, tag: String, remove: Bool = false) throws {
        let acting = try authorize(.customerEdit)
        let t = tag.trimmingWhitespace()
        guard !t.isEmpty else { throw DeskError.invalid("empty tag") }
        try write(acting) { tx in
            _ = try requireCustomer(tx.db, id)
            if remove { try tx.remove(.text(t), from: "tags", of: "customer", id: id) } else { try tx.add(.text(t), to: "tags", of: "customer", id: id) }
        }
    }

    /// Adds a household member to a customer and returns the member's id.
    public func addHouseholdMember(customer: String, name: String, relation: String?, phone: String?) throws -> String {
        let acting = try authorize(.customerEdit)
        let n = name.trimmingWhitespace()
        guard !n.isEmpty else { throw DeskError.invalid("a household member needs a name") }
        let p = try phone.map { try PhoneNumber($0).normalized }
        return try write(acting) { tx in
            let c = try requireCustomer(tx.db, customer)
            return try tx.insert("household_member", id: ShortID.make("hm", tx), [
                "center": .text(c.center), "customer": .text(customer), "name": .text(n),
                "relation": Col.text(relation), "phone": Value(p),
            ])
        }
    }

    func customer(_ id: String) throws -> Customer {
        try replica.read { db in try requireCustomer(db, id) }
    }

    func householdMembers(of customer: String) throws -> [HouseholdMember] {
        try replica.read { db in
            try HouseholdMember.fetchAll(db, sql: "SELECT * FROM household_member WHERE customer = ? ORDER BY name", arguments: [customer])
        }
    }

    package func customers(_ f: CustomerFilter = CustomerFilter()) throws -> [Customer] {
        var (sql, args) = try customerQuery(f, select: "*")
        // A pattern (`LIKE '%…%'`) reads every customer anyway: `+` keeps SQLite from walking
        // the (center, unit) index for the order and looking each row up from it (7× slower
        // at 20,000 customers); the few matches are sorted instead.
        sql += sql.contains("LIKE") ? " ORDER BY +center, +unit, name" : " ORDER BY center, unit, name"
        sql += " LIMIT \(max(1, f.limit)) OFFSET \(max(0, f.offset))"
        return try replica.read { db in try Customer.fetchAll(db, sql: sql, arguments: StatementArguments(args)) }
    }

    /// How many customers match `f` (its limit and offset aside): what a cut list says.
    package func customerCount(_ f: CustomerFilter = CustomerFilter()) throws -> Int {
        let (sql, args) = try customerQuery(f, select: "count(*)")
        return try replica.read { db in try Int.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0 }
    }

    private func customerQuery(_ f: CustomerFilter, select: String) throws -> (String, [DatabaseValueConvertible]) {
        var sql = "SELECT \(select) FROM customer WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if let t = f.text?.trimmingWhitespace(), !t.isEmpty {
            if f.exact {
                sql += " AND (name = ? OR id = ?)"
                args += [t, t]
            } else {
                sql += " AND (name LIKE ? OR unit LIKE ? OR id = ?)"
                args += ["%\(t)%", "%\(t)%", t]
            }
        }
        if let p = f.phone {
            if f.exact {
                // The whole number or nothing: a part of one would be an oracle for the rest.
                guard let full = try? PhoneNumber(p).normalized else {
                    throw DeskError.refused("search by the full phone number: your role sees phone numbers masked, so partial search is not offered")
                }
                sql += " AND phone = ?"
                args.append(full)
            } else if let full = try? PhoneNumber(p).normalized {
                // A whole number is found by the phone index, not by reading every customer.
                sql += " AND phone = ?"
                args.append(full)
            } else {
                let digits = p.filter(\.isNumber)
                guard !digits.isEmpty else { throw DeskError.invalid("search by phone needs digits") }
                sql += " AND phone LIKE ?"
                args.append("%\(digits)%")
            }
        }
        if let e = f.phoneEnding {
            guard !f.exact else { throw DeskError.refused("search by the full phone number: your role sees phone numbers masked, so partial search is not offered") }
            let digits = e.filter(\.isNumber)
            guard !digits.isEmpty else { throw DeskError.invalid("search by the end of a phone number needs digits") }
            sql += " AND phone LIKE ?"
            args.append("%\(digits)")
        }
        if let u = f.unit {
            guard !f.exact else { throw DeskError.refused("search by unit is for the center's desk; search by the full name or phone number") }
            sql += " AND unit LIKE ?"; args.append("%\(u)%")
        }
        if f.refusedOnly { sql += " AND refused_callback = 1" }
        if f.specialCareOnly { sql += " AND special_care = 1" }
        if let c = f.center { sql += " AND center = ?"; args.append(try CenterCode.validate(c)) }
        return (sql, args)
    }

    func requireCustomer(_ db: Database, _ id: String) throws -> Customer {
        guard let c = try Customer.fetchOne(db, sql: "SELECT * FROM customer WHERE id = ?", arguments: [id]) else {
            throw DeskError.notFound("no customer with id \(id)")
        }
        return c
    }
}
