import Foundation
import Replication
import ServiceDesk

/// `gatehouse hub status`: one row per enrolled node, with a summary. JSON schema
/// `gatehouse.hub-status/1` (README, "Monitoring").
public struct HubStatusView: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var center: String
        public var replicaID: String?
        public var keyFingerprint: String
        /// `connected`, `offline`, `refused` (revoked or refused), or `never`.
        public var state: String
        /// Head office revoked this key.
        public var revoked: Bool
        public var lastSeen: Date?
        public var offlineSeconds: Double?
        public var lastPushSeq: Int64
        public var lastPushAt: Date?
        /// What the node reported waiting on its side.
        public var backlog: Int64
        public var oldestPendingAt: Date?
        /// Hub log positions in the node's scope not yet applied by it.
        public var pullLag: Int
        public var pullCursor: Int64
        public var refusedRecords: Int64
        public var lastError: String?
        public var lastErrorAt: Date?
        public var openConflicts: Int
        /// Behind: backlog, pull lag or the age of the oldest waiting change at or past a
        /// warning threshold.
        public var lagging: Bool
        public var health: Health
        public var problems: [Problem]
        /// The last record the hub refused from this node, with the reason
        /// (`staff/admin-HQ: staff of center HQ refused from a node of C001`), for the
        /// problem message.
        var lastRefusal: String? = nil
        /// A revoked key whose center has another, unrevoked key: history, not an alarm,
        /// and left out of the summary.
        var retired = false

        enum CodingKeys: String, CodingKey {
            case center, replicaID, keyFingerprint, state, revoked, lastSeen, offlineSeconds, lastPushSeq, lastPushAt, backlog,
                 oldestPendingAt, pullLag, pullCursor, refusedRecords, lastError, lastErrorAt, openConflicts, lagging, health, problems
        }

        // Every key always present, null when unknown: a stable schema for scripts.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(center, forKey: .center)
            try c.encode(replicaID, forKey: .replicaID)
            try c.encode(keyFingerprint, forKey: .keyFingerprint)
            try c.encode(state, forKey: .state)
            try c.encode(revoked, forKey: .revoked)
            try c.encode(lastSeen, forKey: .lastSeen)
            try c.encode(offlineSeconds, forKey: .offlineSeconds)
            try c.encode(lastPushSeq, forKey: .lastPushSeq)
            try c.encode(lastPushAt, forKey: .lastPushAt)
            try c.encode(backlog, forKey: .backlog)
            try c.encode(oldestPendingAt, forKey: .oldestPendingAt)
            try c.encode(pullLag, forKey: .pullLag)
            try c.encode(pullCursor, forKey: .pullCursor)
            try c.encode(refusedRecords, forKey: .refusedRecords)
            try c.encode(lastError, forKey: .lastError)
            try c.encode(lastErrorAt, forKey: .lastErrorAt)
            try c.encode(openConflicts, forKey: .openConflicts)
            try c.encode(lagging, forKey: .lagging)
            try c.encode(health, forKey: .health)
            try c.encode(problems, forKey: .problems)
        }
    }
    public struct Summary: Codable, Sendable {
        public var nodes: Int
        public var healthy: Int
        public var lagging: Int
        public var offline: Int
        public var refused: Int
    }

    public var schema = "gatehouse.hub-status/1"
    public var generatedAt: Date
    public var hubID: String
    public var endpoint: String?
    public var logHead: UInt64
    public var nodes: [Row]
    public var summary: Summary
    public var health: Health

    enum CodingKeys: String, CodingKey { case schema, generatedAt, hubID, endpoint, logHead, nodes, summary, health }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(generatedAt, forKey: .generatedAt)
        try c.encode(hubID, forKey: .hubID)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(logHead, forKey: .logHead)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(summary, forKey: .summary)
        try c.encode(health, forKey: .health)
    }

    /// A row still "connected" with no word from its node for this long is offline: the
    /// hub stopped without closing its sessions, or the session is dead (nodes ping every
    /// few seconds).
    public static let staleAfter: TimeInterval = 120

    /// Which rows to show.
    public struct Filter: Sendable {
        public var offlineOnly = false
        public var laggingOnly = false
        public var center: String?
        public init() {}
    }

    public static func read(_ directory: DataDirectory, thresholds: StatusThresholds = StatusThresholds(), filter: Filter = Filter(),
                            now: Date = Date()) throws -> HubStatusView {
        try read(Desk.open(directory), thresholds: thresholds, filter: filter, now: now)
    }

    /// Reads every node's status from the hub `desk` has open, as of `now` (the console's
    /// pages, over the desk they already hold).
    public static func read(_ desk: Desk, thresholds: StatusThresholds = StatusThresholds(), filter: Filter = Filter(),
                            now: Date = Date()) throws -> HubStatusView {
        let directory = desk.directory
        guard desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is a center's node; use `gatehouse status`") }
        let registry = try NodeRegistry(desk.unsafeReplica.database)
        let replica = desk.unsafeReplica
        let openConflicts = try replica.conflicts(openOnly: true)
        var rows: [Row] = []
        let nodes = try registry.nodes()
        let centersWithKeys = Set(nodes.filter { !$0.isRevoked }.map(\.center))
        for n in nodes {
            var lag = 0
            if let id = n.replicaID.flatMap(ReplicaID.init(rawValue:)) {
                lag = try replica.pendingSummary(for: id, scope: .centers([n.center])).count
            }
            let conflicts = try openConflictsOf(center: n.center, openConflicts, replica)
            var state = n.isRevoked ? "refused" : n.state
            if state == "connected", let seen = n.lastSeen, now.timeIntervalSince(seen) >= staleAfter { state = "offline" }
            // Offline since the last word from the node; a node that never connected, since
            // it was enrolled.
            let offline = state == "connected" ? nil : now.timeIntervalSince(n.lastSeen ?? n.enrolledAt)
            var row = Row(center: n.center, replicaID: n.replicaID, keyFingerprint: Fingerprint.of(n.publicKey), state: state,
                          revoked: n.isRevoked, lastSeen: n.lastSeen, offlineSeconds: offline.map { max(0, $0) },
                          lastPushSeq: n.lastPushSeq, lastPushAt: n.lastPushAt,
                          backlog: n.backlog, oldestPendingAt: n.oldestPendingAt, pullLag: lag, pullCursor: n.pullCursor,
                          refusedRecords: n.refusedRecords, lastError: n.lastError, lastErrorAt: n.lastErrorAt,
                          openConflicts: conflicts, lagging: false, health: .ok, problems: [])
            row.retired = n.isRevoked && centersWithKeys.contains(n.center)
            if n.refusedRecords > 0, let id = n.replicaID {
                row.lastRefusal = try replica.read { db in
                    try String.fetchOne(db, sql: "SELECT tbl || '/' || rid || ': ' || reason FROM _rep_quarantine WHERE peer = ? ORDER BY rowid DESC LIMIT 1",
                                        arguments: [id])
                }
            }
            row.assess(thresholds, now: now)
            rows.append(row)
        }
        let all = rows.filter { !$0.retired }
        if let c = filter.center {
            let code = try CenterCode.validate(c)
            rows = rows.filter { $0.center == code }
        }
        if filter.offlineOnly { rows = rows.filter { $0.state != "connected" } }
        if filter.laggingOnly { rows = rows.filter(\.lagging) }
        let summary = Summary(nodes: all.count, healthy: all.filter { $0.health == .ok }.count,
                              lagging: all.filter(\.lagging).count,
                              offline: all.filter { $0.state == "offline" || $0.state == "never" }.count,
                              refused: all.filter { $0.state == "refused" }.count)
        return HubStatusView(generatedAt: now, hubID: replica.id.rawValue, endpoint: desk.config.endpoint,
                             logHead: try replica.localClock().sequence, nodes: rows, summary: summary,
                             health: rows.map(\.health).max() ?? .ok)
    }

    static func openConflictsOf(center: String, _ all: [ConflictRecord], _ replica: Replica) throws -> Int {
        var n = 0
        for c in all {
            if let s = try replica.state(c.table, id: c.recordID), replica.scope(of: s) == center { n += 1 }
        }
        return n
    }
}

extension HubStatusView.Row {
    mutating func assess(_ t: StatusThresholds, now: Date) {
        var p: [Problem] = []
        let pendingAge = backlog > 0 ? oldestPendingAt.map { max(0, now.timeIntervalSince($0)) } : nil
        lagging = !revoked && (backlog >= Int64(t.backlogWarning) || Int64(pullLag) >= t.lagWarning
            || (pendingAge ?? 0) >= t.pendingAgeWarning)
        if revoked {
            // Cut off on purpose; an alarm only while the center has no other key to sync with.
            if !retired { p.append(Problem(.critical, "key revoked: \(center) cannot sync until a new key is enrolled")) }
        } else {
            if state == "refused" { p.append(Problem(.critical, "refused: \(lastError ?? "see the hub's log")")) }
            if state == "never" {
                let off = offlineSeconds ?? 0
                p.append(Problem(off >= t.offlineCritical ? .critical : .warning, "enrolled \(Ages.describe(off)) ago, never connected"))
            } else if let off = offlineSeconds, state == "offline" {
                if off >= t.offlineCritical { p.append(Problem(.critical, "offline for \(Ages.describe(off))")) }
                else if off >= t.offlineWarning { p.append(Problem(.warning, "offline for \(Ages.describe(off))")) }
            }
            if backlog >= Int64(t.backlogCritical) { p.append(Problem(.critical, "\(backlog) changes waiting at the node")) }
            else if backlog >= Int64(t.backlogWarning) { p.append(Problem(.warning, "\(backlog) changes waiting at the node")) }
            if let age = pendingAge {
                if age >= t.pendingAgeCritical { p.append(Problem(.critical, "oldest change at the node waiting for \(Ages.describe(age))")) }
                else if age >= t.pendingAgeWarning { p.append(Problem(.warning, "oldest change at the node waiting for \(Ages.describe(age))")) }
            }
            if Int64(pullLag) >= t.lagCritical { p.append(Problem(.critical, "\(pullLag) hub changes behind")) }
            else if Int64(pullLag) >= t.lagWarning { p.append(Problem(.warning, "\(pullLag) hub changes behind")) }
            if refusedRecords > 0 { p.append(Problem(.warning, "\(refusedRecords) record(s) refused" + (lastRefusal.map { "; last: \($0)" } ?? ""))) }
        }
        problems = p
        health = p.map(\.level).max() ?? .ok
    }
}
