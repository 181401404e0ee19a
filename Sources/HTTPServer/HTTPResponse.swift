#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What a handler answers: a status, header fields and a body, sent with a `Content-Length`.
///
/// The writer owns the framing: a handler must not set `Content-Length`, `Transfer-Encoding` or
/// `Connection` (the writer refuses them), and the body of a response to HEAD is not sent.
public struct HTTPResponse: Sendable, Hashable {
    /// The status; a handler may answer 200...599.
    public var status: HTTPStatus
    /// The header fields, written in order after `Date` (unless the handler set its own).
    public var headers: HTTPHeaders
    /// The body; must be empty for 204 and 304.
    public var body: Data

    /// A response with `status`, `headers` and `body`.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why the writer refused a response; the server answers 500 instead and logs the reason.
public enum HTTPResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A status outside 200...599 (1xx are the server's own).
    case invalidStatus(Int)
    /// A field name that is empty or not a token (would break the head, e.g. with CR or LF).
    case invalidHeaderName(String)
    /// A field value holding CR, LF, NUL or another control byte other than HTAB: header
    /// injection, refused rather than cleaned.
    case invalidHeaderValue(name: String)
    /// `Content-Length`, `Transfer-Encoding` or `Connection`, which only the writer sets.
    case reservedHeader(String)
    /// A body on a 204 or 304 response.
    case bodyNotAllowed(HTTPStatus)

    /// One line for a person (and the log); never includes a header value.
    public var description: String {
        switch self {
        case .invalidStatus(let code): "status \(code) is not a final status a handler may send"
        case .invalidHeaderName(let name): "header name \(name.debugDescription) is not a token"
        case .invalidHeaderValue(let name): "the value of header \(name) holds CR, LF, NUL or another control byte"
        case .reservedHeader(let name): "header \(name) is set by the writer, not the handler"
        case .bodyNotAllowed(let status): "a \(status) response cannot carry a body"
        }
    }
}

/// Serializes responses: status line, fields, `Content-Length`, `Connection`, body.
///
/// Checks every field a handler set before writing a byte (`HTTPResponseError`), so a value
/// taken from a request can never add a header or a second response. `Content-Length` is always
/// written, except for 204 and 304 which have none; a response to HEAD gets the length its body
/// would have had, and no body. The status line is always `HTTP/1.1`, as RFC 9110 asks of a 1.1
/// server answering a 1.0 request.
public enum HTTPResponseWriter {
    /// What the `Connection` field of a response says.
    public enum Connection: Sendable, Hashable {
        /// No field: HTTP/1.1's default, the connection stays open.
        case persistent
        /// `Connection: keep-alive`: an HTTP/1.0 client that asked to keep the connection.
        case keepAlive
        /// `Connection: close`: the server closes after this response.
        case close
    }

    /// The bytes of `response` as an answer to a `method` request (nil when there was no
    /// request to speak of, e.g. a malformed one), with `date` as the `Date` field unless the
    /// handler set one.
    public static func serialize(
        _ response: HTTPResponse, method: HTTPMethod?, connection: Connection, date: String? = nil
    ) throws(HTTPResponseError) -> Data {
        var bytes = try head(response, method: method, connection: connection, date: date)
        if sendsBody(response, method: method) { bytes.append(contentsOf: response.body) }
        return Data(bytes)
    }

    /// True when the body follows the head on the wire.
    static func sendsBody(_ response: HTTPResponse, method: HTTPMethod?) -> Bool {
        method != .head && !response.status.forbidsBody && !response.body.isEmpty
    }

    /// Checks `response` and returns its head, through the empty line.
    static func head(
        _ response: HTTPResponse, method: HTTPMethod?, connection: Connection, date: String?
    ) throws(HTTPResponseError) -> [UInt8] {
        let status = response.status
        guard (200...599).contains(status.code) else { throw .invalidStatus(status.code) }
        if status.forbidsBody && !response.body.isEmpty { throw .bodyNotAllowed(status) }
        for field in response.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(ByteClass.isTokenByte) else {
                throw .invalidHeaderName(field.name)
            }
            for reserved in ["Content-Length", "Transfer-Encoding", "Connection"]
            where HTTPHeaders.nameMatches(field.name, reserved) {
                throw .reservedHeader(reserved)
            }
            guard field.value.utf8.allSatisfy(isFieldValueByte) else { throw .invalidHeaderValue(name: field.name) }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        if let date, !response.headers.contains("Date") {
            bytes.append(contentsOf: "Date: \(date)\r\n".utf8)
        }
        for field in response.headers {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        if !status.forbidsBody {
            bytes.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        }
        switch connection {
        case .persistent: break
        case .keepAlive: bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        case .close: bytes.append(contentsOf: "Connection: close\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        return bytes
    }

    /// HTAB, visible ASCII, space and non-ASCII (UTF-8) bytes; never CR, LF, NUL or DEL.
    private static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    /// `seconds` since the epoch as an HTTP date (IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func httpDate(secondsSinceEpoch seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
