/// How a callback (回访) was made.
public enum CallbackMethod: String, DomainEnumeration {
    /// 电话回访.
    case phone
    /// 上门回访: an on-site visit; counts towards the on-site callback rate.
    case onSite = "on_site"
    /// 短信.
    case sms
    /// 电子邮件.
    case email
    /// 问卷: a questionnaire (e.g. the annual satisfaction survey).
    case questionnaire

    public static let valueName = "callback method"

    public var displayName: String {
        switch self {
        case .phone: "电话"
        case .onSite: "上门"
        case .sms: "短信"
        case .email: "电子邮件"
        case .questionnaire: "问卷"
        }
    }

    public var aliases: [String] {
        switch self {
        case .phone: ["电话回访"]
        case .onSite: ["上门回访", "visit"]
        case .email: ["邮件"]
        case .questionnaire: ["问卷调查", "survey"]
        default: []
        }
    }
}
