import Foundation
import HTTPTestSupport
import Testing

/// What a browser does with the door, over its Unix socket, as nginx would pass it on: a cookie
/// jar that follows `Set-Cookie` (a `Max-Age=0` deletes), form tokens read off the pages, and
/// requests written byte for byte (one connection each, `Connection: close`).
final class Browser: @unchecked Sendable {
    // @unchecked: used by one test at a time.
    let socketPath: String
    /// The client address nginx would pass as X-Real-IP (none: the header is not sent).
    var address: String?
    /// The cookies the door set, by name.
    var cookies: [String: String] = [:]
    /// Whether requests say they came over HTTPS (X-Forwarded-Proto), as nginx would.
    var overTLS = false
    /// Seconds without an answer taken for a hang (`TestClient.hangAfter`).
    var hangAfter: TimeInterval = 120

    init(socketPath: String, address: String? = nil) {
        self.socketPath = socketPath
        self.address = address
    }

    /// GET `target`.
    func get(_ target: String, headers: [(String, String)] = []) async throws -> WireResponse {
        try await send("GET", target, headers: headers, body: nil)
    }

    /// POST `fields` to `target` as a form.
    func post(_ target: String, _ fields: [(String, String)]) async throws -> WireResponse {
        let body = fields.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        return try await send("POST", target, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    /// POST `parts` to `target` as `multipart/form-data`, as a browser sends a form with a file
    /// input: (name, file name or nil, bytes).
    func postMultipart(_ target: String, _ parts: [(String, String?, Data)]) async throws -> WireResponse {
        let boundary = "----WebKitFormBoundary\(UInt64.random(in: 0...UInt64.max))"
        var body: [UInt8] = []
        for (name, filename, bytes) in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\""
            if let filename { head += "; filename=\"\(filename)\"\r\nContent-Type: application/json" }
            head += "\r\n\r\n"
            body += Array(head.utf8) + Array(bytes) + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return try await send("POST", target, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
    }

    /// Any request, with the cookies of the jar.
    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]?) async throws -> WireResponse {
        let client = try TestClient(unixPath: socketPath)
        client.hangAfter = hangAfter
        var head = "\(method) \(target) HTTP/1.1\r\nHost: review.test\r\nConnection: close\r\n"
        if let address { head += "X-Real-IP: \(address)\r\n" }
        head += "X-Forwarded-Proto: \(overTLS ? "https" : "http")\r\n"
        if !cookies.isEmpty { head += "Cookie: " + cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") + "\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        client.send(Array(head.utf8) + (body ?? []))
        let response = try await client.readResponse(headRequest: method == "HEAD")
        for value in response.headers("Set-Cookie") {
            let pair = value.split(separator: ";")[0]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), cookie = String(pair[pair.index(after: equals)...])
            if value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = cookie }
        }
        return response
    }

    /// Signs in through the form: GET /sign-in (which sets the form's cookie), then POST it.
    func signIn(_ person: Person, next: String? = nil) async throws -> WireResponse {
        try await signIn(login: person.login, password: person.password, next: next)
    }

    func signIn(login: String, password: String, next: String? = nil) async throws -> WireResponse {
        let page = try await get("/sign-in")
        var fields = [("csrf", try Self.formToken(in: page.text)), ("login", login), ("password", password)]
        if let next { fields.append(("next", next)) }
        return try await post("/sign-in", fields)
    }

    /// POSTs the sign-out form, its token read off `page`.
    func signOut(from page: String = "/") async throws -> WireResponse {
        let token = try Self.formToken(in: try await get(page).text)
        return try await post("/sign-out", [("csrf", token)])
    }

    /// The value of the first `<input … name="csrf" value="…"/>` of a page.
    static func formToken(in html: String) throws -> String {
        guard let range = html.range(of: #"name="csrf" value="([A-Za-z0-9_-]+)""#, options: .regularExpression) else {
            throw ClientError(description: "no form token on the page:\n\(html.prefix(600))")
        }
        let match = html[range]
        return String(match.dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    /// Percent-encodes a form field (RFC 3986 unreserved kept).
    static func encode(_ text: String) -> String {
        text.utf8.map { byte -> String in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                return String(UnicodeScalar(byte))
            default:
                return String(format: "%%%02X", byte)
            }
        }.joined()
    }
}
