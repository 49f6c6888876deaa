import ArgumentParser
import Foundation
import ServiceDesk

/// `gatehouse followup`: the butler's follow-up visits to owners who answered a callback
/// 不满意 (003 (1) 三 整改), tracked to closure.
struct FollowUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followup", abstract: "Follow-up visits by the butler to unsatisfied owners, tracked to closure.",
        subcommands: [FollowUpList.self, FollowUpVisit.self, FollowUpClose.self])
}

struct FollowUpList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Open follow-ups (--all: closed ones too).")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var clock: ClockOptions
    @Flag(help: "Closed ones too.") var all = false
    @Option(help: "Only this butler's.") var butler: String?
    @Option(help: "Only this center (at head office).") var center: String?
    func run() throws {
        try perform {
            let desk = try data.openDesk()
            let now = try desk.permitted(try clock.clock()).now
            let calendar = try desk.workCalendar()
            let list = try desk.followUps(openOnly: !all, butler: butler, center: center)
            if output.json { return try Output.json(list) }
            Output.table(["ID", "期限", "状态", "请求", "管家", "上门", "结果"], list.map { f in
                [f.id, f.dueOn.description, f.state.displayName + (f.isOverdue(at: now, in: calendar) ? "（超期）" : ""),
                 f.ticketNumber ?? "", f.butler ?? "", f.visitNote ?? "", f.outcome ?? ""]
            }, empty: "(no follow-ups)")
        }
    }
}

struct FollowUpVisit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "visit", abstract: "Record the butler's visit (管家上门了解情况).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The follow-up's id (fu-…).") var id: String
    @Option(help: "What the owner said.") var note: String
    func run() throws {
        try perform { _ = try acting.desk(data).visitFollowUp(id, note: note) }
    }
}

struct FollowUpClose: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a visited follow-up with its outcome.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The follow-up's id (fu-…).") var id: String
    @Option(help: "How it was resolved.") var outcome: String
    func run() throws {
        try perform { _ = try acting.desk(data).closeFollowUp(id, outcome: outcome) }
    }
}

/// `gatehouse survey`: the center's annual satisfaction questionnaire (003 (1) 二 4).
struct SurveyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey", abstract: "The annual satisfaction questionnaire; responses are `callback add --programme annual-survey --answer …`.",
        subcommands: [SurveyCreate.self, SurveyShow.self])
}

struct SurveyCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Make the center's questionnaire for a year.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option var year: Int
    @Option(help: "Items, comma-separated (default all): timeliness, courtesy, quality, facilities, cleanliness, security; overall always.")
    var items: String?
    @Option(help: "Center (at head office).") var center: String?
    @Flag(help: "Print the new record as JSON instead of its id.") var json = false
    func run() throws {
        try perform {
            let parsed = try items.map { try $0.split(separator: ",").map { try SurveyItem.parse(String($0)) } } ?? []
            let s = try acting.desk(data).createSurvey(year: year, items: parsed, center: center)
            if json { return try Output.json(s) }
            print("\(s.id): " + s.items.map(\.displayName).joined(separator: "、"))
        }
    }
}

struct SurveyShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a year's questionnaire.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Option var year: Int
    @Option(help: "Center (at head office).") var center: String?
    func run() throws {
        try perform {
            guard let s = try data.openDesk().survey(year: year, center: center) else {
                throw CLIError("no questionnaire for \(year): gatehouse survey create --year \(year)")
            }
            if output.json { return try Output.json(s) }
            Output.table(["项目", "名称"], s.items.map { [$0.rawValue, $0.displayName] })
        }
    }
}

/// `gatehouse corrective`: the quarterly analysis's corrective actions (001 P7.9-8 4.4.2).
struct CorrectiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corrective",
        abstract: "Corrective actions of the quarterly analysis: the center manager records, quality approves at head office (4.4.2).",
        subcommands: [CorrectiveAdd.self, CorrectiveApprove.self, CorrectiveReject.self, CorrectiveDone.self, CorrectiveList.self])
}

struct CorrectiveAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a finding and its corrective action (center manager).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option(help: "YYYY-Qn") var quarter: String
    @Option(help: "What the analysis found.") var finding: String
    @Option(help: "The corrective action.") var action: String
    @Flag(help: "Print the new record as JSON instead of its id.") var json = false
    func run() throws {
        try perform {
            let a = try acting.desk(data).recordCorrectiveAction(quarter: quarter, finding: finding, action: action)
            if json { return try Output.json(a) }
            print(a.id)
        }
    }
}

struct CorrectiveApprove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a corrective action (quality, at head office).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var id: String
    @Option var note: String?
    func run() throws {
        try perform { _ = try acting.desk(data).decideCorrectiveAction(id, approve: true, note: note) }
    }
}

struct CorrectiveReject: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Return a corrective action with the reason (quality, at head office).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var id: String
    @Option var note: String
    func run() throws {
        try perform { _ = try acting.desk(data).decideCorrectiveAction(id, approve: false, note: note) }
    }
}

struct CorrectiveDone: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "done", abstract: "Mark an approved corrective action carried out (center manager).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var id: String
    @Option var note: String?
    func run() throws {
        try perform { _ = try acting.desk(data).completeCorrectiveAction(id, note: note) }
    }
}

struct CorrectiveList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Corrective actions with their state.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "YYYY-Qn") var quarter: String?
    @Option(help: "Only this center (at head office).") var center: String?
    func run() throws {
        try perform {
            let list = try data.openDesk().correctiveActions(quarter: quarter, center: center)
            if output.json { return try Output.json(list) }
            Output.table(["ID", "中心", "季度", "发现", "措施", "状态", "审批人", "审批意见"], list.map {
                [$0.id, $0.center, $0.quarter, $0.finding, $0.action, $0.state.displayName, $0.decidedBy ?? "", $0.decisionNote ?? ""]
            }, empty: "(no corrective actions)")
        }
    }
}
