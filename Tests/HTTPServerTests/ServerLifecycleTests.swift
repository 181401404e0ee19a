#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTestSupport
import HTTPServer
import Testing

/// Timeouts, the connection cap and draining, on real sockets with a clock moved by hand: a
/// timeout is shown to fire by advancing the clock past it, never by waiting for it.
@Suite(.timeLimit(.minutes(2))) struct ServerLifecycleTests {
    /// Advances `clock` by `step` until `client` has something to read (bytes or EOF); returns
    /// the total advanced. The server may not have read what the client sent when the first
    /// step lands, so one step is not enough to be certain; many steps are.
    static func advance(
        _ clock: ManualClock, by step: Duration, until client: TestClient, maxSteps: Int = 200,
        beforeEachStep: () -> Void = {}
    ) -> Duration? {
        var total = Duration.zero
        for _ in 0..<maxSteps {
            beforeEachStep()
            clock.advance(by: step)
            total += step
            if client.isReadable(withinMilliseconds: 25) { return total }
        }
        return nil
    }

    @Test func aSlowlorisRequestIsAnswered408AndClosedAtTheReadTimeout() async throws {
        let clock = ManualClock()
        let events = EventLog()
        let (server, path, directory) = try startUnixServer {
            $0.clock = clock
            $0.requestReadTimeout = .seconds(10)
            $0.idleTimeout = .seconds(100_000)
            $0.onEvent = events.record
        }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        #expect(!client.isReadable(withinMilliseconds: 50))
        #expect(Self.advance(clock, by: .seconds(11), until: client) != nil)
        let response = try await client.readResponse()
        #expect(response.status == 408 && response.header("Connection") == "close")
        #expect(try await client.readsEndOfStream())
        #expect(server.counters.timedOutConnections == 1)
        #expect(events.all.contains { if case .requestTimedOut = $0 { true } else { false } })
        await server.stop()
    }

    @Test func aRequestTricklingInIsCutOffAtTheReadTimeoutFromItsFirstByte() async throws {
        // One byte per simulated second never completes the request; were each byte to restart
        // the timeout, the 408 would never come.
        let clock = ManualClock()
        let (server, path, directory) = try startUnixServer {
            $0.clock = clock
            $0.requestReadTimeout = .seconds(10)
            $0.idleTimeout = .seconds(100_000)
        }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send("GET /")
        let total = Self.advance(clock, by: .seconds(1), until: client) { client.send("a") }
        let waited = try #require(total)
        #expect(waited >= .seconds(10))
        #expect(try await client.readResponse().status == 408)
        await server.stop()
    }

    @Test func anIdleKeepAliveConnectionIsClosedSilentlyAtTheIdleTimeout() async throws {
        let clock = ManualClock()
        let (server, path, directory) = try startUnixServer {
            $0.clock = clock
            $0.idleTimeout = .seconds(60)
            $0.requestReadTimeout = .seconds(100_000)
        }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(get("/"))
        #expect(try await client.readResponse().status == 200)
        #expect(!client.isReadable(withinMilliseconds: 50))
        let waited = try #require(Self.advance(clock, by: .seconds(61), until: client))
        #expect(waited >= .seconds(60))
        #expect(try await client.readsEndOfStream())
        #expect(server.counters.timedOutConnections == 0)
        await server.stop()
    }

    @Test func aClientThatDoesNotReadItsResponseIsClosedAtTheWriteTimeout() async throws {
        let clock = ManualClock()
        let events = EventLog()
        let body = Data(repeating: 0x7A, count: 32 * 1024 * 1024)
        let (server, path, directory) = try startUnixServer {
            $0.clock = clock
            $0.writeTimeout = .seconds(30)
            $0.onEvent = events.record
        } handler: { _ in
            HTTPResponse(body: body)
        }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(get("/big"))
        await eventually("the response has started") { server.counters.successfulResponses == 1 }
        for _ in 0..<200 where server.counters.timedOutConnections == 0 {
            clock.advance(by: .seconds(31))
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(server.counters.timedOutConnections == 1)
        #expect(events.all.contains { if case .writeTimedOut = $0 { true } else { false } })
        await eventually("the connection is closed") { server.counters.openConnections == 0 }
        await server.stop()
    }

    @Test func connectionsOverTheCapAreAnswered503AndClosed() async throws {
        let (server, path, directory) = try startUnixServer { $0.maxConnections = 2 }
        defer { removeDirectory(directory) }
        var first: TestClient? = try TestClient(unixPath: path)
        let second = try TestClient(unixPath: path)
        await eventually("two connections are open") { server.counters.openConnections == 2 }

        let third = try TestClient(unixPath: path)
        third.send(get("/"))
        let refused = try await third.readResponse()
        #expect(refused.status == 503 && refused.header("Connection") == "close")
        #expect(try await third.readsEndOfStream())
        #expect(server.counters.refusedConnections == 1)

        first = nil
        await eventually("the first connection is gone") { server.counters.openConnections == 1 }
        let fourth = try TestClient(unixPath: path)
        fourth.send(get("/welcome"))
        #expect(try await fourth.readResponse().text == "GET /welcome")
        second.send(get("/still"))
        #expect(try await second.readResponse().text == "GET /still")
        #expect(first == nil)
        await server.stop()
    }

    @Test func stopLetsAnInFlightRequestFinishAndClosesIdleConnections() async throws {
        let gate = Gate()
        let (server, path, directory) = try startUnixServer { _ in } handler: { request in
            if request.path == "/slow" { await gate.wait() }
            return HTTPResponse(body: Data("done \(request.path)".utf8))
        }
        defer { removeDirectory(directory) }
        let busy = try TestClient(unixPath: path)
        let idle = try TestClient(unixPath: path)
        idle.send(get("/quick"))
        #expect(try await idle.readResponse().text == "done /quick")
        busy.send(get("/slow"))
        await eventually("the slow request is in flight") { server.counters.requestsInFlight == 1 }

        let stopped = Task { await server.stop(grace: .seconds(3600)) }
        await eventually("the socket file is gone") { !FileManager.default.fileExists(atPath: path) }
        #expect(try await idle.readsEndOfStream())
        #expect(throws: ClientError.self) { try TestClient(unixPath: path) }

        gate.open()
        let response = try await busy.readResponse()
        #expect(response.text == "done /slow" && response.header("Connection") == "close")
        #expect(try await busy.readsEndOfStream())
        await stopped.value
        #expect(server.counters.openConnections == 0)
    }

    @Test func stopCancelsAHandlerStillRunningWhenTheGraceEnds() async throws {
        let clock = ManualClock()
        let events = EventLog()
        let cancelled = Counter()
        let (server, path, directory) = try startUnixServer {
            $0.clock = clock
            $0.onEvent = events.record
        } handler: { _ in
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.increment()
            }
            return HTTPResponse()
        }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(get("/stuck"))
        await eventually("the request is in flight") { server.counters.requestsInFlight == 1 }
        let stopped = Task { await server.stop(grace: .seconds(5)) }
        await eventually("the server is draining") {
            events.all.contains { if case .draining = $0 { true } else { false } }
        }
        clock.advance(by: .seconds(6))
        await stopped.value
        #expect(events.all.contains { if case .stopped(abandoned: 1) = $0 { true } else { false } })
        #expect(try await client.readsEndOfStream())
        await eventually("the handler was cancelled") { cancelled.value == 1 }
    }

    @Test func stopIsIdempotent() async throws {
        let (server, _, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        async let first: Void = server.stop()
        async let second: Void = server.stop()
        _ = await (first, second)
        await server.stop()
    }
}
