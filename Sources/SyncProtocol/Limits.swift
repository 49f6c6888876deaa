import Foundation

/// The protocol's identity on the wire (Protocol/SPEC.md, "Framing"). Named apart from the
/// module so `SyncProtocol.X` keeps naming the module's types.
public enum GHSP {
    /// The first four bytes of the signature frame: ASCII "GHSP".
    public static let signature: [UInt8] = [0x47, 0x48, 0x53, 0x50]
    /// The protocol version this implementation speaks, the fifth byte of the signature frame.
    public static let version: UInt8 = 1
    /// The whole signature frame: "GHSP" followed by the version byte.
    public static let signatureFrame: [UInt8] = signature + [version]
}

/// The numbers a hub announces in WELCOME and both sides enforce.
public struct SyncLimits: Sendable, Hashable {
    /// Largest body frame either side accepts (set `ZMQ_MAXMSGSIZE` a little above it).
    public var maxMessageBytes: Int
    /// Most records in one PUSH or CHANGES.
    public var maxBatchRecords: Int
    /// Target size of one batch's records, as `RecordState.batchSize` counts them (SPEC
    /// §12): a sender stops before the record that would exceed it, but always takes one.
    public var maxBatchBytes: Int
    /// Most PUSH messages a node may have unacknowledged.
    public var pushWindow: Int
    /// Most outstanding byte credit the hub honours (more is clamped).
    public var maxCreditBytes: Int
    /// Most outstanding batch credit the hub honours (more is clamped).
    public var maxCreditBatches: Int
    /// How long a node may stay silent before it pings.
    public var heartbeatInterval: Duration
    /// Intervals without a word before a peer is taken for dead.
    public var heartbeatLiveness: Int

    public init(maxMessageBytes: Int = 4 << 20, maxBatchRecords: Int = 2000, maxBatchBytes: Int = 2 << 20,
                pushWindow: Int = 8, maxCreditBytes: Int = 64 << 20, maxCreditBatches: Int = 64,
                heartbeatInterval: Duration = .seconds(5), heartbeatLiveness: Int = 3) {
        precondition(maxMessageBytes > 0 && maxBatchRecords > 0 && maxBatchBytes > 0 && pushWindow > 0)
        precondition(maxCreditBytes >= maxMessageBytes && maxCreditBatches > 0 && heartbeatLiveness > 0)
        self.maxMessageBytes = maxMessageBytes
        self.maxBatchRecords = maxBatchRecords
        self.maxBatchBytes = maxBatchBytes
        self.pushWindow = pushWindow
        self.maxCreditBytes = maxCreditBytes
        self.maxCreditBatches = maxCreditBatches
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatLiveness = heartbeatLiveness
    }

    /// The defaults of protocol version 1.
    public static let `default` = SyncLimits()

    /// Silence after which a peer is dead: interval × liveness.
    public var deadline: Duration { heartbeatInterval * heartbeatLiveness }

    /// The absolute ceiling of a body frame whatever a hub announces: 64 MiB.
    public static let hardMaxMessageBytes = 64 << 20

    /// The largest log position either side accepts from the other (PULL `cursor`, CREDIT
    /// `applied_seq`, HELLO `log_head`/`pull_cursor`, change set `to_seq`, WELCOME
    /// `committed_push`, ACK `to_seq`/`committed`): 2^63-1, what SQLite stores in an
    /// INTEGER. A larger one is malformed (400), never converted.
    public static let maxPosition = UInt64(Int64.max)

    /// The largest dot or vector counter a record may carry: 2^63-1, likewise.
    public static let maxCounter = UInt64(Int64.max)
}

/// How a node waits before reconnecting: exponential, capped, with "equal jitter" (a
/// uniformly random delay in the upper half of the exponential step).
public struct Backoff: Sendable, Hashable {
    /// Delay before the first reconnect.
    public var initial: Duration
    /// Longest delay; also the delay after errors only an operator can cure.
    public var maximum: Duration
    /// Growth per failed attempt.
    public var multiplier: Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(60), multiplier: Double = 2) {
        precondition(initial > .zero && maximum >= initial && multiplier >= 1)
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    public static let `default` = Backoff()

    /// The step before jitter for failed attempt `attempt` (0-based): initial × multiplier^attempt, capped.
    public func ceiling(attempt: Int) -> Duration {
        let cap = maximum.seconds
        let d = initial.seconds * pow(multiplier, Double(min(attempt, 64)))
        return .seconds(min(d, cap))
    }

    /// A jittered delay in `[ceiling/2, ceiling]`.
    public func delay(attempt: Int, using rng: inout some RandomNumberGenerator) -> Duration {
        let c = ceiling(attempt: attempt).seconds
        return .seconds(Double.random(in: (c / 2)...c, using: &rng))
    }
}

extension SyncLimits {
    /// The 413 for a change set of `count` records above ``maxBatchRecords``, nil within it.
    func batchTooLarge(_ count: Int) -> SyncError? {
        count <= maxBatchRecords ? nil : .tooLarge("change set holds \(count) records; the limit is \(maxBatchRecords)")
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
    /// The duration in whole milliseconds (rounded down, never negative).
    var milliseconds: Int64 {
        let (s, atto) = components
        return max(0, s * 1000 + atto / 1_000_000_000_000_000)
    }
}

