import Foundation
import Hummingbird
import ServiceDesk

/// The request page's forms for what was command-line only: a commissioned service's
/// exception and the manager's confirmation of a change of the work (`ticket exception`,
/// `ticket confirm-change`), telling the provider a callback's result (`callback
/// tell-provider`) and reassigning a dispatched request (`ticket update --assignee`). Each
/// calls the same Desk method as the command, which checks the role (a refusal is a 403
/// page and a `denied` audit entry) and writes the timeline.
extension WebApp {
    func addServiceRoutes(_ r: RouterGroup<WebContext>) {
        r.post("/tickets/:ref/exception") { req, ctx in try await ticketException(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.post("/tickets/:ref/exceptions/:id/confirm") { req, ctx in
            try await exceptionConfirm(req, ctx, ref: try ctx.parameters.require("ref"), id: try ctx.parameters.require("id"))
        }
        r.post("/tickets/:ref/callbacks/:id/tell-provider") { req, ctx in
            try await callbackTellProvider(req, ctx, ref: try ctx.parameters.require("ref"), id: try ctx.parameters.require("id"))
        }
        r.post("/tickets/:ref/reassign") { req, ctx in try await ticketReassign(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.post("/tickets/:ref/service") { req, ctx in try await ticketServiceDetails(req, ctx, ref: try ctx.parameters.require("ref")) }
    }

    /// 服务明细 (`ticket service`): the price-list item or an off-list one, fee, materials,
    /// supplier and agreement. 经理审核 is the signed-in manager reviewing an off-list item
    /// (`--reviewed-by` themselves): the Desk then requires the manager's permission.
    func ticketServiceDetails(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let fee: Int?
        do { fee = try form["fee"].map { try Money.fen($0) } } catch {
            throw WebError(.badRequest, "无法登记", "费用请填写元，最多两位小数，如 35.50。")
        }
        let material: MaterialSource?
        if let m = form["material"] {
            guard let parsed = MaterialSource(rawValue: m) else { throw WebError(.badRequest, "无法登记", "请选择材料来源。") }
            material = parsed
        } else {
            material = nil
        }
        try d.desk.setServiceDetails(ref, priceItem: form["price_item"], offList: form.flag("off_list"),
                                     reviewedBy: form.flag("reviewed") ? d.me.staff : nil, feeFen: fee, material: material,
                                     materialFailedInspection: form.flag("material_failed"), customerSignedMaterial: form.flag("material_signed"),
                                     supplier: form["supplier"], agreement: form["agreement"])
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=service")
    }

    /// What is recorded of a paid service, in a line.
    static func serviceLine(_ s: ServiceDetails?, items: [PriceItem]) -> String {
        guard let s else { return "" }
        var parts: [String] = []
        if let code = s.priceItem { parts.append("价目表 \(code)" + (items.first { $0.code == code }.map { " \($0.name)" } ?? "")) }
        if s.offList { parts.append("价目表外项目" + (s.offListReviewedBy.map { "（经理审核：\($0)）" } ?? "（待经理审核）")) }
        if let m = s.materialSource {
            parts.append("材料\(m.displayName)" + (s.materialFailedInspection ? "，检验不合格" + (s.materialCustomerSigned ? "，顾客已签字同意使用" : "") : ""))
        }
        if let supplier = s.supplier { parts.append("供方 \(supplier)" + (s.supplierAgreement.map { "（协议 \($0)）" } ?? "")) }
        return parts.joined(separator: "；")
    }

    func ticketException(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        guard let kind = form["kind"].flatMap(ServiceExceptionKind.init(rawValue:)) else {
            throw WebError(.badRequest, "无法登记", "请选择异常类型。")
        }
        let amount: Int?
        do { amount = try form["amount"].map { try Money.fen($0) } } catch {
            throw WebError(.badRequest, "无法登记", "金额请填写元，最多两位小数，如 35.50。")
        }
        // The Desk decides who may: a change of the work anyone running or doing it; money
        // (compensation, a fee reduction) the service lead or the manager.
        try d.desk.recordServiceException(ticket: ref, kind: kind, detail: form["detail"] ?? "", amountFen: amount)
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=exception")
    }

    func exceptionConfirm(_ request: Request, _ context: WebContext, ref: String, id: String) async throws -> Response {
        _ = try await FormFields.posted(request, context)
        let d = try open(context)
        let e = try d.desk.confirmServiceException(id)
        // Back to the request the exception is about, whatever the URL named.
        return .seeOther("/tickets/\((d.desk.ticketNumber(e.ticket) ?? ref).queryEncoded)?ok=confirmed")
    }

    func callbackTellProvider(_ request: Request, _ context: WebContext, ref: String, id: String) async throws -> Response {
        _ = try await FormFields.posted(request, context)
        let d = try open(context)
        try d.desk.tellProvider(callback: id)
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=told")
    }

    func ticketReassign(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let supplier = form["supplier"]
        guard let to = supplier ?? form["to"] else { throw WebError(.badRequest, "无法改派", "请选择改派给谁，或填写供方名称。") }
        try d.desk.updateTicket(ref, assignee: to, assigneeKind: supplier == nil ? "staff" : "supplier")
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=reassigned")
    }

    /// A request's exceptions as its page lists them, with the manager's confirm button
    /// where the role may confirm. The free text is left to the timeline, which the Desk masks.
    static func exceptionRows(_ list: [ServiceException], canConfirm: Bool) -> [TicketPage.ExceptionRow] {
        list.map { e in
            let pending = e.kind == .workDiffers && e.confirmedBy == nil
            return TicketPage.ExceptionRow(
                id: e.id, at: Show.time(e.recordedAt), kind: e.kind.displayName, clause: e.kind.clause,
                amount: e.amountFen.map { "¥" + Money.yuan($0) } ?? "", by: e.recordedBy,
                confirmation: e.kind != .workDiffers ? "" : e.confirmedBy.map { "经理已确认（\($0) \(Show.time(e.confirmedAt))）" } ?? "待经理确认",
                confirmable: pending && canConfirm)
        }
    }

    /// A request's callbacks, with the button that records the result was told to the
    /// provider (4.2.14.2) where there is a provider and the role records callbacks.
    static func callbackRows(_ list: [Callback], provider: Bool, canTell: Bool) -> [TicketPage.CallbackRow] {
        list.map { c in
            TicketPage.CallbackRow(
                id: c.id, at: Show.time(c.at), method: c.method.displayName, result: c.result.displayName,
                score: c.score.map(String.init) ?? "", staff: c.staff,
                told: c.providerToldAt.map { "已告知（\(c.providerToldBy ?? "") \(Show.time($0))）" } ?? (provider ? "未告知" : ""),
                tellable: provider && c.providerToldAt == nil && canTell)
        }
    }
}
