import SwiftProtobuf

/// A message read off the wire, with the size of its body frame (what CHANGES consumes
/// of the node's byte credit).
public struct ReceivedMessage: Sendable, Equatable {
    /// The message. A PUSH or CHANGES read by the fast reader holds only its change
    /// set's head here (no records): the validated records travel beside it, for the
    /// sessions (which read them through `decodedChangeSet`).
    public var message: SyncMessage
    /// Bytes in the body frame.
    public var bodySize: Int
    /// For a PUSH or CHANGES read by ``ChangeSetReader``: its change set, already
    /// validated (`message` then holds the change set's head without records). nil: the
    /// change set is in `message`, still to be validated.
    var changeSet: Result<DecodedChangeSet, SyncError>?

    public init(_ message: SyncMessage, bodySize: Int) {
        self.message = message
        self.bodySize = bodySize
    }

    init(_ message: SyncMessage, bodySize: Int, changeSet: Result<DecodedChangeSet, SyncError>) {
        self.init(message, bodySize: bodySize)
        self.changeSet = changeSet
    }

    /// The validated change set of this PUSH or CHANGES (`cs` is its message), as read
    /// on arrival or validated now, held to `limits`.
    func decodedChangeSet(_ cs: Gatehouse_Sync_V1_ChangeSet, limits: SyncLimits) throws(SyncError) -> DecodedChangeSet {
        guard let pre = changeSet else { return try cs.decoded(limits: limits) }
        let d = try pre.get()
        // Read without a record bound: the session's limits apply here, as in `decoded(limits:)`.
        if let e = limits.batchTooLarge(d.batch.records.count + d.rejected.count) { throw e }
        return d
    }

    /// Wraps a message built in memory (tests, in-memory transports), sizing it as it would travel.
    public init(_ message: SyncMessage) {
        self.message = message
        self.bodySize = (try? message.serializedBytes() as [UInt8])?.count ?? 0
    }
}

/// GHSP framing: `[signature "GHSP" + version byte] [protobuf body]`. A hub's ROUTER
/// sees the peer's routing-id frame before these; strip it before ``decode(_:maxMessageBytes:)``.
///
/// ```swift
/// let frames = try SyncFraming.encode(SyncMessage(.ping(Gatehouse_Sync_V1_Ping())))
/// let received = try SyncFraming.decode(frames)
/// ```
public enum SyncFraming {
    /// The two frames of `message`. Throws only if protobuf encoding fails, which does
    /// not happen for well-formed messages.
    public static func encode(_ message: SyncMessage) throws(SyncError) -> [[UInt8]] {
        [GHSP.signatureFrame, try body(message)]
    }

    /// The body frame alone. (The sessions send change sets through
    /// ``OutgoingMessage/push(_:)`` and ``OutgoingMessage/changes(_:)``, written straight
    /// from the batch; this is the generic SwiftProtobuf path for everything else.)
    public static func body(_ message: SyncMessage) throws(SyncError) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            throw .internalError("could not encode \(message.commandName): \(error)")
        }
    }

    private static let unboundedRecords = SyncLimits(maxBatchRecords: .max)

    /// Parses the frames of one message (routing id already removed), checking the
    /// signature, the protocol version, the size limit and protobuf well-formedness.
    ///
    /// - Throws: `SyncError` with code 400 (wrong frame count or signature, a body that
    ///   does not parse, an empty envelope), 426 (another protocol version) or 413 (a
    ///   body above `maxMessageBytes`).
    public static func decode<Frames: Collection<[UInt8]>>(
        _ frames: Frames, maxMessageBytes: Int = SyncLimits.default.maxMessageBytes
    ) throws(SyncError) -> ReceivedMessage {
        guard frames.count == 2, let sig = frames.first, let body = frames.dropFirst().first else {
            throw .malformed("expected 2 frames (signature, body), got \(frames.count)")
        }
        guard sig.count == GHSP.signatureFrame.count, sig.starts(with: GHSP.signature) else {
            throw .malformed("the first frame is not the GHSP signature (\"GHSP\" and a version byte)")
        }
        guard sig[4] == GHSP.version else {
            throw SyncError(.unsupportedProtocol,
                            "peer speaks GHSP version \(sig[4]); this side speaks only version \(GHSP.version)")
        }
        guard body.count <= maxMessageBytes else {
            throw .tooLarge("message of \(body.count) bytes is above the limit of \(maxMessageBytes)")
        }
        // PUSH and CHANGES, nearly all the traffic, are read straight into record states;
        // anything the fast reader does not handle goes the generic way below.
        if let fast = ChangeSetReader.read(body, limits: unboundedRecords) {
            var m = SyncMessage()
            if fast.messageField == 4 {
                m.kind = .push(Gatehouse_Sync_V1_Push.with { $0.changes = fast.head })
            } else {
                m.kind = .changes(Gatehouse_Sync_V1_Changes.with { $0.changes = fast.head })
            }
            return ReceivedMessage(m, bodySize: body.count, changeSet: fast.decoded)
        }
        let message: SyncMessage
        do {
            message = try SyncMessage(serializedBytes: body)
        } catch {
            throw .malformed("the body is not a valid gatehouse.sync.v1.Message (\(error))")
        }
        guard message.kind != nil else { throw .malformed("the message carries no command") }
        return ReceivedMessage(message, bodySize: body.count)
    }
}
