import Foundation

/// A finished report: one row per center (and at the hub one for all centers), each
/// with the period's measures and the previous period's beside them.
public struct Report: Sendable, Hashable, Codable {
    /// `monthly` or `quarterly`.
    public var kind: String
    public var period: String
    public var previousPeriod: String
    public var generatedAt: Date
    /// Made at the hub (all centers) or at a node (its own center).
    public var atHub: Bool
    public var rows: [ReportRow]

    /// Creates a report.
    public init(kind: String, period: String, previousPeriod: String, generatedAt: Date, atHub: Bool, rows: [ReportRow]) {
        self.kind = kind
        self.period = period
        self.previousPeriod = previousPeriod
        self.generatedAt = generatedAt
        self.atHub = atHub
        self.rows = rows
    }

    /// The centers whose figures must not be read as complete.
    public var incompleteCenters: [ReportCenter] { rows.compactMap(\.center).filter { $0.freshness.isIncomplete } }

    /// Computes the report from `input`: each center's rows, then at the hub (with more
    /// than one center) the all-centers row over the union of their records.
    public static func build(_ input: ReportInput) throws -> Report {
        let calc = ReportCalculator(calendar: input.calendar, now: input.now, staffNames: input.staffNames)
        func row(_ center: ReportCenter?, _ records: ReportInput) throws -> ReportRow {
            ReportRow(
                center: center,
                current: try calc.measures(period: input.period, input: records, withNow: true),
                previous: try calc.measures(period: input.period.previous, input: records, withNow: false))
        }
        let parts = input.byCenter()
        var rows = try input.centers.map { try row($0, parts[$0.code] ?? input.restricted(to: [$0.code])) }
        if input.atHub && input.centers.count > 1 { rows.append(try row(nil, input.restricted(to: Set(input.centers.map(\.code))))) }
        return Report(kind: input.period.kindName, period: input.period.description, previousPeriod: input.period.previous.description,
                      generatedAt: input.now, atHub: input.atHub, rows: rows)
    }
}

/// One row of a report.
public struct ReportRow: Sendable, Hashable, Codable {
    /// The center, or `nil` for the all-centers row.
    public var center: ReportCenter?
    public var current: ReportMeasures
    public var previous: ReportMeasures

    /// The center code, or "全部中心" for the all-centers row.
    public var label: String { center?.code ?? "全部中心" }

    /// Creates a row.
    public init(center: ReportCenter?, current: ReportMeasures, previous: ReportMeasures) {
        self.center = center
        self.current = current
        self.previous = previous
    }
}
