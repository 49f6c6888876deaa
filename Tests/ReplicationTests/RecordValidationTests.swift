import Foundation
import Testing
@testable import Replication

/// Strict validation at the receiver (SPEC §9, SCHEMA-v<N>.md): value kinds against the
/// slot's columns, set columns exactly the encoding of their elements, ids in the
/// documented format. Each refusal is per record, marked invalid (GHSP 400, not 403), and
/// the rest of the batch applies.
@Suite struct RecordValidationTests {
    typealias World = AuthorityTests.World

    /// A customer the node created, as it would push it.
    func customer(_ w: World, tags: [Value] = ["vip"]) throws -> RecordState {
        let id = try w.c1.write(author: "S1") { tx in
            try tx.insert("customer", ["center": "C001", "name": "张三"], sets: ["tags": tags])
        }
        return try #require(try w.c1.state("customer", id: id))
    }

    @Test func aWellFormedRecordApplies() throws {
        let w = try World()
        let s = try customer(w, tags: ["vip", "老人"])
        #expect(s.slots[3].values == [.text(#"["vip","老人"]"#)])
        #expect(try w.send(s, from: w.c1, to: w.hub).isEmpty)
        #expect(try w.hub.state("customer", id: s.id) == s)
    }

    @Test func aValueOfTheWrongKindIsRefusedAsInvalid() throws {
        let w = try World()
        let ok = try customer(w)
        var bad = ok
        bad.id = "cu-other"
        bad.slots[1].values = [.integer(42)]  // name is text
        let r = try w.hub.apply(ChangeBatch(schemaVersion: 1, origin: w.c1.id, fromSeq: 0, toSeq: 1, records: [bad, ok], isLast: true),
                                from: w.c1.id, sender: w.sender(w.c1)).refused
        #expect(r.count == 1 && r[0].id == "cu-other" && r[0].invalid, "\(r)")
        #expect(r[0].reason.contains("name takes text, not integer 42"), "\(r)")
        #expect(try w.hub.state("customer", id: ok.id) != nil, "the rest of the batch applies")
        // Text "yes" in an integer column, from the hub to a node.
        let g = try w.hub.write(author: "hq") { tx in
            try tx.insert("grant", ["center": "C001", "purpose": "回访", "approved_by": "Q1", "approved_at": 1_700_000_000_000])
        }
        var yes = try #require(try w.hub.state("grant", id: g))
        yes.slots[2].values[1] = .text("yes")
        let r2 = try w.send(yes, from: w.hub, to: w.c1)
        #expect(r2.count == 1 && r2[0].invalid && r2[0].reason.contains("approved_at takes integer, not text yes"), "\(r2)")
        #expect(try w.c1.state("grant", id: g) == nil)
    }

    @Test func aSetColumnThatContradictsItsElementsIsRefused() throws {
        let w = try World()
        var s = try customer(w)
        s.slots[3].values = [.text("[]")]  // elements say ["vip"]
        let r = try w.send(s, from: w.c1, to: w.hub)
        #expect(r.count == 1 && r[0].invalid && r[0].reason.contains("not the JSON array of the set's elements"), "\(r)")
        // Spaces are not the encoding either.
        var spaced = try customer(w, tags: ["a", "b"])
        spaced.slots[3].values = [.text(#"["a", "b"]"#)]
        #expect(try w.send(spaced, from: w.c1, to: w.hub).first?.invalid == true)
        // A set slot sent without its elements, elements on a slot that is not a set, an element of the wrong kind.
        var noSet = try customer(w)
        noSet.slots[3].elements = nil
        #expect(try w.send(noSet, from: w.c1, to: w.hub).first?.reason.contains("is not sent as one") == true)
        var notASet = try customer(w)
        notASet.slots[1].elements = []
        #expect(try w.send(notASet, from: w.c1, to: w.hub).first?.reason.contains("name is not a set") == true)
        var kind = try customer(w)
        let dot = try #require(kind.slots[3].elements?.first?.dots)
        kind.slots[3].elements = [SetElement(value: .integer(7), dots: dot)]
        kind.slots[3].values = [SetCodec.encode([.integer(7)])]
        #expect(try w.send(kind, from: w.c1, to: w.hub).first?.reason.contains("set element 7 is not text") == true)
        #expect(try w.hub.allStates().isEmpty, "nothing of them applied")
    }

    @Test func idsOutsideTheDocumentedFormatAreRefused() throws {
        let w = try World()
        let ok = try customer(w)
        for id in ["", "cu 1", "cu-\n1", "cu\u{3000}1", String(repeating: "x", count: 129)] {
            var s = ok
            s.id = id
            let r = try w.send(s, from: w.c1, to: w.hub)
            #expect(r.count == 1 && r[0].invalid, "id \(id.debugDescription): \(r)")
        }
        var longest = ok
        longest.id = String(repeating: "x", count: 128)
        #expect(try w.send(longest, from: w.c1, to: w.hub).isEmpty)
        #expect(RecordID.formatProblem("张三-S001") == nil)
        // Local writes follow the same rule.
        #expect(throws: ReplicationError.self) { try w.c1.write(author: "S1") { tx in try tx.insert("customer", id: "a b", ["center": "C001"]) } }
    }

    @Test func orderedIDsCarryTheReplicaAndSortByTime() throws {
        let r = ReplicaID(rawValue: "c001-7k2m9q4x8p3r")!
        let ids = (0..<1000).map { _ in RecordID.ordered(replica: r) }
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        for id in ids {
            #expect(id.range(of: #"^[0-9a-hjkmnp-tv-z]{14}-c001-7k2m9q4x8p3r$"#, options: .regularExpression) != nil, "\(id)")
            #expect(RecordID.formatProblem(id) == nil)
        }
        // Two replicas making ids in the same millisecond never make the same one.
        let other = ReplicaID(rawValue: "c002-7k2m9q4x8p3r")!
        #expect(Set(ids).isDisjoint(with: (0..<1000).map { _ in RecordID.ordered(replica: other) }))
    }
}
