/// The manual's three classes of complaint, by cause (001 顾客投诉 3.2–3.4).
/// Stored as `"1"`, `"2"`, `"3"`.
public enum ComplaintClass: String, DomainEnumeration {
    /// 一类投诉: caused by the property service itself (物业管理服务不到位).
    case serviceShortfall = "1"
    /// 二类投诉: developer legacy problems or building quality (发展商遗留问题或房屋质量问题).
    case developerOrBuilding = "2"
    /// 三类投诉: external environment, public facilities outside the managed area, social
    /// issues (外部环境、非管辖区域内公共配套设施或其他社会问题).
    case external = "3"

    public static let valueName = "complaint class"

    public var displayName: String {
        switch self {
        case .serviceShortfall: "一类投诉"
        case .developerOrBuilding: "二类投诉"
        case .external: "三类投诉"
        }
    }

    /// What the class covers, in the manual's words.
    public var meaning: String {
        switch self {
        case .serviceShortfall: "因物业管理服务不到位而导致的顾客投诉"
        case .developerOrBuilding: "因发展商遗留问题或房屋质量问题而导致的顾客投诉"
        case .external: "因外部环境、非管辖区域内公共配套设施完善或其他社会问题而导致的顾客投诉"
        }
    }

    public var aliases: [String] {
        switch self {
        case .serviceShortfall: ["一类", "class1", "service"]
        case .developerOrBuilding: ["二类", "class2", "developer", "building"]
        case .external: ["三类", "class3"]
        }
    }
}
