import ArgumentParser
import Foundation
import ServiceDesk

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Set up and run a service center's node.",
        subcommands: [NodeInit.self, NodeInfo.self])
}

struct NodeInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a center's node: its database and replica id.")

    @OptionGroup var data: DataOptions
    @Option(help: "The center's code, e.g. C001.") var center: String
    @Option(help: "The center's name, e.g. 阳光花园管理服务中心.") var name: String

    func run() throws {
        try perform {
            let desk = try Desk.create(in: try data.directory, role: .node, center: center, name: name)
            print("created node for \(desk.center) \(desk.config.name)")
            print("replica id: \(desk.replica.id)")
            print("data: \(desk.directory.url.path)")
        }
    }
}

struct NodeInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the node's identity.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform {
            let desk = try data.openDesk()
            if output.json { return try Output.json(desk.config) }
            Output.fields([("role", desk.config.role.rawValue), ("center", desk.center), ("name", desk.config.name),
                           ("replica", desk.replica.id.rawValue), ("hub", desk.config.endpoint)])
        }
    }
}
