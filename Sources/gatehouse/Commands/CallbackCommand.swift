import ArgumentParser
import Foundation
import ServiceDesk

extension CallbackMethod: ExpressibleByArgument {}
extension CallbackResult: ExpressibleByArgument {}
extension MaterialSource: ExpressibleByArgument {}

struct CallbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callback", abstract: "Callbacks (回访) and the monthly callback plan.",
        subcommands: [CallbackAdd.self, CallbackList.self, CallbackDueCommand.self, CallbackPlanCommand.self, CallbackTellProvider.self])
}

extension CallbackProgramme: ExpressibleByArgument {}

struct CallbackAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record a callback on a request, or to a customer for a programme (--customer … --programme …).",
        discussion: """
            Prints the callback's id; an unsatisfied answer also prints the butler's follow-up visit it created
            (follow-up fu-…). An annual-survey response gives every questionnaire item with --answer ITEM=RESULT;
            the overall item is its result.
            """)
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Request number or id (leave out for a customer programme).") var ticket: String?
    @Option(help: "The customer, for a callback without a request.") var customer: String?
    @Option(name: .customLong("programme"),
            help: "The programme(s) it is for, repeatable: new-resident, resident, departing, quarterly, quarterly-sample, annual-survey, special-care, …")
    var programmes: [CallbackProgramme] = []
    @Option(help: "phone, on-site, sms, email, questionnaire.") var method: CallbackMethod = .phone
    @Option(help: "satisfied, basically-satisfied, unsatisfied, not-reached, refused (or 满意, 基本满意, …).") var result: CallbackResult?
    @Option(help: "Score 0–100.") var score: Int?
    @Option var comment: String?
    @Flag(help: "On-site: the customer signed.") var signed = false
    @Option(help: "The script's steps taken, comma-separated (greeting, introduction, recap, satisfaction, anything-else, thanks, record); default: the usual ones for the result.")
    var steps: String?
    @Option(help: "What else the customer asked for (记录客户提及的要求).") var requests: String?
    @Option(name: .customLong("answer"), help: "Annual survey: ITEM=RESULT, repeatable (timeliness, courtesy, quality, facilities, cleanliness, security, overall).")
    var answers: [String] = []
    @Flag(name: .customLong("told-provider"), help: "The result was told to the service provider (4.2.14.2).") var toldProvider = false

    func run() throws {
        try perform {
            var parsedSteps: [CallbackStep]?
            if let steps {
                parsedSteps = try steps.split(separator: ",").map { try CallbackStep.parse(String($0)) }
            }
            var parsedAnswers: [SurveyItem: CallbackResult] = [:]
            for a in answers {
                let parts = a.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw CLIError("--answer \(a): use ITEM=RESULT, e.g. overall=满意") }
                let item = try SurveyItem.parse(parts[0])
                guard parsedAnswers[item] == nil else { throw CLIError("--answer \(item.rawValue) is given twice") }
                parsedAnswers[item] = try CallbackResult.parse(parts[1])
            }
            let o = try acting.desk(data).recordCallback(
                CallbackInput(ticket: ticket, customer: customer, method: method, result: result, score: score, comment: comment,
                              signed: signed, programmes: programmes, steps: parsedSteps, requests: requests, answers: parsedAnswers,
                              providerTold: toldProvider))
            if output.json { return try Output.json(o) }
            print(o.id)
            if let f = o.followUp { print("follow-up \(f)") }
        }
    }
}

struct CallbackTellProvider: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tell-provider", abstract: "Record that a callback's result was told to the service provider (4.2.14.2).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The callback's id (cb-…).") var id: String
    func run() throws {
        try perform { try acting.desk(data).tellProvider(callback: id) }
    }
}

struct CallbackDueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "What falls due from every callback programme on a day (and what is overdue), with the programme and the reason.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "YYYY-MM-DD (default: today).") var date: String?
    @Option(help: "Days from --date (default 1).") var days = 1
    @Flag(help: "Include callbacks already done.") var all = false
    @Option(help: "Center (at head office).") var center: String?

    struct Item: Encodable {
        var due: String
        var programme: String
        var programmeName: String
        var clause: String
        var reasons: [String]
        var ticket: String?
        var customer: String
        var name: String?
        var unit: String?
        var period: String?
        var onSite: Bool
        var caller: String
        var butler: String?
        var state: String
        var attempts: Int
    }

    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let calendar = try desk.workCalendar()
            let day = try date.map { try CivilDate($0) } ?? calendar.civilDate(of: desk.now)
            let due = try desk.callbacksDue(on: day, days: days, includeDone: all, center: center, now: desk.now)
            // Names and units as the viewer may see them (masked and audited by the desk).
            let shown = try desk.customerViews(Set(due.map(\.duty.customerID)))
            let items = due.map { d in
                Item(due: d.duty.dueOn.description, programme: d.duty.programme.rawValue, programmeName: d.duty.programme.displayName,
                     clause: d.duty.programme.clause, reasons: d.duty.reasons.map(\.rawValue), ticket: d.ticketNumber,
                     customer: d.duty.customerID, name: shown[d.duty.customerID]?.name, unit: shown[d.duty.customerID]?.unit,
                     period: d.duty.period, onSite: d.duty.onSite, caller: d.duty.programme.caller, butler: d.butler,
                     state: d.state.rawValue, attempts: d.duty.attempts)
            }
            if output.json { return try Output.json(items) }
            print("\(day)\(days > 1 ? " 起 \(days) 天" : "") 到期回访（含超期未回访）")
            Output.table(["期限", "方案", "原因", "请求", "顾客", "房号", "方式", "回访人", "状态"], zip(due, items).map { d, i in
                [i.due, i.programmeName + (i.period.map { " \($0)" } ?? ""),
                 d.duty.reasons.isEmpty ? d.duty.programme.clause : d.duty.reasons.map(\.displayName).joined(separator: ","),
                 i.ticket ?? "", i.name ?? i.customer, i.unit ?? "", i.onSite ? "上门" : "电话", i.butler.map { "管家 \($0)" } ?? i.caller,
                 d.state.displayName + (d.duty.attempts > 0 && d.duty.doneAt == nil ? "（已尝试 \(d.duty.attempts) 次）" : "")]
            }, empty: "(nothing due)")
            let byProgramme = Dictionary(grouping: due, by: \.duty.programme)
            if !byProgramme.isEmpty {
                print("按方案：" + byProgramme.keys.sorted().map { "\($0.displayName) \(byProgramme[$0]!.count)" }.joined(separator: "，"))
            }
        }
    }
}

struct CallbackList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List callbacks.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only this request.") var ticket: String?
    @Option(help: "Only this month, YYYY-MM.") var month: String?
    @Option(help: "Only this center (at head office).") var center: String?
    @OptionGroup var viewer: ViewerOptions
    func run() throws {
        try perform {
            let desk = try viewer.desk(data)
            let list = try desk.callbackList(ticket: ticket, month: try month.map { try YearMonth($0) }, center: center)
            if output.json { return try Output.json(list) }
            // People read request numbers, not record ids.
            var numbers: [String: String] = [:]
            for id in Set(list.compactMap(\.ticket)) { numbers[id] = desk.ticketNumber(id) ?? id }
            Output.table(["ID", "时间", "请求", "方案", "方式", "结果", "评分", "人员", "意见"], list.map {
                [$0.id, Output.time($0.at), $0.ticket.map { numbers[$0] ?? $0 } ?? "", $0.programmes.map(\.displayName).joined(separator: ","),
                 $0.method.displayName, $0.result.displayName, $0.score.map(String.init) ?? "", $0.staff, $0.comment ?? ""]
            })
        }
    }
}

struct CallbackPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "The month's callback plan: 30 % of in-home repairs with the four classes among them, and the commissioned services selected for the 60 % rate.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "YYYY-MM") var month: String
    @Option(help: "Center (at head office).") var center: String?

    struct JSONPlan: Encodable {
        var center: String
        var month: String
        var seed: String
        var samplePercent: Int
        var samplePoolSize: Int
        var sampleTarget: Int
        var fourClassInPool: Int
        var commissionedPoolSize: Int
        var commissionedTarget: Int
        var onSiteTarget: Int
        var callbacks: [PlannedCallback]
        var refused: [RefusedCallback]
        var duties: [CallbackDuty]
        var overdue: [String]
        /// The report's figures (`gatehouse report monthly`), key → value.
        var figures: [String: Double?]
        var rates: [String: Ratio]
    }

    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let r = try desk.callbackPlan(month: try YearMonth(month), center: center)
            let m = r.measures, p = r.plan
            let calendar = try desk.workCalendar()
            let overdue = r.duties.filter { $0.state(at: desk.now, in: calendar) == .overdue }.compactMap(\.jobID)
            let planDuty = m.programme(.monthlyPlan), selection = m.programme(.commissioned)
            if output.json {
                var figures: [String: Double?] = [:]
                for f in ReportFigures.of(m) { figures[f.key] = f.number }
                return try Output.json(JSONPlan(
                    center: r.center, month: month, seed: String(p.seed), samplePercent: p.samplePercent, samplePoolSize: p.samplePoolSize,
                    sampleTarget: p.sampleTarget, fourClassInPool: p.fourClassInPool, commissionedPoolSize: p.commissionedPoolSize,
                    commissionedTarget: p.commissionedTarget, onSiteTarget: p.onSiteTarget, callbacks: p.callbacks, refused: p.refused,
                    duties: r.duties, overdue: overdue, figures: figures,
                    rates: ["plan_completion": planDuty.completion, "selection_completion": selection.completion,
                            "callback_rate": m.callbackRate, "on_site_rate": m.onSiteRate,
                            "service_satisfaction": m.serviceSatisfaction]))
            }
            print("\(r.center) \(month) 回访计划（种子 \(p.seed)）")
            print("月度回访计划（001 回访操作指引 1）：户内维修完成 \(p.samplePoolSize) 项，\(p.samplePercent) %目标 \(p.sampleTarget) 项；"
                + "四类服务 \(p.fourClass.count) 项全部回访（\(p.fourClassInPool) 项计入 \(p.samplePercent) %）；抽样 \(p.sampled.count) 项；均于完成次日回访")
            print("委托服务回访（001 P7.9-8 4.2.14.4）：委托服务完成 \(p.commissionedPoolSize) 项，\(p.commissionedPercent) %目标 \(p.commissionedTarget) 项；"
                + "补选 \(p.commissioned.count) 项于两天内回访；其中 \(p.onSiteTarget) 项上门")
            let states = Dictionary(r.duties.compactMap { d in d.jobID.map { ($0, d.state(at: desk.now, in: calendar)) } }) { a, _ in a }
            Output.table(["请求", "顾客", "完成", "方案", "原因", "回访期限", "方式", "状态"],
                         p.callbacks.sorted { (r.numbers[$0.jobID] ?? $0.jobID) < (r.numbers[$1.jobID] ?? $1.jobID) }.map { c in
                [r.numbers[c.jobID] ?? c.jobID, c.customerID, c.completedOn.description, c.programme.displayName,
                 c.reasons.map(\.displayName).joined(separator: ","), c.dueOn.description, c.onSite ? "上门" : "电话",
                 states[c.jobID]?.displayName ?? ""]
            }, empty: "(no callbacks planned)")
            if !p.refused.isEmpty {
                print("\n拒访客户（不回访）")
                Output.table(["请求", "顾客", "原因"], p.refused.map { [r.numbers[$0.jobID] ?? $0.jobID, $0.customerID, $0.reasons.map(\.displayName).joined(separator: ",")] })
            }
            func met(_ r: Ratio, _ target: Int) -> String { r.meets(percent: target).map { $0 ? "达标" : "未达标" } ?? "" }
            print("")
            print("月度计划完成率 \(planDuty.completion)  目标 100 %  \(met(planDuty.completion, 100))（逾期回访 \(planDuty.late)，超期未回访 \(planDuty.overdue)，未到期 \(planDuty.pending)）")
            print("补选完成率     \(selection.completion)  目标 100 %  \(met(selection.completion, 100))")
            print("回访率（两天内） \(m.callbackRate)  目标 ≥ \(CallbackStats.callbackRateTargetPercent) %  \(met(m.callbackRate, CallbackStats.callbackRateTargetPercent))")
            print("上门回访率     \(m.onSiteRate)  目标 ≥ \(CallbackStats.onSiteRateTargetPercent) %  \(met(m.onSiteRate, CallbackStats.onSiteRateTargetPercent))")
            print("逾期回访（两天后） \(m.callbacksLate)")
            print("委托服务满意率 \(m.serviceSatisfaction)")
        }
    }
}

struct TicketService: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "service", abstract: "Record a paid service's item, fee, materials and supplier.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option(name: .customLong("price-item"), help: "Price-list item code.") var priceItem: String?
    @Flag(name: .customLong("off-list"), help: "Not on the price list: needs the center manager's review.") var offList = false
    @Option(name: .customLong("reviewed-by"), help: "The center manager who reviewed the off-list item.") var reviewedBy: String?
    @Option(help: "Fee in yuan, e.g. 80 or 35.50.") var fee: String?
    @Option(help: "company or customer material.") var material: MaterialSource?
    @Flag(name: .customLong("material-failed"), help: "Customer material failed inspection.") var materialFailed = false
    @Flag(name: .customLong("customer-signed-material"), help: "The customer signed to use it anyway.") var customerSigned = false
    @Option var supplier: String?
    @Option(help: "Supplier agreement number.") var agreement: String?
    func run() throws {
        try perform {
            try acting.desk(data).setServiceDetails(ref, priceItem: priceItem, offList: offList, reviewedBy: reviewedBy,
                                                  feeFen: try fee.map(Money.fen), material: material, materialFailedInspection: materialFailed,
                                                  customerSignedMaterial: customerSigned, supplier: supplier, agreement: agreement)
        }
    }
}

struct TicketPay: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay", abstract: "Record payment of a paid service.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var ref: String
    @Option(help: "Receipt number.") var receipt: String
    @Option(help: "Fee in yuan (default: the recorded fee).") var fee: String?
    @Flag(name: .customLong("by-provider"),
          help: "The service provider collected it at the door because the customer had no time (001 P7.9-8 4.2.11); only the provider sent.")
    var byProvider = false
    func run() throws {
        try perform {
            try acting.desk(data).recordPayment(ref, receipt: receipt, feeFen: try fee.map(Money.fen), byProvider: byProvider)
        }
    }
}
