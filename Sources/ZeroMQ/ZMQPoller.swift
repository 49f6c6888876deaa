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

/// Waits on several sockets at once (`zmq_poll`). Like its sockets, a poller belongs to one thread.
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
    /// A socket that is ready, and for what.
    public struct Ready {
        /// The ready socket.
        public let socket: ZMQSocket
        /// Its position in registration order.
        public let index: Int
        /// The events that are ready (a subset of those registered).
        public let events: ZMQPollEvents
    }

    private var entries: [(socket: ZMQSocket, events: ZMQPollEvents)] = []

    /// An empty poller.
    public init() {}

    /// The registered sockets, in registration order.
    public var sockets: [ZMQSocket] { entries.map(\.socket) }

    /// Watches `socket` for `events`; registering it again replaces its events.
    public mutating func register(_ socket: ZMQSocket, for events: ZMQPollEvents = .readable) {
        if let index = entries.firstIndex(where: { $0.socket === socket }) {
            entries[index].events = events
        } else {
            entries.append((socket, events))
        }
    }

    /// Stops watching `socket`.
    public mutating func unregister(_ socket: ZMQSocket) {
        entries.removeAll { $0.socket === socket }
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
                socket: try entry.socket.liveHandle("zmq_poll"), fd: 0, events: entry.events.rawValue, revents: 0)
        }
        let count = zmq_poll(&items, Int32(items.count), milliseconds)
        if count == -1 {
            let error = ZMQError.last("zmq_poll")
            if error.isInterrupted { return [] }
            throw error
        }
        return items.indices.compactMap { index in
            let events = ZMQPollEvents(rawValue: items[index].revents)
            return events.isEmpty ? nil : Ready(socket: entries[index].socket, index: index, events: events)
        }
    }
}

// Pollers hold sockets, which belong to one thread.
@available(*, unavailable)
extension ZMQPoller: Sendable {}
@available(*, unavailable)
extension ZMQPoller.Ready: Sendable {}
