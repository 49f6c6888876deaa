import Foundation
import Logging
import Prometheus
import ServiceDesk
import SyncRuntime
import TestSupport
import Testing
@testable import WebDesk

/// The HTTP plumbing every page relies on, against a real listener on loopback: security
/// headers on every response (error pages too), the form guard, the login form's
/// pre-session cookie, static files, `/metrics` and the `web.json` record.
@Suite struct PlumbingTests {
    /// A node's data directory made by the real binary, and the desk served in-process.
    final class Served: Sendable {
        let root: URL
        let dir: DataDirectory
        let web: WebService
        var http: RawHTTP { RawHTTP(port: web.server.port) }

        init(metricsToken: String? = nil) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("webdesk-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let data = root.appendingPathComponent("node").path
            let made = try gatehouse(["node", "init", "--data", data, "--center", "C001", "--name", "阳光花园管理服务中心",
                                      "--admin-password-stdin"], stdin: "web-test-password\n", logDirectory: root)
            guard made.status == 0 else { throw BinaryMissing() }
            dir = DataDirectory(path: data)
            web = try WebService.start(
                WebService.Options(site: .desk, directory: dir, listen: WebListen(host: "127.0.0.1", port: 0, security: .loopback),
                                   metricsToken: metricsToken, registry: PrometheusCollectorRegistry()),
                logger: Logger(label: "test"))
        }

        deinit {
            web.stop()
            try? FileManager.default.removeItem(at: root)
        }
    }

    static func expectSecurityHeaders(_ r: RawHTTP.Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        let csp = r.header("Content-Security-Policy") ?? ""
        #expect(csp.contains("script-src 'self'"), sourceLocation: sourceLocation)
        #expect(!csp.contains("unsafe-inline"), sourceLocation: sourceLocation)
        #expect(csp.contains("frame-ancestors 'none'"), sourceLocation: sourceLocation)
        #expect(r.header("X-Content-Type-Options") == "nosniff", sourceLocation: sourceLocation)
    }

    /// One desk for the tests that only read from it.
    static let shared = Result { try Served() }

    @Test func theLoginPageIsChineseWithHeadersAndABoundForm() throws {
        let s = try Self.shared.get()
        let r = try s.http.get("/login")
        #expect(r.status == 200, "\(r)")
        Self.expectSecurityHeaders(r)
        #expect(r.header("Cache-Control") == "no-store")
        #expect(r.body.contains("<html lang=\"zh-CN\">"))
        #expect(r.body.contains("name=\"user\"") && r.body.contains("name=\"password\""))
        #expect(!r.body.contains("<script>"), "no inline script")
        let cookie = try #require(r.all("Set-Cookie").first { $0.hasPrefix("gh_pre=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(!cookie.contains("Secure"), "plain HTTP on loopback")
        // The form's token is the pre-session cookie's.
        let pre = try #require(r.cookie("gh_pre"))
        #expect(r.body.contains("value=\"\(CSRFToken.make(secret: pre))\""))
    }

    @Test func aFormWithoutItsTokenIsRefused() throws {
        let s = try Self.shared.get()
        let pre = try #require(try s.http.get("/login").cookie("gh_pre"))
        let cookie = ["Cookie": "gh_pre=\(pre)"]
        let missing = try s.http.post("/login", form: [("user", "admin-C001"), ("password", "web-test-password")], headers: cookie)
        #expect(missing.status == 403, "\(missing)")
        #expect(missing.body.contains("表单已失效"))
        Self.expectSecurityHeaders(missing)
        let forged = try s.http.post("/login", form: [("csrf", CSRFToken.make(secret: "guess")), ("user", "x"), ("password", "y")],
                                     headers: cookie)
        #expect(forged.status == 403)
        // The right token, but posted from another site's page.
        var crossSite = cookie
        crossSite["Origin"] = "http://evil.example"
        let other = try s.http.post("/login", form: [("csrf", CSRFToken.make(secret: pre)), ("user", "x"), ("password", "y")],
                                    headers: crossSite)
        #expect(other.status == 403)
        #expect(other.body.contains("请求被拒绝"))
        // Anything but a form body.
        let json = try s.http.send("POST", "/logout", headers: cookie.merging(["Content-Type": "application/json"]) { a, _ in a },
                                   body: "{\"csrf\":\"\(CSRFToken.make(secret: pre))\"}")
        #expect(json.status == 403)
    }

    @Test func unknownPagesGetAChineseErrorPageWithTheHeaders() throws {
        let s = try Self.shared.get()
        let r = try s.http.get("/no/such/page")
        #expect(r.status == 404)
        #expect(r.body.contains("页面不存在"))
        Self.expectSecurityHeaders(r)
    }

    @Test func staticFilesAreServedFromTheResourcesAndCached() throws {
        let s = try Self.shared.get()
        let css = try s.http.get("/static/desk.css")
        #expect(css.status == 200)
        #expect(css.header("Content-Type") == "text/css; charset=utf-8")
        #expect(css.header("Cache-Control")?.hasPrefix("public") == true)
        Self.expectSecurityHeaders(css)
        let js = try s.http.get("/static/desk.js")
        #expect(js.header("Content-Type") == "text/javascript; charset=utf-8")
        #expect(try s.http.get("/static/../gatehouse.json").status == 404)
        #expect(try s.http.get("/static/nothing.css").status == 404)
    }

    @Test func metricsAnswerLoopbackInPrometheusFormat() throws {
        let s = try Self.shared.get()
        _ = try s.http.get("/login")
        let r = try s.http.get("/metrics")
        #expect(r.status == 200, "\(r)")
        #expect(r.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        // The node's status gauges, set from its status at the scrape, and the HTTP requests.
        #expect(r.body.contains("# HELP gatehouse_node_push_pending "), "\(r.body.prefix(2000))")
        #expect(r.body.contains("gatehouse_node_session_state{state=\"never\"} 1"), "\(r.body.prefix(2000))")
        #expect(r.body.contains("gatehouse_node_conflicts_open 0"))
    }

    @Test func theListenerIsRecordedForStatusAndRemovedAtStop() throws {
        let s = try Served()
        let record = try #require(WebListenerRecord.load(s.dir))
        #expect(record.url == s.web.url)
        #expect(record.security == "loopback")
        #expect(record.problem == nil)
        s.web.stop()
        #expect(WebListenerRecord.load(s.dir) == nil)
        #expect(throws: (any Error).self) { try s.http.get("/login") }
    }
}
