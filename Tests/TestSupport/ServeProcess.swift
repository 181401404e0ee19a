import Foundation
import ReviewCore

#if canImport(Glibc)
    import Glibc
#endif

/// A real `cluster-review` process started by a test, with its stdout and stderr in files.
public final class CLIProcess: @unchecked Sendable {
    // @unchecked: `status` is only read and written while `lock` is held; `pid`, `logPath` and
    // `outputPath` are set once in init.
    public let pid: pid_t
    /// Where stderr goes.
    public let logPath: String
    /// Where stdout goes.
    public let outputPath: String
    private let lock = NSLock()
    private var status: Int32?

    /// The directory of the built executables (beside the test binary).
    public static var executables: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while url.path.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        return url.path
    }

    /// Starts `cluster-review arguments` against the database `conninfo` (none: the variables
    /// DATABASE_URL and PG* are removed, for commands that need no database).
    ///
    /// `program` runs another copy of the CLI (an installed one); `workingDirectory` starts it
    /// elsewhere; with `home` false, CLUSTER_REVIEW_HOME is not set, so the program must find its
    /// files by itself.
    public init(
        _ arguments: [String], conninfo: String?, environment extra: [String: String] = [:], program: String? = nil,
        workingDirectory: String? = nil, home: Bool = true
    ) throws {
        let program = program ?? Self.executables + "/cluster-review"
        let stem = NSTemporaryDirectory() + "cr-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        logPath = stem + ".err"
        outputPath = stem + ".out"
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key == "DATABASE_URL" || key.hasPrefix("PG") || key == "CLUSTER_REVIEW_HOME" {
            environment[key] = nil
        }
        if let conninfo { environment["DATABASE_URL"] = conninfo }
        if home { environment["CLUSTER_REVIEW_HOME"] = try TestCluster.installation.root.path }
        for (key, value) in extra { environment[key] = value }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let workingDirectory, let addChdir = Self.addChdir {
            _ = workingDirectory.withCString { addChdir(&actions, $0) }
        }
        // Nothing else of the test process leaks in (a pipe it holds would keep the run open).
        if let addCloseFrom = SpawnActions.addCloseFrom { _ = addCloseFrom(&actions, 3) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, nil, argv, envp)
        guard result == 0 else { throw CLIProcessError.spawnFailed(program: program, code: result) }
        pid = child
    }

    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// glibc ≥ 2.29's posix_spawn_file_actions_addchdir_np, which Swift's Glibc module does not export.
    static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }

    /// Runs `cluster-review arguments` to its end (at most `timeout`, which only a broken program
    /// reaches) and returns its exit status, stdout and stderr.
    public static func run(
        _ arguments: [String], conninfo: String? = nil, environment: [String: String] = [:], program: String? = nil,
        workingDirectory: String? = nil, home: Bool = true, timeout: Duration = .seconds(300)
    ) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try CLIProcess(
            arguments, conninfo: conninfo, environment: environment, program: program, workingDirectory: workingDirectory, home: home)
        let status = await process.wait(timeout: timeout)
        return (status, process.output, process.errors)
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits up to `timeout` for the process to exit; returns its exit status (128 + signal when
    /// killed), or nil when it is still running.
    public func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = poll() { return status }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// What the process wrote, stdout then stderr.
    public var log: String { output + errors }

    /// What the process wrote on stdout.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// What the process wrote on stderr.
    public var errors: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func poll() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return status
    }

    deinit {
        if poll() == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            waitpid(pid, &raw, 0)
        }
        try? FileManager.default.removeItem(atPath: logPath)
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

/// What glibc offers posix_spawn beyond Swift's Glibc module.
enum SpawnActions {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later): the child closes every
    /// descriptor from the given one up, so none of the test process's reaches it.
    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
}

/// A test's `cluster-review` process could not be started.
public enum CLIProcessError: Error, CustomStringConvertible {
    case spawnFailed(program: String, code: Int32)

    public var description: String {
        switch self {
        case .spawnFailed(let program, let code): return "cannot start \(program): \(String(cString: strerror(code)))"
        }
    }
}
