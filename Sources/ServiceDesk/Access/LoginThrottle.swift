import Foundation

/// Repeated failed logins lock a user name for a while (pure: the caller loads and saves
/// it, and passes the time). Unknown user names are counted and locked exactly like real
/// ones, so the answers never tell whether an account exists.
public struct LoginThrottle: Codable, Sendable, Equatable {
    /// Failures within `window` that lock the name.
    public static let maxFailures = 5
    public static let window: TimeInterval = 15 * 60
    /// How long a locked name stays locked.
    public static let lockDuration: TimeInterval = 15 * 60

    public struct Entry: Codable, Sendable, Equatable {
        public var failures: [Date] = []
        public var lockedUntil: Date?
    }

    public var entries: [String: Entry] = [:]
    public init() {}

    static func key(_ user: String) -> String { user.trimmingWhitespace().lowercased() }

    /// Until when `user` is locked, if it is at `now`.
    public func lockedUntil(_ user: String, at now: Date) -> Date? {
        guard let until = entries[Self.key(user)]?.lockedUntil, until > now else { return nil }
        return until
    }

    /// Counts a failure; returns the end of the lock when this failure locked the name.
    public mutating func recordFailure(_ user: String, at now: Date) -> Date? {
        var e = entries[Self.key(user)] ?? Entry()
        e.failures = e.failures.filter { now.timeIntervalSince($0) < Self.window } + [now]
        var locked: Date?
        if e.failures.count >= Self.maxFailures {
            locked = now.addingTimeInterval(Self.lockDuration)
            e.lockedUntil = locked
            e.failures = []
        }
        entries[Self.key(user)] = e
        return locked
    }

    /// A successful login clears the name's failures.
    public mutating func recordSuccess(_ user: String) {
        entries[Self.key(user)] = nil
    }
}
