import Hummingbird

/// Refuses every state-changing request that did not come from one of our own forms:
/// the form's `csrf` field must be the token of the browser's cookie secret
/// (``CSRFToken``), and an `Origin` header, when the browser sends one, must be this
/// desk. Runs before any page handler, so no handler can forget it.
///
/// The body is collected here (at most `maxUploadSize`) and handed on, so the page
/// decodes the same bytes.
struct FormGuard: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        if let origin = request.headers[.origin], !Self.sameOrigin(origin, authority: request.head.authority) {
            throw WebError.crossSite
        }
        let type = request.headers[.contentType] ?? ""
        // A file (导入顾客's CSV) comes as multipart/form-data, to that page only, and may
        // be larger than a form.
        let boundary = request.uri.path == Self.uploadPath ? MultipartForm.boundary(contentType: type) : nil
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") || boundary != nil else { throw WebError.badForm }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: boundary == nil ? context.maxUploadSize : context.maxImportSize) } catch {
            throw WebError.tooLarge
        }
        let csrf = boundary.map { MultipartForm(Array(body.readableBytesView), boundary: $0)?["csrf"] }
            ?? (try? URLEncodedFormDecoder().decode(CSRFField.self, from: String(buffer: body)))?.csrf
        guard CSRFToken.verify(csrf, secret: context.formSecret) else { throw WebError.badForm }
        return try await next(request, context)
    }

    struct CSRFField: Decodable { var csrf: String? }

    /// The one page that takes a file.
    static let uploadPath = "/customers/import"

    /// `Origin: https://host:port` against the request's `Host`.
    static func sameOrigin(_ origin: String, authority: String?) -> Bool {
        guard let authority, let schemeEnd = origin.range(of: "://") else { return false }
        return origin[schemeEnd.upperBound...].lowercased() == authority.lowercased()
    }
}
