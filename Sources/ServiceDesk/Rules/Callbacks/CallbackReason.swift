import Foundation

/// Why a completed job is in a month's callback plan. The first four are the manual's "four
/// classes" (四类服务, 001 回访操作指引 1), always called back the day after completion.
public enum CallbackReason: String, DomainEnumeration, Comparable {
    /// 投诉: the job was a complaint.
    case complaint
    /// 有偿服务: a paid commissioned service (a price-list service, or a repair that turned out
    /// chargeable).
    case paidService = "paid_service"
    /// 新人提供服务: done by staff who are new (see ``NewStaffPolicy``).
    case newStaff = "new_staff"
    /// 曾被投诉员工提供的服务: done by staff complained about before the service (see
    /// ``ComplainedStaffPolicy``).
    case previouslyComplainedStaff = "previously_complained_staff"
    /// 委托服务: a commissioned service selected so that the month's callbacks reach the 60 %
    /// callback rate (001 P7.9-8 4.2.14.4), due within 2 days; not in the monthly plan.
    case commissionedService = "commissioned_service"
    /// 抽样: an in-home repair drawn for the 30 % sample (001 回访操作指引 1), due the day after
    /// completion like the four classes.
    case sampled

    public static let valueName = "callback reason"

    public var displayName: String {
        switch self {
        case .complaint: "投诉"
        case .paidService: "有偿服务"
        case .newStaff: "新人提供服务"
        case .previouslyComplainedStaff: "曾被投诉员工提供的服务"
        case .sampled: "抽样回访"
        case .commissionedService: "委托服务回访"
        }
    }

    /// Whether the reason is one of the four classes.
    public var isFourClass: Bool { self != .sampled && self != .commissionedService }

    /// Whether the reason puts a job in the monthly plan (four classes and the sample), whose
    /// callbacks are due the day after completion.
    public var isMonthlyPlan: Bool { self != .commissionedService }

    /// The four-class reasons that apply to a job: a complaint always; a commissioned service
    /// (`commissioned`: in-home repair or price-list service) when paid, done by new staff or
    /// done by staff complained about before. The guideline samples 居家服务, so common-area
    /// repairs, inquiries and suggestions have none.
    public static func fourClasses(
        kind: RequestKind, commissioned: Bool, isPaid: Bool, byNewStaff: Bool, byPreviouslyComplainedStaff: Bool
    ) -> Set<CallbackReason> {
        var reasons: Set<CallbackReason> = []
        if kind == .complaint { reasons.insert(.complaint) }
        guard commissioned else { return reasons }
        if isPaid { reasons.insert(.paidService) }
        if byNewStaff { reasons.insert(.newStaff) }
        if byPreviouslyComplainedStaff { reasons.insert(.previouslyComplainedStaff) }
        return reasons
    }

    public static func < (lhs: CallbackReason, rhs: CallbackReason) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Who counts as "new staff" (新人) for the four-class callback rule.
///
/// The manual does not define it. Decision: a staff member is new on a job completed within
/// ``months`` calendar months of their hire date — hired 2026-08-15, new through 2026-11-14
/// with the default 3 months (the usual probation period, 试用期). The end date is clamped to
/// the month's last day (hired 2026-11-30 → new through 2027-02-27). A job dated before the
/// hire date (a data error) also counts as new, erring towards calling back.
public struct NewStaffPolicy: Sendable, Hashable, Codable {
    /// How many calendar months after hiring a staff member counts as new; default 3.
    public var months: Int

    /// Creates the policy; `months` defaults to 3.
    public init(months: Int = 3) {
        self.months = months
    }

    /// Whether someone hired on `hireDate` is new on `date`.
    public func isNew(hiredOn hireDate: CivilDate, on date: CivilDate) -> Bool {
        date < hireDate.adding(months: months)
    }

    /// Whether any of several staff members is new on `date` (a job done by a team counts
    /// as done by new staff when any member is new).
    public func anyIsNew(hiredOn hireDates: some Sequence<CivilDate>, on date: CivilDate) -> Bool {
        hireDates.contains { isNew(hiredOn: $0, on: date) }
    }
}

/// Who counts as "staff previously complained about" (曾被投诉员工提供的服务).
///
/// Decision: the staff member had been complained about *before the service*: a complaint
/// naming them was received before the instant the job was completed — an earlier
/// complaint the same day counts (issue 16), one received after the work was done does not.
/// The manual sets no look-back window, so none is applied unless ``lookBackDays`` is given.
public struct ComplainedStaffPolicy: Sendable, Hashable, Codable {
    /// Only complaints received this many days (× 24 h) before the service count; `nil`
    /// (the default): all.
    public var lookBackDays: Int?

    /// Creates the policy; no look-back window by default.
    public init(lookBackDays: Int? = nil) {
        self.lookBackDays = lookBackDays
    }

    /// Whether complaints received at `complaintTimes` make the staff member "previously
    /// complained about" on a job completed at `serviceAt`.
    public func applies(complaintTimes: some Sequence<Date>, serviceAt: Date) -> Bool {
        complaintTimes.contains { complaint in
            complaint < serviceAt
                && (lookBackDays.map { serviceAt.addingTimeInterval(-Double($0) * 86400) <= complaint } ?? true)
        }
    }
}
