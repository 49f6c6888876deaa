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

    /// A document the way Excel on a Chinese Windows opens it right: UTF-8 with a byte-order
    /// mark (without one Excel reads GBK and shows mojibake), CRLF, and every cell through
    /// ``excelCell(_:)``.
    ///
    /// ```swift
    /// CSVWriter.excelDocument([["电话"], ["13812345678"], ["=1+1"]])
    /// // "\u{FEFF}电话\r\n=\"13812345678\"\r\n'=1+1\r\n"
    /// ```
    public static func excelDocument(_ records: [[String]]) -> String {
        // excelCell neutralizes formulas itself; `document` would prefix its `="…"` again.
        "\u{FEFF}" + records.map { $0.map { field(excelCell($0)) }.joined(separator: ",") + "\r\n" }.joined()
    }

    /// One cell for Excel:
    /// - a long run of digits (a phone, an ID card number, an account) or one with a leading
    ///   zero becomes `="13812345678"`: Excel would otherwise read a number and show
    ///   `1.38E+10`, or drop the zero, or round an 18-digit ID after 15 digits. It shows the
    ///   digits as text; ``CSVReader`` imports read the digits back (`ImportCell`);
    /// - text that Excel would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
    ///   CR: OWASP's "CSV injection") gets a leading `'`, which Excel shows as text. Plain
    ///   numbers such as `-12.5` are left alone.
    public static func excelCell(_ value: String) -> String {
        let digits = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value >= 48 && $0.value <= 57 }
        if digits, value.count >= 11 || (value.count > 1 && value.first == "0") { return "=\"\(value)\"" }
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        if Double(value) != nil, first == "-" || first == "+" { return value }
        return "'" + value
    }
}

/// Reading back what ``CSVWriter/excelCell(_:)`` and Excel write.
public enum ImportCell {
    /// `="0571"` → `0571`; `'=1+1` → `=1+1` (a neutralized formula); anything else as is.
    public static func unwrap(_ value: String) -> String {
        if value.hasPrefix("=\""), value.hasSuffix("\""), value.count >= 3 {
            return String(value.dropFirst(2).dropLast())
        }
        if value.hasPrefix("'"), let second = value.unicodeScalars.dropFirst().first, "=+-@".unicodeScalars.contains(second) {
            return String(value.dropFirst())
        }
        return value
    }
}
