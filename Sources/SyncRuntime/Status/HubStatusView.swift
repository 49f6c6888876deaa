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
        public var health: Health
        public var problems: [Problem]
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

    /// Which rows to show.
    public struct Filter: Sendable {
        public var offlineOnly = false
        public var laggingOnly = false
        public var center: String?
        public init() {}
    }

    public static func read(_ directory: DataDirectory, thresholds: StatusThresholds = StatusThresholds(), filter: Filter = Filter(),
                            now: Date = Date()) throws -> HubStatusView {
        let desk = try Desk.open(directory)
        guard desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is a center's node; use `gatehouse status`") }
        let registry = try NodeRegistry(desk.replica.database)
        let replica = desk.replica
        let openConflicts = try replica.conflicts(openOnly: true)
        var rows: [Row] = []
        for n in try registry.nodes() {
            var lag = 0
            if let id = n.replicaID.flatMap(ReplicaID.init(rawValue:)) {
                lag = try replica.pendingSummary(for: id, scope: .centers([n.center])).count
            }
            let conflicts = try openConflictsOf(center: n.center, openConflicts, replica)
            let state = n.isRevoked ? "refused" : n.state
            let offline = state == "connected" ? nil : n.lastSeen.map { now.timeIntervalSince($0) }
            var row = Row(center: n.center, replicaID: n.replicaID, keyFingerprint: Fingerprint.of(n.publicKey), state: state,
                          lastSeen: n.lastSeen, offlineSeconds: offline, lastPushSeq: n.lastPushSeq, lastPushAt: n.lastPushAt,
                          backlog: n.backlog, oldestPendingAt: n.oldestPendingAt, pullLag: lag, pullCursor: n.pullCursor,
                          refusedRecords: n.refusedRecords, lastError: n.lastError, lastErrorAt: n.lastErrorAt,
                          openConflicts: conflicts, health: .ok, problems: [])
            row.assess(thresholds, revoked: n.isRevoked, now: now)
            rows.append(row)
        }
        let all = rows
        if let c = filter.center {
            let code = try CenterCode.validate(c)
            rows = rows.filter { $0.center == code }
        }
        if filter.offlineOnly { rows = rows.filter { $0.state != "connected" } }
        if filter.laggingOnly { rows = rows.filter(\.isLagging) }
        let summary = Summary(nodes: all.count, healthy: all.filter { $0.health == .ok }.count,
                              lagging: all.filter(\.isLagging).count,
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
    var isLagging: Bool { problems.contains { $0.message.contains("behind") || $0.message.contains("waiting") } }

    mutating func assess(_ t: StatusThresholds, revoked: Bool, now: Date) {
        var p: [Problem] = []
        if revoked { p.append(Problem(.warning, "key revoked")) }
        else if state == "refused" { p.append(Problem(.critical, "refused: \(lastError ?? "see the hub's log")")) }
        if !revoked {
            if state == "never" { p.append(Problem(.warning, "enrolled but never connected")) }
            if let off = offlineSeconds, state != "never" {
                if off >= t.offlineCritical { p.append(Problem(.critical, "offline for \(Ages.describe(off))")) }
                else if off >= t.offlineWarning { p.append(Problem(.warning, "offline for \(Ages.describe(off))")) }
            }
            if backlog >= Int64(t.backlogCritical) { p.append(Problem(.critical, "\(backlog) changes waiting at the node")) }
            else if backlog >= Int64(t.backlogWarning) { p.append(Problem(.warning, "\(backlog) changes waiting at the node")) }
            if Int64(pullLag) >= t.lagCritical { p.append(Problem(.critical, "\(pullLag) hub changes behind")) }
            else if Int64(pullLag) >= t.lagWarning { p.append(Problem(.warning, "\(pullLag) hub changes behind")) }
            if refusedRecords > 0 { p.append(Problem(.warning, "\(refusedRecords) record(s) refused")) }
        }
        problems = p
        health = p.map(\.level).max() ?? .ok
    }
}
