import Synchronization

/// A clock that moves only when told to: the runtime drivers' timers (heartbeats,
/// reconnect backoff, session expiry, status flushes) run on it in tests and simulations
/// without a single real sleep.
///
/// ```swift
/// let clock = ManualClock()
/// let node = NodeDriver(…, clock: clock)
/// clock.advance(by: .seconds(15))   // the hub's silence reaches the heartbeat deadline
/// try node.step()                   // the node gives up on the session
/// ```
public final class ManualClock: _Concurrency.Clock, Sendable {
    /// An instant of a ``ManualClock``: the time since the clock was made.
    public struct Instant: InstantProtocol, Sendable, CustomStringConvertible {
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
        public var description: String { "t+\(offset)" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let state = Mutex<(now: Instant, sleepers: [Sleeper])>((Instant(offset: .zero), []))

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Moves the clock forward, waking whatever slept until then.
    public func advance(by d: Duration) {
        precondition(d >= .zero, "a clock does not go back")
        let due: [Sleeper] = state.withLock { s in
            s.now = s.now.advanced(by: d)
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for d in due { d.continuation.resume() }
    }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let ready = state.withLock { s in
                if deadline <= s.now { return true }
                s.sleepers.append(Sleeper(deadline: deadline, continuation: c))
                return false
            }
            if ready { c.resume() }
        }
    }
}
