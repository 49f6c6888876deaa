import Foundation

/// One request as the report measures see it: plain values, no customer data beyond
/// opaque keys used only to match repeat complaints (never printed).
public struct ReportTicket: Sendable, Hashable {
    /// The record id (for matching callbacks).
    public var id: String
    /// The center code.
    public var center: String
    public var kind: RequestKind
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
    /// The deadline facts of the current cycle (see ``DeadlineRules``).
    public var facts: TicketFacts

    /// Creates a row.
    public init(id: String, center: String, kind: RequestKind, channel: Channel? = nil, complaintClass: ComplaintClass? = nil,
                severity: Severity? = nil, openedAt: Date, reopenCount: Int = 0, completedAt: Date? = nil, closedAt: Date? = nil,
                cancelledAt: Date? = nil, customerKey: String? = nil, unitKey: String? = nil, aboutStaff: String? = nil,
                facts: TicketFacts? = nil) {
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
        self.facts = facts ?? TicketFacts(kind: kind, severity: severity, openedAt: openedAt, completedAt: completedAt,
                                          cancelledAt: cancelledAt)
    }

    /// Neither completed, closed nor cancelled.
    public var isOpen: Bool { completedAt == nil && closedAt == nil && cancelledAt == nil }
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
    /// Callback attempts on those requests.
    public var callbacks: [CallbackRecord]
    /// Customers (by opaque key) on the refused-callback list.
    public var refusedCustomers: Set<String>
    /// Staff names by staff id, for the "complaints against staff" list.
    public var staffNames: [String: String]

    /// Creates the input.
    public init(period: ReportPeriod, now: Date, calendar: WorkCalendar, atHub: Bool, centers: [ReportCenter],
                tickets: [ReportTicket], callbacks: [CallbackRecord], refusedCustomers: Set<String> = [],
                staffNames: [String: String] = [:]) {
        self.period = period
        self.now = now
        self.calendar = calendar
        self.atHub = atHub
        self.centers = centers
        self.tickets = tickets
        self.callbacks = callbacks
        self.refusedCustomers = refusedCustomers
        self.staffNames = staffNames
    }
}
