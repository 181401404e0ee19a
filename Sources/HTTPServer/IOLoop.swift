#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One client connection. Owned by the I/O thread and touched by nothing else.
final class Connection {
    /// Where the connection is in its life.
    enum Phase {
        /// Waiting for (the rest of) a request; polled for input.
        case reading
        /// A handler is running; not polled at all, so nothing more is read.
        case handling
        /// A response is being written; polled for output only.
        case writing
        /// Shut down for writing after the last response; input is read and dropped until the
        /// peer closes, the linger timeout passes or too much arrives.
        case lingering
    }

    /// The one deadline a connection has at a time, by the server's clock.
    enum Timer {
        case idle(UInt64)
        case read(UInt64)
        case write(UInt64)
        case linger(UInt64)

        var deadline: UInt64 {
            switch self {
            case .idle(let at), .read(let at), .write(let at), .linger(let at): at
            }
        }
    }

    /// The request a handler is working on.
    struct InFlight {
        var method: HTTPMethod
        var version: HTTPVersion
        var keepAlive: Bool
        var task: Task<Void, Never>
    }

    let id: UInt64
    let descriptor: Int32
    let peer: String
    /// Answered 503 at the cap: not counted among the open connections.
    let refused: Bool
    var parser: HTTPRequestParser
    var phase = Phase.reading
    var timer: Timer?
    var output: [UInt8] = []
    var outputSent = 0
    var closeAfterWrite = false
    var inFlight: InFlight?
    var discarded = 0
    var closed = false

    init(id: UInt64, descriptor: Int32, peer: String, refused: Bool, limits: HTTPLimits) {
        self.id = id
        self.descriptor = descriptor
        self.peer = peer
        self.refused = refused
        self.parser = HTTPRequestParser(limits: limits, remoteAddress: peer)
    }
}

/// The server's I/O thread: created on that thread, run there, and never shared.
final class IOLoop {
    private let configuration: HTTPServer.Configuration
    private let handler: HTTPServer.Handler
    private let shared: ServerShared
    private let clock: any HTTPServerClock
    private let listener: Listener
    private var listening = true
    private let wakeRead: Int32
    private var connections: [UInt64: Connection] = [:]
    private var nextID: UInt64 = 1
    /// Connections counted against `maxConnections`.
    private var openCount = 0
    /// Refused connections still being closed politely.
    private var refusedCount = 0
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var stopping = false
    private var graceDeadline = UInt64.max
    /// When accepting resumes after EMFILE and the like, by `realClock`: a pause for the system
    /// to recover resources runs on real time, whatever clock the timeouts use.
    private var acceptPausedUntil: UInt64?
    private let realClock = HTTPMonotonicClock()
    private var cachedDate: (second: Int, text: String) = (-1, "")

    /// The most bytes drained from a closing connection before it is closed regardless.
    static let lingerDiscardLimit = 1 << 20
    /// The most refused connections being closed politely at once; beyond, they are closed at once.
    static let refusedLingeringLimit = 64
    /// How long accepting pauses after EMFILE and the like.
    static let acceptPause: UInt64 = 100_000_000
    /// The longest `poll` waits without looking at the clock again.
    static let pollHorizon: UInt64 = 1_000_000_000
    static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    init(
        configuration: HTTPServer.Configuration, handler: @escaping HTTPServer.Handler,
        shared: ServerShared, listener: Listener, wakeRead: Int32
    ) {
        self.configuration = configuration
        self.handler = handler
        self.shared = shared
        self.clock = configuration.clock
        self.listener = listener
        self.wakeRead = wakeRead
    }

    func run() {
        clock.onAdvance { [shared] in shared.wake() }
        configuration.onEvent(.listening(listener.address))
        var fds: [pollfd] = []
        var owners: [Connection?] = []
        while true {
            var now = clock.nanoseconds()
            if let grace = shared.takeStopRequest() { beginStop(now: now, grace: grace) }
            for completion in shared.takeCompletions() { respond(completion, now: now) }
            expireTimers(now: now)
            if stopping {
                let onlyClosing = connections.values.allSatisfy { $0.phase == .lingering || $0.refused }
                if onlyClosing || now >= graceDeadline { break }
            }

            fds.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            owners.append(nil)
            var acceptIndex: Int?
            if let paused = acceptPausedUntil, realClock.nanoseconds() >= paused { acceptPausedUntil = nil }
            if listening && acceptPausedUntil == nil {
                acceptIndex = fds.count
                fds.append(pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0))
                owners.append(nil)
            }
            for connection in connections.values {
                let events: Int32
                switch connection.phase {
                case .reading: events = POLLIN | (connection.output.isEmpty ? 0 : POLLOUT)
                case .writing: events = POLLOUT
                case .lingering: events = POLLIN
                case .handling: continue
                }
                fds.append(pollfd(fd: connection.descriptor, events: Int16(events), revents: 0))
                owners.append(connection)
            }

            let ready = poll(&fds, nfds_t(fds.count), pollTimeout(now: now))
            if ready < 0 { continue }  // EINTR; nothing else can fail with these arguments
            if fds[0].revents != 0 { drainWakePipe() }
            now = clock.nanoseconds()
            if let acceptIndex, fds[acceptIndex].revents != 0 { acceptConnections(now: now) }
            for index in fds.indices where fds[index].revents != 0 {
                guard let connection = owners[index], !connection.closed else { continue }
                handle(connection, events: Int32(fds[index].revents), now: now)
            }
        }
        finish()
    }

    // MARK: - Events from poll

    private func handle(_ connection: Connection, events: Int32, now: UInt64) {
        if events & POLLNVAL != 0 {
            close(connection)
            return
        }
        switch connection.phase {
        case .reading, .lingering:
            if events & (POLLIN | POLLHUP | POLLERR) != 0 { readable(connection, now: now) }
            if !connection.closed && connection.phase == .reading && events & POLLOUT != 0 {
                flush(connection, now: now)
            }
        case .writing:
            if events & POLLOUT != 0 {
                flush(connection, now: now)
            } else if events & (POLLHUP | POLLERR) != 0 {
                close(connection)
            }
        case .handling:
            break
        }
    }

    private func readable(_ connection: Connection, now: UInt64) {
        let count = readBuffer.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            switch connection.phase {
            case .reading:
                readBuffer.withUnsafeBytes { connection.parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                advance(connection, now: now)
            case .lingering:
                connection.discarded += count
                if connection.discarded > Self.lingerDiscardLimit { close(connection) }
            case .handling, .writing:
                break
            }
        } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            close(connection)  // EOF (a request cut short is simply dropped) or a reset.
        }
    }

    private func acceptConnections(now: UInt64) {
        for _ in 0..<64 {
            switch Sockets.accept(listener) {
            case .failure(let error):
                switch error.code {
                case EAGAIN, EWOULDBLOCK:
                    return
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                default:
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM: the listener would stay readable and poll
                    // would spin; look again a little later.
                    configuration.onEvent(.acceptFailed(errno: error.code))
                    acceptPausedUntil = later(realClock.nanoseconds(), Self.acceptPause)
                    return
                }
            case .success(let (descriptor, peer)):
                let id = nextID
                nextID += 1
                if openCount >= configuration.maxConnections {
                    refuse(descriptor: descriptor, id: id, peer: peer, now: now)
                    continue
                }
                let connection = Connection(
                    id: id, descriptor: descriptor, peer: peer, refused: false, limits: configuration.limits
                )
                connection.timer = .idle(later(now, configuration.idleTimeout.nanoseconds))
                connections[id] = connection
                openCount += 1
                shared.update {
                    $0.acceptedConnections += 1
                    $0.openConnections += 1
                }
            }
        }
    }

    /// Answers 503 to a connection over the cap, then closes it politely.
    private func refuse(descriptor: Int32, id: UInt64, peer: String, now: UInt64) {
        shared.update { $0.refusedConnections += 1 }
        configuration.onEvent(.connectionRefused(peer: peer))
        let bytes = errorBytes(.serviceUnavailable)
        guard refusedCount < Self.refusedLingeringLimit else {
            shared.update { $0.count(.serviceUnavailable) }
            _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            Glibc.close(descriptor)
            return
        }
        let connection = Connection(id: id, descriptor: descriptor, peer: peer, refused: true, limits: configuration.limits)
        connections[id] = connection
        refusedCount += 1
        send(connection, bytes, status: .serviceUnavailable, closing: true, now: now)
    }

    // MARK: - Requests and responses

    /// Parses what the connection has; dispatches a complete request, refuses a bad one, or sets
    /// the timer for the wait.
    private func advance(_ connection: Connection, now: UInt64) {
        let request: HTTPRequest?
        do {
            request = try connection.parser.nextRequest()
        } catch {
            configuration.onEvent(.requestRefused(peer: connection.peer, error: error))
            send(connection, errorBytes(error.status), status: error.status, closing: true, now: now)
            return
        }
        if let request {
            dispatch(request, on: connection)
            return
        }
        if connection.parser.takeContinueRequest() {
            shared.update { $0.count(.continue) }
            connection.output.append(contentsOf: Self.continueBytes)
            flush(connection, now: now)
            if connection.closed { return }
        }
        if connection.parser.hasPartialRequest {
            if case .read = connection.timer {} else {
                connection.timer = .read(later(now, configuration.requestReadTimeout.nanoseconds))
            }
        } else if stopping && connection.output.isEmpty {
            close(connection)
        } else {
            connection.timer = .idle(later(now, configuration.idleTimeout.nanoseconds))
        }
    }

    private func dispatch(_ request: HTTPRequest, on connection: Connection) {
        connection.phase = .handling
        connection.timer = nil
        let id = connection.id
        let handler = handler
        let shared = shared
        let task = Task.detached {
            let response = await handler(request)
            shared.complete(Completion(connection: id, response: response))
        }
        connection.inFlight = Connection.InFlight(
            method: request.method, version: request.version, keepAlive: request.keepAlive, task: task
        )
        shared.update { $0.requestsInFlight += 1 }
    }

    private func respond(_ completion: Completion, now: UInt64) {
        guard let connection = connections[completion.connection], connection.phase == .handling,
              let flight = connection.inFlight
        else { return }
        connection.inFlight = nil
        shared.update { $0.requestsInFlight -= 1 }
        let keepAlive = flight.keepAlive && !stopping
        let mode: HTTPResponseWriter.Connection =
            keepAlive ? (flight.version == .http10 ? .keepAlive : .persistent) : .close
        var response = completion.response
        var bytes: [UInt8]
        do {
            bytes = try HTTPResponseWriter.head(response, method: flight.method, connection: mode, date: date())
        } catch {
            configuration.onEvent(.responseRefused(peer: connection.peer, error: error))
            response = Self.errorResponse(.internalServerError)
            bytes = (try? HTTPResponseWriter.head(response, method: flight.method, connection: mode, date: date())) ?? []
        }
        if HTTPResponseWriter.sendsBody(response, method: flight.method) { bytes.append(contentsOf: response.body) }
        send(connection, bytes, status: response.status, closing: !keepAlive, now: now)
    }

    /// Queues a response and starts writing it.
    private func send(_ connection: Connection, _ bytes: [UInt8], status: HTTPStatus, closing: Bool, now: UInt64) {
        shared.update { $0.count(status) }
        if connection.output.isEmpty {
            connection.output = bytes
            connection.outputSent = 0
        } else {
            connection.output.append(contentsOf: bytes)
        }
        connection.closeAfterWrite = connection.closeAfterWrite || closing
        connection.phase = .writing
        connection.timer = .write(later(now, configuration.writeTimeout.nanoseconds))
        flush(connection, now: now)
    }

    /// Writes what the socket takes; when a response is out, reads on or starts closing.
    private func flush(_ connection: Connection, now: UInt64) {
        while connection.outputSent < connection.output.count {
            let sent = connection.output.withUnsafeBytes {
                Glibc.send(
                    connection.descriptor, $0.baseAddress! + connection.outputSent,
                    $0.count - connection.outputSent, Int32(MSG_NOSIGNAL)
                )
            }
            if sent > 0 {
                connection.outputSent += sent
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                close(connection)  // EPIPE, ECONNRESET: the peer is gone.
                return
            }
        }
        connection.output.removeAll(keepingCapacity: connection.output.capacity <= 1 << 16)
        connection.outputSent = 0
        guard connection.phase == .writing else { return }
        if connection.closeAfterWrite {
            shutdown(connection.descriptor, Int32(SHUT_WR))
            connection.phase = .lingering
            connection.timer = .linger(later(now, configuration.lingerTimeout.nanoseconds))
        } else {
            connection.phase = .reading
            advance(connection, now: now)
        }
    }

    private func expireTimers(now: UInt64) {
        for connection in Array(connections.values) where !connection.closed {
            guard let timer = connection.timer, now >= timer.deadline else { continue }
            switch timer {
            case .idle, .linger:
                close(connection)
            case .read:
                shared.update { $0.timedOutConnections += 1 }
                configuration.onEvent(.requestTimedOut(peer: connection.peer))
                send(connection, errorBytes(.requestTimeout), status: .requestTimeout, closing: true, now: now)
            case .write:
                shared.update { $0.timedOutConnections += 1 }
                configuration.onEvent(.writeTimedOut(peer: connection.peer))
                close(connection)
            }
        }
    }

    private func close(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        Glibc.close(connection.descriptor)
        connections[connection.id] = nil
        if connection.refused {
            refusedCount -= 1
        } else {
            openCount -= 1
            shared.update { $0.openConnections -= 1 }
        }
        if let flight = connection.inFlight {
            flight.task.cancel()
            connection.inFlight = nil
            shared.update { $0.requestsInFlight -= 1 }
        }
    }

    // MARK: - Stopping

    private func beginStop(now: UInt64, grace: UInt64) {
        graceDeadline = min(graceDeadline, later(now, grace))
        guard !stopping else { return }
        stopping = true
        closeListener()
        configuration.onEvent(.draining(inFlight: connections.values.filter { $0.phase == .handling }.count))
        for connection in Array(connections.values)
        where connection.phase == .reading && !connection.parser.hasPartialRequest && connection.output.isEmpty {
            close(connection)
        }
    }

    private func closeListener() {
        guard listening else { return }
        listening = false
        Glibc.close(listener.descriptor)
        Sockets.removeSocketFile(of: listener)
    }

    private func finish() {
        closeListener()
        var abandoned = 0
        for connection in Array(connections.values) {
            if connection.inFlight != nil { abandoned += 1 }
            close(connection)
        }
        configuration.onEvent(.stopped(abandoned: abandoned))
        // The write end is closed (under the shared lock) before the read end: a handler
        // finishing late must never write to a pipe without a reader (SIGPIPE).
        shared.finish()
        Glibc.close(wakeRead)
    }

    // MARK: - Helpers

    /// Milliseconds until the next deadline (by the server's clock), at most `pollHorizon`, so
    /// that a clock that jumps without saying so is still looked at; -1 when nothing is due.
    private func pollTimeout(now: UInt64) -> Int32 {
        var earliest = stopping ? graceDeadline : UInt64.max
        for connection in connections.values {
            if let deadline = connection.timer?.deadline { earliest = min(earliest, deadline) }
        }
        var wait: UInt64? = earliest == .max ? nil : (earliest <= now ? 0 : min(earliest - now, Self.pollHorizon))
        if let paused = acceptPausedUntil {
            let real = realClock.nanoseconds()
            wait = min(wait ?? .max, paused > real ? paused - real : 0)
        }
        guard let wait else { return -1 }
        return Int32((wait + 999_999) / 1_000_000)
    }

    private func drainWakePipe() {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &sink, sink.count) > 0 {}
    }

    private func later(_ now: UInt64, _ nanoseconds: UInt64) -> UInt64 {
        let (sum, overflow) = now.addingReportingOverflow(nanoseconds)
        return overflow ? .max : sum
    }

    /// The `Date` field value, formatted once a second.
    private func date() -> String {
        let second = Int(time(nil))
        if second != cachedDate.second {
            cachedDate = (second, HTTPResponseWriter.httpDate(secondsSinceEpoch: second))
        }
        return cachedDate.text
    }

    private func errorBytes(_ status: HTTPStatus) -> [UInt8] {
        let response = Self.errorResponse(status)
        var bytes = (try? HTTPResponseWriter.head(response, method: nil, connection: .close, date: date())) ?? []
        bytes.append(contentsOf: response.body)
        return bytes
    }

    /// The server's own answer with `status`: one line of plain text, in English and Chinese.
    static func errorResponse(_ status: HTTPStatus) -> HTTPResponse {
        let chinese: String = switch status.code {
        case 400: "请求格式错误"
        case 408: "请求超时"
        case 413: "请求内容过大"
        case 414: "请求地址过长"
        case 417: "不支持该 Expect 要求"
        case 431: "请求头过大"
        case 500: "服务器内部错误"
        case 501: "不支持该请求方法或传输编码"
        case 503: "服务器繁忙，请稍后再试"
        case 505: "不支持该 HTTP 版本"
        default: "请求未能完成"
        }
        let text = "\(status.code) \(status.reasonPhrase) · \(chinese)\n"
        return HTTPResponse(
            status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.utf8)
        )
    }
}
