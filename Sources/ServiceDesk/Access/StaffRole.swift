/// What a staff member does, which decides what they may do and which customer data
/// they see (DOMAIN.md, "Who uses the system"). Stored in the staff directory's `role`
/// column by its raw value.
public enum StaffRole: String, DomainEnumeration {
    /// 前台: registers every request, dispatches, follows up, daily callbacks.
    case frontDesk = "front_desk"
    /// 管家: owns a set of households; special, quarterly and annual callbacks.
    case butler
    /// 客户服务负责人: receives and handles the center's complaints.
    case serviceLead = "service_lead"
    /// 经理助理: callbacks on commissioned services, monthly statistics.
    case managerAssistant = "manager_assistant"
    /// 管理服务中心经理: the center's complaints, off-list services, applies for data grants.
    case centerManager = "center_manager"
    /// 维修工 / 服务提供人员: sees only the orders assigned to them.
    case technician
    /// 供方: an outside supplier doing assigned work, treated like a technician.
    case supplier
    /// 收款员: charges paid services, issues receipts.
    case cashier
    /// 品质工程部 (head office): supervises complaint handling, approves data grants.
    case quality
    /// 营运管理部 (head office): supervises major complaints, cross-center analysis.
    case operations
    /// 公司领导 (head office): general manager and deputies; approves data grants.
    case executive
    /// 系统管理员: staff accounts, roles, node enrollment; no customer data.
    case administrator = "admin"

    public static let valueName = "role"

    public var displayName: String {
        switch self {
        case .frontDesk: "前台"
        case .butler: "管家"
        case .serviceLead: "客户服务负责人"
        case .managerAssistant: "经理助理"
        case .centerManager: "管理服务中心经理"
        case .technician: "维修工"
        case .supplier: "供方"
        case .cashier: "收款员"
        case .quality: "品质工程部"
        case .operations: "营运管理部"
        case .executive: "公司领导"
        case .administrator: "系统管理员"
        }
    }

    public var aliases: [String] {
        switch self {
        case .frontDesk: ["reception", "接待"]
        case .serviceLead: ["客服负责人"]
        case .centerManager: ["manager", "经理", "中心经理"]
        case .technician: ["维修", "服务提供人员", "repair"]
        case .quality: ["品质部", "qa"]
        case .operations: ["营运部", "ops"]
        case .executive: ["leadership", "总经理", "分管副总", "领导"]
        case .administrator: ["administrator", "管理员"]
        default: []
        }
    }

    /// Where the role works: at a center, at head office, or both (the administrator).
    public var workplace: Workplace {
        switch self {
        case .quality, .operations, .executive: .headOffice
        case .administrator: .both
        default: .center
        }
    }

    /// Where a role works.
    public enum Workplace: Sendable, Hashable {
        case center, headOffice, both
    }
}
