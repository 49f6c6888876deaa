import Foundation

/// A completed job, as the callback planner needs to see it.
public struct CompletedJob: Sendable, Hashable, Codable {
    /// The request's id; unique within one planning input.
    public var id: String
    /// The request kind.
    public var kind: RequestKind
    /// For repairs: in-home or common area (`nil`: not recorded; counts as in-home).
    public var location: RepairLocation?
    /// The civil date the job was completed on.
    public var completedOn: CivilDate
    /// The customer to call back.
    public var customerID: String
    /// Whether the customer paid for it (a price-list service, or a chargeable repair).
    public var isPaid: Bool
    /// Whether any staff member on it is new (see ``NewStaffPolicy``).
    public var byNewStaff: Bool
    /// Whether any staff member on it had been complained about before the service (see
    /// ``ComplainedStaffPolicy``).
    public var byPreviouslyComplainedStaff: Bool

    /// Creates a job description.
    public init(
        id: String, kind: RequestKind, location: RepairLocation? = nil, completedOn: CivilDate, customerID: String,
        isPaid: Bool = false, byNewStaff: Bool = false, byPreviouslyComplainedStaff: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.location = location
        self.completedOn = completedOn
        self.customerID = customerID
        self.isPaid = isPaid
        self.byNewStaff = byNewStaff
        self.byPreviouslyComplainedStaff = byPreviouslyComplainedStaff
    }

    /// A commissioned service: an in-home repair or a price-list service.
    public var isCommissioned: Bool { CommissionedService.applies(kind: kind, location: location) }
    /// An in-home repair-type service (居家服务(维修类)), the monthly sample's population.
    public var isInHomeRepair: Bool { CommissionedService.isInHomeRepair(kind: kind, location: location) }

    /// The four-class reasons that apply (empty for an ordinary job).
    public var fourClassReasons: Set<CallbackReason> {
        CallbackReason.fourClasses(
            kind: kind, commissioned: isCommissioned, isPaid: isPaid, byNewStaff: byNewStaff,
            byPreviouslyComplainedStaff: byPreviouslyComplainedStaff)
    }
}

/// One callback in a month's plan.
public struct PlannedCallback: Sendable, Hashable, Codable {
    /// The job's id.
    public var jobID: String
    /// The customer to call.
    public var customerID: String
    /// When the job was completed.
    public var completedOn: CivilDate
    /// Why it is called back, sorted: four-class reasons, ``CallbackReason/sampled`` or
    /// ``CallbackReason/commissionedService``.
    public var reasons: [CallbackReason]
    /// The last day for the callback: the day after completion for the monthly plan (four
    /// classes and the sample), the 2nd day after it for a commissioned service selected
    /// for the 60 % rate.
    public var dueOn: CivilDate
    /// Whether the plan asks for this callback on site (上门), to reach the 40 % on-site rate
    /// of 4.2.14.4; phone otherwise.
    public var onSite: Bool

    /// Creates a planned callback.
    public init(jobID: String, customerID: String, completedOn: CivilDate, reasons: [CallbackReason], dueOn: CivilDate,
                onSite: Bool = false) {
        self.jobID = jobID
        self.customerID = customerID
        self.completedOn = completedOn
        self.reasons = reasons
        self.dueOn = dueOn
        self.onSite = onSite
    }

    /// The programme the callback belongs to.
    public var programme: CallbackProgramme {
        reasons.contains(where: \.isMonthlyPlan) ? .monthlyPlan : .commissioned
    }
}

/// A job left out of the plan because its customer is on the refused-callback list.
public struct RefusedCallback: Sendable, Hashable, Codable {
    /// The job's id.
    public var jobID: String
    /// The customer who refuses callbacks.
    public var customerID: String
    /// What the job would otherwise have been: its four-class reasons,
    /// ``CallbackReason/sampled`` for an in-home repair (a candidate for the sample), or
    /// ``CallbackReason/commissionedService`` for another commissioned service.
    public var reasons: [CallbackReason]

    /// Creates a refused entry.
    public init(jobID: String, customerID: String, reasons: [CallbackReason]) {
        self.jobID = jobID
        self.customerID = customerID
        self.reasons = reasons
    }
}

/// A month's callback plan. Lists are sorted by job id (UTF-8 byte order).
public struct CallbackPlan: Sendable, Hashable, Codable {
    /// The month planned.
    public var month: YearMonth
    /// The stored seed the draws were made with.
    public var seed: UInt64
    /// The monthly sampling rate in percent (30).
    public var samplePercent: Int
    /// The callback-rate target of 4.2.14.4 in percent (60), which the selection reaches.
    public var commissionedPercent: Int
    /// The on-site target of 4.2.14.4 in percent (40).
    public var onSitePercent: Int
    /// Every four-class job of the month whose customer does not refuse callbacks.
    public var fourClass: [PlannedCallback]
    /// The in-home repairs drawn to bring the monthly plan to 30 %.
    public var sampled: [PlannedCallback]
    /// The commissioned services selected beyond the monthly plan to reach 60 %.
    public var commissioned: [PlannedCallback]
    /// Candidates left out because the customer is on the refused-callback list.
    public var refused: [RefusedCallback]
    /// In-home repairs completed in the month whose customer can be called: the population
    /// the 30 % is taken of (001 回访操作指引 1, 居家服务(维修类)).
    public var samplePoolSize: Int
    /// Of them, the four-class ones — they count inside the 30 % (其中).
    public var fourClassInPool: Int
    /// Commissioned services completed in the month whose customer can be called: the
    /// population of the 60 % and 40 % (4.2.14.4).
    public var commissionedPoolSize: Int

    /// The monthly plan: four classes and the sample.
    public var monthlyPlan: [PlannedCallback] { Self.sorted(fourClass + sampled) }
    /// All planned callbacks, sorted by job id.
    public var callbacks: [PlannedCallback] { Self.sorted(fourClass + sampled + commissioned) }

    /// ⌈30 % of the sample pool⌉, the least the monthly plan holds from the pool.
    public var sampleTarget: Int { CallbackPlanner.percentCeiling(samplePercent, of: samplePoolSize) }
    /// ⌈60 % of the commissioned services⌉.
    public var commissionedTarget: Int { CallbackPlanner.percentCeiling(commissionedPercent, of: commissionedPoolSize) }
    /// ⌈40 % of the commissioned services⌉ to be called back on site.
    public var onSiteTarget: Int { CallbackPlanner.percentCeiling(onSitePercent, of: commissionedPoolSize) }

    static func sorted(_ list: [PlannedCallback]) -> [PlannedCallback] {
        list.sorted { $0.jobID.utf8.lexicographicallyPrecedes($1.jobID.utf8) }
    }
}

/// Plans a month's job callbacks: the monthly plan of 001 回访操作指引 1 and the selection
/// of 4.2.14.4.
///
/// The seed (001 回访操作指引 1): "对每月完成的居家服务(维修类)按30%的比例回访,其中"四类服务"
/// (投诉、有偿服务、新人提供服务、曾被投诉员工提供的服务)全部都应回访,并且回访需于服务完成次日完成。"
/// Read as follows (docs/REPORTS.md says why):
/// 1. **Population**: in-home repairs completed in the month (installations are recorded as
///    repairs), their customer not on the refused-callback list.
/// 2. **The four classes are inside the 30 %** ("其中", among them): a four-class in-home
///    repair is one of the 30 %, not one more. Four-class jobs that are not in-home repairs
///    (complaints, paid price-list services) are called back in full as well, outside the
///    30 %, which is a share of repairs.
/// 3. **Every callback of the plan is due the day after completion**, the sampled ones too:
///    the clause's subject is the plan's callbacks (回访需于服务完成次日完成), not the four
///    classes alone. So the sample is drawn **day by day**: at the end of each day the plan
///    holds at least ⌈30 % × the month's in-home repairs so far⌉ of them; the day's
///    four-class repairs count first, the rest are drawn from the day's other in-home repairs.
///    A day's draw depends only on that day and the days before, so a repair sampled stays
///    sampled as the month goes on, and the month ends with ⌈30 % × n⌉ (more only when the
///    four classes alone exceed it).
/// 4. **4.2.14.4** ("管理服务中心可根据服务的项目或服务量选定回访顾客,在服务提供完毕后两天内进行
///    回访,回访率≥60%,上门回访率≥40%"): the center selects; the planner selects for it, day by
///    day the same way, so that ⌈60 % × commissioned services so far⌉ are planned (the
///    monthly plan's commissioned jobs count first), due the 2nd day after completion; and
///    marks ⌈40 % × commissioned services so far⌉ of the planned ones to be made on site.
/// 5. Common-area repairs, inquiries and suggestions are not planned.
///
/// **Reproducibility**: each day's candidates are sorted by job id (UTF-8 byte order) and drawn
/// with a partial Fisher–Yates shuffle driven by ``SplitMix64`` seeded from the stored seed,
/// the day and the draw, so the same seed and jobs give the same plan in any input order,
/// on any machine. Job ids must be unique.
public struct CallbackPlanner: Sendable, Hashable {
    /// The monthly sampling rate in percent; the guideline's 30.
    public var samplePercent: Int
    /// 4.2.14.4's callback rate, 60.
    public var commissionedPercent: Int
    /// 4.2.14.4's on-site rate, 40.
    public var onSitePercent: Int

    /// Creates a planner with the manual's numbers; each must be 0...100.
    public init(samplePercent: Int = 30, commissionedPercent: Int = 60, onSitePercent: Int = 40) {
        precondition([samplePercent, commissionedPercent, onSitePercent].allSatisfy { (0...100).contains($0) },
                     "rates are percentages 0...100")
        self.samplePercent = samplePercent
        self.commissionedPercent = commissionedPercent
        self.onSitePercent = onSitePercent
    }

    /// The seed of a month with no stored seed (a month planned before seeds were stored, or
    /// read at head office before the center's seed arrived): FNV-1a of `CENTER/YYYY-MM`.
    /// The desk stores a random seed for a month with its first completion, so this is the
    /// exception.
    public static func fallbackSeed(center: String, month: YearMonth) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(center)/\(month)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// ⌈`percent` % of `n`⌉, in integers (10 → 3 at 30 %, 11 → 4, 1 → 1, 0 → 0).
    public static func percentCeiling(_ percent: Int, of n: Int) -> Int { (n * percent + 99) / 100 }

    /// The plan for `month` when `refusedCustomers` have always been on the refused list.
    public func plan(
        month: YearMonth, jobs: [CompletedJob], refusedCustomers: Set<String>, seed: UInt64
    ) throws(RuleError) -> CallbackPlan {
        let always = CivilDate(daysSinceEpoch: -1_000_000)
        return try plan(month: month, jobs: jobs, refusedSince: Dictionary(refusedCustomers.map { ($0, always) }) { a, _ in a }, seed: seed)
    }

    /// The plan for `month`. A job whose customer has been on the refused-callback list since
    /// its completion day or earlier (`refusedSince`) is left out of the populations and
    /// listed in ``CallbackPlan/refused``; a later refusal does not change the draws already
    /// made. Throws ``RuleError`` (`invalidCallbackInput`) when two jobs share an id, since
    /// the plan would then depend on input order.
    public func plan(
        month: YearMonth, jobs: [CompletedJob], refusedSince: [String: CivilDate], seed: UInt64
    ) throws(RuleError) -> CallbackPlan {
        let inMonth = jobs.filter { month.contains($0.completedOn) }
            .sorted { $0.completedOn != $1.completedOn ? $0.completedOn < $1.completedOn : $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        var seen = Set<String>()
        for job in inMonth where !seen.insert(job.id).inserted {
            throw RuleError(
                .invalidCallbackInput,
                "job '\(job.id)' appears twice in the jobs completed in \(month); each job must be listed once.")
        }

        var fourClass: [PlannedCallback] = [], sampled: [PlannedCallback] = [], commissioned: [PlannedCallback] = []
        var refused: [RefusedCallback] = []
        var poolSeen = 0, poolPlanned = 0, fourInPool = 0, comSeen = 0, comPlanned = 0, onSitePlanned = 0
        let days = Dictionary(grouping: inMonth, by: \.completedOn).sorted { $0.key < $1.key }
        for (day, dayJobs) in days {
            var callable: [CompletedJob] = []
            for job in dayJobs {
                guard let since = refusedSince[job.customerID], since <= day else { callable.append(job); continue }
                let four = job.fourClassReasons.sorted()
                if !four.isEmpty {
                    refused.append(RefusedCallback(jobID: job.id, customerID: job.customerID, reasons: four))
                } else if job.isInHomeRepair {
                    refused.append(RefusedCallback(jobID: job.id, customerID: job.customerID, reasons: [.sampled]))
                } else if job.isCommissioned {
                    refused.append(RefusedCallback(jobID: job.id, customerID: job.customerID, reasons: [.commissionedService]))
                }
            }
            var planned: [String: PlannedCallback] = [:]
            func add(_ job: CompletedJob, _ reasons: [CallbackReason], dueIn days: Int) {
                planned[job.id] = PlannedCallback(jobID: job.id, customerID: job.customerID, completedOn: day, reasons: reasons,
                                                  dueOn: day.adding(days: days))
            }
            // The four classes, all of them.
            for job in callable where !job.fourClassReasons.isEmpty { add(job, job.fourClassReasons.sorted(), dueIn: 1) }
            // The 30 %: the day's four-class repairs count first, then a draw.
            let pool = callable.filter(\.isInHomeRepair)
            poolSeen += pool.count
            let dayFour = pool.filter { planned[$0.id] != nil }.count
            fourInPool += dayFour
            poolPlanned += dayFour
            let drawn = draw(Self.percentCeiling(samplePercent, of: poolSeen) - poolPlanned,
                             from: pool.filter { planned[$0.id] == nil }, stream: 1, day: day, seed: seed)
            for job in drawn { add(job, [.sampled], dueIn: 1) }
            poolPlanned += drawn.count
            // 4.2.14.4: 60 % of commissioned services, the monthly plan's counting first.
            let services = callable.filter(\.isCommissioned)
            comSeen += services.count
            comPlanned += services.filter { planned[$0.id] != nil }.count
            let selected = draw(Self.percentCeiling(commissionedPercent, of: comSeen) - comPlanned,
                                from: services.filter { planned[$0.id] == nil }, stream: 2, day: day, seed: seed)
            for job in selected { add(job, [.commissionedService], dueIn: 2) }
            comPlanned += selected.count
            // 40 % of commissioned services on site, from the day's planned services.
            let onSite = draw(Self.percentCeiling(onSitePercent, of: comSeen) - onSitePlanned,
                              from: services.filter { planned[$0.id] != nil }, stream: 3, day: day, seed: seed)
            for job in onSite { planned[job.id]?.onSite = true }
            onSitePlanned += onSite.count

            for p in planned.values {
                if p.reasons.contains(where: \.isFourClass) { fourClass.append(p) }
                else if p.reasons == [.sampled] { sampled.append(p) }
                else { commissioned.append(p) }
            }
        }
        return CallbackPlan(
            month: month, seed: seed, samplePercent: samplePercent, commissionedPercent: commissionedPercent,
            onSitePercent: onSitePercent, fourClass: CallbackPlan.sorted(fourClass), sampled: CallbackPlan.sorted(sampled),
            commissioned: CallbackPlan.sorted(commissioned),
            refused: refused.sorted { $0.jobID.utf8.lexicographicallyPrecedes($1.jobID.utf8) },
            samplePoolSize: poolSeen, fourClassInPool: fourInPool, commissionedPoolSize: comSeen)
    }

    /// `count` of `candidates` (sorted by id first), by a partial Fisher–Yates shuffle with a
    /// generator seeded from the seed, the day and the stream; all of them when fewer.
    private func draw(_ count: Int, from candidates: [CompletedJob], stream: UInt64, day: CivilDate, seed: UInt64) -> [CompletedJob] {
        guard count > 0, !candidates.isEmpty else { return [] }
        var pool = candidates.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        let n = min(count, pool.count)
        var generator = SplitMix64(seed: seed ^ (UInt64(day.daysSinceEpoch) &* 0x9E37_79B9) ^ (stream << 56))
        for i in 0..<n {
            let j = i + Int(generator.next(below: UInt64(pool.count - i)))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(n))
    }
}
