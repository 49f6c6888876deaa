/// What a staff member may do: a pure action × role matrix, checked before any write
/// (DOMAIN.md, "Who uses the system"). Field visibility — what a role may *see* — is the
/// visibility policy's business, not this one's.
///
/// The raw value names the action as the command line does, and is what a refusal says:
/// `permission denied: technician may not ticket dispatch`.
public enum Action: String, CaseIterable, Sendable, Hashable {
    case ticketOpen = "ticket open"
    case ticketDispatch = "ticket dispatch"
    /// Arrival and completion: the provider's own steps, or the desk recording them.
    case ticketArrive = "ticket arrive"
    case ticketComplete = "ticket complete"
    case ticketClose = "ticket close"
    case ticketReopen = "ticket reopen"
    case ticketCancel = "ticket cancel"
    case ticketEscalate = "ticket escalate"
    case ticketAnswer = "ticket answer"
    case ticketNote = "ticket note"
    case ticketUpdate = "ticket update"
    case ticketService = "ticket service"
    /// Reviewing a paid service that is not on the price list (`--reviewed-by`).
    case reviewOffList = "review an off-list service"
    case ticketPay = "ticket pay"
    case customerEdit = "edit customers"
    case callbackAdd = "callback add"
    case callbackPlan = "callback plan"
    case parcels = "record parcels"
    case custody = "record custody"
    case staffManage = "manage staff"
    case calendarEdit = "edit the calendar"
    case priceEdit = "edit the price list"
    case importData = "import"
    case conflictResolve = "conflicts resolve"
    case nodeConnect = "node connect"
    case nodeEnroll = "hub enroll"
    case nodeRevoke = "hub revoke"
    case grantApply = "grant apply"
    /// The quality department's approval, the first of the two.
    case grantApproveQuality = "approve a grant for quality"
    /// Company leadership's approval, the second.
    case grantApproveLeadership = "approve a grant for leadership"
    case grantRevoke = "grant revoke"
    case auditRead = "read the audit trail"
    /// 4.2.11: the provider collected the fee at the door (the customer had no time).
    case collectFee = "collect a fee on site"
    /// The butler's follow-up visit to an unsatisfied owner (003 (1) 三).
    case followUp = "record follow-up visits"
    /// The center's annual questionnaire (003 (1) 二 4).
    case surveyEdit = "set up the survey"
    /// A change of the work ordered (4.2.10), reported by whoever finds it.
    case serviceException = "record a service exception"
    /// Compensation (4.3.5) and fee reductions (4.3.6): money, decided by the center's lead.
    case serviceMoney = "record compensation or a fee reduction"
    /// 4.2.10: the center manager confirms the change with the customer.
    case confirmServiceChange = "confirm a service change"
    /// 4.4.2: the center manager records findings and corrective actions and marks them done.
    case correctiveRecord = "record corrective actions"
    /// 4.4.2: the quality department approves them.
    case correctiveDecide = "approve corrective actions"
    /// Seeing customer records (masked or not: ``Visibility`` decides the fields).
    case customerView = "see customer records"
    /// Seeing a request (a provider only those assigned to them).
    case ticketView = "see this request"
    /// Reading conflicts (their values are masked like the record's).
    case conflictList = "list conflicts"
}

public enum Permissions {
    /// The center's desk roles: they register, follow up and call back.
    public static let desk: Set<StaffRole> = [.frontDesk, .butler, .serviceLead, .managerAssistant, .centerManager]
    /// Those who run a center's request flow: send people, close, cancel.
    public static let dispatchers: Set<StaffRole> = [.frontDesk, .serviceLead, .centerManager]
    public static let providers: Set<StaffRole> = [.technician, .supplier]

    /// Who may perform `action`. Why, role by role:
    /// - the desk roles register requests and customers and call back, because that is
    ///   their job; dispatch, close and cancel stay with the front desk, the service lead
    ///   and the manager, who own the request flow;
    /// - technicians and suppliers record their own arrival, completion, materials and
    ///   notes, and nothing about customers;
    /// - the cashier takes payments (the front desk and manager too, at small centers);
    /// - off-list paid services are reviewed by the center manager alone (DOMAIN.md);
    /// - head office (quality, operations) may register, reassign, reopen, note and update
    ///   requests, and resolve conflicts, as supervisors of complaint handling; executives
    ///   only note;
    /// - grants follow the manual's chain: the center manager applies, quality approves,
    ///   leadership approves; the applicant and both approvers may revoke;
    /// - the administrator manages staff, the calendar and node enrollment, and nothing
    ///   that touches a customer; the audit trail is read by the administrator, quality,
    ///   leadership and the center manager;
    /// - the quality loop (issue 16): a provider may record a fee he collected at the door
    ///   (4.2.11); the desk roles record the butler's follow-up visits; the manager (or
    ///   assistant) and quality set up the questionnaire; anyone running or doing the work
    ///   reports a change of the work (4.2.10), which only the manager confirms; money —
    ///   compensation and fee reductions — is the service lead's or manager's; the manager
    ///   records corrective actions and quality approves them (4.4.2).
    public static func allowed(_ action: Action) -> Set<StaffRole> {
        switch action {
        case .ticketOpen: desk.union([.quality, .operations])
        case .ticketDispatch: dispatchers.union([.quality, .operations])
        case .ticketArrive, .ticketComplete: dispatchers.union(providers)
        case .ticketClose, .ticketCancel: dispatchers
        case .ticketReopen: dispatchers.union([.quality])
        case .ticketEscalate: desk.union([.quality, .operations])
        case .ticketAnswer: desk
        case .ticketNote: Set(StaffRole.allCases).subtracting([.administrator])
        case .ticketUpdate: dispatchers.union([.quality, .operations])
        case .ticketService: dispatchers.union([.technician, .quality])
        case .reviewOffList: [.centerManager]
        case .ticketPay: [.cashier, .frontDesk, .centerManager]
        case .customerEdit: desk.union([.operations])
        case .callbackAdd: desk.union([.quality])
        case .callbackPlan: desk
        case .parcels, .custody: [.frontDesk, .butler, .serviceLead, .centerManager]
        case .staffManage: [.administrator]
        case .calendarEdit: [.administrator, .centerManager, .operations]
        case .priceEdit: [.centerManager, .operations]
        case .importData: [.frontDesk, .centerManager]
        case .conflictResolve: dispatchers.union([.quality, .operations])
        case .nodeConnect, .nodeEnroll, .nodeRevoke: [.administrator]
        case .grantApply: [.centerManager]
        case .grantApproveQuality: [.quality]
        case .grantApproveLeadership: [.executive]
        case .grantRevoke: [.centerManager, .quality, .executive]
        case .auditRead: [.administrator, .quality, .executive, .centerManager]
        case .collectFee: providers
        case .followUp: desk
        case .surveyEdit: [.centerManager, .managerAssistant, .quality]
        case .serviceException: dispatchers.union(providers).union([.managerAssistant, .quality])
        case .serviceMoney: [.serviceLead, .centerManager, .quality]
        case .confirmServiceChange: [.centerManager]
        case .correctiveRecord: [.centerManager]
        case .correctiveDecide: [.quality]
        case .customerView: Set(StaffRole.allCases).subtracting(providers).subtracting([.administrator])
        case .ticketView: Set(StaffRole.allCases).subtracting([.administrator])
        case .conflictList: Set(StaffRole.allCases)
        }
    }

    /// The permission a lifecycle step needs.
    public static func action(for event: TicketEvent) -> Action {
        switch event {
        case .dispatch: .ticketDispatch
        case .arrive: .ticketArrive
        case .complete: .ticketComplete
        case .callBack: .callbackAdd
        case .close: .ticketClose
        case .cancel: .ticketCancel
        case .reopen: .ticketReopen
        case .escalate: .ticketEscalate
        }
    }

    /// Whether `role` may perform `action`; a staff member without a role may do nothing.
    public static func allows(_ role: StaffRole?, _ action: Action) -> Bool {
        guard let role else { return false }
        return allowed(action).contains(role)
    }

    /// Throws `PermissionDenied` unless `role` may perform `action`.
    public static func check(_ role: StaffRole?, _ action: Action) throws {
        guard allows(role, action) else { throw PermissionDenied(role: role, action: action) }
    }
}

/// A refused action: `permission denied: <role> may not <action>`.
public struct PermissionDenied: Error, CustomStringConvertible, Equatable {
    public var role: StaffRole?
    public var action: Action
    public init(role: StaffRole?, action: Action) {
        self.role = role
        self.action = action
    }
    public var description: String { "permission denied: \(role?.rawValue ?? "staff without a role") may not \(action.rawValue)" }
}
