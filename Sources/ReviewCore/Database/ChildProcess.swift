import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a short-lived helper program (initdb, pg_ctl) to completion with posix_spawn and waitpid.
///
/// Foundation's `Process` is avoided here: its termination monitoring did not fire reliably for
/// children that leave a daemon behind (pg_ctl start), and waiting on it polls.
enum ChildProcess {
    /// Runs `program` with `arguments`, stdin from /dev/null and stdout+stderr into `outputPath`;
    /// returns the exit status (128 + signal when killed by one).
    static func run(_ program: String, _ arguments: [String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours leaks into the child, which matters because `pg_ctl start` leaves a
        // server running that would hold any inherited descriptor (a lock file, a pipe) for its life.
        if let addCloseFrom = Subprocess.addCloseFrom { _ = addCloseFrom(&actions, 3) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard result == 0 else {
            throw EmbeddedPostgresError.commandFailed(
                command: program, status: -1, output: "cannot start: \(String(cString: strerror(result)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
