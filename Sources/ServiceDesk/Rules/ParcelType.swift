/// The kind of item in the mail / parcel log (邮件接收记录表, 001 P7.9-8 4.2.13).
public enum ParcelType: String, DomainEnumeration {
    /// 平信.
    case letter
    /// 挂号信: registered mail.
    case registeredMail = "registered_mail"
    /// 包裹.
    case parcel
    /// 快递.
    case express
    /// 报刊: newspapers and magazines.
    case printedMatter = "printed_matter"
    /// 其他.
    case other

    public static let valueName = "parcel type"

    public var displayName: String {
        switch self {
        case .letter: "平信"
        case .registeredMail: "挂号信"
        case .parcel: "包裹"
        case .express: "快递"
        case .printedMatter: "报刊"
        case .other: "其他"
        }
    }

    public var aliases: [String] {
        switch self {
        case .letter: ["信件", "信"]
        case .registeredMail: ["registered"]
        case .express: ["courier", "快件"]
        case .printedMatter: ["newspaper", "magazine", "报纸", "杂志"]
        default: []
        }
    }
}
