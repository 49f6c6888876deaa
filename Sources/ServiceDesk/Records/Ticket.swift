import Foundation
import GRDB
import Replication

/// A request (报事报修 / 投诉 / 有偿服务 / 咨询 / 建议) and where it stands.
public struct Ticket: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    public var number: String
    public var kind: RequestKind
    /// For repairs: in the home or in the common area; `nil` when not recorded (before
    /// schema version 3, or an import without it), which counts as in-home.
    public var location: RepairLocation?
    public var complaintClass: ComplaintClass?
    public var severity: Severity?
    public var channel: Channel?
    public var summary: String
    public var customer: String?
    public var unit: String?
    public var aboutStaff: String?
    public var stage: TicketStage
    public var reopenCount: Int
    public var escalated: Bool
    public var assignee: String?
    public var assigneeKind: String?
    public var openedAt: Date
    public var openedBy: String
    /// When the current cycle began, if the request was reopened.
    public var cycleOpenedAt: Date?
    public var answeredAt: Date?
    public var dispatchedAt: Date?
    public var agreedArrivalAt: Date?
    public var arrivedAt: Date?
    public var completedAt: Date?
    public var customerSigned: Bool
    public var calledBackAt: Date?
    public var closedAt: Date?
    public var cancelledAt: Date?
    public var escalatedAt: Date?
    public var service: ServiceDetails?

    public var state: TicketState { TicketState(stage: stage, reopenCount: reopenCount, isEscalated: escalated) }

    /// Whether it is a commissioned service: an in-home repair or a price-list service.
    public var isCommissioned: Bool { CommissionedService.applies(kind: kind, location: location) }

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        number = row["number"] ?? ""
        kind = (try? RequestKind.parse(row["kind"] ?? "")) ?? .inquiry
        location = (row["location"] as String?).flatMap { RepairLocation(rawValue: $0) }
        complaintClass = (row["complaint_class"] as Int?).flatMap { ComplaintClass(rawValue: String($0)) ?? (try? ComplaintClass.parse(String($0))) }
        severity = (row["severity"] as String?).flatMap { Severity(rawValue: $0) }
        channel = (row["channel"] as String?).flatMap { Channel(rawValue: $0) }
        summary = row["summary"] ?? ""
        customer = row["customer"]
        unit = row["unit"]
        aboutStaff = row["about_staff"]
        stage = TicketStage(rawValue: row["status"] ?? "") ?? .received
        reopenCount = row["reopen_count"] ?? 0
        escalated = (row["escalated"] as Int?) == 1
        assignee = row["assignee"]
        assigneeKind = row["assignee_kind"]
        openedAt = Col.date(row["opened_at"]) ?? Date(timeIntervalSince1970: 0)
        openedBy = row["opened_by"] ?? ""
        cycleOpenedAt = Col.date(row["cycle_opened_at"])
        answeredAt = Col.date(row["answered_at"])
        dispatchedAt = Col.date(row["dispatched_at"])
        agreedArrivalAt = Col.date(row["agreed_arrival_at"])
        arrivedAt = Col.date(row["arrived_at"])
        completedAt = Col.date(row["completed_at"])
        customerSigned = (row["customer_signed"] as Int?) == 1
        calledBackAt = Col.date(row["called_back_at"])
        closedAt = Col.date(row["closed_at"])
        cancelledAt = Col.date(row["cancelled_at"])
        escalatedAt = Col.date(row["escalated_at"])
        if kind == .service || row["fee"] != nil || row["price_item"] != nil {
            service = ServiceDetails(row: row)
        }
    }
}

/// The commissioned-service part of a request (委托服务 / 有偿服务), DOMAIN.md and 001 P7.9-8.
public struct ServiceDetails: Codable, Sendable, Equatable {
    public var priceItem: String?
    public var offList: Bool
    public var offListReviewedBy: String?
    /// In fen (分): 1 yuan = 100.
    public var fee: Int?
    public var materialSource: MaterialSource?
    public var materialFailedInspection: Bool
    public var materialCustomerSigned: Bool
    public var supplier: String?
    public var supplierAgreement: String?
    public var paidAt: Date?
    public var receiptNo: String?
    public var collectedBy: String?

    /// Nothing recorded yet (a repair before it turned out chargeable).
    static let none = ServiceDetails()

    private init() {
        offList = false
        materialFailedInspection = false
        materialCustomerSigned = false
    }

    init(row: Row) {
        priceItem = row["price_item"]
        offList = (row["off_list"] as Int?) == 1
        offListReviewedBy = row["off_list_reviewed_by"]
        fee = row["fee"]
        materialSource = (row["material_source"] as String?).flatMap { MaterialSource(rawValue: $0) }
        materialFailedInspection = (row["material_failed_inspection"] as Int?) == 1
        materialCustomerSigned = (row["material_customer_signed"] as Int?) == 1
        supplier = row["supplier"]
        supplierAgreement = row["supplier_agreement"]
        paidAt = Col.date(row["paid_at"])
        receiptNo = row["receipt_no"]
        collectedBy = row["collected_by"]
    }
}

/// One step in a request's timeline.
public struct TimelineEntry: Codable, Sendable, Equatable, FetchableRecord {
    public var at: Date
    public var staff: String
    public var action: String
    public var detail: String?
    public init(row: Row) throws {
        at = Col.date(row["at"]) ?? Date(timeIntervalSince1970: 0)
        staff = row["staff"] ?? ""
        action = row["action"] ?? ""
        detail = row["detail"]
    }
}

/// What the front desk enters to open a request.
public struct TicketInput: Sendable {
    public var kind: RequestKind
    /// For repairs: in the home or in the common area (`nil`: not given, counted as
    /// ``RepairLocation/unrecordedDefault``).
    public var location: RepairLocation?
    public var complaintClass: ComplaintClass?
    public var severity: Severity?
    public var channel: Channel
    public var summary: String
    public var customer: String?
    public var unit: String?
    public var aboutStaff: String?
    public var center: String?
    public init(kind: RequestKind, location: RepairLocation? = nil, complaintClass: ComplaintClass? = nil, severity: Severity? = nil,
                channel: Channel, summary: String, customer: String? = nil, unit: String? = nil, aboutStaff: String? = nil,
                center: String? = nil) {
        self.kind = kind
        self.location = location
        self.complaintClass = complaintClass
        self.severity = severity
        self.channel = channel
        self.summary = summary
        self.customer = customer
        self.unit = unit
        self.aboutStaff = aboutStaff
        self.center = center
    }
}

/// Details that go with a lifecycle step.
public struct StepDetails: Sendable {
    /// dispatch: the staff member or supplier sent.
    public var assignee: String?
    /// dispatch: "staff" or "supplier".
    public var assigneeKind: String?
    /// dispatch: an arrival time agreed with the customer instead of 30 minutes.
    public var agreedArrival: Date?
    /// complete: the customer signed the work order.
    public var customerSigned = false
    /// Free text for the timeline.
    public var note: String?
    public init(assignee: String? = nil, assigneeKind: String? = nil, agreedArrival: Date? = nil, customerSigned: Bool = false, note: String? = nil) {
        self.assignee = assignee
        self.assigneeKind = assigneeKind
        self.agreedArrival = agreedArrival
        self.customerSigned = customerSigned
        self.note = note
    }
}

/// Filters for listing requests.
public struct TicketFilter: Sendable {
    public var kind: RequestKind?
    public var stage: TicketStage?
    public var openOnly = false
    public var customer: String?
    public var assignee: String?
    public var center: String?
    public var escalatedOnly = false
    /// Only requests with a breached deadline at `now`.
    public var overdue = false
    /// Only requests with a deadline falling due today.
    public var dueToday = false
    public var since: Date?
    public var until: Date?
    public var limit = 500
    /// Matches to skip first (paging).
    public var offset = 0
    public init() {}
}

/// A request with its computed deadlines.
public struct TicketWithDeadlines: Sendable {
    public var ticket: Ticket
    public var deadlines: [Deadline]
    public var overdue: [Deadline]
    public var dueToday: [Deadline]
}
