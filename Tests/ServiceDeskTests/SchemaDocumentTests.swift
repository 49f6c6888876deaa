import Foundation
import Replication
import Testing
@testable import ServiceDesk

/// The record layer of GHSP (Protocol/SCHEMA-v<N>.md and .json) is generated from
/// `DeskSchema`: these fail when the committed files are stale, as
/// `scripts/gen-proto --check` does for the generated Swift.
@Suite struct SchemaDocumentTests {
    static let protocolDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol")

    @Test(arguments: SchemaDocument.Format.allCases)
    func theCommittedRecordLayerIsUpToDate(_ format: SchemaDocument.Format) throws {
        let name = SchemaDocument.fileName(format: format)
        let committed = try? String(contentsOf: Self.protocolDir.appendingPathComponent(name), encoding: .utf8)
        let generated = try SchemaDocument.render(format)
        #expect(committed == generated, """
            Protocol/\(name) is stale: regenerate it with
            swift run gatehouse schema --format \(format.rawValue) > Protocol/\(name)
            and commit it (a new field or table also needs DeskSchema.version bumped and SPEC.md §11.1 followed)
            """)
    }

    @Test func everyTableAndColumnIsDocumented() throws {
        let json = try SchemaDocument.render(.json)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(doc["schema_version"] as? Int == DeskSchema.version)
        let tables = try #require(doc["tables"] as? [[String: Any]])
        #expect(tables.map { $0["name"] as? String } == DeskSchema.schema.tables.map(\.name))
        for t in DeskSchema.schema.tables {
            #expect(DeskSchema.idFormats[t.name] != nil, "no id format for \(t.name)")
            for f in t.fields where DeskSchema.encodings[t.name]?[f.name] == nil {
                // Undeclared fields are plain text or integers; anything that encodes a
                // meaning in a plain kind must be declared.
                let meaningful = ["_at", "_on", "_date", "_by"].contains { f.name.hasSuffix($0) } || f.name == "center"
                #expect(!meaningful, "\(t.name).\(f.name) needs an encoding in DeskSchema.encodings")
            }
        }
        // No encoding declared for a field that does not exist (a typo would go unnoticed).
        for (table, fields) in DeskSchema.encodings {
            let declared = Set(DeskSchema.schema.tables.first { $0.name == table }?.fields.map(\.name) ?? [])
            #expect(Set(fields.keys).subtracting(declared).isEmpty, "\(table): \(Set(fields.keys).subtracting(declared))")
        }
        #expect(Set(DeskSchema.idFormats.keys) == Set(DeskSchema.schema.tables.map(\.name)))
        let md = try SchemaDocument.render(.markdown)
        #expect(md.contains("| 0 | 0 | `center` | text | append-only | center or head office | center |"))
        #expect(md.contains("### corrective_action") && md.contains("`decision` | text | review | head office |"))
    }

    /// What a desk makes: ids with the replica part; the set column exactly its elements'
    /// JSON (SCHEMA §2, §3).
    @Test func theDeskMakesIdsWithItsReplicaAndSetColumnsAsDocumented() throws {
        let desk = try TestDesk()
        let id = try desk.customer()
        for tag in ["vip", "老人", "a\"b"] { try desk.at("2026-09-01 10:05").tagCustomer(id, tag: tag) }
        let replica = desk.desk.unsafeReplica.id.rawValue
        #expect(id.hasPrefix("cu-") && id.hasSuffix("-" + replica), "\(id)")
        #expect(id.range(of: #"^cu-[0-9a-hjkmnp-tv-z]{14}-"#, options: .regularExpression) != nil, "\(id)")
        let state = try #require(try desk.desk.unsafeReplica.state("customer", id: id))
        let l = try TableLayout(DeskSchema.schema.tables.first { $0.name == "customer" }!)
        let tags = try #require(l.slots.firstIndex { $0.name == "tags" })
        #expect(state.slots[tags].values == [.text(#"["a\"b","vip","老人"]"#)])
        #expect(state.shapeProblem(l) == nil)
    }
}
