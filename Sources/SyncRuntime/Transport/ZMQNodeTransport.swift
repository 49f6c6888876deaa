import Foundation
import Synchronization
import ZeroMQ

/// A node's connection to the hub over ZeroMQ: a DEALER socket, CURVE client, with a
/// monitor for the handshake's outcome (a ZAP refusal sends no message, so the monitor is
/// the only way to learn that the hub refused this node's key).
///
/// libzmq reconnects a dropped TCP connection by itself; `reconnectInterval` and
/// `reconnectIntervalMax` (`ZMQ_RECONNECT_IVL`, `ZMQ_RECONNECT_IVL_MAX`) make those
/// attempts back off exponentially, each with libzmq's random jitter, so a fleet whose hub
/// went away does not knock on it in step.
public final class ZMQNodeTransport: NodeTransport {
    /// How the socket is set up.
    public struct Options: Sendable {
        /// First TCP reconnect delay after a connection fails or drops.
        public var reconnectInterval: Duration = .milliseconds(500)
        /// Longest TCP reconnect delay (the delay doubles up to it).
        public var reconnectIntervalMax: Duration = .seconds(30)
        /// `ZMQ_MAXMSGSIZE` slack above the largest body: the signature frame and framing.
        public var maxMessageBytes: Int
        /// Watch the handshake with a monitor socket (how a refused key is told apart from
        /// silence). The fleet benchmark turns it off: two more descriptors per node.
        public var monitor = true
        public init(maxMessageBytes: Int) { self.maxMessageBytes = maxMessageBytes }
    }

    public let context: ZMQContext
    public let endpoint: String
    let hubKey: String
    let keys: CurveKeyPair
    let options: Options
    private var socket: ZMQSocket?
    private var monitor: ZMQSocket?
    private static let monitors = Atomic<Int>(0)

    /// A transport to `endpoint` whose CURVE server key is `hubKey`. The context may be
    /// shared by many transports (the fleet benchmark runs thousands on one).
    public init(context: ZMQContext, endpoint: String, hubKey: String, keys: CurveKeyPair, options: Options) {
        self.context = context
        self.endpoint = endpoint
        self.hubKey = hubKey
        self.keys = keys
        self.options = options
    }

    deinit { close() }

    public var isOpen: Bool { socket != nil }

    /// The sockets to poll for this transport (the connection and its monitor), for a
    /// caller that waits on many transports at once.
    public var pollSockets: [ZMQSocket] { [socket, monitor].compactMap { $0 } }

    public func open() throws {
        precondition(socket == nil, "open() on an open transport")
        let s = try context.makeSocket(.dealer)
        do {
            try s.makeCurveClient(serverKey: hubKey, publicKey: keys.publicKey, secretKey: keys.secretKey)
            try s.set(.zapDomain, "gatehouse")
            try s.set(.maxMessageSize, Int64(options.maxMessageBytes + 1024))
            try s.set(.reconnectInterval, Int32(clamping: options.reconnectInterval.milliseconds))
            try s.set(.reconnectIntervalMax, Int32(clamping: options.reconnectIntervalMax.milliseconds))
            if options.monitor {
                let n = Self.monitors.add(1, ordering: .relaxed).newValue
                monitor = try s.monitor(name: "gatehouse-node-\(getpid())-\(n)")
            }
            try s.connect(endpoint)
        } catch {
            monitor?.close()
            monitor = nil
            s.close()
            throw error
        }
        socket = s
    }

    public func close() {
        socket?.close()
        socket = nil
        monitor?.close()
        monitor = nil
    }

    public func send(_ frames: [[UInt8]]) throws {
        guard let socket else { throw ZMQError(code: ENOTSOCK, operation: "send", message: "no connection to the hub is open") }
        try socket.send(frames, dontWait: true)
    }

    public func receive() throws -> [[UInt8]]? {
        try socket?.receive(dontWait: true)?.frames
    }

    public func nextEvent() throws -> NodeTransportEvent? {
        while let m = monitor, let e = try ZMQMonitorEvent.read(from: m) {
            switch e.kind {
            case .handshakeSucceeded: return .handshakeSucceeded
            case .handshakeFailedAuth: return .keyRefused(status: e.value)
            case .handshakeFailedProtocol, .handshakeFailedNoDetail: return .handshakeFailed
            case .connectRetried: return .connectRetried
            case .disconnected: return .disconnected
            default: continue
            }
        }
        return nil
    }

    public func wait(timeout: Duration) throws {
        guard socket != nil else {
            Thread.sleep(forTimeInterval: max(0, timeout.seconds))
            return
        }
        var poller = ZMQPoller()
        for s in pollSockets { poller.register(s) }
        _ = try poller.poll(timeout: timeout)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, never negative.
    var milliseconds: Int64 {
        let (s, atto) = components
        return max(0, s * 1000 + atto / 1_000_000_000_000_000)
    }
    /// The duration in seconds.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
