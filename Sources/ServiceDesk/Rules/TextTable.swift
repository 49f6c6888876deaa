/// Renders rows as aligned plain-text columns, measuring with ``DisplayWidth`` so that
/// Chinese and ASCII line up in a terminal.
///
/// ```swift
/// var table = TextTable(headers: ["编号", "姓名", "费用"], alignments: [.left, .left, .right])
/// table.append(["T1", "张*", "80"])
/// table.append(["T12", "欧阳**", "1200"])
/// print(table.render())
/// // 编号  姓名    费用
/// // ----  ------  ----
/// // T1    张*       80
/// // T12   欧阳**  1200
/// ```
///
/// Columns are separated by two spaces and underlined with `-`; trailing spaces are trimmed;
/// line breaks and tabs inside a cell are shown as spaces; a row shorter than the headers is
/// padded with empty cells, and cells beyond the headers are dropped. With
/// ``maxColumnWidth`` set, longer cells are truncated with "…".
public struct TextTable: Sendable, Hashable {
    /// The column headings.
    public var headers: [String]
    /// One alignment per column; missing entries mean left.
    public var alignments: [DisplayWidth.Alignment]
    /// The rows, each a list of cells.
    public private(set) var rows: [[String]] = []
    /// When set, no column is wider than this many columns.
    public var maxColumnWidth: Int?

    /// Creates an empty table.
    public init(headers: [String], alignments: [DisplayWidth.Alignment] = [], maxColumnWidth: Int? = nil) {
        self.headers = headers
        self.alignments = alignments
        self.maxColumnWidth = maxColumnWidth
    }

    /// Appends a row.
    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines joined by "\n" (no trailing newline).
    public func render() -> String {
        let count = headers.count
        func clean(_ cell: String) -> String {
            let flat = String(cell.map { $0.isNewline || $0 == "\t" ? " " : $0 })
            return maxColumnWidth.map { DisplayWidth.truncate(flat, to: $0) } ?? flat
        }
        let head = headers.map(clean)
        let body = rows.map { row in (0..<count).map { $0 < row.count ? clean(row[$0]) : "" } }
        let widths = (0..<count).map { column in
            ([head[column]] + body.map { $0[column] }).map(DisplayWidth.of).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                DisplayWidth.pad(
                    cell, to: widths[column], alignment: column < alignments.count ? alignments[column] : .left)
            }
            return trimmingTrailingSpaces(padded.joined(separator: "  "))
        }
        // Trimmed like the other lines: an empty last heading leaves no trailing spaces.
        let rule = trimmingTrailingSpaces(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        return ([line(head), rule] + body.map(line)).joined(separator: "\n")
    }

    /// `line` without its trailing spaces, looking only at its end (a report of thousands of
    /// centers has a hundred thousand lines).
    private func trimmingTrailingSpaces(_ line: String) -> String {
        var end = line.endIndex
        while end > line.startIndex, line[line.index(before: end)] == " " { end = line.index(before: end) }
        return String(line[..<end])
    }
}
