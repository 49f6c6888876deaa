import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// The routes and middleware of one site, and what its pages share: the renderer, the
/// data directory. Handlers run on the server's own threads (``WebExecutor``) and call the
/// desk directly.
struct WebApp: Sendable {
    let site: Site
    let centerName: String
    let directory: DataDirectory
    let renderer: PageRenderer
    let tls: Bool
    let metrics: MetricsEndpoint
    let logger: Logger

    var cookies: WebCookies { WebCookies(tls: tls) }
    var frames: FrameFactory { FrameFactory(site: site, centerName: centerName, renderer: renderer) }

    /// Every request passes, in order: error pages and security headers; request metrics;
    /// the session cookie; the form guard. Then the route.
    func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: FrontMiddleware(renderer: renderer, frame: frames, tls: tls))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SessionCookieAuthenticator(cookies: cookies))
        router.add(middleware: FormGuard())

        router.get("/static/:name") { _, context in
            guard let name = context.parameters.get("name"), let r = renderer.asset(name) else { throw WebError.notFound }
            return r
        }
        router.get("/metrics") { request, context in try await metrics.respond(request, context) }
        router.get("/login") { request, context in loginPage(request, context) }
        return router
    }

    /// The login form, its CSRF token bound to a pre-session cookie set here if missing.
    func loginPage(_ request: Request, _ context: WebContext, user: String = "", error: String? = nil,
                   status: HTTPResponse.Status = .ok) -> Response {
        var context = context
        var fresh: String?
        if context.formSecret == nil {
            fresh = CSRFToken.randomSecret()
            context.formSecret = fresh
        }
        let next = LoginPage.safeNext(request.uri.queryParameters.get("next"))
        let model = LoginPage(frame: frames.make(context, title: "登录"), user: user, error: error, next: next,
                              idleMinutes: 30)
        var response = renderer.html("login", model, status: status)
        if let fresh { response.setCookie(cookies.preSessionCookie(fresh)) }
        return response
    }
}

/// The model of `login.mustache`.
struct LoginPage {
    var frame: Frame
    var user: String
    var error: String?
    var next: String
    var idleMinutes: Int

    /// Where to go after login: a path on this site only (never `//other.site` or a URL).
    static func safeNext(_ next: String?) -> String {
        guard let n = next, n.hasPrefix("/"), !n.hasPrefix("//"), !n.hasPrefix("/\\"), !n.contains("\r"), !n.contains("\n") else {
            return "/"
        }
        return n
    }
}

/// Reads the session cookie and, once the desk has verified it, signs the request in;
/// without a session, binds forms to the pre-session cookie.
struct SessionCookieAuthenticator: RouterMiddleware {
    typealias Context = WebContext
    let cookies: WebCookies

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if let pre = request.cookies[cookies.preSession]?.value, !pre.isEmpty { context.formSecret = pre }
        return try await next(request, context)
    }
}
