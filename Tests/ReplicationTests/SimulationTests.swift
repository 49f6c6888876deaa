import Foundation
import Testing
@testable import Replication

/// The randomized multi-replica simulation (see `Simulation/Simulation.swift`).
/// GATEHOUSE_SIM_SEEDS sets the number of seeds (default 1000); GATEHOUSE_SIM_FIRST the
/// first seed, for soak runs over fresh seeds.
@Suite struct SimulationTests {
    static let env = ProcessInfo.processInfo.environment
    static let seedCount = Int(env["GATEHOUSE_SIM_SEEDS"] ?? "") ?? 1000
    static let firstSeed = UInt64(env["GATEHOUSE_SIM_FIRST"] ?? "") ?? 1
    static let shards = 8

    /// Runs one seed; returns a failure message naming the seed, or nil.
    static func runSeed(_ seed: UInt64) -> String? {
        let sim = Simulation(seed: seed)
        do {
            try sim.run()
            return nil
        } catch {
            return "simulation seed \(seed) failed (replay: GATEHOUSE_SIM_FIRST=\(seed) GATEHOUSE_SIM_SEEDS=1): \(error)\nlast steps:\n"
                + sim.log.suffix(12).joined(separator: "\n")
        }
    }

    @Test(arguments: 0..<shards)
    func randomizedReplicasConverge(shard: Int) {
        var seed = Self.firstSeed + UInt64(shard)
        var failures = 0
        while seed < Self.firstSeed + UInt64(Self.seedCount) {
            if let f = Self.runSeed(seed) {
                failures += 1
                if failures <= 3 { Issue.record(Comment(rawValue: f)) }
            }
            seed += UInt64(Self.shards)
        }
        #expect(failures == 0, "\(failures) failing seeds in shard \(shard)")
    }
}

/// Findings of the simulation pinned to their seeds.
@Suite struct SimulationRegressionTests {
    /// Design issue, simulation seed 135 (ticket-hub-1.fee): the hub sets fee 30 (hub:3);
    /// the bootstrapped c001-b sees it and sets 10 (c001-b:1); concurrently c001-a sets 30
    /// too (c001-a:6). A replica that merges c001-a before c001-b finds hub:3 and c001-a:6
    /// concurrent with equal values, records nothing and keeps one dot; if it keeps hub:3,
    /// c001-b's 10 then overwrites it causally and c001-a's concurrent 30 disappears
    /// without a conflict entry, while the other delivery order flags "30 lost to 10" for
    /// review. A slot carries one clock, so a value written concurrently by two replicas
    /// is represented by only one of the writes. Replicas still converge; the sim counts
    /// these instead of failing.
    @Test func equalConcurrentValueAbsorbsTheWrite() throws {
        let sim = Simulation(seed: 135)
        try sim.run()
        withKnownIssue("design: a concurrent equal value absorbs the write", isIntermittent: true) {
            #expect(sim.absorbedEqualWrites == 0, "seed 135")
        }
    }
}
