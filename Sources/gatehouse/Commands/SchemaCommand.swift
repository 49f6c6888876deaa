import ArgumentParser
import ServiceDesk

/// `gatehouse schema`: the GHSP record layer of this build's desk schema, generated from
/// `DeskSchema` — the committed `Protocol/SCHEMA-v<N>.md` and `.json` are its output.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the replicated tables of this desk schema version (the sync protocol's record layer).",
        discussion: """
            Every table, each slot's columns, kinds, merge policies, who may originate them, their \
            encodings, the scope and the record ids: Protocol/SCHEMA-v<N>.md is this command's \
            markdown output, Protocol/SCHEMA-v<N>.json its JSON (a test fails when they are stale: \
            regenerate them with `gatehouse schema --format markdown > Protocol/SCHEMA-v3.md` and \
            `--format json > Protocol/SCHEMA-v3.json`). It is what every receiver checks a \
            peer's records against: value kinds and checked encodings (booleans, dates, times, \
            enumerations; else 400), who may originate each field (else 403), and which ids are \
            made by one replica (another creation under such an id: 409). Needs no data directory.
            """)

    @Option(help: "markdown or json.")
    var format: SchemaDocument.Format = .markdown

    func run() throws {
        print(try SchemaDocument.render(format), terminator: "")
    }
}

extension SchemaDocument.Format: ExpressibleByArgument {}
