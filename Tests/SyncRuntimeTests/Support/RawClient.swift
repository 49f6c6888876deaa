import Foundation
import SyncProtocol
import ZeroMQ

/// A hand-driven GHSP client over a real CURVE DEALER socket: what a buggy or hostile
/// node could send, frame by frame.
final class RawClient {
    let context: ZMQContext
    let socket: ZMQSocket
    let keys: CurveKeyPair

    init(endpoint: String, hubKey: String, keys: CurveKeyPair) throws {
        self.keys = keys
        context = try ZMQContext()
        socket = try context.makeSocket(.dealer)
        try socket.makeCurveClient(serverKey: hubKey, publicKey: keys.publicKey, secretKey: keys.secretKey)
        try socket.connect(endpoint)
    }

    deinit { close() }

    func close() {
        socket.close()
        context.terminate()
    }

    func send(frames: [[UInt8]]) throws { try socket.send(frames) }

    func send(_ m: SyncMessage) throws { try socket.send(SyncFraming.encode(m)) }

    /// The next message, decoded; nil when nothing came within `milliseconds`.
    func receive(within milliseconds: Int = 3000) throws -> SyncMessage? {
        guard let m = try socket.receive(timeoutMilliseconds: milliseconds) else { return nil }
        return try SyncFraming.decode(m.frames).message
    }

    /// The code of the ERROR that answers, or nil for another answer or none.
    func errorCode(within milliseconds: Int = 3000) throws -> SyncErrorCode? {
        guard let m = try receive(within: milliseconds) else { return nil }
        if case .error(let e) = m.kind { return SyncErrorCode(rawValue: e.code) }
        return nil
    }

    /// A HELLO; `demo` by default, as the `Cluster`'s hub is a demonstration hub.
    static func hello(node: String, center: String, schemaVersion: Int, demo: Bool = true) -> SyncMessage {
        var h = Gatehouse_Sync_V1_Hello()
        h.demo = demo
        h.nodeID = node
        h.center = center
        h.schemaVersion = UInt32(schemaVersion)
        h.agent = "raw-test-client"
        return SyncMessage(.hello(h))
    }
}
