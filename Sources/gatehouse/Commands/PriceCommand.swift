import ArgumentParser
import Foundation
import ServiceDesk

struct PriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price", abstract: "The paid-service price list (有偿服务明码标价).",
        subcommands: [PriceAdd.self, PriceList.self, PriceUpdate.self])
}

struct PriceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an item to the price list.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Option(help: "Item code, e.g. R01.") var code: String
    @Option(help: "Name, e.g. 疏通下水道.") var name: String
    @Option(help: "Unit of charge, e.g. 次, 米.") var unit: String?
    @Option(help: "Price in yuan, e.g. 80 or 35.50.") var price: String
    @Option(help: "Center (at head office; default: every center).") var center: String?
    @Flag(help: "Print the new item as JSON instead of its code.") var json = false
    func run() throws {
        try perform {
            let desk = try acting.desk(data)
            let id = try desk.addPriceItem(code: code, name: name, unit: unit, price: try Money.fen(price), center: center)
            // By id: at head office another center may have an item with the same code.
            if json, let item = try desk.priceList().first(where: { $0.id == id }) { return try Output.json(item) }
            print(code)
        }
    }
}

struct PriceList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the price list.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Include items no longer offered.") var all = false
    func run() throws {
        try perform {
            let list = try data.openDesk().priceList(includeInactive: all)
            if output.json { return try Output.json(list) }
            var t = TextTable(headers: ["编号", "项目", "单位", "价格(元)", "范围", "状态"], alignments: [.left, .left, .left, .right])
            for p in list {
                t.append([p.code, p.name, p.unit ?? "", Money.yuan(p.price), p.center ?? "全公司", p.active ? "" : "停用"])
            }
            print(list.isEmpty ? "(none)" : t.render())
        }
    }
}

struct PriceUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change an item's price, name or unit, or stop offering it (--active no).")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "Item code.") var code: String
    @Option var name: String?
    @Option var unit: String?
    @Option(help: "Price in yuan.") var price: String?
    @Option(help: "yes or no") var active: YesNo?
    @Option(help: "Center (at head office).") var center: String?
    func run() throws {
        try perform {
            try acting.desk(data).updatePriceItem(code: code, name: name, unit: unit, price: try price.map { try Money.fen($0) },
                                                active: active?.bool, center: center)
            print("updated \(code)")
        }
    }
}
