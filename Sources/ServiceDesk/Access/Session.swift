import Foundation

/// A logged-in staff member on one data directory, until `expiresAt`.
public struct Session: Codable, Sendable, Equatable {
    /// The secret the database knows only by its hash (`Desk.resume(token:clock:)`).
    public var token: String
    /// For display only: who the database says the token is for decides.
    public var staff: String
    public var name: String
    /// The `StaffRole` raw value at login (the directory's current role is what counts).
    public var role: String?
    public var center: String?
    /// The replica the session was opened on: a session file copied into another data
    /// directory is not honoured there.
    public var replicaID: String
    public var startedAt: Date
    public var expiresAt: Date

    /// A working shift: 12 hours by default.
    public static let defaultLifetime: TimeInterval = 12 * 3600

    public init(token: String, staff: String, name: String, role: String?, center: String?, replicaID: String, startedAt: Date,
                lifetime: TimeInterval = Session.defaultLifetime) {
        self.token = token
        self.staff = staff
        self.name = name
        self.role = role
        self.center = center
        self.replicaID = replicaID
        self.startedAt = startedAt
        self.expiresAt = startedAt.addingTimeInterval(lifetime)
    }

    public func isValid(at now: Date) -> Bool { now < expiresAt && now >= startedAt.addingTimeInterval(-300) }
}
