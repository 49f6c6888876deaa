import Foundation
import Testing

/// `gatehouse sync` says why it cannot sync: no hub listening, or a hub that refuses the
/// node's key (which ZAP does silently; the node learns it from libzmq's handshake events).
@Suite(.serialized) struct ConnectionErrorTests {
    @Test func syncExplainsAHubThatIsDownAndAKeyThatIsRefused() throws {
        let c = try Cluster()
        defer { c.shutDown(removeFiles: true) }
        _ = try c.addNode(center: "C001", enroll: false)

        let down = try c.sync("C001", timeout: 3)
        #expect(down.status == 1)
        #expect(down.err.contains("is the hub running?"), "\(down)")

        try c.startHub()
        let started = Date()
        let refused = try c.sync("C001", timeout: 20)
        #expect(refused.status == 1)
        #expect(refused.err.contains("hub refused (401)") && refused.err.contains("not enrolled"), "\(refused)")
        // Refused at the handshake, not after waiting out the timeout.
        #expect(Date().timeIntervalSince(started) < 10)
        let status = try c.run(["status", "--data", c.nodes["C001"]!.dir, "--json"])
        #expect(status.out.contains("\"state\" : \"refused\""), "\(status)")
    }
}
