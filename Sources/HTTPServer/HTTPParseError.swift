/// Why a request was refused before it reached a handler, and the status it is answered with.
///
/// After any of these the connection is answered once and closed: the parser cannot know where the
/// next request would begin, so it never tries (that is what keeps a smuggled request out).
public enum HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request line passed `HTTPLimits.maxRequestLineBytes` → 414.
    case requestLineTooLong(limit: Int)
    /// The header block passed `HTTPLimits.maxHeaderBlockBytes` → 431.
    case headerBlockTooLarge(limit: Int)
    /// More field lines than `HTTPLimits.maxHeaderCount` → 431.
    case tooManyHeaders(limit: Int)
    /// `Content-Length` announced more than `HTTPLimits.maxBodyBytes` → 413.
    case bodyTooLarge(limit: Int)
    /// A well-formed method other than GET, HEAD and POST → 501.
    case methodNotImplemented
    /// A `Transfer-Encoding` (chunked or any other) without `Content-Length` → 501.
    case transferEncodingNotImplemented
    /// A well-formed version other than HTTP/1.0 and HTTP/1.1 → 505.
    case versionNotSupported
    /// An `Expect` other than one `100-continue` → 417.
    case unsupportedExpectation
    /// Anything malformed → 400; the case says what.
    case malformed(Malformation)

    /// What was malformed in a request answered 400.
    public enum Malformation: Sendable, Hashable, CustomStringConvertible {
        /// A line ended with LF alone. Lines end with CRLF; a bare LF is refused, not tolerated,
        /// because a parser in front that reads it differently is how requests get smuggled.
        case bareLineFeed
        /// A CR not followed by LF.
        case bareCarriageReturn
        /// A control byte or a non-ASCII byte in the request line.
        case invalidByteInRequestLine
        /// The request line is not `method SP target SP version`, with single spaces.
        case invalidRequestLine
        /// The method is not a token.
        case invalidMethod
        /// The version is not `HTTP/` digit `.` digit.
        case invalidVersion
        /// The target is not origin-form (it does not begin with `/`).
        case targetNotOriginForm
        /// The target holds a byte that must be percent-encoded.
        case invalidTarget
        /// The path could traverse or is badly encoded; see the path error.
        case unsafePath(HTTPPathError)
        /// The query has a malformed escape, is not UTF-8 or holds a NUL once decoded.
        case invalidQuery
        /// Empty lines before the request line ran past the request line limit.
        case tooManyEmptyLines
        /// A field line begins with whitespace (obsolete line folding).
        case obsoleteLineFolding
        /// A field line has no colon.
        case missingColon
        /// Whitespace between a field name and its colon.
        case whitespaceBeforeColon
        /// A field name that is empty or not a token (controls, non-ASCII, separators).
        case invalidHeaderName
        /// A field value holding a control byte, or bytes that are not UTF-8.
        case invalidHeaderValue
        /// An HTTP/1.1 request without `Host`.
        case missingHost
        /// More than one `Host` field.
        case multipleHost
        /// A `Host` value that is not a host and port.
        case invalidHost
        /// A `Content-Length` that is not a plain decimal number (signs, spaces, lists).
        case invalidContentLength
        /// More than one `Content-Length`, even with equal values.
        case multipleContentLength
        /// Both `Content-Length` and `Transfer-Encoding`: the classic smuggling request.
        case contentLengthWithTransferEncoding

        /// One line for a person.
        public var description: String {
            switch self {
            case .bareLineFeed: "a line ends with LF without CR"
            case .bareCarriageReturn: "a CR is not followed by LF"
            case .invalidByteInRequestLine: "the request line holds a control or non-ASCII byte"
            case .invalidRequestLine: "the request line is not method, target and version separated by single spaces"
            case .invalidMethod: "the method is not a token"
            case .invalidVersion: "the HTTP version is malformed"
            case .targetNotOriginForm: "the request target does not begin with /"
            case .invalidTarget: "the request target holds a character that must be percent-encoded"
            case .unsafePath(let error): "the path is refused: \(error)"
            case .invalidQuery: "the query is not well-formed UTF-8 percent-encoding"
            case .tooManyEmptyLines: "too many empty lines before the request line"
            case .obsoleteLineFolding: "a header line begins with whitespace (obsolete line folding)"
            case .missingColon: "a header line has no colon"
            case .whitespaceBeforeColon: "whitespace between a header name and its colon"
            case .invalidHeaderName: "a header name is empty or not a token"
            case .invalidHeaderValue: "a header value holds a control byte or is not UTF-8"
            case .missingHost: "an HTTP/1.1 request has no Host header"
            case .multipleHost: "more than one Host header"
            case .invalidHost: "the Host header is not a host name and port"
            case .invalidContentLength: "Content-Length is not a decimal number"
            case .multipleContentLength: "more than one Content-Length"
            case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
            }
        }
    }

    /// The status this error is answered with.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headerBlockTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .methodNotImplemented, .transferEncodingNotImplemented: .notImplemented
        case .versionNotSupported: .httpVersionNotSupported
        case .unsupportedExpectation: .expectationFailed
        case .malformed: .badRequest
        }
    }

    /// One line for a person (and the log).
    public var description: String {
        switch self {
        case .requestLineTooLong(let limit): "the request line is longer than \(limit) bytes"
        case .headerBlockTooLarge(let limit): "the header fields are larger than \(limit) bytes"
        case .tooManyHeaders(let limit): "more than \(limit) header fields"
        case .bodyTooLarge(let limit): "the body is larger than \(limit) bytes"
        case .methodNotImplemented: "the method is not GET, HEAD or POST"
        case .transferEncodingNotImplemented: "Transfer-Encoding is not implemented; send Content-Length"
        case .versionNotSupported: "the HTTP version is not 1.0 or 1.1"
        case .unsupportedExpectation: "the only expectation supported is 100-continue"
        case .malformed(let what): "malformed request: \(what)"
        }
    }
}
