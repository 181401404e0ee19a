import Foundation
import ReviewCore
import ChildProcesses

#if canImport(Glibc)
    import Glibc
#endif

/// A real `cluster-review` process started by a test, with its stdout and stderr in files.
///
/// Started by `ProcessLauncher`, as every process of the project is.
public final class CLIProcess: @unchecked Sendable {
    // @unchecked: every stored property is immutable; the child's state is `ChildProcess`'s.
    public let pid: pid_t
    /// Where stderr goes.
    public let logPath: String
    /// Where stdout goes.
    public let outputPath: String
    private let child: ChildProcess

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
        do {
            child = try ProcessLauncher.launch(LaunchOptions(
                executable: program, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
                stdin: .null, stdout: .file(outputPath), stderr: .file(logPath)))
        } catch {
            throw CLIProcessError.spawnFailed(program: program, reason: error.description)
        }
        pid = child.pid
    }

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
        child.signal(signal)
    }

    /// Waits up to `timeout` for the process to exit; returns its exit status (128 + signal when
    /// killed), or nil when it is still running.
    public func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = child.poll() { return status.shellStatus }
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

    deinit {
        if child.poll() == nil {
            child.signal(SIGKILL)
            child.waitForExit()
        }
        try? FileManager.default.removeItem(atPath: logPath)
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

/// A test's `cluster-review` process could not be started.
public enum CLIProcessError: Error, CustomStringConvertible {
    case spawnFailed(program: String, reason: String)

    public var description: String {
        switch self {
        case .spawnFailed(let program, let reason): return "cannot start \(program): \(reason)"
        }
    }
}
