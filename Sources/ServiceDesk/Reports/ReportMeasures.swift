import Foundation

/// The figures of one center (or all centers) for one period. Every formula is in
/// docs/REPORTS.md; the comments name the numerator and denominator.
public struct ReportMeasures: Sendable, Hashable, Codable {
    /// Requests received (opened) in the period, cancelled ones included.
    public var requests = 0
    /// By ``RequestKind`` raw value; every kind present, zeros included.
    public var requestsByKind: [String: Int] = [:]
    /// By ``Channel`` raw value, plus `unknown` for imports without one.
    public var requestsByChannel: [String: Int] = [:]
    /// Complaints received in the period.
    public var complaints = 0
    /// By ``ComplaintClass`` raw value `1`/`2`/`3`, plus `unclassified`.
    public var complaintsByClass: [String: Int] = [:]
    /// By ``Severity`` raw value; a complaint without one counts as general (as its deadline does).
    public var complaintsBySeverity: [String: Int] = [:]

    /// Requests received in the period (not cancelled) whose every deadline was met on time.
    public var onTime = 0
    /// …with a deadline met late or open past due at the report time.
    public var overdue = 0
    /// …with a deadline still open and not yet due.
    public var pending = 0
    /// onTime / (onTime + overdue).
    public var timeliness: Ratio { Ratio(onTime, of: onTime + overdue) }

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

    /// Jobs completed in the period that are owed a callback (repairs, complaints, services;
    /// jobs of customers on the refused list left out unless a callback was attempted).
    public var callbacksOwed = 0
    /// …called back: an attempt that reached the customer.
    public var callbacksDone = 0
    /// …with an on-site attempt that reached the customer.
    public var callbacksOnSite = 0
    /// done / owed; target 60 %.
    public var callbackRate: Ratio { Ratio(callbacksDone, of: callbacksOwed) }
    /// on-site / done; target 40 %.
    public var onSiteRate: Ratio { Ratio(callbacksOnSite, of: callbacksDone) }
    /// Jobs completed in the period whose callback deadline has passed without a callback.
    public var callbacksDueNotDone = 0
    /// Jobs completed in the period whose latest callback attempt was a refusal.
    public var refusedCallbacks = 0

    /// Commissioned services completed in the period.
    public var services = 0
    public var serviceTimeliness = Ratio(0, of: 0)
    /// Completed without rework (never reopened) and not judged unsatisfied / completed.
    public var servicePass = Ratio(0, of: 0)
    /// (satisfied + basically satisfied) / service callbacks that reached the customer.
    public var serviceSatisfaction = Ratio(0, of: 0)

    /// Complaints received in the period repeating one from the same customer or unit, same
    /// class, received within the 30 days before.
    public var repeatComplaints = 0
    /// Staff complained about in complaints received in the period, most first.
    public var staffComplained: [StaffComplaints] = []

    /// Empty measures (every count zero).
    public init() {}
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

/// The targets the manual sets, drawn on the charts.
public enum ReportTargets {
    /// Callback rate ≥ 60 %.
    public static let callbackRatePercent = CallbackStats.callbackRateTargetPercent
    /// On-site callback rate ≥ 40 %.
    public static let onSiteRatePercent = CallbackStats.onSiteRateTargetPercent
    /// Complaint handling benchmark: 24 hours.
    public static let handlingHours = 24.0
    /// Repeat complaints look back this far.
    public static let repeatWindow: TimeInterval = 30 * 24 * 3600
}

/// Computes ``ReportMeasures`` from plain rows. Pure: the period, the calendar and "now"
/// are arguments.
public struct ReportCalculator: Sendable {
    public var calendar: WorkCalendar
    public var now: Date
    public var refusedCustomers: Set<String>
    public var staffNames: [String: String]

    /// Creates a calculator.
    public init(calendar: WorkCalendar, now: Date, refusedCustomers: Set<String> = [], staffNames: [String: String] = [:]) {
        self.calendar = calendar
        self.now = now
        self.refusedCustomers = refusedCustomers
        self.staffNames = staffNames
    }

    /// How a request stands against its deadlines at `now`.
    public enum Timeliness: Sendable, Hashable { case onTime, overdue, pending }

    /// On time when every deadline was met on time; overdue when one was met late or is
    /// open past due; pending otherwise.
    public func timeliness(of t: ReportTicket) -> Timeliness {
        let deadlines = DeadlineRules(calendar: calendar).deadlines(for: t.facts)
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

    /// The measures of `tickets` (one center's, or all centers') for `period`. `withNow`
    /// adds the open-and-overdue-now counts (the current period only).
    public func measures(period: ReportPeriod, tickets: [ReportTicket], callbacks: [CallbackRecord], withNow: Bool) -> ReportMeasures {
        let (start, end) = period.interval(in: calendar)
        func inPeriod(_ d: Date?) -> Bool { d.map { $0 >= start && $0 < end } ?? false }
        var m = ReportMeasures()

        // Intake: placed by the first receipt.
        let received = tickets.filter { inPeriod($0.openedAt) }
        m.requests = received.count
        for k in RequestKind.allCases { m.requestsByKind[k.rawValue] = received.filter { $0.kind == k }.count }
        for c in Channel.allCases { m.requestsByChannel[c.rawValue] = received.filter { $0.channel == c }.count }
        m.requestsByChannel["unknown"] = received.filter { $0.channel == nil }.count
        let complaints = received.filter { $0.kind == .complaint }
        m.complaints = complaints.count
        for c in ComplaintClass.allCases { m.complaintsByClass[c.rawValue] = complaints.filter { $0.complaintClass == c }.count }
        m.complaintsByClass["unclassified"] = complaints.filter { $0.complaintClass == nil }.count
        for s in Severity.allCases { m.complaintsBySeverity[s.rawValue] = complaints.filter { ($0.severity ?? .general) == s }.count }

        for t in received where t.cancelledAt == nil {
            switch timeliness(of: t) {
            case .onTime: m.onTime += 1
            case .overdue: m.overdue += 1
            case .pending: m.pending += 1
            }
        }

        if withNow {
            let open = tickets.filter { $0.kind == .complaint && $0.isOpen && $0.openedAt <= now }
            m.openComplaintsNow = open.count
            let rules = DeadlineRules(calendar: calendar)
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

        // Callbacks: jobs completed in the period.
        let completed = tickets.filter {
            [.repair, .complaint, .service].contains($0.kind) && $0.cancelledAt == nil && inPeriod($0.completedAt)
        }
        // A refusal during a callback puts the customer on the refused list; their jobs that
        // had an attempt stay owed (and not done), so the list cannot improve the rate afterwards.
        let attempted = Set(callbacks.map(\.jobID))
        let owed = completed.filter { t in
            attempted.contains(t.id) || (t.customerKey.map { !refusedCustomers.contains($0) } ?? true)
        }
        let stats = CallbackStats(plannedJobIDs: owed.map(\.id), records: callbacks)
        m.callbacksOwed = stats.planned
        m.callbacksDone = stats.done
        m.callbacksOnSite = stats.onSite
        m.refusedCallbacks = CallbackStats(plannedJobIDs: completed.map(\.id), records: callbacks).refusedDuringCallback
        let rules = DeadlineRules(calendar: calendar)
        m.callbacksDueNotDone = completed.filter { t in
            rules.deadlines(for: t.facts).contains { $0.name == .callback && $0.isOverdue(at: now) }
        }.count

        // Commissioned services completed in the period.
        let services = completed.filter { $0.kind == .service }
        m.services = services.count
        let judged = services.map { timeliness(of: $0) }
        m.serviceTimeliness = Ratio(judged.filter { $0 == .onTime }.count, of: judged.filter { $0 != .pending }.count)
        let byJob = Dictionary(grouping: callbacks, by: \.jobID)
        let passed = services.filter { s in
            let latest = byJob[s.id, default: []].filter(\.result.reachedCustomer).max { $0.at < $1.at }
            return s.reopenCount == 0 && latest?.result != .unsatisfied
        }
        m.servicePass = Ratio(passed.count, of: services.count)
        m.serviceSatisfaction = CallbackStats(plannedJobIDs: services.map(\.id), records: callbacks).satisfactionRate

        // Repeats: against every complaint of the same center in the 30 days before.
        let allComplaints = tickets.filter { $0.kind == .complaint }
        m.repeatComplaints = complaints.filter { c in
            allComplaints.contains { d in
                d.id != c.id && d.center == c.center && d.openedAt < c.openedAt
                    && c.openedAt.timeIntervalSince(d.openedAt) <= ReportTargets.repeatWindow
                    && d.complaintClass == c.complaintClass
                    && ((c.customerKey != nil && d.customerKey == c.customerKey) || (c.unitKey != nil && d.unitKey == c.unitKey))
            }
        }.count

        let about = Dictionary(grouping: complaints.compactMap(\.aboutStaff), by: { $0 })
        m.staffComplained = about.map { StaffComplaints(staff: $0.key, name: staffNames[$0.key], complaints: $0.value.count) }
            .sorted { ($1.complaints, $0.staff) < ($0.complaints, $1.staff) }
        return m
    }
}
