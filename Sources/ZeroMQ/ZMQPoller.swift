import CZeroMQ

/// Readiness flags for polling: `ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`.
public struct ZMQPollEvents: OptionSet, Sendable, Hashable {
    /// The `ZMQ_POLL*` bits as `zmq_pollitem_t` stores them.
    public let rawValue: Int16
    /// Flags from raw `ZMQ_POLL*` bits.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// A whole message can be received without blocking.
    public static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking.
    public static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition (only reported for plain file descriptors).
    public static let error = ZMQPollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Waits on several sockets, and plain file descriptors, at once (`zmq_poll`). Like its
/// sockets, a poller belongs to one thread.
///
/// ```swift
/// var poller = ZMQPoller()
/// poller.register(router, for: .readable)
/// poller.register(control, for: .readable)
/// for ready in try poller.poll(timeout: .milliseconds(100)) where ready.events.contains(.readable) {
///     if let message = try ready.socket.receive(dontWait: true) { handle(message) }
/// }
/// ```
public struct ZMQPoller {
    /// A socket (or file descriptor) that is ready, and for what.
    public struct Ready {
        /// The ready socket; nil for a file descriptor.
        public let socket: ZMQSocket?
        /// The ready file descriptor; nil for a socket.
        public let fileDescriptor: Int32?
        /// Its position in registration order.
        public let index: Int
        /// The events that are ready (a subset of those registered).
        public let events: ZMQPollEvents
    }

    private var entries: [(socket: ZMQSocket?, fd: Int32, events: ZMQPollEvents)] = []

    /// An empty poller.
    public init() {}

    /// The registered sockets, in registration order.
    public var sockets: [ZMQSocket] { entries.compactMap(\.socket) }

    /// Watches `socket` for `events`; registering it again replaces its events.
    public mutating func register(_ socket: ZMQSocket, for events: ZMQPollEvents = .readable) {
        if let index = entries.firstIndex(where: { $0.socket === socket }) {
            entries[index].events = events
        } else {
            entries.append((socket, 0, events))
        }
    }

    /// Watches `socket`, known not to be registered yet, for `events`: without the search
    /// ``register(_:for:)`` makes, so a poller over thousands of sockets (the fleet
    /// benchmark's nodes) is built in linear time.
    public mutating func append(_ socket: ZMQSocket, for events: ZMQPollEvents = .readable) {
        entries.append((socket, 0, events))
    }

    /// Watches a plain file descriptor (a pipe, an eventfd) for `events`: how another
    /// thread can wake a poll without a socket of its own.
    public mutating func register(fileDescriptor fd: Int32, for events: ZMQPollEvents = .readable) {
        if let index = entries.firstIndex(where: { $0.socket == nil && $0.fd == fd }) {
            entries[index].events = events
        } else {
            entries.append((nil, fd, events))
        }
    }

    /// Stops watching `socket`.
    public mutating func unregister(_ socket: ZMQSocket) {
        entries.removeAll { $0.socket === socket }
    }

    /// Stops watching the file descriptor `fd`.
    public mutating func unregister(fileDescriptor fd: Int32) {
        entries.removeAll { $0.socket == nil && $0.fd == fd }
    }

    /// Waits up to `timeout` (`nil`: forever) and returns the ready sockets; empty on timeout or
    /// when interrupted by a signal.
    public func poll(timeout: Duration?) throws -> [Ready] {
        try poll(timeoutMilliseconds: timeout.map { max(0, $0.zmqMilliseconds) } ?? -1)
    }

    /// Waits up to `milliseconds` (-1: forever) and returns the ready sockets.
    public func poll(timeoutMilliseconds milliseconds: Int) throws -> [Ready] {
        var items = try entries.map { entry in
            zmq_pollitem_t(
                socket: try entry.socket?.liveHandle("zmq_poll"), fd: entry.fd, events: entry.events.rawValue, revents: 0)
        }
        let count = zmq_poll(&items, Int32(items.count), milliseconds)
        if count == -1 {
            let error = ZMQError.last("zmq_poll")
            if error.isInterrupted { return [] }
            throw error
        }
        return items.indices.compactMap { index in
            let events = ZMQPollEvents(rawValue: items[index].revents)
            return events.isEmpty
                ? nil
                : Ready(socket: entries[index].socket, fileDescriptor: entries[index].socket == nil ? entries[index].fd : nil,
                        index: index, events: events)
        }
    }
}

// Pollers hold sockets, which belong to one thread.
@available(*, unavailable)
extension ZMQPoller: Sendable {}
@available(*, unavailable)
extension ZMQPoller.Ready: Sendable {}
