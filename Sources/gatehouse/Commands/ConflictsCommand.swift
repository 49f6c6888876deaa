import ArgumentParser
import Foundation
import Replication
import ServiceDesk

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Concurrent edits: both values, who wrote each, the rule that chose.",
        subcommands: [ConflictsList.self, ConflictsShow.self, ConflictsResolve.self])
}

struct ConflictsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Conflicts awaiting review (or --all).")
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Include resolved conflicts and those settled by rule without review.") var all = false
    @OptionGroup var viewer: ViewerOptions
    func run() throws {
        try perform {
            let list = try viewer.desk(data).conflictList(all: all)
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
    @OptionGroup var viewer: ViewerOptions
    func run() throws {
        try perform {
            let c = try viewer.desk(data).conflictRecord(key: key)
            if output.json { return try Output.json(c) }
            func line(_ s: ConflictView.Side) -> String {
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
            let resolution: ConflictChoice
            switch (choice, value) {
            case (.keep?, nil): resolution = .keep
            case (.takeOther?, nil): resolution = .takeOther
            case (nil, let v?): resolution = .value(v)
            default: throw ValidationError("choose one of --keep, --take-other or --value VALUE")
            }
            try acting.desk(data).resolveConflict(key: key, choice: resolution)
            print("resolved \(key)")
        }
    }
}
