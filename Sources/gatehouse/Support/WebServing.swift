import Foundation
import Logging
import Metrics
import Prometheus
import ServiceDesk
import WebDesk

/// Starts the web desk or console of `node run` / `hub run` beside the sync loop.
enum WebServing {
    /// Metrics of this process (HTTP requests, the hub's applies and pushes), kept for
    /// `/metrics`. Bootstrapped once, here in the executable: libraries only record.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static func start(_ site: Site, _ options: WebOptions, _ directory: DataDirectory) throws -> WebService {
        let listen = try options.listen(defaultPort: site == .desk ? WebListen.nodeDefaultPort : WebListen.hubDefaultPort)
        let service = try WebService.start(
            WebService.Options(site: site, directory: directory, listen: listen, metricsToken: options.token, registry: registry),
            logger: Logger(label: "gatehouse.web"))
        let what = site == .desk ? "web desk" : "web console"
        FileHandle.standardError.write(Data("\(what): \(service.url)\n".utf8))
        if let warning = listen.warning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        return service
    }
}
