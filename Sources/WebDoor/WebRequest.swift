import Foundation
import HTTPServer
import IndicatorKit

/// A request as the door sees it: the client's address and whether it came over TLS (believed
/// from nginx only), its cookies, its language, its session token, its form.
struct WebRequest: Sendable {
    let http: HTTPRequest
    /// The client's address: nginx's `X-Real-IP` for a request over the Unix socket (nginx is the
    /// only one who can write to it), the peer's address otherwise; never a header a client sent
    /// straight to the door.
    let address: String
    /// True when the client reached nginx over TLS (`X-Forwarded-Proto: https` on the Unix socket).
    let overTLS: Bool
    let cookies: RequestCookies
    /// `?lang=`, else the `cr_lang` cookie, else Chinese.
    let language: Language
    /// The language `?lang=` chose, to be remembered in a cookie.
    let chosenLanguage: Language?
    /// The session's token, when the cookie holds a well-formed one.
    let sessionToken: SessionToken?

    init(_ http: HTTPRequest) {
        self.http = http
        let viaProxy = http.remoteAddress == "unix"
        if viaProxy, let real = http.headers["X-Real-IP"], !real.isEmpty, real.utf8.count <= 64 {
            address = real
        } else {
            address = Self.host(of: http.remoteAddress)
        }
        overTLS = viaProxy && http.headers["X-Forwarded-Proto"]?.lowercased() == "https"
        cookies = RequestCookies(http.headers)
        let asked = http.queryItems.last { $0.name == "lang" }?.value
        if let asked, let chosen = Language(rawValue: asked) {
            language = chosen
            chosenLanguage = chosen
        } else {
            language = Language(code: cookies[CookieName.language])
            chosenLanguage = nil
        }
        sessionToken = cookies[CookieName.session].flatMap { SessionToken(cookie: $0) }
    }

    /// The first value of query parameter `name`, trimmed; nil when absent or empty.
    func query(_ name: String) -> String? {
        guard let value = http.queryItems.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespacesAndNewlines),
              !value.isEmpty
        else { return nil }
        return value
    }

    /// The fields of an `application/x-www-form-urlencoded` body (first value of each name); nil
    /// when the body is of another type or does not decode.
    func form() -> [String: String]? {
        let type = http.headers["Content-Type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded", let items = HTTPQueryItem.decode(http.body) else { return nil }
        var fields: [String: String] = [:]
        for item in items where fields[item.name] == nil { fields[item.name] = item.value }
        return fields
    }

    /// The fields of a form sent either way a browser sends one: `multipart/form-data` (a file
    /// input's bytes kept as they are, `MultipartFormData`) or `application/x-www-form-urlencoded`.
    /// Nil when the body is of another type or does not decode.
    func fields() -> WebForm? {
        if let boundary = MultipartFormData.boundary(contentType: http.headers["Content-Type"]) {
            guard let parts = MultipartFormData.parse(http.body, boundary: boundary) else { return nil }
            var form = WebForm()
            for part in parts where form.parts[part.name] == nil { form.parts[part.name] = part }
            return form
        }
        guard let fields = form() else { return nil }
        var form = WebForm()
        for (name, value) in fields { form.parts[name] = MultipartPart(name: name, body: Data(value.utf8)) }
        return form
    }

    /// The path and query of this request, for coming back after signing in.
    var target: String { http.target }

    /// `127.0.0.1` from `127.0.0.1:54321`, `::1` from `[::1]:54321`.
    static func host(of peer: String) -> String {
        if peer.hasPrefix("["), let close = peer.firstIndex(of: "]") {
            return String(peer[peer.index(after: peer.startIndex)..<close])
        }
        if let colon = peer.lastIndex(of: ":"), peer.filter({ $0 == ":" }).count == 1 { return String(peer[..<colon]) }
        return peer
    }
}

/// A form's fields by name (the first of each), as bytes; text fields read as UTF-8.
struct WebForm: Sendable {
    var parts: [String: MultipartPart] = [:]

    /// Field `name` as text; nil when absent or not UTF-8.
    subscript(_ name: String) -> String? {
        parts[name].flatMap { String(data: $0.body, encoding: .utf8) }
    }

    /// Field `name`'s bytes and, for a file input, the file's name; nil when absent or empty.
    func file(_ name: String) -> (bytes: Data, filename: String?)? {
        guard let part = parts[name], !part.body.isEmpty else { return nil }
        return (part.body, part.filename)
    }
}
