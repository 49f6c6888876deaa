import CZeroMQ
import Foundation

/// A libzmq socket. **Not thread-safe and deliberately not `Sendable`:** one thread creates,
/// uses and closes each socket, typically running a ``ZMQPoller`` loop. Don't block the Swift
/// cooperative pool with it; give the socket its own `Thread`.
///
/// Sockets are created with `ZMQ_LINGER` 0, so ``close()`` discards unsent messages instead of
/// making `zmq_ctx_term` wait for an absent peer. Set ``ZMQSocketOption/linger`` to change that.
///
/// ```swift
/// let router = try context.makeSocket(.router)
/// try router.bind("tcp://127.0.0.1:*")
/// let endpoint = try router.lastEndpoint  // "tcp://127.0.0.1:41234"
/// if let message = try router.receive(timeout: .seconds(1)) { print(message.frames) }
/// ```
public final class ZMQSocket {
    /// The socket's pattern.
    public let type: ZMQSocketType
    /// The context this socket belongs to, kept alive while the socket is.
    public let context: ZMQContext
    private var handle: UnsafeMutableRawPointer?
    /// One message buffer per socket, allocated once: a `zmq_msg_t` must never be copied or
    /// moved while libzmq owns its content, which a heap allocation guarantees.
    private let message: UnsafeMutablePointer<zmq_msg_t>

    init(handle: UnsafeMutableRawPointer, type: ZMQSocketType, context: ZMQContext) throws {
        self.handle = handle
        self.type = type
        self.context = context
        self.message = .allocate(capacity: 1)
        try set(.linger, 0)
    }

    deinit {
        close()
        message.deallocate()
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handle == nil }

    /// Closes the socket (`zmq_close`); idempotent. Later calls throw an error with `isClosed`.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    /// The live handle, or an error naming `operation` if the socket is closed.
    func liveHandle(_ operation: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
        guard let handle else {
            throw ZMQError(code: ENOTSOCK, operation: operation(), message: "The socket is closed.")
        }
        return handle
    }

    // MARK: Endpoints

    /// Binds to `endpoint`, e.g. `tcp://127.0.0.1:*` (read the port from ``lastEndpoint``).
    public func bind(_ endpoint: String) throws {
        let operation = "zmq_bind(\(endpoint))"
        guard zmq_bind(try liveHandle(operation), endpoint) == 0 else { throw ZMQError.last(operation) }
    }

    /// Stops listening on `endpoint` (use the resolved ``lastEndpoint`` for wildcard binds).
    public func unbind(_ endpoint: String) throws {
        let operation = "zmq_unbind(\(endpoint))"
        guard zmq_unbind(try liveHandle(operation), endpoint) == 0 else { throw ZMQError.last(operation) }
    }

    /// Connects to `endpoint`. libzmq connects (and reconnects) in the background: success here
    /// does not mean a peer is there.
    public func connect(_ endpoint: String) throws {
        let operation = "zmq_connect(\(endpoint))"
        guard zmq_connect(try liveHandle(operation), endpoint) == 0 else { throw ZMQError.last(operation) }
    }

    /// Disconnects from an endpoint given to ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws {
        let operation = "zmq_disconnect(\(endpoint))"
        guard zmq_disconnect(try liveHandle(operation), endpoint) == 0 else { throw ZMQError.last(operation) }
    }

    // MARK: Sending

    /// Sends one multipart message; each frame is copied into its own `zmq_msg_t`.
    ///
    /// A ROUTER takes the peer's routing id as the first frame. With `dontWait`, a full queue
    /// throws an error whose `isAgain` is true and nothing is sent. libzmq delivers multipart
    /// messages atomically: all frames or none.
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws {
        let handle = try liveHandle("zmq_msg_send")
        guard !frames.isEmpty else {
            throw ZMQError(code: EINVAL, operation: "zmq_msg_send", message: "A message needs at least one frame.")
        }
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            guard zmq_msg_init_size(message, frame.count) == 0 else { throw ZMQError.last("zmq_msg_init_size") }
            if !frame.isEmpty {
                frame.withUnsafeBytes { bytes in
                    zmq_msg_data(message).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                }
            }
            // On success libzmq takes the content and leaves the message empty; on failure we
            // still own it and must close it.
            while zmq_msg_send(message, handle, flags) == -1 {
                let error = ZMQError.last("zmq_msg_send")
                if error.isInterrupted { continue }
                zmq_msg_close(message)
                throw error
            }
        }
    }

    /// Sends one multipart message made of `Data` frames.
    public func send(_ frames: [Data], dontWait: Bool = false) throws {
        try send(frames.map { [UInt8]($0) }, dontWait: dontWait)
    }

    // MARK: Receiving

    /// Receives one whole multipart message.
    ///
    /// With `dontWait`, returns `nil` at once when no message is waiting. Without it, blocks
    /// until a message arrives or ``ZMQSocketOption/receiveTimeout`` expires (then `nil` too).
    public func receive(dontWait: Bool = false) throws -> ZMQMultipart? {
        let handle = try liveHandle("zmq_msg_recv")
        var frames: [[UInt8]] = []
        var userId: String?
        var more = true
        while more {
            zmq_msg_init(message)
            defer { zmq_msg_close(message) }
            // Only the first frame can be missing: libzmq delivers the rest of a message atomically.
            let flags: Int32 = dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0
            let size = zmq_msg_recv(message, handle, flags)
            if size == -1 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.isInterrupted { continue }
                if error.isAgain && frames.isEmpty { return nil }
                throw error
            }
            let data = zmq_msg_data(message)!.assumingMemoryBound(to: UInt8.self)
            frames.append(Array(UnsafeBufferPointer(start: data, count: Int(size))))
            // The User-Id is metadata of the connection, carried by the frames that came over it.
            // Not necessarily the first frame: in libzmq 4.3.4 the routing id frame a ROUTER makes
            // up has no metadata (verified by CurveTests), so take the first frame that has it.
            if userId == nil, let value = zmq_msg_gets(message, "User-Id") {
                userId = String(cString: value)
            }
            // Must be read before the deferred close resets the message.
            more = zmq_msg_more(message) != 0
        }
        return ZMQMultipart(frames: frames, userId: userId)
    }

    /// Waits up to `timeout` for a message (`zmq_poll`), returning `nil` if none arrived.
    public func receive(timeout: Duration) throws -> ZMQMultipart? {
        // A negative duration means "don't wait", never "wait forever".
        try receive(timeoutMilliseconds: max(0, timeout.zmqMilliseconds))
    }

    /// Waits up to `milliseconds` for a message (`zmq_poll`), returning `nil` if none arrived.
    /// A negative value waits forever.
    public func receive(timeoutMilliseconds milliseconds: Int) throws -> ZMQMultipart? {
        let handle = try liveHandle("zmq_poll")
        let deadline = ContinuousClock.now + .milliseconds(max(milliseconds, 0))
        while true {
            let remaining = milliseconds < 0 ? -1 : max(0, (deadline - .now).zmqMilliseconds)
            var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
            let ready = zmq_poll(&item, 1, remaining)
            if ready == -1 {
                let error = ZMQError.last("zmq_poll")
                if error.isInterrupted { continue }
                throw error
            }
            if ready > 0, let message = try receive(dontWait: true) { return message }
            if milliseconds >= 0 && ContinuousClock.now >= deadline { return nil }
        }
    }
}

// One thread owns each socket; this makes `Sendable` use a compile-time error.
@available(*, unavailable)
extension ZMQSocket: Sendable {}

extension Duration {
    /// Whole milliseconds, rounded up so a short positive timeout never becomes a non-blocking 0.
    var zmqMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return Int(millis + (remainder > 0 ? 1 : 0))
    }
}
