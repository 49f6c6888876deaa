import Foundation
import Testing
import ZeroMQ

/// Z85 keys use '-' in their alphabet, so about one key in 85 begins with it; the CLI must
/// still take it as the option's value, not as another option.
@Suite struct KeyArgumentTests {
    @Test func keysBeginningWithADashAreAccepted() throws {
        var dashed: CurveKeyPair?
        for _ in 0..<20_000 {
            let k = try CurveKeyPair.generate()
            if k.publicKey.hasPrefix("-") { dashed = k; break }
        }
        let key = try #require(dashed).publicKey
        let lab = try StatusLab()
        try lab.initHub()
        let enrolled = try lab.run(["hub", "enroll", "--data", lab.hub, "--center", "C001", "--key", key])
        #expect(enrolled.status == 0, "\(enrolled)")
        let node = try lab.run(["node", "init", "--data", lab.node("C001"), "--center", "C001", "--name", "中心",
                                "--hub", lab.endpoint, "--hub-key", key])
        #expect(node.status == 0, "\(node)")
        let connect = try lab.run(["node", "connect", "--data", lab.node("C001"), "--hub", lab.endpoint, "--hub-key", key])
        #expect(connect.status == 0, "\(connect)")
        let revoked = try lab.run(["hub", "revoke", "--data", lab.hub, "--key", key])
        #expect(revoked.status == 0, "\(revoked)")
    }
}
