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

    /// The personal field a replicated field holds, if any.
    static func personalField(table: String, field: String) -> PersonalField? {
        switch (table, field) {
        case ("customer", "name"), ("parcel", "recipient"), ("parcel", "picked_up_by"): .name
        case ("customer", "phone"): .phone
        case ("customer", "id_number"): .idNumber
        case (_, "unit"): .address
        case ("household_member", "name"), ("household_member", "phone"): .household
        default: nil
        }
    }

    func conflictsPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let all = FormFields.query(request).flag("all")
        var events: [AuditEvent?] = []
        let rows = try d.desk.replica.conflicts(openOnly: !all, reviewOnly: !all).map { c -> ConflictsPage.Row in
            var winner = c.entry.winnerValues.map { $0.isNull ? "（空）" : $0.description }.joined(separator: " / ")
            var loser = c.entry.loserValues.map { $0.isNull ? "（空）" : $0.description }.joined(separator: " / ")
            if let field = Self.personalField(table: c.table, field: c.entry.field) {
                let customer = c.table == "customer" ? c.recordID : nil
                let v = Visibility.field(field, viewer: d.viewer, record: RecordContext(center: d.desk.center, customer: customer),
                                         grants: d.disclosure.grants)
                winner = Visibility.render(winner, field, v) ?? ""
                loser = Visibility.render(loser, field, v) ?? ""
                if v.isClear {
                    events.append(AuditEvent(action: "view", staff: d.me.staff, role: d.role?.rawValue, record: "\(c.table)/\(c.recordID)",
                                             fields: [field.rawValue], at: d.now))
                }
            }
            func who(_ clock: Replication.Clock) -> String {
                "\(clock.author.isEmpty ? "?" : clock.author) · \(Show.time(Date(timeIntervalSince1970: Double(clock.hlc.millis) / 1000)))"
            }
            return ConflictsPage.Row(key: c.key, record: "\(Self.tableName(c.table)) \(c.recordID)", field: c.entry.field, winner: winner,
                                     winnerBy: who(c.entry.winner), loser: loser, loserBy: who(c.entry.loser),
                                     state: c.entry.isOpen ? (c.entry.needsReview ? "待审核" : "按规则选定") : "已解决",
                                     open: c.entry.isOpen)
        }
        try d.audit(events)
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
        let me = try d.authorize(.conflictResolve)
        guard let key = form["key"] else { throw WebError.notFound }
        let resolution: WriteTransaction.Resolution
        switch form["choice"] {
        case "keep": resolution = .keepWinner
        case "take-other": resolution = .takeLoser
        default: throw WebError(.badRequest, "无法处理", "请选择保留采用的值，或改用另一个值。")
        }
        try d.desk.replica.resolveConflict(key: key, with: resolution, author: me.staff)
        return .seeOther("/conflicts?ok=saved")
    }
}
