import Foundation
import GRDB
import Replication
import ServiceDesk

/// `gatehouse status` at a center: everything read from the node's database, so it works
/// while the daemon is down. The JSON form is the documented schema
/// `gatehouse.node-status/1` (README, "Monitoring").
public struct NodeStatusView: Codable, Sendable {
    public struct Hub: Codable, Sendable {
        public var endpoint: String?
        public var keyFingerprint: String?
        public var id: String?
    }
    public struct Connection: Codable, Sendable {
        /// `connected`, `connecting`, `offline`, `refused`, or `never`.
        public var state: String
        public var since: Date?
        public var lastError: String?
        public var lastErrorAt: Date?
    }
    public struct Daemon: Codable, Sendable {
        public var running: Bool
        public var pid: Int32?
        public var heartbeatAt: Date?
    }
    public struct Push: Codable, Sendable {
        public var lastAt: Date?
        /// Local changes the hub has not acknowledged (exact).
        public var pending: Int
        public var oldestPendingAt: Date?
        public var oldestPendingAgeSeconds: Double?
        public var acknowledgedSeq: UInt64
        public var logHead: UInt64
    }
    public struct Pull: Codable, Sendable {
        public var lastAt: Date?
        public var cursor: UInt64
        /// The hub's log head as last seen, and how far behind it the node was then.
        public var hubHeadAtLastContact: Int64
        public var behindAtLastContact: Int64
    }
    public struct Conflicts: Codable, Sendable {
        public var open: Int
        public var needsReview: Int
    }
    public struct Database: Codable, Sendable {
        public var path: String
        public var bytes: Int64
    }

    public var schema = "gatehouse.node-status/1"
    public var generatedAt: Date
    public var center: String
    public var name: String
    public var replicaID: String
    public var schemaVersion: Int
    public var hub: Hub
    public var connection: Connection
    public var daemon: Daemon
    public var push: Push
    public var pull: Pull
    public var refused: [NodeRefusal]
    /// Records from the hub this node kept out (its quarantine).
    public var quarantined: Int
    public var conflicts: Conflicts
    public var database: Database
    public var health: Health
    public var problems: [Problem]

    /// Reads the status of the node in `directory` as of `now`.
    public static func read(_ directory: DataDirectory, thresholds: StatusThresholds = StatusThresholds(), now: Date = Date()) throws -> NodeStatusView {
        let desk = try Desk.open(directory)
        guard !desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is the hub; use `gatehouse hub status`") }
        let replica = desk.replica
        let store = try NodeSyncStore(replica.database)
        let st = try store.load()
        let hubID = st.hubID.flatMap(ReplicaID.init(rawValue:))
        let head = try replica.localClock().sequence
        let acked = try hubID.map { try replica.acknowledgedCursor(of: $0) } ?? 0
        let pending = try hubID.map { try replica.pendingSummary(for: $0) } ?? replica.pendingSummary(for: nil)
        let cursor = try hubID.map { try replica.receivedCursor(from: $0) } ?? 0
        let open = try replica.conflicts(openOnly: true)
        let quarantined = try replica.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM _rep_quarantine") ?? 0 }
        let refused = try store.refusals()
        var bytes: Int64 = 0
        for suffix in ["", "-wal", "-shm"] {
            bytes += ((try? FileManager.default.attributesOfItem(atPath: directory.databasePath + suffix)[.size]) as? Int64) ?? 0
        }
        let running = st.daemonPID.map { kill($0, 0) == 0 } ?? false
        let oldestAt = pending.oldest.map { Date(timeIntervalSince1970: Double($0.millis) / 1000) }
        var v = NodeStatusView(
            generatedAt: now, center: desk.center, name: desk.config.name, replicaID: replica.id.rawValue,
            schemaVersion: DeskSchema.version,
            hub: Hub(endpoint: desk.config.endpoint, keyFingerprint: desk.config.hubKey.map(Fingerprint.of), id: st.hubID),
            connection: Connection(state: running ? st.state : (st.state == "refused" ? "refused" : (st.state == "never" ? "never" : "offline")),
                                   since: st.stateSince, lastError: st.lastError, lastErrorAt: st.lastErrorAt),
            daemon: Daemon(running: running, pid: running ? st.daemonPID : nil, heartbeatAt: st.daemonHeartbeatAt),
            push: Push(lastAt: st.lastPushAt, pending: pending.count, oldestPendingAt: oldestAt,
                       oldestPendingAgeSeconds: oldestAt.map { max(0, now.timeIntervalSince($0)) }, acknowledgedSeq: acked, logHead: head),
            pull: Pull(lastAt: st.lastPullAt, cursor: cursor, hubHeadAtLastContact: st.hubHeadSeq,
                       behindAtLastContact: max(0, st.hubHeadSeq - st.pullCursorAtContact)),
            refused: refused, quarantined: quarantined,
            conflicts: Conflicts(open: open.count, needsReview: open.filter(\.entry.needsReview).count),
            database: Database(path: directory.databasePath, bytes: bytes), health: .ok, problems: [])
        v.assess(thresholds, now: now)
        return v
    }

    mutating func assess(_ t: StatusThresholds, now: Date) {
        var p: [Problem] = []
        if hub.endpoint == nil { p.append(Problem(.warning, "no hub configured (gatehouse node connect)")) }
        if connection.state == "refused" { p.append(Problem(.critical, "the hub refused this node: \(connection.lastError ?? "see the hub's log")")) }
        if hub.endpoint != nil && !daemon.running { p.append(Problem(.warning, "the sync daemon is not running (gatehouse node run)")) }
        if push.pending >= t.backlogCritical { p.append(Problem(.critical, "\(push.pending) changes waiting to go out")) }
        else if push.pending >= t.backlogWarning { p.append(Problem(.warning, "\(push.pending) changes waiting to go out")) }
        if let age = push.oldestPendingAgeSeconds, push.pending > 0 {
            if age >= t.pendingAgeCritical { p.append(Problem(.critical, "oldest change waiting for \(Ages.describe(age))")) }
            else if age >= t.pendingAgeWarning { p.append(Problem(.warning, "oldest change waiting for \(Ages.describe(age))")) }
        }
        if hub.endpoint != nil, connection.state != "connected" {
            let last = [push.lastAt, pull.lastAt].compactMap { $0 }.max()
            let offline = now.timeIntervalSince(last ?? connection.since ?? now)
            if last == nil && push.pending > 0 { p.append(Problem(.warning, "never synchronized with the hub")) }
            else if offline >= t.offlineCritical { p.append(Problem(.critical, "no contact with the hub for \(Ages.describe(offline))")) }
            else if offline >= t.offlineWarning { p.append(Problem(.warning, "no contact with the hub for \(Ages.describe(offline))")) }
        }
        if pull.behindAtLastContact >= t.lagCritical { p.append(Problem(.critical, "\(pull.behindAtLastContact) hub changes behind at last contact")) }
        else if pull.behindAtLastContact >= t.lagWarning { p.append(Problem(.warning, "\(pull.behindAtLastContact) hub changes behind at last contact")) }
        if !refused.isEmpty { p.append(Problem(.warning, "the hub refused \(refused.count) record(s)")) }
        if quarantined > 0 { p.append(Problem(.warning, "\(quarantined) record(s) from the hub kept out")) }
        if conflicts.needsReview > 0 { p.append(Problem(.warning, "\(conflicts.needsReview) conflict(s) awaiting review")) }
        problems = p
        health = p.map(\.level).max() ?? .ok
    }
}
