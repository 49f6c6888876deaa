import Foundation

/// The HTML rendering of a ``Report``: one self-contained page (inline CSS and SVG, no
/// scripts, no fonts or images from anywhere) that a manager opens or prints. Pure.
public enum ReportHTML {
    /// One bar of a chart: a row's value this period and the previous one.
    struct Bar {
        var label: String
        var current: Double?
        var previous: Double?
        var text: String
        var warning: Bool
    }


    static func f1(_ d: Double) -> String { String(format: "%.1f", d) }

    /// A horizontal bar chart: per row a solid bar for this period, a thin grey bar for the
    /// previous period (the trend), and the target as a dashed red line.
    static func chart(id: String, title: String, bars: [Bar], maxValue: Double, target: Double?, targetLabel: String,
                      unit: String) -> String {
        let labelW = 120.0, barW = 460.0, rowH = 34.0, top = 28.0, width = labelW + barW + 110
        let height = top + rowH * Double(bars.count) + 24
        let scale = barW / max(maxValue, 1e-9)
        var s = "<figure class=\"chart\" id=\"\(id)\"><figcaption>\(HTMLText.escape(title))</figcaption>"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        s += "<line x1=\"\(labelW)\" y1=\"\(top - 6)\" x2=\"\(labelW)\" y2=\"\(height - 18)\" stroke=\"#888\"/>"
        for (i, b) in bars.enumerated() {
            let y = top + rowH * Double(i)
            s += "<text x=\"\(labelW - 8)\" y=\"\(f1(y + 15))\" text-anchor=\"end\" class=\"label\">\(HTMLText.escape(b.label))</text>"
            if let v = b.current {
                let w = max(v * scale, 1)
                s += "<rect class=\"bar current\(b.warning ? " warn" : "")\" data-row=\"\(HTMLText.escape(b.label))\" data-value=\"\(f1(v))\" x=\"\(labelW)\" y=\"\(f1(y + 2))\" width=\"\(f1(w))\" height=\"16\"/>"
            }
            if let p = b.previous {
                s += "<rect class=\"bar previous\" data-row=\"\(HTMLText.escape(b.label))\" data-value=\"\(f1(p))\" x=\"\(labelW)\" y=\"\(f1(y + 20))\" width=\"\(f1(max(p * scale, 1)))\" height=\"6\"/>"
            }
            let x = labelW + (b.current.map { $0 * scale } ?? 0) + 6
            s += "<text x=\"\(f1(x))\" y=\"\(f1(y + 15))\" class=\"value\">\(HTMLText.escape(b.text))</text>"
        }
        if let t = target {
            let x = labelW + t * scale
            s += "<line class=\"target\" data-target=\"\(f1(t))\" x1=\"\(f1(x))\" y1=\"\(top - 10)\" x2=\"\(f1(x))\" y2=\"\(f1(height - 18))\" stroke=\"#c62828\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
            s += "<text x=\"\(f1(x))\" y=\"\(top - 14)\" text-anchor=\"middle\" class=\"target-label\">\(HTMLText.escape(targetLabel))</text>"
        }
        s += "<text x=\"\(labelW)\" y=\"\(f1(height - 4))\" class=\"axis\">0</text>"
        s += "<text x=\"\(f1(labelW + barW))\" y=\"\(f1(height - 4))\" text-anchor=\"end\" class=\"axis\">\(f1(maxValue)) \(HTMLText.escape(unit))</text>"
        s += "</svg></figure>\n"
        return s
    }

    static func percent(_ r: Ratio) -> Double? { r.value.map { $0 * 100 } }

    /// The page.
    public static func render(_ r: Report) -> String {
        let title = "\(r.kind == "monthly" ? "月度" : "季度")服务质量报表 \(r.period)"
        func warn(_ row: ReportRow) -> Bool { row.center?.freshness.isIncomplete ?? false }
        func rateBars(_ pick: (ReportMeasures) -> Ratio) -> [Bar] {
            r.rows.map { row in
                Bar(label: row.label, current: percent(pick(row.current)), previous: percent(pick(row.previous)),
                    text: pick(row.current).description + (warn(row) ? " ⚠" : ""), warning: warn(row))
            }
        }
        let handling = r.rows.map { row in
            Bar(label: row.label, current: row.current.handlingCalendarHoursAverage, previous: row.previous.handlingCalendarHoursAverage,
                text: ReportFigures.hours(row.current.handlingCalendarHoursAverage) + "（工作 " + ReportFigures.hours(row.current.handlingWorkingHoursAverage) + "）"
                    + (warn(row) ? " ⚠" : ""), warning: warn(row))
        }
        let maxHours = max(ReportTargets.handlingHours * 1.5, (handling.flatMap { [$0.current, $0.previous] }.compactMap { $0 }.max() ?? 0) * 1.1)
        let complaints = r.rows.map { row in
            Bar(label: row.label, current: Double(row.current.complaints), previous: Double(row.previous.complaints),
                text: "\(row.current.complaints)（上期 \(row.previous.complaints)）" + (warn(row) ? " ⚠" : ""), warning: warn(row))
        }
        let maxComplaints = max(1, complaints.flatMap { [$0.current ?? 0, $0.previous ?? 0] }.max() ?? 1) * 1.15

        var h = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>
            body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }
            h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 22px 0 6px; border-bottom: 1px solid #ccc; } h3 { font-size: 14px; margin: 14px 0 4px; }
            .meta { color: #555; font-size: 13px; }
            .alert { background: #fff3e0; border-left: 4px solid #e65100; padding: 6px 10px; margin: 8px 0; font-size: 14px; }
            .chart { margin: 10px 0 18px; page-break-inside: avoid; } figcaption { font-weight: bold; font-size: 14px; margin-bottom: 2px; }
            svg text { font-size: 12px; fill: #222; } svg .axis { fill: #777; font-size: 11px; }
            svg .target-label { fill: #c62828; font-size: 11px; }
            .bar.current { fill: #1565c0; } .bar.current.warn { fill: #ef9a9a; } .bar.previous { fill: #9e9e9e; }
            .legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
            .sw { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: middle; }
            table { border-collapse: collapse; font-size: 12px; margin: 4px 0 12px; page-break-inside: avoid; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
            th { background: #f0f0f0; }
            @media print { body { margin: 10mm; } .center { page-break-before: always; } .alert { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
            </style></head><body>
            <h1>\(HTMLText.escape(title))</h1>
            <p class="meta">上期 \(HTMLText.escape(r.previousPeriod)) · 生成于 \(HTMLText.escape(TimeFormat.short(r.generatedAt))) · \(r.atHub ? "总部汇总（各中心数据截至其最后一次同步）" : "本中心数据")</p>

            """
        for c in r.incompleteCenters {
            h += "<p class=\"alert\" data-center=\"\(HTMLText.escape(c.code))\">⚠ \(HTMLText.escape(c.code))：\(HTMLText.escape(ReportFigures.asOf(c)))</p>\n"
        }
        h += "<p class=\"legend\"><span><i class=\"sw\" style=\"background:#1565c0\"></i>本期</span><span><i class=\"sw\" style=\"background:#9e9e9e\"></i>上期（趋势）</span><span><i class=\"sw\" style=\"background:#c62828\"></i>目标线</span><span><i class=\"sw\" style=\"background:#ef9a9a\"></i>数据不完整的中心</span></p>\n"
        h += chart(id: "callback-rate", title: "回访率（目标 ≥ 60 %）", bars: rateBars(\.callbackRate), maxValue: 100,
                   target: Double(ReportTargets.callbackRatePercent), targetLabel: "60 %", unit: "%")
        h += chart(id: "on-site-rate", title: "上门回访率（目标 ≥ 40 %）", bars: rateBars(\.onSiteRate), maxValue: 100,
                   target: Double(ReportTargets.onSiteRatePercent), targetLabel: "40 %", unit: "%")
        h += chart(id: "handling-time", title: "投诉平均处理时长（自然小时，基准 24 h）", bars: handling, maxValue: maxHours,
                   target: ReportTargets.handlingHours, targetLabel: "24 h", unit: "h")
        h += chart(id: "plan-completion", title: "月度回访计划完成率（四类服务与抽样，目标 100 %）", bars: rateBars(\.planCompletion),
                   maxValue: 100, target: Double(ReportTargets.programmePercent), targetLabel: "100 %", unit: "%")
        h += chart(id: "service-timeliness", title: "委托服务及时率（到场）", bars: rateBars(\.serviceTimeliness), maxValue: 100, target: nil,
                   targetLabel: "", unit: "%")
        h += chart(id: "service-satisfaction", title: "委托服务满意率", bars: rateBars(\.serviceSatisfaction), maxValue: 100, target: nil,
                   targetLabel: "", unit: "%")
        h += chart(id: "first-call-resolution", title: "首次解决率（行业 55 %）", bars: rateBars(\.firstCallResolution), maxValue: 100,
                   target: Double(ReportTargets.firstCallResolutionPercent), targetLabel: "55 %", unit: "%")
        h += chart(id: "survey-satisfaction", title: "满意度调查满意率（行业 68 %）", bars: rateBars(\.surveySatisfaction), maxValue: 100,
                   target: Double(ReportTargets.surveySatisfactionPercent), targetLabel: "68 %", unit: "%")
        h += chart(id: "timeliness", title: "处理时限达标率（答复·投诉·到场）", bars: rateBars(\.timeliness), maxValue: 100, target: nil,
                   targetLabel: "", unit: "%")
        h += chart(id: "complaints", title: "投诉数量", bars: complaints, maxValue: maxComplaints, target: nil, targetLabel: "", unit: "件")

        for row in r.rows {
            h += "<section class=\"center\"><h2>\(HTMLText.escape(row.label)) <span class=\"meta\">\(HTMLText.escape(ReportFigures.asOf(row.center)))</span></h2>\n"
            h += "<table><tr><th>指标</th><th>\(HTMLText.escape(r.period))</th><th>\(HTMLText.escape(r.previousPeriod))</th></tr>\n"
            for (cur, prev) in zip(ReportFigures.main(row.current), ReportFigures.main(row.previous)) {
                h += "<tr data-key=\"\(HTMLText.escape(cur.key))\"><td>\(HTMLText.escape(cur.label.trimmingWhitespace()))</td><td class=\"n\">\(HTMLText.escape(cur.text))</td><td class=\"n\">\(HTMLText.escape(prev.text))</td></tr>\n"
            }
            h += "</table>\n"
            h += "<h3>回访方案完成情况（目标 100 %）</h3>\n<table class=\"programmes\"><tr><th>方案</th><th>依据</th><th>应回访</th><th>按时</th><th>逾期回访</th><th>超期未回访</th><th>未到期</th><th>完成率</th><th>上期完成率</th></tr>\n"
            for (cur, prev) in zip(row.current.programmes, row.previous.programmes) {
                let cells = [String(cur.owed), String(cur.onTime), String(cur.late), String(cur.overdue), String(cur.pending),
                             cur.completion.description, prev.completion.description]
                h += "<tr data-programme=\"\(cur.programme.rawValue)\"><td>\(HTMLText.escape(cur.programme.displayName))</td><td>\(HTMLText.escape(cur.programme.clause))</td>"
                    + cells.map { "<td class=\"n\">\(HTMLText.escape($0))</td>" }.joined() + "</tr>\n"
            }
            h += "</table>\n"
            if r.kind == "quarterly" {
                h += "<h3>纠正预防措施（4.4.2，品质工程部审批）</h3>\n"
                if row.current.correctiveActions.isEmpty { h += "<p>（无）</p>\n" }
                else {
                    h += "<table class=\"actions\"><tr><th>状态</th><th>中心</th><th>发现的不足</th><th>改进措施</th><th>审批</th></tr>\n"
                    for a in row.current.correctiveActions {
                        h += "<tr data-action=\"\(HTMLText.escape(a.id))\"><td>\(HTMLText.escape(a.state.displayName))</td><td>\(HTMLText.escape(a.center))</td><td>\(HTMLText.escape(a.finding))</td><td>\(HTMLText.escape(a.action))</td><td>\(HTMLText.escape(a.decidedBy ?? ""))</td></tr>\n"
                    }
                    h += "</table>\n"
                }
            }
            if !row.current.staffComplained.isEmpty {
                h += "<p>被投诉员工：" + row.current.staffComplained.map { HTMLText.escape("\($0.staff) \($0.name ?? "")（\($0.complaints)）") }
                    .joined(separator: "、") + "</p>\n"
            }
            h += "</section>\n"
        }
        h += "<p class=\"meta\">计算口径见 docs/REPORTS.md。报表为汇总数据，不含顾客个人信息。</p>\n</body></html>\n"
        return h
    }
}
