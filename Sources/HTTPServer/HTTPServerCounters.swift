/// A snapshot of what the server has done since it started, for a metrics file.
public struct HTTPServerCounters: Sendable, Hashable {
    /// Connections accepted and served (not counting refused ones).
    public var acceptedConnections = 0
    /// Connections answered 503 and closed because `maxConnections` were open.
    public var refusedConnections = 0
    /// Connections open now (reading, handling, writing or closing).
    public var openConnections = 0
    /// Connections closed because a request did not arrive whole within the read timeout (after
    /// a 408) or a response was not taken within the write timeout.
    public var timedOutConnections = 0
    /// Requests handed to the handler and not answered yet.
    public var requestsInFlight = 0
    /// Responses sent with a 1xx status (`100 Continue`).
    public var informationalResponses = 0
    /// Responses sent with a 2xx status.
    public var successfulResponses = 0
    /// Responses sent with a 3xx status.
    public var redirectionResponses = 0
    /// Responses sent with a 4xx status, including the parser's refusals.
    public var clientErrorResponses = 0
    /// Responses sent with a 5xx status, including 503 at the cap.
    public var serverErrorResponses = 0

    /// Counters at zero.
    public init() {}

    mutating func count(_ status: HTTPStatus) {
        switch status.statusClass {
        case 1: informationalResponses += 1
        case 2: successfulResponses += 1
        case 3: redirectionResponses += 1
        case 4: clientErrorResponses += 1
        default: serverErrorResponses += 1
        }
    }
}

/// Something the server reports for the log; delivered on the server's I/O thread, so the
/// receiver must return quickly and must not block.
public enum HTTPServerEvent: Sendable {
    /// Listening on the address (with the port the kernel chose, for port 0).
    case listening(HTTPListenAddress)
    /// A request was refused by the parser with the error's status; the connection was closed.
    case requestRefused(peer: String, error: HTTPParseError)
    /// A request did not arrive whole within the read timeout: 408, then closed.
    case requestTimedOut(peer: String)
    /// A response was not taken by the client within the write timeout: closed.
    case writeTimedOut(peer: String)
    /// A connection was answered 503 and closed: `maxConnections` were open.
    case connectionRefused(peer: String)
    /// The handler's response was refused by the writer; 500 was sent instead.
    case responseRefused(peer: String, error: HTTPResponseError)
    /// `accept` failed with `errno` (EMFILE, ENFILE…); accepting pauses briefly.
    case acceptFailed(errno: Int32)
    /// `stop()` began: no more connections; `inFlight` requests are being finished.
    case draining(inFlight: Int)
    /// The server stopped; `abandoned` requests were still running when the grace period ended
    /// (their tasks were cancelled and their connections closed).
    case stopped(abandoned: Int)
}
