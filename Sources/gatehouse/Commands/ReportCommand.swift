import ArgumentParser
import Foundation
import ServiceDesk
import SyncRuntime

/// `gatehouse report monthly|quarterly`: head office's measures across centers (at a node,
/// its own center). Read only; formulas in docs/REPORTS.md.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Monthly and quarterly service-quality reports (at head office: every center).",
        subcommands: [ReportMonthly.self, ReportQuarterly.self])
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, html
}

/// What both report commands share.
struct ReportOptions: ParsableArguments {
    @OptionGroup var data: DataOptions
    @OptionGroup var clock: ClockOptions
    @Option(help: "Only this center (at head office).") var center: String?
    @Option(help: "table (default), csv, json or html.") var format: ReportFormat = .table
    @Option(help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "FILE")) var output: String?

    func run(_ period: () throws -> ReportPeriod) throws {
        try perform {
            let period = try period()
            let desk = try data.openDesk()
            let now = try desk.permitted(try clock.clock()).now
            if let output, desk.holds(path: output) {
                throw CLIError("refusing to write \(output): it is inside the data directory \(desk.directory.url.path)")
            }
            let centers = try ReportCenters.resolve(desk, period: period, only: center, now: now)
            let report = try Report.build(try desk.reportInput(period: period, centers: centers, now: now))
            let text: String
            switch format {
            case .table: text = ReportText.table(report)
            case .csv: text = ReportText.csv(report)
            case .json: text = try ReportText.json(report)
            case .html: text = ReportHTML.render(report)
            }
            guard let output else { return print(text, terminator: "") }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError("cannot write \(output): \((error as NSError).localizedDescription)")
            }
            FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
        }
    }
}

struct ReportMonthly: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "monthly", abstract: "One month's measures, beside the month before.")
    @Option(help: "YYYY-MM") var month: String
    @OptionGroup var options: ReportOptions
    func run() throws { try options.run { try ReportPeriod.month(month) } }
}

struct ReportQuarterly: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quarterly", abstract: "One quarter's measures, beside the quarter before.")
    @Option(help: "YYYY-Qn, e.g. 2026-Q4") var quarter: String
    @OptionGroup var options: ReportOptions
    func run() throws { try options.run { try ReportPeriod.quarter(quarter) } }
}
