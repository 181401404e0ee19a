import ClusterStandard
import Foundation
import Testing
@testable import WebDoor

/// The door's small pure parts: the digest, tokens, the rate limit's window.
@Suite struct PrimitiveTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// FIPS 180-4's examples, and a message longer than one block.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func sha256MatchesTheStandardsExamples(_ message: String, _ digest: String) {
        #expect(Self.hex(SHA256.digest(Array(message.utf8))) == digest)
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than a block).
    @Test func hmacMatchesRFC4231() {
        #expect(Self.hex(SHA256.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Self.hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Self.hex(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131),
                                     message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func tokensAreRandomAndRoundTripThroughTheirCookie() throws {
        let a = SessionToken.random(), b = SessionToken.random()
        #expect(a != b)
        #expect(a.bytes.count == 32)
        #expect(SessionToken(cookie: a.cookieValue) == a)
        #expect(a.hash.count == 32)
        #expect(a.formToken("session") != a.formToken("sign-in"), "a form token is bound to its purpose")
        #expect(a.accepts(formToken: a.formToken("session"), purpose: "session"))
        #expect(!a.accepts(formToken: b.formToken("session"), purpose: "session"))
        #expect(!a.accepts(formToken: nil, purpose: "session"))
    }

    @Test(arguments: ["", "short", String(repeating: "A", count: 44), String(repeating: "+", count: 43), "A" + String(repeating: "=", count: 42)])
    func aMalformedCookieIsNoToken(_ value: String) {
        #expect(SessionToken(cookie: value) == nil)
    }

    @Test func theLimitSlidesWithItsWindowAndASuccessClearsALoginsFailures() {
        let clock = ManualInstant()
        var limits = SignInLimiter.Limits()
        limits.loginFailures = 2
        limits.addressAttempts = 100
        limits.window = .seconds(60)
        let limiter = SignInLimiter(limits: limits, now: { clock.now })
        #expect(limiter.admit(login: "li", address: "a") == nil)
        limiter.failed(login: "li")
        clock.advance(.seconds(30))
        #expect(limiter.admit(login: "LI", address: "a") == nil, "logins compare without case")
        limiter.failed(login: "li")
        let refusal = limiter.admit(login: "li", address: "a")
        #expect(refusal?.byLogin == true)
        #expect(refusal?.retryAfter == .seconds(30))
        clock.advance(.seconds(31))
        #expect(limiter.admit(login: "li", address: "a") == nil, "the first failure has left the window")
        limiter.failed(login: "li")
        limiter.succeeded(login: "li")
        limiter.failed(login: "li")
        #expect(limiter.admit(login: "li", address: "a") == nil, "a success forgets the failures before it")
    }

    @Test func theLimitersTablesStayBoundedWhateverTheAddresses() {
        var limits = SignInLimiter.Limits()
        limits.maxEntries = 50
        limits.addressAttempts = 1
        let limiter = SignInLimiter(limits: limits)
        for index in 0..<1000 { _ = limiter.admit(login: "x\(index)", address: "10.0.\(index / 256).\(index % 256)") }
        // The oldest addresses were dropped: one of them may try again.
        #expect(limiter.admit(login: "y", address: "10.0.0.0") == nil)
    }

    @Test(arguments: [("/filings?status=reviewed", "/filings?status=reviewed"), ("/", "/"), ("//evil.example", nil),
                      ("https://evil.example", nil), ("/sign-in", nil), ("/a/../b", nil), ("/x\r\ny", nil), ("relative", nil)])
    func onlyAPathOfThisSiteIsFollowedAfterSigningIn(_ next: String, _ expected: String?) {
        #expect(WebDoor.safeNext(next) == expected)
    }
}

/// A clock the test moves by hand.
final class ManualInstant: @unchecked Sendable {
    // @unchecked: `instant` is read and written only while `lock` is held.
    private let lock = NSLock()
    private var instant = ContinuousClock.now

    var now: ContinuousClock.Instant { lock.withLock { instant } }

    func advance(_ duration: Duration) { lock.withLock { instant += duration } }
}
