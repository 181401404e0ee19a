#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A response as a test client read it off the wire.
public struct WireResponse {
    public init(status: Int, reason: String, fields: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.reason = reason
        self.fields = fields
        self.body = body
    }

    public var status: Int
    public var reason: String
    /// Field lines in order, names as sent.
    public var fields: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public func headers(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct ClientError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A socket client that writes exactly the bytes it is given, so tests control framing,
/// pipelining and timing byte by byte. Every read gives up after 30 s (a hang is a failure, not
/// a bound on speed).
public final class TestClient {
    public let descriptor: Int32
    private var pending: [UInt8] = []

    public init(unixPath path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw ClientError(description: "connect \(path): errno \(code)")
        }
        setReceiveTimeout()
    }

    public init(port: UInt16, host: String = "127.0.0.1") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw ClientError(description: "connect 127.0.0.1:\(port): errno \(code)")
        }
        setReceiveTimeout()
    }

    deinit { close(descriptor) }

    private func setReceiveTimeout() {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; false when the peer is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Half-closes the connection: the server reads EOF after what was sent.
    public func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Seconds without a byte after which a read is taken for a hang (120; longer for a request
    /// that waits on worker processes shared with the rest of a busy test run). Not 30: the whole
    /// suite beside two busy loops on this 2-core machine has kept the cooperative pool, where
    /// the server's handlers run, from answering for over 30 s.
    public var hangAfter: TimeInterval = 120

    /// Reads more bytes into the buffer; false at EOF or reset. Waits by polling and sleeping,
    /// never by blocking: the server's handlers run on the same cooperative pool as the tests.
    private func fill() async throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let start = Date()
        while true {
            var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 0) > 0 {
                let count = recv(self.descriptor, &chunk, chunk.count, Int32(MSG_DONTWAIT))
                if count > 0 {
                    pending.append(contentsOf: chunk[0..<count])
                    return true
                }
                if count == 0 || errno == ECONNRESET { return false }
                if errno != EINTR && errno != EAGAIN {
                    throw ClientError(description: "recv: errno \(errno)")
                }
            }
            if Date().timeIntervalSince(start) > hangAfter {
                throw ClientError(description: "nothing to read for \(Int(hangAfter)) s (a hang, not a speed bound)")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Reads one response; `headRequest` says that no body follows whatever the length says.
    public func readResponse(headRequest: Bool = false) async throws -> WireResponse {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: pending)
            if headEnd == nil {
                guard try await fill() else {
                    throw ClientError(description: "connection closed before a response head (\(pending.count) bytes)")
                }
            }
        }
        let headText = String(decoding: pending[0..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw ClientError(description: "bad status line \(statusLine.debugDescription)")
        }
        var fields: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw ClientError(description: "bad field line \(line.debugDescription)")
            }
            fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = WireResponse(
            status: status, reason: parts.count > 2 ? String(parts[2]) : "", fields: fields, body: []
        )
        if status == 100 || headRequest || status == 204 || status == 304 { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            while pending.count < length {
                guard try await fill() else { throw ClientError(description: "connection closed inside a body") }
            }
            response.body = Array(pending[0..<length])
            pending.removeFirst(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try await readChunked()
        } else {
            while try await fill() {}
            response.body = pending
            pending = []
        }
        return response
    }

    private func readChunked() async throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = Self.find([13, 10], in: pending)
            while lineEnd == nil {
                guard try await fill() else { throw ClientError(description: "closed inside a chunk size") }
                lineEnd = Self.find([13, 10], in: pending)
            }
            let sizeText = String(decoding: pending[0..<lineEnd!], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw ClientError(description: "bad chunk size")
            }
            pending.removeFirst(lineEnd! + 2)
            while pending.count < size + 2 {
                guard try await fill() else { throw ClientError(description: "closed inside a chunk") }
            }
            if size == 0 {
                pending.removeFirst(2)
                return body
            }
            body.append(contentsOf: pending[0..<size])
            pending.removeFirst(size + 2)
        }
    }

    /// True when the server closed the connection (EOF or reset) without sending another byte.
    public func readsEndOfStream() async throws -> Bool {
        if !pending.isEmpty { return false }
        return try await !fill()
    }

    /// Everything until the server closes.
    public func readToEnd() async throws -> [UInt8] {
        while try await fill() {}
        defer { pending = [] }
        return pending
    }

    /// True when a read would not block (bytes or EOF are waiting), after up to `milliseconds`.
    public func isReadable(withinMilliseconds milliseconds: Int32) -> Bool {
        if !pending.isEmpty { return true }
        var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    public static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}
