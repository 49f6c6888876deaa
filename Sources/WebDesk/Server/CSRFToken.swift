import Crypto
import Foundation

/// The token every form carries (`<input type="hidden" name="csrf">`), so that a page of
/// another site cannot make a signed-in browser post to the desk.
///
/// It is derived from a secret the browser holds only in an `HttpOnly` cookie (the session
/// token, or before login a random pre-session value): HMAC-SHA256 keyed by that secret over
/// a purpose label. A forged form knows neither the cookie nor the token; the token reveals
/// nothing of the cookie (the page may be cached or printed, the cookie never is). Pure.
public enum CSRFToken {
    /// The form field carrying the token.
    public static let field = "csrf"

    /// The token for forms posted with `secret` as their cookie.
    public static func make(secret: String, purpose: String = "form") -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(purpose.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64URL
    }

    /// Whether `presented` is the token for `secret`, compared in constant time.
    public static func verify(_ presented: String?, secret: String?, purpose: String = "form") -> Bool {
        guard let presented, let secret, !secret.isEmpty else { return false }
        let expected = Array(make(secret: secret, purpose: purpose).utf8)
        let given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for i in expected.indices { diff |= expected[i] ^ given[i] }
        return diff == 0
    }

    /// A fresh random value for cookies: 32 bytes from the system's generator, base64url.
    public static func randomSecret() -> String {
        var g = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &g) }).base64URL
    }
}

extension Data {
    /// Base64 without padding, `-` and `_` instead of `+` and `/`: safe in cookies, forms and URLs.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
