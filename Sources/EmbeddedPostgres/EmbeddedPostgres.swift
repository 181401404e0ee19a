import Foundation
import Postgres
import ChildProcesses

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL server in a folder of its own, for development, demos and tests.
///
/// It listens on a Unix socket in `directory` only (no TCP). The first `start` runs initdb into
/// `directory/data`. As root, initdb and the server run as the `postgres` system user, since
/// PostgreSQL refuses root. A `start` that finds the server running reuses it; a pid file left by
/// a killed server is handled by waiting for the old processes to go and starting afresh.
public struct EmbeddedPostgres: Sendable {
    /// The folder holding `data/`, the socket and `server.log`.
    public let directory: URL
    /// Extra `postgresql.conf` settings written at initdb (e.g. `fsync = off` for tests).
    public let settings: [String: String]
    /// The socket's port number (it names the socket file, `.s.PGSQL.<port>`).
    public let port: Int
    /// The lines of `pg_hba.conf` written at initdb, when not empty (e.g. the web door's tests:
    /// `local all postgres trust`, then `local all all scram-sha-256` so that persons' passwords are
    /// checked); empty keeps initdb's trust for every login on the socket.
    public let authentication: [String]

    public init(directory: URL, settings: [String: String] = [:], port: Int = 5432, authentication: [String] = []) {
        self.directory = directory.standardizedFileURL
        self.settings = settings
        self.port = port
        self.authentication = authentication
    }

    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    var logFile: URL { directory.appendingPathComponent("server.log") }
    var socketPath: String { directory.appendingPathComponent(".s.PGSQL.\(port)").path }

    /// A conninfo string for `database` on this server, as the `postgres` superuser.
    public func conninfo(database: String = "postgres") -> String {
        "host='\(directory.path)' port=\(port) user=postgres dbname='\(database)'"
    }

    /// What `status` finds.
    public enum State: Sendable, Equatable {
        case notInitialized
        case stopped
        case running(pid: Int32)
    }

    /// Whether the server is initialized and running.
    public func status() -> State {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialized
        }
        guard let pid = postmasterPID(), Self.isPostgresProcess(pid) else { return .stopped }
        return .running(pid: pid)
    }

    /// Starts the server (running initdb first when needed) and waits until it accepts connections.
    /// - Returns: false when it was already running.
    @discardableResult
    public func start() throws -> Bool {
        let binaries = try Self.binaryDirectory()
        if case .notInitialized = status() { try initialize(binaries: binaries) }
        if case .running = status() {
            if FileManager.default.fileExists(atPath: socketPath) {
                try waitUntilReady(binaries: binaries)
                return false
            }
            // Running but its socket was deleted: unreachable, so restart it.
            try run(binaries + "/pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "stop"])
        }
        // A pid file whose process is gone is stale (the server was killed). Its children may still
        // be exiting and holding shared memory, so retry for a while.
        var lastError: Error?
        for attempt in 0..<20 {
            do {
                try run(binaries + "/pg_ctl", ["-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "start"])
                try waitUntilReady(binaries: binaries)
                return true
            } catch {
                lastError = error
                if case .running = status() {
                    try waitUntilReady(binaries: binaries)
                    return false
                }
                Thread.sleep(forTimeInterval: attempt < 5 ? 0.2 : 0.5)
            }
        }
        throw lastError ?? EmbeddedPostgresError.startFailed(log: logTail())
    }

    /// Stops the server (fast shutdown: sessions are disconnected, transactions rolled back).
    public func stop() throws {
        guard case .running = status() else { return }
        let binaries = try Self.binaryDirectory()
        try run(binaries + "/pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "stop"])
    }

    /// Drops database `name` if it exists, ending its sessions (`WITH (FORCE)`).
    public func dropDatabase(_ name: String) throws {
        let connection = try PostgresConnection(conninfo(database: "postgres"))
        defer { connection.close() }
        try connection.executeScript("DROP DATABASE IF EXISTS \(try Self.quotedIdentifier(name)) WITH (FORCE)")
    }

    /// Creates `name` if it does not exist yet (safe when two processes race).
    public func createDatabase(_ name: String) throws {
        let connection = try PostgresConnection(conninfo(database: "postgres"))
        defer { connection.close() }
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", name).rowCount > 0
        guard !exists else { return }
        do {
            try connection.executeScript("CREATE DATABASE \(try Self.quotedIdentifier(name)) ENCODING 'UTF8' TEMPLATE template0")
        } catch let error as PostgresError where ["42P04", "23505"].contains(error.sqlState ?? "") {
            // Another process created it first.
        }
    }

    /// The PID in `postmaster.pid`, if any.
    public func postmasterPID() -> Int32? {
        guard let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
            let first = text.split(separator: "\n").first
        else { return nil }
        return Int32(first.trimmingCharacters(in: .whitespaces))
    }

    // MARK: - Internals

    private func initialize(binaries: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try? fm.removeItem(at: dataDirectory)
        if Self.isRoot {
            try run("/bin/chown", ["postgres:postgres", directory.path], asPostgres: false)
            try run("/bin/chmod", ["0700", directory.path], asPostgres: false)
        }
        try run(binaries + "/initdb", [
            "-D", dataDirectory.path, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        ])
        var conf = """

            # Written by cluster-review: a private server on a Unix socket only.
            listen_addresses = ''
            unix_socket_directories = '\(directory.path.replacingOccurrences(of: "'", with: "''"))'
            unix_socket_permissions = 0700
            port = \(port)
            max_connections = 200
            timezone = 'UTC'
            log_timezone = 'UTC'

            """
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) { conf += "\(key) = \(value)\n" }
        let confPath = dataDirectory.appendingPathComponent("postgresql.conf").path
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: confPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(conf.utf8))
        try handle.close()
        if !authentication.isEmpty {
            let hba = "# Written by cluster-review.\n" + authentication.joined(separator: "\n") + "\n"
            // Written as the server's own file would be: by its owner when running as root.
            let hbaPath = dataDirectory.appendingPathComponent("pg_hba.conf").path
            try Data(hba.utf8).write(to: URL(fileURLWithPath: hbaPath))
            if Self.isRoot { try run("/bin/chown", ["postgres:postgres", hbaPath], asPostgres: false) }
        }
    }

    private func waitUntilReady(binaries: String) throws {
        let deadline = Date().addingTimeInterval(60)
        var lastError: Error?
        while Date() < deadline {
            do {
                let connection = try PostgresConnection(conninfo())
                connection.close()
                return
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        throw EmbeddedPostgresError.notAccepting(reason: "\(lastError.map { "\($0)" } ?? "timeout")", log: logTail())
    }

    private func logTail() -> String {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(8).joined(separator: "\n")
    }

    private func run(_ program: String, _ arguments: [String], asPostgres: Bool = true) throws {
        var executable = program
        var argv = arguments
        if asPostgres && Self.isRoot {
            executable = FileManager.default.fileExists(atPath: "/sbin/runuser") ? "/sbin/runuser" : "/usr/sbin/runuser"
            argv = ["-u", "postgres", "--", program] + arguments
        }
        // Output goes to a file, not a pipe: the server that `pg_ctl start` leaves running would
        // inherit a pipe's write end, and a read to its end would never return. The launcher
        // closes every other descriptor of ours in the child, for the same reason.
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("cluster-review-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status: ExitStatus
        do {
            status = try ProcessLauncher.run(LaunchOptions(
                executable: executable, arguments: argv, environment: ProcessInfo.processInfo.environment,
                stdin: .null, stdout: .file(outputPath), stderr: .sameAsStdout))
        } catch {
            throw EmbeddedPostgresError.commandFailed(command: executable, status: -1, output: "cannot start: \(error)")
        }
        guard status == .exited(0) else {
            let text = ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw EmbeddedPostgresError.commandFailed(
                command: ([URL(fileURLWithPath: program).lastPathComponent] + arguments.prefix(3)).joined(separator: " "),
                status: status.shellStatus, output: String(text.suffix(1500)) + "\n" + logTail())
        }
    }

    static var isRoot: Bool { geteuid() == 0 }

    static func isPostgresProcess(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // A zombie left by a killed server is not a server.
        if let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
            if state == "Z" { return false }
        }
        return stat.contains("(postgres)") || stat.contains("(postmaster)")
    }

    /// The PostgreSQL server binaries: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin.
    public static func binaryDirectory() throws -> String {
        var candidates: [String] = []
        for pgConfig in ["/usr/bin/pg_config", "/usr/local/bin/pg_config"] where FileManager.default.isExecutableFile(atPath: pgConfig) {
            let options = LaunchOptions(executable: pgConfig, arguments: ["--bindir"], environment: ProcessInfo.processInfo.environment)
            if let (status, output) = try? ProcessLauncher.output(options), status == .exited(0) {
                candidates.append(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append("/usr/lib/postgresql/\(version)/bin")
        }
        for directory in candidates where FileManager.default.isExecutableFile(atPath: directory + "/initdb") {
            return directory
        }
        throw EmbeddedPostgresError.binariesNotFound(searched: candidates.isEmpty ? ["pg_config --bindir", "/usr/lib/postgresql/*/bin"] : candidates)
    }

    static func quotedIdentifier(_ name: String) throws -> String {
        guard !name.isEmpty, name.count <= 63,
            name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else { throw EmbeddedPostgresError.invalidName(name) }
        return "\"\(name)\""
    }
}

/// Why the private PostgreSQL could not be set up or started.
public enum EmbeddedPostgresError: Error, Sendable, CustomStringConvertible {
    case binariesNotFound(searched: [String])
    case commandFailed(command: String, status: Int32, output: String)
    case notAccepting(reason: String, log: String)
    case startFailed(log: String)
    case invalidName(String)

    public var description: String {
        switch self {
        case .binariesNotFound(let searched):
            return "PostgreSQL server binaries not found (searched \(searched.joined(separator: ", "))); install them: apt-get install -y postgresql"
        case .commandFailed(let command, let status, let output):
            return "\(command) exited with status \(status): \(output)"
        case .notAccepting(let reason, let log):
            return "the private PostgreSQL did not accept connections: \(reason)\n\(log)"
        case .startFailed(let log):
            return "the private PostgreSQL did not start:\n\(log)"
        case .invalidName(let name):
            return "\"\(name)\" is not a valid database name (lower-case letters, digits and _ only)"
        }
    }
}
