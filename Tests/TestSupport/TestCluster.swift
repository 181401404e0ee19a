import Foundation
import Postgres
import ReviewCore

#if canImport(Glibc)
    import Glibc
#endif

/// The throwaway PostgreSQL the test suite starts itself: one server per test process, in a
/// temporary folder, stopped when the process exits; each test gets a database of its own.
///
/// Databases are cloned from a template that has every migration applied, so a fresh, fully
/// migrated database costs one `CREATE DATABASE … TEMPLATE`.
public enum TestCluster {
    /// The shared server, started on first use.
    public static var server: EmbeddedPostgres {
        get throws { try state.server() }
    }

    /// The project's installation (sql/, config/, built executables).
    public static var installation: Installation {
        get throws { try Installation.current() }
    }

    /// Creates a fresh database with every migration applied and returns its conninfo.
    public static func makeDatabase(migrated: Bool = true) throws -> String {
        let server = try state.server()
        let name = "t_\(getpid())_\(state.nextNumber())"
        let admin = try PostgresConnection(server.conninfo())
        defer { admin.close() }
        if migrated {
            try state.ensureTemplate(admin: admin)
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE cr_template")
        } else {
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE template0")
        }
        return server.conninfo(database: name)
    }

    /// A connection to a fresh database (see `makeDatabase`).
    public static func connect(migrated: Bool = true) throws -> PostgresConnection {
        try PostgresConnection(try makeDatabase(migrated: migrated))
    }

    private static let state = State()

    /// Holds the lazily started server; guarded by `lock`.
    private final class State: @unchecked Sendable {
        // @unchecked: every stored property is read and written only while `lock` is held.
        private let lock = NSLock()
        private var started: EmbeddedPostgres?
        private var templateReady = false
        private var counter = 0

        func server() throws -> EmbeddedPostgres {
            lock.lock()
            defer { lock.unlock() }
            if let started { return started }
            let directory = URL(fileURLWithPath: "/tmp/cr-test-\(getpid())-\(UInt32.random(in: 0...99999))")
            let server = EmbeddedPostgres(
                directory: directory,
                settings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "300"])
            try server.start()
            started = server
            TestCluster.stopAtExit = server
            atexit {
                if let server = TestCluster.stopAtExit {
                    try? server.stop()
                    try? FileManager.default.removeItem(at: server.directory)
                }
            }
            return server
        }

        func nextNumber() -> Int {
            lock.lock()
            defer { lock.unlock() }
            counter += 1
            return counter
        }

        func ensureTemplate(admin: PostgresConnection) throws {
            lock.lock()
            defer { lock.unlock() }
            guard !templateReady else { return }
            try admin.executeScript("CREATE DATABASE cr_template TEMPLATE template0")
            let server = try self.serverUnlocked()
            let connection = try PostgresConnection(server.conninfo(database: "cr_template"))
            _ = try Migrator.migrate(connection, migrations: try Migrator.load(from: try Installation.current().sqlDirectory))
            connection.close()
            templateReady = true
        }

        private func serverUnlocked() throws -> EmbeddedPostgres {
            guard let started else { throw PostgresError.client("test server not started") }
            return started
        }
    }

    // Read only by the atexit handler, which cannot capture context.
    nonisolated(unsafe) static var stopAtExit: EmbeddedPostgres?
}
