import Foundation

/// A request as the callback programmes see it.
public struct ProgrammeRequest: Sendable, Hashable {
    public var id: String
    public var kind: RequestKind
    /// For repairs: in-home or common area (`nil`: not recorded; counts as in-home).
    public var location: RepairLocation?
    /// The customer to call; a request without one has no callback duties.
    public var customerID: String?
    /// The first receipt (受理): a daily callback is owed on the day's reports.
    public var openedAt: Date
    /// The latest completion, when the request stands completed.
    public var completedAt: Date?
    public var cancelledAt: Date?
    /// When the repair was sent to an outside supplier or contractor (专项回访).
    public var supplierDispatchedAt: Date?
    public var isPaid: Bool
    public var byNewStaff: Bool
    public var byPreviouslyComplainedStaff: Bool

    /// Creates a request.
    public init(id: String, kind: RequestKind, location: RepairLocation? = nil, customerID: String?, openedAt: Date,
                completedAt: Date? = nil, cancelledAt: Date? = nil, supplierDispatchedAt: Date? = nil, isPaid: Bool = false,
                byNewStaff: Bool = false, byPreviouslyComplainedStaff: Bool = false) {
        self.id = id
        self.kind = kind
        self.location = location
        self.customerID = customerID
        self.openedAt = openedAt
        self.completedAt = completedAt
        self.cancelledAt = cancelledAt
        self.supplierDispatchedAt = supplierDispatchedAt
        self.isPaid = isPaid
        self.byNewStaff = byNewStaff
        self.byPreviouslyComplainedStaff = byPreviouslyComplainedStaff
    }

    /// A commissioned service: an in-home repair or a price-list service.
    public var isCommissioned: Bool { CommissionedService.applies(kind: kind, location: location) }
}

/// A customer as the lifecycle programmes see them.
public struct ProgrammeCustomer: Sendable, Hashable {
    public var id: String
    /// 入住 / 迁出 dates.
    public var moveIn: CivilDate?
    public var moveOut: CivilDate?
    /// The day the customer's record was made: nothing that fell due before it is owed (a
    /// roster imported today does not owe the callbacks of years past).
    public var knownSince: CivilDate
    /// 特殊关怀 (elderly, disabled).
    public var specialCare: Bool
    /// Since when the customer is on the refused-callback list (拒访客户清单); `nil`: not on it.
    public var refusedSince: CivilDate?

    /// Creates a customer.
    public init(id: String, moveIn: CivilDate? = nil, moveOut: CivilDate? = nil, knownSince: CivilDate, specialCare: Bool = false,
                refusedSince: CivilDate? = nil) {
        self.id = id
        self.moveIn = moveIn
        self.moveOut = moveOut
        self.knownSince = knownSince
        self.specialCare = specialCare
        self.refusedSince = refusedSince
    }

    /// Whether the customer lives at the center from `first` through `last`.
    func resides(from first: CivilDate, through last: CivilDate) -> Bool {
        (moveIn.map { $0 <= first } ?? true) && (moveOut.map { $0 > last } ?? true)
    }
}

/// Where a duty stands at a given instant.
public enum DutyState: String, Sendable, Hashable, Codable {
    /// Called back (reached) by the due day.
    case done
    /// Called back, after the due day.
    case late
    /// Not yet, and not yet due.
    case open
    /// Not called back, and past its due day.
    case overdue

    public var displayName: String {
        switch self {
        case .done: "已回访"
        case .late: "逾期回访"
        case .open: "待回访"
        case .overdue: "超期未回访"
        }
    }
}

/// One callback owed by a programme: who is to be called, about what, by when — and
/// whether it was.
public struct CallbackDuty: Sendable, Hashable, Codable {
    public var programme: CallbackProgramme
    /// The monthly plan's and 4.2.14.4's reasons (four classes, sampled, selected); empty
    /// for the other programmes.
    public var reasons: [CallbackReason]
    /// The request it is about (request programmes); `nil` for customer programmes.
    public var jobID: String?
    public var customerID: String
    /// The window of a periodic programme: `2026-Q3`, `2026-H2`, `2026-10`, `2026`.
    public var period: String?
    /// Callbacks from this instant on count (completion, receipt, the window's start).
    public var opensAt: Date
    /// The last day of the duty (inclusive).
    public var dueOn: CivilDate
    /// For periodic programmes: callbacks from this instant on belong to the next window.
    public var windowEndsAt: Date?
    /// Whether the seed or the plan asks for an on-site visit (上门).
    public var onSite: Bool
    /// The first callback that reached the customer and counts; `nil`: not done.
    public var doneAt: Date?
    /// Whether an on-site callback reached the customer by the due day (the 4.2.14.4
    /// selection's on-site visits).
    public var doneOnSite: Bool
    /// Attempts that count for the duty, reached or not.
    public var attempts: Int
    /// The latest attempt's result.
    public var lastResult: CallbackResult?

    /// Where the duty stands at `now`, the due day ending at 24:00 in `calendar`.
    public func state(at now: Date, in calendar: WorkCalendar) -> DutyState {
        let end = calendar.endOfDay(dueOn)
        if let doneAt { return doneAt <= end ? .done : .late }
        return now >= end ? .overdue : .open
    }
}

/// How one programme stands over the duties due in a period.
public struct ProgrammeCompletion: Sendable, Hashable, Codable {
    public var programme: CallbackProgramme
    /// Duties due in the period (customers on the refused list left out unless a callback
    /// was attempted).
    public var owed = 0
    /// …called back by their due day.
    public var onTime = 0
    /// …called back after it.
    public var late = 0
    /// …not called back and past due.
    public var overdue = 0
    /// …not called back and not yet due at the time of the report.
    public var pending = 0

    public init(programme: CallbackProgramme) { self.programme = programme }

    /// on time / (owed − pending): duties not yet due are neither met nor missed.
    public var completion: Ratio { Ratio(onTime, of: owed - pending) }
    /// The target in percent (100).
    public var targetPercent: Int { programme.targetPercent }

    /// Sums two centers' counts.
    public static func + (a: ProgrammeCompletion, b: ProgrammeCompletion) -> ProgrammeCompletion {
        var c = ProgrammeCompletion(programme: a.programme)
        c.owed = a.owed + b.owed
        c.onTime = a.onTime + b.onTime
        c.late = a.late + b.late
        c.overdue = a.overdue + b.overdue
        c.pending = a.pending + b.pending
        return c
    }

    /// The completion of each programme (every programme present, in declaration order)
    /// over `duties`, judged at `now`.
    public static func of(_ duties: [CallbackDuty], at now: Date, in calendar: WorkCalendar) -> [ProgrammeCompletion] {
        var by = Dictionary(uniqueKeysWithValues: CallbackProgramme.allCases.map { ($0, ProgrammeCompletion(programme: $0)) })
        for d in duties {
            by[d.programme]!.owed += 1
            switch d.state(at: now, in: calendar) {
            case .done: by[d.programme]!.onTime += 1
            case .late: by[d.programme]!.late += 1
            case .overdue: by[d.programme]!.overdue += 1
            case .open: by[d.programme]!.pending += 1
            }
        }
        return CallbackProgramme.allCases.map { by[$0]! }
    }
}

/// Every callback programme's duties, computed from requests, customers and callbacks.
/// Pure: the calendar, the seeds and the dates are arguments.
///
/// The programmes and how their duties are dated (docs/REPORTS.md gives the seed's words):
/// - **monthly plan** and **4.2.14.4 selection**: the ``CallbackPlanner``'s plan of the
///   month of completion; due the day after completion, or the 2nd day for the selection;
///   a callback counts from the (latest) completion on.
/// - **daily** (003 (1) 二 1): every repair received on a day — in the home or the common
///   parts — is due that day (当日); one received after the close of business (the work
///   calendar's end of working hours, 18:00) the next day. Progress calls count: from
///   receipt on.
/// - **special** (003 (1) 二 2): a repair sent to an outside supplier or contractor, due the
///   day it was sent (第一时间), by phone and on site; counts from that instant on.
/// - **complaint follow-up** (003 (4) 二 2): a complaint, due one month after the day it was
///   resolved (completed); counts from completion.
/// - **quarterly** (003 (1) 二 3): each household resident through Q1, Q2 or Q3, due the
///   quarter's last day; the **quarterly sample**: ⌈``quarterlySamplePercent`` %⌉ of them,
///   drawn by the quarter's seed, called by the front desk. The fourth quarter's callback is
///   the **annual survey** (003 (1) 二 4), each household resident through Q4, due 12-31.
/// - **resident** (003 (3) 二 1 (2)): each household resident through a half-year (Jan–Jun,
///   Jul–Dec), due its last day; a quarterly or survey callback in the half-year counts.
/// - **new resident** / **departing** (003 (3) 二 1 (1), (3)): due one month after the
///   move-in / move-out day (the same day of the next month), counted from that day.
/// - **special care** (003 (4) 二 3, "定期"): each special-care resident every
///   ``specialCareMonths`` month(s), due the window's last day.
///
/// A customer-programme callback counts when it reached the customer, names the programme
/// (or one that discharges it, ``CallbackProgramme/dischargedBy``) and, for a periodic
/// programme, falls inside the window; a request-programme callback when it is about the
/// request. A customer on the refused-callback list by a duty's due day owes nothing for
/// it unless a callback was attempted (then it stays owed, so a refusal cannot improve a
/// rate afterwards). Nothing that fell due before the customer was registered is owed.
public struct CallbackDuties: Sendable {
    public var calendar: WorkCalendar
    public var planner: CallbackPlanner
    /// The period of the special-care programme; the seed says only 定期 (periodically).
    public var specialCareMonths: Int
    /// The share of households the front desk calls in the quarterly sample; the seed gives
    /// no rate, so the manual's own sampling rate (001 回访操作指引 1) is used.
    public var quarterlySamplePercent: Int

    /// Creates the rules with the manual's numbers: monthly special care (`specialCareMonths`
    /// must divide 12, so windows line up with the year), a 30 % quarterly sample.
    public init(calendar: WorkCalendar, planner: CallbackPlanner = CallbackPlanner(), specialCareMonths: Int = 1,
                quarterlySamplePercent: Int = 30) {
        precondition([1, 2, 3, 4, 6, 12].contains(specialCareMonths), "the special-care period divides the year")
        self.calendar = calendar
        self.planner = planner
        self.specialCareMonths = specialCareMonths
        self.quarterlySamplePercent = quarterlySamplePercent
    }

    /// The duties of every programme whose due day falls in `from...to`, with where each
    /// stands (done, attempts), sorted by due day, programme, request, customer.
    /// `seed(month)` gives each month's stored seed (a quarter uses its first month's).
    public func duties(dueFrom from: CivilDate, to: CivilDate, requests: [ProgrammeRequest], customers: [ProgrammeCustomer],
                       callbacks: [CallbackRecord], seed: (YearMonth) -> UInt64) throws(RuleError) -> [CallbackDuty] {
        guard from <= to else { return [] }
        let refusedSince = Dictionary(customers.compactMap { c in c.refusedSince.map { (c.id, $0) } }, uniquingKeysWith: min)
        var duties: [CallbackDuty] = []
        func duty(_ p: CallbackProgramme, job: String? = nil, customer: String, opens: Date, due: CivilDate,
                  period: String? = nil, windowEnd: Date? = nil, reasons: [CallbackReason] = [], onSite: Bool = false) {
            guard due >= from && due <= to else { return }
            duties.append(CallbackDuty(programme: p, reasons: reasons, jobID: job, customerID: customer, period: period, opensAt: opens,
                                       dueOn: due, windowEndsAt: windowEnd, onSite: onSite, doneAt: nil, doneOnSite: false,
                                       attempts: 0, lastResult: nil))
        }
        let live = requests.filter { $0.cancelledAt == nil && $0.customerID != nil }

        // The monthly plan and the 4.2.14.4 selection: months whose callbacks fall due in range.
        let jobs = live.compactMap { r -> CompletedJob? in
            guard let done = r.completedAt else { return nil }
            return CompletedJob(id: r.id, kind: r.kind, location: r.location, completedOn: calendar.civilDate(of: done),
                                customerID: r.customerID!, isPaid: r.isPaid, byNewStaff: r.byNewStaff,
                                byPreviouslyComplainedStaff: r.byPreviouslyComplainedStaff)
        }
        let completed = Dictionary(live.compactMap { r in r.completedAt.map { (r.id, $0) } }) { a, _ in a }
        var month = from.adding(days: -2).yearMonth
        while month.firstDay <= to {
            let plan = try planner.plan(month: month, jobs: jobs, refusedSince: refusedSince, seed: seed(month))
            for p in plan.callbacks {
                duty(p.programme, job: p.jobID, customer: p.customerID, opens: completed[p.jobID]!, due: p.dueOn,
                     reasons: p.reasons, onSite: p.onSite)
            }
            month = month.lastDay.adding(days: 1).yearMonth
        }

        for r in live {
            let customer = r.customerID!
            if r.kind == .repair {
                let day = calendar.civilDate(of: r.openedAt)
                let closing = calendar.instant(day, at: calendar.workingHours.end)
                duty(.daily, job: r.id, customer: customer, opens: r.openedAt, due: r.openedAt >= closing ? day.adding(days: 1) : day)
                if let sent = r.supplierDispatchedAt {
                    duty(.special, job: r.id, customer: customer, opens: sent, due: calendar.civilDate(of: sent), onSite: true)
                }
            }
            if r.kind == .complaint, let done = r.completedAt {
                duty(.complaintFollowUp, job: r.id, customer: customer, opens: done,
                     due: calendar.civilDate(of: done).adding(months: 1))
            }
        }

        for c in customers {
            if let m = c.moveIn {
                duty(.newResident, customer: c.id, opens: calendar.startOfDay(m), due: m.adding(months: 1))
            }
            if let m = c.moveOut {
                duty(.departing, customer: c.id, opens: calendar.startOfDay(m), due: m.adding(months: 1))
            }
        }

        // Periodic programmes: every window ending in range.
        for window in Self.windows(endingFrom: from, to: to, specialCareMonths: specialCareMonths) {
            let (p, first, last, label) = window
            let start = calendar.startOfDay(first), end = calendar.endOfDay(last)
            var population = customers.filter { $0.resides(from: first, through: last) }
            if p == .specialCare { population = population.filter(\.specialCare) }
            if p == .quarterlySample {
                population = drawCustomers(population, percent: quarterlySamplePercent, seed: seed(first.yearMonth))
            }
            for c in population {
                duty(p, customer: c.id, opens: start, due: last, period: label, windowEnd: end)
            }
        }

        // Who was called back, and whether it is owed.
        let byJob = Dictionary(grouping: callbacks.filter { $0.jobID != nil }, by: { $0.jobID! })
        let byCustomer = Dictionary(grouping: callbacks.filter { $0.customerID != nil }, by: { $0.customerID! })
        let known = Dictionary(customers.map { ($0.id, $0.knownSince) }, uniquingKeysWith: min)
        var result: [CallbackDuty] = []
        for var d in duties {
            let candidates = d.jobID.map { byJob[$0, default: []] } ?? byCustomer[d.customerID, default: []]
            let counting = candidates.filter { r in
                guard r.at >= d.opensAt else { return false }
                if let end = d.windowEndsAt, r.at >= end { return false }
                return d.programme.isAboutARequest || !r.programmes.isDisjoint(with: d.programme.dischargedBy)
            }.sorted(by: CallbackRecord.earlier)
            d.attempts = counting.count
            d.lastResult = counting.last?.result
            let reached = counting.filter(\.result.reachedCustomer)
            d.doneAt = reached.first?.at
            let dueEnd = calendar.endOfDay(d.dueOn)
            d.doneOnSite = reached.contains { $0.method == .onSite && $0.at <= dueEnd }
            if d.attempts == 0 {
                if let since = refusedSince[d.customerID], since <= d.dueOn { continue }
                if !d.programme.isAboutARequest, let k = known[d.customerID], d.dueOn < k { continue }
            }
            result.append(d)
        }
        return result.sorted { a, b in
            if a.dueOn != b.dueOn { return a.dueOn < b.dueOn }
            if a.programme != b.programme { return a.programme < b.programme }
            if a.jobID != b.jobID { return (a.jobID ?? "").utf8.lexicographicallyPrecedes((b.jobID ?? "").utf8) }
            return a.customerID.utf8.lexicographicallyPrecedes(b.customerID.utf8)
        }
    }

    /// The periodic windows (programme, first day, last day, label) whose last day falls in
    /// `from...to`.
    static func windows(endingFrom from: CivilDate, to: CivilDate, specialCareMonths: Int)
        -> [(CallbackProgramme, CivilDate, CivilDate, String)] {
        var out: [(CallbackProgramme, CivilDate, CivilDate, String)] = []
        var month = from.yearMonth
        while month.firstDay <= to {
            let last = month.lastDay
            if last >= from && last <= to {
                let y = month.year
                if month.month % 3 == 0 {
                    let q = month.month / 3
                    let first = (try? YearMonth(year: y, month: month.month - 2))!.firstDay
                    if q < 4 {
                        out.append((.quarterly, first, last, "\(y)-Q\(q)"))
                        out.append((.quarterlySample, first, last, "\(y)-Q\(q)"))
                    } else {
                        out.append((.annualSurvey, first, last, "\(y)"))
                    }
                }
                if month.month % 6 == 0 {
                    let first = (try? YearMonth(year: y, month: month.month - 5))!.firstDay
                    out.append((.resident, first, last, "\(y)-H\(month.month / 6)"))
                }
                if (month.month - 1) % specialCareMonths == specialCareMonths - 1 {
                    let first = (try? YearMonth(year: y, month: month.month - specialCareMonths + 1))!.firstDay
                    out.append((.specialCare, first, last, specialCareMonths == 1 ? month.description : "\(first.yearMonth)…\(month)"))
                }
            }
            month = last.adding(days: 1).yearMonth
        }
        return out
    }

    /// ⌈`percent` %⌉ of `customers`, drawn reproducibly (sorted by id, partial Fisher–Yates
    /// with ``SplitMix64``).
    func drawCustomers(_ customers: [ProgrammeCustomer], percent: Int, seed: UInt64) -> [ProgrammeCustomer] {
        var pool = customers.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        let n = CallbackPlanner.percentCeiling(percent, of: pool.count)
        var generator = SplitMix64(seed: seed ^ 0x51A7_0000_0000_0000)
        for i in 0..<n {
            let j = i + Int(generator.next(below: UInt64(pool.count - i)))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(n))
    }
}
