import Foundation
import Hummingbird
import Replication
import ServiceDesk

/// 冲突: concurrent edits awaiting review, both values and who wrote each, masked like
/// everything else (a customer's name or phone in a conflict is that customer's), and
/// settled by the roles that may (`conflicts resolve`).
extension WebApp {
    func addConflictRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/conflicts") { req, ctx in try conflictsPage(req, ctx) }
        r.post("/conflicts/resolve") { req, ctx in try await conflictResolve(req, ctx) }
    }

    /// Conflicts as the Desk shows them to the signed-in viewer: values masked like their
    /// record, clear ones audited, by the Desk itself.
    func conflictsPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let all = FormFields.query(request).flag("all")
        let rows = try d.desk.conflictList(all: all).map { c -> ConflictsPage.Row in
            func values(_ s: ConflictView.Side) -> String { s.values.map { $0 ?? "（空）" }.joined(separator: " / ") }
            func who(_ s: ConflictView.Side) -> String { "\(s.author.isEmpty ? "?" : s.author) · \(Show.time(s.at))" }
            return ConflictsPage.Row(key: c.key, record: "\(Self.tableName(c.table)) \(c.record)", field: c.field, winner: values(c.winner),
                                     winnerBy: who(c.winner), loser: values(c.loser), loserBy: who(c.loser),
                                     state: c.open ? (c.needsReview ? "待审核" : "按规则选定") : "已解决", open: c.open)
        }
        let model = ConflictsPage(frame: frame(request, context, "冲突"), rows: rows, canResolve: d.may(.conflictResolve), all: all,
                                  csrf: context.csrfToken)
        return page("conflicts", model)
    }

    static func tableName(_ t: String) -> String {
        ["customer": "顾客", "ticket": "工单", "callback": "回访", "parcel": "邮件", "custody": "寄存", "staff": "员工",
         "household_member": "家庭成员", "price_item": "价目"][t] ?? t
    }

    func conflictResolve(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        guard let key = form["key"] else { throw WebError.notFound }
        // The Desk checks the permission writing that field needs (a staff role: staff
        // management; a customer's phone: customer editing).
        let resolution: ConflictChoice
        switch form["choice"] {
        case "keep": resolution = .keep
        case "take-other": resolution = .takeOther
        default: throw WebError(.badRequest, "无法处理", "请选择保留采用的值，或改用另一个值。")
        }
        try d.desk.resolveConflict(key: key, choice: resolution)
        return .seeOther("/conflicts?ok=saved")
    }
}
