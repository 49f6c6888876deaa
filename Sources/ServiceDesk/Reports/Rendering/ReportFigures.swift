import Foundation

/// One printed figure: a measure's key, its Chinese label, and its value shown for people
/// and as a plain number (percent for rates, hours for times, yuan for money, counts
/// otherwise).
public struct ReportFigure: Sendable, Hashable {
    public var key: String
    public var label: String
    public var text: String
    public var number: Double?
}

/// The figures of a report row in print order, shared by the table, CSV and HTML renderers,
/// so every format shows the same figures from the same measures.
public enum ReportFigures {
    /// `12.5 h`, or `—` without data.
    static func hours(_ h: Double?) -> String { h.map { String(format: "%.1f h", $0) } ?? "—" }

    static func percent(_ r: Ratio) -> Double? { r.value.map { ($0 * 1000).rounded() / 10 } }

    /// The key prefix of the per-programme figures, which the table and HTML print as a
    /// table of their own.
    public static let programmePrefix = "programme."

    /// The keys and labels of the figures per enumerated case, made once: a 5,000-center
    /// report lists 20,000 rows of figures, and interpolating each name each time was a
    /// tenth of its time.
    private static let kindNames = RequestKind.allCases.map { ("requests.kind.\($0.rawValue)", "  类型·\($0.displayName)") }
    private static let locationNames = RepairLocation.allCases.map { ("repairs.location.\($0.rawValue)", "  报修·\($0.displayName)") }
    private static let channelNames = Channel.allCases.map { ("requests.channel.\($0.rawValue)", "  渠道·\($0.displayName)") }
    private static let classNames = ComplaintClass.allCases.map { ("complaints.class.\($0.rawValue)", "  \($0.displayName)") }
    private static let severityNames = Severity.allCases.map { ("complaints.severity.\($0.rawValue)", "  \($0.displayName)投诉") }
    private static let surveyItemNames = SurveyItem.allCases.map { ("survey.item.\($0.rawValue)", "  \($0.displayName)") }
    private static let actionStateNames = CorrectiveActionState.allCases.map {
        ("corrective_actions.\($0.rawValue)", "纠正预防措施·\($0.displayName)")
    }
    /// Per programme: the keys and labels of owed, on time, late, overdue, pending, completion.
    private static let programmeNames: [CallbackProgramme: [(String, String)]] = Dictionary(
        uniqueKeysWithValues: CallbackProgramme.allCases.map { p in
            let key = programmePrefix + p.rawValue, name = p.displayName
            return (p, [(key + ".owed", "\(name)·应回访"), (key + ".on_time", "\(name)·按时"), (key + ".late", "\(name)·逾期回访"),
                        (key + ".overdue", "\(name)·超期未回访"), (key + ".pending", "\(name)·未到期"),
                        (key + ".completion", "\(name)·完成率（目标100 %）")])
        })

    /// The figures of `m` in order; a previous period shows `—` for those that exist only now.
    public static func of(_ m: ReportMeasures) -> [ReportFigure] { figures(m, programmes: true) }

    /// The figures of `m`, with or without the per-programme ones.
    static func figures(_ m: ReportMeasures, programmes withProgrammes: Bool) -> [ReportFigure] {
        var f: [ReportFigure] = []
        f.reserveCapacity(withProgrammes ? 128 : 80)
        func count(_ key: String, _ label: String, _ n: Int?) {
            f.append(ReportFigure(key: key, label: label, text: n.map(String.init) ?? "—", number: n.map(Double.init)))
        }
        func ratio(_ key: String, _ label: String, _ r: Ratio) {
            f.append(ReportFigure(key: key, label: label, text: r.description, number: percent(r)))
        }
        func time(_ key: String, _ label: String, _ h: Double?) {
            f.append(ReportFigure(key: key, label: label, text: hours(h), number: h.map { ($0 * 10).rounded() / 10 }))
        }
        func money(_ key: String, _ label: String, _ fen: Int) {
            f.append(ReportFigure(key: key, label: label, text: String(format: "¥%.2f", Double(fen) / 100), number: Double(fen) / 100))
        }
        count("requests", "受理请求", m.requests)
        for (k, (key, label)) in zip(RequestKind.allCases, kindNames) { count(key, label, m.requestsByKind[k.rawValue]) }
        for (l, (key, label)) in zip(RepairLocation.allCases, locationNames) { count(key, label, m.repairsByLocation[l.rawValue]) }
        count("repairs.location.unrecorded", "  报修·位置未记录（按户内）", m.repairsByLocation["unrecorded"])
        for (c, (key, label)) in zip(Channel.allCases, channelNames) { count(key, label, m.requestsByChannel[c.rawValue]) }
        count("requests.channel.unknown", "  渠道·未记录", m.requestsByChannel["unknown"])
        count("complaints", "投诉", m.complaints)
        for (c, (key, label)) in zip(ComplaintClass.allCases, classNames) { count(key, label, m.complaintsByClass[c.rawValue]) }
        count("complaints.class.unclassified", "  未分类", m.complaintsByClass["unclassified"])
        for (s, (key, label)) in zip(Severity.allCases, severityNames) { count(key, label, m.complaintsBySeverity[s.rawValue]) }
        count("on_time", "处理时限·按时", m.onTime)
        count("overdue", "处理时限·超时", m.overdue)
        count("pending", "处理时限·未到期", m.pending)
        ratio("timeliness", "处理时限达标率（答复·投诉·到场）", m.timeliness)
        ratio("first_call_resolution", "首次解决率（行业 55 %）", m.firstCallResolution)
        count("complaints.open_now", "当前未结投诉", m.openComplaintsNow)
        count("complaints.overdue_now", "当前超时投诉", m.overdueComplaintsNow)
        count("complaints.handled", "本期办结投诉", m.complaintsHandled)
        time("handling.working.avg", "处理时长·工作小时·平均", m.handlingWorkingHoursAverage)
        time("handling.working.p90", "处理时长·工作小时·P90", m.handlingWorkingHoursP90)
        time("handling.calendar.avg", "处理时长·自然小时·平均", m.handlingCalendarHoursAverage)
        time("handling.calendar.p90", "处理时长·自然小时·P90", m.handlingCalendarHoursP90)
        ratio("handling.within_24h", "24小时内办结（基准24 h）", m.handledWithin24Hours)
        count("services", "委托服务完成", m.services)
        count("services.in_home_repairs", "  其中户内维修", m.servicesInHomeRepairs)
        ratio("services.timeliness", "委托服务及时率（到场）", m.serviceTimeliness)
        ratio("services.pass", "委托服务合格率", m.servicePass)
        ratio("services.satisfaction", "委托服务满意率", m.serviceSatisfaction)
        count("callbacks.owed", "委托服务应回访", m.callbacksOwed)
        count("callbacks.done", "两天内回访", m.callbacksDone)
        ratio("callbacks.rate", "回访率（目标≥60 %）", m.callbackRate)
        ratio("callbacks.on_site_rate", "上门回访率（目标≥40 %）", m.onSiteRate)
        count("callbacks.late", "逾期回访（两天后）", m.callbacksLate)
        count("callbacks.refused", "拒访客户", m.refusedCallbacks)
        count("plan.pool", "月度计划·户内维修完成", m.planPool)
        count("plan.sample_target", "月度计划·30 %目标", m.planSampleTarget)
        count("plan.four_class_in_pool", "月度计划·四类服务（计入30 %）", m.planFourClassInPool)
        count("plan.four_class_other", "月度计划·四类服务（投诉、有偿服务等）", m.planFourClassOther)
        count("plan.sampled", "月度计划·抽样", m.planSampled)
        count("plan.selected", "委托服务补选（达60 %）", m.planSelected)
        for p in m.programmes where withProgrammes {
            let n = programmeNames[p.programme]!
            count(n[0].0, n[0].1, p.owed)
            count(n[1].0, n[1].1, p.onTime)
            count(n[2].0, n[2].1, p.late)
            count(n[3].0, n[3].1, p.overdue)
            count(n[4].0, n[4].1, p.pending)
            ratio(n[5].0, n[5].1, p.completion)
        }
        count("survey.responses", "满意度调查答卷", m.surveyResponses)
        ratio("survey.satisfaction", "满意度调查满意率（行业 68 %）", m.surveySatisfaction)
        for (item, (key, label)) in zip(SurveyItem.allCases, surveyItemNames) {
            ratio(key, label, m.surveyItems[item.rawValue] ?? Ratio(0, of: 0))
        }
        count("follow_ups.opened", "不满意跟进·新建", m.followUpsOpened)
        count("follow_ups.closed", "不满意跟进·关闭", m.followUpsClosed)
        count("follow_ups.open_now", "不满意跟进·当前未关闭", m.followUpsOpenNow)
        count("follow_ups.overdue_now", "不满意跟进·当前超期", m.followUpsOverdueNow)
        count("exceptions.work_differs", "服务内容变更（4.2.10）", m.exceptionsWorkDiffers)
        count("exceptions.unconfirmed", "  其中经理未确认", m.exceptionsUnconfirmed)
        count("exceptions.damage", "损失赔偿（4.3.5）", m.exceptionsDamage)
        money("exceptions.compensation", "  赔偿金额", m.compensationFen)
        count("exceptions.fee_adjusted", "费用减免（4.3.6）", m.exceptionsFeeAdjusted)
        money("exceptions.fee_reduction", "  减免金额", m.feeReductionFen)
        count("custody.lost", "顾客财产·丢失", m.custodyLost)
        count("custody.damaged", "顾客财产·损坏", m.custodyDamaged)
        count("custody.unfit", "顾客财产·不适用", m.custodyUnfit)
        count("custody.unreported", "顾客财产·未告知顾客", m.custodyUnreported)
        for (s, (key, label)) in zip(CorrectiveActionState.allCases, actionStateNames) {
            count(key, label, m.correctiveActions.filter { $0.state == s }.count)
        }
        count("complaints.repeat", "重复投诉（30天内）", m.repeatComplaints)
        count("complaints.about_staff", "被投诉员工人数", m.staffComplained.count)
        return f
    }

    /// The figures without the per-programme ones (the main table of the table and HTML
    /// formats).
    public static func main(_ m: ReportMeasures) -> [ReportFigure] { figures(m, programmes: false) }

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
