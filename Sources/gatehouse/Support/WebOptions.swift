import ArgumentParser
import Foundation
import WebDesk

/// `--http`, `--tls-cert`, `--tls-key`, `--insecure-http`, `--metrics-token`: how `node run`
/// serves the desk and `hub run` the console (rules in `WebListen`).
struct WebOptions: ParsableArguments {
    @Option(name: .customLong("http"), help: ArgumentHelp(
        "Serve the web desk here (default: $GATEHOUSE_HTTP, else 127.0.0.1:8080 for a node, 127.0.0.1:8081 for the hub); port 0 picks a free one.",
        discussion: "A non-loopback address needs --tls-cert and --tls-key (HTTPS), or --insecure-http.", valueName: "HOST:PORT"))
    var http: String?

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate (chain).", valueName: "FILE"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The certificate's PEM private key.", valueName: "FILE"))
    var tlsKey: String?

    @Flag(name: .customLong("insecure-http"), help: "Allow plain HTTP on a non-loopback address (warned about at start and in status).")
    var insecureHTTP = false

    @Option(name: .customLong("metrics-token"), help: ArgumentHelp(
        "Let /metrics be read from other machines with 'Authorization: Bearer TOKEN' (default: $GATEHOUSE_METRICS_TOKEN; without one, /metrics answers this machine only).",
        valueName: "TOKEN"))
    var metricsToken: String?

    /// The listener these options describe, or the rule they break.
    func listen(defaultPort: Int) throws -> WebListen {
        let address = http ?? ProcessInfo.processInfo.environment["GATEHOUSE_HTTP"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            return try WebListen.resolve(http: address, defaultPort: defaultPort, tlsCert: tlsCert, tlsKey: tlsKey, insecureHTTP: insecureHTTP)
        } catch let e as WebConfigError {
            throw ValidationError(e.description)
        }
    }

    var token: String? {
        (metricsToken ?? ProcessInfo.processInfo.environment["GATEHOUSE_METRICS_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
    }
}
