import ChildProcesses
import EmbeddedPostgres
import Foundation
import Postgres

#if canImport(Glibc)
    import Glibc
#endif

/// The throwaway PostgreSQL a test process starts itself: one server of each `Kind` per test
/// process (the shared one; another with its own `pg_hba.conf`, such as the web door's tests'
/// server that checks persons' passwords), each in a scratch folder (in RAM where the machine
/// allows), started on first use, stopped and deleted when the process exits; each test gets a
/// database of its own.
///
/// It knows nothing of the project's schema, so the client's own tests (PostgresTests) need only
/// the client and this. A caller that wants databases with a schema names a template and how to
/// prepare it (`TestCluster` in TestSupport: every migration applied); a fresh database then
/// costs one `CREATE DATABASE … TEMPLATE`.
public enum ThrowawayPostgres {
    /// Which throwaway server: its folder's label and the lines of its `pg_hba.conf` (empty keeps
    /// initdb's trust for every login on the socket). Each kind is started once per test process,
    /// on first use, and keeps its own templates.
    public struct Kind: Sendable, Hashable {
        /// Names the server's folder (`<label>-<pid>-<n>` in `scratchDirectory`).
        public var label: String
        /// `pg_hba.conf`, one line each; empty: initdb's.
        public var authentication: [String]

        /// A kind of server.
        public init(label: String, authentication: [String] = []) {
            self.label = label
            self.authentication = authentication
        }

        /// The shared server every test uses unless it asks for another.
        public static let standard = Kind(label: "cr-test")
    }

    /// The shared server, started on first use.
    public static var server: EmbeddedPostgres {
        get throws { try state(of: .standard).server() }
    }

    /// The server of `kind`, started on first use.
    public static func server(_ kind: Kind) throws -> EmbeddedPostgres {
        try state(of: kind).server()
    }

    /// A database made from `template`, prepared once per process by `prepare` on a connection
    /// to the template itself; nil: an empty database (`template0`).
    public struct Template: Sendable {
        /// The template database's name.
        public var name: String
        /// Fills the template, once per test process.
        public var prepare: @Sendable (PostgresConnection) throws -> Void
        /// Statements run on every new database made from it (what its template cannot carry,
        /// e.g. the database's own privileges); `NAME` is replaced by the database's name.
        public var afterCreate: String?

        /// A template.
        public init(name: String, afterCreate: String? = nil, prepare: @escaping @Sendable (PostgresConnection) throws -> Void) {
            self.name = name
            self.prepare = prepare
            self.afterCreate = afterCreate
        }
    }

    /// Creates a fresh database (from `template`, or empty) on the server of `kind` and returns its
    /// conninfo (as the superuser).
    public static func makeDatabase(template: Template? = nil, on kind: Kind = .standard) throws -> String {
        let holder = state(of: kind)
        let server = try holder.server()
        let name = "t_\(getpid())_\(holder.nextNumber())"
        let admin = try PostgresConnection(server.conninfo())
        defer { admin.close() }
        if let template {
            try holder.ensureTemplate(template, admin: admin)
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE \(template.name)")
            if let statements = template.afterCreate {
                try admin.executeScript(statements.replacingOccurrences(of: "NAME", with: name))
            }
        } else {
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE template0")
        }
        return server.conninfo(database: name)
    }

    /// A connection to a fresh, empty database.
    public static func connect() throws -> PostgresConnection {
        try PostgresConnection(try makeDatabase())
    }

    /// The state of each kind of server, made on first use.
    private static func state(of kind: Kind) -> State {
        states.withLock { states in
            if let state = states[kind] { return state }
            let state = State(kind: kind)
            states[kind] = state
            return state
        }
    }

    private static let states = Locked<[Kind: State]>([:])

    /// Holds a lazily started server; guarded by `lock`.
    private final class State: @unchecked Sendable {
        // @unchecked: every stored property is read and written only while `lock` is held, and
        // `kind` is immutable.
        private let lock = NSLock()
        private let kind: Kind
        private var started: EmbeddedPostgres?
        private var templatesReady: Set<String> = []
        private var counter = 0

        init(kind: Kind) {
            self.kind = kind
        }

        func server() throws -> EmbeddedPostgres {
            lock.lock()
            defer { lock.unlock() }
            if let started { return started }
            let directory = ThrowawayPostgres.scratchDirectory.appendingPathComponent("\(kind.label)-\(getpid())-\(UInt32.random(in: 0...99999))")
            let server = EmbeddedPostgres(
                directory: directory,
                settings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "300"],
                authentication: kind.authentication)
            try server.start()
            started = server
            ThrowawayPostgres.stopAtExit.withLock { servers in
                if servers.isEmpty {
                    atexit {
                        for server in ThrowawayPostgres.stopAtExit.withLock({ $0 }) {
                            try? server.stop()
                            ThrowawayPostgres.removeAtExit(server.directory)
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

        func ensureTemplate(_ template: Template, admin: PostgresConnection) throws {
            lock.lock()
            defer { lock.unlock() }
            guard !templatesReady.contains(template.name) else { return }
            try admin.executeScript("CREATE DATABASE \(template.name) TEMPLATE template0")
            let server = try self.serverUnlocked()
            let connection = try PostgresConnection(server.conninfo(database: template.name))
            defer { connection.close() }
            try template.prepare(connection)
            templatesReady.insert(template.name)
        }

        private func serverUnlocked() throws -> EmbeddedPostgres {
            guard let started else { throw PostgresError.client("test server not started") }
            return started
        }
    }

    // The servers to stop as the process exits; read by the atexit handler, which cannot capture context.
    static let stopAtExit = Locked<[EmbeddedPostgres]>([])

    /// A value guarded by a lock.
    final class Locked<Value>: @unchecked Sendable {
        // @unchecked: `value` is read and written only while `lock` is held.
        private let lock = NSLock()
        private var value: Value

        init(_ value: Value) {
            self.value = value
        }

        func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body(&value)
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
