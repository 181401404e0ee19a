/// The bounds a request must stay within, and the status each one answers with when passed.
///
/// Every limit is a number of bytes (or fields) the parser will hold for one request at most, so a
/// peer cannot make the server buffer more than their sum whatever it sends. The defaults suit a
/// server behind nginx, whose own limits (`large_client_header_buffers`, `client_max_body_size`)
/// are set at or below these in `config/nginx/cluster-review.conf`.
public struct HTTPLimits: Sendable, Hashable {
    /// The longest request line, without its CRLF (default 8 KiB); longer → 414.
    public var maxRequestLineBytes: Int
    /// The largest header block: every field line with its CRLF, not counting the empty line that
    /// ends the head (default 16 KiB); larger → 431.
    public var maxHeaderBlockBytes: Int
    /// The most field lines in one request (default 100); more → 431.
    public var maxHeaderCount: Int
    /// The largest body a `Content-Length` may announce (default 2 MiB); larger → 413, decided
    /// from the header before a byte of the body is read.
    public var maxBodyBytes: Int

    /// Limits with the defaults above; each given value must be positive (zero for the body).
    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBlockBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 2 * 1024 * 1024
    ) {
        precondition(maxRequestLineBytes > 0 && maxHeaderBlockBytes > 0 && maxHeaderCount > 0)
        precondition(maxBodyBytes >= 0)
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBlockBytes = maxHeaderBlockBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
