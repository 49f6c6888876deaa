import Foundation

/// A rate as an exact fraction, so reports can show "7/10 (70.0 %)" and compare against
/// targets without rounding surprises.
public struct Ratio: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The count that met the condition.
    public let numerator: Int
    /// The count it is measured against.
    public let denominator: Int

    /// Creates a ratio.
    public init(_ numerator: Int, of denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The value 0...1, or `nil` when the denominator is 0 (no data: neither met nor missed).
    public var value: Double? { denominator == 0 ? nil : Double(numerator) / Double(denominator) }

    /// Whether the ratio reaches `percent` %, exactly (integer arithmetic); `nil` with no data.
    public func meets(percent: Int) -> Bool? {
        denominator == 0 ? nil : numerator * 100 >= percent * denominator
    }

    /// "7/10 (70.0 %)", or "0/0 (—)".
    public var description: String {
        guard let value else { return "\(numerator)/\(denominator) (—)" }
        let tenths = Int((value * 1000).rounded())
        return "\(numerator)/\(denominator) (\(tenths / 10).\(tenths % 10) %)"
    }
}

/// One recorded callback attempt, as the statistics need to see it.
public struct CallbackRecord: Sendable, Hashable, Codable {
    /// The job called back.
    public var jobID: String
    /// When the attempt was made; the latest attempt that reached the customer is the one
    /// whose answer counts.
    public var at: Date
    /// How.
    public var method: CallbackMethod
    /// The outcome.
    public var result: CallbackResult

    /// Creates a record.
    public init(jobID: String, at: Date, method: CallbackMethod, result: CallbackResult) {
        self.jobID = jobID
        self.at = at
        self.method = method
        self.result = result
    }
}

/// A month's callback statistics against the manual's targets (001 P7.9-8 4.2.14.4:
/// 回访率≥60%, 上门回访率≥40%).
///
/// Definitions (each counts planned jobs, not attempts):
/// - **planned**: the plan's callbacks (``CallbackPlan/callbacks``; refused customers are not
///   in it). Records for jobs outside the plan are ignored.
/// - **done**: planned jobs with at least one attempt that reached the customer
///   (``CallbackResult/reachedCustomer``: satisfied, basically satisfied, unsatisfied).
///   "Not reached" and "refused" attempts do not make a callback done.
/// - **callback rate** = done / planned; target ≥ 60 %.
/// - **on-site callback rate** = done jobs with at least one on-site attempt that reached the
///   customer / done; target ≥ 40 %.
/// - **satisfaction rate** = (satisfied + basically satisfied) / done, judged by each job's
///   latest attempt that reached the customer (a later visit can turn 不满意 into 满意).
/// - **refused during callback**: planned jobs whose latest attempt was a refusal (their
///   customers belong on the refused-callback list).
public struct CallbackStats: Sendable, Hashable {
    /// The target callback rate, 60 %.
    public static let callbackRateTargetPercent = 60
    /// The target on-site callback rate, 40 %.
    public static let onSiteRateTargetPercent = 40

    /// Callbacks planned.
    public let planned: Int
    /// Planned callbacks that reached the customer.
    public let done: Int
    /// Done callbacks with an on-site visit that reached the customer.
    public let onSite: Int
    /// Done callbacks whose answer was satisfied or basically satisfied.
    public let satisfied: Int
    /// Planned jobs whose latest attempt was a refusal.
    public let refusedDuringCallback: Int

    /// Computes the statistics of `plan` from the month's callback `records`.
    public init(plan: CallbackPlan, records: [CallbackRecord]) {
        self.init(plannedJobIDs: plan.callbacks.map(\.jobID), records: records)
    }

    /// Computes the statistics for the planned job ids from callback `records`.
    public init(plannedJobIDs: [String], records: [CallbackRecord]) {
        let planned = Set(plannedJobIDs)
        let byJob = Dictionary(grouping: records.filter { planned.contains($0.jobID) }, by: \.jobID)
        var done = 0, onSite = 0, satisfied = 0, refused = 0
        for attempts in byJob.values {
            let reached = attempts.filter(\.result.reachedCustomer)
            if let last = reached.max(by: CallbackStats.earlier) {
                done += 1
                if reached.contains(where: { $0.method == .onSite }) { onSite += 1 }
                if last.result.countsAsSatisfied { satisfied += 1 }
            }
            if attempts.max(by: CallbackStats.earlier)?.result == .refused { refused += 1 }
        }
        self.planned = planned.count
        self.done = done
        self.onSite = onSite
        self.satisfied = satisfied
        self.refusedDuringCallback = refused
    }

    /// done / planned.
    public var callbackRate: Ratio { Ratio(done, of: planned) }
    /// on-site / done.
    public var onSiteRate: Ratio { Ratio(onSite, of: done) }
    /// (satisfied + basically satisfied) / done.
    public var satisfactionRate: Ratio { Ratio(satisfied, of: done) }
    /// Whether the callback rate reaches 60 % (`nil` when nothing was planned).
    public var meetsCallbackRateTarget: Bool? { callbackRate.meets(percent: Self.callbackRateTargetPercent) }
    /// Whether the on-site rate reaches 40 % (`nil` when no callback was done).
    public var meetsOnSiteRateTarget: Bool? { onSiteRate.meets(percent: Self.onSiteRateTargetPercent) }

    /// Orders attempts by time, then by result and method raw value so ties are deterministic.
    private static func earlier(_ a: CallbackRecord, _ b: CallbackRecord) -> Bool {
        (a.at, a.result.rawValue, a.method.rawValue) < (b.at, b.result.rawValue, b.method.rawValue)
    }
}
