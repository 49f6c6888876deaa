import ArgumentParser
import Foundation
import ServiceDesk

struct CustomerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer", abstract: "Customers, their households and units.",
        subcommands: [CustomerAdd.self, CustomerList.self, CustomerShow.self, CustomerUpdate.self, CustomerRefuse.self,
                      CustomerTag.self, CustomerMember.self])
}

struct CustomerAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a customer; prints the new id.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option(help: "Full name, e.g. 张三.") var name: String
    @Option(help: "Phone number.") var phone: String?
    @Option(help: "Unit, e.g. 3栋2单元1101.") var unit: String?
    @Option(name: .customLong("id-number"), help: "ID card number.") var idNumber: String?
    @Option(name: .customLong("move-in"), help: "Move-in date, YYYY-MM-DD.") var moveIn: String?
    @Flag(name: .customLong("special-care"), help: "Needs special care (elderly, disabled).") var specialCare = false
    @Option(help: "Service needs.") var needs: String?
    @Option(help: "Note.") var note: String?
    @Option(help: "Center (at head office).") var center: String?
    @Flag(help: "Print the new record as JSON instead of its id.") var json = false

    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let id = try desk.addCustomer(CustomerInput(name: name, phone: phone, idNumber: idNumber, unit: unit, moveIn: moveIn,
                                                        specialCare: specialCare, needs: needs, note: note, center: center))
            // What the writer just typed; nothing another person entered is disclosed.
            if json { return try Output.json(try desk.customerRecord(id).customer) }
            print(id)
        }
    }
}

struct CustomerList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List customers, masked as the viewer's role requires.",
        discussion: "Personal data is shown in clear only to roles that need it; every clear view or export is audited.")
    @OptionGroup var data: DataOptions
    @OptionGroup var viewer: ViewerOptions
    @OptionGroup var output: ExportOptions
    @OptionGroup var clock: ClockOptions
    @Option(help: "Name, unit or id contains.") var search: String?
    @Option(help: "Phone number contains these digits.") var phone: String?
    @Option(help: "Unit contains.") var unit: String?
    @Flag(help: "Only customers on the refused-callback list.") var refused = false
    @Flag(name: .customLong("special-care"), help: "Only special-care customers.") var specialCare = false
    @Option(help: "Only this center (at head office).") var center: String?
    @OptionGroup var page: PageOptions

    func run() throws {
        try perform {
            var f = CustomerFilter()
            f.text = search
            f.phone = phone
            f.unit = unit
            f.refusedOnly = refused
            f.specialCareOnly = specialCare
            f.center = center
            f.limit = page.limit
            f.offset = page.offset
            // Masked and audited by the desk before anything is printed.
            let result = try viewer.desk(data, clock).customerPage(f, export: output.csv)
            let list = result.items
            defer { page.note(shown: list.count, total: result.total) }
            if output.json { return try Output.json(list) }
            let headers = ["ID", "姓名", "电话", "房号", "标记"]
            let rows = list.map { c in
                [c.id, c.name, c.phone ?? "", c.unit ?? "",
                 [c.specialCare ? "特殊关怀" : nil, c.refusedCallback ? "拒访" : nil, c.moveOut != nil ? "已迁出" : nil]
                    .compactMap { $0 }.joined(separator: ",")]
            }
            if output.csv { return CSVOutput.print(headers, rows) }
            Output.table(headers, rows)
        }
    }
}

struct CustomerShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a customer with household and requests, masked as the viewer's role requires.")
    @OptionGroup var data: DataOptions
    @OptionGroup var viewer: ViewerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var clock: ClockOptions
    @Argument(help: "Customer id.") var id: String

    struct Full: Encodable {
        var customer: Customer
        var household: [HouseholdMember]
        var requests: [String]
    }

    func run() throws {
        try perform {
            let desk = try viewer.desk(data, clock)
            let (c, members) = try desk.customerRecord(id)
            // Only the numbers of the customer's requests: no unit, no audit.
            let tickets = try desk.requestSummaries(customer: id)
            if output.json { return try Output.json(Full(customer: c, household: members, requests: tickets.map(\.number))) }
            Output.fields([
                ("ID", c.id), ("中心", c.center), ("姓名", c.name), ("电话", c.phone), ("身份证", c.idNumber), ("房号", c.unit),
                ("入住", c.moveIn), ("迁出", c.moveOut), ("特殊关怀", c.specialCare ? "是" : nil),
                ("拒访", c.refusedCallback ? "是" + (c.refusedReason.map { "（\($0)）" } ?? "") : nil),
                ("服务需求", c.needs), ("备注", c.note), ("标签", c.tags.joined(separator: ", ")),
                ("登记", "\(Output.time(c.createdAt)) \(c.createdBy ?? "")"),
            ])
            if !members.isEmpty {
                print("\n家庭成员")
                Output.table(["ID", "姓名", "关系", "电话"], members.map { [$0.id, $0.name, $0.relation ?? "", $0.phone ?? ""] })
            }
            if !tickets.isEmpty {
                print("\n报事记录")
                Output.table(["编号", "类型", "状态", "受理时间", "摘要"], tickets.map {
                    [$0.number, $0.kind.displayName, $0.stage.displayName, Output.time($0.openedAt), $0.summary]
                })
            }
        }
    }
}

struct CustomerUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a customer's details (move-in/move-out too).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Customer id.") var id: String
    @Option var name: String?
    @Option var phone: String?
    @Option var unit: String?
    @Option(name: .customLong("id-number")) var idNumber: String?
    @Option(name: .customLong("move-in"), help: "YYYY-MM-DD") var moveIn: String?
    @Option(name: .customLong("move-out"), help: "YYYY-MM-DD") var moveOut: String?
    @Option(name: .customLong("special-care"), help: "yes or no") var specialCare: YesNo?
    @Option var needs: String?
    @Option var note: String?
    @Option(help: "The butler (管家, a staff id) who looks after the household; `none` to clear.") var butler: String?

    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let others: [Any?] = [name, phone, unit, idNumber, moveIn, moveOut, specialCare, needs, note]
            if butler == nil || others.contains(where: { $0 != nil }) {
                try desk.updateCustomer(id, name: name, phone: phone, idNumber: idNumber, unit: unit, moveIn: moveIn,
                                        moveOut: moveOut, specialCare: specialCare?.bool, needs: needs, note: note)
            }
            if let butler { try desk.setButler(customer: id, butler: butler == "none" ? nil : butler) }
            print("updated \(id)")
        }
    }
}

struct CustomerRefuse: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refuse-callbacks", abstract: "Put a customer on (or --off) the refused-callback list.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Customer id.") var id: String
    @Option(help: "Why the customer declines callbacks.") var reason: String?
    @Flag(help: "Take the customer off the list.") var off = false

    func run() throws {
        try perform {
            try acting.desk(data).setRefusedCallback(id, refused: !off, reason: reason)
            print(off ? "\(id) is off the refused-callback list" : "\(id) is on the refused-callback list")
        }
    }
}

struct CustomerTag: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Add (or --remove) a tag.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Customer id.") var id: String
    @Argument(help: "Tag, e.g. 独居老人.") var tag: String
    @Flag var remove = false
    func run() throws {
        try perform { try acting.desk(data).tagCustomer(id, tag: tag, remove: remove) }
    }
}

struct CustomerMember: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add a household member.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Customer id.") var id: String
    @Option var name: String
    @Option(help: "Relation, e.g. 配偶, 子女.") var relation: String?
    @Option var phone: String?
    func run() throws {
        try perform {
            print(try acting.desk(data).addHouseholdMember(customer: id, name: name, relation: relation, phone: phone))
        }
    }
}

enum YesNo: String, ExpressibleByArgument {
    case yes, no
    var bool: Bool { self == .yes }
}
