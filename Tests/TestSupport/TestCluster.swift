import Foundation
import Postgres
import ReviewCore

#if canImport(Glibc)
    import Glibc
#endif

/// The throwaway PostgreSQL the test suite starts itself: one server per test process, in a
/// scratch folder (in RAM where the machine allows), stopped and deleted when the process exits;
/// each test gets a database of its own.
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
        try makeDatabase(on: state, migrated: migrated)
    }

    /// The second throwaway server, whose `pg_hba.conf` checks the passwords of persons
    /// (`scram-sha-256`) while the superuser `postgres` and the web door's authenticator `cr_web`
    /// are trusted on the socket: the web door refuses a server that does not check passwords.
    /// Started on first use, like `server`.
    public static var passwordServer: EmbeddedPostgres {
        get throws { try passwordState.server() }
    }

    /// The `pg_hba.conf` of `passwordServer`.
    public static let passwordAuthentication = [
        "local all postgres trust",
        "local all cr_web trust",
        "local all all scram-sha-256",
    ]

    /// Creates a fresh, fully migrated database on `passwordServer` and returns its conninfo (as
    /// the superuser `postgres`).
    public static func makePasswordDatabase() throws -> String {
        try makeDatabase(on: passwordState, migrated: true)
    }

    private static func makeDatabase(on state: State, migrated: Bool) throws -> String {
        let server = try state.server()
        let name = "t_\(getpid())_\(state.nextNumber())"
        let admin = try PostgresConnection(server.conninfo())
        defer { admin.close() }
        if migrated {
            try state.ensureTemplate(admin: admin)
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE cr_template")
            // A database's own privileges are not copied from its template: close temporary tables as
            // sql/024 did on the template (what `migrate` does on a database of its own).
            try admin.executeScript(
                "REVOKE TEMPORARY ON DATABASE \(name) FROM PUBLIC; GRANT TEMPORARY ON DATABASE \(name) TO cr_admin, cr_auditor")
        } else {
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE template0")
        }
        return server.conninfo(database: name)
    }

    /// A connection to a fresh database (see `makeDatabase`).
    public static func connect(migrated: Bool = true) throws -> PostgresConnection {
        try PostgresConnection(try makeDatabase(migrated: migrated))
    }

    private static let state = State(label: "cr-test", authentication: [])
    private static let passwordState = State(label: "cr-test-pw", authentication: passwordAuthentication)

    /// Holds a lazily started server; guarded by `lock`.
    private final class State: @unchecked Sendable {
        // @unchecked: every stored property is read and written only while `lock` is held, and
        // `label` and `authentication` are immutable.
        private let lock = NSLock()
        private let label: String
        private let authentication: [String]
        private var started: EmbeddedPostgres?
        private var templateReady = false
        private var counter = 0

        init(label: String, authentication: [String]) {
            self.label = label
            self.authentication = authentication
        }

        func server() throws -> EmbeddedPostgres {
            lock.lock()
            defer { lock.unlock() }
            if let started { return started }
            let directory = TestCluster.scratchDirectory.appendingPathComponent("\(label)-\(getpid())-\(UInt32.random(in: 0...99999))")
            let server = EmbeddedPostgres(
                directory: directory,
                settings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "300"],
                authentication: authentication)
            try server.start()
            started = server
            TestCluster.stopAtExit.withLock { servers in
                if servers.isEmpty {
                    atexit {
                        for server in TestCluster.stopAtExit.withLock({ $0 }) {
                            try? server.stop()
                            TestCluster.removeAtExit(server.directory)
                        }
                    }
                }
                servers.append(server)
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

    // Read by the atexit handler, which cannot capture context.
    static let stopAtExit = LockedServers()

    /// The servers to stop when the process exits; guarded by its lock.
    final class LockedServers: @unchecked Sendable {
        // @unchecked: `servers` is read and written only while `lock` is held.
        private let lock = NSLock()
        private var servers: [EmbeddedPostgres] = []

        func withLock<T>(_ body: (inout [EmbeddedPostgres]) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&servers)
        }
    }

    // MARK: - Scratch space

    /// Where throwaway servers live: `/dev/shm` when it is a RAM file system with room to spare,
    /// else the temporary folder.
    ///
    /// A full run leaves more than a gigabyte of databases behind. Deleting that from a disk can
    /// take minutes (on ext4 mounted with `discard`, every freed extent is trimmed as the files
    /// go), and the test process sat silent that long after its last test, deleting. In RAM the
    /// same deletion is immediate, and the databases are quicker to create as well.
    public static let scratchDirectory: URL = {
        let shm = "/dev/shm"
        if isInRAM(shm), freeBytes(shm) >= 8 << 30, access(shm, W_OK) == 0 {
            return URL(fileURLWithPath: shm, isDirectory: true)
        }
        return URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
    }()

    /// Deletes the shared server's folder as the process exits (the server stopped): at once
    /// when it is in RAM; on a disk, by an `rm -rf` left running on its own, so that the test
    /// run does not end minutes after its last test.
    static func removeAtExit(_ directory: URL) {
        let path = directory.path
        if isInRAM(path) {
            try? FileManager.default.removeItem(at: directory)
            return
        }
        let doomed = path + ".deleting-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(path, doomed) == 0 else {
            try? FileManager.default.removeItem(at: directory)
            return
        }
        if !spawnDetached("/bin/rm", ["-rf", doomed]) {
            try? FileManager.default.removeItem(atPath: doomed)
        }
    }

    /// True when `path` is on a tmpfs (RAM) file system: its mount, the longest mount point in
    /// /proc/mounts that contains it, has type tmpfs.
    static func isInRAM(_ path: String) -> Bool {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return false }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 2 else { continue }
            let point = String(fields[1])
            let inside = point == "/" || resolved == point || resolved.hasPrefix(point + "/")
            if inside, point.count > (best?.point.count ?? -1) { best = (point, String(fields[2])) }
        }
        return best?.type == "tmpfs"
    }

    /// Bytes an unprivileged writer may still use on `path`'s file system.
    static func freeBytes(_ path: String) -> UInt64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return 0 }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    /// Starts `program` in a session of its own with stdin, stdout and stderr on /dev/null and no
    /// other descriptor of ours, and does not wait for it: it holds nothing of the test run open.
    static func spawnDetached(_ program: String, _ arguments: [String]) -> Bool {
        (try? ProcessLauncher.launch(LaunchOptions(
            executable: program, arguments: arguments, environment: ProcessInfo.processInfo.environment, grouping: .ownSession))) != nil
    }

}
