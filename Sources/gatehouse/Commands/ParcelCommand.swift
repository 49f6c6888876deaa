import ArgumentParser
import Foundation
import ServiceDesk

extension ParcelType: ExpressibleByArgument {}

struct ParcelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parcel", abstract: "The mail and parcel log (邮件接收记录表): received, notified, picked up and signed.",
        subcommands: [ParcelReceive.self, ParcelNotify.self, ParcelPickup.self, ParcelList.self])
}

struct ParcelReceive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "Log mail received at the desk; prints its id.",
        discussion: "Give the addressee as a registered customer (--customer ID) or as --recipient NAME --unit UNIT.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option(help: "letter, registered_mail, parcel, express, printed_matter, other (or 平信, 挂号信, 包裹, 快递, 报刊, 其他).") var type: ParcelType
    @Option(help: "Customer id of the addressee.") var customer: String?
    @Option(help: "Addressee's name, when not a registered customer.") var recipient: String?
    @Option(help: "Addressee's unit, e.g. 3栋2单元1101.") var unit: String?
    @Option(help: "Carrier, e.g. 顺丰.") var carrier: String?
    @Option(help: "Tracking number.") var tracking: String?
    @Option var note: String?
    @Flag(help: "Print the new record as JSON instead of its id.") var json = false
    func run() throws {
        try perform {
            let p = try acting.desk(data).receiveParcel(
                ParcelInput(type: type, customer: customer, recipient: recipient, unit: unit, carrier: carrier, trackingNo: tracking, note: note))
            if json { return try Output.json(p) }
            print(p.id)
        }
    }
}

struct ParcelNotify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notify", abstract: "Record that the addressee was told their mail is waiting.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Parcel id.") var id: String
    func run() throws {
        try perform {
            let p = try acting.desk(data).notifyParcel(id)
            print("\(p.id) notified \(Output.time(p.notifiedAt))")
        }
    }
}

struct ParcelPickup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pickup", abstract: "Hand mail over against the collector's signature.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Parcel id.") var id: String
    @Option(help: "Who collected it.") var by: String
    @Flag(help: "The collector signed the log (required).") var signed = false
    func run() throws {
        try perform {
            let p = try acting.desk(data).pickUpParcel(id, by: by, signed: signed)
            print("\(p.id) picked up by \(p.pickedUpBy ?? "") \(Output.time(p.pickedUpAt))")
        }
    }
}

struct ParcelList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the mail log, newest first; recipients masked as the viewer's role requires.")
    @OptionGroup var data: DataOptions
    @OptionGroup var viewer: ViewerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var clock: ClockOptions
    @Flag(help: "Only mail not picked up yet.") var waiting = false
    @Option(help: "Only this customer's.") var customer: String?
    @OptionGroup var page: PageOptions
    func run() throws {
        try perform {
            let result = try viewer.desk(data, clock).parcelPage(waitingOnly: waiting, customer: customer, limit: page.limit, offset: page.offset)
            let list = result.items
            defer { page.note(shown: list.count, total: result.total) }
            if output.json { return try Output.json(list) }
            Output.table(["ID", "收到", "类型", "收件人", "房号", "快递", "单号", "通知", "领取", "领取人"], list.map { p in
                [p.id, Output.time(p.receivedAt), p.type.displayName, p.recipient ?? "", p.unit ?? "", p.carrier ?? "", p.trackingNo ?? "",
                 Output.time(p.notifiedAt), p.pickedUpAt.map { Output.time($0) + (p.signed ? " 已签" : "") } ?? "待领", p.pickedUpBy ?? ""]
            })
        }
    }
}
