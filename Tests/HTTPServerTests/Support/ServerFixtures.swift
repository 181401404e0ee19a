#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTestSupport
import HTTPServer
import Testing

/// A clock the test moves by hand; the server is woken on every advance.
final class ManualClock: HTTPServerClock, @unchecked Sendable {
    // Sendable proof: `now` and `wakes` are read and written only with `lock` held.
    private let lock = NSLock()
    private var now: UInt64 = 1_000_000_000
    private var wakes: [@Sendable () -> Void] = []

    func nanoseconds() -> UInt64 { lock.withLock { now } }

    func onAdvance(_ wake: @escaping @Sendable () -> Void) {
        lock.withLock { wakes.append(wake) }
    }

    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let wakes = lock.withLock {
            now += UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
            return self.wakes
        }
        for wake in wakes { wake() }
    }
}

/// Everything the server reported, for assertions.
final class EventLog: @unchecked Sendable {
    // Sendable proof: `events` is read and written only with `lock` held.
    private let lock = NSLock()
    private var events: [HTTPServerEvent] = []

    func record(_ event: HTTPServerEvent) { lock.withLock { events.append(event) } }

    var all: [HTTPServerEvent] { lock.withLock { events } }
}

/// A one-shot gate a handler can wait on until the test opens it.
final class Gate: @unchecked Sendable {
    // Sendable proof: `open` and `waiters` are read and written only with `lock` held.
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = lock.withLock {
                if isOpen { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiting = lock.withLock {
            isOpen = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume() }
    }
}

/// A counter shared with handlers.
final class Counter: @unchecked Sendable {
    // Sendable proof: `value` is read and written only with `lock` held.
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }

    var value: Int { lock.withLock { count } }
}

/// A private directory for Unix sockets, short enough for `sockaddr_un`.
func makeSocketDirectory() throws -> String {
    var template = Array("/tmp/http-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw ClientError(description: "mkdtemp failed") }
    return String(cString: made)
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Waits until `condition` holds, checking every 10 ms; fails the test after a generous bound
/// (a hang, not a speed requirement). 120 s, not 30: the server's tasks run on the cooperative
/// pool every test of the process shares, and the whole suite on a busy 2-core machine has kept
/// it from running them for over 30 s (`TestClient.hangAfter`).
func eventually(
    _ what: String, within seconds: Double = 120, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () throws -> Bool
) async rethrows {
    let start = Date()
    while try !condition() {
        if Date().timeIntervalSince(start) > seconds {
            Issue.record("timed out waiting for: \(what)", sourceLocation: sourceLocation)
            return
        }
        try? await Task.sleep(for: .milliseconds(10))
    }
}

/// A handler that answers `METHOD target` and the body length, for echo tests.
let echoHandler: HTTPServer.Handler = { request in
    var text = "\(request.method.rawValue) \(request.target)"
    if !request.body.isEmpty { text += " body=\(request.body.count)" }
    return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"], body: Data(text.utf8))
}

/// Starts a server on a fresh Unix socket; the caller stops it and removes `directory`.
func startUnixServer(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    handler: @escaping HTTPServer.Handler = echoHandler
) throws -> (server: HTTPServer, path: String, directory: String) {
    let directory = try makeSocketDirectory()
    let path = directory + "/web.sock"
    var configuration = HTTPServer.Configuration(listen: .unix(path: path))
    configure(&configuration)
    let server = try HTTPServer(configuration: configuration, handler: handler)
    return (server, path, directory)
}

/// Starts a server on 127.0.0.1, port 0; returns it and the port it got.
func startTCPServer(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    handler: @escaping HTTPServer.Handler = echoHandler
) throws -> (server: HTTPServer, port: UInt16) {
    var configuration = HTTPServer.Configuration(listen: .tcp(host: "127.0.0.1", port: 0))
    configure(&configuration)
    let server = try HTTPServer(configuration: configuration, handler: handler)
    guard case .tcp(_, let port) = server.address else { throw ClientError(description: "not TCP") }
    return (server, port)
}

func get(_ target: String, host: String = "test", extra: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: \(host)\r\n\(extra)\r\n"
}
