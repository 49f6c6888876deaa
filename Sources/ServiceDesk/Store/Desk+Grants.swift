import Foundation
import GRDB
import Replication

extension Desk {
    // MARK: who is looking

    /// The viewer `staff` at this desk, with their role from the staff directory (nil when
    /// they are not in it or have no recognised role: they then see everything masked).
    public func viewer(_ staff: String) throws -> Viewer {
        let id = staff.trimmingWhitespace()
        guard !id.isEmpty else { throw DeskError.invalid("not logged in: run `gatehouse login --user ID` first") }
        return Viewer(staff: id, role: try staffRole(id), center: center)
    }

    /// The role recorded for `staff` in the directory.
    public func staffRole(_ staff: String) throws -> StaffRole? {
        let raw = try replica.read { db in try String.fetchOne(db, sql: "SELECT role FROM staff WHERE id = ? AND active != 0", arguments: [staff]) }
        return raw.flatMap { try? StaffRole.parse($0) }
    }

    // MARK: grants

    /// The center manager applies for a head-office grant; returns it (awaiting quality).
    @discardableResult
    public func applyForGrant(_ application: GrantApplication) throws -> DataGrant {
        let acting = try authorize(.grantApply)
        let role = acting.role
        let center = try recordCenter(application.center)
        let purpose = application.purpose.trimmingWhitespace()
        guard !purpose.isEmpty else { throw DeskError.invalid("a grant needs a purpose (--purpose TEXT)") }
        let grantee = application.grantee.trimmingWhitespace()
        guard !grantee.isEmpty else { throw DeskError.invalid("say which head-office staff member will use the grant (--for ID)") }
        guard !application.fields.isEmpty else { throw DeskError.invalid("say which fields the grant covers (--fields name,phone,…)") }
        guard application.validTo > application.validFrom else { throw DeskError.invalid("a grant's period must end after it begins") }
        let customers = application.customers.map { Array(Set($0.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty })).sorted() }
        let listed = customers?.isEmpty == false ? customers : nil
        let id = try write(acting) { tx -> String in
            for c in listed ?? [] {
                let cust = try requireCustomer(tx.db, c)
                guard cust.center == center else { throw DeskError.invalid("customer \(c) belongs to center \(cust.center), not \(center)") }
            }
            return try tx.insert("data_grant", id: ShortID.make("gr", tx), [
                "center": .text(center), "customers": listed.map { .text(AuditEntry.encodeFields($0)) } ?? .null,
                "fields": .text(AuditEntry.encodeFields(application.fields.map(\.rawValue))), "purpose": .text(purpose),
                "grantee": .text(grantee), "valid_from": Col.time(application.validFrom), "valid_to": Col.time(application.validTo),
                "applied_by": .text(acting.staff), "applied_at": Col.time(acting.now), "revoked": 0,
            ])
        }
        let g = try grant(id)
        try recordAudit(AuditEvent(action: "grant-apply", staff: acting.staff, role: role?.rawValue, fields: g.fields.map(\.rawValue),
                                   grant: id, purpose: purpose, detail: "for \(grantee), \(listed.map { $0.joined(separator: ",") } ?? "whole center \(center)")",
                                   at: acting.now))
        return g
    }

    /// An approval step: the quality department first, then company leadership.
    @discardableResult
    public func approveGrant(_ id: String) throws -> DataGrant {
        let acting = try acting()
        let role = acting.role
        let g = try grant(id)
        let step: Action = g.qualityBy == nil ? .grantApproveQuality : .grantApproveLeadership
        guard Permissions.allows(role, step) else { throw denied(acting, step) }
        // Approvals are head office's: made at the hub, by head-office staff (center HQ);
        // a center's node never writes them, whatever roles its directory holds.
        guard isHub, principal?.center == "HQ" else {
            throw denied(acting, step, detail: "\(step.rawValue) outside head office")
        }
        switch g.status(at: acting.now) {
        case .revoked: throw DeskError.refused("grant \(g.id) was revoked; it cannot be approved")
        case .expired: throw DeskError.refused("grant \(g.id) has expired; apply again")
        case .awaitingQuality:
            guard role == .quality else { throw Self.notAllowed(role, "approve a grant awaiting the quality department") }
            try write(acting) { tx in try tx.update("data_grant", id: g.id, ["quality_by": .text(acting.staff), "quality_at": Col.time(acting.now)]) }
        case .awaitingLeadership:
            guard role == .executive else { throw Self.notAllowed(role, "approve a grant awaiting company leadership") }
            try write(acting) { tx in try tx.update("data_grant", id: g.id, ["leadership_by": .text(acting.staff), "leadership_at": Col.time(acting.now)]) }
        case .approved, .active: throw DeskError.refused("grant \(g.id) is already approved")
        }
        let after = try grant(id)
        try recordAudit(AuditEvent(action: "grant-approve", staff: acting.staff, role: role?.rawValue, fields: after.fields.map(\.rawValue),
                                   grant: id, purpose: after.purpose, detail: after.status(at: acting.now).rawValue, at: acting.now))
        return after
    }

    /// Revokes a grant at once (the center manager, quality or leadership).
    @discardableResult
    public func revokeGrant(_ id: String, reason: String?) throws -> DataGrant {
        let acting = try authorize(.grantRevoke)
        let role = acting.role
        let g = try grant(id)
        guard !g.revoked else { throw DeskError.refused("grant \(g.id) is already revoked") }
        try write(acting) { tx in
            try tx.update("data_grant", id: g.id, ["revoked": 1, "revoked_by": .text(acting.staff), "revoked_at": Col.time(acting.now),
                                                   "revoke_reason": Col.text(reason)])
        }
        try recordAudit(AuditEvent(action: "grant-revoke", staff: acting.staff, role: role?.rawValue, grant: id, purpose: g.purpose,
                                   detail: reason, at: acting.now))
        return try grant(id)
    }

    public func grant(_ id: String) throws -> DataGrant {
        try replica.read { db in
            guard let g = try DataGrant.fetchOne(db, sql: "SELECT * FROM data_grant WHERE id = ?", arguments: [id.trimmingWhitespace()]) else {
                throw DeskError.notFound("no grant \(id); see `gatehouse grant list`")
            }
            return g
        }
    }

    /// Every grant, newest application first.
    public func grants(center: String? = nil, grantee: String? = nil) throws -> [DataGrant] {
        var sql = "SELECT * FROM data_grant WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if let center { sql += " AND center = ?"; args.append(try CenterCode.validate(center)) }
        if let grantee { sql += " AND grantee = ?"; args.append(grantee.trimmingWhitespace()) }
        sql += " ORDER BY applied_at DESC, id"
        return try replica.read { db in try DataGrant.fetchAll(db, sql: sql, arguments: StatementArguments(args)) }
    }

    /// The grants in force at `now` for `grantee`, as the visibility policy takes them.
    public func activeGrants(for grantee: String, at now: Date) throws -> [GrantScope] {
        try grants(grantee: grantee).filter { $0.status(at: now) == .active }.map(\.scope)
    }

    static func notAllowed(_ role: StaffRole?, _ action: String) -> DeskError {
        .refused("permission denied: \(role?.rawValue ?? "unknown role") may not \(action)")
    }
}
