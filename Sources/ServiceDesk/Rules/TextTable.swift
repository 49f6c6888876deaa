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
    ///
    /// Linear in the cells, each measured once; lines are built in one string, without an
    /// array per row (a report of 5,000 centers has half a million lines).
    public func render() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    /// Appends the table to `out`, as ``render()`` returns it: a long report is built in
    /// one string, without copying each table into it.
    public func render(into out: inout String) {
        let count = headers.count
        guard count > 0 else {
            out += String(repeating: "\n", count: rows.count + 1)
            return
        }
        // Each cell cleaned and measured once: its text and its width.
        var texts: [String] = []
        var cellWidths: [Int] = []
        texts.reserveCapacity((rows.count + 1) * count)
        cellWidths.reserveCapacity((rows.count + 1) * count)
        var widths = [Int](repeating: 0, count: count)
        func add(_ cell: String, _ column: Int) {
            var text = cell, w: Int
            if let simple = DisplayWidth.simpleWidth(cell) {
                w = simple  // no line break or tab in it
            } else {
                text = String(cell.map { $0.isNewline || $0 == "\t" ? " " : $0 })
                w = DisplayWidth.of(text)
            }
            if let limit = maxColumnWidth, w > limit {
                text = DisplayWidth.truncate(text, to: limit)
                w = DisplayWidth.of(text)
            }
            texts.append(text)
            cellWidths.append(w)
            if w > widths[column] { widths[column] = w }
        }
        for c in 0..<count { add(headers[c], c) }
        for row in rows {
            for c in 0..<count { add(c < row.count ? row[c] : "", c) }
        }
        let right = (0..<count).map { $0 < alignments.count && alignments[$0] == .right }
        let lineBytes = widths.reduce(0, +) + 2 * (count - 1) + 1
        // Into a long string, its own growth (doubling) is cheaper than an exact reserve.
        if out.isEmpty { out.reserveCapacity((rows.count + 2) * lineBytes * 2) }
        func pad(_ n: Int) {
            var n = n
            while n > 0 {
                let k = min(n, 64)
                out += Self.spaces[k]
                n -= k
            }
        }
        // A line: cells padded to their columns, two spaces apart, trailing spaces trimmed
        // (an empty last cell leaves none).
        func line(_ base: Int) {
            var pending = 0  // padding not yet written: dropped at the end of the line
            for c in 0..<count {
                let text = texts[base + c], missing = widths[c] - cellWidths[base + c]
                if c > 0 { pending += 2 }
                if right[c] { pending += missing }
                let trimmed = text.utf8.last == UInt8(ascii: " ") ? trimmingTrailingSpaces(text) : text
                if !trimmed.isEmpty {
                    pad(pending)
                    out += trimmed
                    pending = 0
                }
                pending += text.utf8.count - trimmed.utf8.count  // its own trailing spaces
                if !right[c] { pending += missing }
            }
        }
        line(0)
        out += "\n"
        // Trimmed like the other lines: an empty last heading leaves no trailing spaces.
        var last = count - 1
        while last > 0 && widths[last] == 0 { last -= 1 }
        for c in 0...last {
            if c > 0 { out += "  " }
            for _ in 0..<widths[c] { out += "-" }
        }
        for r in 0..<rows.count {
            out += "\n"
            line((r + 1) * count)
        }
    }

    /// Runs of 0 to 64 spaces, made once.
    private static let spaces = (0...64).map { String(repeating: " ", count: $0) }

    /// `line` without its trailing spaces, looking only at its end.
    private func trimmingTrailingSpaces(_ line: String) -> String {
        var end = line.endIndex
        while end > line.startIndex, line[line.index(before: end)] == " " { end = line.index(before: end) }
        return String(line[..<end])
    }
}
