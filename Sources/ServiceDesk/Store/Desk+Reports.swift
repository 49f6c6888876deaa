import Foundation
import GRDB
import Replication

extension Desk {
    /// The centers that have requests in this replica, in code order (head office's own
    /// `HQ` left out unless it has requests).
    public func reportDataCenters() throws -> [String] {
        try replica.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT center FROM ticket ORDER BY center") }
    }

    /// Fetches what ``Report/build(_:)`` needs for `centers` and `period` (and the period
    /// before it): the requests opened from 30 days before the previous period on (for
    /// repeat complaints), completed since it began, or still open; their callback attempts;
    /// the refused-callback customers (as opaque ids); the staff names; survey responses,
    /// service exceptions, custody incidents, corrective actions and follow-up visits. Read only.
    public func reportInput(period: ReportPeriod, centers: [ReportCenter], now: Date) throws -> ReportInput {
        let calendar = try workCalendar()
        let codes = centers.map(\.code)
        let from = period.previous.interval(in: calendar).start
        let lookBack = Col.time(from.addingTimeInterval(-ReportTargets.repeatWindow))
        // Complaints resolved up to a month before are owed a follow-up in the period.
        let since = Col.time(from.addingTimeInterval(-31 * 24 * 3600))
        // A half-year window (the resident programme) began up to six months before.
        let callbacksSince = Col.time(calendar.startOfDay(calendar.civilDate(of: from).adding(months: -6)))
        return try replica.read { db in
            var facts = FactsBuilder(calendar: calendar)
            var tickets: [ReportTicket] = []
            var callbacks: [CallbackRecord] = []
            var customers: [ReportCustomer] = []
            var seeds: [String: UInt64] = [:]
            var names: [String: String] = [:]
            var responses: [ReportSurveyResponse] = []
            var exceptions: [ReportException] = []
            var incidents: [ReportCustodyIncident] = []
            var actions: [ReportCorrectiveAction] = []
            var followUps: [ReportFollowUp] = []
            // Statements prepared once for all centers (GRDB's authorizer makes each preparation
            // costly; a 5,000-center report runs each query 5,000 times).
            let ticketStatement = try db.cachedStatement(sql: """
                SELECT * FROM ticket WHERE center = ? AND (opened_at >= ? OR completed_at >= ?
                  OR (completed_at IS NULL AND closed_at IS NULL AND cancelled_at IS NULL))
                """)
            // Its columns located once, not once per center.
            let ticketColumns = TicketColumns(ticketStatement.columnNames)
            for code in codes {
                let rows = try Ticket.all(ticketStatement, columns: ticketColumns, arguments: [code, lookBack, since])
                for t in rows {
                    tickets.append(ReportTicket(
                        id: t.id, center: t.center, kind: t.kind, channel: t.channel, complaintClass: t.complaintClass,
                        severity: t.severity, openedAt: t.openedAt, reopenCount: t.reopenCount, completedAt: t.completedAt,
                        closedAt: t.closedAt, cancelledAt: t.cancelledAt, customerKey: t.customer, unitKey: t.unit,
                        aboutStaff: t.aboutStaff, supplierDispatchedAt: t.assigneeKind == "supplier" ? t.dispatchedAt : nil,
                        facts: try facts.facts(for: t, db)))
                }
                let calls = try Callback.fetchAll(db.cachedStatement(sql: "SELECT * FROM callback WHERE center = ? AND at >= ?"),
                                                  arguments: [code, callbacksSince])
                callbacks += calls.map(\.record)
                responses += calls.filter { $0.survey != nil }.map {
                    ReportSurveyResponse(center: code, at: $0.at, method: $0.method, overall: $0.result, answers: $0.surveyAnswers)
                }
                exceptions += try ServiceException.fetchAll(db.cachedStatement(sql: "SELECT * FROM service_exception WHERE center = ? AND recorded_at >= ?"),
                                                            arguments: [code, since])
                    .map { ReportException(center: code, ticketID: $0.ticket, kind: $0.kind, at: $0.recordedAt, amountFen: $0.amountFen,
                                           confirmed: $0.confirmedBy != nil) }
                incidents += try CustodyItem.fetchAll(db.cachedStatement(sql: "SELECT * FROM custody WHERE center = ? AND incident IS NOT NULL"), arguments: [code])
                    .map { ReportCustodyIncident(center: code, kind: $0.incident!, at: $0.incidentAt ?? $0.receivedAt, reported: $0.reportedAt != nil) }
                actions += try CorrectiveAction.fetchAll(db.cachedStatement(sql: "SELECT * FROM corrective_action WHERE center = ?"), arguments: [code])
                    .map { ReportCorrectiveAction(center: code, id: $0.id, quarter: $0.quarter, finding: $0.finding, action: $0.action,
                                                  state: $0.state, decidedBy: $0.decidedBy) }
                followUps += try FollowUp.fetchAll(db.cachedStatement(sql: "SELECT * FROM follow_up WHERE center = ?"), arguments: [code])
                    .map { ReportFollowUp(center: code, createdAt: $0.createdAt, dueOn: $0.dueOn, closedAt: $0.closedAt) }
                if codes.count == 1 {
                    let people = try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(Customer.programmeColumns) FROM customer WHERE center = ?"),
                                                     arguments: [code])
                    while let r = try people.next() { customers.append(ReportCustomer(center: code, customer: Customer.programmeCustomer(row: r, calendar))) }
                }
                for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT month, seed FROM callback_plan WHERE center = ?"), arguments: [code]) {
                    if let month: String = r["month"], let seed: Int64 = r["seed"] { seeds["\(code)/\(month)"] = UInt64(bitPattern: seed) }
                }
                for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name FROM staff WHERE center = ? OR center IS NULL"), arguments: [code]) {
                    names[r["id"]] = r["name"]
                }
            }
            if codes.count > 1 {
                // Every center's customers (at a 5,000-center hub, half a million) in one scan of
                // the table rather than one indexed query per center, each row then looked up by
                // its key. Put in the centers' order; the order within a center does not matter
                // (the measures count customers and sort what they draw by id).
                var position: [String: Int] = [:]
                for code in codes where position[code] == nil { position[code] = position.count }
                var byCenter = [[ReportCustomer]](repeating: [], count: position.count)
                let people = try Row.fetchCursor(db, sql: "SELECT \(Customer.programmeColumns), center FROM customer")
                while let r = try people.next() {
                    guard let center: String = r[7], let i = position[center] else { continue }
                    byCenter[i].append(ReportCustomer(center: center, customer: Customer.programmeCustomer(row: r, calendar)))
                }
                customers.reserveCapacity(byCenter.reduce(0) { $0 + $1.count })
                for part in byCenter { customers += part }
            }
            return ReportInput(period: period, now: now, calendar: calendar, atHub: isHub, centers: centers, tickets: tickets,
                               callbacks: callbacks, customers: customers, seeds: seeds, staffNames: names, surveyResponses: responses,
                               exceptions: exceptions, custodyIncidents: incidents, correctiveActions: actions, followUps: followUps)
        }
    }
}
