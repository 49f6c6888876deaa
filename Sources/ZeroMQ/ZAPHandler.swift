import CZeroMQ
import Foundation

/// One authentication request from libzmq (RFC 27/ZAP), as the handler sees it.
public struct ZAPRequest: Sendable, Equatable {
    /// The ZAP version; libzmq 4.3 sends "1.0".
    public var version: String
    /// Opaque id to echo in the reply.
    public var requestId: [UInt8]
    /// The server socket's `ZMQ_ZAP_DOMAIN` ("" when unset).
    public var domain: String
    /// The peer's IP address (no port).
    public var address: String
    /// The routing id the peer announced, usually empty.
    public var routingId: [UInt8]
    /// "CURVE", "PLAIN" or "NULL".
    public var mechanism: String
    /// Mechanism-specific credentials; for CURVE, one frame with the client's 32-byte public key.
    public var credentials: [[UInt8]]

    /// The client's CURVE public key in Z85, or `nil` for other mechanisms or malformed credentials.
    public var curvePublicKey: String? {
        guard mechanism == "CURVE", credentials.count == 1, let key = try? CurveKey(bytes: credentials[0]) else {
            return nil
        }
        return key.z85
    }

    /// Parses the frames a REP socket receives (the envelope delimiter already removed).
    init?(frames: [[UInt8]]) {
        guard frames.count >= 6 else { return nil }
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        version = text(frames[0])
        requestId = frames[1]
        domain = text(frames[2])
        address = text(frames[3])
        routingId = frames[4]
        mechanism = text(frames[5])
        credentials = Array(frames.dropFirst(6))
    }
}

/// A refused connection attempt, reported so the hub can log who was turned away.
public struct ZAPDenial: Sendable, Equatable {
    /// The client's CURVE public key (Z85), if it presented one.
    public var publicKey: String?
    /// The client's IP address.
    public var address: String
    /// The ZAP domain of the server socket.
    public var domain: String
    /// The security mechanism the client used.
    public var mechanism: String
    /// Why it was refused; also sent to the client as the ZAP status text.
    public var reason: String

    /// A refusal, e.g. to report one from an in-memory stand-in for a real connection.
    public init(publicKey: String?, address: String, domain: String, mechanism: String, reason: String) {
        self.publicKey = publicKey
        self.address = address
        self.domain = domain
        self.mechanism = mechanism
        self.reason = reason
    }
}

/// The ZeroMQ Authentication Protocol handler (RFC 27/ZAP) that admits CURVE clients whose
/// public key is on an allow-list.
///
/// **Without a ZAP handler libzmq accepts any client key on a CURVE server.** The handler must
/// be bound on `inproc://zeromq.zap.01` in the *same context* before any CURVE server socket
/// binds, and must outlive those sockets: libzmq only consults it while a handshake runs, and if
/// it is gone it lets the client in. ``start()`` binds before returning, then serves requests on
/// its own `Thread` (never the Swift cooperative pool), polling with a short timeout so that
/// ``stop()`` takes effect quickly.
///
/// An admitted client's messages carry its public key as the `User-Id` (see
/// ``ZMQMultipart/userId``). The allow-list can change while the server runs; changes apply to
/// the next handshake. An established connection stays open after ``revoke(_:)``, so check
/// ``isAllowed(_:)`` against the `User-Id` of each message where that matters.
///
/// ```swift
/// let zap = try ZAPHandler(context: context, allowedKeys: [nodeKey]) { denial in
///     logger.warning("refused \(denial.publicKey ?? "?") from \(denial.address): \(denial.reason)")
/// }
/// try zap.start()
/// let router = try context.makeSocket(.router)
/// try router.makeCurveServer(secretKey: hubKeys.secretKey)
/// try router.bind("tcp://*:5555")
/// // ...
/// router.close()
/// zap.stop()
/// ```
public final class ZAPHandler: Sendable {
    /// The endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// How long the serving thread waits for a request before checking whether to stop: what
    /// ``stop()`` may take. At 20 ms the thread of an idle hub woke 50 times a second, a
    /// sixth of the idle hub's CPU.
    static let pollMilliseconds = 100

    private let core: Core
    private let lifecycle = Locked(Lifecycle.idle)

    private enum Lifecycle {
        case idle
        case running(thread: Thread, finished: NSCondition, done: Locked<Bool>)
        case stopped
    }

    /// Creates a handler for `context` that admits `allowedKeys` (Z85 public keys).
    ///
    /// - Parameters:
    ///   - domain: if set, requests for any other ZAP domain are refused.
    ///   - onDenied: called on the handler's thread for each refusal; keep it short and don't
    ///     call ``stop()`` from it.
    public init(
        context: ZMQContext,
        allowedKeys: some Sequence<String> = [],
        domain: String? = nil,
        onDenied: @escaping @Sendable (ZAPDenial) -> Void = { _ in }
    ) throws {
        let keys = Set(allowedKeys)
        for key in keys { try CurveKey.validate(key) }
        core = Core(context: context, allowedKeys: keys, domain: domain, onDenied: onDenied)
    }

    deinit { stop() }

    // MARK: Allow-list

    /// The Z85 public keys admitted now.
    public var allowedKeys: Set<String> { core.allowedKeys.withLock { $0 } }

    /// Whether `publicKey` (Z85) is admitted now.
    public func isAllowed(_ publicKey: String) -> Bool {
        core.allowedKeys.withLock { $0.contains(publicKey) }
    }

    /// Admits `publicKey` (Z85) from the next handshake on; throws if it is not a valid key.
    public func allow(_ publicKey: String) throws {
        try CurveKey.validate(publicKey)
        _ = core.allowedKeys.withLock { $0.insert(publicKey) }
    }

    /// Refuses `publicKey` from the next handshake on; its open connections are not closed.
    public func revoke(_ publicKey: String) {
        _ = core.allowedKeys.withLock { $0.remove(publicKey) }
    }

    /// Replaces the whole allow-list at once (e.g. after reloading enrolments); throws without
    /// changing anything if one key is invalid.
    public func replaceAllowedKeys(_ keys: some Sequence<String>) throws {
        let keys = Set(keys)
        for key in keys { try CurveKey.validate(key) }
        core.allowedKeys.withLock { $0 = keys }
    }

    /// How many handshakes were admitted since the handler was created.
    public var acceptedCount: Int { core.counts.withLock { $0.accepted } }
    /// How many handshakes were refused since the handler was created.
    public var deniedCount: Int { core.counts.withLock { $0.denied } }

    // MARK: Lifecycle

    /// Whether the serving thread is running.
    public var isRunning: Bool {
        lifecycle.withLock { if case .running = $0 { true } else { false } }
    }

    /// Binds `inproc://zeromq.zap.01` and starts serving on a new thread.
    ///
    /// Returns once the endpoint is bound, so a CURVE server bound afterwards is covered.
    /// Throws if the endpoint is taken (another handler in this context), if the handler was
    /// already started, or if the context is terminated.
    public func start() throws {
        try lifecycle.withLock { state in
            guard case .idle = state else {
                throw ZMQError(
                    code: EINVAL, operation: "ZAPHandler.start",
                    message: "A ZAP handler can be started once; create a new one to restart.")
            }
            let bound = NSCondition()
            let bindResult = Locked<Result<Void, ZMQError>?>(nil)
            let finished = NSCondition()
            let done = Locked(false)
            let core = self.core
            let thread = Thread {
                core.serve(
                    onBound: { result in
                        bound.lock()
                        bindResult.withLock { $0 = result }
                        bound.signal()
                        bound.unlock()
                    })
                finished.lock()
                done.withLock { $0 = true }
                finished.broadcast()
                finished.unlock()
            }
            thread.name = "ZAPHandler"
            thread.start()

            bound.lock()
            while bindResult.withLock({ $0 }) == nil { bound.wait() }
            bound.unlock()
            if case .failure(let error) = bindResult.withLock({ $0 })! {
                state = .stopped
                throw error
            }
            state = .running(thread: thread, finished: finished, done: done)
        }
    }

    /// Stops serving, waits for the thread to close its socket, and unbinds the endpoint;
    /// idempotent. Close the CURVE server sockets first: without a handler libzmq admits anyone.
    public func stop() {
        let running = lifecycle.withLock { state -> (Thread, NSCondition, Locked<Bool>)? in
            defer { state = .stopped }
            if case .running(let thread, let finished, let done) = state { return (thread, finished, done) }
            return nil
        }
        guard let (thread, finished, done) = running else { return }
        core.stopRequested.withLock { $0 = true }
        // Called from the handler's own thread (e.g. from onDenied): it exits after this request.
        guard Thread.current != thread else { return }
        finished.lock()
        while !done.withLock({ $0 }) { finished.wait() }
        finished.unlock()
    }
}

/// The state the serving thread shares with the handler; holding it instead of the handler lets
/// the handler be released (and stop the thread) while the thread runs.
private final class Core: Sendable {
    let context: ZMQContext
    let domain: String?
    let onDenied: @Sendable (ZAPDenial) -> Void
    let allowedKeys: Locked<Set<String>>
    let counts = Locked((accepted: 0, denied: 0))
    let stopRequested = Locked(false)

    init(context: ZMQContext, allowedKeys: Set<String>, domain: String?, onDenied: @escaping @Sendable (ZAPDenial) -> Void) {
        self.context = context
        self.domain = domain
        self.onDenied = onDenied
        self.allowedKeys = Locked(allowedKeys)
    }

    /// Runs on the handler's thread: the REP socket is created, used and closed here only.
    func serve(onBound: (Result<Void, ZMQError>) -> Void) {
        let socket: ZMQSocket
        do {
            socket = try context.makeSocket(.rep)
            do {
                try socket.bind(ZAPHandler.endpoint)
            } catch {
                socket.close()
                throw error
            }
        } catch {
            onBound(.failure(error as? ZMQError ?? ZMQError(code: EINVAL, operation: "ZAPHandler.start", message: "\(error)")))
            return
        }
        onBound(.success(()))
        defer { socket.close() }

        while !stopRequested.withLock({ $0 }) {
            do {
                guard let message = try socket.receive(timeoutMilliseconds: ZAPHandler.pollMilliseconds) else {
                    continue
                }
                try socket.send(reply(to: message.frames))
            } catch let error as ZMQError where error.isTerminated || error.isClosed {
                return  // The context is going away; closing the socket lets zmq_ctx_term finish.
            } catch {
                // Keep serving: if this thread ended, libzmq would admit every client unchecked.
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
    }

    /// The reply frames for one request (RFC 27): version, request id, status code, status text,
    /// user id, metadata.
    func reply(to frames: [[UInt8]]) -> [[UInt8]] {
        guard let request = ZAPRequest(frames: frames), request.version == "1.0" else {
            // Malformed: still answer, because the REP socket must reply before it can receive again.
            let requestId = frames.count > 1 ? frames[1] : []
            return [Array("1.0".utf8), requestId, Array("500".utf8), Array("malformed ZAP request".utf8), [], []]
        }
        let key = request.curvePublicKey
        let reason: String?
        if request.mechanism != "CURVE" {
            reason = "mechanism \(request.mechanism) not allowed"
        } else if key == nil {
            reason = "malformed CURVE credentials"
        } else if let domain, domain != request.domain {
            reason = "unknown domain"
        } else if !allowedKeys.withLock({ $0.contains(key!) }) {
            reason = "unknown key"
        } else {
            reason = nil
        }
        func status(_ code: String, _ text: String, userId: String) -> [[UInt8]] {
            [Array("1.0".utf8), request.requestId, Array(code.utf8), Array(text.utf8), Array(userId.utf8), []]
        }
        guard let reason else {
            counts.withLock { $0.accepted += 1 }
            return status("200", "OK", userId: key!)
        }
        counts.withLock { $0.denied += 1 }
        onDenied(
            ZAPDenial(
                publicKey: key, address: request.address, domain: request.domain,
                mechanism: request.mechanism, reason: reason))
        return status("400", reason, userId: "")
    }
}
