import Foundation
import GRDB
import Replication

/// Local write path: records written through `Replica.write` / `insert` against raw
/// inserts of the same rows, in the same transaction sizes, into the same kind of file.
enum WriteSection {
    static let target = 2.0

    static func run(_ o: BenchOptions, _ scratch: Scratch, _ report: Report) throws {
        let records = Workload.records(o.count)
        let engineRows = records.map { ($0.id, $0.dictionary) }
        let rawRows = RawDatabase.arguments(records)
        let single = min(o.singleCount, o.count)

        // Warm-up: code paths, allocator, page cache.
        for sync in o.syncModes {
            _ = try rawRun(scratch, sync, rawRows[..<min(2_000, o.count)], txSize: o.txSize)
            _ = try engineRun(scratch, sync, engineRows[..<min(2_000, o.count)], txSize: o.txSize)
        }

        for sync in o.syncModes {
            for (n, txSize) in [(o.count, o.txSize), (single, 1)] {
                let what = "\(fmtCount(n)) writes, \(txSize == 1 ? "1 row" : "\(txSize) rows")/tx, sync=\(sync.rawValue)"
                var rawTimes: [Double] = [], engineTimes: [Double] = [], rawCPU: [Double] = [], engineCPU: [Double] = []
                // Interleaved so machine noise hits both sides alike.
                for _ in 0..<o.runs {
                    rawTimes.append(try rawRun(scratch, sync, rawRows[..<n], txSize: txSize))
                    rawCPU.append(lastCPU)
                    engineTimes.append(try engineRun(scratch, sync, engineRows[..<n], txSize: txSize))
                    engineCPU.append(lastCPU)
                }
                let raw = median(rawTimes), engine = median(engineTimes)
                print("  \(what): raw median \(fmtSeconds(raw)) [\(rawTimes.map(fmtSeconds).joined(separator: ", "))], "
                      + "engine median \(fmtSeconds(engine)) [\(engineTimes.map(fmtSeconds).joined(separator: ", "))]; "
                      + "cpu medians raw \(fmtSeconds(median(rawCPU))), engine \(fmtSeconds(median(engineCPU))) "
                      + String(format: "(%.2f×)", median(engineCPU) / median(rawCPU)))
                flushOutput()
                report.add(.init(figure: "raw insert, \(what)", value: fmtRate(Double(n) / raw), unit: "rows/s",
                                 ratio: "", target: "", pass: nil))
                report.add(.init(figure: "engine write, \(what)", value: fmtRate(Double(n) / engine), unit: "rows/s",
                                 ratio: String(format: "%.2f×", engine / raw), target: String(format: "≤ %.1f× raw time", target),
                                 pass: engine / raw <= target))
            }
        }
    }

    static func rawRun(_ scratch: Scratch, _ sync: SyncMode, _ rows: ArraySlice<[DatabaseValue]>, txSize: Int) throws -> Double {
        let path = scratch.path("raw")
        defer { scratch.removeDatabase(path) }
        let db = try RawDatabase(path: path, sync: sync)
        let t = try measure { try db.insert(rows, txSize: txSize) }
        let n = try db.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM request") }
        try check(n == rows.count, "raw table holds \(n ?? -1) rows, wanted \(rows.count)")
        return t
    }

    static func engineRun(_ scratch: Scratch, _ sync: SyncMode, _ rows: ArraySlice<(String, [String: Value])>, txSize: Int) throws -> Double {
        let path = scratch.path("engine")
        defer { scratch.removeDatabase(path) }
        let r = try Engine.create(path, "c001-bench", sync: sync)
        let t = try measure { try Engine.insert(r, rows, txSize: txSize) }
        let n = try r.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM request") }
        try check(n == rows.count, "replica holds \(n ?? -1) records, wanted \(rows.count)")
        return t
    }
}

/// Applying a peer's change stream: batches extracted from a source replica with
/// `changes(after:maxCount:)`, applied to a destination file database; only `apply` is
/// timed.
enum ApplySection {
    static let target = 50_000.0

    static func run(_ o: BenchOptions, _ scratch: Scratch, _ report: Report) throws {
        let records = Workload.records(o.count)
        let rows = records.map { ($0.id, $0.dictionary) }

        print("  preparing: source writes \(fmtCount(o.count)) records, destination receives them, both modify every record")
        flushOutput()
        let sourcePath = scratch.path("source"), basePath = scratch.path("conflict-base")
        defer {
            scratch.removeDatabase(sourcePath)
            scratch.removeDatabase(basePath)
        }
        let sourceID = ReplicaID(rawValue: "hub")!
        var inserts: [ChangeBatch] = [], updates: [ChangeBatch] = []
        let setup = try measure {
            let source = try Engine.create(sourcePath, sourceID.rawValue, sync: nil)
            try Engine.insert(source, rows[...], txSize: o.txSize)
            inserts = try Engine.stream(source, after: 0, batch: o.batch)
            let insertCursor = inserts.last!.toSeq

            // The destination's copy: the same records, then modified concurrently with
            // the source in the same fields (status, assignee, fee, updated_at).
            let base = try Engine.create(basePath, "c001", sync: nil)
            let got = try Engine.apply(base, inserts, from: sourceID)
            try check(got.changed == o.count, "conflict base received \(got.changed) of \(o.count)")
            try modify(source, records, txSize: o.txSize, status: "dispatched", staff: "H", feeDelta: 1_000, minutes: 1)
            try modify(base, records, txSize: o.txSize, status: "arrived", staff: "C", feeDelta: 2_000, minutes: 2)
            updates = try Engine.stream(source, after: insertCursor, batch: o.batch)
            try Engine.checkpoint(base)
        }
        let insertCount = inserts.reduce(0) { $0 + $1.records.count }
        let updateCount = updates.reduce(0) { $0 + $1.records.count }
        try check(insertCount == o.count && updateCount == o.count,
                  "streams hold \(insertCount) and \(updateCount) changes, wanted \(o.count)")
        print("  prepared in \(fmtSeconds(setup)): \(inserts.count) insert batches, \(updates.count) update batches")
        flushOutput()

        let rawRows = RawDatabase.arguments(records)
        for sync in o.syncModes {
            // Warm-up on a couple of batches.
            _ = try applyRun(scratch, sync, Array(inserts.prefix(2)), from: sourceID, base: nil)
            _ = try WriteSection.rawRun(scratch, sync, rawRows[..<min(2_000, o.count)], txSize: o.txSize)

            // Raw inserts of the same rows are timed in the same rounds as the applies,
            // so the ratio compares figures taken under the same machine load.
            var rawT: [Double] = [], freshT: [Double] = [], mergedT: [Double] = []
            var rawC: [Double] = [], freshC: [Double] = [], mergedC: [Double] = []
            var conflicts = 0
            for _ in 0..<o.runs {
                rawT.append(try WriteSection.rawRun(scratch, sync, rawRows[...], txSize: o.txSize))
                rawC.append(lastCPU)
                freshT.append(try applyRun(scratch, sync, inserts, from: sourceID, base: nil) { got in
                    try check(got.changed == o.count && got.refused == 0 && got.conflicts == 0, "non-conflicting apply: \(got)")
                })
                freshC.append(lastCPU)
                mergedT.append(try applyRun(scratch, sync, updates, from: sourceID, base: basePath) { got in
                    try check(got.changed == o.count && got.refused == 0 && got.conflicts >= o.count, "conflicting apply: \(got)")
                    conflicts = got.conflicts
                })
                mergedC.append(lastCPU)
            }
            func line(_ what: String, _ t: [Double], _ c: [Double]) {
                print("  \(what), sync=\(sync.rawValue): median \(fmtSeconds(median(t))) [\(t.map(fmtSeconds).joined(separator: ", "))], "
                      + "cpu median \(fmtSeconds(median(c)))")
            }
            line("raw insert \(fmtCount(o.count)), \(o.txSize) rows/tx", rawT, rawC)
            line("apply \(fmtCount(o.count)) non-conflicting", freshT, freshC)
            line("apply \(fmtCount(o.count)) conflicting", mergedT, mergedC)
            flushOutput()
            let raw = Double(o.count) / median(rawT)
            let freshRate = Double(o.count) / median(freshT), mergedRate = Double(o.count) / median(mergedT)
            report.add(.init(figure: "raw insert \(fmtCount(o.count)), \(o.txSize) rows/tx (apply rounds), sync=\(sync.rawValue)",
                             value: fmtRate(raw), unit: "rows/s", ratio: "", target: "", pass: nil))
            report.add(.init(figure: "apply \(fmtCount(o.count)) changes, non-conflicting, sync=\(sync.rawValue)",
                             value: fmtRate(freshRate), unit: "changes/s", ratio: String(format: "%.2f× raw", freshRate / raw),
                             target: "≥ \(fmtRate(target)) changes/s", pass: freshRate >= target))
            report.add(.init(figure: "apply \(fmtCount(o.count)) changes, conflicting (\(conflicts) conflicts), sync=\(sync.rawValue)",
                             value: fmtRate(mergedRate), unit: "changes/s", ratio: String(format: "%.2f× raw", mergedRate / raw),
                             target: "", pass: nil))
        }
    }

    /// One timed apply on a fresh destination (a copy of `base` when given).
    static func applyRun(_ scratch: Scratch, _ sync: SyncMode, _ stream: [ChangeBatch], from peer: ReplicaID, base: String?,
                         verify: ((changed: Int, conflicts: Int, refused: Int)) throws -> Void = { _ in }) throws -> Double {
        let path = scratch.path("dest")
        defer { scratch.removeDatabase(path) }
        let dest: Replica
        if let base {
            try FileManager.default.copyItem(atPath: base, toPath: path)
            dest = try Engine.open(path, sync: sync)
        } else {
            dest = try Engine.create(path, "c001", sync: sync)
        }
        var got = (changed: 0, conflicts: 0, refused: 0)
        let t = try measure { got = try Engine.apply(dest, stream, from: peer) }
        try verify(got)
        return t
    }

    /// Moves every record forward and reassigns it, as one side of a concurrent edit.
    static func modify(_ r: Replica, _ records: [Workload.Record], txSize: Int, status: String, staff: String,
                       feeDelta: Int64, minutes: Int64) throws {
        var i = 0
        while i < records.count {
            let end = min(i + txSize, records.count)
            try r.write(author: "\(staff)001") { tx in
                for k in i..<end {
                    let rec = records[k]
                    try tx.update(Workload.table, id: rec.id, [
                        "status": .text(status),
                        "assignee": .text(staff + String(format: "%03d", k % 50 + 1)),
                        "fee": .integer((rec.values[8].integer ?? 0) + feeDelta),
                        "updated_at": .integer((rec.values[10].integer ?? 0) + minutes * 60_000),
                    ])
                }
            }
            i = end
        }
    }
}
