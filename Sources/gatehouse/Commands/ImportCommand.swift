import ArgumentParser
import Foundation
import ServiceDesk

extension CSVEncoding: ExpressibleByArgument {}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import existing records from CSV: the customer roster, historical requests.",
        discussion: importDecision,
        subcommands: [ImportCustomers.self, ImportTickets.self])
}

/// The options and the run shared by both imports.
struct ImportOptions: ParsableArguments {
    @Argument(help: "The CSV file.") var file: String
    @Flag(name: .customLong("skip-bad"), help: "Import the good rows and list the bad ones, instead of refusing the whole file.") var skipBad = false
    @Option(help: "Center (at head office).") var center: String?
    @Flag(name: .customLong("ignore-unknown-columns"), help: "Leave out columns the import does not know (they are listed) instead of refusing the file.")
    var ignoreUnknownColumns = false
    @Option(help: ArgumentHelp("The file's encoding: auto (UTF-8 if valid, else GBK/GB18030: Excel's \"CSV\" on a Chinese Windows), utf-8, gbk or gb18030.", valueName: "ENCODING"))
    var encoding: CSVEncoding = .auto
    @Flag(help: "List every imported row (line, id, name or number), not only the summary.") var verbose = false

    func records() throws -> [CSVRecord] {
        guard let bytes = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        return try CSVReader.parse(bytes: [UInt8](bytes), encoding: encoding)
    }

    var source: String { (file as NSString).lastPathComponent }

    func report(_ r: ImportReport, noun: String, json: Bool) throws {
        if json { return try Output.json(r) }
        // One line for 20,000 rows; --verbose lists them.
        print("imported \(r.imported.count) \(noun) of \(r.rows) row\(r.rows == 1 ? "" : "s") from \(source)"
              + (r.rejected.isEmpty ? "" : ", \(r.rejected.count) skipped")
              + (r.ignoredColumns.isEmpty ? "" : "; columns left out: \(r.ignoredColumns.joined(separator: ", "))"))
        if verbose, !r.imported.isEmpty {
            Output.table(["行", "ID", noun == "customers" ? "姓名" : "编号"], r.imported.map { [String($0.line), $0.id, $0.label] })
        }
        if !r.rejected.isEmpty {
            FileHandle.standardError.write(Data("skipped \(r.rejected.count) bad row\(r.rejected.count == 1 ? "" : "s"):\n".utf8))
            for p in r.rejected { FileHandle.standardError.write(Data("  \(p)\n".utf8)) }
        }
    }
}

/// The all-or-nothing decision, repeated in every import's help.
let importDecision = """
    The file is CSV in UTF-8 or GBK (Excel's "CSV UTF-8" or plain "CSV"; detected, or say --encoding); its first line names \
    the columns, in English or Chinese, in any order; 序号 columns are left out, other unknown columns refused unless \
    --ignore-unknown-columns. Dates: 2026-03-05, 2026/3/5, 2026年3月5日 (with an optional time) or Excel date numbers. \
    Every row is checked before anything is written. If any row is bad the WHOLE FILE IS REFUSED: nothing is written, \
    every bad row is listed by line number with the reason, and the exit status is 1. With --skip-bad the good rows are \
    imported (in one transaction) and the rejected ones listed on stderr; the exit status is then 0.
    """

func columnsHelp(_ columns: [ImportColumn]) -> String {
    "Columns (* required; headers in brackets are accepted too):\n" + columns.map { "  " + $0.helpLine }.joined(separator: "\n")
}

struct ImportCustomers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers", abstract: "Import the customer roster.",
        discussion: importDecision + "\n\n" + columnsHelp(CustomerImport.columns) + """


            A row is bad when the name is missing, the phone or a date is malformed or impossible, a flag is not 是/否, \
            it repeats an earlier row, or a customer with the same name and phone (without a phone: name and unit) is \
            already registered. Household members are added afterwards with `customer add-member`.
            """)
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var options: ImportOptions
    func run() throws {
        try perform {
            let r = try acting.desk(data).importCustomers(try options.records(), source: options.source, skipBad: options.skipBad,
                                                        ignoreUnknownColumns: options.ignoreUnknownColumns,
                                                        center: options.center)
            try options.report(r, noun: "customers", json: output.json)
        }
    }
}

struct ImportTickets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets", abstract: "Import historical requests.",
        discussion: importDecision + "\n\n" + columnsHelp(TicketImport.columns) + """


            The customer is found by id (customer) or by phone (and name, when several share a phone), so import the \
            roster first. A row is bad when a required field is missing, a kind, channel, class, severity or status is \
            unknown, a date is malformed, impossible, in the future or out of order, the status contradicts the dates, \
            the customer or staff member is unknown, the number is already used, or it repeats an earlier row. Each \
            imported request gets an `import` step in its timeline naming the file and line.
            """)
    @OptionGroup var data: DataOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var options: ImportOptions
    func run() throws {
        try perform {
            let r = try acting.desk(data).importTickets(try options.records(), source: options.source, skipBad: options.skipBad,
                                                    ignoreUnknownColumns: options.ignoreUnknownColumns,
                                                      center: options.center)
            try options.report(r, noun: "requests", json: output.json)
        }
    }
}
