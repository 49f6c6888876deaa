import Foundation
import Synchronization
import ZeroMQ

/// An in-process network between one hub and any number of nodes, for tests and
/// simulations: the runtime drivers run on it exactly as on ZeroMQ, but nothing leaves the
/// process, nothing waits for real time, and a test can cut a link, restart the hub or
/// refuse a key at will.
///
/// It behaves like the ZeroMQ transports where the drivers can tell: a connection opened
/// while the hub is not listening waits (messages queue, as a DEALER queues them), and is
/// established — or refused, as ZAP refuses an unknown key — when the hub starts; stopping
/// the hub drops every connection (`disconnected`) and they wait again; messages are
/// delivered in order, per connection; a closed connection loses what it had not received.
///
/// ```swift
/// let network = MemoryNetwork()
/// let hub = HubDriver(…, transport: network.hubTransport(), clock: clock)
/// let node = NodeDriver(…, transport: network.nodeTransport(key: keys.publicKey), clock: clock)
/// ```
public final class MemoryNetwork: Sendable {
    struct Connection {
        var key: String
        /// Established: the hub listened and admitted the key.
        var established = false
        var toNode: [[[UInt8]]] = []
        var waitingForHub: [[[UInt8]]] = []
        var events: [NodeTransportEvent] = []
    }

    struct State {
        var listening = false
        var admitted: Set<String> = []
        var toHub: [InboundMessage] = []
        var hubEvents: [HubTransportEvent] = []
        var connections: [[UInt8]: Connection] = [:]
        var nextConnection: UInt32 = 1
        /// Keys whose link is cut: everything they send or are sent is lost, silently.
        var cut: Set<String> = []
        var delivered = 0
    }

    let state = Mutex(State())

    public init() {}

    /// The hub's end of the network (one at a time).
    public func hubTransport() -> MemoryHubTransport { MemoryHubTransport(network: self) }

    /// A node's end, authenticating as the CURVE public key `key`.
    public func nodeTransport(key: String) -> MemoryNodeTransport { MemoryNodeTransport(network: self, key: key) }

    /// Cuts (or mends) the link of the node with `key`: messages either way vanish without
    /// an error, as on a dead line (only the heartbeat deadline notices), and a connection
    /// opened meanwhile waits, as TCP keeps trying, until the link is mended.
    public func cutLink(_ key: String, _ cut: Bool = true) {
        state.withLock { s in
            if cut {
                s.cut.insert(key)
            } else {
                s.cut.remove(key)
                guard s.listening else { return }
                for (id, c) in s.connections where c.key == key { Self.establish(id, &s) }
            }
        }
    }

    /// Messages waiting anywhere: for the hub, or for a node.
    public var inFlight: Int {
        state.withLock { s in s.toHub.count + s.connections.values.reduce(0) { $0 + $1.toNode.count } }
    }

    /// Messages delivered to either side so far.
    public var delivered: Int { state.withLock { $0.delivered } }

    /// Open connections (established or waiting for the hub).
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    // MARK: - Used by the transports

    static func establish(_ id: [UInt8], _ s: inout State) {
        guard var c = s.connections[id], !c.established, !s.cut.contains(c.key) else { return }
        // A refused connection stays refused: libzmq does not retry a failed handshake.
        guard !c.events.contains(where: { if case .keyRefused = $0 { true } else { false } }) else { return }
        if s.admitted.contains(c.key) {
            c.established = true
            c.events.append(.handshakeSucceeded)
            for m in c.waitingForHub where !s.cut.contains(c.key) {
                s.toHub.append(InboundMessage(peer: id, key: c.key, frames: m))
            }
            c.waitingForHub = []
            s.connections[id] = c
        } else {
            // As ZAP: the handshake fails, and libzmq does not retry it.
            c.events.append(.keyRefused(status: 400))
            c.waitingForHub = []
            s.connections[id] = c
            s.hubEvents.append(.denied(ZAPDenial(publicKey: c.key, address: "memory", domain: "gatehouse", mechanism: "CURVE",
                                                  reason: "unknown key")))
        }
    }
}

/// The hub's end of a ``MemoryNetwork``.
public final class MemoryHubTransport: HubTransport {
    let network: MemoryNetwork
    init(network: MemoryNetwork) { self.network = network }

    public func start(admitting keys: Set<String>) throws {
        network.state.withLock { s in
            s.listening = true
            s.admitted = keys
            for id in s.connections.keys { MemoryNetwork.establish(id, &s) }
        }
    }

    public func stop() {
        network.state.withLock { s in
            s.listening = false
            s.toHub = []
            s.hubEvents = []
            // Every connection drops, after what the hub sent last (its goodbyes); the nodes'
            // transports reconnect by themselves and wait.
            for id in Array(s.connections.keys) {
                guard var c = s.connections[id], c.established else { continue }
                c.established = false
                c.events.append(.disconnected)
                s.connections[id] = c
            }
        }
    }

    public func admit(_ keys: Set<String>) throws {
        network.state.withLock { $0.admitted = keys }
    }

    public func receive() throws -> InboundMessage? {
        network.state.withLock { s in
            guard s.listening, !s.toHub.isEmpty else { return nil }
            s.delivered += 1
            return s.toHub.removeFirst()
        }
    }

    public func send(_ frames: [[UInt8]], to peer: [UInt8]) throws -> Bool {
        network.state.withLock { s in
            guard s.listening, var c = s.connections[peer], c.established else { return false }
            if !s.cut.contains(c.key) { c.toNode.append(frames) }
            s.connections[peer] = c
            return true
        }
    }

    public func nextEvent() throws -> HubTransportEvent? {
        network.state.withLock { s in s.hubEvents.isEmpty ? nil : s.hubEvents.removeFirst() }
    }

    public func wait(timeout: Duration) throws {}

    public var waker: @Sendable () -> Void { {} }
}

/// A node's end of a ``MemoryNetwork``.
public final class MemoryNodeTransport: NodeTransport {
    let network: MemoryNetwork
    /// The CURVE public key this node authenticates with.
    public let key: String
    private var id: [UInt8]?

    init(network: MemoryNetwork, key: String) {
        self.network = network
        self.key = key
    }

    public var isOpen: Bool { id != nil }

    public func open() throws {
        precondition(id == nil, "open() on an open transport")
        id = network.state.withLock { s in
            let n = s.nextConnection
            s.nextConnection += 1
            let id = withUnsafeBytes(of: n.bigEndian) { [0] + Array($0) }
            s.connections[id] = MemoryNetwork.Connection(key: key)
            if s.listening { MemoryNetwork.establish(id, &s) }
            return id
        }
    }

    public func close() {
        guard let id else { return }
        network.state.withLock { s in _ = s.connections.removeValue(forKey: id) }
        self.id = nil
    }

    public func send(_ frames: [[UInt8]]) throws {
        guard let id else { throw ZMQError(code: ENOTSOCK, operation: "send", message: "no connection to the hub is open") }
        network.state.withLock { s in
            guard var c = s.connections[id] else { return }
            if c.established {
                if !s.cut.contains(key) { s.toHub.append(InboundMessage(peer: id, key: key, frames: frames)) }
            } else if !c.events.contains(where: { if case .keyRefused = $0 { true } else { false } }) {
                c.waitingForHub.append(frames)
                s.connections[id] = c
            }
        }
    }

    public func receive() throws -> [[UInt8]]? {
        guard let id else { return nil }
        return network.state.withLock { s in
            guard var c = s.connections[id], !c.toNode.isEmpty else { return nil }
            let m = c.toNode.removeFirst()
            s.connections[id] = c
            s.delivered += 1
            return m
        }
    }

    public func nextEvent() throws -> NodeTransportEvent? {
        guard let id else { return nil }
        return network.state.withLock { s in
            guard var c = s.connections[id], !c.events.isEmpty else { return nil }
            let e = c.events.removeFirst()
            s.connections[id] = c
            return e
        }
    }

    public func wait(timeout: Duration) throws {}
}
