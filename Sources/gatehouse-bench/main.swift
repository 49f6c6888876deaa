// gatehouse-bench: replication performance figures for this machine, in one run.
//
//   gatehouse-bench [SECTION...] [--count N] [--single-count N] [--tx-size N]
//                   [--batch N] [--runs N] [--sync full|normal|both] [--scratch DIR]
//   gatehouse-bench fuzz-hub [--messages N] [--seed S]     (the hub fuzzer's long run)
//
// Sections run in the order given (default: all of them). Each section is a function
// that appends rows to the report; a new section (e.g. sync over ZeroMQ) registers in
// `sections` below and gets its own options from `BenchOptions`.

import Foundation

// The hub fuzzer's long run is a mode of its own, not a section of the report.
if CommandLine.arguments.dropFirst().first == "fuzz-hub" {
    exit(FuzzHub.main(Array(CommandLine.arguments.dropFirst(2))))
}

var options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("gatehouse-bench: \(error)\n\n\(BenchOptions.usage)\n".utf8))
    exit(2)
}
if options.help {
    print(BenchOptions.usage)
    exit(0)
}

let sections: [(name: String, summary: String, run: (BenchOptions, Scratch, Report) throws -> Void)] = [
    ("write", "local write path vs raw SQLite inserts", WriteSection.run),
    ("apply", "applying a remote change stream, non-conflicting and conflicting", ApplySection.run),
    ("fleet", "simulated centers against a real hub process", FleetSection.run),
]
/// What runs when no section is named: the fleet only when asked (it starts processes).
let defaultSections = ["write", "apply"]

let selected = options.sections.isEmpty ? defaultSections : options.sections
for name in selected where !sections.contains(where: { $0.name == name }) {
    FileHandle.standardError.write(Data("gatehouse-bench: unknown section \(name); known: \(sections.map(\.name).joined(separator: ", "))\n".utf8))
    exit(2)
}

let report = Report()
report.header(options)
let scratch: Scratch
do {
    scratch = try Scratch(base: options.scratch)
} catch {
    FileHandle.standardError.write(Data("gatehouse-bench: cannot create scratch dir: \(error)\n".utf8))
    exit(1)
}
var failed = false
for section in sections where selected.contains(section.name) {
    report.section("\(section.name): \(section.summary)")
    do {
        try section.run(options, scratch, report)
    } catch {
        report.note("section \(section.name) failed: \(error)")
        failed = true
    }
}
// GATEHOUSE_BENCH_KEEP=1 leaves the scratch directory (the fleet's hub) for a profiler.
if ProcessInfo.processInfo.environment["GATEHOUSE_BENCH_KEEP"] == nil { scratch.remove() } else { report.note("kept \(scratch.url.path)") }
report.summary()
exit(failed ? 1 : 0)
