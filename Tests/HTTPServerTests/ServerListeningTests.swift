#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTestSupport
import HTTPServer
import Testing

/// Where and how the server listens: Unix sockets with their mode and stale files, loopback TCP.
@Suite(.timeLimit(.minutes(2))) struct ServerListeningTests {
    @Test func servesARequestOverAUnixSocket() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        let client = try TestClient(unixPath: path)
        client.send(get("/counties/460105?x=1"))
        let response = try await client.readResponse()
        #expect(response.status == 200 && response.text == "GET /counties/460105?x=1")
        #expect(response.header("Content-Length") == "24")
        #expect(response.header("Date")?.hasSuffix(" GMT") == true)
        await server.stop()
    }

    @Test func theUnixSocketIsCreatedWithMode0660() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o660)
        await server.stop()
    }

    @Test func aStaleSocketFileIsReplaced() async throws {
        let directory = try makeSocketDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/web.sock"
        // What a crash leaves behind: a socket file nothing listens on (bound, never listening).
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)

        let server = try HTTPServer(configuration: .init(listen: .unix(path: path)), handler: echoHandler)
        let client = try TestClient(unixPath: path)
        client.send(get("/"))
        #expect(try await client.readResponse().status == 200)
        await server.stop()
    }

    @Test func aLiveSocketIsNotTakenOver() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        #expect(throws: HTTPServerError.addressInUse(path)) {
            try HTTPServer(configuration: .init(listen: .unix(path: path)), handler: echoHandler)
        }
        let client = try TestClient(unixPath: path)
        client.send(get("/"))
        #expect(try await client.readResponse().status == 200)
        await server.stop()
    }

    @Test func aFileThatIsNotASocketIsNeverRemoved() throws {
        let directory = try makeSocketDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/web.sock"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: HTTPServerError.notASocket(path)) {
            try HTTPServer(configuration: .init(listen: .unix(path: path)), handler: echoHandler)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test func aSocketPathTooLongIsRefused() {
        let path = "/tmp/" + String(repeating: "x", count: 120)
        #expect(throws: HTTPServerError.socketPathTooLong(path)) {
            try HTTPServer(configuration: .init(listen: .unix(path: path)), handler: echoHandler)
        }
    }

    @Test func stoppingRemovesTheSocketFile() async throws {
        let (server, path, directory) = try startUnixServer()
        defer { removeDirectory(directory) }
        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func servesOnALoopbackPortChosenByTheKernel() async throws {
        let events = EventLog()
        let (server, port) = try startTCPServer { $0.onEvent = events.record } handler: { request in
            HTTPResponse(body: Data(request.remoteAddress.utf8))
        }
        #expect(port != 0)
        await eventually("the listening event") {
            events.all.contains { if case .listening(.tcp("127.0.0.1", port)) = $0 { true } else { false } }
        }
        let client = try TestClient(port: port)
        client.send(get("/"))
        let response = try await client.readResponse()
        #expect(response.status == 200 && response.text.hasPrefix("127.0.0.1:"))
        await server.stop()
    }

    @Test(arguments: ["0.0.0.0:0", "192.0.2.1:8080", "[::]:0", "[2001:db8::1]:80"])
    func aNonLoopbackAddressIsRefusedUnlessAllowed(text: String) throws {
        let address = try HTTPListenAddress(parsing: text)
        #expect(!address.isLoopback)
        #expect(throws: HTTPServerError.notLoopback(text)) {
            try HTTPServer(configuration: .init(listen: address), handler: echoHandler)
        }
    }

    @Test func aNonLoopbackAddressIsServedWhenExplicitlyAllowed() async throws {
        var configuration = HTTPServer.Configuration(listen: try HTTPListenAddress(parsing: "0.0.0.0:0"))
        configuration.allowNonLoopback = true
        let server = try HTTPServer(configuration: configuration, handler: echoHandler)
        await server.stop()
    }

    @Test(arguments: [
        ("unix:/run/cluster-review/web.sock", HTTPListenAddress.unix(path: "/run/cluster-review/web.sock"), true),
        ("127.0.0.1:8080", .tcp(host: "127.0.0.1", port: 8080), true),
        ("127.1.2.3:0", .tcp(host: "127.1.2.3", port: 0), true),
        ("localhost:8080", .tcp(host: "127.0.0.1", port: 8080), true),
        ("[::1]:8443", .tcp(host: "::1", port: 8443), true),
        ("[::ffff:127.0.0.1]:80", .tcp(host: "::ffff:127.0.0.1", port: 80), true),
        ("10.0.0.1:80", .tcp(host: "10.0.0.1", port: 80), false),
    ])
    func listenAddressesParse(text: String, address: HTTPListenAddress, loopback: Bool) throws {
        let parsed = try HTTPListenAddress(parsing: text)
        #expect(parsed == address && parsed.isLoopback == loopback)
    }

    @Test(arguments: ["", "unix:", "8080", "example.org:80", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                      "[::1]", "::1:80", "127.0.0.1:80x"])
    func malformedListenAddressesAreRefused(text: String) {
        #expect(throws: HTTPServerError.invalidListenAddress(text)) { try HTTPListenAddress(parsing: text) }
    }
}
