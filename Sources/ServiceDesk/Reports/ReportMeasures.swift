import Foundation

/// The figures of one center (or all centers) for one period. Every formula is in
/// docs/REPORTS.md with the seed clause it comes from; the comments name the numerator and
/// denominator.
public struct ReportMeasures: Sendable, Hashable, Codable {
    /// Requests received (opened) in the period, cancelled ones included.
    public var requests = 0
    /// By ``RequestKind`` raw value; every kind present, zeros included.
    public var requestsByKind: [String: Int] = [:]
    /// Repairs received by location: `in_home`, `common_area`, `unrecorded` (counted as in-home).
    public var repairsByLocation: [String: Int] = [:]
    /// By ``Channel`` raw value, plus `unknown` for imports without one.
    public var requestsByChannel: [String: Int] = [:]
    /// Complaints received in the period.
    public var complaints = 0
    /// By ``ComplaintClass`` raw value `1`/`2`/`3`, plus `unclassified`.
    public var complaintsByClass: [String: Int] = [:]
    /// By ``Severity`` raw value; a complaint without one counts as general (as its deadline does).
    public var complaintsBySeverity: [String: Int] = [:]

    /// Requests received in the period (not cancelled) whose handling deadlines (first
    /// answer, complaint resolution, arrival) were all met on time.
    public var onTime = 0
    /// …with one met late or open past due at the report time.
    public var overdue = 0
    /// …with one still open and not yet due.
    public var pending = 0
    /// onTime / (onTime + overdue).
    public var timeliness: Ratio { Ratio(onTime, of: onTime + overdue) }
    /// Requests received in the period (not cancelled) resolved without dispatch and never
    /// reopened / requests received (not cancelled); 002's industry figure is 55 %.
    public var firstCallResolution = Ratio(0, of: 0)

    /// Complaints open at the report time (any receipt date); `nil` for a previous period.
    public var openComplaintsNow: Int?
    /// …of which past their resolution deadline.
    public var overdueComplaintsNow: Int?

    /// Complaints completed in the period, with the handling-time figures over them.
    public var complaintsHandled = 0
    public var handlingWorkingHoursAverage: Double?
    public var handlingWorkingHoursP90: Double?
    public var handlingCalendarHoursAverage: Double?
    public var handlingCalendarHoursP90: Double?
    /// Handled complaints within the 24-hour benchmark (calendar hours ≤ 24) / handled.
    public var handledWithin24Hours = Ratio(0, of: 0)

    /// Commissioned services (in-home repairs and price-list services) completed in the
    /// period (4.4.1: 所有顾客委托服务项目).
    public var services = 0
    /// …of which in-home repairs.
    public var servicesInHomeRepairs = 0
    /// 及时率: arrival within 30 minutes or at the agreed time (4.2.7) met / judged.
    public var serviceTimeliness = Ratio(0, of: 0)
    /// 合格率: never reworked and no damage or failed-service exception / completed.
    public var servicePass = Ratio(0, of: 0)
    /// 满意率: (satisfied + basically satisfied) / services whose customer was reached after completion.
    public var serviceSatisfaction = Ratio(0, of: 0)

    /// 4.2.14.4: commissioned services completed in the period owed a callback (customer
    /// known; refused-list customers left out unless a callback was attempted).
    public var callbacksOwed = 0
    /// …reached within 2 days of completion.
    public var callbacksDone = 0
    /// …reached on site within 2 days.
    public var callbacksOnSite = 0
    /// …reached only later (a late callback: its own figure, not a timeliness failure).
    public var callbacksLate = 0
    /// done / owed; target 60 %.
    public var callbackRate: Ratio { Ratio(callbacksDone, of: callbacksOwed) }
    /// on site / owed; target 40 %.
    public var onSiteRate: Ratio { Ratio(callbacksOnSite, of: callbacksOwed) }
    /// Customers who refused a callback in the period.
    public var refusedCallbacks = 0

    /// The monthly plan (001 回访操作指引 1) of the period's month(s): in-home repairs
    /// completed (callable), the 30 % target, four-class jobs inside and outside it, sampled.
    public var planPool = 0
    public var planSampleTarget = 0
    public var planFourClassInPool = 0
    public var planFourClassOther = 0
    public var planSampled = 0
    /// Commissioned services selected beyond the plan to reach 4.2.14.4's 60 %.
    public var planSelected = 0
    /// Every programme's completion: duties due in the period (the monthly plan and the
    /// 4.2.14.4 selection placed by completion), done on time against the 100 % target.
    public var programmes: [ProgrammeCompletion] = []

    /// Annual-survey responses in the period; satisfied by the overall answer.
    public var surveyResponses = 0
    /// (satisfied + basically satisfied overall) / responses; 002's industry figure is 68 %.
    public var surveySatisfaction = Ratio(0, of: 0)
    /// Per questionnaire item (raw value): satisfied or basically satisfied / answered.
    public var surveyItems: [String: Ratio] = [:]

    /// Follow-up visits to unsatisfied owners created in the period, and closed in it.
    public var followUpsOpened = 0
    public var followUpsClosed = 0
    /// Follow-ups not closed at the report time, and those past their due day; `nil` for a
    /// previous period.
    public var followUpsOpenNow: Int?
    public var followUpsOverdueNow: Int?

    /// Service exceptions recorded in the period (001 P7.9-8 4.2.10, 4.3.5, 4.3.6).
    public var exceptionsWorkDiffers = 0
    /// 4.2.10 changes the center manager has not confirmed.
    public var exceptionsUnconfirmed = 0
    public var exceptionsDamage = 0
    /// Compensation paid for damage (4.3.5), in fen.
    public var compensationFen = 0
    public var exceptionsFeeAdjusted = 0
    /// Fees reduced or waived (4.3.6), in fen.
    public var feeReductionFen = 0

    /// Custody items lost, damaged or found unfit in the period (P7.12-1 4.2.9), and those
    /// of them not yet reported to the customer.
    public var custodyLost = 0
    public var custodyDamaged = 0
    public var custodyUnfit = 0
    public var custodyUnreported = 0

    /// The quarter's corrective actions (4.4.2) with their state; quarterly reports only.
    public var correctiveActions: [ReportCorrectiveAction] = []

    /// Complaints received in the period repeating one from the same customer or unit, same
    /// class, received within the 30 days before.
    public var repeatComplaints = 0
    /// Staff complained about in complaints received in the period, most first.
    public var staffComplained: [StaffComplaints] = []

    /// Empty measures (every count zero).
    public init() {}

    /// The monthly plan's completion (on time / due), from ``programmes``.
    public var planCompletion: Ratio { programme(.monthlyPlan).completion }

    /// One programme's completion (zeros when absent).
    public func programme(_ p: CallbackProgramme) -> ProgrammeCompletion {
        programmes.first { $0.programme == p } ?? ProgrammeCompletion(programme: p)
    }
}

/// A staff member and how many complaints received in the period were about them.
public struct StaffComplaints: Sendable, Hashable, Codable {
    public var staff: String
    public var name: String?
    public var complaints: Int
    public init(staff: String, name: String?, complaints: Int) {
        self.staff = staff
        self.name = name
        self.complaints = complaints
    }
}

/// The targets and benchmarks the seeds set, drawn on the charts.
public enum ReportTargets {
    /// Callback rate ≥ 60 % (001 P7.9-8 4.2.14.4).
    public static let callbackRatePercent = CallbackStats.callbackRateTargetPercent
    /// On-site callback rate ≥ 40 % (4.2.14.4).
    public static let onSiteRatePercent = CallbackStats.onSiteRateTargetPercent
    /// Every programme's duties done: 100 %.
    public static let programmePercent = 100
    /// Complaint handling benchmark: 24 hours (002).
    public static let handlingHours = 24.0
    /// First-call resolution, the industry's 55 % (002).
    public static let firstCallResolutionPercent = 55
    /// Owner satisfaction, the industry's 68 % (002).
    public static let surveySatisfactionPercent = SurveyRules.industrySatisfactionPercent
    /// Repeat complaints look back this far.
    public static let repeatWindow: TimeInterval = 30 * 24 * 3600
}

/// Computes ``ReportMeasures`` from plain rows. Pure: the period, the calendar and "now"
/// are arguments.
public struct ReportCalculator: Sendable {
    public var calendar: WorkCalendar
    public var now: Date
    public var staffNames: [String: String]

    /// Creates a calculator.
    public init(calendar: WorkCalendar, now: Date, staffNames: [String: String] = [:]) {
        self.calendar = calendar
        self.now = now
        self.staffNames = staffNames
    }

    /// How a request stands against its deadlines at `now`.
    public enum Timeliness: Sendable, Hashable { case onTime, overdue, pending }

    /// The deadlines that say whether a request was *handled* on time: first answer,
    /// complaint resolution, arrival. The callback deadline is not one of them: a late
    /// callback is its own figure.
    public static let handlingDeadlines: Set<DeadlineName> = [.firstAnswer, .complaintResolution, .providerArrival]

    /// On time when every deadline in `names` was met on time; overdue when one was met late
    /// or is open past due; pending otherwise.
    public func timeliness(of t: ReportTicket, deadlines names: Set<DeadlineName> = ReportCalculator.handlingDeadlines) -> Timeliness {
        let deadlines = DeadlineRules(calendar: calendar).deadlines(for: t.facts).filter { names.contains($0.name) }
        if deadlines.contains(where: { $0.wasMetOnTime == false || $0.isOverdue(at: now) }) { return .overdue }
        return deadlines.allSatisfy { $0.wasMetOnTime == true } ? .onTime : .pending
    }

    /// The 90th percentile by nearest rank: the ⌈0.9·n⌉-th smallest value.
    public static func p90(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[Int((0.9 * Double(sorted.count)).rounded(.up)) - 1]
    }

    static func average(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }

    /// The measures of `input`'s records (one center's, or all centers') for `period`.
    /// `withNow` adds the figures that exist only at the report time (the current period).
    public func measures(period: ReportPeriod, input: ReportInput, withNow: Bool) throws -> ReportMeasures {
        try measures(period: period, input: input, withNow: withNow, programmes: nil).measures
    }

    /// The callback-programme figures of one center's records: the all-centers row adds
    /// them up (integer counts, each center's own plan and seed) instead of computing them
    /// again for every center.
    struct CenterProgrammes: Sendable, Hashable {
        var programmes: [ProgrammeCompletion]
        var planPool = 0, planSampleTarget = 0, planFourClassInPool = 0, planFourClassOther = 0, planSampled = 0, planSelected = 0

        /// Adds `other`'s counts, programme by programme.
        mutating func add(_ other: CenterProgrammes) {
            programmes = programmes.isEmpty ? other.programmes : zip(programmes, other.programmes).map { $0 + $1 }
            planPool += other.planPool
            planSampleTarget += other.planSampleTarget
            planFourClassInPool += other.planFourClassInPool
            planFourClassOther += other.planFourClassOther
            planSampled += other.planSampled
            planSelected += other.planSelected
        }
    }

    /// ``measures(period:input:withNow:)``, also returning each center's programme figures.
    /// With `programmes` given (the sum of every center's, computed by this function over
    /// each center's own records), they stand in for the center-by-center computation:
    /// ``Report/build(_:)`` passes them only when that gives the same figures.
    func measures(period: ReportPeriod, input: ReportInput, withNow: Bool, programmes given: CenterProgrammes?) throws
        -> (measures: ReportMeasures, programmes: [String: CenterProgrammes]) {
        var perCenter: [String: CenterProgrammes] = [:]
        let (start, end) = period.interval(in: calendar)
        func inPeriod(_ d: Date?) -> Bool { d.map { $0 >= start && $0 < end } ?? false }
        let tickets = input.tickets, callbacks = input.callbacks
        var m = ReportMeasures()

        // Intake: placed by the first receipt.
        let received = tickets.filter { inPeriod($0.openedAt) }
        m.requests = received.count
        for k in RequestKind.allCases { m.requestsByKind[k.rawValue] = received.filter { $0.kind == k }.count }
        let repairs = received.filter { $0.kind == .repair }
        for l in RepairLocation.allCases { m.repairsByLocation[l.rawValue] = repairs.filter { $0.location == l }.count }
        m.repairsByLocation["unrecorded"] = repairs.filter { $0.location == nil }.count
        for c in Channel.allCases { m.requestsByChannel[c.rawValue] = received.filter { $0.channel == c }.count }
        m.requestsByChannel["unknown"] = received.filter { $0.channel == nil }.count
        let complaints = received.filter { $0.kind == .complaint }
        m.complaints = complaints.count
        for c in ComplaintClass.allCases { m.complaintsByClass[c.rawValue] = complaints.filter { $0.complaintClass == c }.count }
        m.complaintsByClass["unclassified"] = complaints.filter { $0.complaintClass == nil }.count
        for s in Severity.allCases { m.complaintsBySeverity[s.rawValue] = complaints.filter { ($0.severity ?? .general) == s }.count }

        let live = received.filter { $0.cancelledAt == nil }
        for t in live {
            switch timeliness(of: t) {
            case .onTime: m.onTime += 1
            case .overdue: m.overdue += 1
            case .pending: m.pending += 1
            }
        }
        // Resolved at the first contact: done (completed, or answered and closed) without
        // anyone dispatched, and never reopened.
        let firstCall = live.filter { t in
            (t.completedAt != nil || t.closedAt != nil) && t.reopenCount == 0 && t.facts.dispatchedAt == nil
        }
        m.firstCallResolution = Ratio(firstCall.count, of: live.count)

        let rules = DeadlineRules(calendar: calendar)
        if withNow {
            let open = tickets.filter { $0.kind == .complaint && $0.isOpen && $0.openedAt <= now }
            m.openComplaintsNow = open.count
            m.overdueComplaintsNow = open.filter { t in
                rules.deadlines(for: t.facts).contains { $0.name == .complaintResolution && $0.isOverdue(at: now) }
            }.count
        }

        // Handling time: complaints completed in the period, first receipt to completion.
        let handled = tickets.filter { $0.kind == .complaint && $0.cancelledAt == nil && inPeriod($0.completedAt) }
        m.complaintsHandled = handled.count
        let working = handled.map { calendar.workingHours(between: $0.openedAt, and: $0.completedAt!) }
        let wall = handled.map { $0.completedAt!.timeIntervalSince($0.openedAt) / 3600 }
        m.handlingWorkingHoursAverage = Self.average(working)
        m.handlingWorkingHoursP90 = Self.p90(working)
        m.handlingCalendarHoursAverage = Self.average(wall)
        m.handlingCalendarHoursP90 = Self.p90(wall)
        m.handledWithin24Hours = Ratio(wall.filter { $0 <= ReportTargets.handlingHours }.count, of: wall.count)

        // Commissioned services completed in the period (4.4.1).
        let services = tickets.filter { $0.isCommissioned && $0.cancelledAt == nil && inPeriod($0.completedAt) }
        m.services = services.count
        m.servicesInHomeRepairs = services.filter { $0.kind == .repair }.count
        // 及时率 (4.2.7): judged by the arrival deadline — met, or missed; a service never
        // dispatched here (an import) has none and is not judged.
        var arrivedOnTime = 0, arrivalJudged = 0
        for t in services {
            guard let d = rules.deadlines(for: t.facts).first(where: { $0.name == .providerArrival }) else { continue }
            if let ok = d.wasMetOnTime {
                arrivalJudged += 1
                if ok { arrivedOnTime += 1 }
            } else if d.isOverdue(at: now) {
                arrivalJudged += 1
            }
        }
        m.serviceTimeliness = Ratio(arrivedOnTime, of: arrivalJudged)
        let failed = Set(input.exceptions.filter(\.kind.failsTheService).map(\.ticketID))
        m.servicePass = Ratio(services.filter { $0.reopenCount == 0 && !failed.contains($0.id) }.count, of: services.count)
        let allJobs = services.map { CallbackJob(id: $0.id, completedAt: $0.completedAt!, dueAt: nil) }
        m.serviceSatisfaction = CallbackStats(jobs: allJobs, records: callbacks).satisfactionRate

        // 4.2.14.4: over the commissioned services, callbacks within 2 days of completion.
        let refusedSince = Dictionary(input.customers.compactMap { c in c.customer.refusedSince.map { (c.customer.id, $0) } },
                                      uniquingKeysWith: min)
        let attempted = Set(callbacks.compactMap(\.jobID))
        let owed = services.compactMap { t -> CallbackJob? in
            guard let customer = t.customerKey else { return nil }
            let due = calendar.civilDate(of: t.completedAt!).adding(days: rules.commissionedCallbackDays)
            if let since = refusedSince[customer], since <= due, !attempted.contains(t.id) { return nil }
            return CallbackJob(id: t.id, completedAt: t.completedAt!, dueAt: calendar.endOfDay(due))
        }
        let stats = CallbackStats(jobs: owed, records: callbacks)
        m.callbacksOwed = stats.owed
        m.callbacksDone = stats.onTime
        m.callbacksOnSite = stats.onSiteOnTime
        m.callbacksLate = stats.late
        m.refusedCallbacks = Set(callbacks.filter { $0.result == .refused && inPeriod($0.at) }.compactMap { $0.customerID ?? $0.jobID }).count

        // Programmes, center by center (each center's plan has its own seed).
        let firstDay = period.firstDay, lastDay = period.lastDay
        var total = CenterProgrammes(programmes: [])
        if let given {
            total = given
        } else {
            // Grouped once: the all-centers row of a 5,000-center report must not filter every
            // record once per center.
            // A center's own row (all its records of one center) needs no grouping.
            let only = tickets.first?.center ?? input.customers.first?.center
            let oneCenter = only.map { c in tickets.allSatisfy { $0.center == c } && input.customers.allSatisfy { $0.center == c } } ?? true
            let requestsByCenter = oneCenter ? (tickets.isEmpty ? [:] : [only!: tickets]) : Dictionary(grouping: tickets, by: \.center)
            let customersByCenter = oneCenter ? (input.customers.isEmpty ? [:] : [only!: input.customers])
                : Dictionary(grouping: input.customers, by: \.center)
            var centerOfJob: [String: String] = [:], centerOfPerson: [String: String] = [:]
            if !callbacks.isEmpty { for t in tickets { centerOfJob[t.id] = t.center } }
            // A customer's center is looked up only for callbacks without a job: only those
            // customers, not the hub's half million, go in the table.
            let byPerson = Set(callbacks.compactMap { $0.jobID == nil ? $0.customerID : nil })
            if !byPerson.isEmpty {
                for c in input.customers where byPerson.contains(c.customer.id) { centerOfPerson[c.customer.id] = c.center }
            }
            let callbacksByCenter = Dictionary(grouping: callbacks.filter { c in
                (c.jobID.map { centerOfJob[$0] } ?? c.customerID.map { centerOfPerson[$0] } ?? nil) != nil
            }, by: { c in (c.jobID.map { centerOfJob[$0] } ?? c.customerID.map { centerOfPerson[$0] } ?? nil)! })
            for center in Set(requestsByCenter.keys).union(customersByCenter.keys).sorted() {
                let requests = (requestsByCenter[center] ?? []).map(\.programmeRequest)
                let customers = (customersByCenter[center] ?? []).map(\.customer)
                let records = callbacksByCenter[center] ?? []
                func seed(_ month: YearMonth) -> UInt64 {
                    input.seeds["\(center)/\(month)"] ?? CallbackPlanner.fallbackSeed(center: center, month: month)
                }
                let duties = try CallbackDuties(calendar: calendar).duties(
                    dueFrom: firstDay, to: lastDay.adding(days: 2), requests: requests, customers: customers, callbacks: records, seed: seed)
                    .filter { d in
                        switch d.programme {
                        case .monthlyPlan, .commissioned: inPeriod(d.opensAt)
                        default: d.dueOn <= lastDay
                        }
                    }
                var part = CenterProgrammes(programmes: ProgrammeCompletion.of(duties, at: now, in: calendar))
                let jobs = requests.compactMap { r -> CompletedJob? in
                    guard r.cancelledAt == nil, let customer = r.customerID, let done = r.completedAt else { return nil }
                    return CompletedJob(id: r.id, kind: r.kind, location: r.location, completedOn: calendar.civilDate(of: done),
                                        customerID: customer, isPaid: r.isPaid, byNewStaff: r.byNewStaff,
                                        byPreviouslyComplainedStaff: r.byPreviouslyComplainedStaff)
                }
                for month in period.months {
                    let plan = try CallbackPlanner().plan(month: month, jobs: jobs, refusedSince: refusedSince, seed: seed(month))
                    part.planPool += plan.samplePoolSize
                    part.planSampleTarget += plan.sampleTarget
                    part.planFourClassInPool += plan.fourClassInPool
                    part.planFourClassOther += plan.fourClass.count - plan.fourClassInPool
                    part.planSampled += plan.sampled.count
                    part.planSelected += plan.commissioned.count
                }
                perCenter[center] = part
                total.add(part)
            }
        }
        m.programmes = total.programmes.isEmpty ? CallbackProgramme.allCases.map { ProgrammeCompletion(programme: $0) } : total.programmes
        m.planPool = total.planPool
        m.planSampleTarget = total.planSampleTarget
        m.planFourClassInPool = total.planFourClassInPool
        m.planFourClassOther = total.planFourClassOther
        m.planSampled = total.planSampled
        m.planSelected = total.planSelected

        // The annual survey's responses.
        let responses = input.surveyResponses.filter { inPeriod($0.at) && $0.overall.reachedCustomer }
        m.surveyResponses = responses.count
        m.surveySatisfaction = Ratio(responses.filter(\.overall.countsAsSatisfied).count, of: responses.count)
        for item in SurveyItem.allCases {
            let answered = responses.compactMap { $0.answers[item] }
            m.surveyItems[item.rawValue] = Ratio(answered.filter(\.countsAsSatisfied).count, of: answered.count)
        }

        // Follow-up visits.
        m.followUpsOpened = input.followUps.filter { inPeriod($0.createdAt) }.count
        m.followUpsClosed = input.followUps.filter { inPeriod($0.closedAt) }.count
        if withNow {
            let open = input.followUps.filter { $0.closedAt == nil && $0.createdAt <= now }
            m.followUpsOpenNow = open.count
            m.followUpsOverdueNow = open.filter { calendar.endOfDay($0.dueOn) <= now }.count
        }

        // Exceptions and custody incidents, placed by when they were recorded.
        let exceptions = input.exceptions.filter { inPeriod($0.at) }
        m.exceptionsWorkDiffers = exceptions.filter { $0.kind == .workDiffers }.count
        m.exceptionsUnconfirmed = exceptions.filter { $0.kind == .workDiffers && !$0.confirmed }.count
        m.exceptionsDamage = exceptions.filter { $0.kind == .damage }.count
        m.compensationFen = exceptions.filter { $0.kind == .damage }.compactMap(\.amountFen).reduce(0, +)
        m.exceptionsFeeAdjusted = exceptions.filter { $0.kind == .feeAdjusted }.count
        m.feeReductionFen = exceptions.filter { $0.kind == .feeAdjusted }.compactMap(\.amountFen).reduce(0, +)
        let incidents = input.custodyIncidents.filter { inPeriod($0.at) }
        m.custodyLost = incidents.filter { $0.kind == .lost }.count
        m.custodyDamaged = incidents.filter { $0.kind == .damaged }.count
        m.custodyUnfit = incidents.filter { $0.kind == .unfit }.count
        m.custodyUnreported = incidents.filter { !$0.reported }.count

        if case .quarter = period {
            m.correctiveActions = input.correctiveActions.filter { $0.quarter == period.description }
                .sorted { ($0.center, $0.id) < ($1.center, $1.id) }
        }

        // Repeats: against every complaint of the same center in the 30 days before — looked
        // for among that center's complaints only: over all centers' (the all-centers row)
        // every complaint against every other would grow with the square of the fleet.
        let complaintsByCenter = Dictionary(grouping: tickets.filter { $0.kind == .complaint }, by: \.center)
        m.repeatComplaints = complaints.filter { c in
            complaintsByCenter[c.center, default: []].contains { d in
                d.id != c.id && d.center == c.center && d.openedAt < c.openedAt
                    && c.openedAt.timeIntervalSince(d.openedAt) <= ReportTargets.repeatWindow
                    && d.complaintClass == c.complaintClass
                    && ((c.customerKey != nil && d.customerKey == c.customerKey) || (c.unitKey != nil && d.unitKey == c.unitKey))
            }
        }.count

        let about = Dictionary(grouping: complaints.compactMap(\.aboutStaff), by: { $0 })
        m.staffComplained = about.map { StaffComplaints(staff: $0.key, name: staffNames[$0.key], complaints: $0.value.count) }
            .sorted { ($1.complaints, $0.staff) < ($0.complaints, $1.staff) }
        return (m, perCenter)
    }
}
