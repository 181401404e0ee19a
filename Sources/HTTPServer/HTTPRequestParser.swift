#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Turns the bytes of one connection into complete requests: pure, incremental and bounded.
///
/// Append bytes as they arrive, in any chunking, then call `nextRequest()` until it returns nil;
/// the same bytes give the same requests however they were split. Several requests in one chunk
/// (pipelining) come out one per call, in order. The caller controls how far ahead it reads: the
/// server appends one read at a time and only after `nextRequest()` returned nil.
///
/// The subset it accepts, and the status of everything else (`HTTPParseError.status`):
/// - a request line `method SP origin-form-target SP HTTP/1.x` of printable ASCII, single spaces
///   (414 past `maxRequestLineBytes`; 501 for a method other than GET, HEAD, POST; 505 for a
///   version other than 1.0 and 1.1; 400 for anything else, including absolute-form targets and
///   paths that `HTTPPath` refuses);
/// - field lines `name ":" OWS value OWS`, the name a token, the value without controls and in
///   UTF-8 (431 past `maxHeaderBlockBytes` or `maxHeaderCount`; 400 for obs-fold, whitespace before
///   the colon, a bad name or value);
/// - every line ends with CRLF: a bare LF or a bare CR is 400 (see `Malformation.bareLineFeed`);
///   empty lines before a request line are skipped, up to `maxRequestLineBytes` bytes of them;
/// - a body only by `Content-Length`: one field of plain digits (400 for two, even equal, or a
///   list or a sign), at most `maxBodyBytes` (413, decided before the body is read);
///   `Transfer-Encoding` is 501 alone and 400 beside `Content-Length`;
/// - `Host` exactly once in HTTP/1.1 (400 without, or with two); `Expect: 100-continue` only (417).
///
/// After an error every later call throws the same error: the connection must be answered and
/// closed. Memory: after `nextRequest()` returns nil, the parser holds only the unfinished part of
/// the current request, never more than the limits allow (`bufferedByteCount`).
public struct HTTPRequestParser: Sendable {
    /// The limits enforced.
    public let limits: HTTPLimits
    /// Copied into every request as `HTTPRequest.remoteAddress`.
    public let remoteAddress: String

    private enum Phase: Sendable {
        case requestLine
        case fields
        case body
    }

    private struct Head: Sendable {
        var method: HTTPMethod
        var version: HTTPVersion
        var target: String
        var parts: HTTPRequest.TargetParts
        var headers: HTTPHeaders = [:]
    }

    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let space: UInt8 = 0x20
    private static let tab: UInt8 = 0x09

    /// Bytes not yet consumed; index 0 is at or before `lineStart`.
    private var buffer: [UInt8] = []
    /// Where the current line (or the body) begins.
    private var lineStart = 0
    /// Where the search for the current line's LF resumes.
    private var scanFrom = 0
    private var phase = Phase.requestLine
    private var head: Head?
    /// Bytes of field lines so far, each with its CRLF.
    private var headerBytes = 0
    /// Bytes of empty lines skipped before this request line.
    private var emptyLineBytes = 0
    private var bodyLength = 0
    private var continuePending = false
    private var failure: HTTPParseError?

    /// A parser enforcing `limits`, whose requests come from `remoteAddress`.
    public init(limits: HTTPLimits = HTTPLimits(), remoteAddress: String = "") {
        self.limits = limits
        self.remoteAddress = remoteAddress
    }

    /// Bytes held: the unfinished part of the current request, plus whatever was appended and not
    /// yet parsed.
    public var bufferedByteCount: Int { buffer.count }

    /// True when part of a request has arrived and the rest has not (the read timeout runs);
    /// false between requests (the idle timeout runs).
    public var hasPartialRequest: Bool {
        failure == nil && (phase != .requestLine || buffer.count > lineStart)
    }

    /// Appends bytes received. Ignored after an error.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !bytes.isEmpty else { return }
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes received. Ignored after an error.
    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
    }

    /// True once for a request whose head asked for `Expect: 100-continue` and whose body has not
    /// started to arrive: the caller should send `100 Continue` now. False for HTTP/1.0 requests
    /// (which must not get one) and for bodies the client sent without waiting.
    public mutating func takeContinueRequest() -> Bool {
        guard continuePending, failure == nil, phase == .body else { return false }
        continuePending = false
        return buffer.count == lineStart
    }

    /// The next complete request, or nil when more bytes are needed.
    ///
    /// Throws as soon as the bytes received can no longer begin a request in the accepted subset;
    /// requests completed before the error were returned by earlier calls.
    public mutating func nextRequest() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            if let request = try parse() { return request }
            compact()
            return nil
        } catch {
            failure = error
            buffer = []
            throw error
        }
    }

    // MARK: - The state machine

    private mutating func parse() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            switch phase {
            case .requestLine:
                guard let lineFeed = try scanRequestLine() else {
                    if buffer.count - lineStart > limits.maxRequestLineBytes + 1 {
                        throw .requestLineTooLong(limit: limits.maxRequestLineBytes)
                    }
                    return nil
                }
                let end = lineFeed - 1
                if end == lineStart {
                    emptyLineBytes += 2
                    if emptyLineBytes > limits.maxRequestLineBytes { throw .malformed(.tooManyEmptyLines) }
                    startLine(at: lineFeed + 1)
                    continue
                }
                if end - lineStart > limits.maxRequestLineBytes {
                    throw .requestLineTooLong(limit: limits.maxRequestLineBytes)
                }
                head = try Self.parseRequestLine(buffer[lineStart..<end])
                startLine(at: lineFeed + 1)
                phase = .fields

            case .fields:
                guard let lineFeed = findLineFeed() else {
                    // Slack of one byte: a trailing CR may be the start of the head's last CRLF.
                    if headerBytes + (buffer.count - lineStart) > limits.maxHeaderBlockBytes + 1 {
                        throw .headerBlockTooLarge(limit: limits.maxHeaderBlockBytes)
                    }
                    return nil
                }
                guard lineFeed > lineStart, buffer[lineFeed - 1] == Self.cr else {
                    throw .malformed(.bareLineFeed)
                }
                let end = lineFeed - 1
                if end == lineStart {
                    startLine(at: lineFeed + 1)
                    bodyLength = try finishHead()
                    phase = .body
                    continue
                }
                headerBytes += end - lineStart + 2
                if headerBytes > limits.maxHeaderBlockBytes {
                    throw .headerBlockTooLarge(limit: limits.maxHeaderBlockBytes)
                }
                if head!.headers.count >= limits.maxHeaderCount {
                    throw .tooManyHeaders(limit: limits.maxHeaderCount)
                }
                try parseField(buffer[lineStart..<end])
                startLine(at: lineFeed + 1)

            case .body:
                guard buffer.count - lineStart >= bodyLength else { return nil }
                let end = lineStart + bodyLength
                let head = head!
                let request = HTTPRequest(
                    method: head.method, version: head.version, target: head.target, parts: head.parts,
                    headers: head.headers, body: Data(buffer[lineStart..<end]), remoteAddress: remoteAddress
                )
                startLine(at: end)
                phase = .requestLine
                self.head = nil
                headerBytes = 0
                emptyLineBytes = 0
                bodyLength = 0
                continuePending = false
                return request
            }
        }
    }

    private mutating func startLine(at index: Int) {
        lineStart = index
        scanFrom = index
    }

    /// Finds the request line's LF, checking every byte on the way: printable ASCII only, CR only
    /// right before LF. Stops before a trailing CR, to look at it again with the next byte.
    private mutating func scanRequestLine() throws(HTTPParseError) -> Int? {
        var index = scanFrom
        let count = buffer.count
        while index < count {
            let byte = buffer[index]
            if byte == Self.lf {
                guard index > lineStart, buffer[index - 1] == Self.cr else { throw .malformed(.bareLineFeed) }
                return index
            }
            if byte == Self.cr {
                if index + 1 == count { break }
                if buffer[index + 1] != Self.lf { throw .malformed(.bareCarriageReturn) }
            } else if byte < 0x20 || byte >= 0x7F {
                throw .malformed(.invalidByteInRequestLine)
            }
            index += 1
        }
        scanFrom = index
        return nil
    }

    /// Finds the next LF from `scanFrom` with `memchr`.
    private mutating func findLineFeed() -> Int? {
        let start = scanFrom
        let remaining = buffer.count - start
        guard remaining > 0 else { return nil }
        let found: Int? = buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, let hit = memchr(base + start, Int32(Self.lf), remaining) else {
                return nil
            }
            return UnsafeRawPointer(hit) - base
        }
        scanFrom = found ?? buffer.count
        return found
    }

    /// Drops the bytes before the current line; nothing refers to them any more.
    private mutating func compact() {
        guard lineStart > 0 else { return }
        if lineStart == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
        } else {
            buffer.removeSubrange(0..<lineStart)
        }
        scanFrom -= lineStart
        lineStart = 0
    }

    // MARK: - Lines

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Head {
        guard let firstSpace = line.firstIndex(of: space) else { throw .malformed(.invalidRequestLine) }
        let method = line[line.startIndex..<firstSpace]
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: space) else { throw .malformed(.invalidRequestLine) }
        let target = rest[rest.startIndex..<secondSpace]
        let version = rest[(secondSpace + 1)...]
        guard !method.isEmpty, !target.isEmpty, !version.isEmpty, !version.contains(space) else {
            throw .malformed(.invalidRequestLine)
        }
        guard method.allSatisfy(ByteClass.isTokenByte) else { throw .malformed(.invalidMethod) }
        let parsedVersion = try parseVersion(version)
        guard let parsedMethod = HTTPMethod(rawValue: String(decoding: method, as: UTF8.self)) else {
            throw .methodNotImplemented
        }
        let parts = try HTTPRequest.splitTarget(target)
        return Head(
            method: parsedMethod, version: parsedVersion,
            target: String(decoding: target, as: UTF8.self), parts: parts
        )
    }

    /// `HTTP/` DIGIT `.` DIGIT, case-sensitive; 1.0 and 1.1 are spoken, any other is 505.
    private static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let text = Array(bytes)
        guard text.count == 8, text[0..<5].elementsEqual("HTTP/".utf8), text[6] == UInt8(ascii: "."),
              let major = digit(text[5]), let minor = digit(text[7])
        else { throw .malformed(.invalidVersion) }
        switch (major, minor) {
        case (1, 0): return .http10
        case (1, 1): return .http11
        default: throw .versionNotSupported
        }
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private mutating func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) {
        let first = line[line.startIndex]
        if first == Self.space || first == Self.tab { throw .malformed(.obsoleteLineFolding) }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed(.missingColon) }
        let name = line[line.startIndex..<colon]
        guard let last = name.last else { throw .malformed(.invalidHeaderName) }
        if last == Self.space || last == Self.tab { throw .malformed(.whitespaceBeforeColon) }
        guard name.allSatisfy(ByteClass.isTokenByte) else { throw .malformed(.invalidHeaderName) }
        var start = colon + 1
        var end = line.endIndex
        while start < end, line[start] == Self.space || line[start] == Self.tab { start += 1 }
        while end > start, line[end - 1] == Self.space || line[end - 1] == Self.tab { end -= 1 }
        let value = line[start..<end]
        for byte in value {
            if byte == Self.cr { throw .malformed(.bareCarriageReturn) }
            if (byte < 0x20 && byte != Self.tab) || byte == 0x7F { throw .malformed(.invalidHeaderValue) }
        }
        guard let text = String(validating: value, as: UTF8.self) else { throw .malformed(.invalidHeaderValue) }
        head!.headers.add(name: String(decoding: name, as: UTF8.self), value: text)
    }

    /// Checks the fields that frame the request and returns the body length.
    private mutating func finishHead() throws(HTTPParseError) -> Int {
        let head = head!
        let hosts = head.headers.values(for: "Host")
        if hosts.count > 1 { throw .malformed(.multipleHost) }
        if head.version == .http11 && hosts.isEmpty { throw .malformed(.missingHost) }
        if let host = hosts.first, !host.utf8.allSatisfy(ByteClass.isHostByte) { throw .malformed(.invalidHost) }

        let lengths = head.headers.values(for: "Content-Length")
        if head.headers.contains("Transfer-Encoding") {
            throw lengths.isEmpty ? .transferEncodingNotImplemented : .malformed(.contentLengthWithTransferEncoding)
        }
        if lengths.count > 1 { throw .malformed(.multipleContentLength) }
        var length = 0
        if let text = lengths.first {
            guard !text.isEmpty else { throw .malformed(.invalidContentLength) }
            for byte in text.utf8 {
                guard let value = Self.digit(byte) else { throw .malformed(.invalidContentLength) }
                let (times10, overflowA) = length.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = times10.addingReportingOverflow(value)
                // A valid number too large to hold is still just too large: 413, not 400.
                if overflowA || overflowB || sum > limits.maxBodyBytes {
                    guard text.utf8.allSatisfy({ Self.digit($0) != nil }) else {
                        throw .malformed(.invalidContentLength)
                    }
                    throw .bodyTooLarge(limit: limits.maxBodyBytes)
                }
                length = sum
            }
        }

        let expectations = head.headers.values(for: "Expect")
        if !expectations.isEmpty {
            guard expectations.count == 1, expectations[0].lowercased() == "100-continue" else {
                throw .unsupportedExpectation
            }
            // RFC 9110 §10.1.1: an HTTP/1.0 client's 100-continue is ignored.
            continuePending = head.version == .http11 && length > 0
        }
        return length
    }
}
