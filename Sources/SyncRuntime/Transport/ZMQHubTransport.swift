import Foundation
import Synchronization
import ZeroMQ

/// The hub's listening side over ZeroMQ: a ROUTER socket, CURVE server, behind a ZAP
/// handler that admits only the allow-list (bound before the ROUTER, so no connection is
/// ever unauthenticated), and a pipe another thread writes to end a wait.
///
/// Out of file descriptors, libzmq's listener fails every accept and, its socket still
/// readable, tries again at once: a silent spin at 100 % CPU. This transport watches the
/// listener's accept failures instead: on EMFILE/ENFILE it reports them, stops listening
/// for `acceptPause` (doubling while it keeps failing, up to 30 s) and listens again.
/// Established connections are not touched.
public final class ZMQHubTransport: HubTransport {
    public struct Options: Sendable {
        public var endpoint: String
        public var secretKey: String
        public var maxMessageBytes: Int
        /// How long to stop listening after the process ran out of file descriptors.
        public var acceptPause: Duration = .seconds(1)
        public init(endpoint: String, secretKey: String, maxMessageBytes: Int) {
            self.endpoint = endpoint
            self.secretKey = secretKey
            self.maxMessageBytes = maxMessageBytes
        }
    }

    public let context: ZMQContext
    let options: Options
    private var zap: ZAPHandler?
    private var router: ZMQSocket?
    private var monitor: ZMQSocket?
    /// The endpoint as bound (a wildcard port resolved), for unbinding.
    private var bound: String?
    private var pauseUntil: ContinuousClock.Instant?
    private var pause: Duration
    private let denials = DenialQueue()
    private var pending: [HubTransportEvent] = []
    private let wakePipe: WakePipe

    public init(context: ZMQContext, options: Options) throws {
        self.context = context
        self.options = options
        pause = options.acceptPause
        wakePipe = try WakePipe()
    }

    public var waker: @Sendable () -> Void { { [wakePipe] in wakePipe.wake() } }

    deinit { stop() }

    /// Connections accepted minus connections dropped, as the listener reported them.
    public private(set) var connections = 0

    public func start(admitting keys: Set<String>) throws {
        let denials = self.denials
        let zap = try ZAPHandler(context: context, allowedKeys: keys, domain: "gatehouse") { denial in
            denials.queue.withLock { $0.append(denial) }
        }
        try zap.start()
        self.zap = zap
        let router = try context.makeSocket(.router)
        self.router = router
        try router.makeCurveServer(secretKey: options.secretKey)
        try router.set(.zapDomain, "gatehouse")
        try router.set(.routerMandatory, true)
        try router.set(.maxMessageSize, Int64(options.maxMessageBytes + 1024))
        try router.set(.sendHighWaterMark, 10_000)
        monitor = try router.monitor(name: "gatehouse-hub-\(getpid())", listener: true)
        try router.bind(options.endpoint)
        bound = try router.get(.lastEndpoint)
    }

    public func stop() {
        // The goodbyes (ERROR 503 with a retry hint) were just queued: give them a moment to
        // leave rather than discard them (LINGER 0), or every node would reconnect on its
        // own schedule instead of the spread one.
        try? router?.set(.linger, 1000)
        router?.close()
        router = nil
        monitor?.close()
        monitor = nil
        // After the ROUTER: without a ZAP handler libzmq would admit anyone.
        zap?.stop()
        zap = nil
    }

    public func admit(_ keys: Set<String>) throws {
        try zap?.replaceAllowedKeys(keys)
    }

    public func receive() throws -> InboundMessage? {
        guard let router, let m = try router.receive(dontWait: true), let peer = m.frames.first else { return nil }
        return InboundMessage(peer: peer, key: m.userId, frames: Array(m.frames.dropFirst()))
    }

    public func send(_ frames: [[UInt8]], to peer: [UInt8]) throws -> Bool {
        guard let router else { return false }
        do {
            try router.send([peer] + frames, dontWait: true)
            return true
        } catch let e as ZMQError where e.isHostUnreachable || e.isAgain {
            return false
        }
    }

    public func nextEvent() throws -> HubTransportEvent? {
        if let e = pending.first {
            pending.removeFirst()
            return e
        }
        if let d = denials.queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return .denied(d) }
        if let until = pauseUntil, ContinuousClock.now >= until, let router {
            pauseUntil = nil
            do {
                try router.bind(bound ?? options.endpoint)
                return .accepting(true)
            } catch {
                // Someone took the port meanwhile, or descriptors are still short: try later.
                pauseUntil = ContinuousClock.now + pause
                return .acceptFailed(errno: (error as? ZMQError)?.code ?? EINVAL)
            }
        }
        while let m = monitor, let e = try ZMQMonitorEvent.read(from: m) {
            switch e.kind {
            case .accepted:
                connections += 1
                pause = options.acceptPause
            case .disconnected:
                connections = max(0, connections - 1)
            case .acceptFailed:
                let code = Int32(bitPattern: e.value)
                if (code == EMFILE || code == ENFILE), pauseUntil == nil, let router, let bound {
                    try? router.unbind(bound)
                    pauseUntil = ContinuousClock.now + pause
                    pause = min(pause * 2, .seconds(30))
                    pending.append(.accepting(false))
                }
                return .acceptFailed(errno: code)
            default:
                continue
            }
        }
        return pending.isEmpty ? nil : try nextEvent()
    }

    public func wait(timeout: Duration) throws {
        guard let router else { return }
        var poller = ZMQPoller()
        poller.register(router)
        if let monitor { poller.register(monitor) }
        poller.register(fileDescriptor: wakePipe.readEnd)
        let ready = try poller.poll(timeout: timeout)
        if ready.contains(where: { $0.fileDescriptor != nil }) { wakePipe.drain() }
    }
}

/// Refusals the ZAP handler's thread reports, until the socket thread reads them.
final class DenialQueue: Sendable {
    let queue = Mutex<[ZAPDenial]>([])
}

/// A non-blocking pipe: any thread writes a byte to end the owner's poll.
final class WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw RuntimeError.configuration("cannot create a pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        (readEnd, writeEnd) = (fds[0], fds[1])
    }

    deinit {
        Foundation.close(readEnd)
        Foundation.close(writeEnd)
    }

    func wake() {
        var one: UInt8 = 1
        // A full pipe already holds a wake-up.
        _ = write(writeEnd, &one, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
    }
}
