import Foundation
import Replication
import Testing
@testable import SyncProtocol

@Suite("Conversion")
struct ConversionTests {
    @Test("RecordState round-trips exactly: sets, siblings, history and tombstones included")
    func recordRoundTrip() throws {
        for s in [sampleRecord(), sampleRecord(deleted: true)] {
            let back = try Gatehouse_Sync_V1_RecordState(s).decoded()
            #expect(back == s)
        }
        // nil elements (not a set) and [] (an empty set) stay distinct
        let s = sampleRecord()
        let back = try Gatehouse_Sync_V1_RecordState(s).decoded()
        #expect(back.slots[0].elements == nil)
        #expect(back.slots[5].elements == [])
        #expect(back.slots[3].siblings.count == 2 && back.history.count == 2)
    }

    @Test("every Value kind round-trips")
    func values() throws {
        for v: Value in [.null, .integer(.min), .integer(.max), .real(-0.5), .real(.infinity), .text("ünï"), .blob([]), .blob([7])] {
            #expect(try Gatehouse_Sync_V1_Value(v).decoded() == v)
        }
        #expect(throws: SyncError.self) { try Gatehouse_Sync_V1_Value().decoded() }
    }

    @Test("ChangeBatch round-trips through a change set")
    func batchRoundTrip() throws {
        let b = ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 10, toSeq: 20,
                            records: [sampleRecord(), sampleRecord(id: "T-9")], isLast: false)
        let d = try Gatehouse_Sync_V1_ChangeSet(b).decoded()
        #expect(d.batch == b)
        #expect(d.rejected.isEmpty)
    }

    func problem(_ mutate: (inout Gatehouse_Sync_V1_RecordState) -> Void) -> String? {
        var p = Gatehouse_Sync_V1_RecordState(sampleRecord())
        mutate(&p)
        do {
            _ = try p.decoded()
            return nil
        } catch {
            #expect(error.code == .malformed)
            return error.message
        }
    }

    @Test("records the merge could mishandle are refused with a clear reason")
    func validation() {
        #expect(problem { $0.table = "" }?.contains("table") == true)
        #expect(problem { $0.id = "" }?.contains("id") == true)
        #expect(problem { $0.vector[0].replica = "bad id!" }?.contains("invalid replica id") == true)
        #expect(problem { $0.vector[0].counter = 0 }?.contains("counter 0") == true)
        #expect(problem { $0.vector.reverse() }?.contains("sorted") == true)
        #expect(problem { $0.vector.append($0.vector[1]) }?.contains("sorted") == true)
        #expect(problem { $0.slots[0].clock.counter = 99 }?.contains("beyond the record's vector") == true)
        #expect(problem { $0.slots[1].clock.replica = "stranger" }?.contains("beyond") == true)
        #expect(problem { $0.deletion = Gatehouse_Sync_V1_Clock(Clock(dot: Dot(replica: nodeA, counter: 50), hlc: .zero)) }?
            .contains("deletion") == true)
        #expect(problem { $0.slots[4].elements.reverse() }?.contains("not strictly sorted") == true)
        #expect(problem { $0.slots[4].elements[0].dots = [] }?.contains("no dots") == true)
        #expect(problem { $0.slots[4].elements[0].dots.reverse() }?.contains("dots") == true)
        #expect(problem { $0.slots[4].elements[1].dots[0].counter = 7 }?.contains("beyond") == true)
        #expect(problem { $0.slots[0].elements = $0.slots[4].elements }?.contains("not marked as a set") == true)
        #expect(problem { $0.slots[0].values.append(Gatehouse_Sync_V1_Value()) }?.contains("kind") == true)
        #expect(problem { $0.conflicts.reverse() }?.contains("sorted") == true)
        #expect(problem { $0.conflicts[0].clearLoser() }?.contains("winner or loser") == true)
        #expect(problem { $0.conflicts[0].resolution.counter = 40 }?.contains("resolution") == true)
        #expect(problem { $0.conflicts[1].clearResolution() }?.contains("resolution") == true)
        // Siblings: covered, sorted, distinct from the winner, as wide as the slot, not on sets.
        #expect(problem { $0.slots[1].siblings[0].clock.counter = 9 }?.contains("beyond") == true)
        #expect(problem { $0.slots[3].siblings.reverse() }?.contains("strictly sorted") == true)
        #expect(problem { $0.slots[3].siblings.append($0.slots[3].siblings[1]) }?.contains("strictly sorted") == true)
        #expect(problem { $0.slots[1].siblings[0].clock = $0.slots[1].clock }?.contains("winner") == true)
        #expect(problem { $0.slots[1].siblings[0].clearClock() }?.contains("without a clock") == true)
        #expect(problem { $0.slots[1].siblings[0].values.append($0.slots[1].siblings[0].values[0]) }?.contains("values") == true)
        #expect(problem { $0.slots[1].clearClock() }?.contains("no clock") == true)
        #expect(problem { $0.slots[4].siblings = $0.slots[1].siblings }?.contains("set") == true)
        #expect(problem { _ in } == nil)
    }

    @Test("a bad record is rejected alone; the rest of the batch stays")
    func perRecordRejection() throws {
        var cs = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 3,
            records: [sampleRecord(id: "a"), sampleRecord(id: "b"), sampleRecord(id: "c")], isLast: true))
        cs.records[1].slots[0].clock.counter = 1000
        let d = try cs.decoded()
        #expect(d.batch.records.map(\.id) == ["a", "c"])
        #expect(d.rejected.count == 1)
        #expect(d.rejected[0].id == "b")
        #expect(d.rejected[0].code == .malformed)
        #expect(d.batch.toSeq == 3)  // positions still advance over it
    }

    @Test("batch-level problems refuse the whole change set")
    func batchErrors() {
        var cs = Gatehouse_Sync_V1_ChangeSet(ChangeBatch(schemaVersion: 7, origin: nodeA, fromSeq: 0, toSeq: 2,
            records: [sampleRecord(id: "a"), sampleRecord(id: "b")], isLast: true))
        var bad = cs
        bad.origin = "no good"
        #expect(throws: SyncError.malformed("change set origin \"no good\" is not a valid replica id")) { try bad.decoded() }
        bad = cs
        bad.fromSeq = 5
        #expect((try? bad.decoded()) == nil)
        #expect(throws: SyncError.self) { try cs.decoded(limits: SyncLimits(maxBatchRecords: 1)) }
        do {
            _ = try cs.decoded(limits: SyncLimits(maxBatchRecords: 1))
        } catch {
            #expect(error.code == .tooLarge)
        }
        cs.records = []
        #expect((try? cs.decoded())?.batch.records == [])
    }
}
