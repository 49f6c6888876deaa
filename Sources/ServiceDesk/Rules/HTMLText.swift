/// Text for HTML element content and attribute values, escaped as swift-mustache escapes
/// `{{…}}` (the desk's templates) and as the printable report needs. Pure.
///
/// By Unicode scalar, not by `Character`: a quote or `<` followed by a combining mark is one
/// grapheme cluster, which a `Character` switch does not match, and would pass unescaped
/// (a center's name could then end an attribute).
public enum HTMLText {
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
