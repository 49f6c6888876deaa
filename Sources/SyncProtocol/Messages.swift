/// The envelope of every GHSP message (generated from Protocol/gatehouse.proto).
public typealias SyncMessage = Gatehouse_Sync_V1_Message

extension Gatehouse_Sync_V1_Message {
    /// The command name as the spec writes it (`HELLO`, `PUSH`, …), for logs and errors.
    public var commandName: String {
        switch kind {
        case .hello: return "HELLO"
        case .welcome: return "WELCOME"
        case .error: return "ERROR"
        case .push: return "PUSH"
        case .ack: return "ACK"
        case .pull: return "PULL"
        case .changes: return "CHANGES"
        case .credit: return "CREDIT"
        case .ping: return "PING"
        case .pong: return "PONG"
        case .bye: return "BYE"
        case nil: return "(empty)"
        }
    }

    /// Wraps one command in an envelope.
    public init(_ kind: OneOf_Kind) {
        self.init()
        self.kind = kind
    }

    /// An ERROR message.
    public static func error(_ e: SyncError) -> Self { Self(.error(e.proto)) }

    /// A BYE message.
    public static func bye(_ reason: String) -> Self {
        var b = Gatehouse_Sync_V1_Bye()
        b.reason = reason
        return Self(.bye(b))
    }
}

/// What a node reports about itself in HELLO and PING, for the hub's status screen.
public struct NodeStatusReport: Sendable, Hashable {
    /// Local changes the hub has not acknowledged.
    public var pendingCount: UInt64
    /// Unix time in milliseconds of the oldest of them; nil when none is pending.
    public var oldestPendingUnixMillis: UInt64?
    /// The protocol code of the last sync error (0: none).
    public var lastErrorCode: UInt32
    /// Its text ("" when none).
    public var lastError: String
    /// Unix time in milliseconds it happened (0 when none).
    public var lastErrorUnixMillis: UInt64
    /// Records this node refused from the hub (its quarantine).
    public var quarantinedCount: UInt64

    public init(pendingCount: UInt64 = 0, oldestPendingUnixMillis: UInt64? = nil, lastErrorCode: UInt32 = 0,
                lastError: String = "", lastErrorUnixMillis: UInt64 = 0, quarantinedCount: UInt64 = 0) {
        self.pendingCount = pendingCount
        self.oldestPendingUnixMillis = oldestPendingUnixMillis
        self.lastErrorCode = lastErrorCode
        self.lastError = lastError
        self.lastErrorUnixMillis = lastErrorUnixMillis
        self.quarantinedCount = quarantinedCount
    }

    public var proto: Gatehouse_Sync_V1_NodeStatus {
        var s = Gatehouse_Sync_V1_NodeStatus()
        s.pendingCount = pendingCount
        s.oldestPendingMs = oldestPendingUnixMillis ?? 0
        s.lastErrorCode = lastErrorCode
        s.lastError = lastError
        s.lastErrorAtMs = lastErrorUnixMillis
        s.quarantinedCount = quarantinedCount
        return s
    }

    public init(_ p: Gatehouse_Sync_V1_NodeStatus) {
        self.init(pendingCount: p.pendingCount, oldestPendingUnixMillis: p.oldestPendingMs == 0 ? nil : p.oldestPendingMs,
                  lastErrorCode: p.lastErrorCode, lastError: p.lastError, lastErrorUnixMillis: p.lastErrorAtMs,
                  quarantinedCount: p.quarantinedCount)
    }
}
