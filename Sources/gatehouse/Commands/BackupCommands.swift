import ArgumentParser
import Foundation
import ServiceDesk
import SyncRuntime

/// `gatehouse backup --output FILE`: a consistent copy while the daemon runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the node's or hub's database (and its configuration and keys) into one file, while the daemon runs.",
        discussion: """
            Takes a consistent online copy through SQLite's backup API: the database as of one \
            moment, without stopping the daemon or the front desk. The file holds customers' \
            personal data and the directory's secret key; it is created with mode 0600. Keep \
            copies off the machine. Restore with `gatehouse restore FILE`.
            """)
    @OptionGroup var data: DataOptions
    @Option(name: .long, help: ArgumentHelp("The backup file to create (must not exist).", valueName: "FILE"))
    var output: String
    @OptionGroup var format: OutputOptions

    func run() throws {
        try perform {
            let info = try DirectoryBackup.take(try data.directory, to: output, software: GatehouseVersion.description)
            if format.json { return try Output.json(BackupReport(file: output, backup: info)) }
            print("backed up \(info.role.rawValue) \(info.center) (\(info.replicaID)) to \(output): \(Self.size(info.bytes)), log position \(info.logHead), taken \(Output.time(info.takenAt))")
        }
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / 1_048_576) : String(format: "%.0f KiB", Double(bytes) / 1024)
    }
}

struct BackupReport: Encodable {
    var file: String
    var backup: DirectoryBackup.Info
}

/// `gatehouse restore FILE`: puts a backup back, safely for syncing.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back into the data directory, with the daemon stopped.",
        discussion: """
            Refuses while any process has the directory's database open (stop the daemon \
            first), and a backup of another role, center or node. The database it replaces is \
            renamed to gatehouse.sqlite.replaced-TIME, not deleted. A restored hub gets a new \
            replica id and hub epoch: its nodes pull it again from the start and send back what \
            it lost. A restored node keeps its identity and accounts, never reuses what it wrote \
            after the backup, and pulls its center again. Everyone must log in again.
            """)
    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp("The backup file (`gatehouse backup --output FILE`).", valueName: "FILE"))
    var file: String
    @OptionGroup var format: OutputOptions

    func run() throws {
        try perform {
            let r = try DirectoryBackup.restore(file, into: try data.directory)
            if format.json { return try Output.json(RestoreReport(r)) }
            print("restored \(r.backup.role.rawValue) \(r.backup.center) from the backup of \(Output.time(r.backup.takenAt)) (log position \(r.backup.logHead))")
            if let e = r.hubEpoch { print("new hub replica id \(r.replicaID), new hub epoch \(e): nodes pull again from the start and send back what the hub lost") }
            else { print("node \(r.replicaID) kept its identity; it pulls its center again at the next sync") }
            if let a = r.setAside { print("the replaced database was kept as \(a)") }
            if !r.filesRestored.isEmpty { print("restored from the backup: \(r.filesRestored.joined(separator: ", "))") }
            print("next: start the daemon, then check `gatehouse \(r.backup.role == .hub ? "hub status" : "status")`")
        }
    }
}

struct RestoreReport: Encodable {
    var role: String
    var center: String
    var replicaID: String
    var hubEpoch: String?
    var backupTakenAt: Date
    var backupLogHead: UInt64
    var setAside: String?
    var filesRestored: [String]
    init(_ r: DirectoryBackup.Restored) {
        role = r.backup.role.rawValue
        center = r.backup.center
        replicaID = r.replicaID
        hubEpoch = r.hubEpoch.map(String.init)
        backupTakenAt = r.backup.takenAt
        backupLogHead = r.backup.logHead
        setAside = r.setAside
        filesRestored = r.filesRestored
    }
}
