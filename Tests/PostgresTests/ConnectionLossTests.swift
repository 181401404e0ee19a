import Foundation
import Postgres
import EmbeddedPostgres
import PostgresTestSupport
import Testing

/// These tests stop and restart a server of their own, never the shared test server.
@Suite(.serialized) struct ConnectionLossTests {
    static func privateServer() throws -> EmbeddedPostgres {
        let server = EmbeddedPostgres(
            directory: ThrowawayPostgres.scratchDirectory.appendingPathComponent("cr-loss-\(getpid())-\(UInt32.random(in: 0...99999))"),
            settings: ["fsync": "off"])
        try server.start()
        return server
    }

    @Test func aStoppedServerIsReportedAsALostConnectionAndARestartedOneWorks() throws {
        let server = try Self.privateServer()
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
        let connection = try PostgresConnection(server.conninfo())
        #expect(try connection.queryRow("SELECT 1 AS one").decode("one", as: Int.self) == 1)
        try server.stop()
        #expect {
            try connection.query("SELECT 1")
        } throws: { error in
            (error as? PostgresError)?.isConnectionLoss == true
        }
        try server.start()
        let fresh = try PostgresConnection(server.conninfo())
        #expect(try fresh.queryRow("SELECT 1 AS one").decode("one", as: Int.self) == 1)
    }

    @Test func aSessionReconnectsOnTheCallAfterALoss() async throws {
        let server = try Self.privateServer()
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
        let session = PostgresSession(conninfo: server.conninfo())
        let pid = try await session.run { Int($0.backendPID) }
        let killer = try PostgresConnection(server.conninfo())
        try killer.query("SELECT pg_terminate_backend($1::int)", pid)
        await #expect(throws: PostgresError.self) {
            try await session.run { try $0.query("SELECT 1").rowCount }
        }
        let rows = try await session.run { try $0.query("SELECT 1").rowCount }
        #expect(rows == 1)
    }

    @Test func aLostConnectionWhileWaitingForANotificationIsReported() throws {
        let conninfo = try ThrowawayPostgres.makeDatabase()
        let listener = try PostgresConnection(conninfo)
        try listener.listen("anything")
        let killer = try PostgresConnection(conninfo)
        try killer.query("SELECT pg_terminate_backend($1::int)", Int(listener.backendPID))
        #expect {
            // Returns (throwing) as soon as the loss is seen; a nil after 120 s fails the test.
            _ = try listener.waitForNotification(timeout: .seconds(120))
        } throws: { error in
            (error as? PostgresError)?.isConnectionLoss == true
        }
    }
}
