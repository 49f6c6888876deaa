/// How serious a complaint is; decides its resolution deadline (001 顾客投诉 5.1.1).
public enum Severity: String, DomainEnumeration {
    /// 一般 (一般性投诉): resolved within 1 working day.
    case general
    /// 重大 (重大投诉): resolved within 7 working days.
    case major

    public static let valueName = "severity"

    public var displayName: String {
        switch self {
        case .general: "一般"
        case .major: "重大"
        }
    }

    public var aliases: [String] {
        switch self {
        case .general: ["一般性", "一般投诉", "一般性投诉"]
        case .major: ["重大投诉"]
        }
    }
}
