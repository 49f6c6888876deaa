import SyncProtocol

/// The node runtime's intervals and limits. Defaults are those of `gatehouse node run`
/// and `gatehouse sync`; each is documented with why it has its value.
public struct NodeRuntimeOptions: Sendable {
    /// What the node assumes before the hub's WELCOME says otherwise.
    public var limits: SyncLimits = .default
    /// Reconnect backoff after a lost session (SPEC §12: 500 ms doubling to 60 s).
    public var backoff: Backoff = .default
    /// Longest wait for input in one loop turn: how late a timer can fire. 100 ms.
    public var pollInterval: Duration = .milliseconds(100)
    /// How often the node looks for local writes to push (one read of the log head). 250 ms.
    public var watchInterval: Duration = .milliseconds(250)
    /// How often the backlog HELLO and PING report is refreshed (a count over the
    /// unacknowledged log). 2 s.
    public var reportInterval: Duration = .seconds(2)
    /// A refusal at the handshake this young may only mean the hub has not read a fresh
    /// enrollment yet (it re-reads within a second): retry soon, and call it final after.
    /// 3 s.
    public var refusalGrace: Duration = .seconds(3)
    /// Retry after a refusal within the grace period. 1.1 s.
    public var refusalRetry: Duration = .milliseconds(1100)
    /// Retry after a final refusal (an operator must enroll the key). 30 s.
    public var refusedRetry: Duration = .seconds(30)
    /// Retry after the local socket could not even be opened. 2 s.
    public var socketRetry: Duration = .seconds(2)
    /// How often the daemon shows it is alive (``NodeDriver/onBeat``). 5 s.
    public var beatInterval: Duration = .seconds(5)
    /// Most messages handled per loop turn before timers get their turn. 256.
    public var messagesPerTurn = 256
    /// Seed for the reconnect jitter; nil: random.
    public var seed: UInt64?
    public init() {}
}

/// The hub runtime's intervals and limits. Defaults are those of `gatehouse hub run`.
public struct HubRuntimeOptions: Sendable {
    /// What the hub announces in WELCOME (heartbeat, batches, windows).
    public var limits: SyncLimits = .default
    /// Longest wait for input in one loop turn. 100 ms.
    public var pollInterval: Duration = .milliseconds(100)
    /// How often silent sessions are looked for: at most a tenth of the heartbeat
    /// deadline, and at most every second.
    public var sweepInterval: Duration?
    /// How often the enrollments' version and the log head are read (a single row each):
    /// how soon an enrollment or a revocation made by another process takes effect, and
    /// how soon head office's own writes go out. 1 s.
    public var watchInterval: Duration = .seconds(1)
    /// How often the nodes' status rows are written (one transaction with every change). 1 s.
    public var flushInterval: Duration = .seconds(1)
    /// How often a silent but connected node's "last seen" is written. 60 s.
    public var lastSeenInterval: Duration = .seconds(60)
    /// How often the server shows it is alive (``HubDriver/onBeat``). 5 s.
    public var beatInterval: Duration = .seconds(5)
    /// Most messages handled per loop turn before timers and applied pushes get their turn.
    public var messagesPerTurn = 256
    /// Sessions per second the hub expects to take in when it comes back: at shutdown the
    /// retry hints (ERROR 503) are spread over `sessions / reconnectRate` seconds after
    /// the first, so a restart does not bring every node back in the same second. 250.
    public var reconnectRate: Double = 250
    /// PINGs per second the hub plans for from its idle fleet. Every connected node pings
    /// once per heartbeat interval, so with more enrolled keys than `pingBudget × interval`
    /// the interval the hub announces in WELCOME is stretched to `keys / pingBudget`
    /// (5,000 keys: 25 s, and a silent node is taken for dead after 75 s): an idle fleet
    /// costs the hub the same whatever its size. 200.
    public var pingBudget: Double = 200
    /// After a turn that handled only heartbeats, wait this long before the next, so a
    /// large idle fleet's PINGs are answered a few at a time rather than one wake-up each;
    /// anything else (HELLO, PUSH, PULL) is handled at most this late. 25 ms.
    public var heartbeatCoalescing: Duration = .milliseconds(25)
    /// Apply pushes on a thread of their own (the server) or inline in ``HubDriver/step()``
    /// (deterministic tests).
    public var threadedApply = true
    /// Seed for spreading the retry hints at shutdown; nil: random.
    public var seed: UInt64?
    /// After a transient failure in the loop (an interrupted poll, a busy database), wait
    /// this long before the next turn. 100 ms.
    public var errorPause: Duration = .milliseconds(100)
    public init() {}

    var sweep: Duration {
        sweepInterval ?? min(.seconds(1), limits.deadline / 10)
    }

    /// The heartbeat interval announced to nodes while `enrolled` keys may connect: the
    /// protocol's (`limits`), or longer when that many nodes would ping more than
    /// `pingBudget` times a second.
    public func heartbeatInterval(enrolled: Int) -> Duration {
        let base = limits.heartbeatInterval
        guard pingBudget > 0 else { return base }
        let ms = (Double(enrolled) / pingBudget * 1000).rounded(.up)
        return ms > Double(base.milliseconds) ? .milliseconds(Int64(ms)) : base
    }
}
