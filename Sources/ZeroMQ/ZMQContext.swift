import CZeroMQ

/// A libzmq context: the I/O threads and the `inproc://` namespace that its sockets share.
///
/// libzmq contexts are thread-safe, so a context may be shared between threads; each socket
/// made from it is owned by one thread (see ``ZMQSocket``).
///
/// **Close every socket before terminating.** `zmq_ctx_term` waits until every socket of the
/// context is closed; terminating while a socket is still open on the calling thread blocks
/// forever. Sockets on other threads get `ETERM` from their blocking calls and must then close.
/// Every ``ZMQSocket`` keeps its context alive, so `deinit` only runs after all sockets are gone.
///
/// ```swift
/// let context = try ZMQContext()
/// let socket = try context.makeSocket(.dealer)
/// try socket.connect("tcp://127.0.0.1:5555")
/// socket.close()
/// context.terminate()
/// ```
public final class ZMQContext: @unchecked Sendable {
    // `@unchecked` is justified: libzmq documents context calls as thread-safe, and the only
    // mutable Swift state (whether `terminate` ran) is guarded by `state`.
    private let handle: UnsafeMutableRawPointer
    private let state = Locked(false)  // true once terminated

    /// Creates a context (`zmq_ctx_new`).
    ///
    /// - Parameters:
    ///   - ioThreads: libzmq's I/O threads (`ZMQ_IO_THREADS`, default 1), which do the
    ///     network work and CURVE's encryption for every socket of the context.
    ///   - maxSockets: the most sockets the context may hold (`ZMQ_MAX_SOCKETS`, default
    ///     1023). Connections are not sockets: a ROUTER holds any number of them, each one
    ///     a file descriptor.
    public init(ioThreads: Int? = nil, maxSockets: Int? = nil) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        // Both must be set before the first socket exists.
        if let ioThreads, zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(clamping: ioThreads)) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS)")
            zmq_ctx_term(handle)
            throw error
        }
        if let maxSockets, zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, Int32(clamping: maxSockets)) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_MAX_SOCKETS)")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// The most sockets this context may hold (`ZMQ_MAX_SOCKETS`).
    public var maxSockets: Int { Int(zmq_ctx_get(handle, ZMQ_MAX_SOCKETS)) }

    deinit { terminate() }

    /// Whether ``terminate()`` has been called.
    public var isTerminated: Bool { state.withLock { $0 } }

    /// Creates a socket of `type`, with `ZMQ_LINGER` 0 so that closing it never waits for peers.
    public func makeSocket(_ type: ZMQSocketType) throws -> ZMQSocket {
        // The lock makes `zmq_socket` and the start of `terminate` mutually exclusive, so a
        // socket is never created on a context that is being freed.
        let raw: UnsafeMutableRawPointer = try state.withLock { terminated in
            guard !terminated else {
                throw ZMQError(code: ETERM, operation: "zmq_socket(\(type))")
            }
            guard let raw = zmq_socket(handle, type.rawValue) else {
                throw ZMQError.last("zmq_socket(\(type))")
            }
            return raw
        }
        return try ZMQSocket(handle: raw, type: type, context: self)
    }

    /// Terminates the context (`zmq_ctx_term`); idempotent and safe from any thread.
    ///
    /// Blocks until every socket of the context is closed — close them first.
    public func terminate() {
        let first = state.withLock { terminated in
            defer { terminated = true }
            return !terminated
        }
        guard first else { return }
        // EINTR means a signal interrupted the wait; the context is not terminated yet.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}
