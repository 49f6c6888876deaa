import Foundation
import HubFuzz

/// `gatehouse-bench fuzz-hub [--messages N] [--seed S]`: the long run of the hub fuzzer
/// (issue 14) in a release build. The same ``HubFuzzer`` runs 10,000 messages in
/// `./scripts/test`; a debug build manages ~115 messages/s, far too few for a million.
enum FuzzHub {
    static let usage = """
        usage: gatehouse-bench fuzz-hub [--messages N] [--seed S]
          --messages N   messages the attacker sends, about 55 % of them mutated (default 1850000)
          --seed S       the run's seed; a failure names it, and the same seed replays it (default 14)
        """

    /// Runs the fuzzer and returns the process's exit status: 0 when nothing failed.
    static func main(_ args: [String]) -> Int32 {
        var messages = 1_850_000
        var seed: UInt64 = 14
        var rest = args[...]
        while let a = rest.popFirst() {
            switch a {
            case "--messages":
                guard let v = rest.popFirst().flatMap(Int.init), v > 0 else { return fail("--messages needs a positive number") }
                messages = v
            case "--seed":
                guard let v = rest.popFirst().flatMap(UInt64.init) else { return fail("--seed needs a number (0 to 2^64-1)") }
                seed = v
            case "-h", "--help":
                print(usage)
                return 0
            default:
                return fail("unknown argument \(a)")
            }
        }
        let watchdog = FuzzWatchdog(seed: seed)
        defer { watchdog.finish() }
        do {
            let report = try HubFuzzer(seed: seed).run(messages: messages)
            print(report)
            if report.failures.isEmpty { return 0 }
            FileHandle.standardError.write(Data("hub fuzz FAILED (seed \(seed)):\n\(report.failures.joined(separator: "\n"))\n".utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("hub fuzz FAILED (seed \(seed)): \(error)\n".utf8))
            return 1
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("gatehouse-bench fuzz-hub: \(message)\n\n\(usage)\n".utf8))
        return 2
    }
}
