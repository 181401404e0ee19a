/// An HTTP status code with its standard reason phrase.
///
/// Any three-digit code can be made with `init(code:)`; the named constants are the ones this
/// server sends itself or that an application commonly needs.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code.
    public let code: Int

    /// A status with `code`, which must lie in 100...999.
    public init(code: Int) {
        precondition((100...999).contains(code), "an HTTP status code has three digits")
        self.code = code
    }

    /// 100 Continue: the interim answer to `Expect: 100-continue`.
    public static let `continue` = HTTPStatus(code: 100)
    /// 200 OK.
    public static let ok = HTTPStatus(code: 200)
    /// 204 No Content: never carries a body or a `Content-Length`.
    public static let noContent = HTTPStatus(code: 204)
    /// 303 See Other.
    public static let seeOther = HTTPStatus(code: 303)
    /// 304 Not Modified: never carries a body or a `Content-Length`.
    public static let notModified = HTTPStatus(code: 304)
    /// 400 Bad Request: anything malformed.
    public static let badRequest = HTTPStatus(code: 400)
    /// 403 Forbidden.
    public static let forbidden = HTTPStatus(code: 403)
    /// 404 Not Found.
    public static let notFound = HTTPStatus(code: 404)
    /// 405 Method Not Allowed.
    public static let methodNotAllowed = HTTPStatus(code: 405)
    /// 408 Request Timeout: a request did not arrive whole within the read timeout.
    public static let requestTimeout = HTTPStatus(code: 408)
    /// 413 Content Too Large: the announced body is over the limit.
    public static let contentTooLarge = HTTPStatus(code: 413)
    /// 414 URI Too Long: the request line is over the limit.
    public static let uriTooLong = HTTPStatus(code: 414)
    /// 417 Expectation Failed: an `Expect` other than `100-continue`.
    public static let expectationFailed = HTTPStatus(code: 417)
    /// 431 Request Header Fields Too Large: too many header fields, or too many bytes of them.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431)
    /// 500 Internal Server Error.
    public static let internalServerError = HTTPStatus(code: 500)
    /// 501 Not Implemented: a method or a transfer coding this server does not implement.
    public static let notImplemented = HTTPStatus(code: 501)
    /// 503 Service Unavailable: the connection cap is reached.
    public static let serviceUnavailable = HTTPStatus(code: 503)
    /// 505 HTTP Version Not Supported: a well-formed version other than 1.0 and 1.1.
    public static let httpVersionNotSupported = HTTPStatus(code: 505)

    /// The standard reason phrase (RFC 9110), or an empty string for a code without one.
    public var reasonPhrase: String {
        switch code {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: ""
        }
    }

    /// The class digit: 1 informational, 2 successful, 3 redirection, 4 client error, 5 server error.
    public var statusClass: Int { code / 100 }

    /// True for the statuses whose responses never carry a body: 1xx, 204 and 304.
    public var forbidsBody: Bool { code < 200 || code == 204 || code == 304 }

    /// "404 Not Found".
    public var description: String { reasonPhrase.isEmpty ? "\(code)" : "\(code) \(reasonPhrase)" }
}
