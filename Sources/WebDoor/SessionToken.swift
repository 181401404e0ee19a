import ClusterStandard
import Foundation

/// A random 256-bit secret of the door's making: a session's token (in the `cr_session` cookie),
/// or the pre-session secret the sign-in form is bound to (the `cr_signin` cookie).
///
/// The cookie carries it as 43 characters of unpadded base64url. The database stores only its
/// SHA-256 (`hash`), so a copy of `web_sessions` opens no session. Form tokens (CSRF) are derived
/// from it with HMAC-SHA-256 and a purpose: a page's forms carry `formToken`, which only the holder
/// of the cookie — the person's own browser — can have, and which reveals nothing of the token.
public struct SessionToken: Sendable, Hashable {
    /// The 32 random bytes.
    public let bytes: [UInt8]

    /// A fresh token from the system's cryptographically secure generator (getrandom on Linux).
    public static func random() -> SessionToken {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return SessionToken(bytes: bytes)
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The token a cookie value carries; nil unless it is exactly 43 base64url characters.
    public init?(cookie value: String) {
        guard value.utf8.count == 43, value.utf8.allSatisfy(Base64URL.isAlphabet),
              let bytes = Base64URL.decode(value), bytes.count == 32
        else { return nil }
        self.bytes = bytes
    }

    /// The cookie value: 43 characters of unpadded base64url.
    public var cookieValue: String { Base64URL.encode(bytes) }

    /// SHA-256 of the token: what `web_sessions` stores and looks up.
    public var hash: Data { Data(SHA256.digest(bytes)) }

    /// The token a form carries for `purpose` (`session`, `sign-in`), bound to this token.
    public func formToken(_ purpose: String) -> String {
        Base64URL.encode(SHA256.hmac(key: bytes, message: Array("cluster-review form \(purpose)".utf8)))
    }

    /// True when `candidate` is this token's form token for `purpose`; compared in constant time.
    public func accepts(formToken candidate: String?, purpose: String) -> Bool {
        guard let candidate else { return false }
        let expected = Array(formToken(purpose).utf8), given = Array(candidate.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Unpadded base64url (RFC 4648 §5).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }

    static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
