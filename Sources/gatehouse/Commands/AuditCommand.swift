import ArgumentParser
import Foundation
import ServiceDesk

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit trail: who saw which customer data in clear, under which role or grant; logins, refusals, grant steps.",
        discussion: "Without a subcommand, lists entries, newest first (--oldest-first to read forwards). `audit verify` checks every node's hash chain.",
        subcommands: [AuditList.self, AuditVerify.self], defaultSubcommand: AuditList.self)
}

struct AuditList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List audit entries, newest first, a page at a time.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only what this staff member did.") var staff: String?
    @Option(help: "Only entries about this customer.") var customer: String?
    @Option(help: "Only entries written at this center (HQ: head office).") var center: String?
    @Option(help: ArgumentHelp("From this day or time, China time.", valueName: "YYYY-MM-DD[ HH:MM]")) var from: String?
    @Option(help: ArgumentHelp("Up to and including this day (or before this time), China time.", valueName: "YYYY-MM-DD[ HH:MM]")) var to: String?
    @Option(help: "Only this action (view, export, login, login-failed, lockout, denied, grant-…).") var action: String?
    @OptionGroup var page: PageOptions
    @Flag(name: .customLong("oldest-first"), help: "Oldest entries first.") var oldestFirst = false
    @OptionGroup var acting: ActingOptions
    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let start = try from.map(TimeFormat.parse)
            // A bare day means up to the end of that day.
            let end = try to.map { s in try TimeFormat.parse(s).addingTimeInterval(s.contains(":") ? 0 : 86400) }
            var q = AuditQuery(staff: staff, customer: customer, center: center, from: start, to: end, action: action, limit: page.limit)
            q.offset = page.offset
            q.newestFirst = !oldestFirst
            let list = try desk.auditEntries(q)
            defer { if let total = try? desk.auditCount(q) { page.note(shown: list.count, total: total) } }
            if output.json { return try Output.json(list) }
            Output.table(["时间", "中心", "人员", "角色", "操作", "记录", "明文字段", "授权", "用途", "说明"], list.map { e in
                [Output.time(e.at), e.center, e.staff ?? "", e.role.flatMap { StaffRole(rawValue: $0)?.displayName } ?? e.role ?? "",
                 e.action, e.record ?? "", e.fields.joined(separator: ","), e.grant ?? "", e.purpose ?? "", e.detail ?? ""]
            })
        }
    }
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check the audit trail's hash chains; exit 1 naming every edited or removed entry.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    func run() throws {
        var broken = false
        try perform {
            let v = try data.openDesk().verifyAudit()
            broken = !v.intact
            if output.json { return try Output.json(v) }
            if v.intact {
                print("audit trail intact: \(v.entries) entries from \(v.nodes) node(s)")
            } else {
                for p in v.problems { FileHandle.standardError.write(Data("error: audit entry \(p)\n".utf8)) }
            }
        }
        if broken { throw ExitCode(1) }
    }
}
