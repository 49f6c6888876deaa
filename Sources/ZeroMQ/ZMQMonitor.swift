import CZeroMQ

/// Connection events libzmq reports for a socket (`zmq_socket_monitor`).
public struct ZMQMonitorEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        case connected, connectDelayed, connectRetried, disconnected, closed
        case handshakeSucceeded
        /// The peer refused our credentials; for CURVE with ZAP, `value` is the ZAP status (e.g. 400).
        case handshakeFailedAuth
        case handshakeFailedProtocol
        case handshakeFailedNoDetail
        /// A listener accepted a connection (`value`: its file descriptor).
        case accepted
        /// A listener could not accept a connection (`value`: the errno, e.g. EMFILE).
        case acceptFailed
        case other(UInt16)
    }
    public var kind: Kind
    /// The event's value: a file descriptor, an interval, an error or ZAP status code.
    public var value: UInt32
    public var endpoint: String
}

extension ZMQSocket {
    /// Starts monitoring this socket's connection events on a new PAIR socket that the
    /// caller owns (same thread as this socket) and reads with `ZMQMonitorEvent.read(from:)`.
    /// `name` must be unique in the context. With `listener`, a bound socket also reports
    /// each connection it accepts and each it fails to accept (out of file descriptors).
    public func monitor(name: String, listener: Bool = false) throws -> ZMQSocket {
        let handle = try liveHandle("zmq_socket_monitor")
        let endpoint = "inproc://monitor.\(name)"
        var events: Int32 = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED
            | ZMQ_EVENT_CLOSED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
            | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
        if listener { events |= ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED }
        guard zmq_socket_monitor(handle, endpoint, events) == 0 else {
            throw ZMQError(code: zmq_errno(), operation: "zmq_socket_monitor")
        }
        let pair = try context.makeSocket(.pair)
        try pair.connect(endpoint)
        return pair
    }
}

extension ZMQMonitorEvent {
    /// The next event waiting on a monitor socket, or nil when none is.
    public static func read(from monitor: ZMQSocket) throws -> ZMQMonitorEvent? {
        guard let m = try monitor.receive(dontWait: true), m.frames.count >= 2, m.frames[0].count >= 6 else { return nil }
        let f = m.frames[0]
        // Frame 1: event number (16 bits) then value (32 bits), host byte order.
        let event = UInt16(f[0]) | UInt16(f[1]) << 8
        let value = UInt32(f[2]) | UInt32(f[3]) << 8 | UInt32(f[4]) << 16 | UInt32(f[5]) << 24
        let kind: Kind
        switch Int32(event) {
        case ZMQ_EVENT_CONNECTED: kind = .connected
        case ZMQ_EVENT_CONNECT_DELAYED: kind = .connectDelayed
        case ZMQ_EVENT_CONNECT_RETRIED: kind = .connectRetried
        case ZMQ_EVENT_DISCONNECTED: kind = .disconnected
        case ZMQ_EVENT_CLOSED: kind = .closed
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: kind = .handshakeSucceeded
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: kind = .handshakeFailedAuth
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: kind = .handshakeFailedProtocol
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: kind = .handshakeFailedNoDetail
        case ZMQ_EVENT_ACCEPTED: kind = .accepted
        case ZMQ_EVENT_ACCEPT_FAILED: kind = .acceptFailed
        default: kind = .other(event)
        }
        return ZMQMonitorEvent(kind: kind, value: value, endpoint: String(decoding: m.frames[1], as: UTF8.self))
    }
}
