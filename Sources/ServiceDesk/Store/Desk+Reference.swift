import Foundation
import GRDB
import Replication

/// A staff member of a center or of head office (center `HQ`), or an outside supplier.
public struct StaffMember: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String?
    public var name: String
    public var role: String?
    public var phone: String?
    public var hireDate: String?
    public var supplier: Bool
    public var active: Bool
    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        name = row["name"] ?? ""
        role = row["role"]
        phone = row["phone"]
        hireDate = row["hire_date"]
        supplier = (row["supplier"] as Int?) == 1
        active = (row["active"] as Int?) != 0
    }
}

/// A calendar override: a holiday on a weekday, or a weekend day worked (调休).
public struct CalendarOverride: Codable, Sendable, Equatable {
    public var date: String
    public var kind: String
    public var name: String?
}

/// An item of the paid-service price list (有偿服务明码标价).
public struct PriceItem: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String?
    public var code: String
    public var name: String
    public var unit: String?
    /// In fen.
    public var price: Int
    public var active: Bool
    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        code = row["code"] ?? ""
        name = row["name"] ?? ""
        unit = row["unit"]
        price = row["price"] ?? 0
        active = (row["active"] as Int?) != 0
    }
}

extension Desk {
    // MARK: staff directory

    /// Adds a staff member (or supplier), as the administrator. With a `password` the
    /// member can log in. A center's node adds only its own center's staff, with center
    /// roles; head office's roles (quality, operations, executive) and head office's
    /// administrators are created only at the hub.
    public func addStaff(id: String, name: String, role: String?, phone: String?, hireDate: String?, supplier: Bool,
                         center: String? = nil, password: String? = nil) throws {
        let acting = try authorize(.staffManage)
        let home = isHub ? try CenterCode.validate(center ?? "HQ") : try recordCenter(center)
        try insertStaff(id: id, name: name, role: role, phone: phone, hireDate: hireDate, supplier: supplier, home: home,
                        password: password, acting: acting)
    }

    func insertStaff(id: String, name: String, role: String?, phone: String?, hireDate: String?, supplier: Bool, home: String,
                     password: String?, acting: Acting, bootstrap: Bool = false) throws {
        let code = id.trimmingWhitespace()
        guard !code.isEmpty, code.count <= 32, !code.contains(" ") else { throw DeskError.invalid("invalid staff id \"\(id)\"") }
        let n = name.trimmingWhitespace()
        guard !n.isEmpty else { throw DeskError.invalid("a staff member needs a name") }
        let hire = try hireDate.map { try CivilDate($0).description }
        let p = try phone.map { try PhoneNumber($0).normalized }
        let r = try role.map { try StaffRole.parse($0) }
        try checkStaffScope(id: code, home: home, role: r)
        let hash = try password.map { try PasswordHash.make(try PasswordHash.validate($0)) }
        let body: (WriteTransaction) throws -> Void = { tx in
            // Any state counts, a retired account's too: an id is never taken over.
            if try tx.state("staff", id: code) != nil { throw DeskError.invalid("staff member \(code) already exists") }
            try tx.insert("staff", id: code, [
                "center": .text(home), "name": .text(n), "role": Col.text(r?.rawValue), "phone": Value(p),
                "hire_date": Value(hire), "supplier": Col.flag(supplier), "active": 1, "password_hash": Value(hash),
            ])
        }
        if bootstrap { try replica.write(author: acting.staff, body) } else { try write(acting, body) }
    }

    /// The staff rules of the trust boundary, checked locally before anything is written
    /// (the hub checks them again on what it receives): a node manages only its own
    /// center's staff and only with center roles; head office's roles and administrators
    /// live at the hub; an id naming another center's administrator (`admin-C002`,
    /// `admin-HQ`) is not taken.
    func checkStaffScope(id: String?, home: String, role: StaffRole?) throws {
        if !isHub && home != center {
            throw DeskError.refused("staff member \(id ?? "") belongs to \(home); this node manages only center \(center)'s staff")
        }
        if let role {
            if home == "HQ" {
                guard role.workplace != .center else {
                    throw DeskError.refused("head office's staff (center HQ) have head-office roles or admin, not \(role.rawValue)")
                }
            } else if role.workplace == .headOffice {
                throw DeskError.refused("\(role.rawValue) is a head-office role: such staff are created at the hub (center HQ), not at a center")
            }
        }
        if let id, id.lowercased().hasPrefix("admin-") {
            let named = String(id.dropFirst("admin-".count)).uppercased()
            guard named == home else {
                throw DeskError.refused("\(id) names the administrator of \(named); a staff id of \(home) cannot take it")
            }
        }
    }

    /// The center a staff record belongs to; refuses one this desk may not manage.
    func requireManagedStaff(_ db: Database, _ id: String) throws -> String {
        try requireStaff(db, id)
        let home = try String.fetchOne(db, sql: "SELECT center FROM staff WHERE id = ?", arguments: [id]) ?? "HQ"
        if !isHub && home != center {
            throw DeskError.refused("staff member \(id) belongs to \(home); this node manages only center \(center)'s staff")
        }
        return home
    }

    /// Changes a staff member's details or role, as the administrator, within the same
    /// rules as ``addStaff(id:name:role:phone:hireDate:supplier:center:password:)``.
    public func updateStaff(id: String, name: String? = nil, role: String? = nil, phone: String? = nil, hireDate: String? = nil,
                            active: Bool? = nil) throws {
        let acting = try authorize(.staffManage)
        var v: [String: Value] = [:]
        if let name { guard !name.trimmingWhitespace().isEmpty else { throw DeskError.invalid("empty name") }; v["name"] = Col.text(name) }
        let newRole = try role.map { try StaffRole.parse($0) }
        if let newRole { v["role"] = .text(newRole.rawValue) }
        if let phone { v["phone"] = .text(try PhoneNumber(phone).normalized) }
        if let hireDate { v["hire_date"] = .text(try CivilDate(hireDate).description) }
        if let active { v["active"] = Col.flag(active) }
        guard !v.isEmpty else { throw DeskError.invalid("nothing to change") }
        try write(acting) { tx in
            let home = try requireManagedStaff(tx.db, id)
            try checkStaffScope(id: nil, home: home, role: newRole)
            try tx.update("staff", id: id, v)
        }
    }

    /// The staff directory for someone signed in: everyone needs names, centers and roles
    /// (to dispatch, to call a colleague by name), but a colleague's phone is personal data,
    /// in clear only for those who manage staff and masked (138****5678) for everyone else.
    public func staffDirectory(includeInactive: Bool = false) throws -> [StaffMember] {
        let me = try acting()
        let clear = Permissions.allows(me.role, .staffManage)
        return try staff(includeInactive: includeInactive).map { s in
            var s = s
            if !clear { s.phone = s.phone.map(Masking.phone) }
            return s
        }
    }

    /// Every staff record as stored, for the desk's own checks (sign-in, dispatch): not a view.
    package func staff(includeInactive: Bool = false) throws -> [StaffMember] {
        try replica.read { db in
            try StaffMember.fetchAll(db, sql: "SELECT * FROM staff \(includeInactive ? "" : "WHERE active = 1") ORDER BY center, id")
        }
    }

    // MARK: work calendar

    /// Marks `date` as a holiday (休) or a swapped working day (班), or clears it.
    public func setCalendarDay(_ date: String, kind: String?, name: String?) throws {
        let acting = try authorize(.calendarEdit)
        let d = try CivilDate(date).description
        if let kind, kind != "holiday" && kind != "workday" { throw DeskError.invalid("a calendar day is a holiday or a workday, not \(kind)") }
        try write(acting) { tx in
            let existing = try tx.state("calendar_day", id: d)
            switch (kind, existing) {
            case (nil, nil): throw DeskError.notFound("\(d) has no calendar override")
            case (nil, let e?): if !e.isDeleted { try tx.delete("calendar_day", id: d) }
            case (let k?, nil): try tx.insert("calendar_day", id: d, ["kind": .text(k), "name": Col.text(name)])
            case (let k?, let e?):
                guard !e.isDeleted else {
                    throw DeskError.refused("\(d) was cleared; overrides of a cleared day cannot be set again on this replica")
                }
                try tx.update("calendar_day", id: d, ["kind": .text(k), "name": Col.text(name)])
            }
        }
    }

    public func calendarOverrides(year: Int? = nil) throws -> [CalendarOverride] {
        try replica.read { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, name FROM calendar_day WHERE (? IS NULL OR id LIKE ?) ORDER BY id",
                             arguments: [year, year.map { "\($0)-%" }])
                .map { CalendarOverride(date: $0[0], kind: $0[1], name: $0[2]) }
        }
    }

    // MARK: price list

    /// Adds a price item and returns its record id (at head office several centers may each
    /// have an item with the same code).
    @discardableResult
    public func addPriceItem(code: String, name: String, unit: String?, price: Int, center: String?) throws -> String {
        let acting = try authorize(.priceEdit)
        let c = code.trimmingWhitespace()
        guard !c.isEmpty else { throw DeskError.invalid("a price item needs a code") }
        guard !name.trimmingWhitespace().isEmpty else { throw DeskError.invalid("a price item needs a name") }
        guard price >= 0 else { throw DeskError.invalid("a price cannot be negative") }
        // At head office an item without a center applies to every center.
        let scope: String? = isHub ? try center.map(CenterCode.validate) : try recordCenter(center)
        return try write(acting) { tx in
            if try Int.fetchOne(tx.db, sql: "SELECT count(*) FROM price_item WHERE code = ? AND (center IS ? OR center IS NULL)", arguments: [c, scope]) ?? 0 > 0 {
                throw DeskError.invalid("price item \(c) already exists")
            }
            return try tx.insert("price_item", id: ShortID.make("pi", tx), [
                "center": Value(scope), "code": .text(c), "name": Col.text(name), "unit": Col.text(unit),
                "price": .integer(Int64(price)), "active": 1,
            ])
        }
    }

    /// Changes a price item's name, unit, price or whether it is offered. An item of this
    /// center is preferred over head office's shared one with the same code.
    public func updatePriceItem(code: String, name: String? = nil, unit: String? = nil, price: Int? = nil, active: Bool? = nil,
                                center: String? = nil) throws {
        let acting = try authorize(.priceEdit)
        let c = code.trimmingWhitespace()
        var v: [String: Value] = [:]
        if let name { guard !name.trimmingWhitespace().isEmpty else { throw DeskError.invalid("a price item needs a name") }; v["name"] = Col.text(name) }
        if let unit { v["unit"] = Col.text(unit) }
        if let price { guard price >= 0 else { throw DeskError.invalid("a price cannot be negative") }; v["price"] = .integer(Int64(price)) }
        if let active { v["active"] = Col.flag(active) }
        guard !v.isEmpty else { throw DeskError.invalid("nothing to change: give --name, --unit, --price or --active") }
        let scope: String? = isHub ? try center.map(CenterCode.validate) : try recordCenter(center)
        try write(acting) { tx in
            guard let id = try String.fetchOne(tx.db, sql: """
                SELECT id FROM price_item WHERE code = ? AND (center IS ? OR center IS NULL) ORDER BY center IS NULL LIMIT 1
                """, arguments: [c, scope]) else {
                throw DeskError.notFound("no price item \(c); see `gatehouse price list --all`")
            }
            try tx.update("price_item", id: id, v)
        }
    }

    public func priceList(includeInactive: Bool = false) throws -> [PriceItem] {
        try replica.read { db in
            try PriceItem.fetchAll(db, sql: "SELECT * FROM price_item \(includeInactive ? "" : "WHERE active = 1") ORDER BY code")
        }
    }

    func priceItem(_ db: Database, code: String, center: String) throws -> PriceItem {
        guard let p = try PriceItem.fetchOne(db, sql: "SELECT * FROM price_item WHERE code = ? AND active = 1 AND (center = ? OR center IS NULL) ORDER BY center IS NULL LIMIT 1",
                                             arguments: [code, center]) else {
            throw DeskError.notFound("no active price item \(code); see `gatehouse price list`")
        }
        return p
    }
}
