import Foundation
import Hummingbird
import ServiceDesk

/// 授权: head-office data grants. At a center the manager applies and follows the chain;
/// at head office quality approves, then leadership; the applicant and both approvers may
/// revoke. The desk checks each step's role itself (as for `gatehouse grant`); the page
/// offers only the step the role may take. The audit of what a grant was used for is shown
/// to the roles that read the audit trail.
extension WebApp {
    func addGrantRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/grants") { req, ctx in try grantsPage(req, ctx) }
        r.post("/grants") { req, ctx in try await grantApply(req, ctx) }
        r.post("/grants/:id/approve") { req, ctx in try await grantApprove(req, ctx, id: try ctx.parameters.require("id")) }
        r.post("/grants/:id/revoke") { req, ctx in try await grantRevoke(req, ctx, id: try ctx.parameters.require("id")) }
    }

    func grantsPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        guard let role = d.role, [.centerManager, .quality, .executive].contains(role) || d.may(.auditRead) else {
            throw WebError(.forbidden, "无权查看", "授权由服务中心经理申请，品质部和公司领导审批。")
        }
        let grants = try d.desk.grants(center: d.desk.isHub ? nil : d.desk.center)
        let usage = d.may(.auditRead) ? try d.desk.auditEntries(AuditQuery(limit: 5000)).filter { $0.grant != nil } : []
        let rows = grants.map { g -> GrantsPage.Row in
            let status = g.status(at: d.now)
            let used = usage.filter { $0.grant == g.id }
            return GrantsPage.Row(
                id: g.id, center: g.center, grantee: g.grantee, fields: g.fields.map(Self.fieldName).joined(separator: "、"),
                customers: g.customers.map { $0.joined(separator: ", ") } ?? "全部顾客", purpose: g.purpose,
                period: "\(Show.time(g.validFrom)) 至 \(Show.time(g.validTo))", status: status.displayName,
                chain: ["申请：\(g.appliedBy) \(Show.time(g.appliedAt))", g.qualityBy.map { "品质部：\($0) \(Show.time(g.qualityAt))" },
                        g.leadershipBy.map { "公司领导：\($0) \(Show.time(g.leadershipAt))" },
                        g.revokedBy.map { "撤销：\($0) \(Show.time(g.revokedAt)) \(g.revokeReason ?? "")" }].compactMap { $0 },
                canApprove: (status == .awaitingQuality && role == .quality) || (status == .awaitingLeadership && role == .executive),
                canRevoke: !g.revoked && status != .expired && Permissions.allows(role, .grantRevoke),
                uses: used.prefix(20).map { "\(Show.time($0.at)) \($0.staff ?? "") \($0.action) \($0.record ?? "") \($0.fields.joined(separator: ","))" },
                useCount: used.count, used: !used.isEmpty)
        }
        let model = GrantsPage(frame: frame(request, context, "授权"), rows: rows, canApply: role == .centerManager && !d.desk.isHub,
                               fields: PersonalField.allCases.map { SelectOption(value: $0.rawValue, label: Self.fieldName($0)) },
                               from: Show.time(d.now), csrf: context.csrfToken)
        return page("grants", model)
    }

    static func fieldName(_ f: PersonalField) -> String {
        switch f {
        case .name: "姓名"
        case .phone: "电话"
        case .idNumber: "身份证"
        case .address: "房号"
        case .household: "家庭成员"
        }
    }

    func grantApply(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.grantApply)
        let fields = PersonalField.allCases.filter { form.flag("field_" + $0.rawValue) }
        let from = try form["from"].map(TimeFormat.parse) ?? d.now
        guard let toText = form["to"] else { throw WebError(.badRequest, "无法申请", "请填写授权的截止日期。") }
        let to = try TimeFormat.parse(toText).addingTimeInterval(toText.contains(":") ? 0 : 86400)
        let customers = form["customers"].map { $0.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "，" }).map(String.init) }
        let g = try d.desk.applyForGrant(GrantApplication(customers: customers, fields: fields, purpose: form["purpose"] ?? "",
                                                          grantee: form["grantee"] ?? "", validFrom: from, validTo: to))
        return .seeOther("/grants?ok=saved#\(g.id)")
    }

    func grantApprove(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        _ = try await FormFields.posted(request, context)
        let d = try open(context)
        _ = try d.desk.approveGrant(id)
        return .seeOther("/grants?ok=saved")
    }

    func grantRevoke(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        _ = try d.desk.revokeGrant(id, reason: form["reason"])
        return .seeOther("/grants?ok=saved")
    }
}
