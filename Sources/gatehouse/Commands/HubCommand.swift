import ArgumentParser
import Foundation
import ServiceDesk
import SyncRuntime

struct HubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "Head office's hub: enrollment of nodes and the sync server.",
        subcommands: [HubInit.self, HubEnroll.self, HubRevoke.self, HubNodes.self, HubRun.self, HubStatus.self])
}

struct HubInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the hub: its replica and CURVE keypair; prints the hub's public key.")
    @OptionGroup var data: DataOptions
    @Option(help: "Where the hub listens.") var bind = "tcp://0.0.0.0:7400"
    @Option(help: "Head office's name.") var name = "总部"
    @OptionGroup var admin: AdminOptions
    @Flag(help: "A directory for demonstration and tests: its users may set the clock (--now, GATEHOUSE_NOW). Fixed at creation; a hub made without it refuses a demo node's records.") var demo = false

    func run() throws {
        try perform {
            let dir = try data.directory
            try Endpoint.validate(bind)
            let password = try admin.password(center: "HQ")
            let desk = try Desk.create(in: dir, role: .hub, center: "HQ", name: name, demoClock: demo)
            try desk.createAdministrator(id: try admin.id(center: "HQ"), name: admin.adminName, password: password)
            var config = desk.config
            config.endpoint = bind
            try dir.saveConfig(config)
            let keys = try KeyStore(dir).create()
            _ = try NodeRegistry(desk.unsafeReplica.database)
            FileHandle.standardError.write(Data("created hub \(desk.unsafeReplica.id) listening on \(bind)\nhub public key:\n".utf8))
            print(keys.publicKey)
        }
    }
}

struct HubEnroll: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enroll", abstract: "Allow a center's node to connect, by its public key.")
    @OptionGroup var data: DataOptions
    @Option(help: "The center the node serves.") var center: String
    @Option(parsing: .unconditional, help: "The node's CURVE public key (printed by `node init`); it may begin with '-'.") var key: String
    @OptionGroup var acting: ActingOptions
    func run() throws {
        try perform {
            try acting.desk(data).require(.nodeEnroll)
            let desk = try HubContext.open(data)
            try NodeRegistry(desk.unsafeReplica.database).enroll(center: center, publicKey: key)
            print("enrolled \(key) for \(try CenterCode.validate(center))")
        }
    }
}

struct HubRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Cut a node off: by key, or every key of a center.")
    @OptionGroup var data: DataOptions
    @Option(help: "Revoke every key of this center.") var center: String?
    @Option(parsing: .unconditional, help: "Revoke this key.") var key: String?
    @OptionGroup var acting: ActingOptions
    func run() throws {
        try perform {
            try acting.desk(data).require(.nodeRevoke)
            let desk = try HubContext.open(data)
            let n = try NodeRegistry(desk.unsafeReplica.database).revoke(center: center, publicKey: key)
            print("revoked \(n) key\(n == 1 ? "" : "s")")
        }
    }
}

struct HubNodes: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nodes", abstract: "List enrolled nodes.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    func run() throws {
        try perform {
            let desk = try HubContext.open(data)
            let nodes = try NodeRegistry(desk.unsafeReplica.database).nodes()
            if output.json { return try Output.json(nodes) }
            Output.table(["中心", "公钥", "节点", "登记", "状态", "最后联系"], nodes.map {
                [$0.center, String($0.publicKey.prefix(12)) + "…", $0.replicaID ?? "", Output.time($0.enrolledAt),
                 $0.isRevoked ? "已吊销" : $0.state, Output.time($0.lastSeen)]
            }, empty: "(no nodes enrolled)")
        }
    }
}

enum HubContext {
    static func open(_ data: DataOptions) throws -> Desk {
        let desk = try data.openDesk()
        guard desk.isHub else { throw CLIError("\(desk.directory.url.path) is a center's node, not the hub") }
        return desk
    }
}

enum Endpoint {
    /// Accepts tcp://HOST:PORT (or ipc:// for local tests).
    static func validate(_ e: String) throws {
        if e.hasPrefix("ipc://") && e.count > 6 { return }
        guard e.hasPrefix("tcp://"), let colon = e.lastIndex(of: ":"), colon > e.index(e.startIndex, offsetBy: 6),
              let port = Int(e[e.index(after: colon)...]), (1...65535).contains(port)
        else { throw CLIError("invalid endpoint \"\(e)\": use tcp://HOST:PORT, e.g. tcp://hq.example.com:7400") }
    }
}
