import Foundation
import GRDB

/// A head-office data grant (数据使用授权): the center manager's application for a
/// head-office person to see some customers' personal fields in clear, for a purpose and
/// a period, approved by the quality department and then company leadership.
public struct DataGrant: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    /// nil: every customer of the center.
    public var customers: [String]?
    public var fields: [PersonalField]
    public var purpose: String
    /// The head-office staff member who will use it.
    public var grantee: String
    public var validFrom: Date
    public var validTo: Date
    public var appliedBy: String
    public var appliedAt: Date
    public var qualityBy: String?
    public var qualityAt: Date?
    public var leadershipBy: String?
    public var leadershipAt: Date?
    public var revoked: Bool
    public var revokedBy: String?
    public var revokedAt: Date?
    public var revokeReason: String?

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"] ?? ""
        customers = (row["customers"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        fields = ((row["fields"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
            .compactMap(PersonalField.init(rawValue:))
        purpose = row["purpose"] ?? ""
        grantee = row["grantee"] ?? ""
        validFrom = Col.date(row["valid_from"]) ?? .distantFuture
        validTo = Col.date(row["valid_to"]) ?? .distantPast
        appliedBy = row["applied_by"] ?? ""
        appliedAt = Col.date(row["applied_at"]) ?? .distantPast
        qualityBy = row["quality_by"]
        qualityAt = Col.date(row["quality_at"])
        leadershipBy = row["leadership_by"]
        leadershipAt = Col.date(row["leadership_at"])
        revoked = (row["revoked"] as Int?) == 1
        revokedBy = row["revoked_by"]
        revokedAt = Col.date(row["revoked_at"])
        revokeReason = row["revoke_reason"]
    }

    /// Where the grant stands at `now`.
    public func status(at now: Date) -> GrantStatus {
        if revoked { return .revoked }
        if now >= validTo { return .expired }
        guard qualityBy != nil else { return .awaitingQuality }
        guard leadershipBy != nil else { return .awaitingLeadership }
        return now < validFrom ? .approved : .active
    }

    /// The grant as the visibility policy reads it.
    public var scope: GrantScope {
        GrantScope(id: id, center: center, grantee: grantee, customers: customers.map(Set.init), fields: Set(fields), purpose: purpose)
    }
}

/// The steps of a grant's approval chain.
public enum GrantStatus: String, Codable, Sendable {
    case awaitingQuality = "awaiting-quality"
    case awaitingLeadership = "awaiting-leadership"
    /// Both approvals in, its period not begun.
    case approved
    case active
    case expired
    case revoked

    public var displayName: String {
        switch self {
        case .awaitingQuality: "待品质部审批"
        case .awaitingLeadership: "待公司领导审批"
        case .approved: "已批准(未生效)"
        case .active: "生效中"
        case .expired: "已过期"
        case .revoked: "已撤销"
        }
    }
}

/// An application for a grant.
public struct GrantApplication: Sendable {
    public var center: String?
    /// nil or empty: the whole center.
    public var customers: [String]?
    public var fields: [PersonalField]
    public var purpose: String
    public var grantee: String
    public var validFrom: Date
    public var validTo: Date
    public init(center: String? = nil, customers: [String]?, fields: [PersonalField], purpose: String, grantee: String,
                validFrom: Date, validTo: Date) {
        self.center = center
        self.customers = customers
        self.fields = fields
        self.purpose = purpose
        self.grantee = grantee
        self.validFrom = validFrom
        self.validTo = validTo
    }
}
