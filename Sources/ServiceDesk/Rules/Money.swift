/// Yuan amounts as the front desk types them, kept in fen (分; 1 yuan = 100 fen) so sums
/// never round.
///
/// ```swift
/// try Money.fen("35.5")    // 3550
/// try Money.fen("¥80")     // 8000
/// Money.yuan(3550)         // "35.50"
/// try Money.fen("3.555")
/// // invalid amount "3.555": use yuan with up to two decimals, e.g. 35.50
/// ```
public enum Money {
    /// Parses a non-negative yuan amount with up to two decimals (an optional `¥` or `元`).
    public static func fen(_ text: String) throws(RuleError) -> Int {
        let t = text.trimmingWhitespace().replacingAll("¥", with: "").replacingAll("￥", with: "").replacingAll("元", with: "")
            .trimmingWhitespace()
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            let yuan = Int(parts[0]), yuan < 10_000_000,
            parts.count == 1 || (parts[1].count <= 2 && !parts[1].isEmpty && parts[1].allSatisfy({ $0.isASCII && $0.isNumber }))
        else {
            throw RuleError(.invalidValue, "invalid amount \"\(text)\": use yuan with up to two decimals, e.g. 35.50")
        }
        let cents = parts.count == 2 ? Int(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0
        return yuan * 100 + cents
    }

    /// `3550` → `"35.50"`.
    public static func yuan(_ fen: Int) -> String {
        let sign = fen < 0 ? "-" : ""
        let a = abs(fen)
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
