import CZeroMQ

/// An error reported by libzmq, or by this wrapper when it refuses a call before reaching libzmq.
///
/// The description names the failed operation, the errno and libzmq's message, e.g.
/// `ZeroMQ error 156384729 in zmq_msg_send: Host unreachable`.
public struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The errno value (`zmq_errno()`), including libzmq's own codes such as `ETERM` and `EHOSTUNREACH`.
    public let code: Int32
    /// The operation that failed, e.g. `zmq_bind(tcp://127.0.0.1:*)`.
    public let operation: String
    /// What went wrong: `zmq_strerror(code)`, or a sentence from this wrapper for validation errors.
    public let message: String

    /// Creates an error with an explicit message (used for validation failures that never reach libzmq).
    public init(code: Int32, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    /// Creates an error for `code` with libzmq's message for it.
    public init(code: Int32, operation: String) {
        self.init(code: code, operation: operation, message: String(cString: zmq_strerror(code)))
    }

    /// Captures `zmq_errno()` right after a failed libzmq call.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation)
    }

    /// The call would block (`EAGAIN`): nothing to receive, or the send queue is full with `dontWait`.
    public var isAgain: Bool { code == EAGAIN }
    /// The context was terminated (`ETERM`); the socket must be closed.
    public var isTerminated: Bool { code == ETERM }
    /// A ROUTER with `routerMandatory` was asked to send to an unknown or disconnected peer (`EHOSTUNREACH`).
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }
    /// A blocking call was interrupted by a signal (`EINTR`); retrying is safe.
    public var isInterrupted: Bool { code == EINTR }
    /// The socket was already closed by this wrapper (`ENOTSOCK`).
    public var isClosed: Bool { code == ENOTSOCK }

    /// One line for logs: `ZeroMQ error <code> in <operation>: <message>`.
    public var description: String {
        "ZeroMQ error \(code) in \(operation): \(message)"
    }
}
