import Crypto
import Foundation

/// One entry of the audit trail: a clear view or export of personal data, a grant step, a
/// login, a refused action (issue 6; PIPL / GB/T 35273: every access to personal
/// information is logged). Recorded through ``Desk/recordAudit(_:)``.
public struct AuditEvent: Sendable, Hashable {
    /// What happened: "login", "login-failed", "lockout", "denied", "view", "export",
    /// "grant-apply", "grant-approve", "grant-revoke", …
    public var action: String
    /// Who acted (nil: an unknown user name at login).
    public var staff: String?
    /// The acting staff member's `StaffRole` raw value at the time.
    public var role: String?
    /// The record concerned: "customer/<id>", "ticket/<number>", or nil.
    public var record: String?
    /// Which personal fields were shown in clear.
    public var fields: [String]
    /// The id of the grant the access was made under, if any.
    public var grant: String?
    public var purpose: String?
    /// Free text, e.g. the refused action.
    public var detail: String?
    public var at: Date

    public init(action: String, staff: String?, role: String?, record: String? = nil, fields: [String] = [],
                grant: String? = nil, purpose: String? = nil, detail: String? = nil, at: Date) {
        self.action = action
        self.staff = staff
        self.role = role
        self.record = record
        self.fields = fields
        self.grant = grant
        self.purpose = purpose
        self.detail = detail
        self.at = at
    }
}

/// A stored audit entry: the event, where it was written and its place in that node's
/// hash chain.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: String
    /// The center the writing node serves (`HQ` at head office).
    public var center: String
    /// The replica id of the node that wrote the entry: each node keeps its own chain.
    public var node: String
    /// 1, 2, 3 … per node.
    public var seq: Int
    public var action: String
    public var staff: String?
    public var role: String?
    public var record: String?
    public var fields: [String]
    public var grant: String?
    public var purpose: String?
    public var detail: String?
    public var at: Date
    /// The hash of the node's previous entry ("" for its first).
    public var prev: String
    /// SHA-256 over this entry's content and `prev`.
    public var hash: String

    /// The hash this entry should carry, computed from its content: each value is written
    /// with its length so no two different entries give the same input.
    public var computedHash: String {
        func part(_ s: String?) -> String { s.map { "\($0.utf8.count):\($0)" } ?? "-" }
        let ms = String(Int64((at.timeIntervalSince1970 * 1000).rounded()))
        let input = [node, String(seq), center, action, staff, role, record, AuditEntry.encodeFields(fields), grant, purpose,
                     detail, ms, prev].map(part).joined(separator: "|")
        return AuditEntry.digest(input)
    }

    /// SHA-256 of `text`'s UTF-8, in lower-case hex: the chain's hash (swift-crypto's; the
    /// hand-written one it replaced gave the same output, so existing chains still verify).
    public static func digest(_ text: String) -> String {
        // Lower-case hex by table: `String(format:)` per byte cost more than the hash (a page
        // listing 30 requests in clear writes 30 entries).
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in SHA256.hash(data: Data(text.utf8)) {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func encodeFields(_ fields: [String]) -> String {
        // Field names (`name`, `id_number`) are written as JSONEncoder writes them, without
        // an encoder per entry; anything else goes through JSONEncoder, so the text (and the
        // chain's hashes) stay what they always were.
        if fields.allSatisfy({ $0.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x5f || ($0 >= 0x30 && $0 <= 0x39) } }) {
            return "[" + fields.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        }
        return String(decoding: (try? JSONEncoder().encode(fields)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decodeFields(_ text: String?) -> [String] {
        guard let text, let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }
}
