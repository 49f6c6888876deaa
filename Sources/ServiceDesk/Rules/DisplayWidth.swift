/// How many terminal columns text occupies, for aligning Chinese and ASCII in list output.
///
/// Per grapheme cluster (what a reader sees as one character):
/// - 2 columns for East Asian Wide and Fullwidth characters (Unicode UAX #11): CJK unified
///   ideographs and extensions, CJK punctuation (。，、「」), kana, Hangul, fullwidth forms
///   (ＡＢＣ１２３，！), and emoji shown as pictures (including ZWJ sequences and flags, which
///   are one cluster);
/// - 0 columns for clusters made only of combining marks, zero-width and control characters;
/// - 1 column for everything else, including East Asian *Ambiguous* characters such as
///   “ ” … · — which most Chinese terminals today render narrow.
///
/// ```swift
/// DisplayWidth.of("张三 Zhang")          // 10
/// DisplayWidth.pad("张三", to: 6)        // "张三  "
/// DisplayWidth.truncate("阳光花园3栋", to: 7)  // "阳光花…"
/// ```
public enum DisplayWidth {
    /// The display width of `text` in terminal columns.
    public static func of(_ text: String) -> Int {
        simpleWidth(text) ?? text.reduce(0) { $0 + of($1) }
    }

    /// The width of `text` when every scalar in it is one whole character of a known width
    /// (printable ASCII and Latin, common punctuation and math signs: 1; CJK ideographs,
    /// CJK punctuation and fullwidth forms: 2), without splitting it into grapheme
    /// clusters; nil for anything else (combining marks, emoji, controls, line breaks),
    /// which ``of(_:)-swift.type.method`` then measures character by character. Reports
    /// and `hub status` measure hundreds of thousands of cells.
    static func simpleWidth(_ text: String) -> Int? {
        var w = 0
        for b in text.utf8 {
            guard b >= 0x20 && b < 0x7F else { return simpleScalarWidth(text) }
            w += 1
        }
        return w
    }

    private static func simpleScalarWidth(_ text: String) -> Int? {
        var w = 0
        for u in text.unicodeScalars {
            switch u.value {
            // Latin-1 and Latin extended letters (not C1 controls, not the soft hyphen);
            // general punctuation up to … and ‧; arrows and mathematical operators (≥).
            case 0x20...0x7E, 0xA0...0xAC, 0xAE...0x2FF, 0x2010...0x2027, 0x2190...0x21FF, 0x2200...0x22FF: w += 1
            // CJK symbols and punctuation before the ideographic tone marks; CJK unified
            // ideographs; fullwidth forms (（）：，！).
            case 0x3000...0x3029, 0x4E00...0x9FFF, 0xFF01...0xFF60: w += 2
            default: return nil
            }
        }
        return w
    }

    /// The display width of one grapheme cluster: 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first(where: { !isZeroWidth($0) }) else { return 0 }
        if scalars.count > 1 && scalars.contains(where: { $0.value == 0xFE0F || $0.properties.isEmojiModifier })
        {
            return 2  // emoji presentation selector, skin tone
        }
        if scalars.count > 1 && (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }  // a flag
        return isWide(first) ? 2 : 1
    }

    /// `text` padded with spaces to `width` columns (unchanged when already as wide or wider).
    public static func pad(_ text: String, to width: Int, alignment: Alignment = .left) -> String {
        let missing = width - of(text)
        guard missing > 0 else { return text }
        let spaces = String(repeating: " ", count: missing)
        return alignment == .left ? text + spaces : spaces + text
    }

    /// `text` cut to at most `width` columns, ending with `ellipsis` when something was cut;
    /// never splits a character (a wide character that would straddle the limit is dropped,
    /// so the result may be one column narrower than `width`).
    public static func truncate(_ text: String, to width: Int, ellipsis: String = "…") -> String {
        guard of(text) > width else { return text }
        let room = width - of(ellipsis)
        guard room >= 0 else { return "" }
        var result = ""
        var used = 0
        for character in text {
            let w = of(character)
            if used + w > room { break }
            result.append(character)
            used += w
        }
        return result + ellipsis
    }

    /// `text` truncated and then padded so it occupies exactly `width` columns.
    public static func fit(_ text: String, to width: Int, alignment: Alignment = .left) -> String {
        pad(truncate(text, to: width), to: width, alignment: alignment)
    }

    /// Horizontal alignment inside a column.
    public enum Alignment: Sendable, Hashable {
        /// Text at the left, padding at the right.
        case left
        /// Padding at the left, text at the right (numbers).
        case right
    }

    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return true
        default: return scalar.value == 0x200B || (0x1160...0x11FF).contains(scalar.value)  // ZWSP, Hangul jamo
        }
    }

    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x1100 { return false }
        if scalar.properties.isEmojiPresentation { return true }
        for range in wideRanges where range.contains(v) { return true }
        return false
    }

    /// East Asian Wide (W) and Fullwidth (F) blocks, from UAX #11's EastAsianWidth.txt,
    /// merged into blocks (emoji with default emoji presentation are caught separately).
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,  // Hangul Jamo initial consonants
        0x2329...0x232A,  // angle brackets
        0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed CJK, compatibility
        0x3400...0x4DBF,  // CJK unified ideographs extension A
        0x4E00...0x9FFF,  // CJK unified ideographs
        0xA000...0xA4CF,  // Yi
        0xA960...0xA97F,  // Hangul Jamo extended A
        0xAC00...0xD7A3,  // Hangul syllables
        0xF900...0xFAFF,  // CJK compatibility ideographs
        0xFE10...0xFE19,  // vertical forms
        0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
        0xFF00...0xFF60,  // fullwidth forms
        0xFFE0...0xFFE6,  // fullwidth signs
        0x16FE0...0x18CFF,  // Tangut, Khitan
        0x1B000...0x1B2FF,  // Kana supplement and extensions, Nushu
        0x1F200...0x1F2FF,  // enclosed ideographic supplement
        0x1F300...0x1F64F,  // misc symbols and pictographs, emoticons
        0x1F900...0x1F9FF,  // supplemental symbols and pictographs
        0x20000...0x2FFFD,  // CJK extensions B–F, compatibility supplement
        0x30000...0x3FFFD,  // CJK extensions G–H
    ]
}
