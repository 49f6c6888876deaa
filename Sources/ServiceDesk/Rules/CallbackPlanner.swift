/// A completed job, as the callback planner needs to see it.
public struct CompletedJob: Sendable, Hashable, Codable {
    /// The request's id; unique within one planning input.
    public var id: String
    /// The request kind.
    public var kind: RequestKind
    /// The civil date the job was completed on.
    public var completedOn: CivilDate
    /// The customer to call back.
    public var customerID: String
    /// The staff member(s) or supplier who did the job.
    public var staffIDs: [String]
    /// Whether the customer paid for it (有偿服务).
    public var isPaid: Bool
    /// Whether any staff member on it is new (see ``NewStaffPolicy``).
    public var byNewStaff: Bool
    /// Whether any staff member on it was previously complained about (see
    /// ``ComplainedStaffPolicy``).
    public var byPreviouslyComplainedStaff: Bool

    /// Creates a job description.
    public init(
        id: String, kind: RequestKind, completedOn: CivilDate, customerID: String, staffIDs: [String] = [],
        isPaid: Bool = false, byNewStaff: Bool = false, byPreviouslyComplainedStaff: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.completedOn = completedOn
        self.customerID = customerID
        self.staffIDs = staffIDs
        self.isPaid = isPaid
        self.byNewStaff = byNewStaff
        self.byPreviouslyComplainedStaff = byPreviouslyComplainedStaff
    }

    /// The four-class reasons that apply (empty for an ordinary job).
    public var fourClassReasons: Set<CallbackReason> {
        CallbackReason.fourClasses(
            kind: kind, isPaid: isPaid, byNewStaff: byNewStaff,
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
    /// Why it is called back, sorted (four-class reasons, or ``CallbackReason/sampled``).
    public var reasons: [CallbackReason]
    /// The last day for the callback: the day after completion for the four classes (for a
    /// paid commissioned service this is stricter than the 2-day rule, so it applies); the
    /// 2nd day after completion for unpaid commissioned services; `nil` for sampled repairs,
    /// for which the manual sets no deadline.
    public var dueOn: CivilDate?

    /// Creates a planned callback.
    public init(jobID: String, customerID: String, completedOn: CivilDate, reasons: [CallbackReason], dueOn: CivilDate?) {
        self.jobID = jobID
        self.customerID = customerID
        self.completedOn = completedOn
        self.reasons = reasons
        self.dueOn = dueOn
    }
}

/// A job left out of the plan because its customer is on the refused-callback list.
public struct RefusedCallback: Sendable, Hashable, Codable {
    /// The job's id.
    public var jobID: String
    /// The customer who refuses callbacks.
    public var customerID: String
    /// The reasons the job would otherwise have been a candidate for: its four-class reasons,
    /// ``CallbackReason/commissionedService``, or ``CallbackReason/sampled`` for an ordinary
    /// repair that would have been in the sampling pool.
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
    /// The stored seed the sample was drawn with.
    public var seed: UInt64
    /// The sampling rate in percent (30).
    public var samplePercent: Int
    /// Every four-class job of the month whose customer does not refuse callbacks.
    public var fourClass: [PlannedCallback]
    /// Every unpaid commissioned service (kind ``RequestKind/service``, not four-class) whose
    /// customer does not refuse callbacks, due within 2 days.
    public var commissioned: [PlannedCallback]
    /// The sampled ordinary repairs.
    public var sampled: [PlannedCallback]
    /// Candidates left out because the customer is on the refused-callback list.
    public var refused: [RefusedCallback]
    /// How many ordinary repairs were eligible for sampling (the pool the 30 % is taken of).
    public var samplePoolSize: Int

    /// All planned callbacks, four-class, commissioned and sampled, sorted by job id.
    public var callbacks: [PlannedCallback] {
        (fourClass + commissioned + sampled).sorted { $0.jobID.utf8.lexicographicallyPrecedes($1.jobID.utf8) }
    }
}

/// Plans a month's callbacks (001 回访操作指引 1: 对每月完成的居家服务(维修类)按30%的比例回访,
/// 其中"四类服务"全部都应回访, 回访需于服务完成次日完成).
///
/// The plan for a month:
/// 1. Jobs completed outside the month are ignored.
/// 2. **Four classes** — complaints, paid services, jobs by new staff, jobs by staff
///    previously complained about — are all planned (100 %), whatever their kind, due the
///    day after completion.
/// 3. **Unpaid commissioned services** (kind ``RequestKind/service``, not paid, not otherwise
///    four-class) are all planned too, due the 2nd day after completion (001 P7.9-8
///    4.2.14.4), so the plan agrees with ``DeadlineRules``.
/// 4. The **sampling pool** is the month's remaining completed repairs (kind
///    ``RequestKind/repair``, not four-class) whose customer does not refuse callbacks.
///    Inquiries and suggestions that are not four-class are not planned.
/// 5. **Sample size** = 30 % of the pool **rounded up** (⌈0.3 × n⌉, computed in integers:
///    10 repairs → 3, 11 → 4, 1 → 1, 0 → 0), so a small center always calls at least one.
/// 6. **Refused customers**: a job that would otherwise be planned or in the pool whose customer is on the
///    refused list is left out of the plan and reported in ``CallbackPlan/refused``; the 30 %
///    is taken of the callable repairs only.
///
/// **Reproducibility**: the pool is sorted by job id (UTF-8 byte order) before drawing, and
/// the draw is a partial Fisher–Yates shuffle driven by ``SplitMix64`` seeded with
/// `seed ^ (year × 100 + month)`, so the same stored seed, month and jobs give the same plan
/// in any input order, on any machine, and one stored seed still draws differently each
/// month. Job ids must be unique.
public struct CallbackPlanner: Sendable, Hashable {
    /// The sampling rate in percent; the manual's 30.
    public var samplePercent: Int

    /// Creates a planner; `samplePercent` defaults to the manual's 30 and must be 0...100.
    public init(samplePercent: Int = 30) {
        precondition((0...100).contains(samplePercent), "the sampling rate is a percentage 0...100")
        self.samplePercent = samplePercent
    }

    /// ⌈`samplePercent` % of `poolSize`⌉.
    public func sampleSize(poolSize: Int) -> Int {
        (poolSize * samplePercent + 99) / 100
    }

    /// The plan for `month`; throws ``RuleError`` (`invalidCallbackInput`) when two jobs
    /// share an id, since the plan would then depend on input order.
    public func plan(
        month: YearMonth, jobs: [CompletedJob], refusedCustomers: Set<String>, seed: UInt64
    ) throws(RuleError) -> CallbackPlan {
        let inMonth = jobs.filter { month.contains($0.completedOn) }
            .sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        for (a, b) in zip(inMonth, inMonth.dropFirst()) where a.id == b.id {
            throw RuleError(
                .invalidCallbackInput,
                "job '\(a.id)' appears twice in the jobs completed in \(month); each job must be listed once.")
        }

        var fourClass: [PlannedCallback] = []
        var commissioned: [PlannedCallback] = []
        var pool: [CompletedJob] = []
        var refused: [RefusedCallback] = []
        for job in inMonth {
            let reasons = job.fourClassReasons.sorted()
            let isRefused = refusedCustomers.contains(job.customerID)
            if !reasons.isEmpty {
                if isRefused {
                    refused.append(RefusedCallback(jobID: job.id, customerID: job.customerID, reasons: reasons))
                } else {
                    fourClass.append(
                        PlannedCallback(
                            jobID: job.id, customerID: job.customerID, completedOn: job.completedOn,
                            reasons: reasons, dueOn: job.completedOn.adding(days: 1)))
                }
            } else if job.kind == .service {
                if isRefused {
                    refused.append(
                        RefusedCallback(jobID: job.id, customerID: job.customerID, reasons: [.commissionedService]))
                } else {
                    commissioned.append(
                        PlannedCallback(
                            jobID: job.id, customerID: job.customerID, completedOn: job.completedOn,
                            reasons: [.commissionedService], dueOn: job.completedOn.adding(days: 2)))
                }
            } else if job.kind == .repair {
                if isRefused {
                    refused.append(RefusedCallback(jobID: job.id, customerID: job.customerID, reasons: [.sampled]))
                } else {
                    pool.append(job)
                }
            }
        }

        var generator = SplitMix64(seed: seed ^ UInt64(month.year * 100 + month.month))
        let count = sampleSize(poolSize: pool.count)
        var drawn = pool
        for i in 0..<count {
            let j = i + Int(generator.next(below: UInt64(drawn.count - i)))
            drawn.swapAt(i, j)
        }
        let sampled = drawn.prefix(count)
            .sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            .map {
                PlannedCallback(
                    jobID: $0.id, customerID: $0.customerID, completedOn: $0.completedOn, reasons: [.sampled],
                    dueOn: nil)
            }

        return CallbackPlan(
            month: month, seed: seed, samplePercent: samplePercent, fourClass: fourClass, commissioned: commissioned,
            sampled: sampled,
            refused: refused, samplePoolSize: pool.count)
    }
}
