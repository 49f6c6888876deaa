import ArgumentParser
import Foundation
import ServiceDesk

struct GrantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Head-office data grants: the center manager applies, quality approves, leadership approves; revocable; they expire.",
        subcommands: [GrantApply.self, GrantApprove.self, GrantRevoke.self, GrantList.self, GrantShow.self])
}

struct GrantApply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply for a head-office person to see customer data in clear (center manager); prints the grant id.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option(name: .customLong("for"), help: ArgumentHelp("The head-office staff member who will use it.", valueName: "ID")) var grantee: String
    @Option(help: "Why the data is needed.") var purpose: String
    @Option(help: "Which fields: name, phone, id_number, address, household, or all.") var fields: String
    @Option(help: ArgumentHelp("Which customers, comma-separated ids (omit with --whole-center).", valueName: "IDS")) var customers: String?
    @Flag(name: .customLong("whole-center"), help: "Every customer of the center.") var wholeCenter = false
    @Option(help: ArgumentHelp("Valid from, China time (default: now).", valueName: "YYYY-MM-DD[ HH:MM]")) var from: String?
    @Option(help: ArgumentHelp("Valid until (exclusive; a bare day means up to the end of that day).", valueName: "YYYY-MM-DD[ HH:MM]")) var to: String
    @Option(help: "The center (at head office).") var center: String?
    @Flag(help: "Print the new record as JSON instead of its id.") var json = false
    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            guard wholeCenter != (customers != nil) else { throw CLIError("say whom the grant covers: --customers IDS or --whole-center") }
            let start = try from.map(TimeFormat.parse) ?? desk.now
            let end = try TimeFormat.parse(to).addingTimeInterval(to.contains(":") ? 0 : 86400)
            let list = customers.map { $0.split(separator: ",").map(String.init) }
            let g = try desk.applyForGrant(
                GrantApplication(center: center, customers: list, fields: try PersonalField.parseList(fields), purpose: purpose,
                                 grantee: grantee, validFrom: start, validTo: end))
            if json { return try Output.json(g) }
            print(g.id)
        }
    }
}

struct GrantApprove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a grant: the quality department first, then company leadership.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Grant id.") var id: String
    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let g = try desk.approveGrant(id)
            print("\(g.id) \(g.status(at: desk.now).displayName)")
        }
    }
}

struct GrantRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a grant at once.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Grant id.") var id: String
    @Option var reason: String?
    func run() throws {
        try perform {
            let g = try acting.desk(data).revokeGrant(id, reason: reason)
            print("\(g.id) \(GrantStatus.revoked.displayName)")
        }
    }
}

struct GrantItem: Encodable {
    var grant: DataGrant
    var status: GrantStatus
}

struct GrantList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List grants, newest first, with their status now.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var viewer: ViewerOptions
    @Option(help: "Only this center's.") var center: String?
    @Option(name: .customLong("for"), help: "Only grants for this head-office staff member.") var grantee: String?
    func run() throws {
        try perform {
            let desk = try viewer.desk(data, clock)
            let now = desk.now
            let list = try desk.grants(center: center, grantee: grantee)
            if output.json { return try Output.json(list.map { GrantItem(grant: $0, status: $0.status(at: now)) }) }
            Output.table(["ID", "中心", "使用人", "字段", "范围", "有效期", "状态", "用途"], list.map { g in
                [g.id, g.center, g.grantee, g.fields.map(\.rawValue).joined(separator: ","),
                 g.customers?.joined(separator: ",") ?? "全中心", "\(Output.time(g.validFrom)) – \(Output.time(g.validTo))",
                 g.status(at: now).displayName, g.purpose]
            })
        }
    }
}

struct GrantShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a grant and its approval chain.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var viewer: ViewerOptions
    @Argument(help: "Grant id.") var id: String
    func run() throws {
        try perform {
            let desk = try viewer.desk(data, clock)
            let now = desk.now
            let g = try desk.grant(id)
            if output.json { return try Output.json(GrantItem(grant: g, status: g.status(at: now))) }
            Output.fields([
                ("ID", g.id), ("中心", g.center), ("状态", g.status(at: now).displayName), ("使用人", g.grantee), ("用途", g.purpose),
                ("字段", g.fields.map(\.rawValue).joined(separator: ", ")), ("范围", g.customers?.joined(separator: ", ") ?? "全中心"),
                ("有效期", "\(Output.time(g.validFrom)) – \(Output.time(g.validTo))"),
                ("申请", "\(Output.time(g.appliedAt)) \(g.appliedBy)"),
                ("品质部审批", g.qualityBy.map { "\(Output.time(g.qualityAt)) \($0)" }),
                ("领导审批", g.leadershipBy.map { "\(Output.time(g.leadershipAt)) \($0)" }),
                ("撤销", g.revokedBy.map { "\(Output.time(g.revokedAt)) \($0) \(g.revokeReason ?? "")" }),
            ])
        }
    }
}
