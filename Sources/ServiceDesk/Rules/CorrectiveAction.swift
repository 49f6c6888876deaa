/// Where a corrective action of the quarterly analysis stands (001 P7.9-8 4.4.2: 管理服务中心
/// 经理组织相关人员每季度…统计分析…找出不足,根据《纠正预防措施程序》采取相应的改进措施,并报公司
/// 品质工程部审批执行): the center manager records the finding and the action; the quality
/// department at head office approves (or returns) it; the center carries it out.
public enum CorrectiveActionState: String, DomainEnumeration {
    /// 待审批: recorded by the center, awaiting quality.
    case proposed
    /// 已退回: quality returned it; the center records a better one.
    case rejected
    /// 已批准: approved, being carried out.
    case approved
    /// 已完成: carried out.
    case done

    public static let valueName = "corrective action state"

    public var displayName: String {
        switch self {
        case .proposed: "待审批"
        case .rejected: "已退回"
        case .approved: "已批准（执行中）"
        case .done: "已完成"
        }
    }

    /// The state from the recorded decision and completion.
    public static func of(decision: CorrectiveActionState?, doneAtSet: Bool) -> CorrectiveActionState {
        switch decision {
        case .approved?: doneAtSet ? .done : .approved
        case .rejected?: .rejected
        default: .proposed
        }
    }
}

/// Where the butler's follow-up visit to an unsatisfied owner stands (003 (1) 三: 整改
/// (针对回访不满意业主,管家上门了解情况)): created by the unsatisfied callback, visited, closed.
public enum FollowUpState: String, DomainEnumeration {
    /// 待上门.
    case open
    /// 已上门: the butler visited and heard the owner.
    case visited
    /// 已关闭: the problem is dealt with (or the owner's view recorded) and the task closed.
    case closed

    public static let valueName = "follow-up state"

    public var displayName: String {
        switch self {
        case .open: "待上门"
        case .visited: "已上门"
        case .closed: "已关闭"
        }
    }

    /// The visit is due the day after the unsatisfied callback. The seed gives no time; the
    /// guideline's next-day rhythm (回访需于服务完成次日完成) is used.
    public static let dueAfterDays = 1
}
