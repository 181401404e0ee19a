import Foundation
import Postgres
import EmbeddedPostgres
import PostgresTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct EmbeddedPostgresTests {
    let server = EmbeddedPostgres(
        directory: ThrowawayPostgres.scratchDirectory.appendingPathComponent("cr-embedded-\(getpid())-\(UInt32.random(in: 0...99999))"),
        settings: ["fsync": "off"])

    @Test func startStatusStopAndStartAgainAfterTheServerWasKilled() async throws {
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
        #expect(server.status() == .notInitialized)
        #expect(try server.start() == true)
        guard case .running(let pid) = server.status() else {
            Issue.record("not running after start")
            return
        }
        #expect(try server.start() == false, "a second start finds the running server")
        try server.stop()
        #expect(server.status() == .stopped)

        try server.start()
        guard case .running(let second) = server.status() else {
            Issue.record("not running after restart")
            return
        }
        #expect(second != pid)
        kill(second, SIGKILL)
        // SIGKILL takes effect when the kernel next schedules the postmaster, which on a busy
        // machine is not at once; until then it is running, and `start` would rightly reuse it.
        let deadline = ContinuousClock.now + .seconds(60)
        while case .running = server.status(), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(server.status() == .stopped, "the killed postmaster is gone")
        // The pid file is left behind by the killed postmaster.
        #expect(FileManager.default.fileExists(atPath: server.dataDirectory.appendingPathComponent("postmaster.pid").path))
        try server.start()
        let connection = try PostgresConnection(server.conninfo())
        #expect(try connection.queryRow("SELECT 1 AS one").decode("one", as: Int.self) == 1)
    }

    @Test func itListensOnAUnixSocketOnly() throws {
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
        try server.start()
        let connection = try PostgresConnection(server.conninfo())
        let addresses: String = try connection.queryRow("SHOW listen_addresses").decode(column: 0)
        #expect(addresses == "")
        #expect(FileManager.default.fileExists(atPath: server.directory.appendingPathComponent(".s.PGSQL.5432").path))
    }
}
