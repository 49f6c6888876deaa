@testable import Replication

/// Small value pools so that concurrent writes often hit the same field, sometimes with
/// the same value.
enum Gen {
    static let tagPool: [Value] = ["vip", "老人", "x"]

    static func values(for field: String, _ g: inout SplitMix64) -> Value {
        switch field {
        case "name": return g.pick(["甲", "乙", "丙"])
        case "phone": return g.pick(["111", "222", "333"])
        case "note": return g.pick(["n1", "n2", "n3", nil])
        case "assignee": return g.pick(["W1", "W2", "W3"])
        case "fee": return g.pick([10, 20, 30])
        case "item": return g.pick(["x", "y", "z"])
        case "amount": return g.pick([1, 2, 3])
        default: return nil
        }
    }

    /// Initial values of a record of `table` in `center`.
    static func insertValues(_ table: String, center: String, _ g: inout SplitMix64) -> [String: Value] {
        switch table {
        case "customer": return ["center": .text(center), "name": values(for: "name", &g), "phone": values(for: "phone", &g)]
        case "ticket": return ["center": .text(center), "status": "received", "reopened": 0, "assignee": values(for: "assignee", &g)]
        case "event": return ["center": .text(center), "ticket": "t", "what": g.pick(["opened", "called"])]
        default: return ["item": values(for: "item", &g), "amount": values(for: "amount", &g)]
        }
    }

    static func insertSets(_ table: String, _ g: inout SplitMix64) -> [String: [Value]] {
        table == "customer" && g.chance(0.5) ? ["tags": [g.pick(tagPool)]] : [:]
    }

    /// A random update of one or two editable fields (lifecycle steps may go backwards;
    /// the write rules refuse those).
    static func update(_ l: TableLayout, _ g: inout SplitMix64) -> [String: Value] {
        var out: [String: Value] = [:]
        let editable = l.slots.filter { s in
            switch s.policy {
            case .addWinsSet, .appendOnly: return false
            default: return true
            }
        }
        guard !editable.isEmpty else { return out }
        for _ in 0..<g.int(1...2) {
            let s = g.pick(editable)
            if case .lifecycle = s.policy {
                out["status"] = .text(g.pick(Fixtures.stages))
                out["reopened"] = .integer(Int64(g.int(0...2)))
            } else {
                out[s.name] = values(for: s.name, &g)
            }
        }
        return out
    }

    /// A resolution for a conflict entry on `field`.
    static func resolution(_ l: TableLayout, field: String, _ g: inout SplitMix64) -> WriteTransaction.Resolution {
        switch g.int(3) {
        case 0: return .keepWinner
        case 1: return .takeLoser
        default:
            if field == "status" { return .value([.text(g.pick(Fixtures.stages)), .integer(Int64(g.int(0...2)))]) }
            return .value([values(for: field, &g)])
        }
    }
}
