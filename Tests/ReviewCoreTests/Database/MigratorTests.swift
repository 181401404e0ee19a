import Foundation
import Postgres
@testable import ReviewCore
import TestSupport
import Testing

@Suite struct MigratorTests {
    func projectMigrations() throws -> [Migration] {
        try Migrator.load(from: try TestCluster.installation.sqlDirectory)
    }

    @Test func allMigrationsApplyToAnEmptyDatabase() throws {
        let connection = try TestCluster.connect(migrated: false)
        let migrations = try projectMigrations()
        let report = try Migrator.migrate(connection, migrations: migrations)
        #expect(report.applied.count == migrations.count)
        #expect(try connection.queryRow("SELECT count(*) AS n FROM counties").decode("n", as: Int.self) == 26)
    }

    @Test func aSecondRunChangesNothing() throws {
        let connection = try TestCluster.connect(migrated: false)
        let migrations = try projectMigrations()
        _ = try Migrator.migrate(connection, migrations: migrations)
        let second = try Migrator.migrate(connection, migrations: migrations)
        #expect(second.applied.isEmpty)
        #expect(second.alreadyApplied == migrations.count)
    }

    @Test func aMigrationChangedAfterItWasAppliedIsRefused() throws {
        let connection = try TestCluster.connect(migrated: false)
        var migrations = try projectMigrations()
        _ = try Migrator.migrate(connection, migrations: migrations)
        migrations[0].sql += "\n-- edited afterwards\n"
        #expect {
            _ = try Migrator.migrate(connection, migrations: migrations)
        } throws: { error in
            guard case MigrationError.changedAfterApplied(let name, _, _) = error else { return false }
            return name == migrations[0].name
        }
    }

    @Test func aFailingMigrationLeavesNothingOfItselfBehind() throws {
        let connection = try TestCluster.connect(migrated: false)
        let migrations = [
            Migration(version: 1, name: "001_good", sql: "CREATE TABLE good (x int)"),
            Migration(version: 2, name: "002_bad", sql: "CREATE TABLE half (x int); SELECT 1/0;"),
        ]
        #expect(throws: MigrationError.self) { _ = try Migrator.migrate(connection, migrations: migrations) }
        #expect(try connection.queryRow("SELECT to_regclass('half') IS NULL AS gone").decode("gone", as: Bool.self))
        #expect(try connection.queryRow("SELECT count(*) AS n FROM schema_migrations").decode("n", as: Int.self) == 1)
    }

    @Test func twoConcurrentRunsLeaveOneConsistentResult() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let migrations = try projectMigrations()
        async let first = Task.detached { try Migrator.migrate(PostgresConnection(conninfo), migrations: migrations) }.value
        async let second = Task.detached { try Migrator.migrate(PostgresConnection(conninfo), migrations: migrations) }.value
        let reports = try await [first, second]
        #expect(reports.map(\.applied.count).sorted() == [0, migrations.count])
        let connection = try PostgresConnection(conninfo)
        #expect(try connection.queryRow("SELECT count(*) AS n FROM schema_migrations").decode("n", as: Int.self) == migrations.count)
    }

    /// Roles are shared by the server's databases: four databases migrated at the same moment
    /// (as the tests and two installations on one server do) all end fully migrated; a collision on
    /// a role's catalog row ("tuple concurrently updated") is retried, never reported.
    @Test func databasesOfOneServerMigratedAtOnceAllSucceed() async throws {
        let migrations = try projectMigrations()
        let databases = try (0..<4).map { _ in try TestCluster.makeDatabase(migrated: false) }
        let applied = try await withThrowingTaskGroup(of: Int.self) { group in
            for conninfo in databases {
                group.addTask { try Migrator.migrate(PostgresConnection(conninfo), migrations: migrations).applied.count }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(applied == Array(repeating: migrations.count, count: 4))
    }

    @Test func onlyACollisionWithAnotherSessionIsRetried() {
        func server(_ state: String, _ message: String) -> PostgresError {
            .server(ServerError(sqlState: state, message: message))
        }
        #expect(Migrator.isConcurrentCatalogUpdate(server("XX000", "tuple concurrently updated")))
        #expect(Migrator.isConcurrentCatalogUpdate(server("40P01", "deadlock detected")))
        #expect(!Migrator.isConcurrentCatalogUpdate(server("XX000", "cache lookup failed")))
        #expect(!Migrator.isConcurrentCatalogUpdate(server("42601", "syntax error")))
    }

    @Test func aBadlyNamedFileIsReported() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1".write(to: directory.appendingPathComponent("1_short.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { _ = try Migrator.load(from: directory) }
    }
}
