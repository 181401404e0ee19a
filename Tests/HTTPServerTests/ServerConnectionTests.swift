import Foundation
import HTTPTestSupport
import Testing

@testable import HTTPServer

/// One connection's life on a real socket: keep-alive, pipelining, closing, refusals.
@Suite(.timeLimit(.minutes(2))) struct ServerConnectionTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        for index in 1...3 {
            client.send(get("/n/\(index)"))
            let response = try await client.readResponse()
            #expect(response.text == "GET /n/\(index)" && response.header("Connection") == nil)
        }
        #expect(server.counters.acceptedConnections == 1)
        #expect(server.counters.successfulResponses == 3)
        await server.stop()
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        // The first request is the slowest: responses must still come back in request order.
        let (server, port) = try startTCPServer { _ in } handler: { request in
            let delay = ["/slow": 200, "/medium": 50][request.path] ?? 0
            try? await Task.sleep(for: .milliseconds(delay))
            return HTTPResponse(body: Data(request.path.utf8))
        }
        let client = try TestClient(port: port)
        client.send(get("/slow") + get("/medium") + get("/fast") + "HEAD /head HTTP/1.1\r\nHost: t\r\n\r\n" + get("/last"))
        #expect(try await client.readResponse().text == "/slow")
        #expect(try await client.readResponse().text == "/medium")
        #expect(try await client.readResponse().text == "/fast")
        let head = try await client.readResponse(headRequest: true)
        #expect(head.header("Content-Length") == "5")
        #expect(try await client.readResponse().text == "/last")
        await server.stop()
    }

    @Test func pipelinedRequestsSplitAcrossWritesAreAnsweredInOrder() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        let stream = Array((get("/a") + get("/b") + get("/c")).utf8)
        for chunk in stride(from: 0, to: stream.count, by: 5) {
            client.send(Array(stream[chunk..<min(chunk + 5, stream.count)]))
        }
        for name in ["a", "b", "c"] {
            #expect(try await client.readResponse().text == "GET /\(name)")
        }
        await server.stop()
    }

    @Test func connectionCloseIsHonoured() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(get("/", extra: "Connection: close\r\n") + get("/never"))
        let response = try await client.readResponse()
        #expect(response.header("Connection") == "close")
        #expect(try await client.readsEndOfStream())
        await server.stop()
    }

    @Test func http10ClosesAfterTheResponseByDefault() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send("GET /old HTTP/1.0\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.text == "GET /old" && response.header("Connection") == "close")
        #expect(try await client.readsEndOfStream())
        await server.stop()
    }

    @Test func http10KeepsTheConnectionWhenItAsks() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try await client.readResponse().header("Connection") == "keep-alive")
        client.send("GET /2 HTTP/1.0\r\n\r\n")
        #expect(try await client.readResponse().text == "GET /2")
        #expect(try await client.readsEndOfStream())
        await server.stop()
    }

    @Test func aMalformedRequestIsAnswered400AndTheConnectionClosed() async throws {
        let events = EventLog()
        let (server, path, directory) = try startUnixServer { $0.onEvent = events.record }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(get("/fine") + "GET /bad HTTP/1.1\nHost: t\r\n\r\n" + get("/never"))
        #expect(try await client.readResponse().text == "GET /fine")
        let refused = try await client.readResponse()
        #expect(refused.status == 400 && refused.header("Connection") == "close")
        #expect(refused.text.contains("Bad Request") && refused.text.contains("请求格式错误"))
        #expect(try await client.readsEndOfStream())
        #expect(server.counters.clientErrorResponses == 1)
        #expect(events.all.contains { if case .requestRefused(_, .malformed(.bareLineFeed)) = $0 { true } else { false } })
        await server.stop()
    }

    static let refusals: [Refusal] = [
        Refusal("PUT", "PUT / HTTP/1.1\r\nHost: t\r\n\r\n", .methodNotImplemented),
        Refusal("HTTP/2.0", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", .versionNotSupported),
        Refusal(
            "a 9000-byte request line", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n",
            .requestLineTooLong(limit: 8192)
        ),
        Refusal(
            "a 17000-byte header", "GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "v", count: 17000) + "\r\n\r\n",
            .headerBlockTooLarge(limit: 16384)
        ),
        Refusal(
            "101 header fields", "GET / HTTP/1.1\r\nHost: t\r\n" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n",
            .tooManyHeaders(limit: 100)
        ),
        Refusal("a 3 MB body", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3000000\r\n\r\n", .bodyTooLarge(limit: 2 << 20)),
        Refusal(
            "chunked", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .transferEncodingNotImplemented
        ),
        Refusal(
            "an encoded traversal", "GET /files/..%2f..%2fetc/passwd HTTP/1.1\r\nHost: t\r\n\r\n",
            .malformed(.unsafePath(.encodedSlash))
        ),
        Refusal(
            "Content-Length with Transfer-Encoding",
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .malformed(.contentLengthWithTransferEncoding)
        ),
    ]

    @Test(arguments: refusals)
    func eachRefusalReachesTheClientWithItsStatusAndCloses(_ refusal: Refusal) async throws {
        let events = EventLog()
        let (server, path, directory) = try startUnixServer { $0.onEvent = events.record }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(refusal.bytes)
        let response = try await client.readResponse()
        #expect(response.status == refusal.error.status.code && response.header("Connection") == "close")
        #expect(try await client.readsEndOfStream())
        #expect(events.all.contains { if case .requestRefused(_, refusal.error) = $0 { true } else { false } })
        await server.stop()
    }

    @Test func aRefusedBodyThatKeepsComingStillGetsItsResponse() async throws {
        // The client sends 3 MiB after a 413: the server drains for a while instead of resetting
        // the connection, so the client reads the 413 rather than ECONNRESET.
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3145728\r\n\r\n")
        client.send([UInt8](repeating: 0x61, count: 512 * 1024))
        #expect(try await client.readResponse().status == 413)
        await server.stop()
    }

    @Test func aBodyWithinTheLimitReachesTheHandler() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        let body = [UInt8](repeating: 0x62, count: 2 * 1024 * 1024)
        client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n")
        client.send(body)
        #expect(try await client.readResponse().text == "POST /upload body=\(body.count)")
        await server.stop()
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send("POST /form HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        let interim = try await client.readResponse()
        #expect(interim.status == 100)
        client.send("hello")
        #expect(try await client.readResponse().text == "POST /form body=5")
        #expect(server.counters.informationalResponses == 1)
        await server.stop()
    }

    @Test func aResponseToHEADCarriesNoBodyAndTheConnectionStaysUsable() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send("HEAD /page HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try await client.readResponse(headRequest: true)
        #expect(head.status == 200 && head.header("Content-Length") == "10")
        client.send(get("/next"))
        #expect(try await client.readResponse().text == "GET /next")
        await server.stop()
    }

    @Test func aHandlerResponseWithAnInjectedHeaderBecomes500() async throws {
        let events = EventLog()
        let (server, path, directory) = try startUnixServer { $0.onEvent = events.record } handler: { request in
            HTTPResponse(status: .seeOther, headers: ["Location": "/next\r\nSet-Cookie: session=stolen"])
        }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(get("/"))
        let response = try await client.readResponse()
        #expect(response.status == 500 && response.header("Set-Cookie") == nil && response.header("Location") == nil)
        #expect(events.all.contains {
            if case .responseRefused(_, .invalidHeaderValue(name: "Location")) = $0 { true } else { false }
        })
        client.send(get("/again"))
        #expect(try await client.readResponse().status == 500)
        await server.stop()
    }

    @Test func responsesAreCountedByStatusClass() async throws {
        let (server, path, directory) = try startUnixServer { _ in } handler: { request in
            HTTPResponse(status: HTTPStatus(code: Int(request.pathSegments[0]) ?? 500))
        }
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        for code in [200, 204, 303, 404, 404, 503] {
            client.send(get("/\(code)"))
            #expect(try await client.readResponse().status == code)
        }
        let counters = server.counters
        #expect(counters.successfulResponses == 2 && counters.redirectionResponses == 1)
        #expect(counters.clientErrorResponses == 2 && counters.serverErrorResponses == 1)
        #expect(counters.openConnections == 1 && counters.requestsInFlight == 0)
        await server.stop()
        #expect(server.counters.openConnections == 0)
    }
}
