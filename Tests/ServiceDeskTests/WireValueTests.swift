import Foundation
import Testing
import Replication
@testable import ServiceDesk

/// Strict validation of the value encodings at every receiver (SPEC §9, SCHEMA-v<N>.md §1):
/// booleans 0/1, calendar dates, Unix-millisecond times, months, quarters, money ≥ 0, and
/// only an enumeration's values, in winners and siblings alike. A record breaking one is
/// refused alone as invalid (GHSP 400); the rest of the batch applies.
@Suite struct WireValueTests {
    /// A hub and a C001 node of the desk schema over temporary files.
    final class World {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gh-wire-\(UUID().uuidString.prefix(8))")
        let hub: Replica, node: Replica
        init() throws {
            let dir = self.dir
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            func make(_ name: String) throws -> Replica {
                var o = Replica.Options()
                o.durable = false
                return try Replica.create(at: dir.appendingPathComponent("\(name).sqlite").path, id: ReplicaID(rawValue: name)!,
                                          schema: DeskSchema.schema, options: o)
            }
            hub = try make("hub")
            node = try make("c001-node")
        }
        deinit { try? FileManager.default.removeItem(at: dir) }

        /// The hub's states sent to the node, as they are; returns what the node refused.
        func send(_ states: [RecordState]) throws -> [Refusal] {
            let b = ChangeBatch(schemaVersion: DeskSchema.version, origin: hub.id, fromSeq: 0, toSeq: 0, records: states, isLast: true)
            return try node.apply(b, from: hub.id, sender: .hub(hub.id, servingCenter: "C001")).refused
        }
    }

    /// Sets `field` of `state` (the winner's value) to `value`.
    static func with(_ state: RecordState, _ field: String, _ value: Value, id: String) throws -> RecordState {
        let l = try TableLayout(try #require(DeskSchema.schema.tables.first { $0.name == state.table }))
        var s = state
        s.id = id
        let (slot, pos) = try #require(l.slots.enumerated().lazy.compactMap { i, sl in
            sl.columns.firstIndex { l.fields[$0].name == field }.map { (i, $0) }
        }.first)
        s.slots[slot].values[pos] = value
        return s
    }

    @Test func valuesOutsideTheirEncodingAreRefusedAsInvalidOneByOne() throws {
        let w = try World()
        let (cu, tk, ca, cp) = try w.hub.write(author: "H001") { tx in
            (try tx.insert("customer", ["center": "C001", "name": "张三", "move_in": "2026-03-01", "special_care": 1,
                                        "created_at": 1_780_000_000_000]),
             try tx.insert("ticket", ["center": "C001", "number": "C001-261102-H01", "kind": "complaint", "complaint_class": 2,
                                      "status": "received", "reopen_count": 0, "escalated": 0, "fee": 1200]),
             try tx.insert("corrective_action", ["center": "C001", "quarter": "2026-Q4", "finding": "回访不及时"]),
             try tx.insert("callback", ["center": "C001", "programmes": #"["monthly_plan"]"#]))
        }
        let customer = try #require(try w.hub.state("customer", id: cu))
        let ticket = try #require(try w.hub.state("ticket", id: tk))
        let corrective = try #require(try w.hub.state("corrective_action", id: ca))
        let callback = try #require(try w.hub.state("callback", id: cp))
        let bad: [(RecordState, String)] = [
            (try Self.with(customer, "special_care", 2, id: "cu-bool"), "is not a boolean"),
            (try Self.with(customer, "move_in", "2026-02-29", id: "cu-feb29"), "is not a calendar date"),
            (try Self.with(customer, "move_in", "2026/03/01", id: "cu-slash"), "is not a calendar date"),
            (try Self.with(customer, "move_in", "2026-3-1", id: "cu-short"), "is not a calendar date"),
            (try Self.with(customer, "created_at", -1, id: "cu-neg-time"), "is not a time in Unix milliseconds"),
            (try Self.with(ticket, "kind", "bogus", id: "tk-kind"), "is not one of repair"),
            (try Self.with(ticket, "status", "done", id: "tk-status"), "is not one of received"),
            (try Self.with(ticket, "complaint_class", 4, id: "tk-class"), "is not one of 1, 2, 3"),
            (try Self.with(ticket, "fee", -100, id: "tk-fee"), "is negative"),
            (try Self.with(corrective, "quarter", "2026-Q5", id: "ca-q5"), "is not a quarter"),
            (try Self.with(callback, "programmes", #"["nonsense"]"#, id: "cb-prog"), "is not one of"),
            (try Self.with(callback, "programmes", "monthly_plan", id: "cb-notjson"), "is not a JSON array of strings"),
        ]
        // A sibling (an open conflict) is checked as well as the winner.
        var sibling = try Self.with(customer, "name", "张三", id: "cu-sibling")
        let other = Clock(dot: Dot(replica: w.hub.id, counter: 99), hlc: sibling.slots[7].clock!.hlc, author: "H001")
        sibling.vector.raise(w.hub.id, to: 99)
        sibling.slots[7].siblings = [Sibling(values: [.integer(7)], clock: other)]
        let good = try Self.with(customer, "move_in", "2028-02-29", id: "cu-leap")
        let refused = try w.send(bad.map(\.0) + [sibling, good])
        let byID = Dictionary(uniqueKeysWithValues: refused.map { ($0.id, $0) })
        for (state, reason) in bad {
            let r = byID[state.id]
            #expect(r?.invalid == true && r?.reason.contains(reason) == true, "\(state.id): \(String(describing: r))")
        }
        #expect(byID["cu-sibling"]?.reason.contains("special_care: 7 is not a boolean") == true, "\(refused)")
        #expect(byID["cu-leap"] == nil, "a real date was refused: \(refused)")
        #expect(try w.node.state("customer", id: "cu-leap") != nil)
        #expect(refused.count == bad.count + 1, "\(refused)")
    }

    @Test func theFormatsAreThePureRulesOfTheRecordLayer() throws {
        #expect(ValueFormat.date.problem("2000-02-29") == nil && ValueFormat.date.problem("1900-02-29") != nil)
        #expect(ValueFormat.date.problem("2026-12-31") == nil && ValueFormat.date.problem("2026-12-32") != nil)
        #expect(ValueFormat.date.problem("0000-01-01") != nil && ValueFormat.date.problem("２０２６-01-01") != nil)
        #expect(ValueFormat.month.problem("2026-12") == nil && ValueFormat.month.problem("2026-00") != nil)
        #expect(ValueFormat.quarter.problem("2026-Q1") == nil && ValueFormat.quarter.problem("2026-q1") != nil)
        #expect(ValueFormat.boolean.problem(0) == nil && ValueFormat.boolean.problem(1) == nil && ValueFormat.boolean.problem(-1) != nil)
        #expect(ValueFormat.unixMillis.problem(.integer(ValueFormat.maxUnixMillis)) == nil)
        #expect(ValueFormat.unixMillis.problem(.integer(ValueFormat.maxUnixMillis + 1)) != nil)
        #expect(ValueFormat.oneOf(["a"]).problem(.null) == nil, "NULL fits every format")
        // A format declared on a column of another kind is a schema error.
        let wrong = ReplicatedTable("t", scope: .shared, fields: [Field("flag", .text, format: .boolean)])
        #expect(throws: ReplicationError.self) { try TableLayout(wrong) }
        // Every checked encoding of the desk schema carries its format, and the document says so.
        for t in DeskSchema.schema.tables {
            for f in t.fields {
                let e = DeskSchema.encoding(table: t.name, field: f)
                if ["boolean", "unix-ms", "date", "month", "quarter", "money", "enum"].contains(e.name) {
                    #expect(f.format != nil, "\(t.name).\(f.name) (\(e.name)) is not checked")
                }
            }
        }
    }
}
