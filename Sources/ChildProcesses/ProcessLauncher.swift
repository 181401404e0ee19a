#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How a child process ended; `exited` and `signalled` are kept apart.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it (SIGKILL 9, SIGSEGV 11, SIGABRT 6 …).
    case signalled(Int32)

    package init(waitStatus status: Int32) {
        if status & 0x7F == 0 {
            self = .exited((status >> 8) & 0xFF)
        } else {
            self = .signalled(status & 0x7F)
        }
    }

    /// The shell's convention: the exit status, or 128 + the signal.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        }
    }

    /// One line for a person.
    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signalled(let signal): "killed by signal \(signal) (\(ExitStatus.signalName(signal)))"
        }
    }

    package static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGABRT: "SIGABRT"
        case SIGSEGV: "SIGSEGV"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGXCPU: "SIGXCPU"
        case SIGPIPE: "SIGPIPE"
        case SIGINT: "SIGINT"
        default: "signal \(signal)"
        }
    }
}

/// The resource limits a child runs under; nil members are left as inherited.
public struct ResourceLimits: Sendable, Hashable, Codable {
    /// RLIMIT_CPU: CPU seconds over the process's whole life (SIGXCPU, then SIGKILL).
    public var cpuSeconds: Int?
    /// RLIMIT_AS: address space in bytes; allocation beyond it fails.
    public var addressSpaceBytes: Int?
    /// RLIMIT_NOFILE: open file descriptors.
    public var openFiles: Int?

    /// Limits; nil leaves a resource as inherited.
    public init(cpuSeconds: Int? = nil, addressSpaceBytes: Int? = nil, openFiles: Int? = nil) {
        self.cpuSeconds = cpuSeconds
        self.addressSpaceBytes = addressSpaceBytes
        self.openFiles = openFiles
    }

    /// True when no limit is set.
    public var isEmpty: Bool { cpuSeconds == nil && addressSpaceBytes == nil && openFiles == nil }
}

/// Why a process could not be started.
public enum SpawnError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The executable does not exist or is not executable.
    case notExecutable(path: String)
    /// A system call failed; `call` names it, `code` is errno.
    case system(call: String, code: Int32)

    /// One line for a person.
    public var description: String {
        switch self {
        case .notExecutable(let path): "\(path) is not an executable file"
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

/// What one of a child's standard descriptors is connected to.
public enum StandardStream: Sendable, Hashable {
    /// /dev/null.
    case null
    /// A pipe; the parent gets the other end (close-on-exec; a stdin pipe is non-blocking).
    case pipe
    /// A file: read for stdin; for stdout and stderr created or truncated (or appended to), mode 0600.
    case file(String, append: Bool = false)
    /// stderr only: the same as stdout (`2>&1`).
    case sameAsStdout
    /// The parent's own descriptor, shared (a wrapper that passes its output through).
    case inherit
}

/// Where a child stands among process groups and sessions.
public enum ProcessGrouping: Sendable, Hashable {
    /// In the parent's group.
    case inherit
    /// In a new process group whose id is the child's pid, so the child and every descendant that
    /// stays in the group are signalled together (`kill(-pgid, …)`): what a worker gets.
    case ownGroup
    /// In a new session (and group) of its own, detached from the parent's terminal.
    case ownSession
}

/// Everything about a process to start.
public struct LaunchOptions: Sendable, Hashable {
    /// The executable's absolute path.
    public var executable: String
    /// Arguments after the program name.
    public var arguments: [String]
    /// The child's whole environment: nothing is inherited that is not listed here.
    public var environment: [String: String]
    /// The child's working directory; nil keeps the parent's.
    public var workingDirectory: String?
    /// What stdin, stdout and stderr are connected to.
    public var stdin: StandardStream
    public var stdout: StandardStream
    public var stderr: StandardStream
    /// Resource limits, in force before the child's first instruction.
    public var limits: ResourceLimits
    /// The child's process group or session.
    public var grouping: ProcessGrouping
    /// Applies the limits through the POSIX shell even where util-linux `prlimit` is installed (tests).
    public var shellTrampoline: Bool

    /// Options; by default the child inherits nothing: stdio on /dev/null, an empty environment.
    public init(
        executable: String, arguments: [String] = [], environment: [String: String] = [:], workingDirectory: String? = nil,
        stdin: StandardStream = .null, stdout: StandardStream = .null, stderr: StandardStream = .null,
        limits: ResourceLimits = ResourceLimits(), grouping: ProcessGrouping = .inherit, shellTrampoline: Bool = false
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.limits = limits
        self.grouping = grouping
        self.shellTrampoline = shellTrampoline
    }
}

/// Starts every process the program starts — module workers, PostgreSQL's tools, helpers, the
/// tests' command-line runs — one way: `posix_spawn` with an explicit environment, only fds 0–2
/// open in the child, default signal dispositions and mask, resource limits and, on request, a
/// process group or session of its own. It knows nothing of the database or of the protocol.
///
/// Why this shape:
/// - `fork` in a multithreaded process may only call async-signal-safe functions before `exec`,
///   which rules out Swift code there; `posix_spawn` (vfork/clone inside glibc) does not have that
///   hazard and does not copy the parent's memory.
/// - posix_spawn cannot set rlimits, and setting them on the parent around the spawn would race
///   with every other thread. So a limited child is started through a trampoline that sets the
///   limits on itself and then `exec`s the program, keeping the pid (and so the process group):
///   util-linux `prlimit` when installed (exact byte limits), otherwise
///   `/bin/sh -c 'ulimit …; exec "$0" "$@"'` (POSIX).
/// - Descriptors: every descriptor made here is `O_CLOEXEC`; in addition the child's file actions
///   close every descriptor from 3 up (`posix_spawn_file_actions_addclosefrom_np`, glibc ≥ 2.34,
///   looked up at run time because Swift's Glibc module does not export it), so descriptors the
///   rest of the process opened without close-on-exec do not leak either.
/// - Every child started here is recorded until it is reaped, under the lock the spawn itself
///   holds, so `OrphanReaper` can tell a child of ours from an orphan it adopted and never takes
///   the exit status a `ChildProcess` is waiting for.
public enum ProcessLauncher {
    /// Starts a process as `options` say.
    public static func launch(_ options: LaunchOptions) throws(SpawnError) -> ChildProcess {
        guard access(options.executable, X_OK) == 0 else { throw .notExecutable(path: options.executable) }
        if options.stdin == .pipe { _ = brokenPipesIgnored }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }
        func fail(_ error: SpawnError) -> SpawnError {
            parentEnds.forEach { close($0) }
            return error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var ends: [Int32?] = [nil, nil, nil]
        for (fd, stream) in [(Int32(0), options.stdin), (1, options.stdout), (2, options.stderr)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let path, let append):
                let flags = fd == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC))
                posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o600)
            case .sameAsStdout:
                posix_spawn_file_actions_adddup2(&actions, 1, fd)
            case .inherit:
                break
            case .pipe:
                let pipe: (read: Int32, write: Int32)
                do { pipe = try makePipe() } catch { throw fail(error) }
                let (child, parent) = fd == 0 ? (pipe.read, pipe.write) : (pipe.write, pipe.read)
                childEnds.append(child)
                parentEnds.append(parent)
                ends[Int(fd)] = parent
                posix_spawn_file_actions_adddup2(&actions, child, fd)
            }
        }
        if let directory = options.workingDirectory {
            guard let addChdir else { throw fail(.system(call: "posix_spawn_file_actions_addchdir_np", code: ENOSYS)) }
            _ = directory.withCString { addChdir(&actions, $0) }
        }
        if let addCloseFrom { _ = addCloseFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        switch options.grouping {
        case .inherit: break
        case .ownGroup:
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        case .ownSession:
            flags |= spawnSetSid
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let (path, argv) = command(
            executable: options.executable, arguments: options.arguments, limits: options.limits, shellOnly: options.shellTrampoline)
        let envp = options.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        // The registry's lock is held from the spawn to the record, so the orphan reaper never
        // sees a child of ours that is not recorded yet.
        let result = registry.withLock { live -> Int32 in
            let result = withCStrings(argv) { argvPointer in
                withCStrings(envp) { envPointer in
                    posix_spawn(&pid, path, &actions, &attributes, argvPointer, envPointer)
                }
            }
            if result == 0 { live.insert(pid) }
            return result
        }
        guard result == 0 else { throw fail(.system(call: "posix_spawn \(path)", code: result)) }
        if let input = ends[0] { _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK) }
        let group: pid_t? = options.grouping == .inherit ? nil : pid
        return ChildProcess(pid: pid, processGroup: group, stdin: ends[0], stdout: ends[1], stderr: ends[2])
    }

    /// Runs a process to its end, blocking the calling thread (never a Swift concurrency thread
    /// for long: for short helpers such as `pg_ctl`), and returns how it ended.
    public static func run(_ options: LaunchOptions) throws(SpawnError) -> ExitStatus {
        try launch(options).waitForExit()
    }

    /// Runs a process to its end with stdout on a pipe and returns how it ended and what it wrote
    /// there (at most `limit` bytes are kept; the rest is read and dropped).
    public static func output(_ options: LaunchOptions, limit: Int = 1 << 20) throws(SpawnError) -> (status: ExitStatus, output: Data) {
        var options = options
        options.stdout = .pipe
        let child = try launch(options)
        var data = Data()
        if let fd = child.stdout {
            var buffer = [UInt8](repeating: 0, count: 1 << 14)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                if data.count < limit { data.append(contentsOf: buffer[0..<min(count, limit - data.count)]) }
            }
            close(fd)
        }
        return (child.waitForExit(), data)
    }

    /// SIGPIPE ignored in this process, once, before the first child with a stdin pipe starts.
    ///
    /// A child may die at any moment (killed, crashed) and its stdin pipe then has no reader: a
    /// write to it must fail with EPIPE, which the writer handles, and not raise SIGPIPE, whose
    /// default action ends the whole process silently (a coordinator writing a request to a worker
    /// that was killed while idle, before its end was noticed). Children do not inherit this: every
    /// signal is reset to its default in them (`posix_spawnattr_setsigdefault`).
    static let brokenPipesIgnored: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    // MARK: - The record of children

    /// Pids of the children started here and not reaped yet.
    static let registry = Registry()

    /// A set of pids guarded by its lock.
    final class Registry: @unchecked Sendable {
        // @unchecked: `live` is only touched inside `withLock`.
        private let lock = NSLock()
        private var live: Set<pid_t> = []

        func withLock<T>(_ body: (inout Set<pid_t>) throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body(&live)
        }

        func contains(_ pid: pid_t) -> Bool { withLock { $0.contains(pid) } }
        func remove(_ pid: pid_t) { _ = withLock { $0.remove(pid) } }
    }

    // MARK: - Building blocks

    /// The trampoline used for resource limits, found once.
    static let prlimitPath: String? = ["/usr/bin/prlimit", "/bin/prlimit"].first { access($0, X_OK) == 0 }

    /// The argv that applies `limits` and then runs `executable arguments`.
    /// With `shellOnly`, the POSIX shell trampoline is used even where `prlimit` exists (tests).
    static func command(
        executable: String, arguments: [String], limits: ResourceLimits, shellOnly: Bool = false
    ) -> (path: String, argv: [String]) {
        if limits.isEmpty { return (executable, [executable] + arguments) }
        if !shellOnly, let prlimit = prlimitPath {
            var argv = [prlimit]
            if let cpu = limits.cpuSeconds { argv.append("--cpu=\(cpu)") }
            if let bytes = limits.addressSpaceBytes { argv.append("--as=\(bytes)") }
            if let files = limits.openFiles { argv.append("--nofile=\(files)") }
            return (prlimit, argv + ["--", executable] + arguments)
        }
        var script = ""
        if let cpu = limits.cpuSeconds { script += "ulimit -t \(cpu) && " }
        if let bytes = limits.addressSpaceBytes { script += "ulimit -v \(max(1, bytes / 1024)) && " }
        if let files = limits.openFiles { script += "ulimit -n \(files) && " }
        script += "exec \"$0\" \"$@\""
        return ("/bin/sh", ["/bin/sh", "-c", script, executable] + arguments)
    }

    /// POSIX_SPAWN_SETSID, which Swift's Glibc module does not export.
    static let spawnSetSid: Int32 = 0x80

    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    /// prctl(2) is variadic in C; its options take unsigned longs, called here with a fixed arity.
    typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32

    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let pipe2: Pipe2? = symbol("pipe2")
    /// pidfd_open(2) (glibc ≥ 2.36, Linux ≥ 5.3): a descriptor that polls readable when the process exits.
    static let pidfdOpen: PidfdOpen? = symbol("pidfd_open")
    static let prctl: Prctl? = symbol("prctl")

    private static func symbol<T>(_ name: String) -> T? {
        dlsym(nil, name).map { unsafeBitCast($0, to: T.self) }
    }

    /// A pipe whose two ends are close-on-exec.
    package static func makePipe() throws(SpawnError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw .system(call: "pipe2", code: errno) }
        } else {
            guard pipe(&fds) == 0 else { throw .system(call: "pipe", code: errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    /// Calls `body` with a NULL-terminated C array of `strings`, valid only inside `body`.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// A process started by `ProcessLauncher`: its pid, its process group, the parent's ends of its
/// pipes (the caller owns and closes them), and the one way to signal and reap it.
///
/// A signal is never sent once the process has been reaped (its pid may belong to someone else
/// by then); a group is signalled only while its leader is unreaped, since a zombie leader keeps
/// the group id from being reused.
public final class ChildProcess: @unchecked Sendable {
    // Sendable proof: `pid`, `processGroup` and the descriptors are immutable; `exited` and
    // `status` are read and written only with `lock` held. `exited` is set (under the lock) as
    // soon as the process is seen to have exited and before it is reaped, so a signal can never
    // reach a pid the kernel has handed to another process.
    /// The process id (a limited child's own pid: the trampoline `exec`s it).
    public let pid: pid_t
    /// The process group signalled together, when the child leads one (`ownGroup`, `ownSession`).
    public let processGroup: pid_t?
    /// The write end of the child's stdin (non-blocking), when it is a pipe.
    public let stdin: Int32?
    /// The read end of the child's stdout, when it is a pipe.
    public let stdout: Int32?
    /// The read end of the child's stderr, when it is a pipe.
    public let stderr: Int32?
    private let lock = NSLock()
    private var exited = false
    private var status: ExitStatus?

    init(pid: pid_t, processGroup: pid_t?, stdin: Int32?, stdout: Int32?, stderr: Int32?) {
        self.pid = pid
        self.processGroup = processGroup
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }

    /// How the process ended, once reaped.
    public var exitStatus: ExitStatus? { lock.withLock { status } }

    /// Sends `signal` to the process, unless it has exited.
    public func signal(_ signal: Int32) {
        lock.withLock {
            if !exited { _ = kill(pid, signal) }
        }
    }

    /// Sends `signal` to the process's whole group (the process alone when it leads none),
    /// unless the process has exited.
    public func signalGroup(_ signal: Int32) {
        lock.withLock {
            guard !exited else { return }
            if let processGroup {
                _ = kill(-processGroup, signal)
            } else {
                _ = kill(pid, signal)
            }
        }
    }

    /// True once the process has exited (it may still be an unreaped zombie).
    public var hasExited: Bool {
        if lock.withLock({ exited }) { return true }
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        guard (result == 0 && info.si_signo == SIGCHLD) || (result < 0 && errno == ECHILD) else { return false }
        lock.withLock { exited = true }
        return true
    }

    /// A descriptor that polls readable once the process has exited (a pidfd), or nil where the
    /// system has none; the caller closes it.
    public func exitDescriptor() -> Int32? {
        guard let open = ProcessLauncher.pidfdOpen else { return nil }
        let fd = open(pid, 0)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Waits for the process to exit and reaps it, blocking the calling thread; returns how it
    /// ended. Reaped once: later calls return the same status.
    @discardableResult
    public func waitForExit() -> ExitStatus {
        if let status = exitStatus { return status }
        awaitExit()
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 {
            if errno != EINTR { return record(.signalled(SIGKILL)) }
        }
        return record(ExitStatus(waitStatus: raw))
    }

    /// Reaps the process if it has exited; nil while it runs.
    public func poll() -> ExitStatus? {
        if let status = exitStatus { return status }
        return hasExited ? waitForExit() : nil
    }

    /// Ends the process's group and reaps it: the process is killed if it still runs; then every
    /// member left in the group gets SIGKILL (sent while the leader is a zombie, so the group id
    /// cannot have been reused); then every member that is our child — all of them when this
    /// process is a subreaper (`OrphanReaper.becomeSubreaper()`), else the leader alone — is
    /// reaped, until none is left or `grace` has passed. The leader is
    /// reaped in any case; what is left after that is the orphan reaper's. Members reaped
    /// here are never other children of ours: they are in this group.
    @discardableResult
    public func endGroupAndReap(within grace: Duration) -> ExitStatus {
        let deadline = Monotonic.now() + Monotonic.nanoseconds(grace)
        if let status = exitStatus { return status }
        guard let group = processGroup else {
            signal(SIGKILL)
            return waitForExit()
        }
        if !hasExited { _ = kill(-group, SIGKILL) }
        awaitExit()
        _ = kill(-group, SIGKILL)
        var leader: ExitStatus?
        while true {
            var raw: Int32 = 0
            let reaped = waitpid(-group, &raw, WNOHANG)
            if reaped == pid { leader = ExitStatus(waitStatus: raw) }
            if reaped > 0 { continue }
            if reaped < 0 && errno == EINTR { continue }
            if reaped < 0 { break }  // ECHILD: no child of ours is left in the group
            if Monotonic.now() >= deadline { break }
            usleep(1000)
        }
        if let leader { return record(leader) }
        return waitForExit()
    }

    /// Blocks until the process has exited, without reaping it.
    private func awaitExit() {
        if lock.withLock({ exited }) { return }
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        lock.withLock { exited = true }
    }

    private func record(_ status: ExitStatus) -> ExitStatus {
        lock.withLock {
            exited = true
            if self.status == nil { self.status = status }
            ProcessLauncher.registry.remove(pid)
            return self.status!
        }
    }
}

/// The subreaper's side of process hygiene: orphans of the program's descendants are reparented
/// to it, and this reaps them, so no zombie is left and no module's descendant outlives it.
public enum OrphanReaper {
    /// Makes this process the reaper of its descendants' orphans (Linux `PR_SET_CHILD_SUBREAPER`).
    /// Call it after any daemon this process starts on purpose (the private PostgreSQL) has been
    /// started, so that the daemon is not adopted. Returns false where the system refuses.
    @discardableResult
    public static func becomeSubreaper() -> Bool {
        guard let prctl = ProcessLauncher.prctl else { return false }
        return prctl(36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0, 0) == 0
    }

    /// What a sweep did.
    public struct Sweep: Sendable, Hashable {
        /// Adopted children that had exited and were reaped.
        public var reaped: Int
        /// Adopted children still running that were killed (a module's descendants).
        public var killed: Int
        /// Adopted children still running that are not a module's and were left alone.
        public var spared: Int
    }

    /// Reaps every adopted child that has exited and kills every adopted child that is still
    /// running and descends from a module (its environment carries `marker`); never touches a
    /// child the launcher started (its status belongs to whoever waits for it).
    @discardableResult
    public static func sweep(marker: String = "CLUSTER_REVIEW_PROTOCOL=") -> Sweep {
        var result = Sweep(reaped: 0, killed: 0, spared: 0)
        for child in children() {
            ProcessLauncher.registry.withLock { live in
                guard !live.contains(child) else { return }
                var raw: Int32 = 0
                if waitpid(child, &raw, WNOHANG) == child {
                    result.reaped += 1
                } else if isModuleDescendant(child, marker: marker) {
                    _ = kill(child, SIGKILL)
                    result.killed += 1
                } else {
                    result.spared += 1
                }
            }
        }
        return result
    }

    /// The pids whose parent is this process.
    public static func children() -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var pids: Set<pid_t> = []
        var readable = false
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8) else { continue }
            readable = true
            for field in text.split(separator: " ") { if let pid = pid_t(field) { pids.insert(pid) } }
        }
        if readable { return pids.sorted() }
        // Kernels without CONFIG_PROC_CHILDREN: scan every process's parent.
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { ProcessTable.parent(of: $0) == me }
    }

    static func isModuleDescendant(_ pid: pid_t, marker: String) -> Bool {
        guard let environment = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")) else { return false }
        let prefix = Data(marker.utf8)
        return environment.split(separator: 0).contains { $0.starts(with: prefix) }
    }
}

/// Reading /proc/PID/stat.
public enum ProcessTable {
    /// The fields after the command name: state, ppid, pgrp, session …; nil when the process is gone.
    static func fields(of pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// The parent of `pid`.
    public static func parent(of pid: pid_t) -> pid_t? {
        fields(of: pid).flatMap { $0.count > 1 ? pid_t($0[1]) : nil }
    }

    /// The state letter of `pid` (`R`, `S`, `Z` …).
    public static func state(of pid: pid_t) -> Character? {
        fields(of: pid)?.first?.first
    }

    /// The process group of `pid`.
    public static func group(of pid: pid_t) -> pid_t? {
        fields(of: pid).flatMap { $0.count > 2 ? pid_t($0[2]) : nil }
    }
}

/// Monotonic nanoseconds, for deadlines.
package enum Monotonic {
    package static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    package static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
