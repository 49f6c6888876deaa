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
        self.init(row: row, columns: TicketColumns(row.columnNames))
    }

    /// Reads a request from `row`, whose columns `columns` located once for the whole
    /// statement. A list of a thousand requests then looks up no column name per row, and
    /// reads each value as SQLite stored it: GRDB's typed reads (`row["kind"] as String?`)
    /// hash the name and instantiate generic metadata for every value, which was a quarter
    /// of the 工作台's time.
    init(row: Row, columns: TicketColumns) {
        func raw(_ c: TicketColumn) -> (any DatabaseValueConvertible)? {
            let p = columns.positions[c.rawValue]
            return p < 0 ? nil : row[p]
        }
        func v(_ c: TicketColumn) -> String? {
            switch raw(c) {
            case let s as String: s
            case let i as Int64: String(i)
            case let d as Double: String(d)
            default: nil
            }
        }
        func v(_ c: TicketColumn) -> Int? {
            switch raw(c) {
            case let i as Int64: Int(i)
            case let d as Double: Int(d)
            case let s as String: Int(s)
            default: nil
            }
        }
        func date(_ c: TicketColumn) -> Date? { (v(c) as Int?).map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        id = v(.id) ?? ""
        center = v(.center) ?? ""
        number = v(.number) ?? ""
        kind = (try? RequestKind.parse(v(.kind) ?? "")) ?? .inquiry
        location = (v(.location) as String?).flatMap { RepairLocation(rawValue: $0) }
        complaintClass = (v(.complaint_class) as Int?).flatMap { ComplaintClass(rawValue: String($0)) ?? (try? ComplaintClass.parse(String($0))) }
        severity = (v(.severity) as String?).flatMap { Severity(rawValue: $0) }
        channel = (v(.channel) as String?).flatMap { Channel(rawValue: $0) }
        summary = v(.summary) ?? ""
        customer = v(.customer)
        unit = v(.unit)
        aboutStaff = v(.about_staff)
        stage = TicketStage(rawValue: v(.status) ?? "") ?? .received
        reopenCount = v(.reopen_count) ?? 0
        escalated = (v(.escalated) as Int?) == 1
        assignee = v(.assignee)
        assigneeKind = v(.assignee_kind)
        openedAt = date(.opened_at) ?? Date(timeIntervalSince1970: 0)
        openedBy = v(.opened_by) ?? ""
        cycleOpenedAt = date(.cycle_opened_at)
        answeredAt = date(.answered_at)
        dispatchedAt = date(.dispatched_at)
        agreedArrivalAt = date(.agreed_arrival_at)
        arrivedAt = date(.arrived_at)
        completedAt = date(.completed_at)
        customerSigned = (v(.customer_signed) as Int?) == 1
        calledBackAt = date(.called_back_at)
        closedAt = date(.closed_at)
        cancelledAt = date(.cancelled_at)
        escalatedAt = date(.escalated_at)
        let fee: Int? = v(.fee), priceItem: String? = v(.price_item)
        if kind == .service || fee != nil || priceItem != nil {
            var s = ServiceDetails.none
            s.priceItem = priceItem
            s.offList = (v(.off_list) as Int?) == 1
            s.offListReviewedBy = v(.off_list_reviewed_by)
            s.fee = fee
            s.materialSource = (v(.material_source) as String?).flatMap { MaterialSource(rawValue: $0) }
            s.materialFailedInspection = (v(.material_failed_inspection) as Int?) == 1
            s.materialCustomerSigned = (v(.material_customer_signed) as Int?) == 1
            s.supplier = v(.supplier)
            s.supplierAgreement = v(.supplier_agreement)
            s.paidAt = date(.paid_at)
            s.receiptNo = v(.receipt_no)
            s.collectedBy = v(.collected_by)
            service = s
        }
    }
}

extension Ticket {
    /// Every request `statement` selects, its columns located once (see
    /// ``init(row:columns:)``), not once per row as `fetchAll` does through `init(row:)`.
    /// `columns`, when given, must be those of `statement`: a caller running one cached
    /// statement thousands of times (the report, once per center) locates them once.
    static func all(_ statement: Statement, columns: TicketColumns? = nil, arguments: StatementArguments) throws -> [Ticket] {
        let columns = columns ?? TicketColumns(statement.columnNames)
        return try Row.fetchAll(statement, arguments: arguments).map { Ticket(row: $0, columns: columns) }
    }
}

/// The columns a request is read from (named as in the `ticket` table).
enum TicketColumn: Int, CaseIterable {
    case id, center, number, kind, location, complaint_class, severity, channel, summary, customer, unit, about_staff, status,
         reopen_count, escalated, assignee, assignee_kind, opened_at, opened_by, cycle_opened_at, answered_at, dispatched_at,
         agreed_arrival_at, arrived_at, completed_at, customer_signed, called_back_at, closed_at, cancelled_at, escalated_at,
         fee, price_item, off_list, off_list_reviewed_by, material_source, material_failed_inspection, material_customer_signed,
         supplier, supplier_agreement, paid_at, receipt_no, collected_by
}

/// Where each ``TicketColumn`` is in a statement's rows (-1: not selected).
struct TicketColumns: Sendable {
    let positions: [Int]
    init(_ names: some Sequence<String>) {
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
        positions = TicketColumn.allCases.map { index["\($0)"] ?? -1 }
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
