import Foundation

/// The table, CSV and JSON renderings of a ``Report``: pure functions, text in, text out.
public enum ReportText {
    /// The table: per row a heading with its "as of", then measure | this period | previous.
    public static func table(_ r: Report) -> String {
        var out = "\(r.kind == "monthly" ? "月度报表" : "季度报表") \(r.period)（上期 \(r.previousPeriod)）  生成于 \(TimeFormat.short(r.generatedAt))"
        out += r.atHub ? "  总部汇总\n" : "  本中心\n"
        // About 7 KB a row: reserved at once, the 35 MB of 5,000 centers is not copied as it grows.
        out.reserveCapacity(out.utf8.count + r.rows.count * 7_500)
        for c in r.incompleteCenters { out += "注意：\(c.code) \(ReportFigures.asOf(c))\n" }
        for row in r.rows {
            out += "\n== \(row.label) \(ReportFigures.asOf(row.center))\n"
            var t = TextTable(headers: ["指标", r.period, r.previousPeriod], alignments: [.left, .right, .right])
            for (cur, prev) in zip(ReportFigures.main(row.current), ReportFigures.main(row.previous)) { t.append([cur.label, cur.text, prev.text]) }
            t.render(into: &out)
            if !out.hasSuffix("\n") { out += "\n" }
            out += "\n回访方案完成情况（\(r.period)，目标 100 %）\n"
            var p = TextTable(headers: ["方案", "依据", "应回访", "按时", "逾期回访", "超期未回访", "未到期", "完成率", "上期完成率"],
                              alignments: [.left, .left, .right, .right, .right, .right, .right, .right, .right])
            for (cur, prev) in zip(row.current.programmes, row.previous.programmes) {
                p.append([cur.programme.displayName, cur.programme.clause, String(cur.owed), String(cur.onTime), String(cur.late),
                          String(cur.overdue), String(cur.pending), cur.completion.description, prev.completion.description])
            }
            p.render(into: &out)
            if !out.hasSuffix("\n") { out += "\n" }
            if r.kind == "quarterly" {
                out += "\n纠正预防措施（4.4.2，品质工程部审批）\n"
                if row.current.correctiveActions.isEmpty { out += "（无）\n" }
                for a in row.current.correctiveActions {
                    out += "- [\(a.state.displayName)] \(a.center) \(a.finding) → \(a.action)\(a.decidedBy.map { "（审批 \($0)）" } ?? "")\n"
                }
            }
            if !row.current.staffComplained.isEmpty {
                out += "被投诉员工：" + row.current.staffComplained.map { "\($0.staff) \($0.name ?? "")（\($0.complaints)）" }
                    .joined(separator: "、") + "\n"
            }
        }
        return out
    }

    /// CSV, one line per center and measure: both periods, as text and as a plain number.
    public static func csv(_ r: Report) -> String {
        var records = [["center", "as_of", "freshness", "measure", "指标", "period", "value", "number", "previous_period",
                        "previous_value", "previous_number"]]
        func n(_ d: Double?) -> String {
            guard let d else { return "" }
            return d == d.rounded() ? String(Int(d)) : String(d)
        }
        for row in r.rows {
            let asOf = row.center?.lastSyncAt.map(TimeFormat.short) ?? ""
            let fresh = row.center?.freshness.rawValue ?? "all"
            for (cur, prev) in zip(ReportFigures.of(row.current), ReportFigures.of(row.previous)) {
                records.append([row.center?.code ?? "ALL", asOf, fresh, cur.key, cur.label.trimmingWhitespace(), r.period, cur.text,
                                n(cur.number), r.previousPeriod, prev.text, n(prev.number)])
            }
            for s in row.current.staffComplained {
                records.append([row.center?.code ?? "ALL", asOf, fresh, "complaints.about_staff.\(s.staff)", "被投诉·\(s.name ?? s.staff)",
                                r.period, String(s.complaints), String(s.complaints), r.previousPeriod, "", ""])
            }
            for a in row.current.correctiveActions {
                records.append([row.center?.code ?? "ALL", asOf, fresh, "corrective_action.\(a.id)", "\(a.center) \(a.finding) → \(a.action)",
                                r.period, a.state.displayName, "", r.previousPeriod, "", ""])
            }
        }
        return CSVWriter.excelDocument(records)
    }

    /// JSON: the report value with the derived rates, times in China time (ISO 8601).
    public static func json(_ r: Report) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, enc in
            // A formatter per date: the closure is @Sendable and a report has few dates.
            let f = ISO8601DateFormatter()
            f.timeZone = TimeZone(secondsFromGMT: WorkCalendar.chinaUTCOffsetSeconds)
            var c = enc.singleValueContainer()
            try c.encode(f.string(from: date))
        }
        return String(decoding: try e.encode(JSONReport(r)), as: UTF8.self) + "\n"
    }
}

/// The JSON shape: the measures plus each rate as numerator, denominator and value.
struct JSONReport: Encodable {
    struct Row: Encodable {
        var center: String
        var lastSyncAt: Date?
        var freshness: String
        var current: ReportMeasures
        var previous: ReportMeasures
        var currentRates: [String: Ratio]
        var previousRates: [String: Ratio]
    }
    var kind: String
    var period: String
    var previousPeriod: String
    var generatedAt: Date
    var atHub: Bool
    var incompleteCenters: [String]
    var targets: [String: Double]
    var rows: [Row]

    init(_ r: Report) {
        func rates(_ m: ReportMeasures) -> [String: Ratio] {
            var rates = ["timeliness": m.timeliness, "callback_rate": m.callbackRate, "on_site_rate": m.onSiteRate,
                         "handled_within_24h": m.handledWithin24Hours, "service_timeliness": m.serviceTimeliness,
                         "service_pass": m.servicePass, "service_satisfaction": m.serviceSatisfaction,
                         "first_call_resolution": m.firstCallResolution, "survey_satisfaction": m.surveySatisfaction]
            for p in m.programmes { rates["programme_\(p.programme.rawValue)"] = p.completion }
            return rates
        }
        kind = r.kind
        period = r.period
        previousPeriod = r.previousPeriod
        generatedAt = r.generatedAt
        atHub = r.atHub
        incompleteCenters = r.incompleteCenters.map(\.code)
        targets = ["callback_rate_percent": Double(ReportTargets.callbackRatePercent),
                   "on_site_rate_percent": Double(ReportTargets.onSiteRatePercent), "handling_hours": ReportTargets.handlingHours,
                   "programme_percent": Double(ReportTargets.programmePercent),
                   "first_call_resolution_percent": Double(ReportTargets.firstCallResolutionPercent),
                   "survey_satisfaction_percent": Double(ReportTargets.surveySatisfactionPercent)]
        rows = r.rows.map {
            Row(center: $0.center?.code ?? "ALL", lastSyncAt: $0.center?.lastSyncAt, freshness: $0.center?.freshness.rawValue ?? "all",
                current: $0.current, previous: $0.previous, currentRates: rates($0.current), previousRates: rates($0.previous))
        }
    }
}
