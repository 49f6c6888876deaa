import Foundation
import Hummingbird
import HummingbirdAuth
import NIOCore
import ServiceDesk

/// What one request carries through the middleware to a page: who is signed in (set by
/// ``SessionCookieAuthenticator`` from a verified session only), the secret its forms are
/// bound to, and where it came from.
public struct WebContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The staff member of the session cookie, once the desk has verified it.
    public var identity: WebIdentity?
    /// The cookie value this request's forms are bound to (see ``CSRFToken``): the session
    /// token when signed in, the pre-session cookie on the login page.
    public var formSecret: String?
    /// A pre-session cookie to set with the response (first visit to the login page).
    public var newPreSession: String?
    /// The peer's address, for `/metrics` (loopback only unless a token is set).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Forms are small; anything larger is not from our pages.
    public var maxUploadSize: Int { 256 * 1024 }

    /// A customer roster's CSV (导入顾客): 20,000 customers are about 1 MB.
    public var maxImportSize: Int { 16 * 1024 * 1024 }

    /// Whether the request came from this machine.
    public var isFromLoopback: Bool {
        switch remoteAddress {
        case .v4(let a)?: return a.host.hasPrefix("127.")
        case .v6(let a)?: return a.host == "::1" || a.host.hasPrefix("::ffff:127.")
        case .unixDomainSocket?: return true
        case nil: return false
        }
    }

    /// The form token for pages rendered for this request.
    public var csrfToken: String { formSecret.map { CSRFToken.make(secret: $0) } ?? "" }
}

/// A signed-in staff member, as the session verified them.
public struct WebIdentity: Sendable, Equatable {
    /// The session token from the cookie (what logout ends and forms are bound to).
    public var token: String
    public var staff: String
    public var name: String
    /// The role as the staff directory has it now (display only: the desk decides).
    public var role: StaffRole?

    public init(token: String, staff: String, name: String, role: StaffRole?) {
        self.token = token
        self.staff = staff
        self.name = name
        self.role = role
    }

    public var roleName: String { role?.displayName ?? "无岗位" }
}
