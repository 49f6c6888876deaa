/// The outcome of one callback attempt.
public enum CallbackResult: String, DomainEnumeration {
    /// 满意.
    case satisfied
    /// 基本满意.
    case basicallySatisfied = "basically_satisfied"
    /// 不满意: the butler follows up with a visit (003 (1) 三).
    case unsatisfied
    /// 未接通: the customer was not reached; the callback is not done.
    case notReached = "not_reached"
    /// 拒访: the customer refused; they go on the refused-callback list.
    case refused

    public static let valueName = "callback result"

    public var displayName: String {
        switch self {
        case .satisfied: "满意"
        case .basicallySatisfied: "基本满意"
        case .unsatisfied: "不满意"
        case .notReached: "未接通"
        case .refused: "拒访"
        }
    }

    /// Whether the customer was reached and gave a satisfaction answer; only such callbacks
    /// count as done and enter the satisfaction rate (see ``CallbackStats``).
    public var reachedCustomer: Bool {
        switch self {
        case .satisfied, .basicallySatisfied, .unsatisfied: true
        case .notReached, .refused: false
        }
    }

    /// Whether the answer counts as satisfied for the satisfaction rate.
    public var countsAsSatisfied: Bool { self == .satisfied || self == .basicallySatisfied }
}
