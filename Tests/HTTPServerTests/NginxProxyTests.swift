import Foundation
import HTTPTestSupport
import HTTPServer
import Testing

/// The web door behind a real nginx started from the shipped `config/nginx/cluster-review.conf`.
@Suite(.timeLimit(.minutes(2))) struct NginxProxyTests {
    /// Runs `body` with a server on a Unix socket and nginx in front of it.
    static func withNginx(
        handler: @escaping HTTPServer.Handler = echoHandler,
        _ body: (HTTPServer, NginxInstance) async throws -> Void
    ) async throws {
        try #require(NginxInstance.locate() != nil, Comment(rawValue: NginxInstance.missingMessage))
        let (server, path, directory) = try startUnixServer(handler: handler)
        defer { removeDirectory(directory) }
        let nginx: NginxInstance
        do {
            nginx = try await NginxInstance.start(socketPath: path, directory: directory)
        } catch {
            await server.stop()
            throw error
        }
        do {
            try await body(server, nginx)
        } catch {
            Issue.record("nginx error log:\n\(nginx.errorLog)")
            await nginx.stop()
            await server.stop()
            throw error
        }
        await nginx.stop()
        await server.stop()
    }

    @Test func nginxIsInstalled() {
        #expect(NginxInstance.locate() != nil, Comment(rawValue: NginxInstance.missingMessage))
    }

    @Test func theShippedSiteFileIsATemplateWithASocketAndAListenBlock() throws {
        let site = try NginxInstance.siteConfiguration(socketPath: "/run/cluster-review/web.sock", port: 8080)
        #expect(site.contains("server unix:/run/cluster-review/web.sock;"))
        #expect(site.contains("listen 127.0.0.1:8080;") && !site.contains("ssl_certificate"))
        #expect(site.contains("client_max_body_size 2m;"))
    }

    @Test func requestsThroughNginxReachTheHandlerWithTheClientsAddress() async throws {
        try await Self.withNginx(handler: { request in
            let lines = [
                "remote=\(request.remoteAddress)",
                "real-ip=\(request.headers.values(for: "X-Real-IP").joined(separator: ","))",
                "forwarded-for=\(request.headers.values(for: "X-Forwarded-For").joined(separator: ","))",
                "proto=\(request.headers["X-Forwarded-Proto"] ?? "")",
                "host=\(request.headers["Host"] ?? "")",
                "target=\(request.target)",
            ]
            return HTTPResponse(headers: ["Content-Type": "text/plain"], body: Data(lines.joined(separator: "\n").utf8))
        }) { _, nginx in
            let client = try TestClient(port: nginx.port)
            client.send(
                "GET /counties/460105?year=2026 HTTP/1.1\r\nHost: review.test\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\nX-Real-IP: 203.0.113.9\r\nConnection: close\r\n\r\n"
            )
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.text.split(separator: "\n").map(String.init) == [
                "remote=unix", "real-ip=127.0.0.1", "forwarded-for=127.0.0.1", "proto=http",
                "host=review.test", "target=/counties/460105?year=2026",
            ])
        }
    }

    @Test func nginxKeepsItsConnectionToTheServerAlive() async throws {
        try await Self.withNginx { server, nginx in
            for index in 1...3 {
                let client = try TestClient(port: nginx.port)
                client.send(get("/visit/\(index)", host: "review.test", extra: "Connection: close\r\n"))
                #expect(try await client.readResponse().text == "GET /visit/\(index)")
            }
            #expect(server.counters.successfulResponses == 3)
            #expect(server.counters.acceptedConnections == 1)
        }
    }

    @Test func aBodyOverNginxsLimitIsRefusedByNginxBeforeTheServer() async throws {
        let calls = Counter()
        try await Self.withNginx(handler: { request in
            calls.increment()
            return await echoHandler(request)
        }) { server, nginx in
            let client = try TestClient(port: nginx.port)
            client.send("POST /upload HTTP/1.1\r\nHost: review.test\r\nContent-Length: \(3 * 1024 * 1024)\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 413)
            #expect(calls.value == 0 && server.counters.acceptedConnections == 0)
        }
    }

    @Test func aBodyWithinTheLimitPassesThroughNginx() async throws {
        try await Self.withNginx { _, nginx in
            let client = try TestClient(port: nginx.port)
            let body = [UInt8](repeating: 0x71, count: 1024 * 1024)
            client.send("POST /upload HTTP/1.1\r\nHost: review.test\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
            client.send(body)
            #expect(try await client.readResponse().text == "POST /upload body=\(body.count)")
        }
    }

    @Test func aChunkedUploadReachesTheServerWithAContentLength() async throws {
        try await Self.withNginx(handler: { request in
            let framing = request.headers.contains("Transfer-Encoding") ? "chunked" : request.headers["Content-Length"] ?? "none"
            return HTTPResponse(body: Data("\(framing) \(String(decoding: request.body, as: UTF8.self))".utf8))
        }) { _, nginx in
            let client = try TestClient(port: nginx.port)
            client.send(
                "POST /form HTTP/1.1\r\nHost: review.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            )
            let response = try await client.readResponse()
            #expect(response.status == 200 && response.text == "11 hello world")
        }
    }

    @Test(arguments: ["/files/..%2f..%2fetc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files/..%5c..%5cetc"])
    func aTraversalThroughNginxIsRefused(target: String) async throws {
        let calls = Counter()
        try await Self.withNginx(handler: { request in
            calls.increment()
            return await echoHandler(request)
        }) { _, nginx in
            let client = try TestClient(port: nginx.port)
            client.send(get(target, host: "review.test", extra: "Connection: close\r\n"))
            let response = try await client.readResponse()
            #expect(response.status == 400)
            #expect(calls.value == 0)
        }
    }
}
