import ArgumentParser
import Foundation
import ServiceDesk

struct TicketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket", abstract: "Requests: repairs, complaints, paid services, inquiries, suggestions.",
        subcommands: [TicketOpen.self, TicketList.self, TicketShow.self, TicketDispatch.self, TicketArrive.self,
                      TicketComplete.self, TicketClose.self, TicketReopen.self, TicketCancel.self, TicketEscalate.self,
                      TicketAnswer.self, TicketNote.self, TicketUpdate.self, TicketService.self, TicketPay.self,
                      TicketException.self, TicketExceptions.self, TicketConfirmChange.self])
}

extension RequestKind: ExpressibleByArgument {}
extension Channel: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
extension ComplaintClass: ExpressibleByArgument {}
extension TicketStage: ExpressibleByArgument {}
extension RepairLocation: ExpressibleByArgument {}

struct TicketOpen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Register a request; prints its number.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "repair, complaint, service, inquiry or suggestion (or 报修, 投诉, …).") var kind: RequestKind
    @Option(help: "How it came in: phone, walk-in, wechat, app, email, letter, other.") var channel: Channel = .phone
    @Option(help: "What the customer reports.") var summary: String
    @Option(help: "Repairs: in-home or common area (户内, 公共区域). Asked at a terminal; otherwise counted as in-home until set with `ticket update --location`.")
    var location: RepairLocation?
    @Option(help: "Customer id.") var customer: String?
    @Option(help: "Unit (default: the customer's).") var unit: String?
    @Option(name: .customLong("class"), help: "Complaint class 1, 2 or 3.") var complaintClass: ComplaintClass?
    @Option(help: "Complaint severity: general or major.") var severity: Severity?
    @Option(name: .customLong("about-staff"), help: "Complaints: the staff member complained about.") var aboutStaff: String?
    @Option(help: "Center (at head office).") var center: String?

    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            try desk.require(.ticketOpen)
            var location = location
            if kind == .repair && location == nil {
                location = try Self.askLocation()
                if location == nil {
                    FileHandle.standardError.write(Data("note: no --location given; the repair counts as in-home (户内) until `gatehouse ticket update NUMBER --location common-area` says otherwise\n".utf8))
                }
            }
            let t = try desk.openTicket(
                TicketInput(kind: kind, location: location, complaintClass: complaintClass, severity: severity, channel: channel,
                            summary: summary, customer: customer, unit: unit, aboutStaff: aboutStaff, center: center))
            if output.json { return try Output.json(t) }
            print(t.number)
        }
    }

    /// The desk asks where a repair is when someone is at the terminal; scripts and
    /// imports without it get the documented default (``RepairLocation/unrecordedDefault``).
    static func askLocation() throws -> RepairLocation? {
        guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return nil }
        FileHandle.standardError.write(Data("报修位置 户内 / 公共区域 (in-home / common-area): ".utf8))
        guard let line = readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return try RepairLocation.parse(line)
    }
}

struct TicketList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List requests, optionally only overdue or due today.",
        discussion: "A technician sees only the requests assigned to them; units are masked as the viewer's role requires.")
    @OptionGroup var data: DataOptions
    @OptionGroup var viewer: ViewerOptions
    @OptionGroup var output: ExportOptions
    @OptionGroup var clock: ClockOptions
    @Option var kind: RequestKind?
    @Option(help: "received, dispatched, arrived, completed, called_back, closed, cancelled.") var status: TicketStage?
    @Flag(help: "Only requests not closed or cancelled.") var open = false
    @Flag(help: "Only requests with a breached deadline.") var overdue = false
    @Flag(name: .customLong("due-today"), help: "Only requests with a deadline falling due today.") var dueToday = false
    @Flag(help: "Only requests escalated to head office.") var escalated = false
    @Option var customer: String?
    @Option var assignee: String?
    @Option(help: "Only this center (at head office).") var center: String?
    @Option(help: "Opened on or after, YYYY-MM-DD.") var since: String?
    @OptionGroup var page: PageOptions

    struct Item: Encodable {
        var ticket: Ticket
        var overdue: [String]
        var dueToday: [String]
        var deadlines: [DeadlineJSON]
    }

    func run() throws {
        try perform {
            var f = TicketFilter()
            f.kind = kind
            f.stage = status
            f.openOnly = open
            f.overdue = overdue
            f.dueToday = dueToday
            f.escalatedOnly = escalated
            f.customer = customer
            f.assignee = assignee
            f.center = center
            f.since = try since.map { try TimeFormat.parse($0) }
            f.limit = page.limit
            f.offset = page.offset
            // Masked and audited by the desk before anything is printed.
            let result = try viewer.desk(data, clock).ticketPage(f, export: output.csv)
            let items = result.items
            defer { page.note(shown: items.count, total: result.total) }
            if output.json {
                return try Output.json(items.map { Item(ticket: $0.ticket, overdue: $0.overdue.map(\.name.rawValue),
                                                         dueToday: $0.dueToday.map(\.name.rawValue), deadlines: $0.deadlines.map(DeadlineJSON.init)) })
            }
            let headers = ["编号", "类型", "状态", "受理时间", "房号", "处理人", "期限", "摘要"]
            let rows = items.map { i in
                let t = i.ticket
                let flags = i.overdue.map { "超期:" + $0.name.displayName } + i.dueToday.filter { d in !i.overdue.contains(d) }.map { "今日:" + $0.name.displayName }
                return [t.number, t.kind.displayName + (t.severity == .major ? "(重大)" : ""), t.stage.displayName + (t.escalated ? "↑" : ""),
                        Output.time(t.openedAt), t.unit ?? "", t.assignee ?? "", flags.joined(separator: " "), t.summary]
            }
            if output.csv { return CSVOutput.print(headers, rows) }
            Output.table(headers, rows)
        }
    }
}

struct DeadlineJSON: Encodable {
    var name: String
    var due: Date
    var metAt: Date?
    var basis: String
    init(_ d: Deadline) {
        name = d.name.rawValue
        due = d.due
        metAt = d.metAt
        basis = d.basis
    }
}

struct TicketShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a request with its customer, deadlines and timeline, masked as the viewer's role requires.")
    @OptionGroup var data: DataOptions
    @OptionGroup var viewer: ViewerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var clock: ClockOptions
    @Argument(help: "Request number or id.") var ref: String

    struct Full: Encodable {
        var ticket: Ticket
        var contact: TicketContact?
        var deadlines: [DeadlineJSON]
        var overdue: [String]
        var timeline: [TimelineEntry]
    }

    func run() throws {
        try perform {
            let desk = try viewer.desk(data, clock)
            let now = desk.now
            let view = try desk.ticketRecord(ref)
            let w = view.item, t = view.ticket, contact = view.contact, tl = view.timeline
            if output.json {
                return try Output.json(Full(ticket: t, contact: contact, deadlines: w.deadlines.map(DeadlineJSON.init), overdue: w.overdue.map(\.name.rawValue), timeline: tl))
            }
            var pairs: [(String, String?)] = [
                ("编号", t.number), ("ID", t.id), ("中心", t.center),
                ("类型", t.kind.displayName + (t.complaintClass.map { " " + $0.displayName } ?? "") + (t.severity.map { " " + $0.displayName } ?? "")),
                ("渠道", t.channel?.displayName), ("摘要", t.summary), ("顾客", t.customer.map { id in contact.map { "\($0.name) \($0.phone ?? "") (\(id))" } ?? id }), ("房号", t.unit),
                ("被投诉人", t.aboutStaff),
                ("状态", t.stage.displayName + (t.reopenCount > 0 ? "（第\(t.reopenCount)次重开）" : "") + (t.escalated ? "，已上报公司" : "")),
                ("处理人", t.assignee.map { $0 + (t.assigneeKind == "supplier" ? "（供方）" : "") }),
                ("受理", "\(Output.time(t.openedAt)) \(t.openedBy)"),
            ]
            // One block, so the service fields align with the others.
            if let s = t.service {
                pairs += [("价目", s.priceItem), ("价目外", s.offList ? "是，审核：\(s.offListReviewedBy ?? "未审核")" : nil),
                          ("费用", Output.yuan(s.fee)), ("材料", s.materialSource?.displayName),
                          ("供方", s.supplier), ("协议", s.supplierAgreement),
                          ("收款", s.paidAt.map { "\(Output.time($0)) 收据 \(s.receiptNo ?? "") \(s.collectedBy ?? "")" })]
            }
            Output.fields(pairs)
            if !w.deadlines.isEmpty {
                print("\n期限")
                Output.table(["规则", "到期", "完成", "状态"], w.deadlines.map { d in
                    [d.name.displayName, Output.time(d.due), Output.time(d.metAt),
                     d.metAt != nil ? (d.wasMetOnTime == true ? "按时" : "超时完成") : (d.isOverdue(at: now) ? "超期" : "进行中")]
                })
            }
            print("\n时间线")
            Output.table(["时间", "人员", "动作", "说明"], tl.map { [Output.time($0.at), $0.staff, $0.action, $0.detail ?? ""] })
        }
    }
}

/// The shared shape of the lifecycle commands.
protocol TicketStepCommand: ParsableCommand {
    static var event: TicketEvent { get }
    var data: DataOptions { get }
    var acting: ActingOptions { get }
    var ref: String { get }
    var note: String? { get }
    func details() throws -> StepDetails
}

extension TicketStepCommand {
    func details() throws -> StepDetails { StepDetails(note: note) }
    func run() throws {
        try perform {
            var d = try details()
            d.note = d.note ?? note
            let t = try acting.desk(data).advance(ref, Self.event, details: d)
            print("\(t.number) \(t.stage.displayName)\(Self.event == .escalate ? "，已上报公司" : "")")
        }
    }
}

struct TicketDispatch: TicketStepCommand {
    static let configuration = CommandConfiguration(commandName: "dispatch", abstract: "Send a staff member or supplier.")
    static let event = TicketEvent.dispatch
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Request number or id.") var ref: String
    @Option(help: "Staff id or supplier name.") var to: String
    @Flag(help: "The assignee is an outside supplier.") var supplier = false
    @Option(name: .customLong("agreed-arrival"), help: "Arrival time agreed with the customer, YYYY-MM-DD HH:MM.") var agreedArrival: String?
    @Option var note: String?
    func details() throws -> StepDetails {
        StepDetails(assignee: to, assigneeKind: supplier ? "supplier" : "staff", agreedArrival: try agreedArrival.map(TimeFormat.parse), note: note)
    }
}

struct TicketArrive: TicketStepCommand {
    static let configuration = CommandConfiguration(commandName: "arrive", abstract: "The provider arrived.")
    static let event = TicketEvent.arrive
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option var note: String?
}

struct TicketComplete: TicketStepCommand {
    static let configuration = CommandConfiguration(commandName: "complete", abstract: "The work is done (and signed).")
    static let event = TicketEvent.complete
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Flag(help: "The customer signed the work order.") var signed = false
    @Option var note: String?
    func details() throws -> StepDetails { StepDetails(customerSigned: signed, note: note) }
}

struct TicketClose: TicketStepCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a completed request.")
    static let event = TicketEvent.close
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option var note: String?
}

struct TicketReopen: TicketStepCommand {
    static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Reopen a completed or closed request (rework).")
    static let event = TicketEvent.reopen
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option(help: "Why it is reopened.") var note: String?
}

struct TicketCancel: TicketStepCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a request before completion.")
    static let event = TicketEvent.cancel
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option var note: String?
}

struct TicketEscalate: TicketStepCommand {
    static let configuration = CommandConfiguration(commandName: "escalate", abstract: "Escalate to head office.")
    static let event = TicketEvent.escalate
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option var note: String?
}

struct TicketAnswer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "answer", abstract: "Record the first answer to the customer, with a time plan.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option(help: "What the customer was told.") var note: String?
    func run() throws { try perform { try acting.desk(data).answer(ref, note: note) } }
}

struct TicketNote: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Add a note to the timeline.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Argument(help: "The note.") var text: String
    func run() throws { try perform { try acting.desk(data).note(ref, text) } }
}

struct TicketUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Edit a request; --assignee reassigns it.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option var summary: String?
    @Option var channel: Channel?
    @Option(name: .customLong("class")) var complaintClass: ComplaintClass?
    @Option var severity: Severity?
    @Option var unit: String?
    @Option(help: "Reassign to this staff id or supplier.") var assignee: String?
    @Flag(help: "The new assignee is a supplier.") var supplier = false
    @Option(help: "Repairs: in-home or common area (户内, 公共区域).") var location: RepairLocation?
    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let others: [Any?] = [summary, channel, complaintClass, severity, unit, assignee]
            if location == nil || others.contains(where: { $0 != nil }) {
                try desk.updateTicket(ref, summary: summary, channel: channel, complaintClass: complaintClass, severity: severity,
                                      unit: unit, assignee: assignee, assigneeKind: assignee == nil ? nil : (supplier ? "supplier" : "staff"),
                                      )
            }
            if let location { try desk.setRepairLocation(ref, location) }
        }
    }
}

extension ServiceExceptionKind: ExpressibleByArgument {}

struct TicketException: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exception",
        abstract: "Record a commissioned service's exception: work-differs (4.2.10), damage (4.3.5) or fee-adjusted (4.3.6).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Request number or id.") var ref: String
    @Option(help: "work-differs, damage or fee-adjusted (服务内容变更, 损失赔偿, 费用减免).") var kind: ServiceExceptionKind
    @Option(help: "What happened.") var detail: String
    @Option(help: "Yuan: the compensation (damage) or the reduction (fee-adjusted; the whole fee waives it).") var amount: String?
    func run() throws {
        try perform {
            let e = try acting.desk(data).recordServiceException(ticket: ref, kind: kind, detail: detail, amountFen: try amount.map(Money.fen))
            if output.json { return try Output.json(e) }
            print(e.id)
        }
    }
}

struct TicketExceptions: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exceptions", abstract: "List service exceptions (of one request when given).")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Request number or id.") var ref: String?
    func run() throws {
        try perform {
            let desk = try data.openDesk()
            let list = try desk.serviceExceptions(ticket: ref)
            if output.json { return try Output.json(list) }
            var numbers: [String: String] = [:]
            for id in Set(list.map(\.ticket)) { numbers[id] = desk.ticketNumber(id) ?? id }
            Output.table(["ID", "时间", "请求", "类型", "条款", "金额", "说明", "登记人", "经理确认"], list.map {
                [$0.id, Output.time($0.recordedAt), numbers[$0.ticket] ?? $0.ticket, $0.kind.displayName, $0.kind.clause,
                 Output.yuan($0.amountFen), $0.detail, $0.recordedBy,
                 $0.kind == .workDiffers ? ($0.confirmedBy ?? "待确认") : ""]
            })
        }
    }
}

struct TicketConfirmChange: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm-change", abstract: "The center manager confirms a change of the work with the customer (4.2.10).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The exception's id (ex-…).") var id: String
    func run() throws {
        try perform {
            let e = try acting.desk(data).confirmServiceException(id)
            print("confirmed \(e.id) (\(e.confirmedBy ?? ""))")
        }
    }
}
