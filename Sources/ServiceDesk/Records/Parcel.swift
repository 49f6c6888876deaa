import Foundation
import GRDB

/// An entry of the mail / parcel log (邮件接收记录表, 001 P7.9-8 4.2.13): received at the
/// desk, the customer notified, picked up against a signature.
public struct Parcel: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    public var receivedAt: Date
    public var type: ParcelType
    public var customer: String?
    public var recipient: String?
    public var unit: String?
    public var carrier: String?
    public var trackingNo: String?
    public var notifiedAt: Date?
    public var pickedUpAt: Date?
    public var pickedUpBy: String?
    public var signed: Bool
    public var note: String?

    /// Still at the desk.
    public var isWaiting: Bool { pickedUpAt == nil }

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        receivedAt = Col.date(row["received_at"]) ?? Date(timeIntervalSince1970: 0)
        type = (row["type"] as String?).flatMap { ParcelType(rawValue: $0) } ?? .other
        customer = row["customer"]
        recipient = row["recipient"]
        unit = row["unit"]
        carrier = row["carrier"]
        trackingNo = row["tracking_no"]
        notifiedAt = Col.date(row["notified_at"])
        pickedUpAt = Col.date(row["picked_up_at"])
        pickedUpBy = row["picked_up_by"]
        signed = (row["signed"] as Int?) == 1
        note = row["note"]
    }
}

/// What the desk writes down when mail arrives: the addressee is a registered customer,
/// or a name and a unit.
public struct ParcelInput: Sendable {
    public var type: ParcelType
    public var customer: String?
    public var recipient: String?
    public var unit: String?
    public var carrier: String?
    public var trackingNo: String?
    public var note: String?
    public init(type: ParcelType, customer: String? = nil, recipient: String? = nil, unit: String? = nil, carrier: String? = nil,
                trackingNo: String? = nil, note: String? = nil) {
        self.type = type
        self.customer = customer
        self.recipient = recipient
        self.unit = unit
        self.carrier = carrier
        self.trackingNo = trackingNo
        self.note = note
    }
}

/// A customer's item kept at the center (顾客财产, 001 P7.12-1 4.2.4–4.2.9): its condition
/// verified face to face when handed over and again when returned. Never cash or valuables.
public struct CustodyItem: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    public var customer: String?
    public var description: String
    public var conditionIn: String?
    public var verifiedIn: Bool
    public var receivedAt: Date
    public var receivedBy: String?
    public var returnedAt: Date?
    public var conditionOut: String?
    public var verifiedOut: Bool
    public var returnedBy: String?
    /// Found lost, damaged or unfit in the center's keeping (P7.12-1 4.2.9), with when and by
    /// whom, and when the customer was told (向顾客报告).
    public var incident: CustodyIncidentKind?
    public var incidentDetail: String?
    public var incidentAt: Date?
    public var incidentBy: String?
    public var reportedAt: Date?

    /// Still held by the center.
    public var isHeld: Bool { returnedAt == nil }

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        customer = row["customer"]
        description = row["description"] ?? ""
        conditionIn = row["condition_in"]
        verifiedIn = (row["verified_in"] as Int?) == 1
        receivedAt = Col.date(row["received_at"]) ?? Date(timeIntervalSince1970: 0)
        receivedBy = row["received_by"]
        returnedAt = Col.date(row["returned_at"])
        conditionOut = row["condition_out"]
        verifiedOut = (row["verified_out"] as Int?) == 1
        returnedBy = row["returned_by"]
        incident = (row["incident"] as String?).flatMap { CustodyIncidentKind(rawValue: $0) }
        incidentDetail = row["incident_detail"]
        incidentAt = Col.date(row["incident_at"])
        incidentBy = row["incident_by"]
        reportedAt = Col.date(row["reported_at"])
    }
}
