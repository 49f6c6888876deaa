/// What a customer asks of the service center.
public enum RequestKind: String, DomainEnumeration {
    /// 报修: a repair or installation, in the home (户内, a commissioned service) or in the
    /// common parts (公共区域, contract work); see ``RepairLocation``. A repair that turns out
    /// to be chargeable is charged from the price list and counts as paid.
    case repair
    /// 投诉: a complaint; carries a ``ComplaintClass`` and a ``Severity``.
    case complaint
    /// 有偿服务: a service from the posted price list (有偿服务明码标价牌) or an off-list one the
    /// center manager reviewed (001 P7.9-8 4.2.1–4.2.4). A commissioned service, like an
    /// in-home repair (see ``CommissionedService``).
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
        case .repair: ["维修", "报事报修", "居家维修", "安装", "维修安装"]
        // Spreadsheets that say 委托服务 mean a charged service; an in-home repair is imported
        // as 报修 with its location (位置 户内).
        case .service: ["委托服务", "价目服务", "特约服务", "特约有偿服务", "paid"]
        default: []
        }
    }

    /// Whether the request is normally done on site by a provider who is dispatched and
    /// arrives (repairs and price-list services). Complaints, inquiries and suggestions can
    /// be resolved or answered by the desk directly, without dispatch (issue 16).
    public var needsProvider: Bool { self == .repair || self == .service }
}
