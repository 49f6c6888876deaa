/// One CSV record and the 1-based line of the input where it starts.
public struct CSVRecord: Sendable, Hashable {
    /// The line the record starts on (a quoted field may continue it over further lines).
    public let line: Int
    /// The fields, unquoted.
    public let fields: [String]

    /// Creates a record.
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// Parses CSV text as RFC 4180 describes it, reporting where each record starts so import
/// errors can say "line 7: …".
///
/// - Fields are separated by `,`; records end at CRLF, LF or a lone CR.
/// - A field in double quotes may contain commas, line breaks and doubled quotes (`""` for
///   `"`); line breaks inside it count towards the line numbers of later records.
/// - A UTF-8 byte-order mark at the very start (Excel's "CSV UTF-8") is skipped.
/// - A line with no characters at all is skipped (it still counts as a line); a final line
///   break does not start another record.
/// - Strictness: a `"` inside an unquoted field, anything but `,` or a line break after a
///   closing quote, and a quoted field still open at the end are errors naming the line.
///
/// ```swift
/// let records = try CSVReader.parse("姓名,电话\r\n\"张三, 先生\",13812345678\r\n")
/// records[1].line     // 2
/// records[1].fields   // ["张三, 先生", "13812345678"]
/// ```
public enum CSVReader {
    /// Parses `text`; throws ``RuleError`` (`csvSyntax`, with ``RuleError/line``) on malformed input.
    public static func parse(_ text: String) throws(RuleError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var recordHasContent = false

        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        var state = State.fieldStart
        var quoteLine = 1

        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
        }
        func endRecord() {
            if recordHasContent || !fields.isEmpty { records.append(CSVRecord(line: recordLine, fields: fields)) }
            fields = []
            recordHasContent = false
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            var isLineBreak = false
            if scalar == "\r" {
                isLineBreak = true
                if let next = iterator.next(), next != "\n" { pending = next }
            } else if scalar == "\n" {
                isLineBreak = true
            }

            switch state {
            case .quoted:
                if scalar == "\"" {
                    state = .quoteInQuoted
                } else if isLineBreak {
                    // Keep the break as written, normalising CRLF and CR to LF.
                    field.append("\n")
                    line += 1
                } else {
                    field.append(scalar)
                }
                continue
            case .quoteInQuoted:
                if scalar == "\"" {
                    field.append("\"")
                    state = .quoted
                    continue
                }
                guard scalar == "," || isLineBreak else {
                    throw RuleError(
                        .csvSyntax,
                        "line \(line): unexpected '\(scalar)' after the closing quote of a field; "
                            + "a quoted field must be followed by a comma or the end of the line.",
                        line: line)
                }
            case .fieldStart:
                if scalar == "\"" {
                    state = .quoted
                    quoteLine = line
                    recordHasContent = true
                    continue
                }
            case .unquoted:
                if scalar == "\"" {
                    throw RuleError(
                        .csvSyntax,
                        "line \(line): a double quote inside an unquoted field; "
                            + "quote the whole field and double the quote (\"\").",
                        line: line)
                }
            }

            // Outside quotes: separators, line breaks, ordinary characters.
            if scalar == "," {
                endField()
                recordHasContent = true
                state = .fieldStart
            } else if isLineBreak {
                if recordHasContent || !field.isEmpty || state != .fieldStart { endField() }
                endRecord()
                line += 1
                recordLine = line
                state = .fieldStart
            } else {
                // A quote cannot get here: at a field's start it opened a quoted field, inside
                // an unquoted one it threw, after a closing quote it was an escaped quote.
                field.append(scalar)
                recordHasContent = true
                state = .unquoted
            }
        }

        if state == .quoted {
            throw RuleError(
                .csvSyntax,
                "line \(quoteLine): a quoted field is never closed; check for a missing double quote.",
                line: quoteLine)
        }
        if recordHasContent || !field.isEmpty {
            endField()
            endRecord()
        }
        return records
    }

    /// Parses raw bytes that must be UTF-8 (with or without a BOM). A file in another
    /// encoding — spreadsheets in China are often saved as GBK — is refused with the line of
    /// the first invalid byte and a hint.
    public static func parse(utf8 bytes: some Collection<UInt8>) throws(RuleError) -> [CSVRecord] {
        var line = 1
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var text = String.UnicodeScalarView()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1 }
                text.append(scalar)
            case .emptyInput:
                break decoding
            case .error:
                throw RuleError(
                    .csvSyntax,
                    "line \(line): the file is not valid UTF-8 (perhaps GBK); save it as \"CSV UTF-8\" and import again.",
                    line: line)
            }
        }
        return try parse(String(text))
    }
}
