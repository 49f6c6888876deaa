import Foundation
import Hummingbird
import ServiceDesk

/// The pages of what was command-line only: 价目表 (`price list/add/update`), a request's
/// first answer and its edit form (`ticket answer`, `ticket update`), and 导入顾客
/// (`customer import`). Each goes through the same Desk call as the command, which checks
/// the role (a refusal is a 403 page and a `denied` audit entry) and masks and audits
/// what it shows.
extension WebApp {
    func addReferenceRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/prices") { req, ctx in try pricesPage(req, ctx) }
        r.post("/prices") { req, ctx in try await priceAdd(req, ctx) }
        r.post("/prices/:code") { req, ctx in try await priceUpdate(req, ctx, code: try ctx.parameters.require("code")) }
        r.get("/customers/import") { req, ctx in try importForm(req, ctx) }
        r.post("/customers/import") { req, ctx in try await importCustomers(req, ctx) }
        r.post("/tickets/:ref/answer") { req, ctx in try await ticketAnswer(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.get("/tickets/:ref/edit") { req, ctx in try ticketEditForm(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.post("/tickets/:ref/edit") { req, ctx in try await ticketEditSave(req, ctx, ref: try ctx.parameters.require("ref")) }
    }

    // MARK: 价目表

    func pricesPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let all = FormFields.query(request).flag("all")
        let canEdit = d.may(.priceEdit)
        let csrf = context.csrfToken
        let rows = try d.desk.priceList(includeInactive: all).map { p in
            PricesPage.Row(code: p.code, name: p.name, unit: p.unit ?? "", price: Money.yuan(p.price),
                           scope: p.center ?? "全公司", state: p.active ? "在用" : "停用", active: p.active,
                           // A center changes its own items; head office's shared ones are head office's.
                           editable: canEdit && (d.desk.isHub || p.center == d.desk.center), csrf: csrf)
        }
        return page("prices", PricesPage(frame: frame(request, context, "价目表"), rows: rows, all: all, canEdit: canEdit, csrf: csrf))
    }

    func priceAdd(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        try d.authorize(.priceEdit)
        try d.desk.addPriceItem(code: form["code"] ?? "", name: form["name"] ?? "", unit: form["unit"],
                                price: try Self.fen(form["price"]), center: nil)
        return .seeOther("/prices?ok=saved")
    }

    func priceUpdate(_ request: Request, _ context: WebContext, code: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        try d.authorize(.priceEdit)
        let active: Bool? = form["active"].map { $0 == "yes" }
        try d.desk.updatePriceItem(code: code, price: try form["price"].map { try Self.fen($0) }, active: active)
        return .seeOther("/prices\(active == false ? "?all=1&" : "?")ok=saved")
    }

    /// Yuan as typed (`80`, `35.50`) in fen; a clear refusal otherwise.
    static func fen(_ yuan: String?) throws -> Int {
        guard let yuan else { throw WebError(.badRequest, "无法保存", "请填写价格（元），如 80 或 35.50。") }
        do { return try Money.fen(yuan) } catch { throw WebError(.badRequest, "无法保存", "价格请填写元，最多两位小数，如 35.50。") }
    }

    // MARK: 导入顾客

    func importForm(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        try d.authorize(.importData)
        return page("customer_import", ImportPage(frame: frame(request, context, "导入顾客"), report: nil, encodings: Self.encodings(.auto)))
    }

    /// The CSV as `gatehouse customer import` reads it (the same parser, encodings and
    /// all-or-nothing check), from the form's file; the page says what was imported, or
    /// why nothing was, line by line.
    func importCustomers(_ request: Request, _ context: WebContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: context.maxImportSize)
        guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType] ?? ""),
              let form = MultipartForm(Array(body.readableBytesView), boundary: boundary) else { throw WebError.badForm }
        let d = try open(context)
        try d.authorize(.importData)
        let encoding = form["encoding"].flatMap(CSVEncoding.init(rawValue:)) ?? .auto
        guard let file = form.file("file"), !file.bytes.isEmpty else {
            throw WebError(.badRequest, "无法导入", "请选择要导入的 CSV 文件。")
        }
        let source = file.filename.map { ($0 as NSString).lastPathComponent }.flatMap { $0.isEmpty ? nil : $0 } ?? "CSV 文件"
        let report: ImportPage.Report
        var status: HTTPResponse.Status = .ok
        do {
            let records = try CSVReader.parse(bytes: file.bytes, encoding: encoding)
            let r = try d.desk.importCustomers(records, source: source, skipBad: form.flag("skip_bad"),
                                               ignoreUnknownColumns: form.flag("ignore_unknown_columns"))
            report = ImportPage.Report(
                heading: "导入完成", summary: "从 \(source) 的 \(r.rows) 行中导入了 \(r.imported.count) 位顾客"
                    + (r.rejected.isEmpty ? "。" : "，跳过有误的 \(r.rejected.count) 行。"),
                ignored: r.ignoredColumns.joined(separator: "、"), problemsHeading: "跳过的行",
                problems: r.rejected.map { ImportPage.Problem(line: $0.line, reason: $0.reason) },
                imported: r.imported.prefix(200).map { ImportPage.Imported(line: $0.line, id: $0.id, label: $0.label) })
        } catch let refused as ImportRefused {
            status = .unprocessableContent
            report = ImportPage.Report(
                heading: "整个文件未导入", summary: "\(source) 的 \(refused.rows) 行中有 \(refused.problems.count) 行有误，一位顾客也没有导入。"
                    + "请改正后重新导入，或勾选“只导入正确的行”。",
                ignored: "", problemsHeading: "有误的行", problems: refused.problems.map { ImportPage.Problem(line: $0.line, reason: $0.reason) },
                imported: [])
        }
        return page("customer_import", ImportPage(frame: frame(request, context, "导入顾客"), report: report,
                                                  encodings: Self.encodings(encoding)), status: status)
    }

    static func encodings(_ selected: CSVEncoding) -> [SelectOption] {
        let names: [CSVEncoding: String] = [.auto: "自动识别（UTF-8 或 GBK）", .utf8: "UTF-8", .gbk: "GBK", .gb18030: "GB18030"]
        return CSVEncoding.allCases.map { SelectOption(value: $0.rawValue, label: names[$0] ?? $0.rawValue, selected: $0 == selected) }
    }

    // MARK: 答复, 修改工单

    func ticketAnswer(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        try d.desk.answer(ref, note: form["note"])
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=answered")
    }

    func ticketEditForm(_ request: Request, _ context: WebContext, ref: String) throws -> Response {
        let d = try open(context)
        try d.authorize(.ticketUpdate)
        // As the request page shows it to this person (masked, the clear view audited).
        let t = try d.desk.ticketRecord(ref).ticket
        let model = TicketEditPage(
            frame: frame(request, context, "修改工单 \(t.number)"), number: t.number, summary: t.summary, unit: t.unit ?? "",
            channels: Show.options(Channel.self, selected: t.channel?.rawValue, blank: "未记录"),
            complaint: t.kind == .complaint,
            classes: Show.options(ComplaintClass.self, selected: t.complaintClass?.rawValue, blank: "未分类"),
            severities: Show.options(Severity.self, selected: t.severity?.rawValue, blank: "未定"))
        return page("ticket_edit", model)
    }

    func ticketEditSave(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        // Only what differs from what the form showed is written (the Desk compares).
        let changed = try d.desk.updateTicket(ref, asShown: TicketEdits(
            summary: form["summary"], channel: form["channel"].flatMap(Channel.init(rawValue:)),
            complaintClass: form["complaint_class"].flatMap(ComplaintClass.init(rawValue:)),
            severity: form["severity"].flatMap(Severity.init(rawValue:)), unit: form["unit"]))
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=\(changed ? "saved" : "unchanged")")
    }
}

/// The model of `prices.mustache`.
struct PricesPage {
    struct Row {
        var code: String
        var name: String
        var unit: String
        var price: String
        var scope: String
        var state: String
        var active: Bool
        var editable: Bool
        var csrf: String
    }
    var frame: Frame
    var rows: [Row]
    var all: Bool
    var canEdit: Bool
    var csrf: String
}

/// The model of `customer_import.mustache`.
struct ImportPage {
    struct Problem {
        var line: Int
        var reason: String
    }
    struct Imported {
        var line: Int
        var id: String
        var label: String
    }
    struct Report {
        var heading: String
        var summary: String
        var ignored: String
        var problemsHeading: String
        var problems: [Problem]
        var imported: [Imported]
        // Stored, not computed: templates see stored properties only.
        var hasProblems: Bool
        var hasImported: Bool
        init(heading: String, summary: String, ignored: String, problemsHeading: String, problems: [Problem], imported: [Imported]) {
            self.heading = heading
            self.summary = summary
            self.ignored = ignored
            self.problemsHeading = problemsHeading
            self.problems = problems
            self.imported = imported
            hasProblems = !problems.isEmpty
            hasImported = !imported.isEmpty
        }
    }
    var frame: Frame
    var report: Report?
    var encodings: [SelectOption]
}

/// The model of `ticket_edit.mustache`.
struct TicketEditPage {
    var frame: Frame
    var number: String
    var summary: String
    var unit: String
    var channels: [SelectOption]
    var complaint: Bool
    var classes: [SelectOption]
    var severities: [SelectOption]
}
