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
            markdown output, Protocol/SCHEMA-v<N>.json its JSON.
            """)

    @Option(help: "markdown or json.")
    var format: SchemaDocument.Format = .markdown

    func run() throws {
        print(try SchemaDocument.render(format), terminator: "")
    }
}

extension SchemaDocument.Format: ExpressibleByArgument {}
