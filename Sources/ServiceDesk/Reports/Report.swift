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
    ///
    /// The all-centers row takes the callback programmes and the monthly plan as the sum of
    /// the centers' own figures (counts, each center planned on its own records and seed:
    /// the same numbers the direct computation adds up center by center) — unless a request
    /// names a refusing customer whom its own center's records do not show the same way,
    /// when the plan could differ and the row is computed directly. Every other figure
    /// (medians, distinct customers, ratios over sets) is computed over the union.
    public static func build(_ input: ReportInput) throws -> Report {
        let calc = ReportCalculator(calendar: input.calendar, now: input.now, staffNames: input.staffNames)
        typealias Parts = [String: ReportCalculator.CenterProgrammes]
        var currentParts: Parts = [:], previousParts: Parts = [:]
        func row(_ center: ReportCenter?, _ records: ReportInput, current given: Parts? = nil, previous givenPrevious: Parts? = nil)
            throws -> ReportRow {
            func sum(_ parts: Parts?) -> ReportCalculator.CenterProgrammes? {
                parts.map { $0.values.reduce(into: ReportCalculator.CenterProgrammes(programmes: [])) { $0.add($1) } }
            }
            let current = try calc.measures(period: input.period, input: records, withNow: true, programmes: sum(given))
            let previous = try calc.measures(period: input.period.previous, input: records, withNow: false, programmes: sum(givenPrevious))
            currentParts.merge(current.programmes) { _, new in new }
            previousParts.merge(previous.programmes) { _, new in new }
            return ReportRow(center: center, current: current.measures, previous: previous.measures)
        }
        let parts = input.byCenter()
        var rows = try input.centers.map { try row($0, parts[$0.code] ?? input.restricted(to: [$0.code])) }
        if input.atHub && input.centers.count > 1 {
            let all = input.restricted(to: Set(input.centers.map(\.code)))
            let summable = all.refusalsAgreeWithinCenters()
            rows.append(try row(nil, all, current: summable ? currentParts : nil, previous: summable ? previousParts : nil))
        }
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
