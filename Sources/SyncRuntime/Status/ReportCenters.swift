import Foundation
import ServiceDesk

/// Which centers a report covers and as of when each one's data is: at the hub from the
/// node registry's last accepted push per center, at a node its own center, current.
public enum ReportCenters {
    /// The centers for a report on `period` made with `desk` at `now`, optionally only
    /// `only`. Refuses a center the replica does not know.
    public static func resolve(_ desk: Desk, period: ReportPeriod, only: String?, now: Date) throws -> [ReportCenter] {
        let wanted = try only.map { try CenterCode.validate($0) }
        guard desk.isHub else {
            if let wanted, wanted != desk.center {
                throw RuntimeError.configuration("this node holds center \(desk.center) only; report \(wanted) at head office")
            }
            let last = try NodeSyncStore(desk.unsafeReplica.database).load().lastPushAt
            return [ReportCenter(code: desk.center, lastSyncAt: last, freshness: .current)]
        }
        let nodes = try NodeRegistry(desk.unsafeReplica.database).nodes(includeRevoked: false)
        var lastPush: [String: Date?] = [:]
        for n in nodes {
            let known = lastPush[n.center] ?? nil
            lastPush[n.center] = [known, n.lastPushAt].compactMap { $0 }.max()
        }
        // A center with records but no enrolled node has never synced either.
        for code in try desk.reportDataCenters() where code != desk.center && lastPush[code] == nil { lastPush[code] = .some(nil) }
        var codes = lastPush.keys.sorted()
        if let wanted {
            guard codes.contains(wanted) else {
                throw RuntimeError.configuration("no center \(wanted) at this hub; known: \(codes.joined(separator: ", "))")
            }
            codes = [wanted]
        }
        let end = period.interval(in: try desk.workCalendar()).end
        return codes.map { ReportCenter.atHub(code: $0, lastPushAt: lastPush[$0] ?? nil, periodEnd: end, now: now) }
    }
}
