/// The custody rule: a service center keeps customers' items for safekeeping or repair,
/// but never cash or valuables (001 P7.12-1 4.2.4: 现金和贵重物品不得接受委托).
///
/// ```swift
/// try CustodyPolicy.validate(description: "钥匙一串")   // fine
/// try CustodyPolicy.validate(description: "金项链")
/// // Refused: '金项链' looks like cash or valuables (金); the custody rule (001 P7.12-1 4.2.4) ...
/// ```
public enum CustodyPolicy {
    /// Terms that mark cash or valuables, Chinese and English. Matching is by substring,
    /// case-insensitive, so "金" also catches 黄金, 金条, 金项链; when in doubt the rule
    /// refuses, and the front desk can describe the item more precisely.
    public static let forbiddenTerms: [String] = [
        "现金", "现钞", "钱", "人民币", "美元", "港币", "外币", "存折", "银行卡", "信用卡", "支票",
        "有价证券", "债券", "股票", "金", "银元", "首饰", "珠宝", "钻石", "翡翠", "玉", "手表",
        "名表", "贵重",
        "cash", "money", "banknote", "cheque", "check book", "bank card", "credit card",
        "passbook", "gold", "silver", "jewel", "diamond", "watch", "valuable", "rmb",
    ]

    /// Harmless words that contain a forbidden term and are removed before matching:
    /// 金属 (metal), 五金 (hardware), 合金 (alloy), 钣金 (sheet metal), 玉米 (corn).
    public static let allowedTerms: [String] = ["金属", "五金", "合金", "钣金", "玉米"]

    /// Returns normally for an acceptable description; throws ``RuleError``
    /// (`custodyRefused`) naming the matched term and the rule for cash or valuables, or
    /// (`invalidValue`) for an empty description.
    public static func validate(description: String) throws(RuleError) {
        let text = description.trimmingWhitespace()
        guard !text.isEmpty else {
            throw RuleError(.invalidValue, "A custody item needs a description of the item and its condition.")
        }
        var haystack = text.lowercased()
        for term in allowedTerms {
            haystack = haystack.replacingAll(term.lowercased(), with: " ")
        }
        if let term = forbiddenTerms.first(where: { haystack.contains($0.lowercased()) }) {
            throw RuleError(
                .custodyRefused,
                "Refused: '\(text)' looks like cash or valuables (\(term)); the custody rule "
                    + "(001 P7.12-1 4.2.4: 现金和贵重物品不得接受委托) forbids accepting them into custody."
            )
        }
    }
}

extension String {
    /// Every non-overlapping occurrence of `target` replaced, scanning left to right.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
