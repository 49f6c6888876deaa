import CZeroMQ

/// A typed socket option: the libzmq option name and how its value is laid out.
///
/// The value type is checked by the compiler: `maxMessageSize` takes `Int64`, the other
/// numeric options `Int32` — passing the wrong width to libzmq fails with `EINVAL`.
///
/// ```swift
/// try socket.set(.sendHighWaterMark, 1_000)
/// try socket.set(.maxMessageSize, 16 << 20)
/// let port = try socket.get(.lastEndpoint)
/// ```
public struct ZMQSocketOption<Value>: Sendable {
    /// The `ZMQ_*` option number.
    public let name: Int32
    /// The option's name for error messages, e.g. `ZMQ_LINGER`.
    public let label: String
    let encode: @Sendable (Value) throws -> [UInt8]
    let decode: @Sendable ([UInt8]) -> Value
    /// Buffer size for `zmq_getsockopt`.
    let capacity: Int

    init(
        _ name: Int32, _ label: String, capacity: Int,
        encode: @escaping @Sendable (Value) throws -> [UInt8],
        decode: @escaping @Sendable ([UInt8]) -> Value
    ) {
        self.name = name
        self.label = label
        self.capacity = capacity
        self.encode = encode
        self.decode = decode
    }
}

extension ZMQSocketOption where Value == Int32 {
    static func int32(_ name: Int32, _ label: String) -> Self {
        Self(name, label, capacity: 4, encode: { bytesOf($0) }, decode: { valueOf($0) })
    }

    /// Milliseconds to keep unsent messages after ``ZMQSocket/close()``; -1 forever. Default here: 0.
    public static var linger: Self { .int32(ZMQ_LINGER, "ZMQ_LINGER") }
    /// Messages queued per peer before sending blocks or drops (default 1000; 0 = unlimited).
    public static var sendHighWaterMark: Self { .int32(ZMQ_SNDHWM, "ZMQ_SNDHWM") }
    /// Messages queued per peer on receipt before libzmq stops reading (default 1000).
    public static var receiveHighWaterMark: Self { .int32(ZMQ_RCVHWM, "ZMQ_RCVHWM") }
    /// Milliseconds before the first reconnect attempt (default 100; -1 never reconnect).
    public static var reconnectInterval: Self { .int32(ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL") }
    /// Upper bound in milliseconds for exponential reconnect backoff (0 = no backoff).
    public static var reconnectIntervalMax: Self { .int32(ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX") }
    /// Milliseconds between ZMTP heartbeats (PING); 0 disables them.
    public static var heartbeatInterval: Self { .int32(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL") }
    /// Milliseconds to wait for any traffic after a PING before dropping the connection.
    public static var heartbeatTimeout: Self { .int32(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT") }
    /// Milliseconds the remote peer should wait without traffic before it drops the connection.
    public static var heartbeatTTL: Self { .int32(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL") }
    /// Milliseconds a blocking send waits before failing with `EAGAIN`; -1 forever.
    public static var sendTimeout: Self { .int32(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") }
    /// Milliseconds a blocking receive waits before returning `nil`; -1 forever.
    public static var receiveTimeout: Self { .int32(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") }
    /// Read-only: the file descriptor that signals when ``events`` should be checked (edge-triggered).
    public static var fileDescriptor: Self { .int32(ZMQ_FD, "ZMQ_FD") }
    /// Read-only: the socket's type (`ZMQ_TYPE`), a ``ZMQSocketType`` raw value.
    public static var socketType: Self { .int32(ZMQ_TYPE, "ZMQ_TYPE") }
    /// Read-only: `ZMQ_POLLIN`/`ZMQ_POLLOUT` bits; use ``ZMQSocket/events`` for the typed form.
    public static var events: Self { .int32(ZMQ_EVENTS, "ZMQ_EVENTS") }
}

extension ZMQSocketOption where Value == Int64 {
    /// Largest inbound frame in bytes (-1 = unlimited). A larger one is dropped silently and the
    /// connection reset. The only `Int64` option.
    public static var maxMessageSize: Self {
        Self(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", capacity: 8, encode: { bytesOf($0) }, decode: { valueOf($0) })
    }
}

extension ZMQSocketOption where Value == Bool {
    static func flag(_ name: Int32, _ label: String) -> Self {
        Self(
            name, label, capacity: 4, encode: { bytesOf(Int32($0 ? 1 : 0)) },
            decode: { (valueOf($0) as Int32) != 0 })
    }

    /// ROUTER: fail sends to unknown peers with `EHOSTUNREACH` instead of dropping them silently.
    /// Write-only in libzmq 4.3.
    public static var routerMandatory: Self { .flag(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY") }
    /// Queue messages only to completed connections, so a send to an absent peer blocks or fails.
    public static var immediate: Self { .flag(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") }
    /// Be the CURVE server: set before ``ZMQSocket/bind(_:)``, with ``curveSecretKey``.
    public static var curveServer: Self { .flag(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER") }
    /// ROUTER/DEALER: send an empty message on connect so the ROUTER learns the peer at once.
    /// Write-only.
    public static var probeRouter: Self { .flag(ZMQ_PROBE_ROUTER, "ZMQ_PROBE_ROUTER") }
}

extension ZMQSocketOption where Value == String {
    static func string(_ name: Int32, _ label: String, capacity: Int = 256) -> Self {
        Self(
            name, label, capacity: capacity, encode: { Array($0.utf8) },
            decode: { bytes in
                // libzmq returns string options with their terminating NUL.
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            })
    }

    /// Read-only: the endpoint last bound or connected, with a wildcard port resolved.
    public static var lastEndpoint: Self { .string(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT") }
    /// The ZAP domain sent to the ZAP handler for this socket's connections.
    public static var zapDomain: Self { .string(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN") }

    static func curveKey(_ name: Int32, _ label: String) -> Self {
        Self(
            name, label, capacity: 41,
            encode: { z85 in Array(try CurveKey(z85: z85).z85.utf8) },
            decode: { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) })
    }

    /// This socket's CURVE public key, as 40 Z85 characters (validated before it reaches libzmq).
    public static var curvePublicKey: Self { curveKey(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY") }
    /// This socket's CURVE secret key, as 40 Z85 characters.
    public static var curveSecretKey: Self { curveKey(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY") }
    /// Client only: the server's CURVE public key, as 40 Z85 characters.
    public static var curveServerKey: Self { curveKey(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY") }
}

extension ZMQSocketOption where Value == [UInt8] {
    /// The routing id a ROUTER peer sees for this socket (1–255 bytes, not starting with 0).
    ///
    /// Don't set it on nodes: two connections with the same id confuse the ROUTER, and a
    /// client-chosen id proves nothing. Key sessions by the CURVE `User-Id` instead.
    public static var routingId: Self {
        Self(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", capacity: 256, encode: { $0 }, decode: { $0 })
    }
}

private func bytesOf<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
}

private func valueOf<T: FixedWidthInteger>(_ bytes: [UInt8]) -> T {
    var value = T.zero
    withUnsafeMutableBytes(of: &value) { target in
        bytes.withUnsafeBytes { source in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source.prefix(target.count)))
        }
    }
    return value
}

extension ZMQSocket {
    /// Sets `option` (`zmq_setsockopt`).
    public func set<Value>(_ option: ZMQSocketOption<Value>, _ value: Value) throws {
        let operation = "zmq_setsockopt(\(option.label))"
        let handle = try liveHandle(operation)
        let bytes = try option.encode(value)
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option.name, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last(operation) }
    }

    /// Reads `option` (`zmq_getsockopt`).
    public func get<Value>(_ option: ZMQSocketOption<Value>) throws -> Value {
        let operation = "zmq_getsockopt(\(option.label))"
        let handle = try liveHandle(operation)
        var bytes = [UInt8](repeating: 0, count: option.capacity)
        var size = bytes.count
        let rc = bytes.withUnsafeMutableBytes { zmq_getsockopt(handle, option.name, $0.baseAddress, &size) }
        guard rc == 0 else { throw ZMQError.last(operation) }
        return option.decode(Array(bytes.prefix(size)))
    }

    /// The endpoint last bound or connected; after binding `tcp://127.0.0.1:*` it holds the chosen port.
    public var lastEndpoint: String {
        get throws { try get(.lastEndpoint) }
    }

    /// Whether a message can be received or sent now without blocking (`ZMQ_EVENTS`).
    public var events: ZMQPollEvents {
        get throws { ZMQPollEvents(rawValue: Int16(truncatingIfNeeded: try get(.events))) }
    }

    /// Makes this socket a CURVE server with `secretKey` (Z85); call before ``bind(_:)``.
    ///
    /// Bind a ``ZAPHandler`` in the same context first: without one, libzmq accepts any client key.
    public func makeCurveServer(secretKey: String) throws {
        try set(.curveServer, true)
        try set(.curveSecretKey, secretKey)
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey`; call before
    /// ``connect(_:)``. All keys are Z85.
    public func makeCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
        try set(.curveServerKey, serverKey)
        try set(.curvePublicKey, publicKey)
        try set(.curveSecretKey, secretKey)
    }

    /// Sets a CURVE key option from 32 raw key bytes instead of Z85.
    public func set(_ option: ZMQSocketOption<String>, rawKey: [UInt8]) throws {
        let curveKeys = [ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY, ZMQ_CURVE_SERVERKEY]
        guard curveKeys.contains(option.name) else {
            throw ZMQError(
                code: EINVAL, operation: "zmq_setsockopt(\(option.label))",
                message: "\(option.label) is not a CURVE key option.")
        }
        try set(option, try CurveKey(bytes: rawKey).z85)
    }
}
