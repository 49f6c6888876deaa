import Foundation
import Testing
import ZeroMQ

/// CURVE servers, with and without the ZAP handler, over real TCP sockets.
@Suite struct CurveTests {
    /// A CURVE client DEALER in `context` that connects to `endpoint` with `keys`.
    func client(_ context: ZMQContext, _ keys: CurveKeyPair, server: CurveKeyPair, endpoint: String) throws -> ZMQSocket {
        let socket = try context.makeSocket(.dealer)
        try socket.set(.reconnectInterval, 50)
        try socket.makeCurveClient(serverKey: server.publicKey, publicKey: keys.publicKey, secretKey: keys.secretKey)
        try socket.connect(endpoint)
        return socket
    }

    @Test func withoutZAPHandlerAnyClientKeyIsAccepted() throws {
        // The hole the ZAP handler exists to close: libzmq's default admits every key.
        let context = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let router = try context.makeSocket(.router)
        try router.makeCurveServer(secretKey: serverKeys.secretKey)
        let endpoint = try router.bindEphemeral()
        let dealer = try client(context, stranger, server: serverKeys, endpoint: endpoint)
        defer {
            dealer.close()
            router.close()
            context.terminate()
        }
        try dealer.send([bytes("let me in")])
        let message = try #require(try router.receive(timeout: .seconds(2)))
        #expect(message.frames.last == bytes("let me in"))
        #expect(message.userId == nil)  // nobody vouched for this key
    }

    @Test func zapHandlerAdmitsOnlyAllowedKeysAndFollowsRuntimeChanges() throws {
        let serverContext = try ZMQContext()
        let clientContext = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        let denials = Box<[ZAPDenial]>([])

        let zap = try ZAPHandler(context: serverContext, allowedKeys: [a.publicKey]) { denial in
            denials.withLock { $0.append(denial) }
        }
        try zap.start()
        let router = try serverContext.makeSocket(.router)
        try router.makeCurveServer(secretKey: serverKeys.secretKey)
        let endpoint = try router.bindEphemeral()
        var clients: [ZMQSocket] = []
        defer {
            for socket in clients { socket.close() }
            router.close()
            zap.stop()
            serverContext.terminate()
            clientContext.terminate()
        }

        // A is enrolled: its message arrives, stamped with its public key.
        let clientA = try client(clientContext, a, server: serverKeys, endpoint: endpoint)
        clients.append(clientA)
        try clientA.send([bytes("from A")])
        let fromA = try #require(try router.receive(timeout: .seconds(2)))
        #expect(fromA.frames.last == bytes("from A"))
        #expect(fromA.userId == a.publicKey)
        #expect(zap.acceptedCount >= 1)

        // B is not: nothing gets through, and the refusal is reported with B's key.
        let clientB = try client(clientContext, b, server: serverKeys, endpoint: endpoint)
        clients.append(clientB)
        try clientB.send([bytes("from B")])
        #expect(try router.receive(timeout: .milliseconds(300)) == nil)
        #expect(eventually { denials.current.contains { $0.publicKey == b.publicKey } })
        let denial = try #require(denials.current.first)
        #expect(denial.reason == "unknown key")
        #expect(denial.address == "127.0.0.1")
        #expect(denial.mechanism == "CURVE")
        #expect(zap.deniedCount >= 1)
        clientB.close()

        // Enrolling B while the server runs lets a new connection of B in.
        try zap.allow(b.publicKey)
        let clientB2 = try client(clientContext, b, server: serverKeys, endpoint: endpoint)
        clients.append(clientB2)
        try clientB2.send([bytes("B again")])
        let fromB = try #require(try router.receive(timeout: .seconds(2)))
        #expect(fromB.frames.last == bytes("B again"))
        #expect(fromB.userId == b.publicKey)

        // Revoking A refuses A's next connection; its open one is not cut (ZAP runs per handshake).
        zap.revoke(a.publicKey)
        #expect(!zap.isAllowed(a.publicKey))
        try clientA.send([bytes("A, still connected")])
        #expect(try router.receive(timeout: .seconds(2))?.userId == a.publicKey)

        let deniedBefore = denials.current.filter { $0.publicKey == a.publicKey }.count
        let clientA2 = try client(clientContext, a, server: serverKeys, endpoint: endpoint)
        clients.append(clientA2)
        try clientA2.send([bytes("A, new connection")])
        #expect(try router.receive(timeout: .milliseconds(300)) == nil)
        #expect(eventually { denials.current.filter { $0.publicKey == a.publicKey }.count > deniedBefore })
    }

    @Test func zapHandlerLifecycle() throws {
        let context = try ZMQContext()
        let zap = try ZAPHandler(context: context)
        try zap.start()
        #expect(zap.isRunning)

        // One handler per context: the endpoint is taken.
        let second = try ZAPHandler(context: context)
        let taken = try #require(throws: ZMQError.self) { try second.start() }
        #expect(taken.code == EADDRINUSE)
        // Started once only.
        #expect(throws: ZMQError.self) { try zap.start() }

        #expect(throws: ZMQError.self) { try zap.allow("not a key") }
        #expect(throws: ZMQError.self) { try ZAPHandler(context: context, allowedKeys: ["short"]) }
        let key = try CurveKeyPair.generate().publicKey
        try zap.replaceAllowedKeys([key])
        #expect(zap.allowedKeys == [key])

        let stopping = elapsed {
            zap.stop()
            zap.stop()
        }
        #expect(stopping < .seconds(1))
        #expect(!zap.isRunning)
        second.stop()
        #expect(elapsed { context.terminate() } < .seconds(1))
    }

    @Test func terminatingTheContextEndsARunningHandler() throws {
        let context = try ZMQContext()
        let zap = try ZAPHandler(context: context)
        try zap.start()
        // The handler's thread sees ETERM, closes its socket, and zmq_ctx_term can finish.
        #expect(elapsed { context.terminate() } < .seconds(1))
        #expect(elapsed { zap.stop() } < .seconds(1))
    }

    @Test func zapHandlerRefusesOtherDomains() throws {
        let context = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let a = try CurveKeyPair.generate()
        let denials = Box<[ZAPDenial]>([])
        let zap = try ZAPHandler(context: context, allowedKeys: [a.publicKey], domain: "gatehouse") { denial in
            denials.withLock { $0.append(denial) }
        }
        try zap.start()
        let router = try context.makeSocket(.router)
        try router.set(.zapDomain, "elsewhere")
        try router.makeCurveServer(secretKey: serverKeys.secretKey)
        let endpoint = try router.bindEphemeral()
        let dealer = try client(context, a, server: serverKeys, endpoint: endpoint)
        defer {
            dealer.close()
            router.close()
            zap.stop()
            context.terminate()
        }
        try dealer.send([bytes("hello")])
        #expect(try router.receive(timeout: .milliseconds(200)) == nil)
        #expect(eventually { denials.current.first?.reason == "unknown domain" })
    }
}
