import Foundation

/// The deadlines the manual sets on a request.
public enum DeadlineName: String, DomainEnumeration {
    /// 首次答复: every request answered, with a time plan, within 24 hours (001 第二章 1).
    case firstAnswer = "first_answer"
    /// 投诉处理: a general complaint resolved within 1 working day, a major one within 7
    /// (001 顾客投诉 5.1.1).
    case complaintResolution = "complaint_resolution"
    /// 到场: the dispatched provider of a commissioned service arrives within 30 minutes or at
    /// the agreed time (001 P7.9-8 4.2.7).
    case providerArrival = "provider_arrival"
    /// 回访: a job in the monthly callback plan (four classes and sampled in-home repairs) the
    /// day after completion (001 回访操作指引 1); a commissioned service selected for callback
    /// within 2 days (001 P7.9-8 4.2.14.4); the stricter applies.
    case callback

    public static let valueName = "deadline"

    public var displayName: String {
        switch self {
        case .firstAnswer: "首次答复"
        case .complaintResolution: "投诉处理"
        case .providerArrival: "到场"
        case .callback: "回访"
        }
    }
}

/// One deadline of one request: when it falls due and whether, and when, it was met.
public struct Deadline: Sendable, Hashable {
    /// Which rule.
    public let name: DeadlineName
    /// The last instant at which meeting the deadline is on time (inclusive). Day-based
    /// deadlines ("the day after completion") are due at the end of that day, 24:00, which
    /// is 00:00 of the following day.
    public let due: Date
    /// The civil day on which the deadline falls due (for day-based deadlines the day
    /// itself, not the day of the 24:00 instant); ``DeadlineRules/dueToday(_:at:)`` uses it.
    public let dueDay: CivilDate
    /// When the duty was discharged: the answer, arrival, completion or callback — or the
    /// cancellation of the request, which discharges every deadline still open. `nil`: open.
    public let metAt: Date?
    /// A short explanation for people, e.g. "major complaint: 7 working days".
    public let basis: String

    /// Creates a deadline.
    public init(name: DeadlineName, due: Date, dueDay: CivilDate, metAt: Date?, basis: String) {
        self.name = name
        self.due = due
        self.dueDay = dueDay
        self.metAt = metAt
        self.basis = basis
    }

    /// Whether the duty was discharged.
    public var isMet: Bool { metAt != nil }

    /// `true` when met on or before ``due``, `false` when met later, `nil` while open.
    public var wasMetOnTime: Bool? { metAt.map { $0 <= due } }

    /// Whether the deadline is still open and `now` is past ``due``.
    public func isOverdue(at now: Date) -> Bool { metAt == nil && now > due }
}

/// The facts about one request that its deadlines depend on. Timestamps describe the
/// current cycle: after a reopen, pass the reopen instant as ``openedAt`` and the new
/// cycle's later timestamps.
public struct TicketFacts: Sendable, Hashable {
    /// The request kind.
    public var kind: RequestKind
    /// For repairs: in-home or common area (`nil`: not recorded, see
    /// ``RepairLocation/unrecordedDefault``).
    public var location: RepairLocation?
    /// The complaint severity; a complaint without one is treated as ``Severity/general``,
    /// the stricter deadline.
    public var severity: Severity?
    /// When the request was received (受理).
    public var openedAt: Date
    /// When the customer was first given an answer with a time plan, if recorded
    /// separately; dispatch or completion also count as the first answer.
    public var answeredAt: Date?
    /// When the request was dispatched.
    public var dispatchedAt: Date?
    /// An arrival time agreed with the customer (按约定时间), replacing dispatch + 30 minutes.
    public var agreedArrivalAt: Date?
    /// When the provider arrived.
    public var arrivedAt: Date?
    /// When the work was completed (and signed).
    public var completedAt: Date?
    /// When the customer was called back (a callback that reached them).
    public var calledBackAt: Date?
    /// When the request was cancelled.
    public var cancelledAt: Date?
    /// Whether the customer paid for the service (a four-class reason).
    public var isPaid: Bool
    /// Whether new staff did the job (see ``NewStaffPolicy``).
    public var byNewStaff: Bool
    /// Whether staff previously complained about did the job (see ``ComplainedStaffPolicy``).
    public var byPreviouslyComplainedStaff: Bool
    /// Whether the customer is on the refused-callback list (no callback deadline then).
    public var customerRefusesCallbacks: Bool
    /// Why the job is in the callback plan, when the caller planned it (``CallbackPlanner``):
    /// four-class reasons, ``CallbackReason/sampled``, ``CallbackReason/commissionedService``.
    /// `nil`: not planned by the caller; then only the four-class reasons, which are always
    /// in the plan, give a callback deadline.
    public var callbackReasons: [CallbackReason]?

    /// Creates the facts; only ``kind`` and ``openedAt`` are required.
    public init(
        kind: RequestKind, location: RepairLocation? = nil, severity: Severity? = nil, openedAt: Date, answeredAt: Date? = nil,
        dispatchedAt: Date? = nil, agreedArrivalAt: Date? = nil, arrivedAt: Date? = nil,
        completedAt: Date? = nil, calledBackAt: Date? = nil, cancelledAt: Date? = nil,
        isPaid: Bool = false, byNewStaff: Bool = false, byPreviouslyComplainedStaff: Bool = false,
        customerRefusesCallbacks: Bool = false, callbackReasons: [CallbackReason]? = nil
    ) {
        self.kind = kind
        self.location = location
        self.severity = severity
        self.openedAt = openedAt
        self.answeredAt = answeredAt
        self.dispatchedAt = dispatchedAt
        self.agreedArrivalAt = agreedArrivalAt
        self.arrivedAt = arrivedAt
        self.completedAt = completedAt
        self.calledBackAt = calledBackAt
        self.cancelledAt = cancelledAt
        self.isPaid = isPaid
        self.byNewStaff = byNewStaff
        self.byPreviouslyComplainedStaff = byPreviouslyComplainedStaff
        self.customerRefusesCallbacks = customerRefusesCallbacks
        self.callbackReasons = callbackReasons
    }

    /// Whether the request is a commissioned service (in-home repair or price-list service).
    public var isCommissioned: Bool { CommissionedService.applies(kind: kind, location: location) }

    /// The four-class callback reasons that apply to this request.
    public var fourClassReasons: Set<CallbackReason> {
        CallbackReason.fourClasses(
            kind: kind, commissioned: isCommissioned, isPaid: isPaid, byNewStaff: byNewStaff,
            byPreviouslyComplainedStaff: byPreviouslyComplainedStaff)
    }
}

/// The manual's deadlines, computed from a request's ``TicketFacts`` and the center's
/// ``WorkCalendar``. Pure: the current time is always an argument.
///
/// The rules and how they count:
///
/// - **First answer** (every kind): 24 calendar hours after ``TicketFacts/openedAt``; met by
///   the earliest of answeredAt, dispatchedAt, completedAt.
/// - **Complaint resolution**: N working days, N = 1 general / 7 major, met by completedAt.
///   *"Within N working days" runs on the working clock*: it is N × the length of a working
///   day (9 h for 09:00–18:00) of working time, counted only inside working hours on working
///   days, starting at the opening instant. So:
///     - opened Monday 10:00 → general due Tuesday 10:00, major due Wednesday of the
///       following week 10:00;
///     - opened before 09:00 on a working day → due at 18:00 of the (N−1)th working day
///       after it (general: the same day 18:00);
///     - opened after 18:00, e.g. a **Friday evening**, or on a weekend or holiday → the clock
///       starts at 09:00 of the next working day, and the request is due at 18:00 of the Nth
///       working day counting that day as the first (Friday 20:00 → general due Monday 18:00,
///       major due the following Tuesday 18:00);
///     - holidays are skipped and swapped working days (调休) count.
///   Every complaint thus gets exactly N full working days, wherever it falls in the day.
/// - **Provider arrival** (commissioned services only — in-home repairs and price-list
///   services, 001 P7.9-8 4.2.7; not complaints, not common-area repairs): the agreed arrival
///   time when given, otherwise 30 minutes after dispatch; met by arrivedAt.
/// - **Callback** (once completed, unless the customer refuses callbacks), for jobs in the
///   callback plan (``TicketFacts/callbackReasons``; without it the four classes): the
///   monthly plan's jobs — four classes (complaint; paid, new-staff or previously
///   complained-about commissioned services) and sampled in-home repairs — by the end of the
///   day after the completion day (001 回访操作指引 1: 回访需于服务完成次日完成); commissioned
///   services selected for the 60 % callback rate by the end of the 2nd day after it
///   (4.2.14.4); when both apply the earlier (stricter) wins. These are *calendar* days
///   ("次日", "两天内"): the front desk makes callbacks every day. Met by calledBackAt.
///
/// A cancelled request discharges its open deadlines at ``TicketFacts/cancelledAt``.
public struct DeadlineRules: Sendable, Hashable {
    /// The center's work calendar.
    public var calendar: WorkCalendar
    /// First answer within this many seconds (24 h).
    public var firstAnswerWithin: TimeInterval = 24 * 3600
    /// Working days for a general complaint (1).
    public var generalComplaintWorkingDays = 1
    /// Working days for a major complaint (7).
    public var majorComplaintWorkingDays = 7
    /// Arrival within this many seconds of dispatch (30 min).
    public var arrivalWithin: TimeInterval = 30 * 60
    /// Monthly-plan callbacks (four classes and sampled): calendar days after the completion
    /// day (1, the next day).
    public var fourClassCallbackDays = 1
    /// Commissioned services: calendar days after the completion day (2).
    public var commissionedCallbackDays = 2

    /// Creates the rules with the manual's numbers and the given calendar.
    public init(calendar: WorkCalendar) {
        self.calendar = calendar
    }

    /// Every deadline that applies to the request, in ``DeadlineName`` order.
    public func deadlines(for facts: TicketFacts) -> [Deadline] {
        var result: [Deadline] = []
        let cancelled = facts.cancelledAt

        func make(_ name: DeadlineName, due: Date, dueDay: CivilDate? = nil, metAt: Date?, basis: String) {
            result.append(
                Deadline(
                    name: name, due: due, dueDay: dueDay ?? calendar.civilDate(of: due),
                    metAt: metAt ?? cancelled, basis: basis))
        }

        let answer = [facts.answeredAt, facts.dispatchedAt, facts.completedAt].compactMap { $0 }.min()
        make(
            .firstAnswer, due: facts.openedAt.addingTimeInterval(firstAnswerWithin), metAt: answer,
            basis: "answer within \(Int(firstAnswerWithin / 3600)) hours")

        if facts.kind == .complaint {
            let severity = facts.severity ?? .general
            let days = severity == .major ? majorComplaintWorkingDays : generalComplaintWorkingDays
            let due = calendar.addingWorkingTime(
                TimeInterval(days) * calendar.workingHours.seconds, to: facts.openedAt)
            make(
                .complaintResolution, due: due, metAt: facts.completedAt,
                basis: "\(severity.rawValue) complaint: \(days) working day\(days == 1 ? "" : "s")")
        }

        if !facts.isCommissioned {
            // 4.2.7 is a clause of the commissioned-service procedure: no arrival deadline.
        } else if let agreed = facts.agreedArrivalAt {
            make(.providerArrival, due: agreed, metAt: facts.arrivedAt, basis: "arrival at the agreed time")
        } else if let dispatched = facts.dispatchedAt {
            make(
                .providerArrival, due: dispatched.addingTimeInterval(arrivalWithin), metAt: facts.arrivedAt,
                basis: "arrival within \(Int(arrivalWithin / 60)) minutes of dispatch")
        }

        if let completed = facts.completedAt, !facts.customerRefusesCallbacks {
            var days: [(Int, String)] = []
            let reasons = Set(facts.callbackReasons ?? Array(facts.fourClassReasons))
            let plan = reasons.filter(\.isMonthlyPlan)
            if !plan.isEmpty {
                let names = plan.sorted().map(\.rawValue).joined(separator: ", ")
                let what = plan.allSatisfy(\.isFourClass) ? "four classes" : "monthly plan"
                days.append((fourClassCallbackDays, "\(what) (\(names)): the day after completion"))
            }
            if reasons.contains(.commissionedService) {
                days.append((commissionedCallbackDays, "commissioned service: within \(commissionedCallbackDays) days"))
            }
            if let (n, basis) = days.min(by: { $0.0 < $1.0 }) {
                let day = calendar.civilDate(of: completed).adding(days: n)
                make(.callback, due: calendar.endOfDay(day), dueDay: day, metAt: facts.calledBackAt, basis: basis)
            }
        }
        return result
    }

    /// The request's deadlines that are open and past due at `now` (for
    /// `ticket list --overdue`).
    public func overdue(_ facts: TicketFacts, at now: Date) -> [Deadline] {
        Self.overdue(deadlines(for: facts), at: now)
    }

    /// Of `deadlines` (one request's, from ``deadlines(for:)``), those open and past due at `now`.
    public static func overdue(_ deadlines: [Deadline], at now: Date) -> [Deadline] {
        deadlines.filter { $0.isOverdue(at: now) }
    }

    /// The request's deadlines that are open, not yet past due, and fall due on today's civil
    /// date in the center's time zone (for `ticket list --due-today`).
    public func dueToday(_ facts: TicketFacts, at now: Date) -> [Deadline] {
        dueToday(deadlines(for: facts), at: now)
    }

    /// Of `deadlines` (one request's, from ``deadlines(for:)``), those open, not yet past
    /// due, and falling due on today's civil date.
    public func dueToday(_ deadlines: [Deadline], at now: Date) -> [Deadline] {
        let today = calendar.civilDate(of: now)
        return deadlines.filter { !$0.isMet && !$0.isOverdue(at: now) && $0.dueDay == today }
    }
}
