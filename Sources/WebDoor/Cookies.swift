import Foundation
import HTTPServer

/// The cookies of a request (`Cookie` header fields), by name; the first of a repeated name wins.
/// Values are kept as sent: the door's own cookies hold base64url or a language code only.
struct RequestCookies: Sendable {
    private var values: [String: String] = [:]

    init(_ headers: HTTPHeaders) {
        for field in headers.values(for: "Cookie") {
            for pair in field.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                let name = String(trimmed[..<equals])
                var value = String(trimmed[trimmed.index(after: equals)...])
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                if values[name] == nil { values[name] = value }
            }
        }
    }

    subscript(name: String) -> String? { values[name] }
}

/// A `Set-Cookie` value the door sends: always `Path=/`, `SameSite=Strict`; `HttpOnly` unless the
/// cookie is harmless to scripts (there are none); `Secure` behind TLS.
struct SetCookie: Sendable {
    var name: String
    var value: String
    var httpOnly = true
    var secure: Bool
    /// Seconds until the browser forgets it; nil for a cookie that ends with the browser session;
    /// 0 deletes it.
    var maxAge: Int?

    var headerValue: String {
        var parts = ["\(name)=\(value)", "Path=/", "SameSite=Strict"]
        if httpOnly { parts.append("HttpOnly") }
        if secure { parts.append("Secure") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        return parts.joined(separator: "; ")
    }
}

/// The names of the door's cookies.
enum CookieName {
    /// The session's token.
    static let session = "cr_session"
    /// The secret the sign-in form is bound to, before there is a session.
    static let signIn = "cr_signin"
    /// The language chosen with `?lang=`.
    static let language = "cr_lang"
}
