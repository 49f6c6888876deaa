/// Masks customers' personal information for display to staff without a grant (001
/// P7.12-1 4.2.2: customer information is confidential). Every function is total: any
/// input, including empty and short strings, gives a masked string and never the original
/// secret part.
public enum Masking {
    /// Two-character compound surnames (复姓) kept whole by ``name(_:)``.
    public static let compoundSurnames: Set<String> = [
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "司徒", "令狐",
        "夏侯", "宇文", "长孙", "轩辕", "端木", "独孤", "南宫", "西门", "呼延", "司空", "澹台",
        "百里", "东郭", "闻人", "万俟", "赫连", "拓跋", "钟离", "申屠", "太史", "淳于", "单于",
    ]

    /// Keeps the surname and replaces every other character with `*`.
    ///
    /// - Chinese: the first character is the surname, or the first two when they are a
    ///   compound surname *and* the name has at least three characters (a two-character name
    ///   such as 欧阳 is read as surname 欧 + given name 阳): 张三 → 张*, 张三丰 → 张**,
    ///   欧阳修 → 欧阳*, 诸葛孔明 → 诸葛**. A one-character input is returned as is (it can only
    ///   be a surname). Spaces and the middle dot of transliterated names are kept.
    /// - Latin script (first letter A–Z or a–z): the first letter and `***`, whatever the
    ///   length: "Zhang Wei" → "Z***".
    /// - Empty or blank → "".
    public static func name(_ text: String) -> String {
        let name = text.trimmingWhitespace()
        guard let first = name.first else { return "" }
        if first.isASCII && first.isLetter { return String(first) + "***" }
        let characters = Array(name)
        let keep = characters.count >= 3 && compoundSurnames.contains(String(characters[0...1])) ? 2 : 1
        return String(characters.prefix(keep))
            + String(characters.dropFirst(keep).map { $0 == " " || $0 == "·" || $0 == "•" ? $0 : "*" })
    }

    /// Masks a phone number, one `*` per hidden digit, keeping separators' positions out:
    /// - 11 or more digits (mobile, or with +86): first 3 and last 4 kept → 138****5678;
    /// - a landline with area code (starting with 0, 10–12 digits): area code and last 4 kept
    ///   → 0755-****5678 (a `-` is put after the area code);
    /// - 8–9 other digits: last 4 kept → ****5678; 5–7 digits: last 2 kept → ***45;
    ///   4 or fewer: all hidden.
    /// Non-digits are dropped first; input without digits gives as many `*` as characters.
    public static func phone(_ text: String) -> String {
        let digits = Array(text.filter { $0.isASCII && $0.isNumber })
        let n = digits.count
        if n == 0 { return String(repeating: "*", count: text.trimmingWhitespace().count) }
        func stars(_ k: Int) -> String { String(repeating: "*", count: k) }
        if digits[0] == "0" && (10...12).contains(n) {
            let area = digits[1] == "1" || digits[1] == "2" ? 3 : 4
            return String(digits[0..<area]) + "-" + stars(n - area - 4) + String(digits[(n - 4)...])
        }
        switch n {
        case 11...: return String(digits[0..<3]) + stars(n - 7) + String(digits[(n - 4)...])
        case 8...10: return stars(n - 4) + String(digits[(n - 4)...])
        case 5...7: return stars(n - 2) + String(digits[(n - 2)...])
        default: return stars(n)
        }
    }

    /// Masks an identity-card (or passport) number: the first 4 and last 4 characters are
    /// kept and the middle hidden one `*` per character (110105********1234 for a
    /// 18-character ID becomes 1101**********1234). Inputs of 8 characters or fewer are
    /// hidden entirely, since keeping 4 + 4 would reveal them.
    public static func idNumber(_ text: String) -> String {
        let characters = Array(text.trimmingWhitespace().filter { $0 != " " })
        let n = characters.count
        guard n > 8 else { return String(repeating: "*", count: n) }
        return String(characters[0..<4]) + String(repeating: "*", count: n - 8) + String(characters[(n - 4)...])
    }

    /// The building markers ``address(_:)`` masks after: 栋, 幢, 座, 号楼.
    public static let buildingMarkers = ["号楼", "栋", "幢", "座"]

    /// Masks an address down to the building.
    ///
    /// The building is the first building marker (栋, 幢, 座, 号楼) that follows a digit, a
    /// Latin letter or a Chinese numeral (so the 座 of a compound named 金座花园 is not taken
    /// for one). Everything up to and including it is kept and the rest (unit, floor, room)
    /// becomes a fixed `****` that does not reveal its length:
    /// "3栋2单元1101" → "3栋****", "阳光花园B座1203" → "阳光花园B座****",
    /// "金座花园12号楼3单元" → "金座花园12号楼****". Nothing after the building → unchanged
    /// ("3栋"). Without a building, the text before the first digit (the compound's name) is
    /// kept: "阳光花园1101" → "阳光花园****", "1101" → "****"; text without digits keeps
    /// its first 4 characters. Blank → "".
    public static func address(_ text: String) -> String {
        let address = text.trimmingWhitespace()
        guard !address.isEmpty else { return "" }
        let characters = Array(address)
        for end in characters.indices {
            for marker in buildingMarkers {
                let m = Array(marker)
                let start = end - m.count + 1
                guard start >= 1, Array(characters[start...end]) == m else { continue }
                let before = characters[start - 1]
                guard (before.isASCII && (before.isLetter || before.isNumber)) || "一二三四五六七八九十".contains(before)
                else { continue }
                return end == characters.count - 1 ? address : String(characters[...end]) + "****"
            }
        }
        let prefix = characters.prefix(while: { !$0.isNumber })
        return String(prefix.count == characters.count ? prefix.prefix(4) : prefix) + "****"
    }
}
