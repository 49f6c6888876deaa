import Foundation

/// One multipart message as received: its frames, and who sent it when CURVE authenticated the peer.
public struct ZMQMultipart: Sendable, Equatable {
    /// The frames in order. A ROUTER puts the peer's routing id first.
    public var frames: [[UInt8]]
    /// The `User-Id` metadata (`zmq_msg_gets(msg, "User-Id")`): with ``ZAPHandler`` this is the
    /// client's CURVE public key in Z85. `nil` when the connection was not authenticated by ZAP.
    /// Read from the first frame that carries it: a ROUTER's routing id frame carries none.
    public var userId: String?

    /// Creates a message from frames, e.g. to compare with a received one.
    public init(frames: [[UInt8]], userId: String? = nil) {
        self.frames = frames
        self.userId = userId
    }

    /// The frames as `Data`.
    public var data: [Data] { frames.map { Data($0) } }
}
