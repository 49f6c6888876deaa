/// Where a request is in its lifecycle. Raw values are stored in SQLite; never change them.
///
/// Cases are declared in ``stageIndex`` order.
public enum TicketStage: String, DomainEnumeration, Comparable {
    /// 受理: registered at the front desk (also where a reopened request returns to).
    case received
    /// 已派工: dispatched to a staff member or a supplier (who is recorded by the caller).
    case dispatched
    /// 已到场: the provider arrived on site.
    case arrived
    /// 已取消: cancelled before completion. Ranked after ``arrived`` and before
    /// ``completed``; see ``TicketRank``.
    case cancelled
    /// 已完成: the work is done and the customer signed.
    case completed
    /// 已回访: the customer was called back.
    case calledBack = "called_back"
    /// 已关闭: closed.
    case closed

    public static let valueName = "request status"

    public var displayName: String {
        switch self {
        case .received: "受理"
        case .dispatched: "已派工"
        case .arrived: "已到场"
        case .cancelled: "已取消"
        case .completed: "已完成"
        case .calledBack: "已回访"
        case .closed: "已关闭"
        }
    }

    /// The stage's position in the merge order (0 ... 6), the second component of
    /// ``TicketRank``: received 0, dispatched 1, arrived 2, cancelled 3, completed 4,
    /// calledBack 5, closed 6.
    public var stageIndex: Int { TicketStage.allCases.firstIndex(of: self)! }

    public static func < (lhs: TicketStage, rhs: TicketStage) -> Bool { lhs.stageIndex < rhs.stageIndex }
}

/// Something that happens to a request. Raw values are stored in the request's timeline.
///
/// Cases are declared in the order in which allowed events are listed in messages.
public enum TicketEvent: String, DomainEnumeration {
    /// 派工: received → dispatched.
    case dispatch
    /// 到场: dispatched → arrived.
    case arrive
    /// 完成 (顾客签字): arrived → completed; a complaint, inquiry or suggestion the desk resolves
    /// itself also from received or dispatched (办结).
    case complete
    /// 回访: completed → calledBack.
    case callBack = "callback"
    /// 关闭: completed or calledBack → closed; an inquiry or suggestion also straight from
    /// received, dispatched or arrived once answered (答复后关闭).
    case close
    /// 取消: received, dispatched or arrived → cancelled.
    case cancel
    /// 重新打开: completed, calledBack or closed → received, with the reopen count + 1.
    case reopen
    /// 上报公司: escalate to head office. Sets ``TicketState/isEscalated`` and leaves the
    /// stage alone; allowed once, from any stage that is not closed or cancelled.
    case escalate

    public static let valueName = "request event"

    public var displayName: String {
        switch self {
        case .dispatch: "派工"
        case .arrive: "到场"
        case .complete: "完成"
        case .callBack: "回访"
        case .close: "关闭"
        case .cancel: "取消"
        case .reopen: "重新打开"
        case .escalate: "上报公司"
        }
    }
}

/// The merge order of lifecycle states: `(reopenCount, stageIndex)`, compared
/// lexicographically. Every stage-changing event strictly increases it, so the replication
/// layer can merge concurrent status changes by keeping the highest rank.
///
/// Consequences of the order, chosen on purpose:
/// - a reopen (count + 1) beats anything done concurrently in the earlier cycle;
/// - cancelled (3) beats received, dispatched and arrived, but loses to completed (4): when
///   one desk cancels while the provider's completion (with the customer's signature)
///   arrives from another, the work that was actually done wins.
public struct TicketRank: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How many times the request was reopened.
    public let reopenCount: Int
    /// ``TicketStage/stageIndex`` of the stage.
    public let stageIndex: Int

    public static func < (lhs: TicketRank, rhs: TicketRank) -> Bool {
        (lhs.reopenCount, lhs.stageIndex) < (rhs.reopenCount, rhs.stageIndex)
    }

    public var description: String { "(\(reopenCount), \(stageIndex))" }
}

/// A request's lifecycle state: stage, reopen count and the escalation flag.
///
/// The escalation flag is deliberately outside ``rank``: escalation does not change the
/// stage, and if it were part of the rank a concurrent stage change would erase it. The
/// replication layer merges it as a grow-only flag (logical OR); it stays set after a
/// reopen.
public struct TicketState: Sendable, Hashable, Codable {
    /// The current stage.
    public var stage: TicketStage
    /// How many times the request was reopened (0 for a new request).
    public var reopenCount: Int
    /// Whether the request was escalated to head office (上报公司).
    public var isEscalated: Bool

    /// Creates a state; a new request is `TicketState()` (received, never reopened).
    public init(stage: TicketStage = .received, reopenCount: Int = 0, isEscalated: Bool = false) {
        self.stage = stage
        self.reopenCount = reopenCount
        self.isEscalated = isEscalated
    }

    /// The merge order `(reopenCount, stageIndex)`.
    public var rank: TicketRank { TicketRank(reopenCount: reopenCount, stageIndex: stage.stageIndex) }
}

/// The request lifecycle as a pure state machine. Repairs and price-list services are work
/// on site: dispatched, arrived, completed. Complaints, inquiries and suggestions can be
/// resolved by the desk itself (issue 16): a complaint is completed without dispatch or
/// arrival when the desk resolves it directly (it keeps its 1 / 7 working-day and 24-hour
/// rules, not the 30-minute arrival rule of commissioned services); an inquiry or a
/// suggestion is answered and closed without dispatch.
///
/// ```text
/// received ─dispatch→ dispatched ─arrive→ arrived ─complete→ completed ─callback→ calledBack
///    │                   │                  │                   │  └────close──→ closed ←─close─┘
///    └──────cancel───────┴──────cancel──────┴→ cancelled        │
/// completed, calledBack, closed ─reopen→ received (reopen count + 1)
/// escalate: any stage except closed and cancelled, once; the stage is unchanged
/// complaint, inquiry, suggestion: also received, dispatched ─complete→ completed
/// inquiry, suggestion: also received, dispatched, arrived ─close→ closed
/// ```
///
/// A callback recorded after a request was closed is a callback record only; the stage
/// stays closed. Cancelled is final (open a new request instead).
///
/// ```swift
/// var state = TicketState()
/// state = try TicketLifecycle.apply(.dispatch, to: state, kind: .repair)
/// try TicketLifecycle.apply(.close, to: state, kind: .repair)
/// // cannot close a repair that is dispatched; allowed: arrive, cancel, escalate
/// ```
public enum TicketLifecycle {
    /// The events allowed from `state` for a request of `kind`, in ``TicketEvent``
    /// declaration order.
    public static func allowedEvents(from state: TicketState, kind: RequestKind) -> [TicketEvent] {
        TicketEvent.allCases.filter { target(of: $0, from: state, kind: kind) != nil }
    }

    /// The state after `event`, or a ``RuleError`` (`illegalTransition`) whose message names
    /// the kind, the current stage and the allowed events, e.g.
    /// "cannot close a repair that is dispatched; allowed: arrive, cancel, escalate".
    public static func apply(_ event: TicketEvent, to state: TicketState, kind: RequestKind) throws(RuleError) -> TicketState {
        if let next = target(of: event, from: state, kind: kind) { return next }
        let allowed = allowedEvents(from: state, kind: kind).map(\.rawValue)
        let why =
            event == .escalate && state.isEscalated && state.stage != .closed && state.stage != .cancelled
            ? " and already escalated to head office" : ""
        throw RuleError(
            .illegalTransition,
            "cannot \(event.rawValue) a \(kind.rawValue) that is \(state.stage.rawValue)\(why); allowed: "
                + (allowed.isEmpty ? "none" : allowed.joined(separator: ", "))
        )
    }

    /// Whether `event` is allowed from `state` for a request of `kind`.
    public static func allows(_ event: TicketEvent, from state: TicketState, kind: RequestKind) -> Bool {
        target(of: event, from: state, kind: kind) != nil
    }

    private static func target(of event: TicketEvent, from state: TicketState, kind: RequestKind) -> TicketState? {
        var next = state
        let desk = !kind.needsProvider
        let answerable = kind == .inquiry || kind == .suggestion
        switch (event, state.stage) {
        case (.dispatch, .received): next.stage = .dispatched
        case (.arrive, .dispatched): next.stage = .arrived
        case (.complete, .arrived): next.stage = .completed
        // `where` binds to one pattern only, so each carries its own.
        case (.complete, .received) where desk, (.complete, .dispatched) where desk: next.stage = .completed
        case (.callBack, .completed): next.stage = .calledBack
        case (.close, .completed), (.close, .calledBack): next.stage = .closed
        case (.close, .received) where answerable, (.close, .dispatched) where answerable, (.close, .arrived) where answerable:
            next.stage = .closed
        case (.cancel, .received), (.cancel, .dispatched), (.cancel, .arrived): next.stage = .cancelled
        case (.reopen, .completed), (.reopen, .calledBack), (.reopen, .closed):
            next.stage = .received
            next.reopenCount += 1
        case (.escalate, let stage) where stage != .closed && stage != .cancelled && !state.isEscalated:
            next.isEscalated = true
        default: return nil
        }
        return next
    }
}
