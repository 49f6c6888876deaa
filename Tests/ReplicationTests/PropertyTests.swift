import Foundation
import Testing
@testable import Replication

/// Algebraic properties of the pure merge over reachable states of one record, generated
/// by random histories of in-memory replicas (see `PureModel.swift`).
@Suite struct MergePropertyTests {
    static let layouts: [TableLayout] = Fixtures.schema().tables.filter { !$0.appendOnly }.map { try! TableLayout($0) }

    /// Runs a random history of 2–4 replicas of one record and returns every state seen.
    static func history(seed: UInt64, layout l: TableLayout, steps: Int = 40, concurrentInserts: Bool = true) -> [RecordState] {
        var g = SplitMix64(seed: seed)
        var reps = ["a", "b", "c", "hub"].prefix(g.int(2...4)).map(PureReplica.init)
        var wall: UInt64 = 1_000
        var pool: [RecordState] = []
        let center = "C001"
        func commit(_ k: Int, _ body: (inout PureTx) -> Bool) {
            var tx = PureTx(reps[k], wall: wall, author: "S\(k)")
            if body(&tx) { reps[k] = tx.r }
        }
        commit(0) { $0.insert(l, id: "r1", Gen.insertValues(l.name, center: center, &g), sets: Gen.insertSets(l.name, &g)) }
        for _ in 0..<steps {
            // Wall clocks step forward, sometimes back.
            if g.chance(0.1) { wall = wall > 50 ? wall - UInt64(g.int(50)) : wall } else { wall += UInt64(g.int(0...20)) }
            let k = g.int(reps.count)
            if reps[k].state == nil {
                if concurrentInserts && g.chance(0.15) {
                    commit(k) { $0.insert(l, id: "r1", Gen.insertValues(l.name, center: center, &g), sets: Gen.insertSets(l.name, &g)) }
                } else if let src = reps.indices.filter({ reps[$0].state != nil }).randomElement(using: &g) {
                    reps[k].merge(reps[src].state!, l)
                }
            } else {
                switch g.int(10) {
                case 0, 1, 2:
                    let u = Gen.update(l, &g)
                    commit(k) { $0.update(l, u) }
                case 3:
                    if let set = l.slots.first(where: { if case .addWinsSet = $0.policy { return true } else { return false } }) {
                        let e = g.pick(Gen.tagPool)
                        if g.chance(0.6) { commit(k) { $0.add(l, e, to: set.name) } } else { commit(k) { $0.remove(l, e, from: set.name) } }
                    }
                case 4:
                    if g.chance(0.3) { commit(k) { $0.delete(l) } }
                case 5:
                    if let open = reps[k].state!.conflicts.filter(\.isOpen).randomElement(using: &g) {
                        let res = Gen.resolution(l, field: open.field, &g)
                        commit(k) { $0.resolve(l, field: open.field, loser: open.loser.dot, with: res) }
                    }
                default:
                    let src = g.int(reps.count)
                    if src != k, let s = reps[src].state { reps[k].merge(s, l) }
                }
            }
            if let s = reps[k].state { pool.append(s) }
        }
        return pool
    }

    static func m(_ a: RecordState, _ b: RecordState, _ l: TableLayout) -> RecordState {
        Merge.merge(local: a, remote: b, layout: l).state
    }

    /// Checks every law on one triple; returns the names of the laws that failed.
    static func laws(_ a: RecordState, _ b: RecordState, _ c: RecordState, _ l: TableLayout) -> [String] {
        var failed: [String] = []
        let ab = m(a, b, l)
        if ab != m(b, a, l) { failed.append("commutative") }
        let left = m(ab, c, l), right = m(a, m(b, c, l), l)
        if left != right {
            // See `conflictWinnerIsOrderDependent`: apart from the winner recorded in
            // conflict entries, the merge must be associative.
            failed.append(withoutConflicts(left) == withoutConflicts(right) ? "associative (conflict entries only)" : "associative")
        }
        if m(a, a, l) != a { failed.append("idempotent") }
        if m(ab, b, l) != ab || m(ab, a, l) != ab { failed.append("absorbing") }
        // Conflict entries only grow: every key on either side survives the merge.
        let keys = Set(ab.conflicts.map { "\($0.field)/\($0.loser.dot)" })
        if !(a.conflicts + b.conflicts).allSatisfy({ keys.contains("\($0.field)/\($0.loser.dot)") }) { failed.append("conflict-monotone") }
        let o = Merge.merge(local: a, remote: b, layout: l)
        if o.changed != (o.state != a) { failed.append("changed-flag") }
        if o.tookRemote && o.state != b { failed.append("tookRemote-flag") }
        return failed
    }

    /// The state with every conflict entry's winner blanked out.
    static func withoutWinners(_ s: RecordState) -> RecordState {
        var s = s
        for k in s.conflicts.indices {
            s.conflicts[k].winner = s.conflicts[k].loser
            s.conflicts[k].winnerValues = []
        }
        return s
    }

    /// The state without its conflict entries.
    static func withoutConflicts(_ s: RecordState) -> RecordState {
        var s = s
        s.conflicts = []
        return s
    }

    static var historyCount: Int { Int(ProcessInfo.processInfo.environment["GATEHOUSE_PROP_HISTORIES"] ?? "") ?? 600 }

    @Test func mergeIsASemilatticeOnReachableStates() {
        var failures: [String: (seed: UInt64, count: Int)] = [:]
        var checked = 0
        for n in 0..<Self.historyCount {
            let seed = UInt64(n) &* 0x9E37_79B9 &+ 17
            for l in Self.layouts {
                let pool = Self.history(seed: seed, layout: l)
                guard pool.count >= 3 else { continue }
                var g = SplitMix64(seed: seed ^ 0xABCD)
                for _ in 0..<12 {
                    let a = g.pick(pool), b = g.pick(pool), c = g.pick(pool)
                    checked += 1
                    for law in Self.laws(a, b, c, l) {
                        let prev = failures[law]
                        failures[law] = (prev?.seed ?? seed, (prev?.count ?? 0) + 1)
                    }
                }
            }
        }
        for (law, f) in failures.sorted(by: { $0.key < $1.key }) {
            let message: Comment = "merge is not \(law): \(f.count) of \(checked) triples fail; first history seed \(f.seed)"
            if law == "associative (conflict entries only)" {
                withKnownIssue("design: which conflict entries exist, and their winners, depend on merge order", isIntermittent: true) { Issue.record(message) }
            } else {
                Issue.record(message)
            }
        }
        #expect(checked > 10_000)
    }

    /// Design issue, pinned (history seed 2654435786, ticket): conflict entries are made
    /// by the merge that detects them, so which entries exist and which winner they name
    /// depend on merge order. (1) Winner: A's assignee write a:1 loses to B's b:4 in
    /// merge(merge(A,B),C) but to b:2 in merge(A,merge(B,C)) (there b:4 then dominates
    /// causally and makes no entry). (2) Existence: A's insert a:1 and B's insert b:1 both
    /// set fee NULL; a replica that merges them records nothing (equal values) and from
    /// then on covers a:1, so B's later fee write b:2 (concurrent with a:1) never meets it;
    /// merging A directly with that later B records "NULL lost to 30". Grow-only union
    /// (same key: higher winner) makes replicas agree once every entry has reached
    /// everyone, so the system converges; but the pure merge is associative only on
    /// vector, slots and deletion, not on conflict entries.
    @Test func conflictEntriesAreOrderDependent() throws {
        let l = try #require(Self.layouts.first { $0.name == "ticket" })
        let seed: UInt64 = 2_654_435_786
        let pool = Self.history(seed: seed, layout: l)
        var g = SplitMix64(seed: seed ^ 0xABCD)
        var differs = false
        for _ in 0..<12 {
            let a = g.pick(pool), b = g.pick(pool), c = g.pick(pool)
            let left = Self.m(Self.m(a, b, l), c, l), right = Self.m(a, Self.m(b, c, l), l)
            #expect(Self.withoutConflicts(left) == Self.withoutConflicts(right), "seed \(seed)")
            if left != right { differs = true }
        }
        withKnownIssue("design: conflict entries are order-dependent", isIntermittent: true) { #expect(!differs) }
    }
}
