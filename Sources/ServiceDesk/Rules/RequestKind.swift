/// What a customer asks of the service center.
public enum RequestKind: String, DomainEnumeration {
    /// 报修: a repair in the home or the common parts (居家维修服务).
    case repair
    /// 投诉: a complaint; carries a ``ComplaintClass`` and a ``Severity``.
    case complaint
    /// 有偿服务 / 委托服务: a commissioned service beyond the property contract, usually paid.
    case service
    /// 咨询: a question.
    case inquiry
    /// 建议: a suggestion.
    case suggestion

    public static let valueName = "request kind"

    public var displayName: String {
        switch self {
        case .repair: "报修"
        case .complaint: "投诉"
        case .service: "有偿服务"
        case .inquiry: "咨询"
        case .suggestion: "建议"
        }
    }

    public var aliases: [String] {
        switch self {
        case .repair: ["维修", "报事报修", "居家维修"]
        case .service: ["委托服务", "paid", "commissioned"]
        default: []
        }
    }
}
