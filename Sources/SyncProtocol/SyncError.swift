/// The error codes of the protocol (Protocol/SPEC.md, "Error codes"). They borrow the
/// meaning of the HTTP status with the same number so a person recognises them.
public enum SyncErrorCode: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// 400: a frame or message that does not parse, or breaks a rule of the grammar.
    case malformed = 400
    /// 401: the CURVE key is not enrolled, was revoked, or does not match the node id or
    /// center the HELLO claims.
    case unauthorized = 401
    /// 403: a record the sender may not originate (another center's, shared or head-office
    /// data, a rewrite of what the receiver holds). Only ever per record, in an ACK.
    case forbiddenRecord = 403
    /// 421: a node and a hub of which one was created for demonstration (its users may set
    /// the business clock) and the other not: demonstration data never mixes with real data.
    case demoMismatch = 421
    /// 425: a change set dated further ahead of the receiver's clock than the bound of
    /// SPEC §13 (five minutes); nothing of it was applied. Set the clock right.
    case clockAhead = 425
    /// 409: a message the receiver's state does not allow (e.g. PUSH before WELCOME, a
    /// PUSH that skips log positions, CHANGES beyond the granted credit). Per record, in
    /// an ACK: ``idCollision``.
    case outOfState = 409
    /// 412: the replicated data schema versions differ; nothing was applied.
    case schemaMismatch = 412
    /// 413: a message or batch above the limits.
    case tooLarge = 413
    /// 426: the protocol version in the signature frame is not supported.
    case unsupportedProtocol = 426
    /// 500: the hub failed (e.g. its database); nothing of the message was committed.
    case internalError = 500
    /// 503: the hub is busy or shutting down; come back after `retry_after_ms`.
    case unavailable = 503

    /// 409 per record, in an ACK's refusals: another record, created apart, is held under
    /// the record's id (SPEC §9); the two are not merged.
    public static let idCollision = SyncErrorCode.outOfState

    /// Errors a reconnect cannot cure: an operator must act (enroll the key, upgrade a
    /// side). A daemon keeps retrying at the longest backoff; a one-shot sync stops.
    public var needsOperator: Bool {
        switch self {
        case .unauthorized, .schemaMismatch, .unsupportedProtocol, .demoMismatch, .clockAhead: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .malformed: return "400 malformed"
        case .unauthorized: return "401 unauthorized"
        case .forbiddenRecord: return "403 record out of scope"
        case .outOfState: return "409 out of state"
        case .demoMismatch: return "421 demonstration and real data do not mix"
        case .clockAhead: return "425 clock ahead"
        case .schemaMismatch: return "412 schema version mismatch"
        case .tooLarge: return "413 too large"
        case .unsupportedProtocol: return "426 protocol version unsupported"
        case .internalError: return "500 internal error"
        case .unavailable: return "503 hub unavailable"
        }
    }
}

/// A protocol error: its code and a message for a person saying what went wrong and how
/// it may be remedied.
///
/// ```
/// GHSP 412 schema version mismatch: the hub is on schema 7, this node on 6; upgrade the node
/// ```
public struct SyncError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: SyncErrorCode
    public var message: String
    /// When the hub asked the node to stay away this long (ERROR.retry_after_ms).
    public var retryAfterMilliseconds: UInt32

    public init(_ code: SyncErrorCode, _ message: String, retryAfterMilliseconds: UInt32 = 0) {
        self.code = code
        self.message = message
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }

    public var description: String { "GHSP \(code): \(message)" }

    public static func malformed(_ m: String) -> SyncError { SyncError(.malformed, m) }
    public static func unauthorized(_ m: String) -> SyncError { SyncError(.unauthorized, m) }
    /// The one 401 the hub sends, whichever identity check failed (SPEC §6, §13): the
    /// detail goes to the hub's log and `hub status` only.
    public static let unauthorizedOnTheWire = SyncError(.unauthorized,
        "this node may not sync with this hub: ask head office to check its enrollment (key, center and node id)")
    public static func outOfState(_ m: String) -> SyncError { SyncError(.outOfState, m) }
    public static func tooLarge(_ m: String) -> SyncError { SyncError(.tooLarge, m) }
    public static func internalError(_ m: String) -> SyncError { SyncError(.internalError, m) }

    /// The wire form, for an ERROR message.
    public var proto: Gatehouse_Sync_V1_Error {
        var e = Gatehouse_Sync_V1_Error()
        e.code = code.rawValue
        e.reason = message
        e.retryAfterMs = retryAfterMilliseconds
        return e
    }

    /// Reads an ERROR message; an unknown code is kept as 500 with the number in the text.
    public init(_ proto: Gatehouse_Sync_V1_Error) {
        if let c = SyncErrorCode(rawValue: proto.code) {
            self.init(c, proto.reason, retryAfterMilliseconds: proto.retryAfterMs)
        } else {
            self.init(.internalError, "hub error \(proto.code): \(proto.reason)", retryAfterMilliseconds: proto.retryAfterMs)
        }
    }
}
