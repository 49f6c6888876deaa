import SyncProtocol
import ZeroMQ

/// What a node's connection to the hub reports besides messages.
public enum NodeTransportEvent: Sendable, Equatable {
    /// The secure handshake completed: the hub admitted this node's key.
    case handshakeSucceeded
    /// The hub refused this node's key at the handshake (ZAP status, e.g. 400): not
    /// enrolled, revoked, or enrolled so recently that the hub has not read it yet.
    case keyRefused(status: UInt32)
    /// The secure handshake failed otherwise: most often a wrong hub key.
    case handshakeFailed
    /// Nothing answered at the endpoint; the transport keeps trying on its own.
    case connectRetried
    /// An established connection dropped (the hub stopped or crashed, the link broke).
    case disconnected
}

/// A node's connection to its hub, as ``NodeDriver`` uses it: messages are the frames of
/// one GHSP message (SPEC §3), never split or merged. Implementations: ``ZMQNodeTransport``
/// (a DEALER socket with CURVE) and ``MemoryNodeTransport`` (in-process, for tests and
/// simulations). One thread uses a transport.
public protocol NodeTransport: AnyObject {
    /// Whether a connection is open (between ``open()`` and ``close()``).
    var isOpen: Bool { get }
    /// Opens a new connection to the hub, replacing none (call ``close()`` first). Messages
    /// sent before the connection is established wait for it.
    func open() throws
    /// Drops the connection at once, discarding what was not sent (`ZMQ_LINGER` 0).
    /// Idempotent.
    func close()
    /// Queues one message for the hub without waiting; throws when it cannot be queued.
    func send(_ frames: [[UInt8]]) throws
    /// The next message from the hub, or nil when none is waiting. Never waits.
    func receive() throws -> [[UInt8]]?
    /// The next connection event, or nil. Never waits.
    func nextEvent() throws -> NodeTransportEvent?
    /// Waits until a message or an event may be waiting, or `timeout` passes. An in-memory
    /// transport returns at once: the test moves the clock.
    func wait(timeout: Duration) throws
}

/// One message the hub received: who sent it (the connection's routing id and, once the
/// handshake authenticated it, its CURVE key) and its frames without the routing id.
public struct InboundMessage: Sendable, Equatable {
    /// Identifies the connection; a reconnecting node gets a new one.
    public var peer: [UInt8]
    /// The connection's authenticated CURVE public key (Z85), nil if unauthenticated.
    public var key: String?
    public var frames: [[UInt8]]

    public init(peer: [UInt8], key: String?, frames: [[UInt8]]) {
        self.peer = peer
        self.key = key
        self.frames = frames
    }
}

/// What the hub's listening side reports besides messages.
public enum HubTransportEvent: Sendable, Equatable {
    /// A handshake was refused: the key is not on the allow-list.
    case denied(ZAPDenial)
    /// The listener could not accept a connection (`errno`): EMFILE/ENFILE mean the
    /// process ran out of file descriptors.
    case acceptFailed(errno: Int32)
    /// The listener stopped accepting for a while after running out of descriptors, or
    /// resumed.
    case accepting(Bool)
}

/// The hub's listening side, as ``HubDriver`` uses it. Implementations:
/// ``ZMQHubTransport`` (a ROUTER socket with CURVE and a ZAP allow-list) and
/// ``MemoryHubTransport``. One thread uses a transport, except its ``waker``.
public protocol HubTransport: AnyObject {
    /// Starts listening, admitting only `keys` (CURVE public keys in Z85).
    func start(admitting keys: Set<String>) throws
    /// Stops listening and drops every connection.
    func stop()
    /// Replaces the allow-list; a connection whose key leaves it is refused at its next
    /// handshake (the driver refuses its messages meanwhile).
    func admit(_ keys: Set<String>) throws
    /// The next message, or nil when none is waiting. Never waits.
    func receive() throws -> InboundMessage?
    /// Sends to the connection `peer`. False when that connection is gone or not reading
    /// (its session should end); throws for anything else.
    func send(_ frames: [[UInt8]], to peer: [UInt8]) throws -> Bool
    /// The next listener event, or nil. Never waits.
    func nextEvent() throws -> HubTransportEvent?
    /// Waits until a message or event may be waiting, the ``waker`` is called, or
    /// `timeout` passes. An in-memory transport returns at once.
    func wait(timeout: Duration) throws
    /// Ends a ``wait(timeout:)`` early; callable from any thread (the push applier's).
    var waker: @Sendable () -> Void { get }
}
