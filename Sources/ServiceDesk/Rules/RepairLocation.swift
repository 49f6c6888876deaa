/// Where a repair is (DOMAIN.md, "Records"): in the customer's own unit or in the common
/// parts the property contract covers. It decides whether the repair is a commissioned
/// service (001 P7.9-8 §2: 除《物业服务合同》约定内容以外的各项委托服务).
public enum RepairLocation: String, DomainEnumeration {
    /// 户内: the owner's own unit — 居家维修/安装 (001 P7.9-8 4.3.1 上门维修安装), a commissioned
    /// service whether charged or not.
    case inHome = "in_home"
    /// 公共区域: corridors, lifts, lights, pipes — contract work, not a commissioned service.
    case commonArea = "common_area"

    public static let valueName = "repair location"

    public var displayName: String {
        switch self {
        case .inHome: "户内"
        case .commonArea: "公共区域"
        }
    }

    public var aliases: [String] {
        switch self {
        case .inHome: ["室内", "居家", "户内维修", "home", "indoor", "in"]
        case .commonArea: ["公区", "公共部位", "公共", "common", "public"]
        }
    }

    /// How a repair without a recorded location counts: as **in-home**. Such repairs come
    /// from before schema version 3 or from an import without a `位置` column. Until then
    /// every repair was sampled for callbacks as a 居家服务(维修类) (001 回访操作指引 1), so
    /// reading them as in-home keeps earlier months' plans and figures as they were; and of
    /// the two mistakes, calling back a common-area repair costs less than leaving an owner's
    /// repair out of the callbacks the manual requires.
    public static let unrecordedDefault: RepairLocation = .inHome
}

/// Which requests are commissioned services (委托服务, 001 P7.9-8 §2): in-home repairs and
/// installations and the services on the posted price list (有偿服务明码标价牌) — not
/// common-area repairs, complaints, inquiries or suggestions. A free in-home repair (under
/// warranty, say) is still one; a paid one is one of the four callback classes too.
public enum CommissionedService {
    /// Whether a request of `kind` at `location` (repairs only; `nil`: not recorded, see
    /// ``RepairLocation/unrecordedDefault``) is a commissioned service.
    public static func applies(kind: RequestKind, location: RepairLocation?) -> Bool {
        switch kind {
        case .service: true
        case .repair: (location ?? RepairLocation.unrecordedDefault) == .inHome
        case .complaint, .inquiry, .suggestion: false
        }
    }

    /// Whether the request is an in-home repair-type service (居家服务(维修类)), the population
    /// the monthly callback plan samples (001 回访操作指引 1).
    public static func isInHomeRepair(kind: RequestKind, location: RepairLocation?) -> Bool {
        kind == .repair && (location ?? RepairLocation.unrecordedDefault) == .inHome
    }
}
