import Foundation
import Hummingbird
import ServiceDesk

/// 审计: the audit trail, for the roles that supervise access (`gatehouse audit`), filtered
/// by staff member, customer, action and day; with the hash chains' verification.
extension WebApp {
    func addAuditRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/audit") { req, ctx in try auditPage(req, ctx) }
    }

    func auditPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        try d.authorize(.auditRead)
        let q = FormFields.query(request)
        let from: Date?, to: Date?
        do {
            from = try q["from"].map(TimeFormat.parse)
            to = try q["to"].map { s in try TimeFormat.parse(s).addingTimeInterval(s.contains(":") ? 0 : 86400) }
        } catch {
            throw WebError(.badRequest, "日期有误", "日期写成 YYYY-MM-DD。")
        }
        let entries = try d.desk.auditEntries(AuditQuery(staff: q["staff"], customer: q["customer"], from: from, to: to,
                                                         action: q["action"], limit: 500))
        let verification = try d.desk.verifyAudit()
        let rows = entries.map { e in
            AuditPage.Row(at: Show.time(e.at), center: e.center, staff: e.staff ?? "",
                          role: e.role.flatMap { StaffRole(rawValue: $0)?.displayName } ?? e.role ?? "", action: e.action,
                          record: e.record ?? "", fields: e.fields.joined(separator: ","), grant: e.grant ?? "", purpose: e.purpose ?? "",
                          detail: e.detail ?? "")
        }
        let model = AuditPage(frame: frame(request, context, "审计"), rows: rows, staff: q["staff"] ?? "", customer: q["customer"] ?? "",
                              action: q["action"] ?? "", from: q["from"] ?? "", to: q["to"] ?? "", intact: verification.intact,
                              checked: verification.entries, problems: verification.problems.map(\.description))
        return page("audit", model)
    }
}

/// `/audit`.
public struct AuditPage {
    public struct Row: Sendable, Equatable {
        public var at: String
        public var center: String
        public var staff: String
        public var role: String
        public var action: String
        public var record: String
        public var fields: String
        public var grant: String
        public var purpose: String
        public var detail: String
    }
    public var frame: Frame
    public var rows: [Row]
    public var staff: String
    public var customer: String
    public var action: String
    public var from: String
    public var to: String
    public var intact: Bool
    public var checked: Int
    public var problems: [String]
}
