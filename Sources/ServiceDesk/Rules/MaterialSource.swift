/// Who supplied the materials for a repair or paid service (001 P7.9-8 4.2.5).
/// Customer material that fails inspection is used only with the customer's signature.
public enum MaterialSource: String, DomainEnumeration {
    /// 公司提供.
    case company
    /// 顾客自备.
    case customer

    public static let valueName = "material source"

    public var displayName: String {
        switch self {
        case .company: "公司提供"
        case .customer: "顾客自备"
        }
    }

    public var aliases: [String] {
        switch self {
        case .company: ["公司"]
        case .customer: ["顾客", "业主", "业主自备"]
        }
    }
}
