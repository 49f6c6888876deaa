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

    /// The sum of two ratios' counts (for all-centers figures: never an average of rates).
    public static func + (a: Ratio, b: Ratio) -> Ratio { Ratio(a.numerator + b.numerator, of: a.denominator + b.denominator) }

    /// "7/10 (70.0 %)", or "0/0 (—)".
    public var description: String {
        guard let value else { return "\(numerator)/\(denominator) (—)" }
        let tenths = Int((value * 1000).rounded())
        return "\(numerator)/\(denominator) (\(tenths / 10).\(tenths % 10) %)"
    }
}

/// One recorded callback attempt, as the statistics need to see it.
public struct CallbackRecord: Sendable, Hashable, Codable {
    /// The request called back about; `nil` for a callback to a customer without a request
    /// (lifecycle programmes, the survey).
    public var jobID: String?
    /// The customer called.
    public var customerID: String?
    /// When the attempt was made; the latest attempt that reached the customer is the one
    /// whose answer counts.
    public var at: Date
    /// How.
    public var method: CallbackMethod
    /// The outcome.
    public var result: CallbackResult
    /// The customer programmes the caller made it for (``CallbackProgramme``); a callback
    /// on a request discharges the request's programmes whatever this says.
    public var programmes: Set<CallbackProgramme>

    /// Creates a record of a callback about a request.
    public init(jobID: String, at: Date, method: CallbackMethod, result: CallbackResult, customerID: String? = nil,
                programmes: Set<CallbackProgramme> = []) {
        self.jobID = jobID
        self.customerID = customerID
        self.at = at
        self.method = method
        self.result = result
        self.programmes = programmes
    }

    /// Creates a record of a callback to a customer, with or without a request.
    public init(customerID: String, jobID: String? = nil, at: Date, method: CallbackMethod, result: CallbackResult,
                programmes: Set<CallbackProgramme>) {
        self.jobID = jobID
        self.customerID = customerID
        self.at = at
        self.method = method
        self.result = result
        self.programmes = programmes
    }

    /// Orders attempts by time, then by result and method raw value so ties are deterministic.
    static func earlier(_ a: CallbackRecord, _ b: CallbackRecord) -> Bool {
        (a.at, a.result.rawValue, a.method.rawValue) < (b.at, b.result.rawValue, b.method.rawValue)
    }
}

/// A job owed a callback after its completion, and by when the callback is on time.
public struct CallbackJob: Sendable, Hashable {
    /// The request's id.
    public var id: String
    /// Its (latest) completion: only callbacks from then on are about the finished work.
    public var completedAt: Date
    /// The last instant a callback is on time; `nil`: no time limit.
    public var dueAt: Date?

    /// Creates a job.
    public init(id: String, completedAt: Date, dueAt: Date?) {
        self.id = id
        self.completedAt = completedAt
        self.dueAt = dueAt
    }
}

/// Callback statistics of a set of jobs (001 P7.9-8 4.2.14.4: 回访率≥60%, 上门回访率≥40%;
/// and the monthly plan's completion). Counts jobs, not attempts.
///
/// Only attempts made at or after the job's (latest) completion count — a progress call
/// before the work was done, or a callback on an earlier cycle of a reopened job, is not a
/// callback on this work.
/// - **owed**: the jobs given;
/// - **done on time**: with an attempt that reached the customer
///   (``CallbackResult/reachedCustomer``: satisfied, basically satisfied, unsatisfied) by the
///   job's due instant; **late**: reached only after it;
/// - **on site on time**: with an on-site attempt that reached the customer by the due instant;
/// - **callback rate** = done on time / owed; **on-site rate** = on site on time / owed
///   (both over the jobs: 4.2.14.4 sets both rates over the services);
/// - **satisfaction** = (satisfied + basically satisfied) / jobs reached at any time, by each
///   job's latest attempt that reached the customer (a later visit can turn 不满意 into 满意);
/// - **refused during callback**: jobs whose latest attempt was a refusal.
public struct CallbackStats: Sendable, Hashable {
    /// The target callback rate, 60 %.
    public static let callbackRateTargetPercent = 60
    /// The target on-site callback rate, 40 %.
    public static let onSiteRateTargetPercent = 40

    /// Jobs owed a callback.
    public let owed: Int
    /// …reached by their due instant.
    public let onTime: Int
    /// …reached, but only after it.
    public let late: Int
    /// …with an on-site visit that reached the customer by the due instant.
    public let onSiteOnTime: Int
    /// …reached at any time after completion.
    public let reached: Int
    /// Reached jobs whose latest answer was satisfied or basically satisfied.
    public let satisfied: Int
    /// Jobs whose latest attempt was a refusal.
    public let refusedDuringCallback: Int

    /// Computes the statistics of `jobs` from callback `records` (records of other jobs are
    /// ignored).
    public init(jobs: [CallbackJob], records: [CallbackRecord]) {
        let byJob = Dictionary(grouping: records.filter { $0.jobID != nil }, by: { $0.jobID! })
        var onTime = 0, late = 0, onSite = 0, reachedCount = 0, satisfied = 0, refused = 0
        for job in Set(jobs) {
            let attempts = byJob[job.id, default: []].filter { $0.at >= job.completedAt }
            let reached = attempts.filter(\.result.reachedCustomer)
            if let last = reached.max(by: CallbackRecord.earlier) {
                reachedCount += 1
                if last.result.countsAsSatisfied { satisfied += 1 }
                let inTime = reached.filter { r in job.dueAt.map { r.at <= $0 } ?? true }
                if inTime.isEmpty { late += 1 } else { onTime += 1 }
                if inTime.contains(where: { $0.method == .onSite }) { onSite += 1 }
            }
            if attempts.max(by: CallbackRecord.earlier)?.result == .refused { refused += 1 }
        }
        owed = Set(jobs).count
        self.onTime = onTime
        self.late = late
        onSiteOnTime = onSite
        reached = reachedCount
        self.satisfied = satisfied
        refusedDuringCallback = refused
    }

    /// done on time / owed; target 60 % for 4.2.14.4.
    public var callbackRate: Ratio { Ratio(onTime, of: owed) }
    /// on site on time / owed; target 40 %.
    public var onSiteRate: Ratio { Ratio(onSiteOnTime, of: owed) }
    /// (satisfied + basically satisfied) / reached.
    public var satisfactionRate: Ratio { Ratio(satisfied, of: reached) }
    /// Whether the callback rate reaches 60 % (`nil` when nothing was owed).
    public var meetsCallbackRateTarget: Bool? { callbackRate.meets(percent: Self.callbackRateTargetPercent) }
    /// Whether the on-site rate reaches 40 % (`nil` when nothing was owed).
    public var meetsOnSiteRateTarget: Bool? { onSiteRate.meets(percent: Self.onSiteRateTargetPercent) }
}
