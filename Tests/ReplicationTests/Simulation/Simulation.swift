import Foundation
@testable import Replication

/// A randomized multi-replica run over real SQLite files and an in-memory exchange: a
/// hub, one node per center (C001, C002) and a replacement C001 node that appears
/// mid-run and bootstraps from the hub. Every replica writes; batches are extracted with
/// random bounds, delivered out of order, duplicated, dropped and re-sent; replicas are
/// closed and reopened; wall clocks jump around. `run()` returns the problems found.
final class Simulation {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    final class Node {
        let name: String
        let center: String?  // nil for the hub
        let path: String
        let clock: Fixtures.ManualClock
        var replica: Replica
        init(dir: URL, name: String, center: String?, clock: Fixtures.ManualClock) throws {
            self.name = name
            self.center = center
            self.clock = clock
            path = dir.appendingPathComponent("\(name).sqlite").path
            replica = try Replica.create(at: path, id: ReplicaID(rawValue: name)!, schema: Fixtures.schema(), options: Self.options(clock))
        }
        static func options(_ clock: Fixtures.ManualClock) -> Replica.Options {
            var o = Replica.Options()
            o.durable = false
            o.wallClock = { clock.now() }
            return o
        }
        func reopen() throws {
            replica = try Replica.open(at: path, schema: Fixtures.schema(), options: Self.options(clock))
        }
        var scope: ScopeFilter { center.map { .centers([$0]) } ?? .all }
    }

    /// One direction of a hub–node connection, with batches in flight.
    final class Link {
        let from: Node, to: Node
        let scope: ScopeFilter
        /// Who the receiver knows the sender to be: its authority rules must never refuse
        /// what honest replicas send, in any order.
        let sender: Sender
        var inFlight: [ChangeBatch] = []
        var nextFrom: UInt64 = 0  // sender-side pipelining position
        init(from: Node, to: Node, scope: ScopeFilter, sender: Sender) {
            self.from = from
            self.to = to
            self.scope = scope
            self.sender = sender
        }
        func extract(maxCount: Int, maxBytes: Int) throws -> ChangeBatch {
            try from.replica.changes(after: nextFrom, scope: scope, for: to.replica.id, maxCount: maxCount, maxBytes: maxBytes)
        }
        @discardableResult
        func deliver(_ b: ChangeBatch) throws -> ApplyResult {
            let r = try to.replica.apply(b, from: from.replica.id, sender: sender)
            if !r.refused.isEmpty { throw Failure(description: "\(to.name) refused from \(from.name): \(r.refused)") }
            return r
        }
        /// Delivers everything after the receiver's cursor; returns the records carried.
        func drain(batch: Int = 40) throws -> Int {
            var n = 0
            for _ in 0..<10_000 {
                let b = try from.replica.changes(after: try to.replica.receivedCursor(from: from.replica.id), scope: scope,
                                                 for: to.replica.id, maxCount: batch)
                try deliver(b)
                n += b.records.count
                if b.isLast { nextFrom = b.toSeq; return n }
            }
            throw Failure(description: "\(from.name)→\(to.name) never reached the end of the log")
        }
    }

    /// A committed write to one slot: what the oracle checks survives.
    struct Written {
        var table: String, id: String, slot: Int
        var dot: Dot, values: [Value]
        var seen: VersionVector  // the record's vector before the write
    }

    let seed: UInt64
    var g: SplitMix64
    let dir: URL
    let ops: Int
    var nodes: [Node] = []
    var links: [Link] = []
    var records: [(table: String, id: String, center: String?)] = []
    var written: [Written] = []
    var log: [String] = []
    let layouts: [String: TableLayout]

    init(seed: UInt64, ops: Int? = nil) {
        self.seed = seed
        var g = SplitMix64(seed: seed)
        self.ops = ops ?? 40 + g.int(0...40)
        self.g = g
        dir = Fixtures.tempDir()
        layouts = Dictionary(uniqueKeysWithValues: Fixtures.schema().tables.map { ($0.name, try! TableLayout($0)) })
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    var hub: Node { nodes[0] }

    func addNode(_ name: String, center: String?) throws -> Node {
        let n = try Node(dir: dir, name: name, center: center, clock: Fixtures.ManualClock(1_780_000_000_000 + UInt64(g.int(0...2000))))
        nodes.append(n)
        if let center {
            // Wall clocks jump around here: no bound on how far ahead a peer may be.
            links.append(Link(from: hub, to: n, scope: .centers([center]),
                              sender: .hub(hub.replica.id, servingCenter: center, maxClockAheadMillis: nil)))
            links.append(Link(from: n, to: hub, scope: .all, sender: .centerNode(n.replica.id, center: center, maxClockAheadMillis: nil)))
        }
        return n
    }

    /// Runs the simulation; throws `Failure` (with the seed) on the first broken invariant.
    func run() throws {
        _ = try addNode("hub", center: nil)
        _ = try addNode("c001-a", center: "C001")
        _ = try addNode("c002-a", center: "C002")
        let replaceAt = ops / 3 + g.int(ops / 3)
        for step in 0..<ops {
            if step == replaceAt {
                // A replacement node for C001 bootstraps from the hub: changes after 0 in scope.
                let n = try addNode("c001-b", center: "C001")
                _ = try links.first { $0.to === n }!.drain(batch: 1 + g.int(20))
                log.append("bootstrap c001-b")
            }
            try randomStep()
            if let t = traceRecord { try trace(t) }
        }
        try quiesce()
        try check()
    }

    func randomStep() throws {
        switch g.int(100) {
        case 0..<40: try randomWrite(at: g.pick(nodes))
        case 40..<85: try randomDelivery()
        case 85..<90:
            let n = g.pick(nodes)
            try n.reopen()
            log.append("reopen \(n.name)")
        default:
            let n = g.pick(nodes)
            if g.chance(0.2) {
                let back = UInt64(g.int(1...5000))
                n.clock.set(n.clock.now() - back)
                log.append("clock \(n.name) -\(back)")
            } else {
                n.clock.advance(UInt64(g.int(0...300)))
            }
        }
    }

    func randomDelivery() throws {
        let link = g.pick(links)
        switch g.int(10) {
        case 0..<4:
            let b = try link.extract(maxCount: g.int(1...6), maxBytes: g.pick([150, 400, 2000, 1 << 20]))
            link.nextFrom = b.toSeq
            link.inFlight.append(b)
        case 4..<8:
            guard !link.inFlight.isEmpty else { return }
            let i = g.int(link.inFlight.count)
            let b = link.inFlight[i]
            if !g.chance(0.2) { link.inFlight.remove(at: i) }  // else: it will arrive again
            try link.deliver(b)
        case 8:
            if !link.inFlight.isEmpty { link.inFlight.remove(at: g.int(link.inFlight.count)) }  // lost
        default:
            // Timeout: the sender starts again from what the receiver acknowledged.
            link.nextFrom = try link.to.replica.receivedCursor(from: link.from.replica.id)
        }
    }

    // MARK: writes

    /// Records every slot whose clock the transaction changed.
    func noteWrites(_ before: RecordState?, _ after: RecordState?, into out: inout [Written]) {
        guard let after else { return }
        for (i, slot) in after.slots.enumerated() {
            guard let c = slot.clock, c.dot != before?.slots[i].clock?.dot else { continue }
            let l = layouts[after.table]!
            if case .addWinsSet = l.slots[i].policy { continue }
            out.append(Written(table: after.table, id: after.id, slot: i, dot: c.dot, values: slot.values,
                               seen: before?.vector ?? VersionVector()))
        }
    }

    func randomWrite(at n: Node) throws {
        var w: [Written] = []
        let centers = ["C001", "C002"]
        do {
            let kind = g.int(100)
            if kind < 20 || records.isEmpty {
                var tables = ["customer", "ticket", "event"]
                if n.center == nil { tables.append("price") }
                let table = g.pick(tables)
                let center = table == "price" ? nil : (n.center ?? g.pick(centers))
                let id = "\(table)-\(n.name)-\(records.count)"
                let values = Gen.insertValues(table, center: center ?? "", &g)
                let sets = Gen.insertSets(table, &g)
                try n.replica.write(author: n.name) { tx in
                    try tx.insert(table, id: id, values, sets: sets)
                    noteWrites(nil, try tx.state(table, id: id), into: &w)
                }
                records.append((table, id, center))
                log.append("\(n.name) insert \(id) \(values)")
            } else if kind < 90 {
                // Nodes touch only their center's records; the hub touches everything.
                let mine = records.filter { $0.table != "event" && (n.center == nil || $0.center == n.center) }
                guard !mine.isEmpty else { return }
                let r = g.pick(mine)
                let l = layouts[r.table]!
                let op = g.int(100)
                let u = Gen.update(l, &g)
                let element = g.pick(Gen.tagPool)
                try n.replica.write(author: n.name) { tx in
                    guard let before = try tx.state(r.table, id: r.id), !before.isDeleted else { return }
                    if op < 65 {
                        try tx.update(r.table, id: r.id, u)
                    } else if op < 88, r.table == "customer" {
                        if op < 80 { try tx.add(element, to: "tags", of: r.table, id: r.id) } else { try tx.remove(element, from: "tags", of: r.table, id: r.id) }
                    } else if op < 94 {
                        try tx.delete(r.table, id: r.id)
                    } else {
                        try tx.update(r.table, id: r.id, u)
                    }
                    noteWrites(before, try tx.state(r.table, id: r.id), into: &w)
                }
                log.append("\(n.name) op\(op) \(r.id) \(u)")
            } else {
                let open = try n.replica.conflicts(openOnly: true)
                guard !open.isEmpty else { return }
                let c = g.pick(open)
                let l = layouts[c.table]!
                let res = Gen.resolution(l, field: c.entry.field, &g)
                try n.replica.write(author: n.name) { tx in
                    let before = try tx.state(c.table, id: c.recordID)
                    try tx.resolveConflict(c.table, id: c.recordID, field: c.entry.field, loser: c.entry.loser.dot, with: res)
                    noteWrites(before, try tx.state(c.table, id: c.recordID), into: &w)
                }
                log.append("\(n.name) resolve \(c.key) \(res)")
            }
        } catch is ReplicationError {
            return  // refused by the write rules (lifecycle backwards, deleted record…): rolled back
        }
        written += w
    }

    /// Debugging aid: after every step, logs one record's state at every replica.
    var traceRecord: (table: String, id: String)?
    func trace(_ t: (table: String, id: String)) throws {
        for n in nodes {
            if let s = try n.replica.state(t.table, id: t.id) {
                log.append("    \(n.name): \(s.vector) \(s.slots.map { "\($0.values)@\($0.clock.map { "\($0.dot)" } ?? "-")\($0.siblings.map { " | \($0.values)@\($0.clock.dot)" }.joined())" }) del \(s.deletion.map { "\($0.dot)" } ?? "-") history \(s.history.map { "\($0.field)/\($0.loser.dot)" })")
            }
        }
    }

    // MARK: end of run

    /// Full exchange hub <-> nodes until no batch carries records.
    func quiesce() throws {
        for link in links { link.inFlight.removeAll() }
        for _ in 0..<8 {
            var carried = 0
            for link in links where link.to === hub { carried += try link.drain() }
            for link in links where link.from === hub { carried += try link.drain() }
            if carried == 0 { return }
        }
        throw Failure(description: "no quiescence after 8 full exchanges")
    }

    func fail(_ s: String) -> Failure { Failure(description: s) }

    func check() throws {
        let hubAll = try hub.replica.allStates()
        let hubConflicts = try hub.replica.conflicts(openOnly: false)
        func key(_ c: ConflictRecord) -> String { "\(c.table)/\(c.recordID)/\(c.entry)@\(c.detectedAt)" }
        for n in nodes.dropFirst() {
            let scope = n.scope
            let mine = try n.replica.allStates(scope: scope)
            let expected = try hub.replica.allStates(scope: scope)
            if mine != expected {
                let a = Dictionary(mine.map { ("\($0.table)/\($0.id)", $0) }, uniquingKeysWith: { x, _ in x })
                let b = Dictionary(expected.map { ("\($0.table)/\($0.id)", $0) }, uniquingKeysWith: { x, _ in x })
                let diff = Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }.prefix(2)
                    .map { "\($0):\n  node \(a[$0].map { "\($0)" } ?? "-")\n  hub  \(b[$0].map { "\($0)" } ?? "-")" }
                throw fail("\(n.name) differs from hub on \(scope) (\(mine.count) vs \(expected.count) records):\n" + diff.joined(separator: "\n"))
            }
            if try n.replica.allStates().count != mine.count { throw fail("\(n.name) holds records outside its scope") }
            let ids = Set(expected.map { "\($0.table)/\($0.id)" })
            let want = Set(hubConflicts.filter { ids.contains("\($0.table)/\($0.recordID)") }.map(key))
            let got = Set(try n.replica.conflicts(openOnly: false).map(key))
            if got != want {
                throw fail("\(n.name) conflicts differ from hub's: only node \(got.subtracting(want).sorted()), only hub \(want.subtracting(got).sorted())")
            }
        }
        // No value lost: every write is the slot's winner, one of its siblings, a loser in
        // the history, or was overwritten by a later write to the slot that had seen it.
        let final = Dictionary(hubAll.map { ("\($0.table)/\($0.id)", $0) }, uniquingKeysWith: { x, _ in x })
        var bySlot: [String: [Written]] = [:]
        for w in written { bySlot["\(w.table)/\(w.id)/\(w.slot)", default: []].append(w) }
        for w in written {
            guard let s = final["\(w.table)/\(w.id)"] else { throw fail("record \(w.table)/\(w.id) missing at the hub") }
            let slotName = layouts[w.table]!.slots[w.slot].name
            let slot = s.slots[w.slot]
            if slot.clock?.dot == w.dot {
                if slot.values != w.values { throw fail("write \(w.dot) to \(w.table)/\(w.id).\(slotName) wins with other values") }
                continue
            }
            if let sib = slot.siblings.first(where: { $0.clock.dot == w.dot }) {
                if sib.values != w.values { throw fail("sibling \(w.dot) of \(w.table)/\(w.id).\(slotName) has other values") }
                continue
            }
            if let h = s.history.first(where: { $0.field == slotName && $0.loser.dot == w.dot }) {
                if h.loserValues != w.values { throw fail("history of \(w.dot) on \(w.table)/\(w.id).\(slotName) has other values") }
                continue
            }
            if bySlot["\(w.table)/\(w.id)/\(w.slot)"]!.contains(where: { $0.seen.covers(w.dot) }) { continue }
            throw fail("lost write \(w.dot) \(w.values) to \(w.table)/\(w.id).\(slotName); final \(slot), history \(s.history.filter { $0.field == slotName })")
        }
    }
}
