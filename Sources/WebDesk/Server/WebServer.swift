import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The HTTP listener of `node run` and `hub run`, beside their sync loops: Hummingbird on
/// its own NIO event loops, started and stopped from the daemons' synchronous code.
///
/// `start` returns once the socket is bound (or throws why it could not be: the port is
/// taken, the certificate does not load), so a daemon fails at start rather than running
/// half. `stop` lets requests in flight finish, then closes the listener.
public final class WebServer: Sendable {
    /// Where it listens, as bound (port 0 resolved).
    public let url: String
    public let port: Int
    public let listen: WebListen
    private let group: ServiceGroup
    private let finished: DispatchSemaphore
    private let executor: WebExecutor
    private let task: Task<Void, Never>
    private let stopped = Atomic<Bool>(false)

    private init(url: String, port: Int, listen: WebListen, group: ServiceGroup, finished: DispatchSemaphore, executor: WebExecutor,
                 task: Task<Void, Never>) {
        self.task = task
        self.url = url
        self.port = port
        self.listen = listen
        self.group = group
        self.finished = finished
        self.executor = executor
    }

    /// Binds `listen` and serves `router` until `stop()`, on `threads` threads of its own
    /// (``WebExecutor``): page handlers may block them with database work.
    public static func start(_ router: Router<WebContext>, listen: WebListen, threads: Int = 4, logger: Logger) throws -> WebServer {
        let server: HTTPServerBuilder
        switch listen.security {
        case .tls(let certificate, let key):
            let chain: [NIOSSLCertificateSource]
            let privateKey: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            } catch {
                throw WebConfigError("cannot load the TLS certificate \(certificate) or its key \(key): \(error)")
            }
            guard !chain.isEmpty else { throw WebConfigError("\(certificate) holds no PEM certificate") }
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            tls.minimumTLSVersion = .tlsv12
            do { server = try .tls(.http1(), tlsConfiguration: tls) } catch {
                throw WebConfigError("the TLS certificate \(certificate) does not fit its key \(key): \(error)")
            }
        case .loopback, .insecure:
            server = .http1()
        }
        let bound = BoundPort()
        let app = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in bound.set(.success(channel.localAddress?.port ?? listen.port)) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let finished = DispatchSemaphore(value: 0)
        let executor = WebExecutor(threads: threads)
        let task = Task(executorPreference: executor) {
            do { try await group.run() } catch { bound.set(.failure(error)) }
            bound.set(.failure(WebConfigError("the web server stopped before it was listening")))
            finished.signal()
        }
        let port: Int
        switch bound.wait() {
        case .success(let p): port = p
        case .failure(let error):
            finished.wait()
            executor.shutdown()
            throw WebConfigError("cannot serve the web desk on \(listen.host):\(listen.port): \(describe(error))")
        }
        let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
        return WebServer(url: "\(listen.scheme)://\(host):\(port)/", port: port, listen: listen, group: group, finished: finished,
                         executor: executor, task: task)
    }

    /// Stops listening, lets requests in flight finish (at most `timeout`), and returns
    /// when the server is down. Idempotent.
    public func stop(timeout: TimeInterval = 5) {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        let group = self.group
        Task(executorPreference: executor) { await group.triggerGracefulShutdown() }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            // A client holds a request open: cancel what is left rather than wait for it.
            task.cancel()
            _ = finished.wait(timeout: .now() + 2)
        }
        executor.shutdown()
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? IOError, e.errnoCode == EADDRINUSE { return "the address is already in use (another daemon on this port?)" }
        if let e = error as? IOError, e.errnoCode == EACCES { return "permission denied (ports below 1024 need privileges)" }
        if let e = error as? IOError, e.errnoCode == EADDRNOTAVAIL { return "this machine has no such address" }
        return String(describing: error)
    }
}

/// The first outcome of binding, handed from the server's task to the starting thread.
private final class BoundPort: Sendable {
    private let result = Mutex<Result<Int, any Error>?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func set(_ r: Result<Int, any Error>) {
        let first = result.withLock { current in
            guard current == nil else { return false }
            current = r
            return true
        }
        if first { ready.signal() }
    }

    func wait() -> Result<Int, any Error> {
        ready.wait()
        return result.withLock { $0! }
    }
}
