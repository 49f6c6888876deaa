import Foundation

/// One request as the report measures see it: plain values, no customer data beyond
/// opaque keys used only to match repeat complaints (never printed).
public struct ReportTicket: Sendable, Hashable {
    /// The record id (for matching callbacks).
    public var id: String
    /// The center code.
    public var center: String
    public var kind: RequestKind
    /// For repairs: in-home or common area (`nil`: not recorded, counts as in-home).
    public var location: RepairLocation? { facts.location }
    public var channel: Channel?
    public var complaintClass: ComplaintClass?
    public var severity: Severity?
    /// When the request was first received; places it in a period for the intake measures.
    public var openedAt: Date
    /// How many times it was reopened (rework).
    public var reopenCount: Int
    /// The latest completion, if the request stands completed (placement for handling time,
    /// callbacks and commissioned services).
    public var completedAt: Date?
    /// Closed by the front desk (no longer open).
    public var closedAt: Date?
    public var cancelledAt: Date?
    /// Opaque keys for repeat-complaint matching: the customer record id and the unit.
    public var customerKey: String?
    public var unitKey: String?
    /// For complaints: the staff member complained about.
    public var aboutStaff: String?
    /// When a repair was sent to an outside supplier or contractor (专项回访).
    public var supplierDispatchedAt: Date?
    /// The deadline facts of the current cycle (see ``DeadlineRules``): location, paid, new
    /// or previously complained-about staff too.
    public var facts: TicketFacts

    /// Creates a row.
    public init(id: String, center: String, kind: RequestKind, channel: Channel? = nil, complaintClass: ComplaintClass? = nil,
                severity: Severity? = nil, openedAt: Date, reopenCount: Int = 0, completedAt: Date? = nil, closedAt: Date? = nil,
                cancelledAt: Date? = nil, customerKey: String? = nil, unitKey: String? = nil, aboutStaff: String? = nil,
                supplierDispatchedAt: Date? = nil, facts: TicketFacts? = nil) {
        self.id = id
        self.center = center
        self.kind = kind
        self.channel = channel
        self.complaintClass = complaintClass
        self.severity = severity
        self.openedAt = openedAt
        self.reopenCount = reopenCount
        self.completedAt = completedAt
        self.closedAt = closedAt
        self.cancelledAt = cancelledAt
        self.customerKey = customerKey
        self.unitKey = unitKey
        self.aboutStaff = aboutStaff
        self.supplierDispatchedAt = supplierDispatchedAt
        self.facts = facts ?? TicketFacts(kind: kind, severity: severity, openedAt: openedAt, completedAt: completedAt,
                                          cancelledAt: cancelledAt)
    }

    /// Neither completed, closed nor cancelled.
    public var isOpen: Bool { completedAt == nil && closedAt == nil && cancelledAt == nil }

    /// Whether it is a commissioned service (in-home repair or price-list service).
    public var isCommissioned: Bool { facts.isCommissioned }

    /// The request as the callback programmes see it.
    public var programmeRequest: ProgrammeRequest {
        ProgrammeRequest(id: id, kind: kind, location: location, customerID: customerKey, openedAt: openedAt, completedAt: completedAt,
                         cancelledAt: cancelledAt, supplierDispatchedAt: supplierDispatchedAt, isPaid: facts.isPaid,
                         byNewStaff: facts.byNewStaff, byPreviouslyComplainedStaff: facts.byPreviouslyComplainedStaff)
    }
}

/// A customer of a center, as the lifecycle programmes see them (ids are opaque keys, never
/// printed).
public struct ReportCustomer: Sendable, Hashable {
    public var center: String
    public var customer: ProgrammeCustomer
    public init(center: String, customer: ProgrammeCustomer) {
        self.center = center
        self.customer = customer
    }
}

/// One annual-survey response (a callback of the annual-survey programme with its answers).
public struct ReportSurveyResponse: Sendable, Hashable {
    public var center: String
    public var at: Date
    public var method: CallbackMethod
    /// The overall answer (the response's result).
    public var overall: CallbackResult
    public var answers: [SurveyItem: CallbackResult]
    public init(center: String, at: Date, method: CallbackMethod, overall: CallbackResult, answers: [SurveyItem: CallbackResult]) {
        self.center = center
        self.at = at
        self.method = method
        self.overall = overall
        self.answers = answers
    }
}

/// A recorded service exception (4.2.10, 4.3.5, 4.3.6).
public struct ReportException: Sendable, Hashable {
    public var center: String
    public var ticketID: String
    public var kind: ServiceExceptionKind
    public var at: Date
    /// Compensation (4.3.5) or fee reduction (4.3.6), in fen.
    public var amountFen: Int?
    /// 4.2.10: whether the center manager confirmed it.
    public var confirmed: Bool
    public init(center: String, ticketID: String, kind: ServiceExceptionKind, at: Date, amountFen: Int? = nil, confirmed: Bool = false) {
        self.center = center
        self.ticketID = ticketID
        self.kind = kind
        self.at = at
        self.amountFen = amountFen
        self.confirmed = confirmed
    }
}

/// A custody item lost, damaged or found unfit (P7.12-1 4.2.9).
public struct ReportCustodyIncident: Sendable, Hashable {
    public var center: String
    public var kind: CustodyIncidentKind
    public var at: Date
    /// Whether the customer was told (向顾客报告).
    public var reported: Bool
    public init(center: String, kind: CustodyIncidentKind, at: Date, reported: Bool) {
        self.center = center
        self.kind = kind
        self.at = at
        self.reported = reported
    }
}

/// A corrective action of a quarterly analysis (4.4.2).
public struct ReportCorrectiveAction: Sendable, Hashable, Codable {
    public var center: String
    public var id: String
    /// `2026-Q4`.
    public var quarter: String
    public var finding: String
    public var action: String
    public var state: CorrectiveActionState
    public var decidedBy: String?
    public init(center: String, id: String, quarter: String, finding: String, action: String, state: CorrectiveActionState,
                decidedBy: String? = nil) {
        self.center = center
        self.id = id
        self.quarter = quarter
        self.finding = finding
        self.action = action
        self.state = state
        self.decidedBy = decidedBy
    }
}

/// A follow-up visit to an unsatisfied owner (003 (1) 三).
public struct ReportFollowUp: Sendable, Hashable {
    public var center: String
    public var createdAt: Date
    public var dueOn: CivilDate
    public var closedAt: Date?
    public init(center: String, createdAt: Date, dueOn: CivilDate, closedAt: Date? = nil) {
        self.center = center
        self.createdAt = createdAt
        self.dueOn = dueOn
        self.closedAt = closedAt
    }
}

/// How fresh a center's data is in the replica the report reads.
public enum DataFreshness: String, Sendable, Hashable, Codable {
    /// At a node: its own data, current.
    case current
    /// At the hub: synced after the period ended (or within the last 24 h while it runs).
    case synced
    /// At the hub: the last sync is older than that; figures may be missing records.
    case stale
    /// At the hub: the center's node has never pushed; its figures say nothing.
    case neverSynced = "never_synced"

    /// The Chinese label shown in reports.
    public var displayName: String {
        switch self {
        case .current: "本地数据（实时）"
        case .synced: "已同步"
        case .stale: "同步过期"
        case .neverSynced: "从未同步"
        }
    }

    /// Whether a reader must not take the figures as complete.
    public var isIncomplete: Bool { self == .stale || self == .neverSynced }
}

/// A center in the report and as of when its data is.
public struct ReportCenter: Sendable, Hashable, Codable {
    public var code: String
    /// Its last successful sync (the hub's last accepted push, or the node's own).
    public var lastSyncAt: Date?
    public var freshness: DataFreshness

    /// Creates a center entry.
    public init(code: String, lastSyncAt: Date?, freshness: DataFreshness) {
        self.code = code
        self.lastSyncAt = lastSyncAt
        self.freshness = freshness
    }

    /// Judges a hub-side center: never synced without a push; stale when the last push came
    /// before the period ended (for a running period: more than `staleAfter` ago).
    public static func atHub(code: String, lastPushAt: Date?, periodEnd: Date, now: Date,
                             staleAfter: TimeInterval = 24 * 3600) -> ReportCenter {
        guard let last = lastPushAt else { return ReportCenter(code: code, lastSyncAt: nil, freshness: .neverSynced) }
        let needed = periodEnd <= now ? periodEnd : now.addingTimeInterval(-staleAfter)
        return ReportCenter(code: code, lastSyncAt: last, freshness: last >= needed ? .synced : .stale)
    }
}

/// Everything the measures read, fetched by the store.
public struct ReportInput: Sendable {
    public var period: ReportPeriod
    /// When the report is made: "now" for the open-and-overdue measures and deadlines.
    public var now: Date
    public var calendar: WorkCalendar
    /// `true` at the hub (all centers plus an all-centers row).
    public var atHub: Bool
    public var centers: [ReportCenter]
    /// Every request of the centers opened, completed or still open from 30 days before the
    /// previous period on; the measures select by timestamp themselves.
    public var tickets: [ReportTicket]
    /// Callback attempts on those requests and to the centers' customers.
    public var callbacks: [CallbackRecord]
    /// The centers' customers (for the lifecycle programmes and the refused-callback list).
    public var customers: [ReportCustomer]
    /// Stored callback-plan seeds by `CENTER/YYYY-MM`; a month without one uses
    /// ``CallbackPlanner/fallbackSeed(center:month:)``.
    public var seeds: [String: UInt64]
    /// Staff names by staff id, for the "complaints against staff" list.
    public var staffNames: [String: String]
    public var surveyResponses: [ReportSurveyResponse]
    public var exceptions: [ReportException]
    public var custodyIncidents: [ReportCustodyIncident]
    public var correctiveActions: [ReportCorrectiveAction]
    public var followUps: [ReportFollowUp]

    /// Creates the input.
    public init(period: ReportPeriod, now: Date, calendar: WorkCalendar, atHub: Bool, centers: [ReportCenter],
                tickets: [ReportTicket], callbacks: [CallbackRecord], customers: [ReportCustomer] = [], seeds: [String: UInt64] = [:],
                staffNames: [String: String] = [:], surveyResponses: [ReportSurveyResponse] = [], exceptions: [ReportException] = [],
                custodyIncidents: [ReportCustodyIncident] = [], correctiveActions: [ReportCorrectiveAction] = [],
                followUps: [ReportFollowUp] = []) {
        self.period = period
        self.now = now
        self.calendar = calendar
        self.atHub = atHub
        self.centers = centers
        self.tickets = tickets
        self.callbacks = callbacks
        self.customers = customers
        self.seeds = seeds
        self.staffNames = staffNames
        self.surveyResponses = surveyResponses
        self.exceptions = exceptions
        self.custodyIncidents = custodyIncidents
        self.correctiveActions = correctiveActions
        self.followUps = followUps
    }

    /// ``restricted(to:)`` for every center at once, in one pass over the records: a
    /// report over thousands of centers must not filter every record once per center.
    /// Records come from the store center by center, so a run of one center's records looks
    /// its center up once, and each goes straight into that center's array.
    func byCenter() -> [String: ReportInput] {
        var position: [String: Int] = [:]
        for c in centers where position[c.code] == nil { position[c.code] = position.count }
        let n = position.count
        var lastCode: String?, lastAt: Int?
        func at(_ code: String) -> Int? {
            if code != lastCode { lastCode = code; lastAt = position[code] }
            return lastAt
        }
        // Each center's requests and customers in an array of its exact size (counted first):
        // half a million customers appended to arrays that grow would be moved again and again.
        func split<T>(_ records: [T], _ center: (T) -> String) -> [[T]] {
            var counts = [Int](repeating: 0, count: n)
            for r in records { if let i = at(center(r)) { counts[i] += 1 } }
            var parts = counts.map { count -> [T] in
                var part: [T] = []
                part.reserveCapacity(count)
                return part
            }
            for r in records { if let i = at(center(r)) { parts[i].append(r) } }
            return parts
        }
        let tickets = split(self.tickets, \.center), customers = split(self.customers, \.center)
        var callbacks = [[CallbackRecord]](repeating: [], count: n), responses = [[ReportSurveyResponse]](repeating: [], count: n)
        var exceptions = [[ReportException]](repeating: [], count: n), incidents = [[ReportCustodyIncident]](repeating: [], count: n)
        var actions = [[ReportCorrectiveAction]](repeating: [], count: n), followUps = [[ReportFollowUp]](repeating: [], count: n)
        var jobAt: [String: Int] = [:], personAt: [String: Int] = [:]
        if !self.callbacks.isEmpty {
            for t in self.tickets { if let i = at(t.center) { jobAt[t.id] = i } }
        }
        // Only callbacks without a request look for their customer's center: only those
        // customers go in the table, not every customer of the hub.
        let byPerson = Set(self.callbacks.compactMap { $0.jobID == nil ? $0.customerID : nil })
        if !byPerson.isEmpty {
            for c in self.customers where byPerson.contains(c.customer.id) { if let i = at(c.center) { personAt[c.customer.id] = i } }
        }
        // As in restricted(to:): a callback belongs with its request, else with its customer.
        for c in self.callbacks {
            let i = c.jobID.map { jobAt[$0] } ?? c.customerID.map { personAt[$0] } ?? nil
            if let i { callbacks[i].append(c) }
        }
        for x in surveyResponses { if let i = at(x.center) { responses[i].append(x) } }
        for x in self.exceptions { if let i = at(x.center) { exceptions[i].append(x) } }
        for x in custodyIncidents { if let i = at(x.center) { incidents[i].append(x) } }
        for x in correctiveActions { if let i = at(x.center) { actions[i].append(x) } }
        for x in self.followUps { if let i = at(x.center) { followUps[i].append(x) } }
        var parts: [String: ReportInput] = [:]
        parts.reserveCapacity(n)
        for (code, i) in position {
            var part = self
            part.tickets = tickets[i]; part.customers = customers[i]; part.callbacks = callbacks[i]
            part.surveyResponses = responses[i]; part.exceptions = exceptions[i]; part.custodyIncidents = incidents[i]
            part.correctiveActions = actions[i]; part.followUps = followUps[i]
            parts[code] = part
        }
        return parts
    }

    /// Whether every request's customer stands on the refused-callback list the same way in
    /// all the records as in its own center's (the monthly plan of a center reads the
    /// refusals it is given): true unless a customer id is in several centers, or a request
    /// names another center's refusing customer. Only refusing customers are looked at.
    func refusalsAgreeWithinCenters() -> Bool {
        var all: [String: CivilDate] = [:], byCenter: [String: [String: CivilDate]] = [:]
        for c in customers {
            guard let since = c.customer.refusedSince else { continue }
            all[c.customer.id] = min(all[c.customer.id] ?? since, since)
            byCenter[c.center, default: [:]][c.customer.id] = min(byCenter[c.center]?[c.customer.id] ?? since, since)
        }
        guard !all.isEmpty else { return true }
        return tickets.allSatisfy { t in t.customerKey.map { all[$0] == byCenter[t.center]?[$0] } ?? true }
    }

    /// The records of `codes`' centers only.
    func restricted(to codes: Set<String>) -> ReportInput {
        var r = self
        r.tickets = tickets.filter { codes.contains($0.center) }
        r.customers = customers.filter { codes.contains($0.center) }
        // Customers matter only to callbacks without a request.
        let byPerson = Set(callbacks.compactMap { $0.jobID == nil ? $0.customerID : nil })
        let jobs = Set(r.tickets.map(\.id))
        let people = byPerson.isEmpty ? [] : Set(r.customers.lazy.map(\.customer.id).filter(byPerson.contains))
        r.callbacks = callbacks.filter { c in c.jobID.map(jobs.contains) ?? c.customerID.map(people.contains) ?? false }
        r.surveyResponses = surveyResponses.filter { codes.contains($0.center) }
        r.exceptions = exceptions.filter { codes.contains($0.center) }
        r.custodyIncidents = custodyIncidents.filter { codes.contains($0.center) }
        r.correctiveActions = correctiveActions.filter { codes.contains($0.center) }
        r.followUps = followUps.filter { codes.contains($0.center) }
        return r
    }
}
