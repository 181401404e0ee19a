import Foundation
import IndicatorKit
import ChildProcesses

/// One long-lived module process in a pool: its pid, its channel, and when it is due for recycling.
///
/// Immutable; its life (`WorkerPool.WorkerState`: starting → idle ⇄ busy → ending) is tracked
/// by the pool that owns it, and the process's end by its channel.
final class Worker: Sendable {
    /// The pool's serial number for this worker, unique within the pool.
    let serial: Int
    /// The process id (the module itself, also when started through the rlimit trampoline).
    let pid: Int32
    /// The coordinator's end of the pipes.
    let channel: WorkerChannel
    /// Requests after which the worker is replaced; nil never.
    let recycleAfter: Int?

    private init(serial: Int, channel: WorkerChannel, recycleAfter: Int?) {
        self.serial = serial
        self.pid = channel.pid
        self.channel = channel
        self.recycleAfter = recycleAfter
    }

    /// The environment every worker starts with, before the configured extras: `LANG` and the
    /// protocol versions offered, and nothing of the coordinator's (no `PATH`, no credentials).
    static func baseEnvironment() -> [String: String] {
        [
            "LANG": "C.UTF-8",
            ModuleProtocol.environmentVariable: ModuleProtocol.supportedVersions.map(String.init).joined(separator: ","),
        ]
    }

    /// How a module process is started: its pipes, a clean environment (the base plus `extra`;
    /// without the protocol variable when `offerProtocol` is false, as when a person starts it by
    /// hand), its resource limits and a process group of its own, so that it and its descendants
    /// are signalled and reaped together.
    static func launchOptions(
        executable: String, arguments: [String], environment extra: [String: String], limits: ResourceLimits,
        offerProtocol: Bool = true, shellTrampoline: Bool = false
    ) -> LaunchOptions {
        var environment = extra
        for (key, value) in baseEnvironment() { environment[key] = value }
        if !offerProtocol { environment[ModuleProtocol.environmentVariable] = nil }
        return LaunchOptions(
            executable: executable, arguments: arguments, environment: environment, stdin: .pipe, stdout: .pipe, stderr: .pipe,
            limits: limits, grouping: .ownGroup, shellTrampoline: shellTrampoline)
    }

    /// Starts the module process described by `configuration`, logging its stderr with the
    /// module and pid; `onEnd` runs on the worker's I/O thread once the process has been reaped.
    static func launch(
        serial: Int, configuration: WorkerPoolConfiguration, logger: Logger,
        beforeReap: (@Sendable (pid_t) -> Void)? = nil,
        onEnd: @escaping @Sendable (Int, ExitStatus, String?) -> Void
    ) throws(SpawnError) -> Worker {
        let process = try ProcessLauncher.launch(launchOptions(
            executable: configuration.executable, arguments: configuration.arguments,
            environment: configuration.environment, limits: configuration.limits))
        let pid = process.pid
        let settings = ChannelSettings(
            maxLineBytes: configuration.maxLineBytes, stderrLineBytes: configuration.stderrLineBytes,
            stderrTailLines: configuration.stderrTailLines, reapGrace: configuration.shutdownGrace, beforeReap: beforeReap)
        let channel = try WorkerChannel(
            process: process, settings: settings,
            onStderrLine: { line in
                logger.info("module_stderr", ["pid": .number(Decimal(Int(pid))), "line": .string(line)])
            },
            onEnd: { status, reason in onEnd(serial, status, reason) })
        var recycleAfter = configuration.recycleAfter
        if let every = recycleAfter, every > 0 {
            let spread = Int(Double(every) * max(0, configuration.recycleJitter))
            recycleAfter = every + (spread > 0 ? Int.random(in: 0...spread) : 0)
        }
        return Worker(serial: serial, channel: channel, recycleAfter: recycleAfter)
    }
}
