import Hummingbird

/// The headers every response carries, error pages included.
///
/// - `Content-Security-Policy`: scripts, styles and images from the desk itself only — no
///   inline script, no other origin (the center is offline anyway), no framing
///   (`frame-ancestors 'none'`), forms post only back to the desk.
/// - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (older browsers),
///   `Referrer-Policy: same-origin` (lookup URLs hold phone numbers: they never leave
///   the desk; `no-referrer` would make browsers send `Origin: null` with our own forms).
/// - Pages are `Cache-Control: no-store`: they show personal data on shared desk PCs.
///   Static files are cached (their URLs carry a content hash).
/// - `Strict-Transport-Security` when served over HTTPS.
public enum SecurityHeaders {
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// The policy of the head office's HTML report (``ReportHTML``), a self-contained
    /// document with its own `<style>` and styled SVG charts: inline *style* allowed,
    /// still no script at all.
    public static let reportPolicy = contentSecurityPolicy.replacingOccurrences(of: "style-src 'self'", with: "style-src 'self' 'unsafe-inline'")
            .replacingOccurrences(of: "script-src 'self'", with: "script-src 'none'")

    /// Adds the headers to `response`; `tls` adds HSTS. A page that set a stricter or
    /// narrower policy of its own (the report) keeps it.
    public static func apply(to response: inout Response, tls: Bool) {
        if response.headers[.contentSecurityPolicy] != reportPolicy {
            response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if tls { response.headers[.strictTransportSecurity] = "max-age=31536000" }
    }
}
