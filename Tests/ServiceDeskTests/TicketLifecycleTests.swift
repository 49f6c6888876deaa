import ServiceDesk
import Testing

@Suite struct TicketLifecycleTests {
    /// The lifecycle written out by hand, independently of the implementation's switch:
    /// (from, event) → to, for every stage-changing transition of work on site (repairs,
    /// price-list services).
    static let onSiteMoves: [TicketStage: [TicketEvent: TicketStage]] = [
        .received: [.dispatch: .dispatched, .cancel: .cancelled],
        .dispatched: [.arrive: .arrived, .cancel: .cancelled],
        .arrived: [.complete: .completed, .cancel: .cancelled],
        .completed: [.callBack: .calledBack, .close: .closed, .reopen: .received],
        .calledBack: [.close: .closed, .reopen: .received],
        .closed: [.reopen: .received],
        .cancelled: [:],
    ]

    /// Issue 16: a complaint the desk resolves itself is completed without dispatch or
    /// arrival; an inquiry or suggestion is also answered and closed without them.
    static func expectedMoves(_ kind: RequestKind) -> [TicketStage: [TicketEvent: TicketStage]] {
        var moves = onSiteMoves
        if kind == .complaint || kind == .inquiry || kind == .suggestion {
            moves[.received]![.complete] = .completed
            moves[.dispatched]![.complete] = .completed
        }
        if kind == .inquiry || kind == .suggestion {
            for stage: TicketStage in [.received, .dispatched, .arrived] { moves[stage]![.close] = .closed }
        }
        return moves
    }

    static let allStates: [TicketState] = TicketStage.allCases.flatMap { stage in
        [0, 1, 5].flatMap { count in
            [false, true].map { TicketState(stage: stage, reopenCount: count, isEscalated: $0) }
        }
    }

    @Test(arguments: RequestKind.allCases)
    func everyTransitionIsAllowedOrRefusedExactlyAsSpecified(kind: RequestKind) throws {
        for state in Self.allStates {
            for event in TicketEvent.allCases {
                let escalationAllowed =
                    event == .escalate && !state.isEscalated && state.stage != .closed && state.stage != .cancelled
                if let target = Self.expectedMoves(kind)[state.stage]?[event] {
                    let next = try TicketLifecycle.apply(event, to: state, kind: kind)
                    #expect(next.stage == target)
                    #expect(next.reopenCount == state.reopenCount + (event == .reopen ? 1 : 0))
                    #expect(next.isEscalated == state.isEscalated)
                    #expect(TicketLifecycle.allows(event, from: state, kind: kind))
                } else if escalationAllowed {
                    let next = try TicketLifecycle.apply(event, to: state, kind: kind)
                    #expect(next == TicketState(stage: state.stage, reopenCount: state.reopenCount, isEscalated: true))
                } else {
                    #expect(!TicketLifecycle.allows(event, from: state, kind: kind))
                    #expect {
                        try TicketLifecycle.apply(event, to: state, kind: kind)
                    } throws: { error in
                        guard let error = error as? RuleError, error.code == .illegalTransition else { return false }
                        // The message names the event, the kind, the stage and every allowed event.
                        let allowed = TicketLifecycle.allowedEvents(from: state, kind: kind).map(\.rawValue)
                        let list = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
                        return error.message.hasPrefix("cannot \(event.rawValue) a \(kind.rawValue) that is \(state.stage.rawValue)")
                            && error.message.hasSuffix("; allowed: \(list)")
                    }
                }
            }
        }
    }

    @Test(arguments: RequestKind.allCases)
    func allowedEventsMatchTheHandWrittenTable(kind: RequestKind) {
        for state in Self.allStates {
            var expected = Set(Self.expectedMoves(kind)[state.stage]!.keys)
            if !state.isEscalated && state.stage != .closed && state.stage != .cancelled { expected.insert(.escalate) }
            #expect(Set(TicketLifecycle.allowedEvents(from: state, kind: kind)) == expected, "\(state)")
        }
    }

    @Test func aComplaintIsResolvedByTheDeskWithoutDispatchOrArrival() throws {
        let done = try TicketLifecycle.apply(.complete, to: TicketState(), kind: .complaint)
        #expect(done.stage == .completed)
        let answered = try TicketLifecycle.apply(.close, to: TicketState(), kind: .inquiry)
        #expect(answered.stage == .closed)
        // A repair still needs someone sent: "cannot complete a repair that is received".
        #expect(throws: RuleError.self) { try TicketLifecycle.apply(.complete, to: TicketState(), kind: .repair) }
        #expect(throws: RuleError.self) { try TicketLifecycle.apply(.close, to: TicketState(), kind: .complaint) }
    }

    @Test func refusalMessagesNameTheAllowedTransitions() {
        let dispatched = TicketState(stage: .dispatched)
        #expect {
            try TicketLifecycle.apply(.close, to: dispatched, kind: .repair)
        } throws: { error in
            (error as? RuleError)?.message == "cannot close a repair that is dispatched; allowed: arrive, cancel, escalate"
        }
        #expect {
            try TicketLifecycle.apply(.close, to: dispatched, kind: .complaint)
        } throws: { error in
            (error as? RuleError)?.message == "cannot close a complaint that is dispatched; allowed: arrive, complete, cancel, escalate"
        }
        #expect {
            try TicketLifecycle.apply(.cancel, to: TicketState(stage: .completed), kind: .service)
        } throws: { error in
            (error as? RuleError)?.message
                == "cannot cancel a service that is completed; allowed: callback, close, reopen, escalate"
        }
        #expect {
            try TicketLifecycle.apply(.reopen, to: TicketState(stage: .cancelled), kind: .repair)
        } throws: { error in
            (error as? RuleError)?.message == "cannot reopen a repair that is cancelled; allowed: none"
        }
        #expect {
            try TicketLifecycle.apply(.escalate, to: TicketState(stage: .arrived, isEscalated: true), kind: .repair)
        } throws: { error in
            (error as? RuleError)?.message
                == "cannot escalate a repair that is arrived and already escalated to head office; allowed: complete, cancel"
        }
    }

    /// The replication layer keeps the highest rank, so every stage-changing transition must
    /// strictly increase it; escalation must leave it alone and only set the flag.
    @Test(arguments: RequestKind.allCases)
    func rankStrictlyIncreasesAlongEveryStageChangingTransition(kind: RequestKind) throws {
        var checked = 0
        for state in Self.allStates {
            for event in TicketLifecycle.allowedEvents(from: state, kind: kind) {
                let next = try TicketLifecycle.apply(event, to: state, kind: kind)
                if event == .escalate {
                    #expect(next.rank == state.rank)
                    #expect(!state.isEscalated && next.isEscalated)
                } else {
                    #expect(next.rank > state.rank, "\(event) from \(state)")
                    checked += 1
                }
            }
        }
        let moves = Self.expectedMoves(kind).values.map(\.count).reduce(0, +)
        #expect(checked == Self.allStates.count / TicketStage.allCases.count * moves)
    }

    @Test(arguments: RequestKind.allCases)
    func rankIncreasesAlongEveryWalk(kind: RequestKind) throws {
        // Every path of up to 8 events from a new request: ranks strictly increase along
        // stage changes, so any two states on one history are ordered like the history.
        func walk(_ state: TicketState, depth: Int) throws -> Int {
            guard depth > 0 else { return 1 }
            var paths = 0
            for event in TicketLifecycle.allowedEvents(from: state, kind: kind) {
                let next = try TicketLifecycle.apply(event, to: state, kind: kind)
                #expect(event == .escalate ? next.rank == state.rank : next.rank > state.rank)
                paths += try walk(next, depth: depth - 1)
            }
            return max(paths, 1)
        }
        #expect(try walk(TicketState(), depth: 8) > 100)
    }

    @Test func rankOrderIsReopenCountThenStage() {
        #expect(TicketState(stage: .received, reopenCount: 1).rank > TicketState(stage: .closed).rank)
        #expect(TicketState(stage: .cancelled).rank > TicketState(stage: .arrived).rank)
        #expect(TicketState(stage: .completed).rank > TicketState(stage: .cancelled).rank)
        #expect(TicketStage.allCases.map(\.stageIndex) == Array(0...6))
        #expect(TicketState(stage: .arrived, reopenCount: 2).rank.description == "(2, 2)")
    }

    @Test func reopenIncrementsTheCountAndKeepsEscalation() throws {
        var state = TicketState()
        for event: TicketEvent in [.escalate, .dispatch, .arrive, .complete, .callBack, .close, .reopen] {
            state = try TicketLifecycle.apply(event, to: state, kind: .repair)
        }
        #expect(state == TicketState(stage: .received, reopenCount: 1, isEscalated: true))
    }

    @Test func stableRawValuesAndChineseNames() throws {
        #expect(
            TicketStage.allCases.map(\.rawValue)
                == ["received", "dispatched", "arrived", "cancelled", "completed", "called_back", "closed"])
        #expect(TicketStage.allCases.map(\.displayName) == ["受理", "已派工", "已到场", "已取消", "已完成", "已回访", "已关闭"])
        #expect(
            TicketEvent.allCases.map(\.rawValue)
                == ["dispatch", "arrive", "complete", "callback", "close", "cancel", "reopen", "escalate"])
        #expect(try TicketStage.parse("已回访") == .calledBack)
        #expect(try TicketStage.parse("called-back") == .calledBack)
        #expect(try TicketEvent.parse("callBack") == .callBack)
    }
}
