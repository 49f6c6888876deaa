import Foundation
import GRDB
import Replication

extension Desk {
    /// Opens a request and returns its number (`C001-261123-007`: center, date, the day's
    /// sequence). Numbers continue from whatever the replica holds, so a replacement node
    /// that bootstrapped from the hub carries on without collisions; requests opened at
    /// head office for a center get an `H` sequence (`C001-261123-H01`).
    @discardableResult
    public func openTicket(_ input: TicketInput) throws -> Ticket {
        let acting = try authorize(.ticketOpen)
        let center = try recordCenter(input.center)
        let summary = input.summary.trimmingWhitespace()
        guard !summary.isEmpty else { throw DeskError.invalid("a request needs a summary (--summary)") }
        if input.kind != .complaint && (input.complaintClass != nil || input.severity != nil || input.aboutStaff != nil) {
            throw DeskError.invalid("complaint class, severity and the staff complained about apply to complaints only")
        }
        if input.location != nil && input.kind != .repair { throw DeskError.invalid("a location (户内/公共区域) applies to repairs only") }
        let calendar = try workCalendar()
        let id = try write(acting) { tx -> String in
            var unit = input.unit.flatMap { Col.text($0).text }
            if let c = input.customer {
                let cust = try requireCustomer(tx.db, c)
                guard cust.center == center else { throw DeskError.invalid("customer \(c) belongs to center \(cust.center), not \(center)") }
                if unit == nil { unit = cust.unit }
            }
            if let s = input.aboutStaff { try requireStaff(tx.db, s) }
            let number = try nextTicketNumber(tx.db, center: center, day: calendar.civilDate(of: acting.now))
            let id = try tx.insert("ticket", id: ShortID.make("tk", tx), [
                "center": .text(center), "number": .text(number), "kind": .text(input.kind.rawValue),
                "complaint_class": input.complaintClass.map { .integer(Int64($0.rawValue)!) } ?? .null,
                "severity": input.kind == .complaint ? .text((input.severity ?? .general).rawValue) : .null,
                "channel": .text(input.channel.rawValue), "summary": .text(summary),
                "customer": Value(input.customer), "unit": Value(unit), "about_staff": Value(input.aboutStaff),
                "location": input.location.map { .text($0.rawValue) } ?? .null,
                "status": .text(TicketStage.received.rawValue), "reopen_count": 0, "escalated": 0,
                "opened_at": Col.time(acting.now), "opened_by": .text(acting.staff),
            ])
            let kindText = input.kind.displayName + (input.location.map { "（\($0.displayName)）" } ?? "")
            try logEvent(tx, center: center, ticket: id, action: "open", detail: "\(kindText)：\(summary)", acting)
            return id
        }
        return try ticket(id)
    }

    func nextTicketNumber(_ db: Database, center: String, day: CivilDate) throws -> String {
        let prefix = "\(center)-\(String(format: "%02d%02d%02d", day.year % 100, day.month, day.day))-\(isHub ? "H" : "")"
        let existing = try String.fetchAll(db, sql: "SELECT number FROM _rep_ticket WHERE center = ? AND number LIKE ?",
                                           arguments: [center, prefix + "%"])
        let highest = existing.compactMap { Int($0.dropFirst(prefix.count)) }.max() ?? 0
        return prefix + String(format: isHub ? "%02d" : "%03d", highest + 1)
    }

    /// Moves a request through its lifecycle (dispatch, arrive, complete, callback, close,
    /// reopen, cancel, escalate). An event the lifecycle does not allow is refused with the
    /// allowed ones named. The step lands in the timeline with who and when.
    @discardableResult
    public func advance(_ ref: String, _ event: TicketEvent, details: StepDetails = StepDetails()) throws -> Ticket {
        let action = Permissions.action(for: event)
        let acting = try authorize(action)
        let calendar = try workCalendar()
        let assignee = try replica.read { db in try requireTicket(db, ref).assignee }
        // A technician or supplier records only their own steps: arrival and completion of
        // a request dispatched to them; the desk roles record them for anyone.
        if let role = acting.role, Permissions.providers.contains(role), assignee != acting.staff {
            throw denied(acting, action, detail: "\(action.rawValue) on \(ref), assigned to someone else")
        }
        let id = try write(acting) { tx -> String in
            let t = try requireTicket(tx.db, ref)
            if let role = acting.role, Permissions.providers.contains(role), t.assignee != acting.staff {
                throw PermissionDenied(role: role, action: action)
            }
            let next = try TicketLifecycle.apply(event, to: t.state, kind: t.kind)
            var v: [String: Value] = [:]
            if next.stage != t.stage || next.reopenCount != t.reopenCount {
                v["status"] = .text(next.stage.rawValue)
                v["reopen_count"] = .integer(Int64(next.reopenCount))
            }
            let now = Col.time(acting.now)
            var detail = details.note
            switch event {
            case .dispatch:
                guard let a = details.assignee?.trimmingWhitespace(), !a.isEmpty else {
                    throw DeskError.invalid("dispatch needs the staff member or supplier sent (--to)")
                }
                let kind = details.assigneeKind ?? "staff"
                guard kind == "staff" || kind == "supplier" else { throw DeskError.invalid("--kind is staff or supplier") }
                if kind == "staff" { try requireStaff(tx.db, a) }
                v["assignee"] = .text(a)
                v["assignee_kind"] = .text(kind)
                v["dispatched_at"] = now
                v["agreed_arrival_at"] = Col.time(details.agreedArrival)
                if t.answeredAt == nil { v["answered_at"] = now }
                detail = ["→ \(a)", details.agreedArrival.map { "约定 \(TimeFormat.short($0))" }, details.note].compactMap { $0 }.joined(separator: " ")
            case .arrive: v["arrived_at"] = now
            case .complete:
                v["completed_at"] = now
                v["customer_signed"] = Col.flag(details.customerSigned)
                try insertPlanSeed(tx, center: t.center, month: calendar.civilDate(of: acting.now).yearMonth, acting)
                if details.customerSigned { detail = ["顾客已签字", details.note].compactMap { $0 }.joined(separator: " ") }
            case .callBack: v["called_back_at"] = now
            case .close: v["closed_at"] = now
            case .cancel: v["cancelled_at"] = now
            case .escalate:
                v["escalated"] = 1
                v["escalated_at"] = now
            case .reopen:
                // A new cycle: its timestamps start again, the history stays in the timeline.
                for f in ["answered_at", "dispatched_at", "agreed_arrival_at", "arrived_at", "completed_at", "called_back_at", "closed_at"] {
                    v[f] = .null
                }
                v["customer_signed"] = 0
                v["cycle_opened_at"] = now
            }
            try tx.update("ticket", id: t.id, v)
            try logEvent(tx, center: t.center, ticket: t.id, action: event.rawValue, detail: detail, acting)
            return t.id
        }
        return try ticket(id)
    }

    /// Records the first answer to the customer (with a time plan) — the 24-hour rule.
    public func answer(_ ref: String, note: String?) throws {
        let acting = try authorize(.ticketAnswer)
        try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            if t.answeredAt == nil { try tx.update("ticket", id: t.id, ["answered_at": Col.time(acting.now)]) }
            try logEvent(tx, center: t.center, ticket: t.id, action: "answer", detail: note, acting)
        }
    }

    /// Adds a note to the timeline (a quality-department remark, a call with the customer).
    public func note(_ ref: String, _ text: String) throws {
        let acting = try authorize(.ticketNote)
        let n = text.trimmingWhitespace()
        guard !n.isEmpty else { throw DeskError.invalid("empty note") }
        // A technician or supplier writes on the requests sent to them only.
        if let role = acting.role, Permissions.providers.contains(role),
           try replica.read({ db in try requireTicket(db, ref).assignee }) != acting.staff {
            throw denied(acting, .ticketNote, detail: "note on \(ref), assigned to someone else")
        }
        try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            if let role = acting.role, Permissions.providers.contains(role), t.assignee != acting.staff {
                throw PermissionDenied(role: role, action: .ticketNote)
            }
            try logEvent(tx, center: t.center, ticket: t.id, action: "note", detail: n, acting)
        }
    }

    /// Edits a request's descriptive fields (summary, channel, class, severity, unit, reassignment).
    public func updateTicket(_ ref: String, summary: String? = nil, channel: Channel? = nil, complaintClass: ComplaintClass? = nil,
                             severity: Severity? = nil, unit: String? = nil, assignee: String? = nil, assigneeKind: String? = nil) throws {
        let acting = try authorize(.ticketUpdate)
        try write(acting) { tx in
            let t = try requireTicket(tx.db, ref)
            var v: [String: Value] = [:]
            if let summary { guard !summary.trimmingWhitespace().isEmpty else { throw DeskError.invalid("empty summary") }; v["summary"] = Col.text(summary) }
            if let channel { v["channel"] = .text(channel.rawValue) }
            if complaintClass != nil || severity != nil {
                guard t.kind == .complaint else { throw DeskError.invalid("complaint class and severity apply to complaints only") }
                if let complaintClass { v["complaint_class"] = .integer(Int64(complaintClass.rawValue)!) }
                if let severity { v["severity"] = .text(severity.rawValue) }
            }
            if let unit { v["unit"] = Col.text(unit) }
            if let assignee {
                guard t.dispatchedAt != nil, [.dispatched, .arrived].contains(t.stage) else {
                    throw DeskError.refused("request \(t.number) is \(t.stage.rawValue); only a dispatched request can be reassigned")
                }
                let kind = assigneeKind ?? "staff"
                if kind == "staff" { try requireStaff(tx.db, assignee) }
                v["assignee"] = .text(assignee)
                v["assignee_kind"] = .text(kind)
            }
            guard !v.isEmpty else { throw DeskError.invalid("nothing to change") }
            try tx.update("ticket", id: t.id, v)
            let what = v.keys.sorted().map { k in "\(k)=\(v[k]!)" }.joined(separator: ", ")
            try logEvent(tx, center: t.center, ticket: t.id, action: assignee != nil ? "reassign" : "update", detail: what, acting)
        }
    }

    // MARK: reading

    package func ticket(_ ref: String) throws -> Ticket {
        try replica.read { db in try requireTicket(db, ref) }
    }

    package func timeline(_ ref: String) throws -> [TimelineEntry] {
        try replica.read { db in
            let t = try requireTicket(db, ref)
            return try TimelineEntry.fetchAll(db, sql: "SELECT * FROM ticket_event WHERE ticket = ? ORDER BY at, id", arguments: [t.id])
        }
    }

    /// Lists requests with their deadlines evaluated at `now`.
    package func tickets(_ f: TicketFilter = TicketFilter(), now: Date = Date()) throws -> [TicketWithDeadlines] {
        try matchingTickets(f, now: now, counting: false).items
    }

    /// How many requests match `f` (its limit and offset aside): what a cut list says.
    package func ticketCount(_ f: TicketFilter = TicketFilter(), now: Date = Date()) throws -> Int {
        if !f.overdue && !f.dueToday {
            let (sql, args) = try ticketQuery(f, select: "count(*)")
            return try replica.read { db in try Int.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0 }
        }
        return try matchingTickets(f, now: now, counting: true).count
    }

    private func ticketQuery(_ f: TicketFilter, select: String) throws -> (String, [DatabaseValueConvertible]) {
        var sql = "SELECT \(select) FROM ticket WHERE 1"
        var args: [DatabaseValueConvertible] = []
        if let k = f.kind { sql += " AND kind = ?"; args.append(k.rawValue) }
        if let s = f.stage { sql += " AND status = ?"; args.append(s.rawValue) }
        if f.openOnly || f.overdue || f.dueToday { sql += " AND status NOT IN ('closed', 'cancelled')" }
        if let c = f.customer { sql += " AND customer = ?"; args.append(c) }
        if let a = f.assignee { sql += " AND assignee = ?"; args.append(a) }
        if let c = f.center { sql += " AND center = ?"; args.append(try CenterCode.validate(c)) }
        if f.escalatedOnly { sql += " AND escalated = 1" }
        if let s = f.since { sql += " AND opened_at >= ?"; args.append(Col.time(s)) }
        if let u = f.until { sql += " AND opened_at < ?"; args.append(Col.time(u)) }
        return (sql, args)
    }

    /// The page of `f` (or, `counting`, only the number of all matches: deadlines decide
    /// the overdue and due-today lists, so those are counted by evaluating them).
    private func matchingTickets(_ f: TicketFilter, now: Date, counting: Bool) throws -> (items: [TicketWithDeadlines], count: Int) {
        try evaluatedTickets(f, now: now, counting: counting, select: "*", whole: { _ in false })
    }

    /// The columns a request's deadlines and its visibility depend on: what
    /// ``evaluatedTickets(_:now:whole:)`` reads of every request it evaluates.
    static let deadlineColumns = [
        "id", "center", "number", "kind", "location", "severity", "status", "customer", "assignee", "assignee_kind", "opened_at",
        "cycle_opened_at", "answered_at", "dispatched_at", "agreed_arrival_at", "arrived_at", "completed_at", "called_back_at",
        "cancelled_at", "fee", "price_item",
    ].joined(separator: ", ")

    /// Every request matching `f` (its limit and offset aside) with its deadlines at `now`,
    /// each read from ``deadlineColumns`` only, the other fields left empty; `whole` picks,
    /// in list order, the requests to read whole, in the same snapshot. The 工作台 evaluates
    /// every open request for its counts and shows ninety of them.
    package func evaluatedTickets(_ f: TicketFilter, now: Date, whole: (TicketWithDeadlines) -> Bool) throws -> [TicketWithDeadlines] {
        var all = f
        all.offset = 0
        all.limit = Int.max
        return try evaluatedTickets(all, now: now, counting: false, select: Self.deadlineColumns, whole: whole).items
    }

    private func evaluatedTickets(_ f: TicketFilter, now: Date, counting: Bool, select: String,
                                  whole: (TicketWithDeadlines) -> Bool) throws -> (items: [TicketWithDeadlines], count: Int) {
        var (sql, args) = try ticketQuery(f, select: select)
        sql += " ORDER BY opened_at DESC, number DESC"
        let calendar = try workCalendar()
        let rules = DeadlineRules(calendar: calendar)
        return try replica.read { db in
            var facts = FactsBuilder(calendar: calendar)
            var out: [TicketWithDeadlines] = []
            var matched = 0
            // The same few filters come back with every page: prepared once per connection.
            let statement = try db.cachedStatement(sql: sql)
            let columns = TicketColumns(statement.columnNames)
            var wholeColumns: TicketColumns?
            let rows = try Row.fetchCursor(statement, arguments: StatementArguments(args))
            while let row = try rows.next() {
                let t = Ticket(row: row, columns: columns)
                var item = rules.evaluate(t, try facts.facts(for: t, db), at: now)
                if f.overdue && item.overdue.isEmpty { continue }
                if f.dueToday && item.dueToday.isEmpty { continue }
                matched += 1
                if counting || matched <= f.offset { continue }
                if whole(item) {
                    let full = try db.cachedStatement(sql: "SELECT * FROM ticket WHERE id = ?")
                    wholeColumns = wholeColumns ?? TicketColumns(full.columnNames)
                    if let r = try Row.fetchOne(full, arguments: [t.id]), let c = wholeColumns { item.ticket = Ticket(row: r, columns: c) }
                }
                out.append(item)
                if out.count >= f.limit { break }
            }
            return (out, matched)
        }
    }

    /// One request with its deadlines at `now`.
    package func ticketWithDeadlines(_ ref: String, now: Date = Date()) throws -> TicketWithDeadlines {
        let calendar = try workCalendar()
        let rules = DeadlineRules(calendar: calendar)
        return try replica.read { db in
            var facts = FactsBuilder(calendar: calendar)
            let t = try requireTicket(db, ref)
            return rules.evaluate(t, try facts.facts(for: t, db), at: now)
        }
    }

    // MARK: helpers

    /// Finds a request by number or id.
    func requireTicket(_ db: Database, _ ref: String) throws -> Ticket {
        let r = ref.trimmingWhitespace()
        let found = try Ticket.fetchAll(db, sql: "SELECT * FROM ticket WHERE id = ? OR number = ?", arguments: [r, r.uppercased()])
        guard let first = found.first else { throw DeskError.notFound("no request \(ref)") }
        guard found.count == 1 else {
            throw DeskError.invalid("\(ref) matches \(found.count) requests (\(found.map(\.id).joined(separator: ", "))); use the id")
        }
        return first
    }

    @discardableResult
    func requireStaff(_ db: Database, _ code: String) throws -> String {
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM staff WHERE id = ?", arguments: [code]) == 1 else {
            throw DeskError.notFound("no staff member \(code); see `gatehouse staff list`")
        }
        return code
    }

    func logEvent(_ tx: WriteTransaction, center: String, ticket: String, action: String, detail: String?, _ acting: Acting) throws {
        // Ids sort like the events happened: the transaction's hybrid-logical time first;
        // the replica's id last, so two replicas never make the same one.
        let id = String(format: "ev-%016llx-", try tx.timestamp().rawValue) + RecordID.generate().prefix(6) + "-" + tx.replicaID.rawValue
        try tx.insert("ticket_event", id: id, [
            "center": .text(center), "ticket": .text(ticket), "at": Col.time(acting.now), "staff": .text(acting.staff),
            "action": .text(action), "detail": Value(detail),
        ])
    }
}

/// Gathers what deadlines depend on beyond the request itself: new staff, staff
/// previously complained about, customers who refuse callbacks. One builder serves one
/// read of a list: the staff directory's hire dates and the complaints about staff are
/// read once for the whole list (the first time a request needs them), not per request.
struct FactsBuilder {
    let calendar: WorkCalendar
    let newStaff = NewStaffPolicy()
    let complained = ComplainedStaffPolicy()
    private var hireDates: [String: CivilDate]?
    /// Complaints naming a staff member: (request id, opened at), by staff id.
    private var complaints: [String: [(id: String, at: Date)]]?
    /// The customers who refuse callbacks.
    private var refusers: Set<String>?

    init(calendar: WorkCalendar) { self.calendar = calendar }

    mutating func facts(for t: Ticket, _ db: Database) throws -> TicketFacts {
        var byNew = false, byComplained = false
        if let a = t.assignee, t.assigneeKind != "supplier" {
            let on = calendar.civilDate(of: t.completedAt ?? t.dispatchedAt ?? t.openedAt)
            if hireDates == nil {
                var dates: [String: CivilDate] = [:]
                for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, hire_date FROM staff WHERE hire_date IS NOT NULL")) {
                    if let d = try? CivilDate(row[1] as String) { dates[row[0]] = d }
                }
                hireDates = dates
            }
            if let d = hireDates?[a] { byNew = newStaff.isNew(hiredOn: d, on: on) }
            if complaints == nil {
                var about: [String: [(id: String, at: Date)]] = [:]
                for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT about_staff, id, opened_at FROM ticket WHERE kind = 'complaint' AND about_staff IS NOT NULL")) {
                    if let at = Col.date(row[2]) { about[row[0], default: []].append((row[1], at)) }
                }
                complaints = about
            }
            let times = (complaints?[a] ?? []).filter { $0.id != t.id }.map(\.at)
            byComplained = complained.applies(complaintTimes: times, serviceAt: t.completedAt ?? t.dispatchedAt ?? t.openedAt)
        }
        var refuses = false
        if let c = t.customer {
            if refusers == nil {
                // The refused-callback list, once per list (an index finds it), not one
                // lookup of the customer per request.
                let statement = try db.cachedStatement(sql: "SELECT id FROM customer WHERE refused_callback = 1")
                refusers = Set(try String.fetchAll(statement))
            }
            refuses = refusers?.contains(c) == true
        }
        return TicketFacts(kind: t.kind, location: t.location, severity: t.severity, openedAt: t.cycleOpenedAt ?? t.openedAt, answeredAt: t.answeredAt,
                           dispatchedAt: t.dispatchedAt, agreedArrivalAt: t.agreedArrivalAt, arrivedAt: t.arrivedAt,
                           completedAt: t.completedAt, calledBackAt: t.calledBackAt, cancelledAt: t.cancelledAt,
                           isPaid: t.kind == .service || (t.service?.fee ?? 0) > 0, byNewStaff: byNew,
                           byPreviouslyComplainedStaff: byComplained, customerRefusesCallbacks: refuses)
    }
}

extension DeadlineRules {
    /// The request with its deadlines, and of them the overdue and the due-today ones at
    /// `now`, from one evaluation of the rules.
    func evaluate(_ t: Ticket, _ facts: TicketFacts, at now: Date) -> TicketWithDeadlines {
        let d = deadlines(for: facts)
        return TicketWithDeadlines(ticket: t, deadlines: d, overdue: Self.overdue(d, at: now), dueToday: dueToday(d, at: now))
    }
}

/// Times as the front desk reads them, in China time.
public enum TimeFormat {
    static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: WorkCalendar.chinaUTCOffsetSeconds)
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f
    }()

    /// `2026-11-23 17:40`.
    public static func short(_ d: Date) -> String { formatter.string(from: d) }

    /// Parses `2026-11-23 17:40`, `2026-11-23T17:40`, `2026-11-23 17:40:05` or a bare date
    /// (midnight), China time.
    public static func parse(_ s: String) throws -> Date {
        let t = s.trimmingWhitespace().replacingOccurrences(of: "T", with: " ")
        let parts = t.split(separator: " ")
        guard let datePart = parts.first, parts.count <= 2 else { throw DeskError.invalid("invalid time \"\(s)\": use YYYY-MM-DD HH:MM") }
        let day = try CivilDate(String(datePart))
        var h = 0, m = 0, sec = 0
        if parts.count == 2 {
            let hm = parts[1].split(separator: ":").map { Int($0) }
            guard (2...3).contains(hm.count), hm.allSatisfy({ $0 != nil }) else { throw DeskError.invalid("invalid time \"\(s)\": use YYYY-MM-DD HH:MM") }
            h = hm[0]!; m = hm[1]!; sec = hm.count == 3 ? hm[2]! : 0
            guard (0..<24).contains(h), (0..<60).contains(m), (0..<60).contains(sec) else { throw DeskError.invalid("invalid time \"\(s)\": no such hour or minute") }
        }
        let secs = day.daysSinceEpoch * 86400 + h * 3600 + m * 60 + sec - WorkCalendar.chinaUTCOffsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(secs))
    }
}
