import Hummingbird
import Logging
import ServiceDesk

/// The outermost layer: turns every refusal or failure into a Chinese error page with the
/// right status, and puts the security headers on every response, error pages included.
struct FrontMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let renderer: PageRenderer
    let frame: FrameFactory
    let tls: Bool

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response: Response
        let started = ContinuousClock.now
        do {
            response = try await next(request, context)
        } catch {
            let page = Self.page(for: error)
            if page.status == .internalServerError {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            let model = ErrorPage(frame: frame.make(context, title: page.title), title: page.title, message: page.message,
                                  signInAgain: page.status == .unauthorized)
            response = renderer.html("error", model, status: page.status)
        }
        SecurityHeaders.apply(to: &response, tls: tls)
        // The page's own time on the server (what the benchmark reads, and a browser's
        // developer tools show): the body is rendered before this point.
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[.init("Server-Timing")!] = String(format: "app;dur=%.2f", ms)
        return response
    }

    /// The page for an error: ours as they are, the desk's refusals by kind, anything
    /// else a 500 that shows nothing of its cause.
    static func page(for error: any Error) -> WebError {
        switch error {
        case let e as WebError: return e
        case let e as PermissionDenied:
            return WebError(.forbidden, "无权操作", "您的岗位（\(e.role?.displayName ?? "无岗位")）不能执行此操作：\(ActionNames.chinese(e.action))。")
        case let e as DeskError:
            switch e {
            case .notFound(let m): return WebError(.notFound, "未找到", m)
            case .invalid(let m): return WebError(.badRequest, "无法完成", m)
            case .refused(let m): return WebError(.conflict, "操作被拒绝", m)
            case .notInitialized(let m): return WebError(.internalServerError, "数据目录不可用", m)
            }
        case let e as RuleError:
            return WebError(.badRequest, "无法完成", e.description)
        case let e as HTTPError:
            switch e.status {
            case .notFound: return .notFound
            case .contentTooLarge: return .tooLarge
            case .unauthorized: return WebError(.unauthorized, "请先登录", "")
            case .methodNotAllowed: return WebError(.methodNotAllowed, "不支持的请求方式", "")
            default: return WebError(e.status, "请求无法处理", e.body ?? "")
            }
        default:
            return WebError(.internalServerError, "系统出错", "操作没有完成，已记录错误。请稍后重试；如果一再出现，请联系系统管理员。")
        }
    }
}

/// The model of `error.mustache`.
struct ErrorPage {
    var frame: Frame
    var title: String
    var message: String
    var signInAgain: Bool
}
