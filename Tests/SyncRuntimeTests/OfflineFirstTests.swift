import Foundation
import TestSupport
import Replication
import ServiceDesk
import Testing

/// Issue 4, reliability test 1: a node works offline, the hub comes later, everything
/// arrives exactly once — through a one-shot `gatehouse sync` and through the `node run`
/// daemon, which must pick up a local write within about a second.
@Suite(.serialized) struct OfflineFirstTests {
    @Test func hundredsOfOfflineWritesArriveExactlyOnceBySync() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        try c.addNode(center: "C001")
        // Offline: the hub is not running. Writes through the CLI, as a front desk would.
        try c.importCustomers("C001", count: 300, prefix: "离线")
        var tickets: [String] = []
        for i in 0..<12 { tickets.append(try c.openTicket("C001", summary: "离线报修 \(i) 水龙头漏水")) }
        for t in tickets.prefix(4) { try c.ok(["ticket", "note", "--data", c.nodes["C001"]!.dir, t, "已电话联系"]) }
        let head = try c.cursors("C001").nodeHead
        #expect(head >= 300)

        // No hub: the one-shot sync fails clearly and writes nothing anywhere.
        let down = try c.sync("C001", timeout: 2)
        #expect(down.status == 1, "\(down)")
        #expect(down.err.contains("error:"), "\(down)")

        try c.startHub()
        let r = try c.sync("C001")
        #expect(r.status == 0, "\(r)")
        try c.expectConverged("C001", "after the first sync:")

        // Syncing again changes nothing: no re-application, no new log entries at the hub.
        let hubHead = try c.open(c.hubDir).localClock().sequence
        let again = try c.sync("C001")
        #expect(again.status == 0, "\(again)")
        #expect(try c.open(c.hubDir).localClock().sequence == hubHead, "a repeated sync logged changes at the hub again")
        try c.expectConverged("C001", "after a second sync:")
    }

    @Test func daemonPicksUpWritesWithinASecondAndSurvivesAnOutage() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        let node = try c.addNode(center: "C001")
        try c.importCustomers("C001", count: 200, prefix: "守护")
        // The daemon starts before the hub exists on the network.
        let daemon = try c.spawn(["node", "run", "--data", node.dir, "--verbose"])
        Thread.sleep(forTimeInterval: 0.5)
        try c.startHub()
        #expect(try eventually(within: .seconds(20)) { try c.cursors("C001").hubCommitted == c.cursors("C001").nodeHead },
                "the daemon did not deliver the offline backlog: \(daemon.stderr.suffix(2000))")

        // A write while connected reaches the hub within about a second (the daemon looks
        // at the log every 250 ms). Best of three, so a moment of load on the shared test
        // machine does not decide; a daemon that polled slowly would fail all three.
        var latencies: [Duration] = []
        for i in 0..<3 {
            let ref = try c.openTicket("C001", summary: "在线报修 \(i) 电梯异响")
            let written = ContinuousClock.now
            let arrived = try eventually(within: .seconds(10), every: 0.02) {
                try !c.sql(c.hubDir, "SELECT id FROM ticket WHERE number = '\(ref)'", as: String.self).isEmpty
            }
            #expect(arrived, "the daemon did not push request \(ref)")
            latencies.append(ContinuousClock.now - written)
        }
        #expect(latencies.min()! < .milliseconds(1500), "the daemon took \(latencies) to push local writes")

        // The hub goes away (crash); the center keeps working; the hub comes back.
        c.killHub()
        try c.importCustomers("C001", count: 100, prefix: "断线")
        _ = try c.openTicket("C001", summary: "断线期间 报修")
        Thread.sleep(forTimeInterval: 1)
        try c.startHub()
        #expect(try eventually(within: .seconds(20)) { try c.cursors("C001").hubCommitted == c.cursors("C001").nodeHead },
                "the daemon did not deliver what was written during the outage: \(daemon.stderr.suffix(2000))")
        #expect(daemon.isRunning, "the daemon died: \(daemon.stderr.suffix(2000))")

        // A clean stop: SIGTERM ends the daemon promptly with status 0.
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: .seconds(5)) == 0, "the daemon did not stop cleanly on SIGTERM: \(daemon.procStatus) \(daemon.stderr.suffix(1000))")
        c.killHub()
        try c.expectConverged("C001", "after the daemon:")
    }
}
