/// How a request reached the service center.
public enum Channel: String, DomainEnumeration {
    /// 电话.
    case phone
    /// 来访: the customer came to the front desk.
    case walkIn = "walk_in"
    /// 微信.
    case wechat
    /// The company's app (App).
    case app
    /// 电子邮件.
    case email
    /// 信函: a letter.
    case letter
    /// 其他.
    case other

    public static let valueName = "channel"

    public var displayName: String {
        switch self {
        case .phone: "电话"
        case .walkIn: "来访"
        case .wechat: "微信"
        case .app: "App"
        case .email: "电子邮件"
        case .letter: "信函"
        case .other: "其他"
        }
    }

    public var aliases: [String] {
        switch self {
        case .walkIn: ["visit", "前台"]
        case .app: ["应用", "手机应用"]
        case .email: ["邮件", "mail"]
        case .letter: ["来信", "书信"]
        default: []
        }
    }
}
