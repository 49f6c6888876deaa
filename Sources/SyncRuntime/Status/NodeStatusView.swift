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
        enum CodingKeys: String, CodingKey { case endpoint, keyFingerprint, id }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(endpoint, forKey: .endpoint)
            try c.encode(keyFingerprint, forKey: .keyFingerprint)
            try c.encode(id, forKey: .id)
        }
    }
    public struct Connection: Codable, Sendable {
        /// `connected`, `connecting`, `offline`, `refused`, or `never`.
        public var state: String
        /// Connected (or refused) since; for any other state, the last contact with the hub
        /// (when the node has ever reached it).
        public var since: Date?
        public var lastError: String?
        public var lastErrorAt: Date?
        enum CodingKeys: String, CodingKey { case state, since, lastError, lastErrorAt }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(state, forKey: .state)
            try c.encode(since, forKey: .since)
            try c.encode(lastError, forKey: .lastError)
            try c.encode(lastErrorAt, forKey: .lastErrorAt)
        }
    }
    /// The node's sync daemon (`gatehouse node run`), as its data directory's lock shows it.
    public typealias Daemon = DaemonStatus
    public struct Push: Codable, Sendable {
        public var lastAt: Date?
        /// Local changes the hub has not acknowledged (exact).
        public var pending: Int
        public var oldestPendingAt: Date?
        public var oldestPendingAgeSeconds: Double?
        public var acknowledgedSeq: UInt64
        public var logHead: UInt64
        enum CodingKeys: String, CodingKey { case lastAt, pending, oldestPendingAt, oldestPendingAgeSeconds, acknowledgedSeq, logHead }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lastAt, forKey: .lastAt)
            try c.encode(pending, forKey: .pending)
            try c.encode(oldestPendingAt, forKey: .oldestPendingAt)
            try c.encode(oldestPendingAgeSeconds, forKey: .oldestPendingAgeSeconds)
            try c.encode(acknowledgedSeq, forKey: .acknowledgedSeq)
            try c.encode(logHead, forKey: .logHead)
        }
    }
    public struct Pull: Codable, Sendable {
        public var lastAt: Date?
        public var cursor: UInt64
        /// The hub's log head as last seen, and how far behind it the node was then.
        public var hubHeadAtLastContact: Int64
        public var behindAtLastContact: Int64
        enum CodingKeys: String, CodingKey { case lastAt, cursor, hubHeadAtLastContact, behindAtLastContact }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lastAt, forKey: .lastAt)
            try c.encode(cursor, forKey: .cursor)
            try c.encode(hubHeadAtLastContact, forKey: .hubHeadAtLastContact)
            try c.encode(behindAtLastContact, forKey: .behindAtLastContact)
        }
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
    /// The last of them, with the reason (`customer/cu-…: customer records are never
    /// deleted`), for the problem message.
    var lastQuarantined: String? = nil
    public var conflicts: Conflicts
    public var database: Database
    public var health: Health
    public var problems: [Problem]
    /// The last contact with the hub (not in the JSON: `connection.since` shows it when offline).
    var lastContact: Date?

    enum CodingKeys: String, CodingKey {
        case schema, generatedAt, center, name, replicaID, schemaVersion, hub, connection, daemon, push, pull, refused, quarantined,
             conflicts, database, health, problems
    }

    /// A daemon whose heartbeat (its lock file touched every 5 s) is older than this has
    /// hung or stopped.
    public static let daemonHeartbeatTimeout: TimeInterval = 30

    /// Whether the daemon recorded in `st` is alive: its pid exists (EPERM counts: a
    /// daemon run by another user) and its heartbeat is recent.
    static func daemonAlive(_ st: NodeSyncState, now: Date) -> Bool {
        guard let pid = st.daemonPID, pid > 0 else { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let beat = st.daemonHeartbeatAt else { return false }
        return now.timeIntervalSince(beat) < daemonHeartbeatTimeout
    }

    /// Reads the status of the node in `directory` as of `now`.
    public static func read(_ directory: DataDirectory, thresholds: StatusThresholds = StatusThresholds(), now: Date = Date()) throws -> NodeStatusView {
        try read(Desk.open(directory), thresholds: thresholds, now: now)
    }

    /// Reads the status of the node `desk` has open, as of `now`: for a daemon's pages,
    /// which read it often over the desk they already hold (opening the database again
    /// for every page would prepare its schema again each time).
    public static func read(_ desk: Desk, thresholds: StatusThresholds = StatusThresholds(), now: Date = Date()) throws -> NodeStatusView {
        let directory = desk.directory
        guard !desk.isHub else { throw RuntimeError.configuration("\(directory.url.path) is the hub; use `gatehouse hub status`") }
        let replica = desk.unsafeReplica
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
        // The daemon's lock says whether it lives (and its file's time when it last beat);
        // a directory without one (a daemon of an older version) by the pid and
        // heartbeat it recorded.
        let lock = DaemonLock.probe(directory)
        let lockFresh = lock.beatAt.map { now.timeIntervalSince($0) < daemonHeartbeatTimeout } ?? false
        let hasLock = FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(DaemonLock.fileName).path)
        let running = hasLock ? lock.running && lockFresh : daemonAlive(st, now: now)
        // Without a daemon nothing is connected, whatever the last one (or a one-shot
        // `sync`) left behind; a refusal or "never" stays what it is.
        let state = running ? st.state : (st.state == "refused" || st.state == "never" ? st.state : "offline")
        let lastContact = [st.lastContactAt, st.lastPushAt, st.lastPullAt].compactMap { $0 }.max()
        let oldestAt = pending.oldest.map { Date(timeIntervalSince1970: Double($0.millis) / 1000) }
        var v = NodeStatusView(
            generatedAt: now, center: desk.center, name: desk.config.name, replicaID: replica.id.rawValue,
            schemaVersion: DeskSchema.version,
            hub: Hub(endpoint: desk.config.endpoint, keyFingerprint: desk.config.hubKey.map(Fingerprint.of), id: st.hubID),
            connection: Connection(state: state, since: state == "connected" || state == "refused" ? st.stateSince : (lastContact ?? st.stateSince),
                                   lastError: st.lastError, lastErrorAt: st.lastErrorAt),
            daemon: Daemon(running: running, pid: running ? (hasLock ? lock.pid : st.daemonPID) : nil,
                           heartbeatAt: hasLock ? lock.beatAt : st.daemonHeartbeatAt),
            push: Push(lastAt: st.lastPushAt, pending: pending.count, oldestPendingAt: oldestAt,
                       oldestPendingAgeSeconds: oldestAt.map { max(0, now.timeIntervalSince($0)) }, acknowledgedSeq: acked, logHead: head),
            pull: Pull(lastAt: st.lastPullAt, cursor: cursor, hubHeadAtLastContact: st.hubHeadSeq,
                       behindAtLastContact: max(0, st.hubHeadSeq - st.pullCursorAtContact)),
            refused: refused, quarantined: quarantined,
            conflicts: Conflicts(open: open.count, needsReview: open.filter(\.entry.needsReview).count),
            database: Database(path: directory.databasePath, bytes: bytes), health: .ok, problems: [])
        v.lastContact = lastContact
        if quarantined > 0 {
            v.lastQuarantined = try replica.read { db in
                try String.fetchOne(db, sql: "SELECT tbl || '/' || rid || ': ' || reason FROM _rep_quarantine ORDER BY rowid DESC LIMIT 1")
            }
        }
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
            let offline = now.timeIntervalSince(lastContact ?? now)
            if lastContact == nil { p.append(Problem(.warning, "never synchronized with the hub")) }
            else if offline >= t.offlineCritical { p.append(Problem(.critical, "no contact with the hub for \(Ages.describe(offline))")) }
            else if offline >= t.offlineWarning { p.append(Problem(.warning, "no contact with the hub for \(Ages.describe(offline))")) }
        }
        if pull.behindAtLastContact >= t.lagCritical { p.append(Problem(.critical, "\(pull.behindAtLastContact) hub changes behind at last contact")) }
        else if pull.behindAtLastContact >= t.lagWarning { p.append(Problem(.warning, "\(pull.behindAtLastContact) hub changes behind at last contact")) }
        if !refused.isEmpty { p.append(Problem(.warning, "the hub refused \(refused.count) record(s)")) }
        if quarantined > 0 { p.append(Problem(.warning, "\(quarantined) record(s) from the hub kept out" + (lastQuarantined.map { "; last: \($0)" } ?? ""))) }
        if conflicts.needsReview > 0 { p.append(Problem(.warning, "\(conflicts.needsReview) conflict(s) awaiting review")) }
        problems = p
        health = p.map(\.level).max() ?? .ok
    }
}
