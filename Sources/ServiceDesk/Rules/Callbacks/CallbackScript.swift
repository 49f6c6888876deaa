/// The steps of a callback (003 (1) 三 回访工作流程): 电话拨通/上门拜访 → 礼貌问候 → 自我介绍 →
/// 简述业主报修情况 → 满意度调查 → 询问(是否还有其他事项需要协助) → 感谢 → 记录回访信息 → 整改
/// (针对回访不满意业主,管家上门了解情况). Each callback records which steps were taken; the
/// last, the follow-up visit, is the follow-up task an unsatisfied answer creates.
public enum CallbackStep: String, DomainEnumeration, Comparable {
    /// 礼貌问候: "你好, 先生/女士, 打扰了…".
    case greeting
    /// 自我介绍: "我是××物业某某某".
    case introduction
    /// 简述报修情况: "上次您报修进户门/声控灯…" (what the call is about).
    case recap
    /// 满意度调查: the satisfaction question.
    case satisfaction
    /// 询问: anything else to help with (客户提及的要求应及时记录).
    case anythingElse = "anything_else"
    /// 感谢: "感谢您的支持和理解".
    case thanks
    /// 记录回访信息.
    case record

    public static let valueName = "callback step"

    public var displayName: String {
        switch self {
        case .greeting: "礼貌问候"
        case .introduction: "自我介绍"
        case .recap: "简述报修情况"
        case .satisfaction: "满意度调查"
        case .anythingElse: "询问其他事项"
        case .thanks: "感谢"
        case .record: "记录回访信息"
        }
    }

    /// The steps a callback with `result` normally has: the whole script when the customer
    /// answered; greeting and introduction when they refused; none when not reached. A
    /// callback about no request has no recap.
    public static func usual(for result: CallbackResult, aboutARequest: Bool) -> [CallbackStep] {
        switch result {
        case .satisfied, .basicallySatisfied, .unsatisfied: allCases.filter { aboutARequest || $0 != .recap }
        case .refused: [.greeting, .introduction, .record]
        case .notReached: [.record]
        }
    }

    /// Checks recorded steps against the script: a callback that reached the customer asked
    /// the satisfaction question; steps are listed once.
    public static func validate(_ steps: [CallbackStep], result: CallbackResult) throws(RuleError) {
        if Set(steps).count != steps.count {
            throw RuleError(.invalidValue, "a callback step is listed twice; each step of the script is recorded once.")
        }
        if result.reachedCustomer && !steps.contains(.satisfaction) {
            throw RuleError(.invalidValue, "a callback that reached the customer has a satisfaction answer, so it includes the step satisfaction (满意度调查; 003 (1) 三).")
        }
        if !result.reachedCustomer && steps.contains(.satisfaction) {
            throw RuleError(.invalidValue, "a callback that did not reach the customer (\(result.displayName)) cannot include the satisfaction step.")
        }
    }

    public static func < (lhs: CallbackStep, rhs: CallbackStep) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
