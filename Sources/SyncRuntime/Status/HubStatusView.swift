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

    /// The hub's own server (`gatehouse hub run`), as its data directory's lock shows it.
    public typealias Daemon = DaemonStatus

    public var schema = "gatehouse.hub-status/1"
    public var generatedAt: Date
    public var hubID: String
    public var endpoint: String?
    public var logHead: UInt64
    public var daemon: Daemon
    public var nodes: [Row]
    public var summary: Summary
    public var health: Health
    /// The hub's own problems (its server not running); each node's are in its row.
    public var problems: [Problem]

    enum CodingKeys: String, CodingKey { case schema, generatedAt, hubID, endpoint, logHead, daemon, nodes, summary, health, problems }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(generatedAt, forKey: .generatedAt)
        try c.encode(hubID, forKey: .hubID)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(logHead, forKey: .logHead)
        try c.encode(daemon, forKey: .daemon)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(summary, forKey: .summary)
        try c.encode(health, forKey: .health)
        try c.encode(problems, forKey: .problems)
    }

    /// A server whose lock file has not moved for this long is hung, not serving (it
    /// touches it every 5 s).
    public static let daemonBeatTimeout: TimeInterval = 30

    /// Whether the hub's server runs in `directory`: it holds the lock and beat lately.
    public static func server(_ directory: DataDirectory, now: Date) -> Daemon {
        let h = DaemonLock.probe(directory)
        let fresh = h.beatAt.map { now.timeIntervalSince($0) < daemonBeatTimeout } ?? false
        let running = h.running && fresh
        return Daemon(running: running, pid: h.running ? h.pid : nil, heartbeatAt: h.beatAt)
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

    /// Reads the hub's status as of `now`. With `checkDaemon` (`gatehouse hub status`,
    /// the console) a hub whose server is not running is a problem, and no node counts as
    /// connected to it, whatever its row last said.
    public static func read(_ directory: DataDirectory, thresholds: StatusThresholds = StatusThresholds(), filter: Filter = Filter(),
                            now: Date = Date(), checkDaemon: Bool = false) throws -> HubStatusView {
        try read(Desk.open(directory), thresholds: thresholds, filter: filter, now: now, checkDaemon: checkDaemon)
    }

    /// Reads every node's status from the hub `desk` has open, as of `now` (the console's
    /// pages, over the desk they already hold).
    public static func read(_ desk: Desk, thresholds: StatusThresholds = StatusThresholds(), filter: Filter = Filter(),
                            now: Date = Date(), checkDaemon: Bool = false) throws -> HubStatusView {
        let directory = desk.directory
        let daemon = server(directory, now: now)
        let hubDown = checkDaemon && !daemon.running
        guard desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is a center's node; use `gatehouse status`") }
        let registry = try NodeRegistry(desk.unsafeReplica.database)
        let replica = desk.unsafeReplica
        let conflictsByCenter = try openConflictsByCenter(replica)
        var rows: [Row] = []
        let nodes = try registry.nodes()
        let centersWithKeys = Set(nodes.filter { !$0.isRevoked }.map(\.center))
        // Every bound node's pull lag in one read: from the scope heads for the centers with
        // nothing new, through each center's index range for the others (README,
        // "What a center costs the hub").
        let bound = nodes.enumerated().compactMap { i, n in
            n.replicaID.flatMap(ReplicaID.init(rawValue:)).map { (index: i, peer: $0, center: n.center) }
        }
        var lags = [Int](repeating: 0, count: nodes.count)
        let computed = try replica.pullLags(bound.map { ($0.peer, $0.center) })
        for (b, lag) in zip(bound, computed) { lags[b.index] = lag }
        for (i, n) in nodes.enumerated() {
            let lag = lags[i]
            let conflicts = conflictsByCenter[n.center] ?? 0
            var state = n.isRevoked ? "refused" : n.state
            if state == "connected", hubDown || (n.lastSeen.map { now.timeIntervalSince($0) >= staleAfter } ?? false) { state = "offline" }
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
        var problems: [Problem] = []
        if hubDown {
            // Down for longer than a node may be offline: critical; since when, the lock
            // file's last beat says (unknown: the server never ran with this version).
            let down = daemon.heartbeatAt.map { max(0, now.timeIntervalSince($0)) }
            let level: Health = (down ?? 0) >= thresholds.offlineCritical ? .critical : .warning
            let what = "the hub's sync server is not running (gatehouse hub run)" + (down.map { "; last seen \(Ages.describe($0)) ago" } ?? "")
            problems.append(Problem(level, what))
        }
        return HubStatusView(generatedAt: now, hubID: replica.id.rawValue, endpoint: desk.config.endpoint,
                             logHead: try replica.localClock().sequence, daemon: daemon, nodes: rows, summary: summary,
                             health: (rows.map(\.health) + problems.map(\.level)).max() ?? .ok, problems: problems)
    }

    /// Open conflicts per center: each record with one is loaded once, whatever the
    /// number of nodes.
    static func openConflictsByCenter(_ replica: Replica) throws -> [String: Int] {
        var n: [String: Int] = [:]
        for c in try replica.conflicts(openOnly: true) {
            if let s = try replica.state(c.table, id: c.recordID), let center = replica.scope(of: s) { n[center, default: 0] += 1 }
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
