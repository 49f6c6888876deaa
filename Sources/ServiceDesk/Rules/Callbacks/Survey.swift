/// An item of the annual satisfaction questionnaire (年度业主满意度调查, 003 (1) 二 4). The
/// items are the ones the seeds name for callbacks and surveys; each center's questionnaire
/// picks its items from them (``SurveyItem/overall`` always).
public enum SurveyItem: String, DomainEnumeration, Comparable {
    /// 服务及时性: 001 P7.9-8 4.2.14.1 (服务提供及时性); 003 (2) 四 1 (服务响应速度).
    case timeliness
    /// 服务礼仪与态度: 4.2.14.1 (服务提供人员的礼仪礼节); 003 (2) 四 1 (服务态度).
    case courtesy
    /// 服务质量: 4.2.14.1 (服务人员的服务质量).
    case quality
    /// 设施设备: 003 (2) 四 2 (物业设施设备).
    case facilities
    /// 环境卫生: 003 (2) 四 2.
    case cleanliness
    /// 安全保障: 003 (2) 四 2.
    case security
    /// 总体满意度: 003 (1) 二 3 (对物业公司近期服务是否满意), (3) 三 1 (1). The answer that
    /// decides whether the response counts as satisfied.
    case overall

    public static let valueName = "survey item"

    public var displayName: String {
        switch self {
        case .timeliness: "服务及时性"
        case .courtesy: "服务礼仪与态度"
        case .quality: "服务质量"
        case .facilities: "设施设备"
        case .cleanliness: "环境卫生"
        case .security: "安全保障"
        case .overall: "总体满意度"
        }
    }

    public static func < (lhs: SurveyItem, rhs: SurveyItem) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The annual survey's rules: the questionnaire, the answers, and the figure head office
/// compares with the industry's 68 % (002 1.1: 业主满意度调查显示…满意度为68%).
public enum SurveyRules {
    /// 002's industry owner-satisfaction figure, in percent.
    public static let industrySatisfactionPercent = 68

    /// A questionnaire's items: `items` in the seeds' order with ``SurveyItem/overall``
    /// added; every seed item when empty.
    public static func questionnaire(_ items: [SurveyItem]) -> [SurveyItem] {
        items.isEmpty ? SurveyItem.allCases : Set(items + [.overall]).sorted()
    }

    /// Checks a response's answers against the questionnaire: each item answered with 满意,
    /// 基本满意 or 不满意, the overall item included, nothing outside the questionnaire.
    /// Returns the overall answer, which is the response's result.
    public static func validate(answers: [SurveyItem: CallbackResult], questionnaire: [SurveyItem]) throws(RuleError) -> CallbackResult {
        let outside = answers.keys.filter { !questionnaire.contains($0) }.sorted()
        if !outside.isEmpty {
            throw RuleError(.invalidValue, "the questionnaire has no item \(outside.map { "\($0.rawValue) (\($0.displayName))" }.joined(separator: ", ")); its items are \(questionnaire.map(\.rawValue).joined(separator: ", ")).")
        }
        for (item, answer) in answers.sorted(by: { $0.key < $1.key }) where !answer.reachedCustomer {
            throw RuleError(.invalidValue, "\(item.displayName) is answered with 满意, 基本满意 or 不满意, not \(answer.displayName).")
        }
        let missing = questionnaire.filter { answers[$0] == nil }
        if !missing.isEmpty {
            throw RuleError(.invalidValue, "every item of the questionnaire is answered; missing: \(missing.map { "\($0.rawValue) (\($0.displayName))" }.joined(separator: ", ")).")
        }
        return answers[.overall]!
    }
}
