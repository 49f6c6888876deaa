import Foundation
import HubFuzz
import Testing

/// The hub's message handling under a randomized mutator (``HubFuzzer``): a short,
/// seed-pinned run here; the long run (a million mutated messages and more) is
/// `scripts/fuzz-hub`, the same fuzzer in a release build (`gatehouse-bench fuzz-hub`).
/// GATEHOUSE_FUZZ_MESSAGES and GATEHOUSE_FUZZ_SEED change this run's size and seed.
@Suite struct HubFuzzTests {
    @Test func mutatedSessionsNeitherStopTheHubNorDisturbAnotherNode() throws {
        let env = ProcessInfo.processInfo.environment
        let messages = env["GATEHOUSE_FUZZ_MESSAGES"].flatMap(Int.init) ?? 10_000
        let seed = env["GATEHOUSE_FUZZ_SEED"].flatMap(UInt64.init) ?? 14
        let watchdog = FuzzWatchdog(seed: seed)
        defer { watchdog.finish() }
        let fuzzer = try HubFuzzer(seed: seed)
        let report = try fuzzer.run(messages: messages)
        print(report)
        #expect(report.failures.isEmpty, "seed \(seed): \(report.failures.joined(separator: "\n"))")
        // The run reached deep into sessions: pushes were applied, every kind of refusal met.
        #expect(report.mutated > messages / 3 && report.acks > messages / 20, "\(report)")
        #expect(report.refusedRecords > 0 && report.errors[400, default: 0] > 0 && report.errors[409, default: 0] > 0, "\(report)")
    }
}
