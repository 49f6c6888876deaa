import Crypto
import Foundation
import Hummingbird
import Prometheus

/// `GET /metrics`: the Prometheus text format, on the desk's own listener. Reachable from
/// this machine only, unless the daemon was given `--metrics-token`: then also from
/// elsewhere with `Authorization: Bearer <token>`.
///
/// Counters and histograms (HTTP requests, the hub's applies and push latency) are kept by
/// swift-metrics in `registry` as they happen; the status gauges are set from the data
/// directory's status just before each scrape by `refresh`.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry
    let token: String?
    let refresh: @Sendable () async throws -> Void

    func respond(_ request: Request, _ context: WebContext) async throws -> Response {
        guard context.isFromLoopback || Self.authorized(request.headers[.authorization], token: token) else {
            throw WebError.metricsRefused
        }
        try await refresh()
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    /// `Bearer <token>`, compared by digest so the comparison takes the same time however
    /// much of the token matches.
    static func authorized(_ header: String?, token: String?) -> Bool {
        guard let token, !token.isEmpty, let header, header.hasPrefix("Bearer ") else { return false }
        let given = SHA256.hash(data: Data(header.dropFirst("Bearer ".count).utf8))
        let expected = SHA256.hash(data: Data(token.utf8))
        return given == expected
    }
}
