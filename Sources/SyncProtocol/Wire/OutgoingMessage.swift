import Replication
import SwiftProtobuf

/// A message encoded once, ready for the wire: what the sessions hand their runtime to
/// send. Change sets are written straight from the batch (``ChangeSetWriter``); the size
/// a session checks against the limits is the size that travels.
public struct OutgoingMessage: Sendable, Equatable, CustomStringConvertible {
    /// The body frame (after the GHSP signature frame).
    public let body: [UInt8]
    /// The command name as the spec writes it (`PUSH`, `ACK`, …).
    public let commandName: String

    /// Encodes `message`. Encoding a proto3 message cannot fail (no required fields, no
    /// `Any`): a failure is a programming error.
    public init(_ message: SyncMessage) {
        do {
            body = try SyncFraming.body(message)
        } catch {
            preconditionFailure("could not encode \(message.commandName): \(error)")
        }
        commandName = message.commandName
    }

    public init(_ kind: SyncMessage.OneOf_Kind) { self.init(SyncMessage(kind)) }

    private init(body: [UInt8], commandName: String) {
        self.body = body
        self.commandName = commandName
    }

    /// A PUSH of `batch`, the node's own log.
    public static func push(_ batch: ChangeBatch) -> OutgoingMessage {
        OutgoingMessage(body: ChangeSetWriter.body(batch, messageField: 4), commandName: "PUSH")
    }

    /// A CHANGES of `batch`, the hub's log.
    public static func changes(_ batch: ChangeBatch) -> OutgoingMessage {
        OutgoingMessage(body: ChangeSetWriter.body(batch, messageField: 7), commandName: "CHANGES")
    }

    /// The two frames to send (a hub's ROUTER puts the routing id before them).
    public var frames: [[UInt8]] { [GHSP.signatureFrame, body] }

    /// Bytes in the body frame.
    public var size: Int { body.count }

    /// The message, parsed back from the body: for tests and diagnostics, not the hot path.
    public var message: SyncMessage {
        do { return try SyncMessage(serializedBytes: body) } catch { preconditionFailure("own message does not parse: \(error)") }
    }

    public var description: String { "\(commandName) (\(body.count) bytes)" }
}
