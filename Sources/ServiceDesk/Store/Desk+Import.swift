import Foundation
import GRDB
import Replication

/// A column an import understands: its name and the headers accepted for it (English or
/// Chinese, compared without case, spaces, `_` and `-`).
public struct ImportColumn: Sendable {
    public let name: String
    public let headers: [String]
    public let required: Bool
    public let help: String
    init(_ name: String, _ headers: [String], required: Bool = false, _ help: String) {
        self.name = name
        self.headers = headers
        self.required = required
        self.help = help
    }

    /// `name (姓名, 名字) — help`, for `--help` texts.
    public var helpLine: String {
        "\(name)\(required ? " *" : "") (\(headers.joined(separator: ", "))): \(help)"
    }
}

/// A bad row: the line of the file it starts on, and why.
public struct ImportProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// What an import did.
public struct ImportReport: Sendable, Codable, Equatable {
    /// One imported row: its line and the new record's id (and number, for requests).
    public struct Row: Sendable, Codable, Equatable {
        public var line: Int
        public var id: String
        public var label: String
    }
    /// Data rows read (blank rows not counted).
    public var rows: Int
    public var imported: [Row]
    /// Rows left out (only with `skipBad`).
    public var rejected: [ImportProblem]
    /// Columns of the file left out: row numbers (序号) and, when asked, unknown ones.
    public var ignoredColumns: [String] = []
}

/// The whole file was refused because of bad rows; nothing was written. The description's
/// first line sums up, the following lines name every bad row.
public struct ImportRefused: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var rows: Int
    public var problems: [ImportProblem]
    public var description: String {
        let head = "\(source): \(problems.count) of \(rows) row\(rows == 1 ? "" : "s") \(problems.count == 1 ? "is" : "are") bad; "
            + "nothing was imported (fix them, or use --skip-bad to import the good rows)"
        return ([head] + problems.map { "  \($0)" }).joined(separator: "\n")
    }
}

/// The customer roster's columns.
public enum CustomerImport {
    public static let columns: [ImportColumn] = [
        ImportColumn("name", ["姓名", "名字", "业主", "业主姓名", "业主名称", "住户", "住户姓名", "客户姓名", "客户名称", "客户"], required: true, "the customer's full name"),
        ImportColumn("phone", ["电话", "手机", "手机号", "手机号码", "联系电话", "联系方式", "联系手机", "移动电话", "电话号码", "mobile", "tel"], "mobile or landline"),
        ImportColumn("unit", ["房号", "房间号", "单元", "房屋", "房屋编号", "门牌号", "住址", "地址", "room", "address"],
                     "e.g. 3栋2单元1101; or separate 楼栋, 单元 and 房号 columns"),
        ImportColumn("id_number", ["身份证", "身份证号", "身份证号码", "证件号码", "idnumber"], "ID card number"),
        ImportColumn("move_in", ["入住日期", "入住", "入住时间"], "date: 2025-03-01, 2025/3/1, 2025年3月1日 or an Excel date number"),
        ImportColumn("move_out", ["迁出日期", "迁出", "迁出时间"], "date"),
        ImportColumn("special_care", ["特殊关怀", "特殊照顾", "关怀"], "是/否, yes/no, 1/0"),
        ImportColumn("refused_callback", ["拒访", "拒绝回访"], "是/否: puts the customer on the refused-callback list"),
        ImportColumn("needs", ["服务需求", "需求"], "service needs"),
        ImportColumn("note", ["备注", "备注信息", "说明"], "free text"),
    ]
}

/// The historical requests' columns.
public enum TicketImport {
    public static let columns: [ImportColumn] = [
        ImportColumn("number", ["编号", "单号", "工单号", "no"], "the request's number; generated from opened_at when empty"),
        ImportColumn("kind", ["类型", "报事类型", "事项类型"], required: true, "repair, complaint, service, inquiry, suggestion (报修, 投诉, 委托服务, 咨询, 建议)"),
        ImportColumn("channel", ["渠道", "来源", "方式"], "phone, walk-in, wechat, app, …; default other"),
        ImportColumn("summary", ["内容", "摘要", "事项", "描述", "报事内容", "报事描述", "问题描述", "description"], required: true, "what was reported"),
        ImportColumn("customer", ["顾客编号", "客户编号", "customerid"], "a customer id"),
        ImportColumn("phone", ["电话", "手机", "手机号码", "联系电话", "联系方式", "customerphone"], "finds the customer by phone (import the roster first)"),
        ImportColumn("name", ["姓名", "顾客", "业主", "客户姓名", "客户名称", "报事人", "customername"], "the customer's name, when several share the phone"),
        ImportColumn("unit", ["房号", "房间号", "room"], "default: the customer's; or separate 楼栋, 单元 and 房号 columns"),
        ImportColumn("opened_at", ["受理时间", "报事时间", "报事日期", "受理日期", "登记时间", "日期", "opened"], required: true,
                     "when it came in: 2026-03-05 14:30, 2026/3/5, 2026年3月5日 or an Excel date number"),
        ImportColumn("completed_at", ["完成时间", "完成日期", "completed"], "when the work was done"),
        ImportColumn("closed_at", ["关闭时间", "关闭日期", "closed"], "when it was closed (default completed_at) or cancelled"),
        ImportColumn("status", ["状态"], "received, completed, closed, cancelled (受理, 已完成, 已关闭, 已取消); default closed when completed_at is given, else received"),
        ImportColumn("complaint_class", ["投诉类别", "类别", "class"], "complaints: 1, 2 or 3"),
        ImportColumn("severity", ["严重程度", "级别", "等级"], "complaints: general or major (一般, 重大); default general"),
        ImportColumn("assignee", ["处理人", "维修人", "派工人员"], "the staff id who did the work"),
        ImportColumn("location", ["位置", "维修位置", "报修位置", "区域"],
                     "repairs: in-home or common area (户内, 公共区域); empty: counted as in-home (see RepairLocation.unrecordedDefault)"),
    ]
}

/// A CSV file matched against an import's columns.
struct ImportSheet {
    let index: [String: Int]
    let width: Int
    let rows: [CSVRecord]
    /// The columns of a unit split over 楼栋 / 单元 / 房号, when the file has them.
    let unitParts: (building: Int, entrance: Int?, room: Int?)?
    /// Headers left out: row numbers (序号) and, with `ignoreUnknown`, anything unknown.
    let ignored: [String]

    /// Row-number columns spreadsheets carry; never data.
    static let rowNumberHeaders = ["序号", "行号", "#", "no.", "序"]
    /// A unit split over columns: the building's headers start it.
    static let buildingHeaders = ["楼栋", "楼号", "栋号", "楼栋号", "楼宇", "栋", "幢", "building"]
    static let entranceHeaders = ["单元", "单元号", "entrance"]
    static let roomHeaders = ["房号", "房间号", "室号", "户号", "room"]

    static func key(_ s: String) -> String {
        String(s.trimmingWhitespace().lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" && $0 != " " }.map(Character.init))
    }

    init(_ records: [CSVRecord], columns: [ImportColumn], ignoreUnknown: Bool = false) throws {
        guard let header = records.first else { throw DeskError.invalid("the file is empty; the first line names the columns") }
        let key = Self.key
        let keys = header.fields.map(key)
        // 楼栋 + 单元 + 房号 in separate columns: then 单元 and 房号 are parts of the unit.
        var parts: (building: Int, entrance: Int?, room: Int?)?
        if columns.contains(where: { $0.name == "unit" }), let b = keys.firstIndex(where: { k in Self.buildingHeaders.contains { key($0) == k } }) {
            parts = (b, keys.firstIndex { k in Self.entranceHeaders.contains { key($0) == k } },
                     keys.firstIndex { k in Self.roomHeaders.contains { key($0) == k } })
        }
        var index: [String: Int] = [:]
        var unknown: [String] = []
        var ignored: [String] = []
        for (i, h) in header.fields.enumerated() {
            let k = keys[i]
            if k.isEmpty { continue }
            if let p = parts, i == p.building || i == p.entrance || i == p.room { continue }
            if Self.rowNumberHeaders.contains(where: { key($0) == k }) { ignored.append(h); continue }
            guard let c = columns.first(where: { key($0.name) == k || $0.headers.contains { key($0) == k } }) else {
                unknown.append(h)
                continue
            }
            if index[c.name] != nil { throw DeskError.invalid("line \(header.line): two columns mean \(c.name) (\"\(h)\" is the second)") }
            index[c.name] = i
        }
        if !unknown.isEmpty {
            guard ignoreUnknown else {
                let list = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
                throw DeskError.invalid("line \(header.line): unknown column\(unknown.count == 1 ? "" : "s") \(list); the columns are \(columns.map(\.name).joined(separator: ", ")) (see --help for the Chinese headers), or use --ignore-unknown-columns to leave \(unknown.count == 1 ? "it" : "them") out")
            }
            ignored += unknown
        }
        if parts != nil, let u = index["unit"] {
            throw DeskError.invalid("line \(header.line): the unit is both in \"\(header.fields[u])\" and split over 楼栋/单元/房号 columns; keep one")
        }
        let missing = columns.filter { $0.required && index[$0.name] == nil }.map(\.name)
        guard missing.isEmpty else {
            throw DeskError.invalid("line \(header.line): the header lacks the required column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")
        }
        self.index = index
        self.unitParts = parts
        self.ignored = ignored
        width = header.fields.count
        // Spreadsheets leave rows of empty cells behind; they are not data.
        rows = records.dropFirst().filter { r in r.fields.contains { !$0.trimmingWhitespace().isEmpty } }
    }

    /// The trimmed value of `column` in `row`, nil when absent or empty. What an export made
    /// for Excel wraps (`="13812345678"`, `'=…`) is unwrapped; the unit is put together
    /// from 楼栋/单元/房号 columns when the file splits it.
    func value(_ row: CSVRecord, _ column: String) -> String? {
        if column == "unit", let p = unitParts { return Self.unit(building: cell(row, p.building), entrance: p.entrance.flatMap { cell(row, $0) },
                                                                   room: p.room.flatMap { cell(row, $0) }) }
        guard let i = index[column] else { return nil }
        return cell(row, i)
    }

    func cell(_ row: CSVRecord, _ i: Int) -> String? {
        guard i < row.fields.count else { return nil }
        let v = ImportCell.unwrap(row.fields[i].trimmingWhitespace()).trimmingWhitespace()
        return v.isEmpty ? nil : v
    }

    /// `3`, `2`, `1101` → `3栋2单元1101`; parts that already say 栋/单元 keep their words.
    static func unit(building: String?, entrance: String?, room: String?) -> String? {
        guard building != nil || entrance != nil || room != nil else { return nil }
        var s = ""
        if let b = building { s += b + (["栋", "幢", "楼", "座", "号楼"].contains { b.hasSuffix($0) } ? "" : "栋") }
        if let e = entrance { s += e + (e.hasSuffix("单元") ? "" : "单元") }
        if let r = room { s += r }
        return s
    }

    /// Why the row's shape is wrong, if it is.
    func shapeProblem(_ row: CSVRecord) -> String? {
        if row.fields.count > width, row.fields[width...].contains(where: { !$0.trimmingWhitespace().isEmpty }) {
            return "\(row.fields.count) fields, but the header names \(width) columns"
        }
        return nil
    }
}

/// Dates in spreadsheets: `2026-03-05`, `2026/3/5`, `2026.3.5`, with an optional `14:30` or
/// `14:30:05` after a space or `T`; China time.
enum ImportDate {
    static func parse(_ text: String, column: String) throws -> Date {
        if let serial = excelSerial(text) { return serial }
        // 2023年6月15日 (14:30) → 2023-6-15 (14:30)
        var t = text.trimmingWhitespace().replacingOccurrences(of: "T", with: " ")
        if t.contains("年") {
            t = t.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "-")
                .replacingOccurrences(of: "日", with: " ").replacingOccurrences(of: "号", with: " ")
                .replacingOccurrences(of: "时", with: ":").replacingOccurrences(of: "点", with: ":").replacingOccurrences(of: "分", with: "")
                .trimmingWhitespace()
            if t.hasSuffix(":") { t += "00" }
        }
        let parts = t.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count) else { throw DeskError.invalid("\(column) \"\(text)\" is not a date (use 2026-03-05 or 2026-03-05 14:30)") }
        let d = parts[0].split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        guard d.count == 3, d[0].count == 4, d.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            throw DeskError.invalid("\(column) \"\(text)\" is not a date (use 2026-03-05 or 2026-03-05 14:30)")
        }
        func pad(_ s: String) -> String { s.count == 1 ? "0" + s : s }
        var s = "\(d[0])-\(pad(d[1]))-\(pad(d[2]))"
        do { _ = try CivilDate(s) } catch { throw DeskError.invalid("\(column): \(error)") }
        if parts.count == 2 { s += " " + parts[1] }
        do { return try TimeFormat.parse(s) } catch { throw DeskError.invalid("\(column): \(error)") }
    }

    /// An Excel date number (a cell formatted as a date, saved as CSV by some tools): days
    /// since 1899-12-30, a fraction for the time of day; China time. Only 5-digit day counts
    /// (1927–2173) are taken, so a year or a short code is never read as one.
    static func excelSerial(_ text: String) -> Date? {
        let t = text.trimmingWhitespace()
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count == 5, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let value = Double(t) else { return nil }
        // 1899-12-30 00:00 in China time, as Unix seconds.
        let base: Double = -2_209_161_600 - 8 * 3600
        let seconds = (value * 86_400).rounded()
        return Date(timeIntervalSince1970: base + seconds)
    }
}

extension Desk {
    /// Imports a customer roster in ONE replicated transaction. Every row is checked first
    /// (name present; phone, dates and flags well-formed; not a duplicate of an earlier row
    /// or of a registered customer with the same name and phone — or, without a phone, the
    /// same name and unit). If any row is bad, nothing is written and ``ImportRefused`` lists
    /// every bad line, unless `skipBad` is set: then the good rows go in and the report
    /// lists the rejected ones.
    public func importCustomers(_ records: [CSVRecord], source: String = "the file", skipBad: Bool = false, ignoreUnknownColumns: Bool = false, center requested: String? = nil) throws -> ImportReport {
        let acting = try authorize(.importData)
        let center = try recordCenter(requested)
        let sheet = try ImportSheet(records, columns: CustomerImport.columns, ignoreUnknown: ignoreUnknownColumns)
        return try write(acting) { tx -> ImportReport in
            var known: [String: String] = [:]
            for row in try Row.fetchAll(tx.db, sql: "SELECT id, name, phone, unit FROM customer WHERE center = ?", arguments: [center]) {
                known[Self.customerKey(name: row["name"] ?? "", phone: row["phone"], unit: row["unit"])] = row["id"]
            }
            var seen: [String: Int] = [:]
            var problems: [ImportProblem] = []
            var good: [(CSVRecord, [String: Value], CustomerInput, Bool)] = []
            for r in sheet.rows {
                var reasons: [String] = []
                if let p = sheet.shapeProblem(r) { reasons.append(p) }
                let name = sheet.value(r, "name")
                if name == nil { reasons.append("name is missing") }
                var values: [String: Value] = [:]
                do {
                    values = try Self.customerValues(name: name ?? "?", phone: sheet.value(r, "phone") ?? "", idNumber: sheet.value(r, "id_number"),
                                                     unit: sheet.value(r, "unit"), moveIn: sheet.value(r, "move_in").map { try Self.importDay($0, "move_in") },
                                                     moveOut: sheet.value(r, "move_out").map { try Self.importDay($0, "move_out") })
                } catch { reasons.append(String(describing: error)) }
                var special = false, refused = false
                do {
                    special = try Self.importFlag(sheet.value(r, "special_care"), "special_care")
                    refused = try Self.importFlag(sheet.value(r, "refused_callback"), "refused_callback")
                } catch { reasons.append(String(describing: error)) }
                if reasons.isEmpty, let n = values["name"]?.text {
                    let key = Self.customerKey(name: n, phone: values["phone"]?.text, unit: values["unit"]?.text)
                    if let first = seen[key] {
                        reasons.append("duplicate of line \(first) (\(Self.keyDescription(values)))")
                    } else if let id = known[key] {
                        reasons.append("\(n) is already registered as \(id) (\(Self.keyDescription(values)))")
                    } else {
                        seen[key] = r.line
                    }
                }
                if !reasons.isEmpty {
                    problems.append(ImportProblem(line: r.line, reason: reasons.joined(separator: "; ")))
                    continue
                }
                let input = CustomerInput(name: name!, specialCare: special, needs: sheet.value(r, "needs"), note: sheet.value(r, "note"))
                good.append((r, values, input, refused))
            }
            if !problems.isEmpty && !skipBad { throw ImportRefused(source: source, rows: sheet.rows.count, problems: problems) }
            var imported: [ImportReport.Row] = []
            imported.reserveCapacity(good.count)
            for (r, values, input, refused) in good {
                var v = values
                if refused {
                    v["refused_callback"] = 1
                    v["refused_reason"] = .text("导入名单时已拒访")
                }
                let id = try insertCustomer(tx, center: center, values: v, input: input, acting: acting)
                imported.append(ImportReport.Row(line: r.line, id: id, label: input.name))
            }
            return ImportReport(rows: sheet.rows.count, imported: imported, rejected: problems, ignoredColumns: sheet.ignored)
        }
    }

    /// Imports historical requests in ONE replicated transaction, all-or-nothing like
    /// ``importCustomers(_:source:skipBad:center:by:)``. Each row is checked: kind, channel,
    /// class and severity known; dates possible and in order (completed not before opened,
    /// nothing in the future); status consistent with the dates; the customer found by id
    /// or by phone (and name); the number not used by an earlier row or an existing
    /// request; no row repeating an earlier one. Each imported request gets an `import`
    /// step in its timeline naming the file and line.
    public func importTickets(_ records: [CSVRecord], source: String = "the file", skipBad: Bool = false, ignoreUnknownColumns: Bool = false, center requested: String? = nil) throws -> ImportReport {
        let acting = try authorize(.importData)
        let center = try recordCenter(requested)
        let sheet = try ImportSheet(records, columns: TicketImport.columns, ignoreUnknown: ignoreUnknownColumns)
        let calendar = try workCalendar()
        return try write(acting) { tx -> ImportReport in
            var byID: [String: Customer] = [:]
            var byPhone: [String: [Customer]] = [:]
            for c in try Customer.fetchAll(tx.db, sql: "SELECT * FROM customer WHERE center = ?", arguments: [center]) {
                byID[c.id] = c
                if let p = c.phone { byPhone[p, default: []].append(c) }
            }
            let staffIDs = Set(try String.fetchAll(tx.db, sql: "SELECT id FROM staff"))
            var numbers = Set(try String.fetchAll(tx.db, sql: "SELECT number FROM _rep_ticket WHERE center = ?", arguments: [center]))
            var fileNumbers: [String: Int] = [:]
            var seen: [String: Int] = [:]
            var problems: [ImportProblem] = []
            var good: [(line: Int, values: [String: Value], number: String?, day: CivilDate)] = []
            for r in sheet.rows {
                var reasons: [String] = []
                func attempt<T>(_ body: () throws -> T) -> T? {
                    do { return try body() } catch { reasons.append(String(describing: error)); return nil }
                }
                if let p = sheet.shapeProblem(r) { reasons.append(p) }
                let kind = sheet.value(r, "kind").flatMap { k in attempt { try RequestKind.parse(k) } }
                if sheet.value(r, "kind") == nil { reasons.append("kind is missing") }
                let summary = sheet.value(r, "summary")
                if summary == nil { reasons.append("summary is missing") }
                let channel = sheet.value(r, "channel").map { c in attempt { try Channel.parse(c) } } ?? .other
                let opened = sheet.value(r, "opened_at").flatMap { v in attempt { try ImportDate.parse(v, column: "opened_at") } }
                if sheet.value(r, "opened_at") == nil { reasons.append("opened_at is missing") }
                let completed = sheet.value(r, "completed_at").flatMap { v in attempt { try ImportDate.parse(v, column: "completed_at") } }
                let closed = sheet.value(r, "closed_at").flatMap { v in attempt { try ImportDate.parse(v, column: "closed_at") } }
                let cls = sheet.value(r, "complaint_class").flatMap { v in attempt { try ComplaintClass.parse(v) } }
                let severity = sheet.value(r, "severity").flatMap { v in attempt { try Severity.parse(v) } }
                let location = sheet.value(r, "location").flatMap { v in attempt { try RepairLocation.parse(v) } }
                if let kind, kind != .repair, sheet.value(r, "location") != nil {
                    reasons.append("location (位置) applies to repairs only, not to a \(kind.rawValue)")
                }
                if let kind, kind != .complaint, sheet.value(r, "complaint_class") != nil || sheet.value(r, "severity") != nil {
                    reasons.append("complaint_class and severity apply to complaints only, not to a \(kind.rawValue)")
                }
                for (name, d) in [("opened_at", opened), ("completed_at", completed), ("closed_at", closed)] {
                    if let d, d > acting.now { reasons.append("\(name) \(TimeFormat.short(d)) is in the future") }
                }
                if let o = opened, let c = completed, c < o { reasons.append("completed_at \(TimeFormat.short(c)) is before opened_at \(TimeFormat.short(o))") }
                if let o = opened, let c = closed, c < o { reasons.append("closed_at \(TimeFormat.short(c)) is before opened_at \(TimeFormat.short(o))") }
                if let c = completed, let cl = closed, cl < c { reasons.append("closed_at \(TimeFormat.short(cl)) is before completed_at \(TimeFormat.short(c))") }
                var stage: TicketStage? = completed != nil ? .closed : .received
                if let s = sheet.value(r, "status") {
                    stage = attempt { try TicketStage.parse(s) }
                    switch stage {
                    case .received?:
                        if completed != nil || closed != nil { reasons.append("status received, but the row has completed_at or closed_at") }
                    case .completed?, .closed?:
                        if completed == nil { reasons.append("status \(stage!.rawValue) needs completed_at") }
                        if stage == .completed && closed != nil { reasons.append("status completed, but the row has closed_at (use status closed)") }
                    case .cancelled?:
                        if completed != nil { reasons.append("status cancelled, but the row has completed_at") }
                    case .some(let other):
                        reasons.append("status \(other.rawValue) cannot be imported: use received, completed, closed or cancelled (open requests come in as received; dispatch them at the desk)")
                    case nil: break
                    }
                }
                // The customer: by id, else by phone (and name when several share it).
                var customer: Customer?
                let name = sheet.value(r, "name")
                if let id = sheet.value(r, "customer") {
                    if let c = byID[id] { customer = c } else { reasons.append("no customer with id \(id) in center \(center)") }
                } else if let p = sheet.value(r, "phone") {
                    if let phone = attempt({ try PhoneNumber(p).normalized }) {
                        var matches = byPhone[phone] ?? []
                        if let name, matches.count > 1 { matches = matches.filter { $0.name == name } }
                        if matches.count == 1 { customer = matches[0] }
                        else if matches.isEmpty { reasons.append("no customer with phone \(phone)\(name.map { " and name \($0)" } ?? ""); import the roster first") }
                        else { reasons.append("\(matches.count) customers have phone \(phone); add their name or the customer id") }
                    }
                }
                if let c = customer, let name, c.name != name { reasons.append("customer \(c.id) is \(c.name), not \(name)") }
                if let a = sheet.value(r, "assignee"), !staffIDs.contains(a) { reasons.append("no staff member \(a); add the staff first") }
                let number = sheet.value(r, "number")?.uppercased()
                if let n = number {
                    if let first = fileNumbers[n] { reasons.append("number \(n) is also used on line \(first)") }
                    else if numbers.contains(n) { reasons.append("request \(n) already exists") }
                    else { fileNumbers[n] = r.line }
                }
                if reasons.isEmpty, let o = opened, let summary {
                    let key = [TimeFormat.short(o), kind!.rawValue, customer?.id ?? sheet.value(r, "unit") ?? "", summary].joined(separator: "\u{1F}")
                    if let first = seen[key] { reasons.append("duplicate of line \(first) (same time, kind, customer and summary)") } else { seen[key] = r.line }
                }
                if !reasons.isEmpty {
                    problems.append(ImportProblem(line: r.line, reason: reasons.joined(separator: "; ")))
                    if let n = number, fileNumbers[n] == r.line { fileNumbers[n] = nil }
                    continue
                }
                let o = opened!, k = kind!, st = stage ?? .received
                let v: [String: Value] = [
                    "center": .text(center), "kind": .text(k.rawValue),
                    "complaint_class": cls.map { .integer(Int64($0.rawValue)!) } ?? .null,
                    "severity": k == .complaint ? .text((severity ?? .general).rawValue) : .null,
                    "channel": .text(channel?.rawValue ?? Channel.other.rawValue), "summary": .text(summary!),
                    "customer": Value(customer?.id), "unit": Value(sheet.value(r, "unit") ?? customer?.unit),
                    "status": .text(st.rawValue), "reopen_count": 0, "escalated": 0,
                    "location": k == .repair ? location.map { .text($0.rawValue) } ?? .null : .null,
                    "assignee": Value(sheet.value(r, "assignee")), "assignee_kind": sheet.value(r, "assignee") == nil ? .null : .text("staff"),
                    "opened_at": Col.time(o), "opened_by": .text(acting.staff),
                    "completed_at": Col.time(completed), "customer_signed": 0,
                    "closed_at": st == .closed ? Col.time(closed ?? completed) : .null,
                    "cancelled_at": st == .cancelled ? Col.time(closed ?? o) : .null,
                ]
                good.append((r.line, v, number, calendar.civilDate(of: o)))
            }
            if !problems.isEmpty && !skipBad { throw ImportRefused(source: source, rows: sheet.rows.count, problems: problems) }
            var imported: [ImportReport.Row] = []
            imported.reserveCapacity(good.count)
            var highest: [String: Int] = [:]
            for g in good {
                var v = g.values
                let number: String
                if let n = g.number {
                    number = n
                } else {
                    // Continue the day's sequence, counting what this import already used.
                    let prefix = "\(center)-\(String(format: "%02d%02d%02d", g.day.year % 100, g.day.month, g.day.day))-\(isHub ? "H" : "")"
                    var next: Int
                    if let h = highest[prefix] { next = h + 1 } else {
                        let n = try nextTicketNumber(tx.db, center: center, day: g.day)
                        next = Int(n.dropFirst(prefix.count)) ?? 1
                    }
                    var candidate = prefix + String(format: isHub ? "%02d" : "%03d", next)
                    while numbers.contains(candidate) { next += 1; candidate = prefix + String(format: isHub ? "%02d" : "%03d", next) }
                    highest[prefix] = next
                    number = candidate
                }
                numbers.insert(number)
                v["number"] = .text(number)
                let id = try tx.insert("ticket", id: ShortID.make("tk", tx), v)
                try logEvent(tx, center: center, ticket: id, action: "import", detail: "导入历史记录：\(source) 第\(g.line)行", acting)
                imported.append(ImportReport.Row(line: g.line, id: id, label: number))
            }
            return ImportReport(rows: sheet.rows.count, imported: imported, rejected: problems, ignoredColumns: sheet.ignored)
        }
    }

    static func customerKey(name: String, phone: String?, unit: String?) -> String {
        if let phone { return "p\u{1F}\(name)\u{1F}\(phone)" }
        return "u\u{1F}\(name)\u{1F}\(unit ?? "")"
    }

    static func keyDescription(_ v: [String: Value]) -> String {
        if let p = v["phone"]?.text { return "same name and phone \(p)" }
        return "same name and unit \(v["unit"]?.text ?? "(none)")"
    }

    static func importDay(_ text: String, _ column: String) throws -> String {
        let d = try ImportDate.parse(text, column: column)
        return workCalendar0.civilDate(of: d).description
    }

    static let workCalendar0 = try! WorkCalendar(holidays: [], swappedWorkingDays: [])

    static func importFlag(_ text: String?, _ column: String) throws -> Bool {
        guard let t = text?.lowercased() else { return false }
        if ["是", "yes", "y", "1", "true", "√", "✓"].contains(t) { return true }
        if ["否", "no", "n", "0", "false", "-"].contains(t) { return false }
        throw DeskError.invalid("\(column) \"\(text!)\" is not 是/否 (yes/no)")
    }
}
