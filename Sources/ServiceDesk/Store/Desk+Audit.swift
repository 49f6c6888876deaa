import Foundation
import GRDB
import Replication

/// What `Desk.auditEntries(_:)` selects; every criterion is optional.
public struct AuditQuery: Sendable {
    public var staff: String?
    /// A customer id: entries about the customer's record ("customer/<id>").
    public var customer: String?
    public var center: String?
    public var from: Date?
    public var to: Date?
    public var action: String?
    public var limit: Int
    /// Entries to skip first (paging).
    public var offset = 0
    /// Newest first (what a supervisor reading the trail wants); oldest first otherwise.
    public var newestFirst = false
    public init(staff: String? = nil, customer: String? = nil, center: String? = nil, from: Date? = nil, to: Date? = nil,
                action: String? = nil, limit: Int = 1000) {
        self.staff = staff
        self.customer = customer
        self.center = center
        self.from = from
        self.to = to
        self.action = action
        self.limit = limit
    }
}

/// One broken link found by ``Desk/verifyAudit()``.
public struct AuditProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var node: String
    public var seq: Int
    /// The entry's id when it is there (nil for a missing entry).
    public var entry: String?
    public var problem: String
    public var description: String { "\(entry ?? "\(node) #\(seq)"): \(problem)" }
}

/// The result of checking every node's chain.
public struct AuditVerification: Sendable, Codable {
    public var entries: Int
    public var nodes: Int
    public var problems: [AuditProblem]
    public var intact: Bool { problems.isEmpty }
}

extension Desk {
    /// Appends one entry to the replicated, hash-chained audit trail in its own write.
    ///
    /// The entry continues this node's chain (its next sequence number and the hash of its
    /// previous entry), so entries written concurrently at different nodes never break each
    /// other's chains. It is written even for an unknown staff member (a failed login).
    package func recordAudit(_ event: AuditEvent) throws {
        try recordAudit([event])
    }

    /// Appends several entries in one write (a list shown in clear: one entry per record),
    /// in order, continuing this node's chain; returns once they are committed. Entries
    /// that other pages record at the same moment share the transaction
    /// (``AuditCommitter``): one fsync for all of them.
    package func recordAudit(_ events: [AuditEvent]) throws {
        guard !events.isEmpty else { return }
        for e in events where e.action.trimmingWhitespace().isEmpty { throw DeskError.invalid("an audit entry needs an action") }
        try audits.commit(events) { batch in try appendAudit(batch) }
    }

    /// Writes `events` to the chain in one transaction.
    private func appendAudit(_ events: [AuditEvent]) throws {
        let node = replica.id.rawValue
        // The change set's author: the one staff member whose entries these are, or none
        // when several pages' entries share the write (each entry names its own).
        let authors = Set(events.map { $0.staff.flatMap { Col.text($0).text } ?? "(unknown)" })
        let author = authors.count == 1 ? authors.first! : "(audit)"
        try replica.write(author: author) { tx in
            let last = try Row.fetchOne(tx.db.cachedStatement(sql: "SELECT seq, hash FROM audit WHERE node = ? ORDER BY seq DESC LIMIT 1"),
                                        arguments: [node])
            var seq = last?[0] as Int? ?? 0
            var prev = last?[1] as String? ?? ""
            for event in events {
                seq += 1
                let ms = Int64((event.at.timeIntervalSince1970 * 1000).rounded())
                var entry = AuditEntry(id: "\(node)-\(String(format: "%08d", seq))", center: center, node: node, seq: seq,
                                       action: event.action.trimmingWhitespace(), staff: Col.text(event.staff).text,
                                       role: Col.text(event.role).text, record: Col.text(event.record).text, fields: event.fields,
                                       grant: Col.text(event.grant).text, purpose: Col.text(event.purpose).text,
                                       detail: Col.text(event.detail).text, at: Date(timeIntervalSince1970: Double(ms) / 1000),
                                       prev: prev, hash: "")
                entry.hash = entry.computedHash
                prev = entry.hash
                try tx.insert("audit", id: entry.id, [
                    "center": .text(entry.center), "node": .text(node), "seq": .integer(Int64(seq)), "action": .text(entry.action),
                    "staff": Value(entry.staff), "role": Value(entry.role), "record": Value(entry.record),
                    "fields": .text(AuditEntry.encodeFields(entry.fields)), "grant_id": Value(entry.grant),
                    "purpose": Value(entry.purpose), "detail": Value(entry.detail), "at": .integer(ms),
                    "prev": .text(entry.prev), "hash": .text(entry.hash),
                ])
            }
        }
    }

    /// Audit entries matching `query`, oldest first (newest first with `newestFirst`).
    public func auditEntries(_ query: AuditQuery = AuditQuery()) throws -> [AuditEntry] {
        try authorize(.auditRead)
        var (sql, args) = try auditQuery(query, select: "*")
        sql += query.newestFirst ? " ORDER BY at DESC, node DESC, seq DESC" : " ORDER BY at, node, seq"
        sql += " LIMIT \(max(1, query.limit)) OFFSET \(max(0, query.offset))"
        return try replica.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.auditEntry)
        }
    }

    /// How many entries match `query` (its limit and offset aside).
    public func auditCount(_ query: AuditQuery = AuditQuery()) throws -> Int {
        try authorize(.auditRead)
        let (sql, args) = try auditQuery(query, select: "count(*)")
        return try replica.read { db in try Int.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0 }
    }

    private func auditQuery(_ query: AuditQuery, select: String) throws -> (String, [DatabaseValueConvertible]) {
        var sql = "SELECT \(select) FROM audit WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if let s = query.staff { sql += " AND staff = ?"; args.append(s.trimmingWhitespace()) }
        if let c = query.customer { sql += " AND record = ?"; args.append("customer/" + c.trimmingWhitespace()) }
        if let c = query.center { sql += " AND center = ?"; args.append(try CenterCode.validate(c)) }
        if let f = query.from { sql += " AND at >= ?"; args.append(Int64(f.timeIntervalSince1970 * 1000)) }
        if let t = query.to { sql += " AND at < ?"; args.append(Int64(t.timeIntervalSince1970 * 1000)) }
        if let a = query.action { sql += " AND action = ?"; args.append(a.trimmingWhitespace()) }
        return (sql, args)
    }

    /// Checks every node's chain: sequence numbers without gaps from 1, each entry's hash
    /// recomputed from its content, each entry naming its predecessor's hash. Finds an
    /// edited entry, and a removed one unless it was the newest of its node. Then checks
    /// the chain against what reached head office (``AuditAcknowledgements``): an entry
    /// the hub acknowledged that is gone, or whose hash is not the one acknowledged, was
    /// removed or rewritten afterwards — the newest of a chain too, and a rewrite whose
    /// author recomputed the hashes after it.
    public func verifyAudit() throws -> AuditVerification {
        let (rows, acknowledged) = try replica.read { db in
            (try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY node, seq"), try AuditAcknowledgements.load(db))
        }
        let entries = rows.map(Self.auditEntry)
        var problems: [AuditProblem] = []
        let byNode = Dictionary(grouping: entries, by: \.node)
        for node in byNode.keys.sorted() {
            var expectedSeq = 1
            var prevHash = ""
            for e in byNode[node]! {
                if e.seq != expectedSeq {
                    for missing in expectedSeq..<max(expectedSeq, e.seq) {
                        problems.append(AuditProblem(node: node, seq: missing, entry: nil, problem: "entry missing (removed)"))
                    }
                } else if e.prev != prevHash {
                    problems.append(AuditProblem(node: node, seq: e.seq, entry: e.id, problem: "does not follow the previous entry's hash"))
                }
                if e.hash != e.computedHash {
                    problems.append(AuditProblem(node: node, seq: e.seq, entry: e.id, problem: "content does not match its hash (edited)"))
                }
                if e.id != "\(node)-\(String(format: "%08d", e.seq))" {
                    problems.append(AuditProblem(node: node, seq: e.seq, entry: e.id, problem: "id does not match its node and number"))
                }
                expectedSeq = e.seq + 1
                prevHash = e.hash
            }
        }
        for (node, hashes) in acknowledged.sorted(by: { $0.key < $1.key }) {
            let held = Dictionary((byNode[node] ?? []).map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
            var rewritten = false
            for (seq, hash) in hashes.sorted(by: { $0.key < $1.key }) {
                let id = "\(node)-\(String(format: "%08d", seq))"
                guard let e = held[seq] else {
                    // Said more precisely than the chain's "entry missing".
                    problems.removeAll { $0.node == node && $0.seq == seq && $0.entry == nil }
                    problems.append(AuditProblem(node: node, seq: seq, entry: id, problem: "removed after head office acknowledged it"))
                    continue
                }
                guard e.hash != hash else { continue }
                // The first entry that differs was rewritten; the ones after it differ because
                // their chain was recomputed from it.
                problems.append(AuditProblem(node: node, seq: seq, entry: e.id, problem: rewritten
                    ? "re-chained after an earlier entry was rewritten" : "rewritten after head office acknowledged it"))
                rewritten = true
            }
        }
        return AuditVerification(entries: entries.count, nodes: byNode.count, problems: problems)
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(id: row["id"], center: row["center"] ?? "", node: row["node"] ?? "", seq: row["seq"] ?? 0,
                   action: row["action"] ?? "", staff: row["staff"], role: row["role"], record: row["record"],
                   fields: AuditEntry.decodeFields(row["fields"]), grant: row["grant_id"], purpose: row["purpose"],
                   detail: row["detail"], at: Col.date(row["at"]) ?? Date(timeIntervalSince1970: 0),
                   prev: row["prev"] ?? "", hash: row["hash"] ?? "")
    }
}
