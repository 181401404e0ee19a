import Foundation

/// The request methods this server implements; any other is answered 501.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    /// GET.
    case get = "GET"
    /// HEAD: answered like GET, without the body.
    case head = "HEAD"
    /// POST.
    case post = "POST"
}

/// The protocol versions this server speaks; any other well-formed version is answered 505.
public enum HTTPVersion: String, Sendable, Hashable {
    /// HTTP/1.0: the connection closes after the response unless the request asks to keep it.
    case http10 = "HTTP/1.0"
    /// HTTP/1.1: the connection stays open unless either side says `Connection: close`.
    case http11 = "HTTP/1.1"
}

/// One complete request, as the parser yields it and a handler receives it.
///
/// The target is always origin-form (`/path?query`); `path` is kept as received (still
/// percent-encoded) and `pathSegments` holds its decoded segments, which `HTTPPath` has already
/// checked: a request whose path could traverse never reaches a handler.
public struct HTTPRequest: Sendable, Hashable {
    /// The method.
    public var method: HTTPMethod
    /// The protocol version of the request line.
    public var version: HTTPVersion
    /// The request target exactly as received, e.g. `/counties/460105?year=2026`.
    public var target: String
    /// The path part of the target (before `?`), still percent-encoded.
    public var path: String
    /// The decoded segments of `path` (see `HTTPPath.segments`).
    public var pathSegments: [String]
    /// The query part of the target (after `?`), still encoded; nil when there is no `?`.
    public var query: String?
    /// The decoded pairs of `query` (see `HTTPQueryItem.decode`), in order.
    public var queryItems: [HTTPQueryItem]
    /// The header fields, in order, repeated names kept.
    public var headers: HTTPHeaders
    /// The body: exactly `Content-Length` bytes, or empty.
    public var body: Data
    /// Who sent it: `127.0.0.1:54321`, `[::1]:54321`, or `unix` for a Unix-socket peer (nginx).
    /// The client behind a proxy is in the proxy's `X-Real-IP` header, which only the
    /// application can decide to trust.
    public var remoteAddress: String

    /// A request for `target`, which is split and checked as the parser does: it must be
    /// origin-form with a safe path and a decodable query, or this throws the parser's 400.
    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http11,
        headers: HTTPHeaders = [:],
        body: Data = Data(),
        remoteAddress: String = ""
    ) throws(HTTPParseError) {
        let parts = try Self.splitTarget(Array(target.utf8)[...])
        self.method = method
        self.version = version
        self.target = target
        self.path = parts.path
        self.pathSegments = parts.segments
        self.query = parts.query
        self.queryItems = parts.items
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// True when the connection may carry another request after this one's response: HTTP/1.1
    /// unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool {
        var close = false
        var keepAlive = false
        for value in headers.values(for: "Connection") {
            for token in value.split(separator: ",") {
                let option = token.trimmingCharacters(in: .whitespaces).lowercased()
                if option == "close" { close = true }
                if option == "keep-alive" { keepAlive = true }
            }
        }
        if close { return false }
        return version == .http11 || keepAlive
    }

    struct TargetParts {
        var path: String
        var segments: [String]
        var query: String?
        var items: [HTTPQueryItem]
    }

    /// Splits an origin-form target into its checked, decoded parts.
    static func splitTarget(_ target: ArraySlice<UInt8>) throws(HTTPParseError) -> TargetParts {
        guard target.first == UInt8(ascii: "/") else { throw .malformed(.targetNotOriginForm) }
        guard target.allSatisfy(ByteClass.isTargetByte) else { throw .malformed(.invalidTarget) }
        let mark = target.firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = target[target.startIndex..<(mark ?? target.endIndex)]
        let segments: [String]
        do {
            segments = try HTTPPath.segments(of: pathBytes)
        } catch {
            throw .malformed(.unsafePath(error))
        }
        var query: String?
        var items: [HTTPQueryItem] = []
        if let mark {
            let queryBytes = target[(mark + 1)...]
            guard let decoded = HTTPQueryItem.decode(queryBytes) else { throw .malformed(.invalidQuery) }
            query = String(decoding: queryBytes, as: UTF8.self)
            items = decoded
        }
        return TargetParts(
            path: String(decoding: pathBytes, as: UTF8.self), segments: segments, query: query, items: items
        )
    }

    /// Builds a parsed request; the parts were checked by the parser.
    init(
        method: HTTPMethod, version: HTTPVersion, target: String, parts: TargetParts,
        headers: HTTPHeaders, body: Data, remoteAddress: String
    ) {
        self.method = method
        self.version = version
        self.target = target
        self.path = parts.path
        self.pathSegments = parts.segments
        self.query = parts.query
        self.queryItems = parts.items
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }
}
