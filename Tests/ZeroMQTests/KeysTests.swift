import Testing
import ZeroMQ

@Suite struct KeysTests {
    @Test func libraryHasCurve() throws {
        #expect(ZeroMQ.version.major == 4)
        #expect(ZeroMQ.hasCurve)
        try ZeroMQ.requireCurve()
    }

    @Test func z85RoundTripAndKnownVector() throws {
        // The test vector of RFC 32/Z85.
        let hello: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(try Z85.encode(hello) == "HelloWorld")
        #expect(try Z85.decode("HelloWorld") == hello)

        let all = (0..<256).map { UInt8($0) }
        #expect(try Z85.decode(Z85.encode(all)) == all)
        #expect(try Z85.encode([]) == "")
    }

    @Test func z85RejectsBadInput() {
        #expect(throws: ZMQError.self) { try Z85.encode([1, 2, 3]) }
        #expect(throws: ZMQError.self) { try Z85.decode("abcd") }
        #expect(throws: ZMQError.self) { try Z85.decode("Hello Worl") }  // space is not Z85
    }

    @Test func generatedKeysAreValidAndDistinct() throws {
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        for key in [a.publicKey, a.secretKey, b.publicKey, b.secretKey] {
            #expect(key.utf8.count == 40)
            #expect(CurveKey.isValid(key))
            #expect(try CurveKey(z85: key).bytes.count == 32)
        }
        #expect(a.publicKey != b.publicKey)
        #expect(a.secretKey != a.publicKey)
    }

    @Test func derivedPublicKeyMatchesGenerated() throws {
        let pair = try CurveKeyPair.generate()
        #expect(try CurveKeyPair.derivePublicKey(fromSecret: pair.secretKey) == pair.publicKey)
        #expect(try CurveKeyPair(publicKey: pair.publicKey, secretKey: pair.secretKey) == pair)
        let other = try CurveKeyPair.generate()
        #expect(throws: ZMQError.self) { try CurveKeyPair(publicKey: other.publicKey, secretKey: pair.secretKey) }
    }

    @Test func rawKeyBytesRoundTrip() throws {
        let pair = try CurveKeyPair.generate()
        let key = try CurveKey(z85: pair.publicKey)
        #expect(try CurveKey(bytes: key.bytes).z85 == pair.publicKey)
        #expect(throws: ZMQError.self) { try CurveKey(bytes: [1, 2, 3]) }
    }

    @Test func invalidKeyStringsAreRejectedWithAClearMessage() throws {
        let valid = try CurveKeyPair.generate().publicKey

        let short = try #require(throws: ZMQError.self) { try CurveKey.validate(String(valid.dropLast())) }
        #expect(short.message.contains("40 characters; got 39"))

        let badCharacter = String(valid.dropLast()) + "~"
        let alphabet = try #require(throws: ZMQError.self) { try CurveKey.validate(badCharacter) }
        #expect(alphabet.message.contains("'~' is not in the Z85 alphabet"))
        #expect(alphabet.description.contains("CurveKey.validate"))

        #expect(throws: ZMQError.self) { try CurveKeyPair.derivePublicKey(fromSecret: "not a key") }

        // The socket option refuses it before libzmq sees it.
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        defer { socket.close(); context.terminate() }
        #expect(throws: ZMQError.self) { try socket.set(.curveServerKey, badCharacter) }
        #expect(throws: ZMQError.self) { try socket.set(.zapDomain, rawKey: try CurveKey(z85: valid).bytes) }
        try socket.set(.curveServerKey, rawKey: try CurveKey(z85: valid).bytes)
        #expect(try socket.get(.curveServerKey) == valid)
    }
}
