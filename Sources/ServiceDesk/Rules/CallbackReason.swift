/// Why a completed job is called back. The first four are the manual's "four classes"
/// (四类服务, 001 回访操作指引 1), always called back on the day after completion.
public enum CallbackReason: String, DomainEnumeration, Comparable {
    /// 投诉: the job was a complaint.
    case complaint
    /// 有偿服务: a paid service.
    case paidService = "paid_service"
    /// 新人提供服务: done by staff who are new (see ``NewStaffPolicy``).
    case newStaff = "new_staff"
    /// 曾被投诉员工提供的服务: done by staff who were previously complained about.
    case previouslyComplainedStaff = "previously_complained_staff"
    /// 委托服务: an unpaid commissioned service, called back within 2 days
    /// (001 P7.9-8 4.2.14.4); not one of the four classes.
    case commissionedService = "commissioned_service"
    /// 抽样: one of the month's sampled repairs.
    case sampled

    public static let valueName = "callback reason"

    public var displayName: String {
        switch self {
        case .complaint: "投诉"
        case .paidService: "有偿服务"
        case .newStaff: "新人提供服务"
        case .previouslyComplainedStaff: "曾被投诉员工提供的服务"
        case .commissionedService: "委托服务"
        case .sampled: "抽样回访"
        }
    }

    /// Whether the reason is one of the four classes.
    public var isFourClass: Bool { self != .sampled && self != .commissionedService }

    /// The four-class reasons that apply to a job.
    public static func fourClasses(
        kind: RequestKind, isPaid: Bool, byNewStaff: Bool, byPreviouslyComplainedStaff: Bool
    ) -> Set<CallbackReason> {
        var reasons: Set<CallbackReason> = []
        if kind == .complaint { reasons.insert(.complaint) }
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

/// Who counts as "staff previously complained about" (曾被投诉员工).
///
/// Decision: a staff member is previously complained about on a job when any complaint
/// naming them was opened before the job's completion date; the manual sets no look-back
/// window, so none is applied unless ``lookBackDays`` is given.
public struct ComplainedStaffPolicy: Sendable, Hashable, Codable {
    /// Only complaints this many days before the job count; `nil` (the default): all.
    public var lookBackDays: Int?

    /// Creates the policy; no look-back window by default.
    public init(lookBackDays: Int? = nil) {
        self.lookBackDays = lookBackDays
    }

    /// Whether complaints dated `complaintDates` make the staff member "previously
    /// complained about" on a job completed on `date`.
    public func applies(complaintDates: some Sequence<CivilDate>, jobCompletedOn date: CivilDate) -> Bool {
        complaintDates.contains { complaint in
            complaint < date && (lookBackDays.map { date.adding(days: -$0) <= complaint } ?? true)
        }
    }
}
