/// Writes CSV that ``CSVReader`` and spreadsheets read back: a field is quoted when it
/// contains a comma, a double quote, CR or LF, or starts or ends with a space; quotes inside
/// are doubled. Records end with CRLF (RFC 4180) unless told otherwise.
///
/// ```swift
/// CSVWriter.record(["张三", "3栋, 2单元", "说\"好\""])   // "张三,\"3栋, 2单元\",\"说\"\"好\"\"\""
/// ```
public enum CSVWriter {
    /// One field, quoted if needed.
    public static func field(_ value: String) -> String {
        let needsQuotes =
            value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
            || value.first == " " || value.last == " "
        guard needsQuotes else { return value }
        return "\"" + value.replacingAll("\"", with: "\"\"") + "\""
    }

    /// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `=cmd|…`, `+…`, `-…`,
    /// `@…`, or one starting with a tab or CR) gets a leading `'`, so Excel shows it as
    /// text (OWASP, CSV injection). Plain numbers (`-12`, `-3.5%`) are left alone.
    public static func neutralize(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return value }
        let body = value.dropFirst()
        let numeric = first == "-" && !body.isEmpty && body.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "%") }
            && body.first?.isNumber == true
        return numeric ? value : "'" + value
    }

    /// One record without its line ending; every cell neutralized (``neutralize(_:)``).
    public static func record(_ fields: [String]) -> String {
        fields.map { field(neutralize($0)) }.joined(separator: ",")
    }

    /// A whole document: every record followed by `lineEnding`; with `byteOrderMark`, a
    /// leading U+FEFF so that Excel opens UTF-8 Chinese correctly. Cells that would run as
    /// formulas are neutralized.
    public static func document(_ records: [[String]], lineEnding: String = "\r\n", byteOrderMark: Bool = false)
        -> String
    {
        (byteOrderMark ? "\u{FEFF}" : "") + records.map { record($0) + lineEnding }.joined()
    }
}
