import Foundation
import Testing
import ZeroMQ

@Suite struct SocketTests {
    @Test(arguments: ["inproc://socket-tests-multipart", "tcp"])
    func dealerRouterMultipartRoundTrip(transport: String) throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        let dealer = try context.makeSocket(.dealer)
        defer {
            dealer.close()
            router.close()
            context.terminate()
        }
        let endpoint: String
        if transport == "tcp" {
            endpoint = try router.bindEphemeral()
        } else {
            endpoint = transport
            try router.bind(endpoint)
        }
        try dealer.connect(endpoint)

        let frames: [[UInt8]] = [[], [0, 1, 2, 0, 255], bytes("hello"), []]
        try dealer.send(frames)
        let received = try #require(try router.receive(timeout: .seconds(2)))
        #expect(received.frames.count == frames.count + 1)
        #expect(!received.frames[0].isEmpty)  // the routing id the ROUTER made up
        #expect(Array(received.frames.dropFirst()) == frames)
        #expect(received.userId == nil)  // no CURVE, no ZAP

        try router.send([received.frames[0], bytes("ack"), []])
        let reply = try #require(try dealer.receive(timeout: .seconds(2)))
        #expect(reply.frames == [bytes("ack"), []])

        try dealer.send([Data("as data".utf8)])
        #expect(try router.receive(timeout: .seconds(2))?.data.last == Data("as data".utf8))
    }

    @Test func oneMebibyteFrameRoundTrip() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        let dealer = try context.makeSocket(.dealer)
        defer {
            dealer.close()
            router.close()
            context.terminate()
        }
        try dealer.connect(try router.bindEphemeral())
        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try dealer.send([bytes("head"), big])
        let received = try #require(try router.receive(timeout: .seconds(2)))
        #expect(received.frames.count == 3)
        #expect(received.frames[2] == big)
    }

    @Test func routerMandatoryReportsUnknownPeers() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        defer {
            router.close()
            context.terminate()
        }
        try router.set(.routerMandatory, true)
        _ = try router.bindEphemeral()
        let error = try #require(throws: ZMQError.self) {
            try router.send([bytes("nobody"), bytes("hello")])
        }
        #expect(error.isHostUnreachable)
        #expect(error.code == EHOSTUNREACH)
    }

    @Test func oversizedMessageIsDroppedAndANewConnectionStillWorks() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        defer {
            router.close()
            context.terminate()
        }
        try router.set(.maxMessageSize, 1024)
        #expect(try router.get(.maxMessageSize) == 1024)
        let endpoint = try router.bindEphemeral()

        let oversized = try context.makeSocket(.dealer)
        try oversized.connect(endpoint)
        try oversized.send([[UInt8](repeating: 7, count: 4096)])
        #expect(try router.receive(timeout: .milliseconds(300)) == nil)
        oversized.close()

        let fresh = try context.makeSocket(.dealer)
        defer { fresh.close() }
        try fresh.connect(endpoint)
        try fresh.send([bytes("small")])
        let received = try #require(try router.receive(timeout: .seconds(2)))
        #expect(received.frames.last == bytes("small"))
    }

    @Test func receiveReturnsNilWhenNothingArrives() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.pull)
        defer {
            socket.close()
            context.terminate()
        }
        _ = try socket.bindEphemeral()
        #expect(try socket.receive(dontWait: true) == nil)

        var result: ZMQMultipart?
        let waited = try elapsed { result = try socket.receive(timeout: .milliseconds(80)) }
        #expect(result == nil)
        #expect(waited >= .milliseconds(75))
        #expect(waited < .seconds(1))
        #expect(try socket.receive(timeoutMilliseconds: 0) == nil)

        // A blocking receive honours ZMQ_RCVTIMEO and returns nil as well.
        try socket.set(.receiveTimeout, 30)
        #expect(try socket.receive() == nil)
    }

    @Test func closeAndTerminateAreQuickWithMessagesQueuedToAnAbsentPeer() throws {
        // Find a port nobody listens on by binding and closing.
        let probeContext = try ZMQContext()
        let probe = try probeContext.makeSocket(.router)
        let endpoint = try probe.bindEphemeral()
        probe.close()
        probeContext.terminate()

        let context = try ZMQContext()
        let tcp = try context.makeSocket(.dealer)
        let inproc = try context.makeSocket(.push)
        #expect(try tcp.get(.linger) == 0)
        try tcp.connect(endpoint)
        try inproc.connect("inproc://nobody-binds-this")
        for index in 0..<100 {
            try tcp.send([bytes("queued \(index)")], dontWait: true)
            try inproc.send([bytes("queued \(index)")], dontWait: true)
        }
        let took = elapsed {
            tcp.close()
            inproc.close()
            context.terminate()
        }
        #expect(took < .seconds(1))
        // Both are idempotent.
        tcp.close()
        context.terminate()
        #expect(context.isTerminated)
        #expect(throws: ZMQError.self) { try context.makeSocket(.dealer) }
    }

    @Test func closedSocketThrowsInsteadOfCrashing() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        socket.close()
        #expect(socket.isClosed)
        let error = try #require(throws: ZMQError.self) { try socket.send([bytes("x")]) }
        #expect(error.isClosed)
        #expect(throws: ZMQError.self) { try socket.connect("inproc://x") }
        context.terminate()
    }

    @Test func sendingNoFramesIsRefused() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        defer {
            socket.close()
            context.terminate()
        }
        #expect(throws: ZMQError.self) { try socket.send([[UInt8]]()) }
    }

    @Test func optionsRoundTrip() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        defer {
            socket.close()
            context.terminate()
        }
        try socket.set(.sendHighWaterMark, 10)
        try socket.set(.receiveHighWaterMark, 20)
        try socket.set(.reconnectInterval, 50)
        try socket.set(.reconnectIntervalMax, 2000)
        try socket.set(.heartbeatInterval, 1000)
        try socket.set(.heartbeatTimeout, 3000)
        try socket.set(.heartbeatTTL, 5000)
        try socket.set(.sendTimeout, 10)
        try socket.set(.immediate, true)
        try socket.set(.zapDomain, "gatehouse")
        try socket.set(.probeRouter, true)
        #expect(try socket.get(.sendHighWaterMark) == 10)
        #expect(try socket.get(.receiveHighWaterMark) == 20)
        #expect(try socket.get(.reconnectInterval) == 50)
        #expect(try socket.get(.reconnectIntervalMax) == 2000)
        #expect(try socket.get(.heartbeatInterval) == 1000)
        #expect(try socket.get(.heartbeatTimeout) == 3000)
        #expect(try socket.get(.sendTimeout) == 10)
        #expect(try socket.get(.immediate))
        #expect(try socket.get(.zapDomain) == "gatehouse")
        #expect(try socket.get(.maxMessageSize) == -1)
        #expect(try socket.get(.fileDescriptor) >= 0)
        #expect(try socket.events == [])

        let error = try #require(throws: ZMQError.self) { try socket.set(.lastEndpoint, "x") }
        #expect(error.operation.contains("ZMQ_LAST_ENDPOINT"))

        let endpoint = try socket.bindEphemeral()
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect((Int(endpoint.split(separator: ":").last ?? "") ?? 0) > 0)
        try socket.unbind(endpoint)
    }

    @Test func pollerReportsOnlyReadySockets() throws {
        let context = try ZMQContext()
        let quiet = try context.makeSocket(.pull)
        let busy = try context.makeSocket(.pull)
        let pusher = try context.makeSocket(.push)
        defer {
            pusher.close()
            busy.close()
            quiet.close()
            context.terminate()
        }
        try quiet.bind("inproc://poller-quiet")
        try busy.bind("inproc://poller-busy")
        var poller = ZMQPoller()
        poller.register(quiet)
        poller.register(busy, for: .readable)
        #expect(try poller.poll(timeout: .milliseconds(20)).isEmpty)

        try pusher.connect("inproc://poller-busy")
        try pusher.send([bytes("wake")])
        let ready = try poller.poll(timeout: .seconds(2))
        #expect(ready.count == 1)
        #expect(ready.first?.socket === busy)
        #expect(ready.first?.index == 1)
        #expect(ready.first?.events == .readable)
        #expect(try busy.events.contains(.readable))
        #expect(try ready.first?.socket?.receive(dontWait: true)?.frames == [bytes("wake")])

        var writable = ZMQPoller()
        writable.register(pusher, for: .writable)
        #expect(try writable.poll(timeout: .zero).first?.events == .writable)
        poller.unregister(busy)
        #expect(poller.sockets.count == 1)

        // A plain file descriptor beside the sockets: a pipe written by "another thread".
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { Foundation.close(fds[0]); Foundation.close(fds[1]) }
        poller.register(fileDescriptor: fds[0])
        #expect(try poller.poll(timeout: .milliseconds(20)).isEmpty)
        var one: UInt8 = 1
        #expect(write(fds[1], &one, 1) == 1)
        let woken = try poller.poll(timeout: .seconds(2))
        #expect(woken.count == 1 && woken.first?.fileDescriptor == fds[0] && woken.first?.socket == nil)
        poller.unregister(fileDescriptor: fds[0])
        #expect(try poller.poll(timeout: .zero).isEmpty)
    }
}

@Suite struct ConstantsTests {
    @Test func socketTypesMatchLibzmq() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        for type in ZMQSocketType.allCases {
            let socket = try context.makeSocket(type)
            defer { socket.close() }
            // ZMQ_TYPE (16) reports the socket's own type.
            #expect(try socket.get(ZMQSocketOption<Int32>.socketType) == type.rawValue, "\(type)")
        }
    }

    @Test func errorDescriptionsNameTheOperation() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        defer {
            socket.close()
            context.terminate()
        }
        let error = try #require(throws: ZMQError.self) { try socket.bind("nonsense://here") }
        #expect(error.operation == "zmq_bind(nonsense://here)")
        #expect(error.description.hasPrefix("ZeroMQ error \(error.code) in zmq_bind(nonsense://here): "))
        #expect(!error.message.isEmpty)
    }
}
