import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemons as services, end to end with the built binary: one per data directory, a
/// hub status that knows whether the hub's server lives, an idle node daemon that writes
/// nothing, logs an operator can read.
@Suite(.serialized) struct DaemonServiceTests {
    @Test func aSecondDaemonOnTheSameDirectoryIsRefusedAndTheFirstIsUndisturbed() throws {
        let lab = try StatusLab()
        try lab.initHub()
        try lab.initNode("C001")
        let c = lab.node("C001")
        try lab.startHub()
        let first = try lab.start("daemon", ["node", "run", "--data", c, "--log-format", "json"])
        #expect(try lab.waitUntil { try lab.nodeStatus("C001").code == 0 })
        #expect(try lab.waitUntil { try lab.hubStatus().json["nodes.0.state"]?.string == "connected" })

        let second = try lab.start("second", ["node", "run", "--data", c])
        #expect(second.wait(15) == 1)
        #expect(lab.log("second").contains("another gatehouse daemon (pid \(first.pid)) is already running on"), "\(lab.log("second"))")
        let hub2 = try lab.start("hub2", ["hub", "run", "--data", lab.hub])
        #expect(hub2.wait(15) == 1)
        #expect(lab.log("hub2").contains("is already running on"), "\(lab.log("hub2"))")

        // The first daemon's status is as it was: running, connected, at the hub too.
        let (code, j) = try lab.nodeStatus("C001")
        #expect(code == 0 && j["daemon.running"]?.bool == true && j["daemon.pid"]?.int == Int64(first.pid), "\(j)")
        #expect(j["connection.state"]?.string == "connected")
        #expect(try lab.hubStatus().json["nodes.0.state"]?.string == "connected")
        #expect(first.isRunning)

        // Its log: one JSON object per line, in China time, with its start and its connection.
        #expect(lab.stop("daemon") == 0)
        let lines = lab.log("daemon").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let messages = lines.compactMap { $0["message"] as? String }
        #expect(messages.contains("node daemon started") && messages.contains("connected to hub") && messages.contains("node daemon stopped"),
                "\(lab.log("daemon"))")
        #expect(lines.allSatisfy { ($0["time"] as? String)?.hasSuffix("+08:00") == true && $0["level"] != nil })
        // The hub's text log: its start and capacity at the default level.
        let hubLog = lab.log("hub")
        #expect(hubLog.contains("hub can hold about") && hubLog.contains("hub listening") && hubLog.contains("+08:00 notice"), "\(hubLog)")
        lab.stop("hub")
    }

    @Test func withTheHubProcessDeadHubStatusIsNotOK() throws {
        let lab = try StatusLab()
        try lab.initHub()
        try lab.initNode("C001")
        try lab.startHub()
        try lab.start("daemon", ["node", "run", "--data", lab.node("C001")])
        #expect(try lab.waitUntil { try lab.hubStatus().code == 0 })
        var (code, j) = try lab.hubStatus()
        #expect(j["daemon.running"]?.bool == true && j["daemon.pid"]?.int != nil && j["problems"]?.array.isEmpty == true, "\(j)")

        // Killed: nothing ran to mark the node offline, the rows still say "connected".
        lab.stop("hub", signal: SIGKILL)
        (code, j) = try lab.hubStatus()
        #expect(code != 0 && j["health"]?.string != "ok", "\(j)")
        #expect(j["daemon.running"]?.bool == false && j["daemon.pid"]?.isNull == true)
        #expect(j["nodes.0.state"]?.string == "offline")
        #expect(j["problems.0.message"]?.string?.hasPrefix("the hub's sync server is not running (gatehouse hub run)") == true, "\(j)")
        let text = try lab.run(["hub", "status", "--data", lab.hub])
        #expect(text.status != 0 && text.out.contains("hub server: not running"), "\(text.out)")

        // Back: OK again once the node has reconnected.
        try lab.startHub()
        #expect(try lab.waitUntil(30) { try lab.hubStatus().code == 0 })
        lab.stop("daemon")
        lab.stop("hub")
    }

    /// An idle daemon writes nothing to its database: its liveness is the lock file's
    /// time, not a heartbeat row (which was 2.5 GB of writes a day per idle center).
    @Test func anIdleNodeDaemonDoesNotWriteItsDatabase() throws {
        let lab = try StatusLab()
        try lab.initHub()
        try lab.initNode("C001")
        let c = lab.node("C001")
        try lab.startHub()
        try lab.start("daemon", ["node", "run", "--data", c])
        #expect(try lab.waitUntil { try lab.nodeStatus("C001").code == 0 })
        // Settled: the first session's bookkeeping is done.
        Thread.sleep(forTimeInterval: 3)
        func files() -> [String] {
            ["gatehouse.sqlite", "gatehouse.sqlite-wal"].map { name in
                var st = stat()
                guard stat(c + "/" + name, &st) == 0 else { return "\(name): none" }
                return "\(name): \(st.st_size) bytes, modified \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
            }
        }
        let lock = c + "/daemon.lock"
        func lockTime() -> Int { var st = stat(); stat(lock, &st); return st.st_mtim.tv_sec * 1_000_000_000 + st.st_mtim.tv_nsec }
        let before = files(), beat = lockTime()
        // A minute (issue 17): longer than every periodic task of the daemon and the hub
        // (beats 5 s, backlog reports 2 s, log-head reads, the hub's 60 s last-seen).
        Thread.sleep(forTimeInterval: 62)
        #expect(files() == before)
        #expect(lockTime() > beat, "the daemon beats on its lock file")
        let (code, j) = try lab.nodeStatus("C001")
        #expect(code == 0 && j["daemon.running"]?.bool == true, "\(j)")
        lab.stop("daemon")
        #expect(try lab.nodeStatus("C001").json["daemon.running"]?.bool == false)
        lab.stop("hub")
    }
}
