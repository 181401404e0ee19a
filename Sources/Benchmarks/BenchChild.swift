#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ChildProcesses

/// A child process the benchmark starts (`posix_spawn`) and reaps itself, so that it can read the
/// child's CPU while the child is a zombie — after its last instruction, before its accounting
/// moves into the benchmark's own `cutime`.
struct BenchChild: Sendable {
    let pid: pid_t
    /// The program, for messages.
    let program: String
    /// Where its standard output and error go.
    let outputPath: String

    /// How it ended and what it used.
    struct Exit: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        var status: Int32
        /// The child's own CPU (all its threads), in clock ticks.
        var ownTicks: Int
        /// CPU of the children it reaped itself, in clock ticks.
        var reapedTicks: Int
    }

    /// Starts `program` with `arguments`, stdin from /dev/null, stdout and stderr appended to
    /// `outputPath`, this process's environment with `environment` laid over it. No other
    /// descriptor of the benchmark is inherited (the database connections' sockets stay ours).
    static func spawn(_ program: String, _ arguments: [String], environment: [String: String] = [:], outputPath: String) throws -> BenchChild {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(program): \(String(cString: strerror(result)))") }
        return BenchChild(pid: pid, program: program, outputPath: outputPath)
    }

    /// True while it has not exited (a zombie has exited).
    var isRunning: Bool { ProcessStat.read(pid).map { $0.state != "Z" } ?? false }

    /// Sends `signal` (SIGTERM by default).
    func signal(_ number: Int32 = SIGTERM) { _ = kill(pid, number) }

    /// Waits until it has exited (polling its `stat` every 5 ms), reads its CPU as a zombie, and
    /// reaps it. After `timeout` it is killed (SIGKILL) and waited for.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(600)) -> Exit {
        Self.reapWhenExited(pid, timeout: timeout)
    }

    /// The last lines of its output, for an error message.
    func outputTail(lines: Int = 12) -> String {
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Waits for child `pid` of this process to exit, reads its `stat` while it is a zombie, and
    /// reaps it (`waitpid`).
    static func reapWhenExited(_ pid: pid_t, timeout: Duration) -> Exit {
        let deadline = ContinuousClock.now + timeout
        var last = ProcessStat.read(pid)
        while let stat = last, stat.state != "Z" {
            if ContinuousClock.now > deadline { _ = kill(pid, SIGKILL) }
            usleep(5_000)
            last = ProcessStat.read(pid)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        return Exit(status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal,
                    ownTicks: last?.ownTicks ?? 0, reapedTicks: last?.reapedTicks ?? 0)
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc ≥ 2.34), looked up at run time: Swift's
    /// Glibc module does not export it.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }  // nil: RTLD_DEFAULT
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}

/// Makes this process the "child subreaper" of its descendants (`prctl(PR_SET_CHILD_SUBREAPER)`):
/// a process orphaned by the exit of its parent — a module worker left running when a CLI exits
/// without stopping its pools — is reparented to the benchmark instead of init, so the benchmark
/// can wait for it and count its CPU.
enum Reaper {
    /// Becomes the subreaper; false when the kernel refuses.
    static func adoptOrphans() -> Bool {
        // prctl is variadic in C, which Swift does not import; on x86-64 and arm64 Linux a call
        // through a fixed-arity pointer passes the same registers.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(nil, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        return prctl(36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0, 0) == 0
    }

    /// This process's children, live or zombie.
    static func children() -> Set<pid_t> {
        Set(ProcessTable.snapshot().children(of: getpid()))
    }

    /// Waits for each child of this process not in `known` (orphans adopted since) to exit, reaps
    /// it, and returns their CPU in clock ticks (own + what they reaped).
    static func reapAdopted(except known: Set<pid_t>, timeout: Duration = .seconds(60)) -> (count: Int, ticks: Int) {
        let adopted = children().subtracting(known)
        let ticks = adopted.reduce(0) { total, pid in
            let exit = BenchChild.reapWhenExited(pid, timeout: timeout)
            return total + exit.ownTicks + exit.reapedTicks
        }
        return (adopted.count, ticks)
    }
}

/// A benchmark that cannot go on, with the reason for a person.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
