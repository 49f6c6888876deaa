import Foundation
import Hummingbird
import ServiceDesk
import SyncRuntime

/// The center's desk (`node run`): 工作台, 顾客, 工单, 回访, 邮件, 寄存, 同步. Every handler
/// opens the desk for the signed-in staff member (``WebApp/open(_:)``) and reads and writes
/// through it: the Desk checks each action, masks what it returns for that person and
/// records the clear views before the page is sent.
extension WebApp {
    func addDeskRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/") { req, ctx in try dashboard(req, ctx) }
        // Before the customer and request routes: `/customers/import` is not a customer id.
        addReferenceRoutes(r)
        addCustomerRoutes(r)
        r.get("/tickets/new") { req, ctx in try ticketForm(req, ctx) }
        r.post("/tickets") { req, ctx in try await ticketOpen(req, ctx) }
        addTicketRoutes(r)
        r.get("/callbacks") { req, ctx in try callbacksPage(req, ctx) }
        r.get("/callbacks/plan") { req, ctx in try callbackPlan(req, ctx) }
        r.get("/sync") { req, ctx in try syncPage(req, ctx) }
        r.get("/sync.json") { _, _ in try syncJSON() }
        addLogRoutes(r)
        addConflictRoutes(r)
        addGrantRoutes(r)
        addReportRoutes(r)
        addAuditRoutes(r)
    }

    /// A request's page and its steps: at a center, and at head office for the roles that
    /// supervise (quality reopens, escalates, notes; the desk decides what each may do).
    func addTicketRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/tickets") { req, ctx in try ticketList(req, ctx) }
        r.get("/tickets/:ref") { req, ctx in try ticketPage(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.get("/tickets/:ref/print") { req, ctx in try workOrder(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.post("/tickets/:ref/step/:event") { req, ctx in
            try await ticketStep(req, ctx, ref: try ctx.parameters.require("ref"), event: try ctx.parameters.require("event"))
        }
        r.post("/tickets/:ref/callback") { req, ctx in try await ticketCallback(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.post("/tickets/:ref/pay") { req, ctx in try await ticketPay(req, ctx, ref: try ctx.parameters.require("ref")) }
        r.post("/tickets/:ref/note") { req, ctx in try await ticketNote(req, ctx, ref: try ctx.parameters.require("ref")) }
        addServiceRoutes(r)
    }

    /// 顾客: at a center the desk's customers; at head office every center's, masked
    /// unless a grant in force covers them (the same pages, the same policy).
    func addCustomerRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/customers") { req, ctx in try customerSearch(req, ctx) }
        r.get("/customers/suggest") { req, ctx in try customerSuggest(req, ctx) }
        r.get("/customers/new") { req, ctx in try customerForm(req, ctx, id: nil) }
        r.post("/customers") { req, ctx in try await customerSave(req, ctx, id: nil) }
        r.get("/customers/:id") { req, ctx in try customerPage(req, ctx, id: try ctx.parameters.require("id")) }
        r.get("/customers/:id/edit") { req, ctx in try customerForm(req, ctx, id: try ctx.parameters.require("id")) }
        r.post("/customers/:id") { req, ctx in try await customerSave(req, ctx, id: try ctx.parameters.require("id")) }
        r.post("/customers/:id/tags") { req, ctx in try await customerTag(req, ctx, id: try ctx.parameters.require("id")) }
        r.post("/customers/:id/refuse") { req, ctx in try await customerRefuse(req, ctx, id: try ctx.parameters.require("id")) }
        r.post("/customers/:id/members") { req, ctx in try await customerMember(req, ctx, id: try ctx.parameters.require("id")) }
    }

    // MARK: shared

    func frame(_ request: Request, _ context: WebContext, _ title: String) -> Frame {
        frames.make(context, title: title, path: request.uri.path, flash: Self.flash(FormFields.query(request)["ok"]))
    }

    /// The confirmation after a post, by code (never text from the URL).
    static func flash(_ code: String?) -> Flash? {
        guard let code else { return nil }
        if let e = TicketEvent(rawValue: code) { return Flash(text: "已\(e.displayName)。", kind: "ok") }
        let texts = ["saved": "已保存。", "opened": "工单已登记。", "callback": "回访已登记。", "paid": "收款已登记。",
                     "note": "备注已添加。", "parcel": "已登记。", "custody": "已登记。", "answered": "答复已登记。",
                     "unchanged": "没有改动，未保存。",
                     "exception": "服务异常已登记。", "confirmed": "经理已确认服务内容变更。", "told": "已登记告知服务提供方。",
                     "reassigned": "已改派。", "service": "服务明细已登记。"]
        return texts[code].map { Flash(text: $0, kind: "ok") }
    }

    // MARK: 工作台

    func dashboard(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        // Each list shows its first rows (the full lists are a click away): a center with
        // a backlog of hundreds still gets its first page at once, and only what is shown
        // is audited as seen.
        let shown = 30
        let lists = try d.desk.openRequestLists(overdue: shown, dueToday: shown, callbacks: shown)
        let today = lists.today
        func rows(_ list: [TicketWithDeadlines]) -> [TicketRow] { list.map { TicketRow.make($0.ticket, $0, now: d.now) } }
        let status = try? recentStatus.read(desk)
        let counts = try d.desk.deskCounts()
        var tiles = [Tile(label: "已超期工单", count: lists.overdueCount, href: "/tickets?overdue=1", warn: true),
                     Tile(label: "今日到期", count: lists.dueTodayCount, href: "/tickets?due=1", warn: true),
                     Tile(label: "待回访", count: lists.callbacksDueCount, href: "/callbacks", warn: true)]
        if let n = counts.parcelsWaiting { tiles.append(Tile(label: "待取邮件", count: n, href: "/parcels")) }
        if let n = counts.custodyHeld { tiles.append(Tile(label: "寄存物品", count: n, href: "/custody")) }
        if let status {
            tiles.append(Tile(label: "待处理冲突", count: status.conflicts.open, href: "/conflicts", warn: true))
        }
        let model = DashboardPage(frame: frame(request, context, "工作台"),
                                  today: "\(today) \(Self.weekday(today))", tiles: tiles,
                                  overdue: TicketTable(rows(lists.overdue), total: lists.overdueCount),
                                  dueToday: TicketTable(rows(lists.dueToday), total: lists.dueTodayCount),
                                  callbacksDue: TicketTable(rows(lists.callbacksDue), total: lists.callbacksDueCount),
                                  sync: status.map(Self.syncLine), canOpen: d.may(.ticketOpen))
        return page("dashboard", model)
    }

    static func weekday(_ d: CivilDate) -> String {
        ["星期四", "星期五", "星期六", "星期日", "星期一", "星期二", "星期三"][((d.daysSinceEpoch % 7) + 7) % 7]
    }

    static func syncLine(_ s: NodeStatusView) -> SyncLine {
        SyncLine(state: s.connection.state, stateText: SyncLine.stateText(s.connection.state), pending: s.push.pending,
                 lastPush: Show.time(s.push.lastAt), lastPull: Show.time(s.pull.lastAt), health: s.health.rawValue)
    }

    // MARK: 顾客

    /// The customers `q` finds, as the Desk shows them to this person (masked unless they
    /// see them in clear; clear views audited by the Desk), and a hint when the search was
    /// narrowed.
    func lookup(_ d: SignedInDesk, _ q: String, limit: Int = 50) throws -> (shown: [Customer], hint: String?) {
        let query = CustomerQuery.parse(q)
        func find(_ build: (inout CustomerFilter) -> Void, limit: Int) throws -> [Customer] {
            var f = CustomerFilter()
            f.limit = limit
            build(&f)
            return try d.desk.customerList(f)
        }
        switch query {
        case .empty: return ([], nil)
        case .phone(let p):
            do {
                // A number shown in clear must be the one asked for (not merely contain it);
                // a masked one was found by the whole number.
                let found = try find({ $0.phone = p }, limit: limit)
                return (found.filter { $0.phone?.contains("*") == true || query.matches(phone: $0.phone) }, nil)
            } catch DeskError.refused {
                // Not a whole number, and this person sees numbers masked: no partial search.
                return ([], "请输入完整的电话号码（手机 11 位，固话含区号）。")
            }
        case .lastFour(let p):
            var found: [Customer] = []
            var hint: String?
            if d.searchesByPart {
                found = try find({ $0.phoneEnding = p }, limit: limit)
            } else {
                hint = "按尾号查找仅限可查看完整电话的岗位。请输入完整号码，或按姓名、房号查找。"
            }
            let ids = Set(found.map(\.id))
            if found.count < limit {
                found += try find({ $0.text = p }, limit: limit - found.count).filter { !ids.contains($0.id) }
            }
            return (found, hint)
        case .text(let t): return (try find({ $0.text = t }, limit: limit), nil)
        }
    }

    func customerSearch(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let q = FormFields.query(request)["q"] ?? ""
        let (shown, hint) = try lookup(d, q)
        let query = CustomerQuery.parse(q)
        var addHref = "/customers/new"
        if case .phone(let p) = query { addHref += "?phone=" + p }
        let searched = query != .empty
        let model = CustomerSearchPage(frame: frame(request, context, "顾客"), q: q, searched: searched, rows: shown.map(CustomerRow.make),
                                       hint: hint ?? (searched && shown.isEmpty && query.isPhone ? "没有登记这个号码的顾客。" : nil),
                                       canAdd: d.may(.customerEdit) && !d.desk.isHub, addHref: addHref,
                                       canOpen: d.may(.ticketOpen) && !d.desk.isHub, canImport: d.may(.importData) && !d.desk.isHub)
        return page("customers", model)
    }

    /// Lookup as you type: the same search, as JSON for `desk.js`.
    func customerSuggest(_ request: Request, _ context: WebContext) throws -> Response {
        struct Item: Encodable { var href: String; var text: String }
        struct Items: Encodable { var items: [Item] }
        let d = try open(context)
        let (shown, _) = try lookup(d, FormFields.query(request)["q"] ?? "", limit: 8)
        let items = shown.map { c in Item(href: "/customers/\(c.id)", text: [c.name, c.phone ?? "", c.unit ?? ""].filter { !$0.isEmpty }.joined(separator: "  ")) }
        return try Self.json(Items(items: items))
    }

    static func json<T: Encodable>(_ value: T) throws -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try e.encode(value))))
    }

    func customerPage(_ request: Request, _ context: WebContext, id: String) throws -> Response {
        let d = try open(context)
        let (shown, members) = try d.desk.customerRecord(id)
        var f = TicketFilter()
        f.customer = id
        var numbers: [String: String] = [:]
        let requests = try d.desk.ticketList(f)
        for w in requests { numbers[w.ticket.id] = w.ticket.number }
        let callbacks = d.readsCallbacks ? try d.desk.callbackList(customer: id).map(Self.callbackRow(numbers)) : []
        let model = CustomerPage(
            frame: frame(request, context, shown.name), id: shown.id, name: shown.name, phone: shown.phone ?? "", unit: shown.unit ?? "",
            idNumber: shown.idNumber ?? "", moveIn: shown.moveIn ?? "", moveOut: shown.moveOut ?? "", specialCare: shown.specialCare,
            refused: shown.refusedCallback, refusedReason: shown.refusedReason, needs: shown.needs ?? "", note: shown.note ?? "",
            tags: shown.tags, members: members.map { CustomerPage.Member(name: $0.name, relation: $0.relation ?? "", phone: $0.phone ?? "") },
            tickets: TicketTable(requests.map { TicketRow.make($0.ticket, $0, now: d.now) }), callbacks: callbacks,
            canEdit: d.may(.customerEdit) && !d.desk.isHub, canOpen: d.may(.ticketOpen) && !d.desk.isHub,
            kinds: Show.options(RequestKind.self, selected: RequestKind.repair.rawValue),
            channels: Show.options(Channel.self, selected: Channel.phone.rawValue), csrf: context.csrfToken)
        return page("customer", model)
    }

    static func callbackRow(_ numbers: [String: String]) -> (Callback) -> CustomerPage.CallbackRow {
        { cb in
            CustomerPage.CallbackRow(at: Show.time(cb.at), ticket: cb.ticket.map { numbers[$0] ?? $0 } ?? "", method: cb.method.displayName,
                                     result: cb.result.displayName, score: cb.score.map(String.init) ?? "", comment: cb.comment ?? "")
        }
    }

    func customerForm(_ request: Request, _ context: WebContext, id: String?) throws -> Response {
        let d = try open(context)
        try d.authorize(.customerEdit)
        guard let id else {
            let q = FormFields.query(request)
            let model = CustomerFormPage(frame: frame(request, context, "新建顾客"), action: "/customers", heading: "新建顾客", name: "",
                                         phone: q["phone"] ?? "", unit: "", idNumber: "", moveIn: "", moveOut: "", specialCare: false,
                                         needs: "", note: "", editing: false, cancelHref: "/customers")
            return page("customer_form", model)
        }
        let (c, _) = try d.desk.customerRecord(id)
        let model = CustomerFormPage(frame: frame(request, context, "编辑顾客"), action: "/customers/\(id)", heading: "编辑顾客：\(c.name)",
                                     name: c.name, phone: c.phone ?? "", unit: c.unit ?? "", idNumber: c.idNumber ?? "",
                                     moveIn: c.moveIn ?? "", moveOut: c.moveOut ?? "", specialCare: c.specialCare, needs: c.needs ?? "",
                                     note: c.note ?? "", editing: true, cancelHref: "/customers/\(id)")
        return page("customer_form", model)
    }

    func customerSave(_ request: Request, _ context: WebContext, id: String?) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.customerEdit)
        guard let id else {
            let new = try d.desk.addCustomer(CustomerInput(name: form["name"] ?? "", phone: form["phone"], idNumber: form["id_number"],
                                                           unit: form["unit"], moveIn: form["move_in"], specialCare: form.flag("special_care"),
                                                           needs: form["needs"], note: form["note"]))
            return .seeOther("/customers/\(new)?ok=saved")
        }
        // The Desk writes only what differs from what the form showed: a field shown masked
        // and sent back untouched never overwrites the real value with its mask.
        try d.desk.updateCustomer(id, asShown: CustomerEdits(name: form["name"], phone: form["phone"], idNumber: form["id_number"],
                                                             unit: form["unit"], moveIn: form["move_in"], moveOut: form["move_out"],
                                                             specialCare: form.flag("special_care"), needs: form["needs"], note: form["note"]))
        return .seeOther("/customers/\(id)?ok=saved")
    }

    func customerTag(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.customerEdit)
        guard let tag = form["tag"] else { throw WebError(.badRequest, "无法完成", "请填写标签。") }
        try d.desk.tagCustomer(id, tag: tag, remove: form.flag("remove"))
        return .seeOther("/customers/\(id)?ok=saved")
    }

    func customerRefuse(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.customerEdit)
        try d.desk.setRefusedCallback(id, refused: !form.flag("off"), reason: form["reason"])
        return .seeOther("/customers/\(id)?ok=saved")
    }

    func customerMember(_ request: Request, _ context: WebContext, id: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.customerEdit)
        _ = try d.desk.addHouseholdMember(customer: id, name: form["name"] ?? "", relation: form["relation"], phone: form["phone"])
        return .seeOther("/customers/\(id)?ok=saved")
    }

    // MARK: 工单

    /// Rows on one page of the request list: what a clerk reads at a glance; the next page
    /// is a click away. Only the rows shown are read in full and audited as seen.
    static let ticketsPerPage = 50

    func ticketList(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let q = FormFields.query(request)
        let pageNumber = max(1, min(10_000, q["page"].flatMap { Int($0) } ?? 1))
        var f = TicketFilter()
        f.offset = (pageNumber - 1) * Self.ticketsPerPage
        f.stage = q["stage"].flatMap(TicketStage.init(rawValue:))
        f.kind = q["kind"].flatMap(RequestKind.init(rawValue:))
        f.assignee = q["assignee"]
        f.overdue = q.flag("overdue")
        f.dueToday = q.flag("due")
        if f.stage == nil { f.openOnly = true }
        let provider = d.role == .technician || d.role == .supplier
        if provider { f.assignee = d.me.staff }
        let (found, more) = try d.desk.ticketPage(f, size: Self.ticketsPerPage)
        let rows = found.map { TicketRow.make($0.ticket, $0, now: d.now) }
        let model = TicketListPage(frame: frame(request, context, provider ? "我的工单" : "工单"), table: TicketTable(rows),
                                   pager: Pager(path: "/tickets", query: q.all, page: pageNumber, hasNext: more),
                                   stages: Show.options(TicketStage.self, selected: f.stage?.rawValue, blank: "进行中（未关闭）"),
                                   kinds: Show.options(RequestKind.self, selected: f.kind?.rawValue, blank: "全部类型"),
                                   assignee: provider ? d.me.staff : (f.assignee ?? ""), overdue: f.overdue, dueToday: f.dueToday, canOpen: d.may(.ticketOpen),
                                   heading: provider ? "我的工单" : "工单")
        return page("tickets", model)
    }

    func ticketForm(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        try d.authorize(.ticketOpen)
        let q = FormFields.query(request)
        var customerText = ""
        if let id = q["customer"] {
            let (c, _) = try d.desk.customerRecord(id)
            customerText = [c.name, c.phone ?? "", c.unit ?? ""].filter { !$0.isEmpty }.joined(separator: "  ")
        }
        let model = TicketFormPage(frame: frame(request, context, "登记来电"), customer: q["customer"], customerText: customerText,
                                   phone: q["phone"] ?? "", name: "", unit: "",
                                   kinds: Show.options(RequestKind.self, selected: q["kind"] ?? RequestKind.repair.rawValue),
                                   channels: Show.options(Channel.self, selected: Channel.phone.rawValue),
                                   classes: Show.options(ComplaintClass.self, selected: nil, blank: "（非投诉不填）"),
                                   severities: Show.options(Severity.self, selected: nil, blank: "（非投诉不填）"), summary: "")
        return page("ticket_form", model)
    }

    /// Opens a request in one step from the caller's number: a known number is its
    /// customer, a new one becomes a new customer first (both through the desk, each
    /// checked for the role).
    func ticketOpen(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        let me = try d.authorize(.ticketOpen)
        guard let kind = form["kind"].flatMap(RequestKind.init(rawValue:)) else { throw WebError(.badRequest, "无法登记", "请选择工单类型。") }
        let channel = form["channel"].flatMap(Channel.init(rawValue:)) ?? .phone
        var customer = form["customer"]
        if customer == nil, let phone = form["phone"] {
            let query = CustomerQuery.parse(phone)
            guard case .phone(let digits) = query else {
                throw WebError(.badRequest, "号码不完整", "请输入完整的来电号码（至少 7 位数字）。")
            }
            let known = try d.desk.customerIDs(phone: digits)
            if known.count > 1 {
                throw WebError(.conflict, "号码对应多位顾客", "这个号码登记在 \(known.count) 位顾客名下：请在“顾客”中查找并选择顾客，再登记工单。")
            }
            if let c = known.first {
                customer = c
            } else {
                let editor = try d.authorize(.customerEdit)
                guard let name = form["name"] else {
                    throw WebError(.badRequest, "新来电", "这个号码还没有登记：请填写顾客姓名（和房号），将同时登记为新顾客。")
                }
                customer = try d.desk.addCustomer(CustomerInput(name: name, phone: phone, unit: form["unit"]))
            }
        }
        let complaint = kind == .complaint
        let t = try d.desk.openTicket(TicketInput(kind: kind,
                                                  location: kind == .repair ? form["location"].flatMap(RepairLocation.init(rawValue:)) : nil,
                                                  complaintClass: complaint ? form["class"].flatMap(ComplaintClass.init(rawValue:)) : nil,
                                                  severity: complaint ? form["severity"].flatMap(Severity.init(rawValue:)) : nil,
                                                  channel: channel, summary: form["summary"] ?? "", customer: customer))
        return .seeOther("/tickets/\(t.number)?ok=opened")
    }

    func ticketPage(_ request: Request, _ context: WebContext, ref: String) throws -> Response {
        let d = try open(context)
        // Masked for this person, with the timeline's free text masked by the same rules;
        // refused (and audited) for a provider the request was not sent to.
        let view = try d.desk.ticketRecord(ref)
        let w = view.item, t = view.ticket, contact = view.contact, full = view.ticket
        let timeline = view.timeline.reversed().map {
            TicketPage.Step(at: Show.time($0.at), staff: $0.staff, action: Show.timelineAction($0.action), detail: $0.detail ?? "")
        }
        let actions = TicketPage.actions(for: full, may: d.may)
        // 改派 only where the Desk would take it: a dispatched request not yet completed.
        let canReassign = d.may(.ticketUpdate) && !d.desk.isHub && [.dispatched, .arrived].contains(full.stage)
        let assignees = actions.contains(where: \.dispatch) || canReassign ? try dispatchable(d) : []
        let service = full.service
        // A commissioned service's exceptions: the kinds the role may record (money is the
        // service lead's or the manager's), and those recorded.
        var exceptionKinds: [SelectOption] = []
        var exceptions: [TicketPage.ExceptionRow] = []
        if CommissionedService.applies(kind: full.kind, location: full.location) {
            exceptionKinds = ServiceExceptionKind.allCases.filter { d.may($0 == .workDiffers ? .serviceException : .serviceMoney) }
                .map { SelectOption(value: $0.rawValue, label: "\($0.displayName)（\($0.clause)）") }
            exceptions = Self.exceptionRows(try d.desk.serviceExceptions(ticket: full.id), canConfirm: d.may(.confirmServiceChange))
        }
        // 服务明细 (`ticket service`) of a commissioned service (a service, an in-home repair) not yet paid.
        let canService = d.may(.ticketService) && !d.desk.isHub && full.isCommissioned && service?.paidAt == nil
        let priceItems = canService || service?.priceItem != nil
            ? try d.desk.priceList().filter { $0.center == nil || $0.center == full.center } : []
        var callbacks: [TicketPage.CallbackRow] = []
        if d.readsCallbacks {
            callbacks = Self.callbackRows(try d.desk.callbackList(ticket: full.id), provider: full.assignee != nil, canTell: d.may(.callbackAdd))
        }
        let flow = TicketPage(
            frame: frame(request, context, "工单 \(t.number)"), number: t.number,
            kind: t.kind.displayName + (t.location.map { " · " + $0.displayName } ?? "") + (t.complaintClass.map { " · " + $0.displayName } ?? "")
                + (t.severity.map { " · " + $0.displayName } ?? ""),
            stage: t.stage.displayName + (t.reopenCount > 0 ? "（第\(t.reopenCount)次重开）" : ""), summary: t.summary,
            channel: t.channel?.displayName ?? "", unit: t.unit ?? "", contactName: contact?.name ?? "", contactPhone: contact?.phone ?? "",
            customerHref: t.customer.flatMap { d.may(.customerEdit) || d.may(.ticketOpen) ? "/customers/\($0)" : nil },
            assignee: t.assignee.map { $0 + (t.assigneeKind == "supplier" ? "（供方）" : "") } ?? "",
            opened: Show.time(t.openedAt), openedBy: t.openedBy, escalated: t.escalated, reopenCount: t.reopenCount,
            overdue: !w.overdue.isEmpty, deadlines: TicketPage.deadlineRows(w, now: d.now), timeline: Array(timeline),
            actions: actions, assignees: assignees, canNote: d.may(.ticketNote),
            canCallback: d.may(.callbackAdd) && full.stage >= .completed && full.stage != .cancelled,
            methods: Show.options(CallbackMethod.self, selected: CallbackMethod.phone.rawValue),
            results: Show.options(CallbackResult.self, selected: CallbackResult.satisfied.rawValue),
            canPay: d.may(.ticketPay) && full.kind == .service && service != nil && service?.paidAt == nil,
            canAnswer: d.may(.ticketAnswer) && full.stage != .closed && full.stage != .cancelled, answered: Show.time(full.answeredAt),
            canEdit: d.may(.ticketUpdate) && !d.desk.isHub,
            fee: service.map { Show.yuan($0.fee) }, paid: service?.paidAt.map { "\(Show.time($0)) 收据 \(service?.receiptNo ?? "")" },
            csrf: context.csrfToken)
        var model = flow
        model.exceptions = exceptions
        model.exceptionKinds = exceptionKinds
        model.callbacks = callbacks
        model.canReassign = canReassign
        model.canService = canService
        model.canReview = canService && d.may(.reviewOffList)
        model.priceItems = [SelectOption(value: "", label: "（不选）", selected: service?.priceItem == nil)]
            + priceItems.map { SelectOption(value: $0.code, label: "\($0.code) \($0.name) ¥\(Money.yuan($0.price))", selected: $0.code == service?.priceItem) }
        model.materials = Show.options(MaterialSource.self, selected: service?.materialSource?.rawValue, blank: "（不记录）")
        model.serviceLine = Self.serviceLine(service, items: priceItems)
        return page("ticket", model)
    }

    /// Whom a request may be sent to: the center's active technicians and service leads.
    func dispatchable(_ d: SignedInDesk) throws -> [SelectOption] {
        try d.desk.staff().filter { m in
            guard let role = m.role.flatMap({ try? StaffRole.parse($0) }) else { return false }
            return (role == .technician || role == .serviceLead || role == .supplier) && (d.desk.isHub || m.center == nil || m.center == d.desk.center)
        }.map { SelectOption(value: $0.id, label: "\($0.id) \($0.name)（\($0.role.flatMap { try? StaffRole.parse($0) }?.displayName ?? "")）") }
    }

    func workOrder(_ request: Request, _ context: WebContext, ref: String) throws -> Response {
        let d = try open(context)
        let view = try d.desk.ticketRecord(ref)
        let w = view.item, t = view.ticket, contact = view.contact
        let model = WorkOrderPage(title: "派工单 \(t.number)", css: renderer.assetURL("desk.css"), js: renderer.assetURL("desk.js"),
                                  centerName: centerName, number: t.number, kind: t.kind.displayName, summary: t.summary,
                                  unit: t.unit ?? "", contactName: contact?.name ?? "", contactPhone: contact?.phone ?? "",
                                  assignee: t.assignee ?? "", opened: Show.time(t.openedAt), dispatched: Show.time(w.ticket.dispatchedAt),
                                  agreedArrival: Show.time(w.ticket.agreedArrivalAt), printed: Show.time(d.now))
        return page("work_order", model)
    }

    func ticketStep(_ request: Request, _ context: WebContext, ref: String, event name: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        guard let event = TicketEvent(rawValue: name), event != .callBack else { throw WebError.notFound }
        let d = try open(context)
        // The Desk checks the role, and that a technician acts on their own requests only.
        var details = StepDetails(note: form["note"])
        if event == .dispatch {
            if let supplier = form["supplier"] {
                details.assignee = supplier
                details.assigneeKind = "supplier"
            } else {
                details.assignee = form["to"]
                details.assigneeKind = "staff"
            }
            details.agreedArrival = try form["agreed_arrival"].map(TimeFormat.parse)
        }
        if event == .complete { details.customerSigned = form.flag("signed") }
        let t = try d.desk.advance(ref, event, details: details)
        return .seeOther("/tickets/\(t.number)?ok=\(event.rawValue)")
    }

    func ticketCallback(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        try d.authorize(.callbackAdd)
        guard let method = form["method"].flatMap(CallbackMethod.init(rawValue:)),
              let result = form["result"].flatMap(CallbackResult.init(rawValue:)) else {
            throw WebError(.badRequest, "无法登记", "请选择回访方式和结果。")
        }
        var score: Int?
        if let s = form["score"] {
            guard let n = Int(s) else { throw WebError(.badRequest, "无法登记", "满意度请填写 0–100 的整数。") }
            score = n
        }
        try d.desk.recordCallback(ticket: ref, method: method, result: result, score: score, comment: form["comment"],
                                  signed: form.flag("signed"))
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=callback")
    }

    func ticketPay(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        try d.authorize(.ticketPay)
        let fee: Int?
        do { fee = try form["fee"].map { try Money.fen($0) } } catch { throw WebError(.badRequest, "无法收款", "金额请填写元，最多两位小数，如 35.50。") }
        try d.desk.recordPayment(ref, receipt: form["receipt"] ?? "", feeFen: fee)
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=paid")
    }

    func ticketNote(_ request: Request, _ context: WebContext, ref: String) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let d = try open(context)
        try d.desk.note(ref, form["text"] ?? "")
        return .seeOther("/tickets/\(ref.queryEncoded)?ok=note")
    }

    // MARK: 回访

    func callbacksPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let lists = try d.desk.openRequestLists(overdue: 0, dueToday: 0, callbacks: 500)
        let today = lists.today
        let due = lists.callbacksDue.map { TicketRow.make($0.ticket, $0, now: d.now) }
        var numbers: [String: String] = [:]
        for w in lists.callbacksDue { numbers[w.ticket.id] = w.ticket.number }
        var recent: [CustomerPage.CallbackRow] = []
        if d.readsCallbacks {
            for cb in try d.desk.callbackList(month: today.yearMonth).prefix(50) {
                if let t = cb.ticket, numbers[t] == nil { numbers[t] = d.desk.ticketNumber(t) }
                recent.append(Self.callbackRow(numbers)(cb))
            }
        }
        var programmes: CallbacksPage.ProgrammeDue?
        if d.may(.callbackPlan) {
            // Every programme's duties due today and those overdue, as `gatehouse callback due` lists them.
            let items = try d.desk.callbacksDue(on: today, now: d.now)
            let customers = try d.desk.customerViews(Set(items.map(\.duty.customerID)))
            let rows = items.map { item -> CallbacksPage.ProgrammeDue.Row in
                let duty = item.duty
                let shown = customers[duty.customerID]
                return .init(due: duty.dueOn.description, programme: duty.programme.displayName + (duty.period.map { " \($0)" } ?? ""),
                             reason: duty.reasons.isEmpty ? duty.programme.clause : duty.reasons.map(\.displayName).joined(separator: "、"),
                             number: item.ticketNumber, href: item.ticketNumber.map { "/tickets/\($0)" }, name: shown?.name ?? "",
                             unit: shown?.unit ?? "", method: duty.onSite ? "上门" : "电话", caller: item.butler.map { "管家 \($0)" } ?? duty.programme.caller,
                             state: item.state.displayName, overdue: item.state == .overdue)
            }
            programmes = CallbacksPage.ProgrammeDue(rows: rows)
        }
        let model = CallbacksPage(frame: frame(request, context, "回访"), due: TicketTable(due), recent: Array(recent),
                                  month: today.yearMonth.description, canPlan: d.may(.callbackPlan), programmes: programmes)
        return page("callbacks", model)
    }

    func callbackPlan(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let me = try d.authorize(.callbackPlan)
        let calendar = try d.desk.workCalendar()
        let month: YearMonth
        do { month = try FormFields.query(request)["month"].map { try YearMonth($0) } ?? calendar.civilDate(of: d.now).yearMonth } catch {
            throw WebError(.badRequest, "月份有误", "月份请写成 YYYY-MM，如 2026-12。")
        }
        let report = try d.desk.callbackPlan(month: month)
        let rows = report.duties.sorted { $0.dueOn < $1.dueOn }.map { duty in
            let number = duty.jobID.map { report.numbers[$0] ?? $0 } ?? ""
            return CallbackPlanPage.Row(number: number, href: "/tickets/\(number)", reason: duty.reasons.map(\.displayName).joined(separator: "、"),
                                        due: duty.dueOn.description + (duty.onSite ? "（上门）" : ""),
                                        state: duty.doneAt.map { "已回访 \(Show.time($0))" } ?? (duty.attempts > 0 ? "已尝试 \(duty.attempts) 次" : "待回访"))
        }
        let plan = report.plan
        let model = CallbackPlanPage(frame: frame(request, context, "\(month) 回访计划"), month: month.description,
                                     previous: month.firstDay.adding(days: -1).yearMonth.description,
                                     next: month.lastDay.adding(days: 1).yearMonth.description,
                                     summary: [Tile(label: "四类回访", count: plan.fourClass.count, href: "#plan"),
                                               Tile(label: "抽样回访", count: plan.sampled.count, href: "#plan"),
                                               Tile(label: "委托服务回访", count: plan.commissioned.count, href: "#plan"),
                                               Tile(label: "拒访不回访", count: plan.refused.count, href: "#plan")],
                                     rows: rows)
        return page("callback_plan", model)
    }

    // MARK: 同步

    func syncPage(_ request: Request, _ context: WebContext) throws -> Response {
        _ = try open(context)
        let s = try NodeStatusView.read(desk)
        let model = SyncPage(frame: frame(request, context, "同步"), line: Self.syncLine(s),
                             hub: s.hub.endpoint ?? "未配置", oldestPending: Show.time(s.push.oldestPendingAt),
                             behind: Int(s.pull.behindAtLastContact), conflictsOpen: s.conflicts.open, refused: s.refused.count,
                             problems: s.problems.map { "\($0)" }, generated: Show.time(s.generatedAt))
        return page("sync", model)
    }

    /// The figures the sync page refreshes by itself (no personal data).
    func syncJSON() throws -> Response {
        struct Live: Encodable {
            var state: String
            var stateText: String
            var pending: Int
            var lastPush: String
            var lastPull: String
            var conflictsOpen: Int
            var generatedAtText: String
        }
        let s = try NodeStatusView.read(desk)
        let line = Self.syncLine(s)
        return try Self.json(Live(state: line.state, stateText: line.stateText, pending: line.pending, lastPush: line.lastPush,
                                  lastPull: line.lastPull, conflictsOpen: s.conflicts.open, generatedAtText: "更新于 " + Show.time(s.generatedAt)))
    }
}

extension CustomerQuery {
    var isPhone: Bool { if case .phone = self { true } else { false } }
}
