import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceDesk
import SyncRuntime

/// The web front end a daemon serves: the center's desk (`node run`) or head office's
/// console (`hub run`). Start it beside the sync loop; stop it when the loop ends.
///
/// ```swift
/// let web = try WebService.start(WebService.Options(site: .desk, directory: dir, listen: listen, registry: registry), logger: logger)
/// defer { web.stop() }
/// print("desk: \(web.url)")
/// ```
public final class WebService: Sendable {
    /// What to serve and how.
    public struct Options: Sendable {
        public var site: Site
        public var directory: DataDirectory
        public var listen: WebListen
        /// Lets `/metrics` answer other machines that present it.
        public var metricsToken: String?
        /// Where swift-metrics keeps this process's metrics (the executable bootstraps
        /// `MetricsSystem` with a factory over the same registry).
        public var registry: PrometheusCollectorRegistry
        /// Templates and static files (default: located beside the binary).
        public var resources: WebResources?

        public init(site: Site, directory: DataDirectory, listen: WebListen, metricsToken: String? = nil,
                    registry: PrometheusCollectorRegistry, resources: WebResources? = nil) {
            self.site = site
            self.directory = directory
            self.listen = listen
            self.metricsToken = metricsToken
            self.registry = registry
            self.resources = resources
        }
    }

    public let server: WebServer
    let directory: DataDirectory

    /// The address to open in a browser.
    public var url: String { server.url }

    private init(server: WebServer, directory: DataDirectory) {
        self.server = server
        self.directory = directory
    }

    /// Loads the templates, binds the listener and records it in the data directory
    /// (`web.json`, for `status`); throws, having bound nothing, when any of it fails.
    public static func start(_ options: Options, logger: Logger) throws -> WebService {
        let resources = try options.resources ?? WebResources.locate()
        let renderer = try PageRenderer(resources: resources)
        let config = try options.directory.loadConfig()
        let desk = try Desk.open(options.directory)
        let app = WebApp(site: options.site, centerName: config.name, directory: options.directory, renderer: renderer,
                         tls: options.listen.usesTLS,
                         metrics: MetricsEndpoint(registry: options.registry, token: options.metricsToken,
                                                  refresh: statusRefresh(options.site, desk, options.registry)),
                         logger: logger, access: DeskAccess(desk: desk, clock: DeskAccess.clock(for: config)),
                         sessions: try WebSessions(directory: options.directory))
        let server = try WebServer.start(app.router(), listen: options.listen, logger: logger)
        let security: String = switch options.listen.security {
        case .tls: "tls"
        case .loopback: "loopback"
        case .insecure: "insecure"
        }
        try? WebListenerRecord(url: server.url, security: security).save(in: options.directory)
        return WebService(server: server, directory: options.directory)
    }

    /// Sets the status gauges from the data directory's status (over the daemon's open
    /// desk) before a scrape.
    static func statusRefresh(_ site: Site, _ desk: Desk, _ registry: PrometheusCollectorRegistry)
        -> @Sendable () async throws -> Void {
        let metrics = StatusMetrics(registry: registry)
        return {
            switch site {
            case .desk: metrics.record(try NodeStatusView.read(desk))
            case .console: metrics.record(try HubStatusView.read(desk, checkDaemon: true))
            }
        }
    }

    /// Stops serving (requests in flight finish) and removes the `web.json` record.
    public func stop() {
        server.stop()
        WebListenerRecord.remove(in: directory)
    }
}
