import Foundation
import GRDB
import Replication

/// A conflict as one viewer sees it: both values masked by the same rules as the record
/// they belong to (a password hash never shown).
public struct ConflictView: Sendable, Encodable {
    public struct Side: Sendable, Encodable {
        public var values: [String?]
        public var replica: String
        public var counter: UInt64
        public var author: String
        public var at: Date
    }
    public var key: String
    public var table: String
    public var record: String
    public var field: String
    public var policy: String
    public var needsReview: Bool
    public var open: Bool
    public var winner: Side
    public var loser: Side
    public var resolvedBy: Side?
}

/// How a conflict is settled.
public enum ConflictChoice: Sendable, Equatable {
    /// Keep the value the merge chose.
    case keep
    /// Take the value that lost.
    case takeOther
    /// Enter the right value instead (single-value fields).
    case value(String)
}

extension Desk {
    /// Conflicts awaiting review (or all), for a signed-in viewer; values masked like the
    /// record's, clear ones audited.
    public func conflictList(all: Bool = false) throws -> [ConflictView] {
        try authorize(.conflictList)
        let disclosure = try self.disclosure()
        var events: [AuditEvent] = []
        let list = try replica.conflicts(openOnly: !all, reviewOnly: !all).map { c -> ConflictView in
            let (view, event) = try present(c, disclosure)
            if let event { events.append(event) }
            return view
        }
        try recordAudit(events)
        return list
    }

    /// One conflict, masked and audited like ``conflictList(all:)``.
    public func conflictRecord(key: String) throws -> ConflictView {
        try authorize(.conflictList)
        let (view, event) = try present(try replica.conflict(key: key), try disclosure())
        if let event { try recordAudit(event) }
        return view
    }

    /// Settles a conflict: a write like any other, needing the permission that writing the
    /// field directly needs (a clerk cannot settle a staff member's role or password, nor a
    /// grant's approval).
    public func resolveConflict(key: String, choice: ConflictChoice) throws {
        let c = try replica.conflict(key: key)
        let action = Self.writeAction(table: c.table, field: c.entry.field)
        let me = try acting()
        guard let action else { throw denied(me, .conflictResolve, detail: "resolve \(c.table).\(c.entry.field): written by nobody") }
        guard Permissions.allows(me.role, action) else { throw denied(me, action, detail: "resolve \(c.table).\(c.entry.field)") }
        if c.table == "staff" {
            _ = try replica.read { db in try requireManagedStaff(db, c.recordID) }
            if c.entry.field == "role" { try checkConflictRole(c) }
        }
        if c.table == "data_grant" && (c.entry.field.hasPrefix("quality") || c.entry.field.hasPrefix("leadership")) {
            guard isHub, principal?.center == "HQ" else { throw denied(me, action, detail: "resolve a grant approval outside head office") }
        }
        let resolution: WriteTransaction.Resolution
        switch choice {
        case .keep: resolution = .keepWinner
        case .takeOther: resolution = .takeLoser
        case .value(let v):
            guard c.entry.winnerValues.count == 1 else {
                throw DeskError.invalid("\(c.entry.field) holds several values; choose --keep or --take-other")
            }
            if c.table == "staff" && c.entry.field == "password_hash" {
                throw DeskError.refused("a password is set with `gatehouse staff password`, not entered as a conflict's value")
            }
            resolution = .value([c.entry.winnerValues[0].integer != nil ? (Int64(v).map { .integer($0) } ?? .text(v)) : .text(v)])
        }
        try replica.resolveConflict(key: key, with: resolution, author: me.staff)
    }

    /// A staff role taken from either side must be one this desk may give.
    private func checkConflictRole(_ c: ConflictRecord) throws {
        let home = try replica.read { db in try String.fetchOne(db, sql: "SELECT center FROM staff WHERE id = ?", arguments: [c.recordID]) } ?? "HQ"
        for v in c.entry.winnerValues + c.entry.loserValues {
            if let raw = v.text { try checkStaffScope(id: nil, home: home, role: try? StaffRole.parse(raw)) }
        }
    }

    /// The permission that writing `table.field` directly needs; nil when nobody writes it.
    static func writeAction(table: String, field: String) -> Action? {
        switch table {
        case "customer", "household_member": return .customerEdit
        case "ticket": return .ticketUpdate
        case "ticket_event": return .ticketNote
        case "callback", "survey", "follow_up": return .callbackAdd
        case "callback_plan": return .callbackPlan
        case "parcel": return .parcels
        case "custody": return .custody
        case "price_item": return .priceEdit
        case "calendar_day": return .calendarEdit
        case "staff": return .staffManage
        case "data_grant":
            if field.hasPrefix("quality") { return .grantApproveQuality }
            if field.hasPrefix("leadership") { return .grantApproveLeadership }
            if field.hasPrefix("revoke") { return .grantRevoke }
            return .grantApply
        case "audit": return nil
        default: return .conflictResolve
        }
    }

    /// The personal field a column holds, for masking conflict values.
    static func personalField(table: String, field: String) -> PersonalField? {
        switch (table, field) {
        case ("customer", "name"), ("parcel", "recipient"), ("parcel", "picked_up_by"): return .name
        case ("customer", "phone"): return .phone
        case ("customer", "id_number"): return .idNumber
        case ("customer", "unit"), ("ticket", "unit"), ("parcel", "unit"): return .address
        case ("household_member", "name"), ("household_member", "phone"): return .household
        default: return nil
        }
    }

    private func present(_ c: ConflictRecord, _ disclosure: Disclosure) throws -> (ConflictView, AuditEvent?) {
        func side(_ clock: Replication.Clock, _ v: [Value], _ render: (String) -> String) -> ConflictView.Side {
            ConflictView.Side(values: v.map { $0.isNull ? nil : render($0.description) }, replica: clock.dot.replica.rawValue,
                              counter: clock.dot.counter, author: clock.author, at: Date(timeIntervalSince1970: Double(clock.hlc.millis) / 1000))
        }
        var render: (String) -> String = { $0 }
        var event: AuditEvent?
        if c.table == "staff" && c.entry.field == "password_hash" {
            render = { _ in "***" }
        } else if let field = Self.personalField(table: c.table, field: c.entry.field) {
            let ctx = try context(table: c.table, id: c.recordID)
            let vis = disclosure.visibility(field, ctx)
            render = { Visibility.render($0, field, vis) ?? "" }
            if vis.isClear {
                event = disclosure.event(record: "\(c.table)/\(c.recordID)", [(field, vis)])
                event?.detail = "conflict \(c.entry.field)"
            }
            if !Visibility.canSee(disclosure.viewer, ctx) { render = { _ in "***" } }
        }
        let e = c.entry
        return (ConflictView(key: c.key, table: c.table, record: c.recordID, field: e.field, policy: e.policy, needsReview: e.needsReview,
                             open: e.isOpen, winner: side(e.winner, e.winnerValues, render), loser: side(e.loser, e.loserValues, render),
                             resolvedBy: e.resolution.map { side($0, [], render) }), event)
    }

    /// The visibility context of a record: its center, its customer and, for a request, its assignee.
    private func context(table: String, id: String) throws -> RecordContext {
        try replica.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM \"_rep_\(table)\" WHERE id = ?", arguments: [id])
            let center: String = row?["center"] ?? self.center
            let customer: String? = table == "customer" ? id : (row?.hasColumn("customer") == true ? row?["customer"] : nil)
            if table == "ticket" {
                return RecordContext(center: center, customer: customer, isRequest: true, assignee: row?["assignee"],
                                     open: !["closed", "cancelled"].contains(row?["status"] as String? ?? ""))
            }
            return RecordContext(center: center, customer: customer)
        }
    }
}
