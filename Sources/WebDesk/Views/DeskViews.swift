import Foundation
import ServiceDesk

// The view models of the desk's pages: plain values the Mustache templates render, built
// from records that were already masked for the viewer (``Disclosure``). Pure: the view
// tests build them from fixtures and render them without a server.

/// A request in a list.
public struct TicketRow: Sendable, Equatable {
    public var number: String
    public var href: String
    public var kind: String
    public var stage: String
    public var summary: String
    public var unit: String
    public var assignee: String
    public var opened: String
    /// The next deadline still open: `回访 2026-11-24 00:00`.
    public var next: String
    public var overdue: Bool
    public var overdueText: String

    /// `shown` is the request as masked for the viewer; `w` gives its deadlines.
    public static func make(_ shown: Ticket, _ w: TicketWithDeadlines, now: Date) -> TicketRow {
        let open = w.deadlines.filter { $0.metAt == nil }.sorted { $0.due < $1.due }
        return TicketRow(number: shown.number, href: "/tickets/\(shown.number)",
                         kind: shown.kind.displayName + (shown.escalated ? " · 已上报" : ""),
                         stage: shown.stage.displayName, summary: shown.summary, unit: shown.unit ?? "",
                         assignee: shown.assignee ?? "", opened: Show.time(shown.openedAt),
                         next: open.first.map { "\($0.name.displayName) \(Show.time($0.due))" } ?? "",
                         overdue: !w.overdue.isEmpty,
                         overdueText: w.overdue.map(\.name.displayName).joined(separator: "、"))
    }
}

extension TicketRow {
    /// The row's `<tr>`, every value escaped as a template's `{{…}}` escapes it.
    ///
    /// Written here rather than in `ticket_rows.mustache`: swift-mustache resolves each
    /// `{{name}}` of each row through several dynamic casts and an allocation, and the
    /// 工作台's 90 rows and the list's 50 made template rendering a fifth of those pages'
    /// time under 20 clerks.
    public var html: String {
        func e(_ s: String) -> String { HTMLText.escape(s) }
        var s = overdue ? "<tr class=\"overdue\">" : "<tr>"
        s += "<td class=\"nowrap\"><a href=\"" + e(href) + "\">" + e(number) + "</a></td><td>" + e(kind) + "</td><td>" + e(stage)
        if overdue { s += " <span class=\"badge bad\">超期：" + e(overdueText) + "</span>" }
        s += "</td><td>" + e(summary) + "</td><td>" + e(unit) + "</td><td>" + e(assignee) + "</td><td class=\"nowrap\">" + e(opened)
            + "</td><td class=\"nowrap\">" + e(next) + "</td></tr>\n"
        return s
    }
}

/// A list of requests with its size (a section of a page).
public struct TicketTable: Sendable, Equatable {
    public var rows: [TicketRow]
    /// The rows' HTML (``TicketRow/html``), for `ticket_rows.mustache`.
    public var rowsHTML: String
    /// Stored, not computed: templates see stored properties only.
    public var count: Int
    public init(_ rows: [TicketRow]) {
        self.init(rows, total: rows.count)
    }

    /// The first rows of a longer list: `count` says how many there are in all.
    public init(_ rows: [TicketRow], total: Int) {
        self.rows = rows
        rowsHTML = rows.map(\.html).joined()
        count = total
    }
}

/// A figure on the 工作台.
public struct Tile: Sendable, Equatable {
    public var label: String
    public var count: Int
    public var href: String
    /// Shown in the warning colour when not zero.
    public var alert: Bool
    public init(label: String, count: Int, href: String, warn: Bool = false) {
        self.label = label
        self.count = count
        self.href = href
        alert = warn && count > 0
    }
}

/// The sync state in a line, as `gatehouse status` says it.
public struct SyncLine: Sendable, Equatable {
    public var state: String
    public var stateText: String
    public var pending: Int
    public var lastPush: String
    public var lastPull: String
    public var health: String

    public static func stateText(_ s: String) -> String {
        switch s {
        case "connected": "已连接总部"
        case "connecting": "正在连接"
        case "offline": "离线（数据保存在本机，恢复后自动同步）"
        case "refused": "总部拒绝连接"
        case "never": "尚未连接过总部"
        default: s
        }
    }
}

/// `/`: the desk's day at a glance.
public struct DashboardPage {
    public var frame: Frame
    public var today: String
    public var tiles: [Tile]
    public var overdue: TicketTable
    public var dueToday: TicketTable
    public var callbacksDue: TicketTable
    public var sync: SyncLine?
    public var canOpen: Bool
}

/// A customer in the lookup's results.
public struct CustomerRow: Sendable, Equatable {
    public var id: String
    public var href: String
    public var name: String
    public var phone: String
    public var unit: String
    public var flags: String

    public static func make(_ c: Customer) -> CustomerRow {
        CustomerRow(id: c.id, href: "/customers/\(c.id)", name: c.name, phone: c.phone ?? "", unit: c.unit ?? "",
                    flags: CustomerRow.flags(c))
    }

    static func flags(_ c: Customer) -> String {
        [c.specialCare ? "特殊关怀" : nil, c.refusedCallback ? "拒访" : nil, c.moveOut != nil ? "已迁出" : nil]
            .compactMap { $0 }.joined(separator: "、")
    }
}

/// `/customers`: the lookup.
public struct CustomerSearchPage {
    public var frame: Frame
    public var q: String
    public var searched: Bool
    public var rows: [CustomerRow]
    /// Why a search found nothing or was narrowed (last four digits for a masked role).
    public var hint: String?
    public var canAdd: Bool
    /// `/customers/new?phone=…` for a caller not found.
    public var addHref: String
    public var canOpen: Bool
    /// 导入 (`customer import`).
    public var canImport: Bool
}

/// `/customers/:id`.
public struct CustomerPage {
    public struct Member: Sendable, Equatable {
        public var name: String
        public var relation: String
        public var phone: String
    }
    public struct CallbackRow: Sendable, Equatable {
        public var at: String
        public var ticket: String
        public var method: String
        public var result: String
        public var score: String
        public var comment: String
    }
    public var frame: Frame
    public var id: String
    public var name: String
    public var phone: String
    public var unit: String
    public var idNumber: String
    public var moveIn: String
    public var moveOut: String
    public var specialCare: Bool
    public var refused: Bool
    public var refusedReason: String?
    public var needs: String
    public var note: String
    public var tags: [String]
    public var members: [Member]
    public var tickets: TicketTable
    public var callbacks: [CallbackRow]
    public var canEdit: Bool
    public var canOpen: Bool
    public var kinds: [SelectOption]
    public var channels: [SelectOption]
    public var csrf: String
}

/// `/customers/new` and `/customers/:id/edit`.
public struct CustomerFormPage {
    public var frame: Frame
    public var action: String
    public var heading: String
    public var name: String
    public var phone: String
    public var unit: String
    public var idNumber: String
    public var moveIn: String
    public var moveOut: String
    public var specialCare: Bool
    public var needs: String
    public var note: String
    public var editing: Bool
    public var cancelHref: String
}

/// `/tickets`: a filtered list.
public struct TicketListPage {
    public var frame: Frame
    public var table: TicketTable
    public var pager: Pager
    public var stages: [SelectOption]
    public var kinds: [SelectOption]
    public var assignee: String
    public var overdue: Bool
    /// Only requests with a deadline falling due today (and not yet past).
    public var dueToday: Bool
    public var canOpen: Bool
    public var heading: String
}

/// `/tickets/new`: open a request from the caller's number.
public struct TicketFormPage {
    public var frame: Frame
    /// The customer's id when opened from their page or the lookup (nil: from a number).
    public var customer: String?
    public var customerText: String
    public var phone: String
    public var name: String
    public var unit: String
    public var kinds: [SelectOption]
    public var channels: [SelectOption]
    public var classes: [SelectOption]
    public var severities: [SelectOption]
    public var summary: String
}

/// `/tickets/:number`.
public struct TicketPage {
    public struct DeadlineRow: Sendable, Equatable {
        public var name: String
        public var due: String
        public var met: String
        public var state: String
        public var late: Bool
    }
    public struct Step: Sendable, Equatable {
        public var at: String
        public var staff: String
        public var action: String
        public var detail: String
    }
    /// A lifecycle button the role may press, with what it needs.
    public struct Action: Sendable, Equatable {
        public var event: String
        public var label: String
        public var dispatch: Bool
        public var complete: Bool
        public var danger: Bool
        public var confirm: String?
    }
    public var frame: Frame
    public var number: String
    public var kind: String
    public var stage: String
    public var summary: String
    public var channel: String
    public var unit: String
    public var contactName: String
    public var contactPhone: String
    public var customerHref: String?
    public var assignee: String
    public var opened: String
    public var openedBy: String
    public var escalated: Bool
    public var reopenCount: Int
    public var overdue: Bool
    public var deadlines: [DeadlineRow]
    public var timeline: [Step]
    public var actions: [Action]
    public var assignees: [SelectOption]
    public var canNote: Bool
    public var canCallback: Bool
    public var methods: [SelectOption]
    public var results: [SelectOption]
    public var canPay: Bool
    /// 答复: the first answer to the customer (`ticket answer`), and when it was given.
    public var canAnswer: Bool
    public var answered: String
    /// 修改 (`ticket update`).
    public var canEdit: Bool
    /// nil: not a paid service.
    public var fee: String?
    public var paid: String?
    public var csrf: String

    /// A commissioned service's exception (`ticket exception`), as the page lists it.
    public struct ExceptionRow: Sendable, Equatable {
        public var id: String
        public var at: String
        public var kind: String
        public var clause: String
        public var amount: String
        public var by: String
        public var confirmation: String
        /// A change of the work not yet confirmed, and the role confirms (the manager).
        public var confirmable: Bool
    }
    /// A callback on this request (`callback list --ticket`), and whether the provider was told.
    public struct CallbackRow: Sendable, Equatable {
        public var id: String
        public var at: String
        public var method: String
        public var result: String
        public var score: String
        public var staff: String
        public var told: String
        /// `callback tell-provider` is offered.
        public var tellable: Bool
    }
    // Set with `didSet` flags: templates see stored properties only.
    public var exceptions: [ExceptionRow] = [] { didSet { hasExceptions = !exceptions.isEmpty } }
    public var hasExceptions = false
    /// The kinds of exception the role may record; empty: no form (not a commissioned service, or not the role's).
    public var exceptionKinds: [SelectOption] = [] { didSet { canException = !exceptionKinds.isEmpty } }
    public var canException = false
    public var callbacks: [CallbackRow] = [] { didSet { hasCallbacks = !callbacks.isEmpty } }
    public var hasCallbacks = false
    /// 改派 (`ticket update --assignee`): a dispatched request sent to someone else.
    public var canReassign: Bool = false
    /// 服务明细 (`ticket service`) of a chargeable request not yet paid; 经理审核 for the manager.
    public var canService: Bool = false
    public var canReview: Bool = false
    public var priceItems: [SelectOption] = []
    public var materials: [SelectOption] = []
    /// What is recorded of the paid service (item, materials, supplier); empty: nothing.
    public var serviceLine: String = ""

    /// The step buttons: the lifecycle's allowed events the role may take (a callback is
    /// recorded with its own form).
    public static func actions(for t: Ticket, may: (ServiceDesk.Action) -> Bool) -> [Action] {
        actions(number: t.number, state: t.state, kind: t.kind, may: may)
    }

    public static func actions(number: String, state: TicketState, kind: RequestKind, may: (ServiceDesk.Action) -> Bool) -> [Action] {
        TicketLifecycle.allowedEvents(from: state, kind: kind).filter { $0 != .callBack && may(Permissions.action(for: $0)) }.map { e in
            Action(event: e.rawValue, label: e.displayName, dispatch: e == .dispatch, complete: e == .complete,
                   danger: e == .cancel,
                   confirm: e == .cancel ? "确定取消工单 \(number)？" : e == .escalate ? "确定上报公司？" : nil)
        }
    }

    public static func deadlineRows(_ w: TicketWithDeadlines, now: Date) -> [DeadlineRow] {
        w.deadlines.map { d in
            let state = d.metAt != nil ? (d.wasMetOnTime == true ? "按时" : "超时完成") : (d.isOverdue(at: now) ? "超期" : "进行中")
            return DeadlineRow(name: d.name.displayName, due: Show.time(d.due), met: Show.time(d.metAt), state: state,
                               late: state == "超期" || state == "超时完成")
        }
    }
}

/// `/tickets/:number/print`: the work order (派工单) as printed for the technician.
public struct WorkOrderPage {
    public var title: String
    public var css: String
    public var js: String
    public var centerName: String
    public var number: String
    public var kind: String
    public var summary: String
    public var unit: String
    public var contactName: String
    public var contactPhone: String
    public var assignee: String
    public var opened: String
    public var dispatched: String
    public var agreedArrival: String
    public var printed: String
}

/// `/callbacks`: today's callbacks and the record form's choices.
public struct CallbacksPage {
    public var frame: Frame
    public var due: TicketTable
    public var recent: [CustomerPage.CallbackRow]
    public var month: String
    public var canPlan: Bool
    /// What every callback programme (001 回访操作指引, 003) owes today, and what is overdue
    /// (`gatehouse callback due`); nil when the role may not see the plan.
    public var programmes: ProgrammeDue?

    /// The due list of every programme.
    public struct ProgrammeDue: Sendable, Equatable {
        public struct Row: Sendable, Equatable {
            public var due: String
            public var programme: String
            public var reason: String
            public var number: String?
            public var href: String?
            public var name: String
            public var unit: String
            public var method: String
            public var caller: String
            public var state: String
            public var overdue: Bool
        }
        public var rows: [Row]
        /// Stored, not computed: templates see stored properties only.
        public var count: Int
        public var isEmpty: Bool
        public init(rows: [Row]) {
            self.rows = rows
            count = rows.count
            isEmpty = rows.isEmpty
        }
    }
}

/// `/callbacks/plan?month=`: the month's plan, printable.
public struct CallbackPlanPage {
    public struct Row: Sendable, Equatable {
        public var number: String
        public var href: String
        public var reason: String
        public var due: String
        public var state: String
    }
    public var frame: Frame
    public var month: String
    public var previous: String
    public var next: String
    public var summary: [Tile]
    public var rows: [Row]
}

/// `/parcels` and `/custody`.
public struct ParcelsPage {
    public struct Row: Sendable, Equatable {
        public var id: String
        public var received: String
        public var type: String
        public var recipient: String
        public var unit: String
        public var carrier: String
        public var tracking: String
        public var notified: String
        public var pickedUp: String
        public var waiting: Bool
        public var canNotify: Bool
    }
    public var frame: Frame
    public var rows: [Row]
    public var types: [SelectOption]
    public var waitingOnly: Bool
    public var canRecord: Bool
    public var csrf: String
}

public struct CustodyPage {
    public struct Row: Sendable, Equatable {
        public var id: String
        public var customer: String
        public var description: String
        public var conditionIn: String
        public var received: String
        public var returned: String
        public var held: Bool
    }
    public var frame: Frame
    public var rows: [Row]
    public var canRecord: Bool
    public var csrf: String
}

/// `/sync`: the node's status, as `gatehouse status`.
public struct SyncPage {
    public var frame: Frame
    public var line: SyncLine
    public var hub: String
    public var oldestPending: String
    public var behind: Int
    public var conflictsOpen: Int
    public var refused: Int
    public var problems: [String]
    public var generated: String
}

/// The console's `/`: every center's sync health.
public struct ConsolePage {
    public struct NodeRow: Sendable, Equatable {
        public var center: String
        public var href: String
        public var state: String
        public var stateText: String
        public var lastSeen: String
        public var lastPush: String
        public var backlog: Int
        public var pullLag: Int
        public var refused: Int
        public var conflicts: Int
        public var health: String
        public var lagging: Bool
        public var problem: String
    }
    /// The rows alone, for the live refresh.
    public struct Rows { public var nodes: [NodeRow] }

    public var frame: Frame
    public var nodes: [NodeRow]
    public var total: Int
    public var healthy: Int
    public var lagging: Int
    public var offline: Int
    public var refused: Int
    public var logHead: Int
    public var generated: String
    public var filter: String
    public var refreshURL: String
    public var filters: [SelectOption]

    public static func stateText(_ s: String) -> String {
        switch s {
        case "connected": "在线"
        case "offline": "离线"
        case "refused": "已拒绝"
        case "never": "从未连接"
        default: s
        }
    }
}

/// `/conflicts`.
public struct ConflictsPage {
    public struct Row: Sendable, Equatable {
        public var key: String
        public var record: String
        public var field: String
        public var winner: String
        public var winnerBy: String
        public var loser: String
        public var loserBy: String
        public var state: String
        public var open: Bool
    }
    public var frame: Frame
    public var rows: [Row]
    public var canResolve: Bool
    public var all: Bool
    public var csrf: String
}

/// `/grants` at a center (apply, follow) and at head office (approve, revoke).
public struct GrantsPage {
    public struct Row: Sendable, Equatable {
        public var id: String
        public var center: String
        public var grantee: String
        public var fields: String
        public var customers: String
        public var purpose: String
        public var period: String
        public var status: String
        public var chain: [String]
        public var canApprove: Bool
        public var canRevoke: Bool
        public var uses: [String]
        public var useCount: Int
        /// Whether it was used (a section on 0 would still render: Mustache's numbers are true).
        public var used: Bool
    }
    public var frame: Frame
    public var rows: [Row]
    public var canApply: Bool
    public var fields: [SelectOption]
    public var from: String
    public var csrf: String
}

/// Previous and next links of a list shown a page at a time, keeping its filters.
public struct Pager: Sendable, Equatable {
    public var page: Int
    public var previous: String?
    public var next: String?
    /// Whether there is more than one page (the links are shown).
    public var shown: Bool

    public init(path: String, query: [String: String], page: Int, hasNext: Bool) {
        self.page = page
        func href(_ n: Int) -> String {
            var q = query
            q["page"] = n == 1 ? nil : String(n)
            let s = q.keys.sorted().map { "\($0.queryEncoded)=\(q[$0]!.queryEncoded)" }.joined(separator: "&")
            return s.isEmpty ? path : path + "?" + s
        }
        previous = page > 1 ? href(page - 1) : nil
        next = hasNext ? href(page + 1) : nil
        shown = previous != nil || next != nil
    }
}
