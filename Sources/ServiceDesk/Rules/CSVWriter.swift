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

    /// One record without its line ending.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// A whole document: every record followed by `lineEnding`; with `byteOrderMark`, a
    /// leading U+FEFF so that Excel opens UTF-8 Chinese correctly.
    public static func document(_ records: [[String]], lineEnding: String = "\r\n", byteOrderMark: Bool = false)
        -> String
    {
        (byteOrderMark ? "\u{FEFF}" : "") + records.map { record($0) + lineEnding }.joined()
    }
}
