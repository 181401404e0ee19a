#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit

/// How a child process ended; `exited` and `signalled` are kept apart.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it (SIGKILL 9, SIGSEGV 11, SIGABRT 6 …).
    case signalled(Int32)

    init(waitStatus status: Int32) {
        if status & 0x7F == 0 {
            self = .exited((status >> 8) & 0xFF)
        } else {
            self = .signalled(status & 0x7F)
        }
    }

    /// One line for a person.
    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signalled(let signal): "killed by signal \(signal) (\(ExitStatus.signalName(signal)))"
        }
    }

    static func signalName(_ signal: Int32) -> String {
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

/// The resource limits a worker process runs under; nil members are left as inherited.
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

/// A started child process: its pid and the parent's ends of its three pipes.
///
/// The parent's descriptors are close-on-exec; stdin's is non-blocking.
struct SpawnedProcess: Sendable {
    var pid: pid_t
    /// Write end of the child's stdin.
    var stdin: Int32
    /// Read end of the child's stdout.
    var stdout: Int32
    /// Read end of the child's stderr.
    var stderr: Int32
}

/// Starts worker processes: posix_spawn with a clean environment, only fds 0–2 open in the child,
/// default signal dispositions and mask, and resource limits.
///
/// Why this shape:
/// - `fork` in a multithreaded process may only call async-signal-safe functions before `exec`,
///   which rules out Swift code there; `posix_spawn` (vfork/clone inside glibc) does not have
///   that hazard and does not copy the coordinator's memory.
/// - posix_spawn cannot set rlimits, and setting them on the coordinator around the spawn would
///   race with every other thread. So the child is started through a trampoline that sets the
///   limits on itself and then `exec`s the module, keeping the pid: util-linux `prlimit` when
///   installed (exact byte limits), otherwise `/bin/sh -c 'ulimit …; exec "$0" "$@"'` (POSIX).
///   The limits are therefore in force before the first instruction of the module runs.
/// - Descriptors: every descriptor this type creates is `O_CLOEXEC`; in addition the child's
///   file actions close every descriptor from 3 up (`posix_spawn_file_actions_addclosefrom_np`,
///   glibc ≥ 2.34, looked up at run time because Swift's Glibc module does not export it), so
///   descriptors the rest of the process opened without CLOEXEC do not leak either.
enum Subprocess {
    /// The environment every worker starts with, before the configured extras.
    static func baseEnvironment() -> [String: String] {
        [
            "LANG": "C.UTF-8",
            PluginProtocol.environmentVariable: PluginProtocol.supportedVersions.map(String.init).joined(separator: ","),
        ]
    }

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

    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
    static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    /// A pipe whose two ends are close-on-exec.
    static func makePipe() throws(SpawnError) -> (read: Int32, write: Int32) {
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

    /// Starts `executable` with `arguments`, the base environment plus `environment`, and `limits`.
    /// With `offerProtocol` false the protocol variable is left out, as when a person starts
    /// the module by hand (used by the conformance check).
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], limits: ResourceLimits,
        offerProtocol: Bool = true, shellTrampoline: Bool = false
    ) throws(SpawnError) -> SpawnedProcess {
        guard access(executable, X_OK) == 0 else { throw .notExecutable(path: executable) }
        let input = try makePipe()
        let output: (read: Int32, write: Int32)
        let errors: (read: Int32, write: Int32)
        do {
            output = try makePipe()
        } catch {
            close(input.read); close(input.write)
            throw error
        }
        do {
            errors = try makePipe()
        } catch {
            close(input.read); close(input.write); close(output.read); close(output.write)
            throw error
        }
        let childEnds = [input.read, output.write, errors.write]
        let parentEnds = [input.write, output.read, errors.read]
        defer { childEnds.forEach { close($0) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var environment = environment
        for (key, value) in baseEnvironment() { environment[key] = value }
        if !offerProtocol { environment[PluginProtocol.environmentVariable] = nil }
        let (path, argv) = command(executable: executable, arguments: arguments, limits: limits, shellOnly: shellTrampoline)
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }

        var pid: pid_t = 0
        let result = withCStrings(argv) { argvPointer in
            withCStrings(envp) { envPointer in
                posix_spawn(&pid, path, &actions, &attributes, argvPointer, envPointer)
            }
        }
        guard result == 0 else {
            parentEnds.forEach { close($0) }
            throw .system(call: "posix_spawn \(path)", code: result)
        }
        let flags = fcntl(input.write, F_GETFL)
        _ = fcntl(input.write, F_SETFL, flags | O_NONBLOCK)
        return SpawnedProcess(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read)
    }

    /// Calls `body` with a NULL-terminated C array of `strings`, valid only inside `body`.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
