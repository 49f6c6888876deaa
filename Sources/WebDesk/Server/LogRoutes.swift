import Foundation
import Hummingbird
import ServiceDesk

/// 邮件 (the mail log) and 寄存 (customers' items in the desk's safe): receive, notify,
/// pick up with a signature; custody in and out. Lists are masked like any list; every
/// write is checked for the role by the desk access.
extension WebApp {
    func addLogRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/parcels") { req, ctx in try parcelsPage(req, ctx) }
        r.post("/parcels") { req, ctx in try await parcelReceive(req, ctx) }
        r.post("/parcels/:id/notify") { req, ctx in try await parcelNotify(req, ctx, id: try ctx.parameters.require("id")) }
        r.post("/parcels/:id/pickup") { req, ctx in try await parcelPickup(req, ctx, id: try ctx.parameters.require("id")) }
        r.get("/custody") { req, ctx in try custodyPage(req, ctx) }
        r.post("/custody") { req, ctx in try await custodyReceive(req, ctx) }
        r.post("/custody/:id/return") { req, ctx in try await custodyReturn(req, ctx, id: try ctx.parameters.require("id")) }
    }

    func parcelsPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let all = FormFields.query(request).flag("all")
        let shown = try d.desk.parcelList(waitingOnly: !all, limit: 300)
        let canRecord = d.may(.parcels)
        let rows = shown.map { p in
            ParcelsPage.Row(id: p.id, received: Show.time(p.receivedAt), type: p.type.displayName, recipient: p.recipient ?? "",
                            unit: p.unit ?? "", carrier: p.carrier ?? "", tracking: p.trackingNo ?? "", notified: Show.time(p.notifiedAt),
                            pickedUp: p.pickedUpAt.map { "\(Show.time($0)) \(p.pickedUpBy ?? "")\(p.signed ? "（已签字）" : "")" } ?? "",
                            waiting: p.isWaiting, canNotify: canRecord && p.isWaiting && p.notifiedAt == nil)
        }
        let model = ParcelsPage(frame: frame(request, context, "邮件"), rows: rows,
                                types: Show.options(ParcelType.self, selected: ParcelType.express.rawValue), waitingOnly: !all,
                                canRecord: canRecord, csrf: context.csrfToken)
        return page("parcels", model)
    }

    func parcelReceive(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.parcels)
        guard let type = form["type"].flatMap(ParcelType.init(rawValue:)) else { throw WebError(.badRequest, "无法登记", "请选择邮件类型。") }
        _ = try d.desk.receiveParcel(ParcelInput(type: type, recipient: form["recipient"], unit: form["unit"], carrier: form["carrier"],
                                                 trackingNo: form["tracking"], note: form["note"]))
        return .seeOther("/parcels?ok=parcel")
    }

    func parcelNotify(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        _ = try await FormFields.posted(request, context)
        let d = try open(context)
        _ = try d.desk.notifyParcel(id)
        return .seeOther("/parcels?ok=saved")
    }

    func parcelPickup(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.parcels)
        guard let collector = form["by"] else { throw WebError(.badRequest, "无法登记", "请填写取件人。") }
        _ = try d.desk.pickUpParcel(id, by: collector, signed: form.flag("signed"))
        return .seeOther("/parcels?ok=saved")
    }

    func custodyPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let all = FormFields.query(request).flag("all")
        let items = try d.desk.custodyList(heldOnly: !all)
        let names = try d.desk.customerViews(Set(items.compactMap(\.customer))).mapValues { c in
            [c.name, c.unit ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        }
        let rows = items.map { i in
            CustodyPage.Row(id: i.id, customer: i.customer.map { names[$0] ?? "—" } ?? "", description: i.description,
                            conditionIn: (i.conditionIn ?? "") + (i.verifiedIn ? "（双方确认）" : ""), received: Show.time(i.receivedAt),
                            returned: i.returnedAt.map { "\(Show.time($0)) \(i.conditionOut ?? "")" } ?? "", held: i.isHeld)
        }
        let model = CustodyPage(frame: frame(request, context, "寄存"), rows: rows, canRecord: d.may(.custody), csrf: context.csrfToken)
        return page("custody", model)
    }

    func custodyReceive(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.custody)
        guard let phone = form["phone"], case .phone(let digits) = CustomerQuery.parse(phone) else {
            throw WebError(.badRequest, "无法登记", "请输入寄存顾客的完整电话号码。")
        }
        let known = try d.desk.customerIDs(phone: digits)
        guard known.count == 1, let customer = known.first else {
            throw WebError(.badRequest, "无法登记", known.isEmpty ? "没有登记这个号码的顾客：请先在“顾客”中登记。" : "这个号码对应多位顾客，请在顾客页面办理。")
        }
        _ = try d.desk.receiveCustody(customer: customer, description: form["description"] ?? "", condition: form["condition"] ?? "",
                                      verified: form.flag("verified"))
        return .seeOther("/custody?ok=custody")
    }

    func custodyReturn(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.custody)
        _ = try d.desk.returnCustody(id, condition: form["condition"] ?? "", verified: form.flag("verified"))
        return .seeOther("/custody?ok=saved")
    }
}
