import Foundation
import Logging
import Replication
@testable import ServiceDesk
import Testing
@testable import SyncProtocol

/// A randomized hostile node (issue 14, "Proof"): C003's node, with root on its machine,
/// pushes generated records and tombstones for other centers, head office's tables,
/// staff, grants and audit entries — written through its own replication engine (any id,
/// any center, any table) or forged outright from stolen copies of other centers' records
/// (edits, moves, tombstones, other replicas' dots, clocks far ahead). Every batch goes
/// over the wire encoding and is applied as the hub applies a PUSH
/// (`Replica.apply(_:from:sender:)` with the node's enrollment).
///
/// After the attack, every record at the hub that is not C003's — the other centers',
/// head office's and the shared ones — is exactly as it was, the honest nodes receive
/// nothing new and stay exactly as they were, every other audit chain at the hub is intact, and
/// C003's own honest writes did get through (the rules refuse the attack, not the node).
///
/// GATEHOUSE_HOSTILE_SEEDS sets the number of seeds (default 24; 1,000 pass in a soak), GATEHOUSE_HOSTILE_FIRST
/// the first one, for soak runs over fresh seeds.
@Suite struct HostileNodeSimulationTests {
    static let env = ProcessInfo.processInfo.environment
    static let seeds = env["GATEHOUSE_HOSTILE_SEEDS"].flatMap(Int.init) ?? 24
    static let first = env["GATEHOUSE_HOSTILE_FIRST"].flatMap(UInt64.init) ?? 1
    static let shards = 4

    @Test(arguments: 0..<shards)
    func aHostileNodeChangesNothingOfAnyoneElse(shard: Int) throws {
        var failing: [String] = []
        for i in stride(from: shard, to: Self.seeds, by: Self.shards) {
            let seed = Self.first + UInt64(i)
            let problems = try HostileWorld.run(seed: seed)
            if !problems.isEmpty { failing.append("seed \(seed): " + problems.joined(separator: "; ")) }
        }
        #expect(failing.isEmpty, "\(failing.count) failing seeds (replay with GATEHOUSE_HOSTILE_FIRST=N GATEHOUSE_HOSTILE_SEEDS=1):\n\(failing.joined(separator: "\n"))")
    }
}

/// One seed's world: a hub, two honest centers' nodes, the hostile C003 node.
final class HostileWorld {
    let root: URL
    let hub: Desk, c1: Desk, c2: Desk, evil: Desk
    var rng: SplitMix64
    /// The hostile node's next forged dot counter: far above its engine's own, so forged
    /// writes never collide with real ones.
    var forged: UInt64 = 1 << 40
    /// How far C003's own log has gone to the hub.
    var evilPushed: UInt64 = 0
    var stats = (batches: 0, records: 0, refused: 0, clockAhead: 0)

    static func run(seed: UInt64) throws -> [String] {
        let w = try HostileWorld(seed: seed)
        defer { try? FileManager.default.removeItem(at: w.root) }
        return try w.attack()
    }

    init(seed: UInt64) throws {
        rng = SplitMix64(seed: seed)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gh-hostile-\(seed)-\(UUID().uuidString.prefix(6))")
        self.root = root
        var fast = Replica.Options()
        fast.durable = false
        // Refusals are the point here: not a warning each on stderr.
        fast.logger.logLevel = .critical
        func make(_ name: String, _ role: DirectoryRole, _ center: String) throws -> Desk {
            try Desk.create(in: DataDirectory(path: root.appendingPathComponent(name).path), role: role, center: center,
                            name: "中心\(center)", options: fast)
        }
        hub = try make("hub", .hub, "HQ")
        c1 = try make("c001", .node, "C001")
        c2 = try make("c002", .node, "C002")
        evil = try make("c003", .node, "C003")
    }

    func int(_ n: Int) -> Int { Int(rng.next(below: UInt64(max(1, n)))) }
    func chance(_ percent: Int) -> Bool { int(100) < percent }
    func pick<T>(_ a: [T]) -> T { a[int(a.count)] }

    // MARK: - The honest world

    /// Head office's and the honest centers' data, synchronized everywhere.
    func build() throws {
        try hub.replica.write(author: "admin-HQ") { tx in
            try tx.insert("staff", id: "admin-HQ", ["center": "HQ", "name": "总部管理员", "role": "admin", "password_hash": "hq-hash"])
            try tx.insert("staff", id: "Q001", ["center": "HQ", "name": "质量部", "role": "quality"])
            try tx.insert("staff", id: "E001", ["center": "HQ", "name": "总经理", "role": "executive"])
            try tx.insert("calendar_day", id: "2026-10-01", ["kind": "holiday", "name": "国庆节"])
            try tx.insert("calendar_day", id: "2026-10-08", ["kind": "workday", "name": "调休"])
            try tx.insert("price_item", id: "P-1", ["code": "P1", "name": "疏通下水道", "price": .integer(5000)])
            try tx.insert("customer", id: "hq-c001", ["center": "C001", "name": "总部代登", "phone": "13700000001"])
        }
        try hub.recordAudit(AuditEvent(action: "login", staff: "admin-HQ", role: "admin", at: Date()))
        for (desk, center) in [(c1, "C001"), (c2, "C002"), (evil, "C003")] {
            let c = center.lowercased()
            try desk.replica.write(author: "admin-\(center)") { tx in
                try tx.insert("staff", id: "admin-\(center)", ["center": .text(center), "name": "管理员", "role": "admin", "password_hash": "h"])
                try tx.insert("staff", id: "S-\(c)", ["center": .text(center), "name": "前台", "role": "front_desk"])
                for i in 0..<(2 + int(4)) {
                    try tx.insert("customer", id: "\(c)-cu\(i)", ["center": .text(center), "name": .text("客户\(i)"),
                                                                  "phone": .text("1380000\(1000 + i)")])
                    try tx.insert("ticket", id: "\(c)-t\(i)", ["center": .text(center), "summary": "漏水", "status": "received",
                                                                "reopen_count": .integer(0), "escalated": .integer(0)])
                }
                try tx.insert("data_grant", id: "\(c)-g1", ["center": .text(center), "purpose": "回访核查", "grantee": "Q001", "revoked": .integer(0)])
            }
            for i in 0..<(1 + int(4)) {
                try desk.recordAudit(AuditEvent(action: "view", staff: "S-\(c)", role: "front_desk", record: "customer/\(c)-cu\(i % 2)",
                                                fields: ["phone"], at: Date()))
            }
            _ = try push(desk, center: center)
        }
        evilPushed = try evil.replica.localClock().sequence
        // Head office approves C001's grant (quality, then leadership).
        try hub.replica.write(author: "Q001") { tx in
            try tx.update("data_grant", id: "c001-g1", ["quality_by": "Q001", "quality_at": .integer(1_790_000_000_000),
                                                        "leadership_by": "E001", "leadership_at": .integer(1_790_000_100_000)])
        }
        for (desk, center) in [(c1, "C001"), (c2, "C002"), (evil, "C003")] { try pull(desk, center: center) }
    }

    /// Everything `node` logged since the hub's cursor, over the wire and applied as the hub
    /// applies a PUSH from `center`'s enrolled node.
    @discardableResult
    func push(_ node: Desk, center: String) throws -> ApplyResult {
        let cursor = try hub.replica.receivedCursor(from: node.replica.id)
        let b = try node.replica.changes(after: cursor, scope: .all, for: hub.replica.id, maxCount: 100_000, maxBytes: 64 << 20)
        return try deliver(b, center: center)
    }

    /// Applies a batch as the hub does: encoded as a PUSH, read back (bad records become
    /// refusals), applied with the sender's enrollment.
    func deliver(_ b: ChangeBatch, center: String) throws -> ApplyResult {
        let frames = OutgoingMessage.push(b).frames
        let received = try SyncFraming.decode(frames, maxMessageBytes: 64 << 20)
        guard case .push(let p) = received.message.kind else { throw Unexpected(what: "not a PUSH") }
        let d = try received.decodedChangeSet(p.changes, limits: SyncLimits(maxBatchRecords: 100_000))
        let unreadable = d.rejected.map { Refusal(table: $0.table, id: $0.id, reason: $0.reason) }
        return try hub.replica.apply(d.batch, from: b.origin, sender: .centerNode(b.origin, center: center), unreadable: unreadable)
    }

    struct Unexpected: Error { var what: String }

    /// What the hub sends `node` (its center's records and the shared ones), applied as a
    /// node applies CHANGES.
    func pull(_ node: Desk, center: String) throws {
        let cursor = try node.replica.receivedCursor(from: hub.replica.id)
        let b = try hub.replica.changes(after: cursor, scope: .centers([center]), for: node.replica.id, maxCount: 100_000,
                                        maxBytes: 64 << 20)
        let r = try node.replica.apply(b, from: hub.replica.id, sender: .hub(hub.replica.id, servingCenter: center))
        if !r.refused.isEmpty { throw Unexpected(what: "\(center) refused what the hub sent: \(r.refused)") }
    }

    // MARK: - The attack

    func attack() throws -> [String] {
        try build()
        func notEvil(_ s: RecordState) -> Bool { center(of: s) != "C003" }
        let protectedBefore = try hub.replica.allStates().filter(notEvil)
        let c1Before = try c1.replica.allStates(), c2Before = try c2.replica.allStates()
        let evilOwnBefore = try hub.replica.allStates().filter { !notEvil($0) }.count
        // What root on C003's machine could have seen of other centers: a stolen copy.
        let stolen = protectedBefore

        var problems: [String] = []
        for _ in 0..<(20 + int(40)) {
            var records: [RecordState] = []
            if chance(50) {
                try writeThroughEngine()
                let b = try evil.replica.changes(after: evilPushed, scope: .all, for: hub.replica.id, maxCount: 100_000)
                records = b.records
                evilPushed = b.toSeq
            }
            for _ in 0..<int(6) { if let s = forge(from: stolen + (try evil.replica.allStates())) { records.append(s) } }
            // Positions only move the hub's cursor: any range after it will do.
            let cursor = try hub.replica.receivedCursor(from: evil.replica.id)
            let batch = ChangeBatch(schemaVersion: DeskSchema.version, origin: evil.replica.id, fromSeq: cursor, toSeq: cursor + 1,
                                    records: records, isLast: true)
            stats.batches += 1
            stats.records += records.count
            do {
                stats.refused += try deliver(batch, center: "C003").refused.count
            } catch ReplicationError.clockAhead {
                // A clock far ahead refuses the whole batch (425): nothing of it applied.
                stats.clockAhead += 1
            }
        }
        let protectedAfter = try hub.replica.allStates().filter(notEvil)
        if protectedAfter != protectedBefore {
            let before = Dictionary(protectedBefore.map { ("\($0.table)/\($0.id)", $0) }, uniquingKeysWith: { a, _ in a })
            let changed = protectedAfter.filter { before["\($0.table)/\($0.id)"] != $0 }.map { "\($0.table)/\($0.id)" }
            problems.append("records of other centers, head office or shared changed at the hub: \(changed.prefix(8))"
                + " (\(protectedAfter.count) vs \(protectedBefore.count) records)")
        }
        try pull(c1, center: "C001")
        try pull(c2, center: "C002")
        if try c1.replica.allStates() != c1Before { problems.append("C001's node changed after pulling") }
        if try c2.replica.allStates() != c2Before { problems.append("C002's node changed after pulling") }
        // Every chain but C003's own is intact. C003 may break its own (entries it edited or
        // deleted before they reached the hub): `audit verify` at the hub shows that.
        let broken = try hub.verifyAudit().problems.filter { $0.node != evil.replica.id.rawValue }
        if !broken.isEmpty { problems.append("the hub's audit trail: \(broken.prefix(4))") }
        if stats.refused == 0 { problems.append("nothing was refused: the attack never reached the rules") }
        if try hub.replica.allStates().filter({ !notEvil($0) }).count <= evilOwnBefore {
            problems.append("none of C003's own writes got through")
        }
        return problems
    }

    /// The center a record belongs to (nil: shared).
    func center(of s: RecordState) -> String? {
        s.table == "calendar_day" ? nil : s.slots.first?.values.first?.text
    }

    static let tables = DeskSchema.schema.tables
    static let centers: [Value] = ["C001", "C002", "HQ", "C003", "C003", .null, ""]
    static let roles = ["admin", "front_desk", "quality", "executive", "operations", "center_manager", "technician"]

    /// Writes through C003's own engine, as root can: any table, any id (often one that
    /// exists elsewhere), any center, updates and deletes of what it holds.
    func writeThroughEngine() throws {
        let held = try evil.replica.allStates().filter { !$0.isDeleted }
        let known = ["admin-HQ", "Q001", "E001", "S-c001", "admin-C001", "c001-cu0", "c002-cu1", "c001-t0", "c001-g1", "c002-g1",
                     "2026-10-01", "P-1", "hq-c001", "hub-audit"]
        try evil.replica.write(author: "S-c003") { tx in
            for _ in 0..<(1 + int(4)) {
                switch int(10) {
                case 0..<5:
                    let t = pick(Self.tables)
                    var values: [String: Value] = [:]
                    for f in t.fields where chance(60) { values[f.name] = value(for: f) }
                    if case .column(let c) = t.scope { values[c] = pick(Self.centers) }
                    let id = chance(60) ? pick(known) : "evil-\(rng.next() % 100_000)"
                    _ = try? tx.insert(t.name, id: id, values)
                case 5..<8 where !held.isEmpty:
                    let s = pick(held)
                    guard let t = Self.tables.first(where: { $0.name == s.table }) else { continue }
                    var values: [String: Value] = [:]
                    for f in t.fields where chance(30) { values[f.name] = value(for: f) }
                    try? tx.update(s.table, id: s.id, values)
                case 8 where !held.isEmpty:
                    let s = pick(held)
                    try? tx.delete(s.table, id: s.id)
                default:
                    // An honest write of its own, which must get through.
                    _ = try tx.insert("customer", ["center": "C003", "name": .text("自家客户\(int(1000))")])
                }
            }
        }
        if chance(30) {
            try evil.recordAudit(AuditEvent(action: "view", staff: "S-c003", role: "front_desk", record: "customer/c003-cu0", at: Date()))
        }
    }

    func value(for f: Field) -> Value {
        if f.name == "role" { return .text(pick(Self.roles)) }
        if f.name.hasSuffix("_by") { return pick(["Q001", "E001", "S-c003", "admin-HQ"]) }
        switch f.type {
        case .integer: return chance(20) ? .null : .integer(pick([0, 1, 2, Int64.max, -1, 1_790_000_000_000]))
        case .real: return .real(Double(int(1000)))
        case .blob: return .blob([1, 2, 3])
        case .text: return chance(10) ? .null : .text(pick(["张三", "篡改", "13812345678", "C001", "HQ", ""]))
        }
    }

    /// A forged state: a stolen or held record edited, moved, tombstoned, or carrying
    /// another replica's dot or a clock far ahead; nil when the pick has nothing to forge.
    func forge(from pool: [RecordState]) -> RecordState? {
        guard !pool.isEmpty else { return nil }
        var s = pick(pool)
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        // Whose dot: usually C003's own (forged counter), sometimes another replica's.
        let who: ReplicaID = chance(80) ? evil.replica.id : pick([hub.replica.id, c1.replica.id, c2.replica.id])
        forged += 1
        let counter = who == evil.replica.id ? forged : s.vector[who] + 1 + UInt64(int(3))
        let ahead = chance(5) ? UInt64(10 * 60 * 1000) : 0
        let clock = Clock(dot: Dot(replica: who, counter: counter), hlc: HLCTimestamp(millis: now + ahead, logical: 0), author: "S-c003")
        s.vector.raise(who, to: counter)
        switch int(10) {
        case 0, 1:
            s.deletion = clock
        case 2, 3:
            // Move it to C003 (or to another center).
            guard center(of: s) != nil || chance(50) else { return nil }
            s.slots[0] = SlotState(values: [pick(Self.centers)], clock: clock)
        case 4:
            // A replay, unchanged.
            s = pick(pool)
        default:
            let editable = s.slots.indices.filter { $0 > 0 && s.slots[$0].elements == nil }
            guard let i = editable.randomElement(using: &rng) else { return nil }
            let old = s.slots[i].values
            let values: [Value] = old.map { v in
                switch v {
                case .integer: return .integer(Int64(int(1_000_000)))
                case .text: return .text(pick(["篡改", "S-c003", "admin", "quality", "C003"]))
                default: return chance(50) ? .text("篡改") : .integer(1)
                }
            }
            s.slots[i] = SlotState(values: values, clock: clock)
        }
        return s
    }
}
