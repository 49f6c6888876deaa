import ArgumentParser
import Foundation
import Replication
import ServiceDesk

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Concurrent edits: both values, who wrote each, the rule that chose.",
        subcommands: [ConflictsList.self, ConflictsShow.self, ConflictsResolve.self])
}

struct ConflictJSON: Encodable {
    struct Side: Encodable {
        var values: [String?]
        var replica: String
        var counter: UInt64
        var author: String
        var at: Date
    }
    var key: String
    var table: String
    var record: String
    var field: String
    var policy: String
    var needsReview: Bool
    var open: Bool
    var winner: Side
    var loser: Side
    var resolvedBy: Side?

    init(_ c: ConflictRecord) {
        func side(_ clock: Clock, _ v: [Value]) -> Side {
            Side(values: v.map { $0.isNull ? nil : $0.description }, replica: clock.dot.replica.rawValue, counter: clock.dot.counter,
                 author: clock.author, at: Date(timeIntervalSince1970: Double(clock.hlc.millis) / 1000))
        }
        key = c.key
        table = c.table
        record = c.recordID
        field = c.entry.field
        policy = c.entry.policy
        needsReview = c.entry.needsReview
        open = c.entry.isOpen
        winner = side(c.entry.winner, c.entry.winnerValues)
        loser = side(c.entry.loser, c.entry.loserValues)
        resolvedBy = c.entry.resolution.map { side($0, []) }
    }
}

struct ConflictsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Conflicts awaiting review (or --all).")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Include resolved conflicts and those settled by rule without review.") var all = false
    func run() throws {
        try perform {
            let list = try data.openDesk().replica.conflicts(openOnly: !all, reviewOnly: !all).map(ConflictJSON.init)
            if output.json { return try Output.json(list) }
            Output.table(["KEY", "字段", "采用", "未采用", "规则", "状态"], list.map { c in
                [c.key, c.field, (c.winner.values.compactMap { $0 }.joined(separator: "/")) + " (\(c.winner.author))",
                 (c.loser.values.compactMap { $0 }.joined(separator: "/")) + " (\(c.loser.author))", c.policy,
                 c.open ? (c.needsReview ? "待审核" : "按规则") : "已解决"]
            })
        }
    }
}

struct ConflictsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one conflict.")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The conflict's key (from `conflicts list`).") var key: String
    func run() throws {
        try perform {
            let c = ConflictJSON(try data.openDesk().replica.conflict(key: key))
            if output.json { return try Output.json(c) }
            func line(_ s: ConflictJSON.Side) -> String {
                "\(s.values.map { $0 ?? "(空)" }.joined(separator: " / "))  — \(s.author.isEmpty ? "?" : s.author) @ \(s.replica), \(Output.time(s.at))"
            }
            Output.fields([("记录", "\(c.table) \(c.record)"), ("字段", c.field), ("规则", c.policy), ("采用", line(c.winner)),
                           ("未采用", line(c.loser)), ("状态", c.open ? (c.needsReview ? "待审核" : "按规则选定") : "已解决"),
                           ("解决", c.resolvedBy.map { "\($0.author) @ \($0.replica), \(Output.time($0.at))" })])
        }
    }
}

struct ConflictsResolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Settle a conflict: keep the chosen value, take the other, or enter the right one.")
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @Argument(help: "The conflict's key.") var key: String
    @Flag(exclusivity: .exclusive) var choice: Choice?
    @Option(help: "Enter the right value instead.") var value: String?
    enum Choice: String, EnumerableFlag { case keep, takeOther = "take-other" }

    func run() throws {
        try perform {
            let desk = try data.openDesk()
            let c = try desk.replica.conflict(key: key)
            let resolution: WriteTransaction.Resolution
            switch (choice, value) {
            case (.keep?, nil): resolution = .keepWinner
            case (.takeOther?, nil): resolution = .takeLoser
            case (nil, let v?):
                guard c.entry.winnerValues.count == 1 else { throw CLIError("\(c.entry.field) holds several values; choose --keep or --take-other") }
                resolution = .value([c.entry.winnerValues[0].integer != nil ? (Int64(v).map { .integer($0) } ?? .text(v)) : .text(v)])
            default: throw ValidationError("choose one of --keep, --take-other or --value VALUE")
            }
            let a = try acting.acting(.conflictResolve, data)
            try desk.replica.resolveConflict(key: key, with: resolution, author: a.staff)
            print("resolved \(key)")
        }
    }
}
