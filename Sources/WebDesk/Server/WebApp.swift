import Foundation
import Hummingbird
import Logging
import ServiceDesk
import Synchronization
import SyncRuntime

/// The routes and middleware of one site, and what its pages share: the renderer, the
/// desk, the sessions. Handlers run on the server's own threads (``WebExecutor``) and call
/// the desk directly, through ``DeskAccess`` only.
struct WebApp: Sendable {
    let site: Site
    let centerName: String
    let directory: DataDirectory
    let renderer: PageRenderer
    let tls: Bool
    let metrics: MetricsEndpoint
    let logger: Logger
    let access: DeskAccess
    let sessions: WebSessions
    let recentStatus = RecentStatus()

    var desk: Desk { access.desk }
    var cookies: WebCookies { WebCookies(tls: tls) }
    var frames: FrameFactory { FrameFactory(site: site, centerName: centerName, renderer: renderer) }

    /// Every request passes, in order: error pages and security headers; request metrics;
    /// the session cookie; the form guard. Then the route; every page but the login page,
    /// static files and `/metrics` needs a signed-in staff member.
    func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: FrontMiddleware(renderer: renderer, frame: frames, tls: tls))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SessionCookieAuthenticator(cookies: cookies, sessions: sessions, access: access, logger: logger))
        router.add(middleware: FormGuard())

        router.get("/static/:name") { _, context in
            guard let name = context.parameters.get("name"), let r = renderer.asset(name) else { throw WebError.notFound }
            return r
        }
        router.get("/metrics") { request, context in try await metrics.respond(request, context) }
        router.get("/login") { request, context in
            if context.identity != nil { return Response.seeOther(LoginPage.safeNext(FormFields.query(request)["next"])) }
            return loginPage(request, context)
        }
        router.post("/login") { request, context in try await login(request, context) }
        router.post("/logout") { _, context in try logout(context) }

        let pages = router.group().add(middleware: RequireSignIn())
        switch site {
        case .desk: addDeskRoutes(pages)
        case .console: addConsoleRoutes(pages)
        }
        return router
    }

    /// The login form, its CSRF token bound to a pre-session cookie set here if missing.
    func loginPage(_ request: Request, _ context: WebContext, user: String = "", error: String? = nil,
                   status: HTTPResponse.Status = .ok, next: String? = nil) -> Response {
        var context = context
        var fresh: String?
        if context.formSecret == nil {
            fresh = CSRFToken.randomSecret()
            context.formSecret = fresh
        }
        let model = LoginPage(frame: frames.make(context, title: "登录"), user: user, error: error,
                              next: LoginPage.safeNext(next ?? FormFields.query(request)["next"]),
                              idleMinutes: Int(WebSessions.idleTimeout / 60))
        var response = renderer.html("login", model, status: status)
        if let fresh { response.setCookie(cookies.preSessionCookie(fresh)) }
        return response
    }

    /// Checks the name and password through the desk, with the same throttle, lockout and
    /// audit entries as `gatehouse login`; starts a server-side session.
    func login(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await FormFields.posted(request, context)
        let user = form["user"] ?? ""
        let next = LoginPage.safeNext(form["next"])
        let now = Date()
        guard !user.isEmpty, let password = form["password"] else {
            return loginPage(request, context, user: user, error: "请输入工号和密码。", status: .unauthorized, next: next)
        }
        switch try desk.authenticate(user: user, password: password, at: now) {
        case .success(let member):
            let role = try desk.role(of: member.id)
            let token = try sessions.create(staff: member.id, now: now)
            audit("login", staff: member.id, role: role, detail: "web")
            var response = Response.seeOther(next)
            response.setCookie(cookies.sessionCookie(token))
            response.setCookie(cookies.expired(cookies.preSession))
            return response
        case .failed(let staff, let lockedUntil):
            audit("login-failed", staff: staff, role: try staff.flatMap(desk.role(of:)), detail: staff == nil ? "unknown user name (web)" : "web")
            if let lockedUntil {
                audit("lockout", staff: staff, role: try staff.flatMap(desk.role(of:)), detail: "locked until \(TimeFormat.short(lockedUntil))")
            }
            return loginPage(request, context, user: user, error: "工号或密码错误。", status: .unauthorized, next: next)
        case .locked(let staff, let until):
            audit("login-failed", staff: staff, role: try staff.flatMap(desk.role(of:)), detail: "locked (web)")
            return loginPage(request, context, user: user, error: "该工号登录失败次数过多，已锁定，请于 \(Show.time(until)) 后再试。",
                             status: .tooManyRequests, next: next)
        }
    }

    /// Ends the session server-side and tells the browser to forget the cookie.
    func logout(_ context: WebContext) throws -> Response {
        if let me = context.identity { try sessions.end(me.token) }
        var response = Response.seeOther("/login")
        response.setCookie(cookies.expired(cookies.session))
        return response
    }

    /// Records a login event; a failure to record does not change the outcome.
    func audit(_ action: String, staff: String?, role: StaffRole?, detail: String? = nil) {
        do {
            try desk.recordAudit(AuditEvent(action: action, staff: staff, role: role?.rawValue, detail: detail, at: Date()))
        } catch {
            logger.warning("could not record \(action) in the audit trail: \(error)")
        }
    }

    /// The desk for the request's signed-in staff member (``RequireSignIn`` ran before).
    func open(_ context: WebContext) throws -> SignedInDesk {
        guard let me = context.identity else { throw WebError(.unauthorized, "请先登录", "") }
        return try access.open(for: me)
    }

    /// Renders a page of the site.
    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        renderer.html(template, model, status: status)
    }
}

/// The node's status as the 工作台 shows it (the sync line, the conflicts tile), read at
/// most once every two seconds. Reading it counts every record not yet sent to head office,
/// table by table, which under 20 clerks cost the 工作台 more than its requests; the 同步
/// page and `/metrics` read it fresh.
final class RecentStatus: Sendable {
    private let last = Mutex<(at: ContinuousClock.Instant, status: NodeStatusView)?>(nil)

    func read(_ desk: Desk, maxAge: Duration = .seconds(2)) throws -> NodeStatusView {
        let now = ContinuousClock.now
        if let l = last.withLock({ $0 }), now - l.at < maxAge { return l.status }
        let status = try NodeStatusView.read(desk)
        last.withLock { $0 = (now, status) }
        return status
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
        guard let n = next, n.hasPrefix("/"), !n.hasPrefix("//"), !n.hasPrefix("/\\"), !n.contains("\r"), !n.contains("\n"),
              !n.hasPrefix("/login"), !n.hasPrefix("/logout") else {
            return "/"
        }
        return n
    }
}

/// Reads the session cookie and, once the session store has verified it and the staff
/// member is still active, signs the request in; without a session, binds forms to the
/// pre-session cookie.
struct SessionCookieAuthenticator: RouterMiddleware {
    typealias Context = WebContext
    let cookies: WebCookies
    let sessions: WebSessions
    let access: DeskAccess
    let logger: Logger

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if let pre = request.cookies[cookies.preSession]?.value, !pre.isEmpty { context.formSecret = pre }
        if let token = request.cookies[cookies.session]?.value, !token.isEmpty, !request.uri.path.hasPrefix("/static/") {
            if let s = try sessions.verify(token, now: Date()) {
                if let member = try access.member(s.staff) {
                    let role = member.role.flatMap { try? StaffRole.parse($0) }
                    context.identity = WebIdentity(token: token, staff: member.id, name: member.name, role: role)
                    context.formSecret = token
                } else {
                    // Made inactive (or removed) since login: the session ends now.
                    try sessions.endAll(staff: s.staff)
                }
            }
        }
        return try await next(request, context)
    }
}

/// Sends a visitor without a session to the login page (and back here after it); a post
/// without a session is refused.
struct RequireSignIn: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard context.identity == nil else { return try await next(request, context) }
        if request.method == .get || request.method == .head {
            let here = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return Response.seeOther(here == "/" ? "/login" : "/login?next=" + here.queryEncoded)
        }
        throw WebError(.unauthorized, "请先登录", "登录已过期或已退出，请重新登录后再提交。")
    }
}
