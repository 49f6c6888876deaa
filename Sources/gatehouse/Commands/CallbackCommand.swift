import ArgumentParser
import Foundation
import ServiceDesk

extension CallbackMethod: ExpressibleByArgument {}
extension CallbackResult: ExpressibleByArgument {}
extension MaterialSource: ExpressibleByArgument {}

struct CallbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callback", abstract: "Callbacks (回访) and the monthly callback plan.",
        subcommands: [CallbackAdd.self, CallbackList.self, CallbackPlanCommand.self])
}

struct CallbackAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a callback on a request.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Request number or id.") var ticket: String
    @Option(help: "phone, on-site, sms, email, questionnaire.") var method: CallbackMethod = .phone
    @Option(help: "satisfied, basically-satisfied, unsatisfied, not-reached, refused (or 满意, 基本满意, …).") var result: CallbackResult
    @Option(help: "Score 0–100.") var score: Int?
    @Option var comment: String?
    @Flag(help: "On-site: the customer signed.") var signed = false
    func run() throws {
        try perform {
            print(try data.openDesk().recordCallback(ticket: ticket, method: method, result: result, score: score, comment: comment,
                                                     signed: signed, by: try acting.acting(.callbackAdd, data)))
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
    func run() throws {
        try perform {
            let desk = try data.openDesk()
            let list = try desk.callbacks(ticket: ticket, month: try month.map { try YearMonth($0) }, center: center)
            if output.json { return try Output.json(list) }
            // People read request numbers, not record ids.
            var numbers: [String: String] = [:]
            for id in Set(list.compactMap(\.ticket)) { numbers[id] = (try? desk.ticket(id))?.number ?? id }
            Output.table(["ID", "时间", "请求", "方式", "结果", "评分", "人员", "意见"], list.map {
                [$0.id, Output.time($0.at), $0.ticket.map { numbers[$0] ?? $0 } ?? "", $0.method.displayName, $0.result.displayName, $0.score.map(String.init) ?? "",
                 $0.staff, $0.comment ?? ""]
            })
        }
    }
}

struct CallbackPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "The month's callback plan: four classes in full, 30 % of other repairs, refused customers left out.")
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
        var callbacks: [PlannedCallback]
        var refused: [RefusedCallback]
        var overdue: [String]
        var planned: Int
        var done: Int
        var onSite: Int
        var callbackRate: Double?
        var onSiteRate: Double?
        var satisfactionRate: Double?
        var callbackRateTarget: Int
        var onSiteRateTarget: Int
    }

    func run() throws {
        try perform {
            let desk = try data.openDesk()
            let a = try acting.acting(.callbackPlan, data)
            let r = try desk.callbackPlan(month: try YearMonth(month), center: center, now: a.now, by: a)
            let s = r.stats
            if output.json {
                return try Output.json(JSONPlan(center: r.center, month: month, seed: String(r.plan.seed), samplePercent: r.plan.samplePercent,
                                                samplePoolSize: r.plan.samplePoolSize, callbacks: r.plan.callbacks, refused: r.plan.refused,
                                                overdue: r.overdue.map(\.jobID), planned: s.planned, done: s.done, onSite: s.onSite,
                                                callbackRate: s.callbackRate.value, onSiteRate: s.onSiteRate.value,
                                                satisfactionRate: s.satisfactionRate.value,
                                                callbackRateTarget: CallbackStats.callbackRateTargetPercent,
                                                onSiteRateTarget: CallbackStats.onSiteRateTargetPercent))
            }
            print("\(r.center) \(month) 回访计划（种子 \(r.plan.seed)）")
            print("四类服务 \(r.plan.fourClass.count) 项全部回访；委托服务 \(r.plan.commissioned.count) 项；维修抽样 \(r.plan.sampled.count)/\(r.plan.samplePoolSize)（\(r.plan.samplePercent)%）")
            let overdue = Set(r.overdue.map(\.jobID))
            Output.table(["请求", "顾客", "完成", "原因", "回访期限", ""], r.plan.callbacks.sorted { (r.numbers[$0.jobID] ?? $0.jobID) < (r.numbers[$1.jobID] ?? $1.jobID) }.map { p in
                [r.numbers[p.jobID] ?? p.jobID, p.customerID, p.completedOn.description, p.reasons.map(\.displayName).joined(separator: ","),
                 p.dueOn?.description ?? "", overdue.contains(p.jobID) ? "超期" : ""]
            }, empty: "(no callbacks planned)")
            if !r.plan.refused.isEmpty {
                print("\n拒访客户（不回访）")
                Output.table(["请求", "顾客", "原因"], r.plan.refused.map { [r.numbers[$0.jobID] ?? $0.jobID, $0.customerID, $0.reasons.map(\.displayName).joined(separator: ",")] })
            }
            func pct(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
            print("")
            print("回访率   \(pct(s.callbackRate.value)) (\(s.done)/\(s.planned))  目标 ≥ \(CallbackStats.callbackRateTargetPercent)%  \(s.meetsCallbackRateTarget.map { $0 ? "达标" : "未达标" } ?? "")")
            print("上门回访率 \(pct(s.onSiteRate.value)) (\(s.onSite)/\(s.done))  目标 ≥ \(CallbackStats.onSiteRateTargetPercent)%  \(s.meetsOnSiteRateTarget.map { $0 ? "达标" : "未达标" } ?? "")")
            print("满意率   \(pct(s.satisfactionRate.value))")
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
            try data.openDesk().setServiceDetails(ref, priceItem: priceItem, offList: offList, reviewedBy: reviewedBy,
                                                  feeFen: try fee.map(Money.fen), material: material, materialFailedInspection: materialFailed,
                                                  customerSignedMaterial: customerSigned, supplier: supplier, agreement: agreement,
                                                  by: try acting.acting(reviewedBy == nil ? .ticketService : .reviewOffList, data))
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
    func run() throws {
        try perform { try data.openDesk().recordPayment(ref, receipt: receipt, feeFen: try fee.map(Money.fen), by: try acting.acting(.ticketPay, data)) }
    }
}
