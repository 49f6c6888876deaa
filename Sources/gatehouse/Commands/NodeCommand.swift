import ArgumentParser
import Foundation
import ServiceDesk
import SyncRuntime
import ZeroMQ

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Set up and run a service center's node.",
        subcommands: [NodeInit.self, NodeConnect.self, NodeInfo.self, NodeRun.self])
}

struct NodeInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a center's node: its database and replica id.")

    @OptionGroup var data: DataOptions
    @Option(help: "The center's code, e.g. C001.") var center: String
    @Option(help: "The center's name, e.g. 阳光花园管理服务中心.") var name: String
    @Option(help: "The hub's endpoint, e.g. tcp://hq.example.com:7400 (or later: `node connect`).") var hub: String?
    @Option(name: .customLong("hub-key"), parsing: .unconditional, help: "The hub's CURVE public key (printed by `hub init`).") var hubKey: String?
    @OptionGroup var admin: AdminOptions
    @Flag(help: "A directory for demonstration and tests: its users may set the clock (--now, GATEHOUSE_NOW). Fixed at creation; a hub made without it refuses a demo node's records.") var demo = false

    func validate() throws {
        if (hub == nil) != (hubKey == nil) { throw ValidationError("give --hub and --hub-key together") }
    }

    func run() throws {
        try perform {
            let dir = try data.directory
            if let hub { try Endpoint.validate(hub) }
            if let hubKey { try CurveKey.validate(hubKey) }
            let password = try admin.password(center: center)
            let desk = try Desk.create(in: dir, role: .node, center: center, name: name, demoClock: demo)
            try desk.createAdministrator(id: try admin.id(center: center), name: admin.adminName, password: password)
            var config = desk.config
            config.endpoint = hub
            config.hubKey = hubKey
            try dir.saveConfig(config)
            let keys = try KeyStore(dir).create()
            FileHandle.standardError.write(Data("created node \(desk.unsafeReplica.id) for \(desk.center) \(desk.config.name)\nnode public key (enroll it at head office):\n".utf8))
            FileHandle.standardError.write(Data("administrator: \(try admin.id(center: center)) (gatehouse login --user \(try admin.id(center: center)))\n".utf8))
            print(keys.publicKey)
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
                           ("replica", desk.unsafeReplica.id.rawValue), ("hub", desk.config.endpoint)])
        }
    }
}

struct NodeConnect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect", abstract: "Point the node at head office's hub.")
    @OptionGroup var data: DataOptions
    @Option(help: "The hub's endpoint, e.g. tcp://hq.example.com:7400.") var hub: String
    @Option(name: .customLong("hub-key"), parsing: .unconditional, help: "The hub's CURVE public key.") var hubKey: String
    @OptionGroup var acting: ActingOptions
    func run() throws {
        try perform {
            try acting.desk(data).require(.nodeConnect)
            try Endpoint.validate(hub)
            try CurveKey.validate(hubKey)
            let dir = try data.directory
            var config = try dir.loadConfig()
            guard config.role == .node else { throw CLIError("\(dir.url.path) is the hub; `node connect` is for a center's node") }
            config.endpoint = hub
            config.hubKey = hubKey
            try dir.saveConfig(config)
            print("node will sync with \(hub)")
        }
    }
}
