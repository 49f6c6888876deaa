import Foundation

/// One printed figure: a measure's key, its Chinese label, and its value shown for people
/// and as a plain number (percent for rates, hours for times, counts otherwise).
public struct ReportFigure: Sendable, Hashable {
    public var key: String
    public var label: String
    public var text: String
    public var number: Double?
}

/// The figures of a report row in print order, shared by the table and CSV renderers.
public enum ReportFigures {
    /// `12.5 h`, or `—` without data.
    static func hours(_ h: Double?) -> String { h.map { String(format: "%.1f h", $0) } ?? "—" }

    static func percent(_ r: Ratio) -> Double? { r.value.map { ($0 * 1000).rounded() / 10 } }

    /// The figures of `m` in order; `previous` leaves out the figures that only exist now.
    public static func of(_ m: ReportMeasures) -> [ReportFigure] {
        var f: [ReportFigure] = []
        func count(_ key: String, _ label: String, _ n: Int?) {
            f.append(ReportFigure(key: key, label: label, text: n.map(String.init) ?? "—", number: n.map(Double.init)))
        }
        func ratio(_ key: String, _ label: String, _ r: Ratio) {
            f.append(ReportFigure(key: key, label: label, text: r.description, number: percent(r)))
        }
        func time(_ key: String, _ label: String, _ h: Double?) {
            f.append(ReportFigure(key: key, label: label, text: hours(h), number: h.map { ($0 * 10).rounded() / 10 }))
        }
        count("requests", "受理请求", m.requests)
        for k in RequestKind.allCases { count("requests.kind.\(k.rawValue)", "  类型·\(k.displayName)", m.requestsByKind[k.rawValue]) }
        for c in Channel.allCases { count("requests.channel.\(c.rawValue)", "  渠道·\(c.displayName)", m.requestsByChannel[c.rawValue]) }
        count("requests.channel.unknown", "  渠道·未记录", m.requestsByChannel["unknown"])
        count("complaints", "投诉", m.complaints)
        for c in ComplaintClass.allCases { count("complaints.class.\(c.rawValue)", "  \(c.displayName)", m.complaintsByClass[c.rawValue]) }
        count("complaints.class.unclassified", "  未分类", m.complaintsByClass["unclassified"])
        for s in Severity.allCases { count("complaints.severity.\(s.rawValue)", "  \(s.displayName)投诉", m.complaintsBySeverity[s.rawValue]) }
        count("on_time", "按时完成（全部时限达标）", m.onTime)
        count("overdue", "超时", m.overdue)
        count("pending", "未到期", m.pending)
        ratio("timeliness", "及时率", m.timeliness)
        count("complaints.open_now", "当前未结投诉", m.openComplaintsNow)
        count("complaints.overdue_now", "当前超时投诉", m.overdueComplaintsNow)
        count("complaints.handled", "本期办结投诉", m.complaintsHandled)
        time("handling.working.avg", "处理时长·工作小时·平均", m.handlingWorkingHoursAverage)
        time("handling.working.p90", "处理时长·工作小时·P90", m.handlingWorkingHoursP90)
        time("handling.calendar.avg", "处理时长·自然小时·平均", m.handlingCalendarHoursAverage)
        time("handling.calendar.p90", "处理时长·自然小时·P90", m.handlingCalendarHoursP90)
        ratio("handling.within_24h", "24小时内办结（基准24 h）", m.handledWithin24Hours)
        count("callbacks.owed", "应回访", m.callbacksOwed)
        count("callbacks.done", "已回访", m.callbacksDone)
        ratio("callbacks.rate", "回访率（目标≥60 %）", m.callbackRate)
        ratio("callbacks.on_site_rate", "上门回访率（目标≥40 %）", m.onSiteRate)
        count("callbacks.due_not_done", "到期未回访", m.callbacksDueNotDone)
        count("callbacks.refused", "拒访", m.refusedCallbacks)
        count("services", "有偿服务完成", m.services)
        ratio("services.timeliness", "有偿服务及时率", m.serviceTimeliness)
        ratio("services.pass", "有偿服务合格率", m.servicePass)
        ratio("services.satisfaction", "有偿服务满意率", m.serviceSatisfaction)
        count("complaints.repeat", "重复投诉（30天内）", m.repeatComplaints)
        count("complaints.about_staff", "被投诉员工人数", m.staffComplained.count)
        return f
    }

    /// "已同步 2026-12-01 08:00", "从未同步", "本地数据（实时）…".
    public static func asOf(_ c: ReportCenter?) -> String {
        guard let c else { return "" }
        let last = c.lastSyncAt.map { "最后同步 " + TimeFormat.short($0) }
        switch c.freshness {
        case .current: return "本地数据（实时）" + (last.map { "，" + $0 } ?? "")
        case .neverSynced: return "从未同步——数据缺失，不代表无投诉"
        case .stale: return "同步过期（\(last ?? "")）——本期数据可能不全"
        case .synced: return "数据截至 " + (c.lastSyncAt.map(TimeFormat.short) ?? "")
        }
    }
}
