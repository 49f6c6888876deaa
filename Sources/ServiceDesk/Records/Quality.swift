import Foundation
import GRDB
import Replication

/// A follow-up visit by the butler to an owner who answered a callback 不满意 (003 (1) 三:
/// 整改(针对回访不满意业主,管家上门了解情况)), tracked to closure.
public struct FollowUp: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    /// The unsatisfied callback that created it.
    public var callback: String
    public var ticket: String?
    public var customer: String?
    /// The butler to visit (the household's, when recorded).
    public var butler: String?
    public var dueOn: CivilDate
    public var createdAt: Date
    public var createdBy: String
    public var state: FollowUpState
    public var visitedAt: Date?
    public var visitedBy: String?
    public var visitNote: String?
    public var closedAt: Date?
    public var closedBy: String?
    public var outcome: String?
    /// The request's number, for people; filled when listed.
    public var ticketNumber: String?

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        callback = row["callback"] ?? ""
        ticket = row["ticket"]
        customer = row["customer"]
        butler = row["butler"]
        dueOn = (try? CivilDate(row["due_on"] ?? "")) ?? CivilDate(daysSinceEpoch: 0)
        createdAt = Col.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0)
        createdBy = row["created_by"] ?? ""
        state = FollowUpState(rawValue: row["status"] ?? "") ?? .open
        visitedAt = Col.date(row["visited_at"])
        visitedBy = row["visited_by"]
        visitNote = row["visit_note"]
        closedAt = Col.date(row["closed_at"])
        closedBy = row["closed_by"]
        outcome = row["outcome"]
    }

    /// Not closed, and past its due day at `now`.
    public func isOverdue(at now: Date, in calendar: WorkCalendar) -> Bool {
        closedAt == nil && now >= calendar.endOfDay(dueOn)
    }
}

/// A recorded exception of a commissioned service (001 P7.9-8 4.2.10, 4.3.5, 4.3.6).
public struct ServiceException: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    public var ticket: String
    public var kind: ServiceExceptionKind
    public var detail: String
    /// Compensation (4.3.5) or the fee reduction (4.3.6), in fen.
    public var amountFen: Int?
    public var recordedAt: Date
    public var recordedBy: String
    /// 4.2.10: the center manager who confirmed the change with the customer.
    public var confirmedBy: String?
    public var confirmedAt: Date?

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        ticket = row["ticket"] ?? ""
        kind = ServiceExceptionKind(rawValue: row["kind"] ?? "") ?? .workDiffers
        detail = row["detail"] ?? ""
        amountFen = row["amount"]
        recordedAt = Col.date(row["recorded_at"]) ?? Date(timeIntervalSince1970: 0)
        recordedBy = row["recorded_by"] ?? ""
        confirmedBy = row["confirmed_by"]
        confirmedAt = Col.date(row["confirmed_at"])
    }
}

/// A corrective action of a quarterly analysis (001 P7.9-8 4.4.2).
public struct CorrectiveAction: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    /// `2026-Q4`.
    public var quarter: String
    public var finding: String
    public var action: String
    public var recordedAt: Date
    public var recordedBy: String
    public var decision: CorrectiveActionState?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionNote: String?
    public var doneAt: Date?
    public var doneBy: String?
    public var doneNote: String?

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        quarter = row["quarter"] ?? ""
        finding = row["finding"] ?? ""
        action = row["action"] ?? ""
        recordedAt = Col.date(row["recorded_at"]) ?? Date(timeIntervalSince1970: 0)
        recordedBy = row["recorded_by"] ?? ""
        decision = (row["decision"] as String?).flatMap { CorrectiveActionState(rawValue: $0) }
        decidedBy = row["decided_by"]
        decidedAt = Col.date(row["decided_at"])
        decisionNote = row["decision_note"]
        doneAt = Col.date(row["done_at"])
        doneBy = row["done_by"]
        doneNote = row["done_note"]
    }

    /// Where it stands.
    public var state: CorrectiveActionState { .of(decision: decision, doneAtSet: doneAt != nil) }
}

/// A center's annual satisfaction questionnaire (003 (1) 二 4).
public struct Survey: Codable, Sendable, Equatable, FetchableRecord {
    public var id: String
    public var center: String
    public var year: Int
    public var items: [SurveyItem]
    public var createdAt: Date
    public var createdBy: String

    public init(row: Row) throws {
        id = row["id"]
        center = row["center"]
        year = row["year"] ?? 0
        let json: String = row["items"] ?? "[]"
        items = SurveyRules.questionnaire(((try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []).compactMap(SurveyItem.init(rawValue:)))
        createdAt = Col.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0)
        createdBy = row["created_by"] ?? ""
    }

    /// The id of `center`'s questionnaire for `year`.
    public static func id(center: String, year: Int) -> String { "sv-\(center)-\(year)" }
}
