import Foundation
import Hummingbird

/// The desk's two cookies, both `HttpOnly` (no script reads them), `SameSite=Strict` (no
/// other site's page sends them) and, under TLS, `Secure` with the `__Host-` prefix (set by
/// this host only, for the whole site).
///
/// - the session: the token the desk verified at login; no expiry of its own (it ends with
///   the browser), the desk ends it after its idle timeout or lifetime, or at logout;
/// - the pre-session: a random value the login form's CSRF token is bound to before
///   anybody is signed in.
struct WebCookies: Sendable {
    let tls: Bool

    var session: String { tls ? "__Host-gh_session" : "gh_session" }
    var preSession: String { tls ? "__Host-gh_pre" : "gh_pre" }

    func sessionCookie(_ token: String) -> Cookie {
        Cookie(name: session, value: token, path: "/", secure: tls, httpOnly: true, sameSite: .strict)
    }

    func preSessionCookie(_ value: String) -> Cookie {
        Cookie(name: preSession, value: value, maxAge: 12 * 3600, path: "/", secure: tls, httpOnly: true, sameSite: .strict)
    }

    /// A cookie that tells the browser to forget `name`.
    func expired(_ name: String) -> Cookie {
        Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", secure: tls, httpOnly: true,
               sameSite: .strict)
    }
}
