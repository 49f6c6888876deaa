import ArgumentParser
import Foundation
import ServiceDesk

struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "The staff directory (head office's, replicated to every center).",
        subcommands: [StaffAdd.self, StaffList.self, StaffUpdate.self, StaffPassword.self, StaffUnlock.self])
}

struct StaffAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a staff member or supplier.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option(help: "Staff id, e.g. S001.") var id: String
    @Option var name: String
    @Option(help: "Role, e.g. front-desk, technician, cashier, manager.") var role: String?
    @Option var phone: String?
    @Option(name: .customLong("hire-date"), help: "YYYY-MM-DD; staff hired in the last 3 months count as new.") var hireDate: String?
    @Flag(help: "An outside supplier (供方).") var supplier = false
    @Option(help: "Center (at head office; default HQ).") var center: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the new member's password from standard input, so they can log in.")
    var passwordStdin = false
    @Flag(help: "Print the new record as JSON instead of its id.") var json = false
    func run() throws {
        try perform {
            let password = try passwordStdin ? PasswordInput.read(fromStdin: true, prompt: "", option: "--password-stdin") : nil
            let desk = try acting.desk(data)
            try desk.addStaff(id: id, name: name, role: role, phone: phone, hireDate: hireDate, supplier: supplier,
                              center: center, password: password)
            if json, let s = try desk.staffDirectory(includeInactive: true).first(where: { $0.id == id }) { return try Output.json(s) }
            print(id)
        }
    }
}

struct StaffList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List staff.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Include staff no longer active.") var all = false
    @OptionGroup var acting: ActingOptions
    func run() throws {
        try perform {
            // Signed in: colleagues' phones are masked unless you manage staff.
            let list = try acting.desk(data).staffDirectory(includeInactive: all)
            if output.json { return try Output.json(list) }
            Output.table(["ID", "姓名", "中心", "岗位", "入职", "状态"], list.map {
                [$0.id, $0.name, $0.center ?? "", $0.role ?? "", $0.hireDate ?? "", ($0.supplier ? "供方 " : "") + ($0.active ? "在职" : "离职")]
            })
        }
    }
}

struct StaffUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a staff member's details.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument var id: String
    @Option var name: String?
    @Option var role: String?
    @Option var phone: String?
    @Option(name: .customLong("hire-date")) var hireDate: String?
    @Option(help: "yes or no") var active: YesNo?
    func run() throws {
        try perform {
            try acting.desk(data).updateStaff(id: id, name: name, role: role, phone: phone, hireDate: hireDate, active: active?.bool)
        }
    }
}

struct StaffPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password", abstract: "Set a staff member's password (an administrator for anyone; anyone for themselves).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Staff id; default: yourself.") var id: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the new password from standard input (else a prompt).")
    var passwordStdin = false
    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let target = id ?? desk.principal!.staff
            // Changing one's own password needs no permission; anyone else's is staff management.
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "New password for \(target): ", option: "--password-stdin")
            try desk.setPassword(staff: target, password: password)
            print("password set for \(target)")
        }
    }
}

struct StaffUnlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Lift a login lock and forget the name's failed logins (the administrator).",
        discussion: """
            Five failed logins within 15 minutes lock a user name for 15 minutes, unknown names \
            too (a lock reveals nothing). Locks and failures are kept in this data directory only, \
            never replicated: a lock protects the machine it was earned on, and is lifted there. \
            Needs a signed-in administrator (staff management); the unlock goes to the audit \
            trail, noting when the name was not locked.
            """)
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The user name (staff id) to unlock.") var user: String
    func run() throws {
        try perform {
            try acting.desk(data).unlockLogin(user: user)
            print("unlocked \(user)")
        }
    }
}

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "The work calendar: holidays and swapped working days (调休).",
        subcommands: [CalendarSet.self, CalendarClear.self, CalendarList.self])
}

struct CalendarSet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Mark a date as a holiday or a working day.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "YYYY-MM-DD") var date: String
    @Flag(exclusivity: .exclusive, help: "holiday (休) or workday (班, a swapped working day).") var kind: DayKind
    @Option(help: "e.g. 国庆节") var name: String?
    enum DayKind: String, EnumerableFlag { case holiday, workday }
    func run() throws {
        try perform { try acting.desk(data).setCalendarDay(date, kind: kind.rawValue, name: name) }
    }
}

struct CalendarClear: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear", abstract: "Remove a date's override.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "YYYY-MM-DD") var date: String
    func run() throws { try perform { try acting.desk(data).setCalendarDay(date, kind: nil, name: nil) } }
}

struct CalendarList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List overrides.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Option var year: Int?
    func run() throws {
        try perform {
            let list = try data.openDesk().calendarOverrides(year: year)
            if output.json { return try Output.json(list) }
            Output.table(["日期", "类型", "名称"], list.map { [$0.date, $0.kind == "holiday" ? "休" : "班", $0.name ?? ""] })
        }
    }
}
