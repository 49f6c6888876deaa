import Foundation

/// A customer's personal fields, as the policy and the audit trail name them.
public enum PersonalField: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case name
    case phone
    case idNumber = "id_number"
    /// The unit (房号): the address inside the compound.
    case address
    /// Household members' names and phones.
    case household

    public static func < (a: PersonalField, b: PersonalField) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Parses a comma-separated list (`name,phone`); `all` gives every field.
    public static func parseList(_ text: String) throws -> [PersonalField] {
        let parts = text.split(separator: ",").map { String($0).trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
        if parts == ["all"] { return allCases }
        let fields = try parts.map { p -> PersonalField in
            let aliases: [String: PersonalField] = ["unit": .address, "id": .idNumber, "id-number": .idNumber, "members": .household,
                                                    "姓名": .name, "电话": .phone, "身份证": .idNumber, "房号": .address, "住址": .address, "家庭成员": .household]
            guard let f = PersonalField(rawValue: p) ?? aliases[p] else {
                throw DeskError.invalid("unknown personal field \"\(p)\": use name, phone, id_number, address, household or all")
            }
            return f
        }
        guard !fields.isEmpty else { throw DeskError.invalid("say which fields: name, phone, id_number, address, household or all") }
        return Array(Set(fields)).sorted()
    }
}

/// Who is looking: a staff member with their role, at a center or at head office.
public struct Viewer: Sendable, Hashable {
    public var staff: String
    /// nil: not in the staff directory, or no role recorded — treated as seeing nothing in clear.
    public var role: StaffRole?
    /// The center whose desk the viewer uses (`HQ` at head office).
    public var center: String
    public init(staff: String, role: StaffRole?, center: String) {
        self.staff = staff
        self.role = role
        self.center = center
    }
}

/// A head-office grant as the policy needs it: whom it is for, what it covers, and
/// whether it is in force (both approvals in, not revoked, inside its period).
public struct GrantScope: Sendable, Hashable {
    public var id: String
    public var center: String
    public var grantee: String
    /// nil: every customer of the center.
    public var customers: Set<String>?
    public var fields: Set<PersonalField>
    public var purpose: String
    public init(id: String, center: String, grantee: String, customers: Set<String>?, fields: Set<PersonalField>, purpose: String) {
        self.id = id
        self.center = center
        self.grantee = grantee
        self.customers = customers
        self.fields = fields
        self.purpose = purpose
    }
}

/// What is being looked at: the record's center and customer, and for a request, its
/// assignee and whether it is still open.
public struct RecordContext: Sendable, Hashable {
    public var center: String
    public var customer: String?
    /// Set when the record is a request (or reached through one): who it is assigned to.
    public var assignee: String?
    /// For a request: not closed or cancelled.
    public var open: Bool
    /// Whether the record is a request (a technician sees only those assigned to them).
    public var isRequest: Bool
    public init(center: String, customer: String?, isRequest: Bool = false, assignee: String? = nil, open: Bool = true) {
        self.center = center
        self.customer = customer
        self.isRequest = isRequest
        self.assignee = assignee
        self.open = open
    }
}

/// How one field is shown.
public enum FieldVisibility: Sendable, Hashable {
    /// In clear; `grant` names the head-office grant it is shown under, if any.
    case clear(grant: String?)
    /// Masked by ``Masking``.
    case masked
    /// Not shown at all (an administrator sees no personal data).
    case hidden

    public var isClear: Bool { if case .clear = self { true } else { false } }
}

/// The field-visibility policy (issue 6): pure, so the whole role × field × context
/// matrix is tested without a database. See README.md, "Who sees what".
public enum Visibility {
    /// Whether the viewer sees the record at all. A technician or supplier sees only the
    /// requests assigned to them (and nothing of the customer list).
    public static func canSee(_ viewer: Viewer, _ record: RecordContext) -> Bool {
        switch viewer.role {
        case .technician?, .supplier?: record.isRequest && record.assignee == viewer.staff
        default: true
        }
    }

    /// How `field` of `record` is shown to `viewer`, given the grants in force now.
    public static func field(_ field: PersonalField, viewer: Viewer, record: RecordContext, grants: [GrantScope] = []) -> FieldVisibility {
        guard let role = viewer.role else { return .masked }
        guard canSee(viewer, record) else { return .hidden }
        switch role {
        case .frontDesk, .butler, .serviceLead, .managerAssistant, .centerManager:
            // They must call and visit their own center's customers; another center's are masked.
            return record.center == viewer.center ? .clear(grant: nil) : .masked
        case .technician, .supplier:
            // The job needs the phone and the door, only while the request is theirs and open.
            guard record.center == viewer.center, record.open, field == .phone || field == .address else { return .masked }
            return .clear(grant: nil)
        case .cashier:
            // Charges by unit; never needs to call.
            return record.center == viewer.center && field == .address ? .clear(grant: nil) : .masked
        case .quality, .operations, .executive:
            let covering = grants.first { g in
                g.grantee == viewer.staff && g.center == record.center && g.fields.contains(field)
                    && (g.customers == nil || record.customer.map { g.customers!.contains($0) } == true)
            }
            return covering.map { .clear(grant: $0.id) } ?? .masked
        case .administrator:
            return .hidden
        }
    }

    /// The text to print for `value` of `field`: itself, masked, or empty.
    public static func render(_ value: String?, _ field: PersonalField, _ visibility: FieldVisibility) -> String? {
        guard let value, !value.isEmpty else { return value }
        switch visibility {
        case .clear: return value
        case .hidden: return "***"
        case .masked:
            switch field {
            case .name, .household: return Masking.name(value)
            case .phone: return Masking.phone(value)
            case .idNumber: return Masking.idNumber(value)
            case .address: return Masking.address(value)
            }
        }
    }
}
