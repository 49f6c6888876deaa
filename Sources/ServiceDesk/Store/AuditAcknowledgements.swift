import GRDB

/// The audit entries known to have reached head office, with the hash each had then: the
/// anchor that lets ``Desk/verifyAudit()`` find an entry rewritten or removed after it
/// reached the hub — even the newest of its chain, and even when whoever rewrote it
/// recomputed the hashes after it (which the chain alone cannot tell).
///
/// - At the hub, each push that carried a node's audit entries records them, in the same
///   transaction as the push: the hub's copy of that node's chain is the authoritative
///   one (nobody may rewrite or delete an audit entry through sync, SPEC §13.1), and its
///   head is the head the hub acknowledged.
/// - At a node, each ACK records the node's own entries logged up to the position the
///   hub committed: what the node knows head office holds.
///
/// A local table (`_audit_acknowledged`), never replicated. The first hash recorded for an
/// entry stays: a later, different one is what verification reports. Root on the machine
/// can edit this table too; the hub's copy is what it cannot reach.
public enum AuditAcknowledgements {
    static let create = """
        CREATE TABLE IF NOT EXISTS _audit_acknowledged (
          node TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, at INTEGER NOT NULL,
          PRIMARY KEY (node, seq)) WITHOUT ROWID
        """

    /// At a node: the hub committed the node's log up to `position`, so every entry of
    /// `node`'s chain logged up to there reached it. Returns the entries newly recorded.
    /// (`_rep_audit` is the audit table's storage, whose `_seq` is the log position.)
    @discardableResult
    public static func committed(_ db: Database, node: String, upToLogPosition position: UInt64, atMillis: Int64) throws -> Int {
        try db.execute(sql: create)
        try db.execute(sql: """
            INSERT OR IGNORE INTO _audit_acknowledged(node, seq, hash, at)
            SELECT node, seq, hash, ? FROM _rep_audit
            WHERE node = ? AND _del = 0 AND _seq <= ?
              AND seq > (SELECT coalesce(max(seq), 0) FROM _audit_acknowledged WHERE node = ?)
            """, arguments: [atMillis, node, Int64(clamping: position), node])
        return db.changesCount
    }

    /// At the hub: a push from `node` committed; every entry of its chain the hub holds is
    /// acknowledged. Returns the entries newly recorded.
    @discardableResult
    public static func held(_ db: Database, node: String, atMillis: Int64) throws -> Int {
        try committed(db, node: node, upToLogPosition: UInt64(Int64.max), atMillis: atMillis)
    }

    /// The acknowledged hashes by node and sequence number (empty where none were).
    static func load(_ db: Database) throws -> [String: [Int: String]] {
        guard try db.tableExists("_audit_acknowledged") else { return [:] }
        var out: [String: [Int: String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT node, seq, hash FROM _audit_acknowledged") {
            out[row[0], default: [:]][row[1]] = row[2]
        }
        return out
    }

    /// The head each node's chain had when it last reached head office: (sequence number,
    /// hash), by node.
    public static func heads(_ db: Database) throws -> [String: (seq: Int, hash: String)] {
        guard try db.tableExists("_audit_acknowledged") else { return [:] }
        var out: [String: (seq: Int, hash: String)] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT a.node, a.seq, a.hash FROM _audit_acknowledged a
            WHERE a.seq = (SELECT max(seq) FROM _audit_acknowledged b WHERE b.node = a.node)
            """) {
            out[row[0]] = (row[1], row[2])
        }
        return out
    }
}
