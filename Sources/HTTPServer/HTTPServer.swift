#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A small, strict HTTP/1.1 server meant to sit behind nginx: it listens on a Unix socket or a
/// loopback port, parses requests with `HTTPRequestParser`, hands each to an async handler and
/// writes the responses in order.
///
/// Threading. One dedicated I/O thread (a Foundation `Thread`, not a Swift concurrency thread)
/// owns every socket: it blocks in `poll(2)` on the listener, the connections and a wake pipe,
/// reads, parses, writes and enforces the timeouts. Each complete request is handed to the
/// handler in its own `Task`; the handler's response comes back through a lock-guarded queue and
/// a byte on the wake pipe. So blocking I/O never runs on the cooperative pool, a slow handler
/// never delays another connection, and the connection state needs no lock at all: only the I/O
/// thread touches it. A connection handles one request at a time and reads no further while its
/// handler runs (pipelined requests wait in the kernel and the parser), so responses go out in
/// request order and a client cannot queue unbounded work.
///
/// Limits and timeouts: the parser's `HTTPLimits`; `requestReadTimeout` from the first byte of a
/// request to its last (slowloris: 408, then closed); `idleTimeout` between requests and before
/// the first; `writeTimeout` for a response to be taken; `maxConnections` open at once (one more
/// is answered 503 and closed). HTTP/1.0 closes after each response unless it asked for
/// keep-alive; `Connection: close` is honoured. Every closing connection is shut down for writing
/// and drained briefly before `close(2)`, so a client that is still sending (a refused body)
/// reads its error response instead of a reset.
///
/// Call `stop()` before dropping the server: the I/O thread runs until then.
public final class HTTPServer: Sendable {
    /// Handles one request; runs in its own task. It may take as long as it needs (nginx's
    /// `proxy_read_timeout` bounds the client's wait) and should check for cancellation: tasks
    /// still running when a drain's grace period ends are cancelled.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// How the server listens and what it tolerates.
    public struct Configuration: Sendable {
        /// Where to listen.
        public var listen: HTTPListenAddress
        /// Allow a TCP address that is not loopback (default false: the server belongs behind
        /// nginx on the same host).
        public var allowNonLoopback = false
        /// The parser's limits.
        public var limits = HTTPLimits()
        /// Time from the first byte of a request to its last byte (default 30 s).
        public var requestReadTimeout: Duration = .seconds(30)
        /// Time a connection may sit without a request in progress (default 75 s, longer than
        /// nginx's upstream `keepalive_timeout` of 60 s so that nginx closes first).
        public var idleTimeout: Duration = .seconds(75)
        /// Time for a response to be taken by the client once writing began (default 30 s).
        public var writeTimeout: Duration = .seconds(30)
        /// Time a closing connection is drained for after the last response (default 2 s).
        public var lingerTimeout: Duration = .seconds(2)
        /// Connections open at once (default 256).
        public var maxConnections = 256
        /// The mode of a Unix socket (default 0660: the owner and its group, e.g. nginx's).
        public var socketMode = 0o660
        /// The time source of every timeout.
        public var clock: any HTTPServerClock = HTTPMonotonicClock()
        /// Receives events for the log, on the I/O thread; must return quickly.
        public var onEvent: @Sendable (HTTPServerEvent) -> Void = { _ in }

        /// The defaults above, listening on `listen`.
        public init(listen: HTTPListenAddress) {
            self.listen = listen
        }
    }

    /// The address listened on; for TCP port 0, with the port the kernel chose.
    public let address: HTTPListenAddress
    private let shared: ServerShared

    /// Binds the address and starts serving with `handler` at once.
    ///
    /// Throws when the address is not loopback (without `allowNonLoopback`), is in use, or a
    /// Unix socket path is taken by something that is not a stale socket.
    public init(configuration: Configuration, handler: @escaping Handler) throws(HTTPServerError) {
        precondition(configuration.maxConnections > 0, "maxConnections must be positive")
        if !configuration.allowNonLoopback && !configuration.listen.isLoopback {
            throw .notLoopback(configuration.listen.description)
        }
        let listener = try Sockets.listen(configuration.listen, mode: configuration.socketMode)
        let wake: (read: Int32, write: Int32)
        do {
            wake = try Sockets.makeWakePipe()
        } catch {
            close(listener.descriptor)
            Sockets.removeSocketFile(of: listener)
            throw error
        }
        address = listener.address
        let shared = ServerShared(wakeWrite: wake.write)
        self.shared = shared
        let wakeRead = wake.read
        let thread = Thread {
            IOLoop(
                configuration: configuration, handler: handler, shared: shared,
                listener: listener, wakeRead: wakeRead
            ).run()
        }
        thread.name = "http-server"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// A snapshot of the counters.
    public var counters: HTTPServerCounters { shared.counters }

    /// Drains and stops: stops accepting at once (a Unix socket file is removed), closes idle
    /// connections, lets requests in flight finish and their responses be written within
    /// `grace`, then cancels what is left, closes everything and returns. Calling it again, or
    /// after the server stopped, returns when it has stopped.
    public func stop(grace: Duration = .seconds(30)) async {
        await withCheckedContinuation { continuation in
            shared.requestStop(grace: grace.nanoseconds, waiter: continuation)
        }
    }
}

/// A handler's answer on its way back to the I/O thread.
struct Completion: Sendable {
    var connection: UInt64
    var response: HTTPResponse
}

/// What the I/O thread shares with everything else.
final class ServerShared: @unchecked Sendable {
    // Sendable proof: every stored `var` is read and written only with `lock` held, and the
    // only other stored property is the lock itself. The wake pipe's write end is written and
    // closed under the lock, so a late wake can never write to a descriptor number reused after
    // the server stopped.
    private let lock = NSLock()
    /// Answers not yet taken by the I/O thread. Guarded by lock.
    private var completions: [Completion] = []
    /// The shortest grace asked for by `stop()` and not yet seen by the I/O thread. Guarded by lock.
    private var pendingStop: UInt64?
    /// Callers of `stop()` waiting for the end. Guarded by lock.
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []
    /// True once the I/O thread has finished. Guarded by lock.
    private var finished = false
    /// Guarded by lock.
    private var snapshot = HTTPServerCounters()
    /// The wake pipe's write end, -1 once closed. Guarded by lock.
    private var wakeWrite: Int32

    init(wakeWrite: Int32) {
        self.wakeWrite = wakeWrite
    }

    var counters: HTTPServerCounters {
        lock.withLock { snapshot }
    }

    func update(_ change: (inout HTTPServerCounters) -> Void) {
        lock.withLock { change(&snapshot) }
    }

    /// Wakes the I/O thread; harmless after it finished.
    func wake() {
        lock.withLock { wakeLocked() }
    }

    private func wakeLocked() {
        guard wakeWrite >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // EAGAIN: the pipe is full, a wake-up is pending anyway.
    }

    func complete(_ completion: Completion) {
        lock.withLock {
            guard !finished else { return }
            completions.append(completion)
            wakeLocked()
        }
    }

    func takeCompletions() -> [Completion] {
        lock.withLock {
            defer { completions.removeAll(keepingCapacity: true) }
            return completions
        }
    }

    func requestStop(grace: UInt64, waiter: CheckedContinuation<Void, Never>) {
        let resumeNow = lock.withLock { () -> Bool in
            if finished { return true }
            stopWaiters.append(waiter)
            pendingStop = min(pendingStop ?? .max, grace)
            wakeLocked()
            return false
        }
        if resumeNow { waiter.resume() }
    }

    func takeStopRequest() -> UInt64? {
        lock.withLock {
            defer { pendingStop = nil }
            return pendingStop
        }
    }

    /// Called by the I/O thread as it exits: closes the wake pipe and releases every waiter.
    func finish() {
        let waiters = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            finished = true
            if wakeWrite >= 0 { close(wakeWrite) }
            wakeWrite = -1
            completions.removeAll()
            defer { stopWaiters.removeAll() }
            return stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
