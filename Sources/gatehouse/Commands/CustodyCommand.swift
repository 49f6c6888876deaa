import ArgumentParser
import Foundation
import ServiceDesk

struct CustodyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody", abstract: "Customers' items kept at the center (顾客财产); never cash or valuables.",
        subcommands: [CustodyReceive.self, CustodyReturn.self, CustodyList.self, CustodyIncident.self, CustodyReported.self])
}

struct CustodyReceive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "Take an item into custody; prints its id.",
        discussion: "Cash and valuables (现金、贵重物品) are refused (001 P7.12-1 4.2.4). The item's condition is checked with the customer face to face: --verified.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option(help: "Customer id.") var customer: String
    @Option(help: "What the item is, e.g. 钥匙一串.") var description: String
    @Option(help: "Its condition at hand-over, e.g. 完好.") var condition: String
    @Flag(help: "The condition was verified with the customer (required).") var verified = false
    @Flag(help: "Print the new record as JSON instead of its id.") var json = false
    func run() throws {
        try perform {
            let item = try acting.desk(data).receiveCustody(customer: customer, description: description, condition: condition, verified: verified)
            if json { return try Output.json(item) }
            print(item.id)
        }
    }
}

struct CustodyReturn: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "return", abstract: "Return an item to its owner.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Custody item id.") var id: String
    @Option(help: "Its condition at return.") var condition: String
    @Flag(help: "The condition was verified with the customer (required).") var verified = false
    func run() throws {
        try perform {
            let c = try acting.desk(data).returnCustody(id, condition: condition, verified: verified)
            print("\(c.id) returned \(Output.time(c.returnedAt))")
        }
    }
}

struct CustodyList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List items in custody, newest first.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Only items still held.") var held = false
    @Option(help: "Only this customer's.") var customer: String?
    @OptionGroup var viewer: ViewerOptions
    func run() throws {
        try perform {
            let list = try viewer.desk(data).custodyList(heldOnly: held, customer: customer)
            if output.json { return try Output.json(list) }
            Output.table(["ID", "顾客", "物品", "接收", "状况", "经手", "归还", "归还状况"], list.map { c in
                [c.id, c.customer ?? "", c.description, Output.time(c.receivedAt), (c.conditionIn ?? "") + (c.verifiedIn ? " ✓" : ""),
                 c.receivedBy ?? "", c.returnedAt.map(Output.time) ?? "在保管", (c.conditionOut ?? "") + (c.verifiedOut ? " ✓" : "")]
            })
        }
    }
}

extension CustodyIncidentKind: ExpressibleByArgument {}

struct CustodyIncident: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident", abstract: "Record an item found lost, damaged or unfit in the center's keeping (001 P7.12-1 4.2.9).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The custody item's id.") var id: String
    @Option(help: "lost, damaged or unfit (丢失, 损坏, 不适用).") var kind: CustodyIncidentKind
    @Option(help: "What was found.") var detail: String
    @Flag(help: "The customer has been told (向顾客报告).") var reported = false
    func run() throws {
        try perform { _ = try acting.desk(data).recordCustodyIncident(id, kind: kind, detail: detail, reported: reported) }
    }
}

struct CustodyReported: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reported", abstract: "Record that the customer was told of an incident.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The custody item's id.") var id: String
    func run() throws {
        try perform { _ = try acting.desk(data).reportCustodyIncident(id) }
    }
}
