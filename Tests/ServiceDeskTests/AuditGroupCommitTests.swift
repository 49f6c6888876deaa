import Foundation
@testable import ServiceDesk
import Testing

/// Audit entries recorded at the same moment by many pages share transactions
/// (`AuditCommitter`) and still form one intact chain, each caller's entries together and
/// in order; the field lists are written exactly as JSONEncoder writes them, so hashes of
/// entries made before stay valid.
@Suite struct AuditGroupCommitTests {
    @Test func concurrentPagesKeepOneIntactChain() throws {
        let t = try TestDesk()
        let callers = 16, perCaller = 5
        let desk = t.desk
        DispatchQueue.concurrentPerform(iterations: callers) { i in
            let events = (0..<perCaller).map { k in
                AuditEvent(action: "view", staff: "S\(i)", role: "front_desk", record: "customer/cu-\(i)-\(k)", fields: ["name", "phone"],
                           at: Date())
            }
            do { try desk.recordAudit(events) } catch { Issue.record("recording failed: \(error)") }
        }
        let admin = try t.admin
        #expect(try admin.verifyAudit().intact)
        let entries = try admin.auditEntries(AuditQuery(action: "view", limit: 10_000)).sorted { $0.seq < $1.seq }
        #expect(entries.count == callers * perCaller)
        // One caller's entries are consecutive in the chain and in the order given.
        for i in 0..<callers {
            let seqs = entries.filter { $0.staff == "S\(i)" }.map(\.seq)
            #expect(seqs.count == perCaller && seqs == Array(seqs[0]..<seqs[0] + perCaller), "caller \(i): \(seqs)")
            #expect(entries.filter { $0.staff == "S\(i)" }.map(\.record) == (0..<perCaller).map { "customer/cu-\(i)-\($0)" })
        }
    }

    @Test func fieldListsAreWrittenAsJSONEncoderWritesThem() throws {
        for fields in [[], ["name"], ["address", "id_number", "name", "phone"], ["名字"], ["a\"b"], ["a/b"], ["Name"]] {
            let json = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
            #expect(AuditEntry.encodeFields(fields) == json, "\(fields)")
        }
    }
}
