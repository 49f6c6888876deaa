/// What can go wrong with a commissioned service, as the manual provides for it
/// (001 P7.9-8 4.2.10, 4.3.5, 4.3.6). Each is recorded on the request, replicated, shown in
/// its timeline and counted in the reports.
public enum ServiceExceptionKind: String, DomainEnumeration {
    /// 服务内容变更 (4.2.10): the work actually needed differs from, or goes beyond, what was
    /// ordered — the provider tells the center manager at once, who confirms and agrees it
    /// with the customer (实际委托服务项目与顾客委托服务项目不同或超出范围时,服务提供人员应立即
    /// 通知管理服务中心经理确认、协商).
    case workDiffers = "work_differs"
    /// 损失赔偿 (4.3.5): the provider caused damage or loss by breaking the safety or work
    /// rules — apology and compensation (应向顾客赔礼道歉,并承担相应的赔偿责任).
    case damage
    /// 费用减免 (4.3.6): the service failed and was redone free until it passed; the fee is
    /// reduced or waived where needed (服务不合格将免费为顾客返工直至合格…必要时可减少或免除
    /// 此次服务费用).
    case feeAdjusted = "fee_adjusted"

    public static let valueName = "service exception"

    public var displayName: String {
        switch self {
        case .workDiffers: "服务内容变更"
        case .damage: "损失赔偿"
        case .feeAdjusted: "费用减免"
        }
    }

    public var aliases: [String] {
        switch self {
        case .workDiffers: ["变更", "differs", "change"]
        case .damage: ["赔偿", "损坏", "compensation"]
        case .feeAdjusted: ["减免", "减免费用", "waive", "reduce", "refund"]
        }
    }

    /// The clause of 001 P7.9-8.
    public var clause: String {
        switch self {
        case .workDiffers: "001 P7.9-8 4.2.10"
        case .damage: "001 P7.9-8 4.3.5"
        case .feeAdjusted: "001 P7.9-8 4.3.6"
        }
    }

    /// Whether the exception means the service did not pass (合格率, 4.4.1): damage and a
    /// failed service do; a change of the work ordered does not.
    public var failsTheService: Bool { self != .workDiffers }
}

/// What can happen to a customer's item in the center's keeping (001 P7.12-1 4.2.9:
/// 若发现顾客的财产有丢失、损坏或不适用的情况时,应及时记录在相应表格中,并向顾客报告).
public enum CustodyIncidentKind: String, DomainEnumeration {
    /// 丢失.
    case lost
    /// 损坏.
    case damaged
    /// 不适用: found unfit for use.
    case unfit

    public static let valueName = "custody incident"

    public var displayName: String {
        switch self {
        case .lost: "丢失"
        case .damaged: "损坏"
        case .unfit: "不适用"
        }
    }

    public var aliases: [String] {
        switch self {
        case .lost: ["遗失", "missing"]
        case .damaged: ["损毁", "broken"]
        case .unfit: ["unusable", "不能用"]
        }
    }
}
