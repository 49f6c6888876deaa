/// The callback programmes (回访制度) a center runs: the manual's own (001) and every model
/// programme of 003. Each makes *duties* — who is to be called back by when — that
/// ``CallbackDuties`` computes and a callback discharges. Raw values are stored with
/// callbacks; never change them.
public enum CallbackProgramme: String, DomainEnumeration, Comparable {
    /// 月度回访计划 (001 回访操作指引 1): 30 % of the month's in-home repair-type services,
    /// the four classes always among them; each due the day after completion.
    case monthlyPlan = "monthly_plan"
    /// 委托服务回访 (001 P7.9-8 4.2.14.4): commissioned services the center selects so that
    /// ≥ 60 % are called back within 2 days of completion (≥ 40 % on site).
    case commissioned
    /// 日回访 (003 (1) 二 1): every repair reported that day, called back by the front desk
    /// by phone (以当日报修情况逐一回访).
    case daily
    /// 专项回访 (003 (1) 二 2): a repair needing a manufacturer or contractor; the butler
    /// confirms by phone at once and on site (接到报修第一时间打确认电话并上门确认).
    case special
    /// 季度回访 (003 (1) 二 3): every household once a quarter, by its butler, by phone; the
    /// fourth quarter's is the annual survey.
    case quarterly
    /// 季度抽样回访 (003 (1) 二 3: 前台负责抽样回访): the front desk calls a sample of the
    /// quarter's households itself.
    case quarterlySample = "quarterly_sample"
    /// 年度满意度调查 (003 (1) 二 4): the annual satisfaction survey, the fourth quarter's
    /// callback (年度回访等同于第四季度回访), by the butler by phone and on site.
    case annualSurvey = "annual_survey"
    /// 新入住回访 (003 (3) 二 1 (1), (4) 二 1): a new resident within one month of moving in.
    case newResident = "new_resident"
    /// 在住业主回访 (003 (3) 二 1 (2)): every resident once every six months.
    case resident
    /// 离开业主回访 (003 (3) 二 1 (3)): a departing owner within one month of leaving.
    case departing
    /// 投诉回访 (003 (4) 二 2): a complaint within one month of its resolution.
    case complaintFollowUp = "complaint_follow_up"
    /// 特殊居民回访 (003 (4) 二 3): elderly, disabled and other special-care residents,
    /// periodically — every month (see ``CallbackDuties``).
    case specialCare = "special_care"

    public static let valueName = "callback programme"

    public var displayName: String {
        switch self {
        case .monthlyPlan: "月度回访计划"
        case .commissioned: "委托服务回访"
        case .daily: "日回访"
        case .special: "专项回访"
        case .quarterly: "季度回访"
        case .quarterlySample: "季度抽样回访"
        case .annualSurvey: "年度满意度调查"
        case .newResident: "新入住回访"
        case .resident: "在住业主回访"
        case .departing: "离开业主回访"
        case .complaintFollowUp: "投诉回访"
        case .specialCare: "特殊居民回访"
        }
    }

    public var aliases: [String] {
        switch self {
        case .monthlyPlan: ["plan", "回访计划", "四类服务"]
        case .annualSurvey: ["survey", "满意度调查", "年度回访"]
        case .newResident: ["新入住", "new"]
        case .resident: ["在住", "半年回访"]
        case .departing: ["离开", "迁出"]
        case .complaintFollowUp: ["投诉", "complaint"]
        case .specialCare: ["特殊关怀", "特殊居民"]
        case .quarterlySample: ["抽样回访", "季度抽样"]
        default: []
        }
    }

    /// The seed clause the programme comes from.
    public var clause: String {
        switch self {
        case .monthlyPlan: "001 回访操作指引 1"
        case .commissioned: "001 P7.9-8 4.2.14.4"
        case .daily: "003 (1) 二 1"
        case .special: "003 (1) 二 2"
        case .quarterly, .quarterlySample: "003 (1) 二 3"
        case .annualSurvey: "003 (1) 二 4"
        case .newResident: "003 (3) 二 1 (1)"
        case .resident: "003 (3) 二 1 (2)"
        case .departing: "003 (3) 二 1 (3)"
        case .complaintFollowUp: "003 (4) 二 2"
        case .specialCare: "003 (4) 二 3"
        }
    }

    /// Whether the programme's duties are about one request (the rest are about a
    /// customer, and their callbacks need no request).
    public var isAboutARequest: Bool {
        switch self {
        case .monthlyPlan, .commissioned, .daily, .special, .complaintFollowUp: true
        default: false
        }
    }

    /// Who makes these callbacks (the seed's words; anyone on the desk may record them).
    public var caller: String {
        switch self {
        case .monthlyPlan, .commissioned: "经理助理/前台"
        case .daily, .quarterlySample: "前台"
        case .special, .quarterly, .annualSurvey: "管家"
        case .newResident, .resident, .departing, .complaintFollowUp, .specialCare: "客服/管家"
        }
    }

    /// The share of duties to be done on time, in percent: 100 for every programme's
    /// duties. (The 60 % of 4.2.14.4 is reached by the share of services *selected*, and is
    /// reported as the callback rate; 003 leaves its rates blank, 回访率____%, while 逐一回访
    /// — each one — asks for all.)
    public var targetPercent: Int { 100 }

    /// Callbacks recorded for these programmes also discharge a duty of `self` (a customer
    /// programme): a resident called this half-year for the quarterly callback or the
    /// survey has had their six-monthly callback.
    public var dischargedBy: Set<CallbackProgramme> {
        switch self {
        case .resident: [.resident, .quarterly, .quarterlySample, .annualSurvey]
        default: [self]
        }
    }

    public static func < (lhs: CallbackProgramme, rhs: CallbackProgramme) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
