import Replication
import SyncProtocol

/// A monotonic instant the tests move by hand.
struct TestInstant: InstantProtocol, CustomStringConvertible {
    var offset: Duration
    static let zero = TestInstant(offset: .zero)
    func advanced(by d: Duration) -> TestInstant { TestInstant(offset: offset + d) }
    func duration(to other: TestInstant) -> Duration { other.offset - offset }
    static func < (a: TestInstant, b: TestInstant) -> Bool { a.offset < b.offset }
    var description: String { "t+\(offset)" }
}

/// A mock clock: `now` moves only when a test advances it.
struct MockClock {
    var now = TestInstant.zero
    mutating func advance(_ d: Duration) { now = now.advanced(by: d) }
}

/// SplitMix64: deterministic randomness for jitter.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func rid(_ s: String) -> ReplicaID { ReplicaID(rawValue: s)! }

let nodeA = rid("c001-node")
let hubR = rid("hub-main")
let keyA = "keyA-z85-public-key-of-node-c001-000000"

/// A record with every feature of `RecordState`: several value kinds, an add-wins set,
/// open conflicts (slot siblings), settled ones (history), optionally a tombstone.
func sampleRecord(id: String = "T-1", deleted: Bool = false, counter: UInt64 = 3) -> RecordState {
    let c1 = Clock(dot: Dot(replica: nodeA, counter: 1), hlc: HLCTimestamp(millis: 1_700_000_000_000, logical: 0), author: "anna")
    let c2 = Clock(dot: Dot(replica: hubR, counter: 2), hlc: HLCTimestamp(millis: 1_700_000_000_100, logical: 3))
    let c3 = Clock(dot: Dot(replica: nodeA, counter: counter), hlc: HLCTimestamp(millis: 1_700_000_000_200, logical: 1), author: "boris")
    let vector = VersionVector([hubR: 2, nodeA: counter])
    return RecordState(
        table: "ticket", id: id, vector: vector,
        slots: [
            SlotState(values: ["leaking tap", .integer(-42)], clock: c1),
            SlotState(values: [.real(12.5)], clock: c2, siblings: [Sibling(values: [.integer(12)], clock: c1)]),
            SlotState(values: [.null], clock: nil),
            SlotState(values: [.blob([0, 1, 255])], clock: c3,
                      siblings: [Sibling(values: [.null], clock: c1), Sibling(values: [.blob([9])], clock: c2)]),
            SlotState(values: [SetCodec.encode(["urgent", "vip"])], clock: c3,
                      elements: [SetElement(value: "urgent", dots: [c1.dot, c3.dot]), SetElement(value: "vip", dots: [c2.dot])]),
            SlotState(values: [SetCodec.encode([])], clock: nil, elements: []),
        ],
        deletion: deleted ? c3 : nil,
        history: [
            ConflictEntry(field: "fee", policy: "review", needsReview: true, winner: c2, winnerValues: [.integer(100)],
                          loser: c1, loserValues: [.integer(90)], resolution: c3),
            ConflictEntry(field: "phone", policy: "lww", needsReview: false, winner: c3, winnerValues: ["+1"],
                          loser: c2, loserValues: ["+2"], resolution: c3),
        ])
}

/// An in-memory enrollment table.
struct TestDirectory: HubDirectory {
    var enrollments: [String: Enrollment] = [keyA: Enrollment(center: "c001")]
    var bindings: [ReplicaID: String] = [:]
    var committed: [ReplicaID: UInt64] = [:]
    var failing = false
    /// The hub's log head (nil: unbounded).
    var head: UInt64?

    struct Broken: Error {}

    func enrollment(forKey key: String) throws -> Enrollment? {
        if failing { throw Broken() }
        return enrollments[key]
    }
    func key(boundTo node: ReplicaID) throws -> String? { bindings[node] }
    func committedPush(from node: ReplicaID) throws -> UInt64 { committed[node] ?? 0 }
    func logHead() throws -> UInt64 { head ?? SyncLimits.maxPosition }
}

/// Passes a message through the real framing, as the wire would.
func wire(_ m: SyncMessage) throws -> ReceivedMessage {
    try SyncFraming.decode(try SyncFraming.encode(m))
}

func hello(node: String = "c001-node", center: String = "c001", schema: UInt32 = 7, logHead: UInt64 = 0) -> SyncMessage {
    var h = Gatehouse_Sync_V1_Hello()
    h.nodeID = node
    h.center = center
    h.schemaVersion = schema
    h.logHead = logHead
    return SyncMessage(.hello(h))
}

func pushMessage(from: UInt64, to: UInt64, records: [RecordState] = [], schema: Int = 7, origin: ReplicaID = nodeA) -> SyncMessage {
    var p = Gatehouse_Sync_V1_Push()
    p.changes = Gatehouse_Sync_V1_ChangeSet(
        ChangeBatch(schemaVersion: schema, origin: origin, fromSeq: from, toSeq: to, records: records, isLast: true))
    return SyncMessage(.push(p))
}

extension Array where Element == HubAction {
    var sent: [SyncMessage] { compactMap { if case .send(let m) = $0 { return m.message } else { return nil } } }
    var errorCode: UInt32? {
        for m in sent { if case .error(let e) = m.kind { return e.code } }
        return nil
    }
    var applies: [ChangeBatch] { compactMap { if case .applyPush(let b, _, _) = $0 { return b } else { return nil } } }
    var extraction: (after: UInt64, maxCount: Int, maxBytes: Int)? {
        for a in self { if case .extractChanges(let after, _, _, let c, let b) = a { return (after, c, b) } }
        return nil
    }
}

extension Array where Element == NodeAction {
    var sent: [SyncMessage] { compactMap { if case .send(let m) = $0 { return m.message } else { return nil } } }
    var reconnectDelay: Duration? {
        for a in self { if case .reconnect(let d, _) = a { return d } }
        return nil
    }
    var reconnectReason: SyncError? {
        for a in self { if case .reconnect(_, let r) = a { return r } }
        return nil
    }
    var failure: SyncError? {
        for a in self { if case .fail(let e) = a { return e } }
        return nil
    }
    var pushExtraction: (after: UInt64, maxCount: Int)? {
        for a in self { if case .extractPush(let after, _, let c, _) = a { return (after, c) } }
        return nil
    }
    var appliedBatches: [ChangeBatch] { compactMap { if case .applyChanges(let b, _) = $0 { return b } else { return nil } } }
}
