import Foundation
import ReviewCore

#if canImport(Glibc)
    import Glibc
#endif

/// A real `cluster-review` process started by a test, with its stdout and stderr in a log file.
public final class CLIProcess: @unchecked Sendable {
    // @unchecked: `status` is only read and written while `lock` is held; `pid` and `logPath` are
    // set once in init.
    public let pid: pid_t
    public let logPath: String
    private let lock = NSLock()
    private var status: Int32?

    /// The directory of the built executables (beside the test binary).
    public static var executables: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while url.path.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        return url.path
    }

    /// Starts `cluster-review arguments` against the database `conninfo`.
    public init(_ arguments: [String], conninfo: String, environment extra: [String: String] = [:]) throws {
        let program = Self.executables + "/cluster-review"
        logPath = NSTemporaryDirectory() + "cr-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        environment["CLUSTER_REVIEW_HOME"] = try TestCluster.installation.root.path
        for (key, value) in extra { environment[key] = value }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
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

    /// What the process wrote.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

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
