import Testing
@testable import WebDesk

@Suite struct CSRFTokenTests {
    @Test func aTokenVerifiesOnlyWithItsOwnSecret() {
        let secret = CSRFToken.randomSecret()
        let token = CSRFToken.make(secret: secret)
        #expect(CSRFToken.verify(token, secret: secret))
        #expect(!CSRFToken.verify(token, secret: CSRFToken.randomSecret()))
        #expect(!CSRFToken.verify(nil, secret: secret))
        #expect(!CSRFToken.verify(token, secret: nil))
        #expect(!CSRFToken.verify(token, secret: ""))
        #expect(!CSRFToken.verify("", secret: secret))
        #expect(!CSRFToken.verify(String(token.dropLast()), secret: secret))
        #expect(!CSRFToken.verify(token, secret: secret, purpose: "other"))
    }

    @Test func tokensRevealNothingOfTheSecret() {
        let secret = CSRFToken.randomSecret()
        let token = CSRFToken.make(secret: secret)
        #expect(token != secret)
        #expect(!token.contains(secret.prefix(8)))
        #expect(token.count == 43)  // 32 bytes, base64url without padding
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test func secretsAreFresh() {
        let secrets = Set((0..<100).map { _ in CSRFToken.randomSecret() })
        #expect(secrets.count == 100)
    }
}
