import Foundation
import Hummingbird

/// The fields of a posted form or of a query string (`application/x-www-form-urlencoded`):
/// `+` is a space, `%XX` a byte of UTF-8. Values are trimmed; an empty field counts as
/// absent, as at the command line an option not given.
struct FormFields: Sendable {
    private var values: [String: [String]] = [:]

    init(_ encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[key, default: []].append(value)
        }
    }

    static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The field's value, trimmed; nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let v = values[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    /// Every field that has a value (its first), e.g. to link to the same list with one
    /// field changed.
    var all: [String: String] {
        var out: [String: String] = [:]
        for k in values.keys { if let v = self[k] { out[k] = v } }
        return out
    }

    /// A checkbox: present with any value but `0`.
    func flag(_ name: String) -> Bool {
        guard let v = self[name] else { return false }
        return v != "0"
    }

    /// The query string of `request`.
    static func query(_ request: Request) -> FormFields { FormFields(request.uri.query ?? "") }

    /// The posted form of `request` (already collected and checked by ``FormGuard``).
    static func posted(_ request: Request, _ context: WebContext) async throws -> FormFields {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        return FormFields(String(buffer: body))
    }
}

extension Response {
    /// `303 See Other` to `location` on this site: what every form answers, so reloading
    /// the page after a post does not post again.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

extension String {
    /// For a query string value.
    var queryEncoded: String {
        // ASCII only: `alphanumerics` would let Chinese through unencoded.
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
