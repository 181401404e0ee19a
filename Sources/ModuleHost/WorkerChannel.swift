#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit
import ChildProcesses

/// What waiting for one line from a worker produced.
enum ChannelReply: Sendable, Equatable {
    /// A complete line (without its newline).
    case line(Data)
    /// The deadline passed first; the process is still running.
    case timedOut
    /// The worker wrote a line longer than the limit; it has been killed.
    case lineTooLong(limit: Int)
    /// stdout reached EOF and the process has been reaped with this status.
    case ended(ExitStatus)
}

/// Settings of one channel.
struct ChannelSettings: Sendable {
    /// Longest stdout line accepted; longer kills the worker.
    var maxLineBytes: Int
    /// Longest stderr line logged; longer lines are cut.
    var stderrLineBytes: Int
    /// How many stderr lines are kept for error reports.
    var stderrTailLines: Int
    /// How long an exiting process may take after its stdout closed before it is killed.
    var reapGrace: Duration
    /// Tests only: runs on the I/O thread once stdout has closed, before the process is reaped
    /// and its end reported, with the pid; a test holds the thread there to keep a dead worker's
    /// end unnoticed.
    var beforeReap: (@Sendable (pid_t) -> Void)? = nil
}

/// The coordinator's end of one worker process: a dedicated I/O thread that owns the child's
/// pipes, writes requests, splits stdout into lines within the limit, logs stderr, enforces
/// deadlines, and finally ends the process's group and reaps it.
///
/// One thread per worker, blocking in `poll(2)` on stdout, stderr, stdin (while a request is
/// being written), the process's exit descriptor (a pidfd) and a wake pipe; reads are 64 KiB at
/// a time and split with `memchr`. Nothing here blocks a Swift concurrency thread: callers suspend
/// on a continuation the I/O thread resumes. The loop ends when stdout closes, or shortly after the
/// process has exited even if a descendant still holds stdout open (that descendant is killed
/// with the rest of the group): it never waits for an EOF that may not come. Every process is
/// reaped by this thread, exactly once, with every member of its group that is the coordinator's
/// child, so no zombie is left.
final class WorkerChannel: @unchecked Sendable {
    // Sendable proof: `pid`, `settings`, `process`, `exitFD`, `wakeWrite`, `onStderrLine` and
    // `onEnd` are immutable; every `var` below marked "guarded by lock" is read and written only
    // with `lock` held; the framers, buffers and the stages are locals of the I/O thread. Signals
    // go through `process`, which never signals a process that has exited.
    let pid: pid_t
    let settings: ChannelSettings
    private let process: ChildProcess
    private let stdinPipe: Int32
    private let stdoutPipe: Int32
    private let stderrPipe: Int32
    /// Polls readable when the process exits; nil where the system has no pidfd (then the loop
    /// looks at the process every `exitCheckInterval`).
    private let exitFD: Int32?
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let onStderrLine: @Sendable (String) -> Void
    private let onEnd: @Sendable (ExitStatus, String?) -> Void

    private struct Job {
        var continuation: CheckedContinuation<ChannelReply, Never>
        var deadline: UInt64
    }

    private struct StopRequest {
        var graceful: Bool
        var grace: UInt64
    }

    /// Where a stop stands: the stages of "shutdown, grace, SIGTERM, grace, SIGKILL".
    enum StopStage: Equatable {
        /// No stop asked for.
        case running
        /// `shutdown` written and stdin closed; the group gets SIGTERM at `until`.
        case askedToExit(until: UInt64)
        /// SIGTERM sent to the group; it gets SIGKILL at `until`.
        case terminated(until: UInt64)
        /// SIGKILL sent to the group.
        case killed

        /// When the next step is due; `UInt64.max` when none is.
        var deadline: UInt64 {
            switch self {
            case .askedToExit(let until), .terminated(let until): until
            case .running, .killed: .max
            }
        }
    }

    /// How the process's exit is being dealt with.
    enum ExitStage: Equatable {
        /// The process runs (as far as is known).
        case alive
        /// The process has exited; its output is read until EOF or `until`.
        case draining(until: UInt64)
        /// The process has exited and its stdout stayed open past the drain: a descendant holds
        /// it. The group has been killed; the loop ends at EOF or `until`.
        case killingDescendants(until: UInt64)
    }

    private let lock = NSLock()
    /// The caller waiting for a line. Guarded by lock.
    private var job: Job?
    /// Bytes still to write to the child's stdin. Guarded by lock.
    private var pendingWrite = Data()
    /// Set once a stop was asked for. Guarded by lock.
    private var stopRequest: StopRequest?
    /// Why the thread killed the worker on its own (unsolicited output, overlong line). Guarded by lock.
    private var killReason: String?
    /// The final status, once reaped. Guarded by lock.
    private var status: ExitStatus?
    /// Callers of `waitForEnd`. Guarded by lock.
    private var endWaiters: [CheckedContinuation<ExitStatus, Never>] = []
    /// The last stderr lines, oldest first. Guarded by lock.
    private var tail: [String] = []
    /// The first line (the handshake), when it arrived before anyone asked for it. Guarded by lock.
    private var earlyLine: Data?
    /// True until the first stdout line has arrived. Guarded by lock.
    private var awaitingFirstLine = true
    /// When the I/O thread's current `poll` times out at the latest. Guarded by lock.
    private var pollingUntil: UInt64 = 0
    /// True when, after the process exited, a descendant kept its stdout open. Guarded by lock.
    private var descendantHeldOutput = false
    /// The longest the I/O thread polls without looking at the job's deadline again (1 s): a
    /// request whose deadline is later needs no wake-up, which saves a thread switch per request.
    private static let pollHorizon: UInt64 = 1_000_000_000
    /// How long output is read after the process exited before a descendant holding stdout is
    /// assumed and the group killed (200 ms).
    static let exitDrain: UInt64 = 200_000_000
    /// Without a pidfd, how often a running process is looked at (250 ms).
    static let exitCheckInterval: UInt64 = 250_000_000
    /// The most stderr lines of one worker logged per second.
    static let stderrLinesPerSecond = 200
    /// True once the I/O thread has closed the pipes and the wake pipe. Guarded by lock.
    private var descriptorsClosed = false
    /// The write end of the child's stdin, -1 once closed. Guarded by lock.
    private var stdinFD: Int32

    /// Takes ownership of `process`'s pipes (all three must be pipes) and starts the I/O thread.
    init(
        process: ChildProcess, settings: ChannelSettings,
        onStderrLine: @escaping @Sendable (String) -> Void,
        onEnd: @escaping @Sendable (ExitStatus, String?) -> Void
    ) throws(SpawnError) {
        guard let input = process.stdin, let output = process.stdout, let errors = process.stderr else {
            preconditionFailure("a worker channel needs stdin, stdout and stderr on pipes")
        }
        self.process = process
        self.pid = process.pid
        self.settings = settings
        self.onStderrLine = onStderrLine
        self.onEnd = onEnd
        self.stdinPipe = input
        self.stdoutPipe = output
        self.stderrPipe = errors
        self.stdinFD = input
        let wake: (read: Int32, write: Int32)
        do {
            wake = try ProcessLauncher.makePipe()
        } catch {
            process.endGroupAndReap(within: .seconds(1))
            [input, output, errors].forEach { close($0) }
            throw error
        }
        wakeRead = wake.read
        wakeWrite = wake.write
        exitFD = process.exitDescriptor()
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        let thread = Thread { [self] in self.run() }
        thread.name = "worker-\(process.pid)"
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Writes `line` (newline included; nil: write nothing) and waits for the next stdout line,
    /// at most `timeout`.
    ///
    /// One call at a time; the pool's checkout guarantees it.
    func exchange(_ line: Data?, timeout: Duration) async -> ChannelReply {
        let deadline = Monotonic.now() + Monotonic.nanoseconds(timeout)
        return await withCheckedContinuation { continuation in
            lock.lock()
            if let early = earlyLine {
                earlyLine = nil
                lock.unlock()
                continuation.resume(returning: .line(early))
                return
            }
            if let status {
                lock.unlock()
                continuation.resume(returning: .ended(status))
                return
            }
            precondition(job == nil, "one request in flight per worker")
            job = Job(continuation: continuation, deadline: deadline)
            if let line {
                // Usually nothing is pending: take the line's buffer as it is rather than copy it.
                if pendingWrite.isEmpty { pendingWrite = line } else { pendingWrite.append(line) }
                flushLocked()
            }
            // The I/O thread is polling stdout already; it needs waking only to write the rest
            // of the line or to honour a deadline earlier than the end of its current poll.
            let needsWake = !pendingWrite.isEmpty || deadline < pollingUntil
            lock.unlock()
            if needsWake { wake() }
        }
    }

    /// Closes the child's stdin: a module exits on EOF, as when the coordinator dies.
    func closeInput() {
        lock.withLock {
            if stdinFD >= 0 { close(stdinFD) }
            stdinFD = -1
            pendingWrite = Data()
        }
    }

    /// Sends SIGKILL to the process's group now, unless the process has already exited; does not wait.
    func kill(reason: String? = nil) {
        signal(SIGKILL, reason: reason)
    }

    /// Stops the process and waits until it is reaped: with `graceful`, writes `shutdown`, waits
    /// `grace`, sends SIGTERM to the group, waits `grace` again, then SIGKILL; otherwise SIGKILL
    /// at once.
    @discardableResult
    func stop(graceful: Bool, grace: Duration) async -> ExitStatus {
        lock.withLock {
            if stopRequest == nil {
                stopRequest = StopRequest(graceful: graceful, grace: Monotonic.nanoseconds(grace))
            }
        }
        wake()
        return await waitForEnd()
    }

    /// Waits until the process has been reaped and returns its status.
    func waitForEnd() async -> ExitStatus {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let status {
                lock.unlock()
                continuation.resume(returning: status)
            } else {
                endWaiters.append(continuation)
                lock.unlock()
            }
        }
    }

    /// The last stderr lines (at most `settings.stderrTailLines`), oldest first.
    var stderrTail: [String] {
        lock.withLock { tail }
    }

    /// True once the process has exited, reaped or not: its end may not have been reported yet.
    var hasExited: Bool {
        if lock.withLock({ status != nil }) { return true }
        return process.hasExited
    }

    /// The status, once the process has been reaped.
    var exitStatus: ExitStatus? {
        lock.withLock { status }
    }

    /// True when, after the process exited, a descendant of it kept its stdout open (and was
    /// killed with the group): a module that leaves processes behind.
    var descendantsHeldOutput: Bool {
        lock.withLock { descendantHeldOutput }
    }

    // MARK: - I/O thread

    private func signal(_ signal: Int32, reason: String?) {
        lock.withLock {
            if let reason, killReason == nil { killReason = reason }
        }
        process.signalGroup(signal)
    }

    /// Wakes the I/O thread; a no-op once it has closed its descriptors (the descriptor number
    /// may belong to someone else by then).
    private func wake() {
        lock.lock()
        defer { lock.unlock() }
        guard !descriptorsClosed else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Writes as much of `pendingWrite` as the pipe takes now. Lock held.
    private func flushLocked() {
        while !pendingWrite.isEmpty {
            guard stdinFD >= 0 else {
                pendingWrite = Data()
                return
            }
            let written = pendingWrite.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if written > 0 {
                if written == pendingWrite.count {
                    pendingWrite = Data()
                } else {
                    pendingWrite.removeFirst(written)
                }
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                if written < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                    // EPIPE: the child closed its stdin; it will exit, and its exit tells us.
                    pendingWrite = Data()
                }
                return
            }
        }
    }

    private func takeJob() -> Job? {
        lock.withLock {
            let taken = job
            job = nil
            return taken
        }
    }

    private func run() {
        let capacity = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var stdoutFramer = LineFramer(maxLineBytes: settings.maxLineBytes)
        var stderrFramer = LineFramer(maxLineBytes: settings.stderrLineBytes, overflow: .truncate)
        var stdoutOpen = true
        var stderrOpen = true
        var stdoutBroken = false
        var stopStage = StopStage.running
        var stopGrace: UInt64 = 0
        var exitStage = ExitStage.alive
        var nextExitCheck = Monotonic.now() + Self.exitCheckInterval

        // At most `stderrLinesPerSecond` lines a second reach the log; the rest are counted and
        // reported in one line, so a module flooding stderr cannot flood the coordinator's log.
        var logWindowStart = Monotonic.now()
        var loggedInWindow = 0
        var suppressed = 0
        func handleStderr(_ count: Int) {
            try? stderrFramer.feed(UnsafeRawBufferPointer(start: buffer, count: count)) { line in
                let text = String(decoding: line, as: UTF8.self)
                lock.withLock {
                    tail.append(text)
                    if tail.count > settings.stderrTailLines { tail.removeFirst(tail.count - settings.stderrTailLines) }
                }
                let now = Monotonic.now()
                if now - logWindowStart >= 1_000_000_000 {
                    if suppressed > 0 { onStderrLine("[\(suppressed) more stderr lines not logged]") }
                    logWindowStart = now
                    loggedInWindow = 0
                    suppressed = 0
                }
                if loggedInWindow < Self.stderrLinesPerSecond {
                    loggedInWindow += 1
                    onStderrLine(text)
                } else {
                    suppressed += 1
                }
            }
        }

        func readStderr() {
            let count = read(stderrPipe, buffer, capacity)
            if count > 0 {
                handleStderr(count)
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                stderrOpen = false
            }
        }

        func processExited(at now: UInt64) {
            guard exitStage == .alive else { return }
            exitStage = .draining(until: now + Self.exitDrain)
        }

        while stdoutOpen {
            let now = Monotonic.now()
            // The process has exited and its output has had its time: whoever still holds stdout
            // is a descendant; kill the group and, after one more short drain, stop reading.
            if case .draining(let until) = exitStage, now >= until {
                lock.withLock { descendantHeldOutput = true }
                process.endGroupAndReap(within: settings.reapGrace)
                exitStage = .killingDescendants(until: now + Self.exitDrain)
            }
            if case .killingDescendants(let until) = exitStage, now >= until { break }

            let horizon = now + Self.pollHorizon
            lock.lock()
            let writing = !pendingWrite.isEmpty && stdinFD >= 0
            let input = stdinFD
            let jobDeadline = min(job?.deadline ?? UInt64.max, horizon)
            pollingUntil = jobDeadline
            let stop = stopRequest
            lock.unlock()

            if let stop, stopStage == .running {
                stopGrace = stop.grace
                if stop.graceful {
                    lock.lock()
                    pendingWrite.append(ShutdownMessage.line)
                    flushLocked()
                    let flushed = pendingWrite.isEmpty
                    lock.unlock()
                    // EOF on stdin also tells the module to exit, should it ignore `shutdown`.
                    if flushed { closeInput() }
                    stopStage = .askedToExit(until: Monotonic.now() + stopGrace)
                } else {
                    signal(SIGKILL, reason: nil)
                    stopStage = .killed
                }
            }

            let watchingExit = exitStage == .alive
            var fds = [
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stdoutPipe, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stderrOpen ? stderrPipe : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: writing ? input : -1, events: Int16(POLLOUT), revents: 0),
                pollfd(fd: watchingExit ? (exitFD ?? -1) : -1, events: Int16(POLLIN), revents: 0),
            ]
            var deadline = min(jobDeadline, stopStage.deadline)
            switch exitStage {
            case .alive: if exitFD == nil { deadline = min(deadline, nextExitCheck) }
            case .draining(let until), .killingDescendants(let until): deadline = min(deadline, until)
            }
            var timeout: Int32 = -1
            if deadline != UInt64.max {
                let now = Monotonic.now()
                timeout = deadline <= now ? 0 : Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }

            if fds[0].revents != 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &sink, sink.count) > 0 {}
            }
            if fds[2].revents != 0 { readStderr() }
            if fds[1].revents != 0 {
                let count = read(stdoutPipe, buffer, capacity)
                if count == 0 {
                    stdoutOpen = false
                } else if count < 0 {
                    if errno != EINTR && errno != EAGAIN { stdoutOpen = false }
                } else if !stdoutBroken {
                    do {
                        try stdoutFramer.feed(UnsafeRawBufferPointer(start: buffer, count: count)) { line in
                            lock.lock()
                            let first = awaitingFirstLine
                            awaitingFirstLine = false
                            let waiting = job
                            job = nil
                            if waiting == nil && first { earlyLine = line }
                            lock.unlock()
                            if let waiting {
                                waiting.continuation.resume(returning: .line(line))
                            } else if !first {
                                stdoutBroken = true
                                let preview = String(decoding: line.prefix(200), as: UTF8.self)
                                signal(SIGKILL, reason: "the module wrote a line no request asked for: \(preview)")
                            }
                        }
                    } catch {
                        stdoutBroken = true
                        signal(SIGKILL, reason: "the module wrote a line longer than \(settings.maxLineBytes) bytes")
                        takeJob()?.continuation.resume(returning: .lineTooLong(limit: settings.maxLineBytes))
                    }
                }
            }
            if fds[3].revents != 0 {
                lock.lock()
                if fds[3].revents & Int16(POLLERR | POLLHUP) != 0 { pendingWrite = Data() } else { flushLocked() }
                lock.unlock()
            }

            let after = Monotonic.now()
            if fds[4].revents != 0 {
                processExited(at: after)
            } else if exitFD == nil, exitStage == .alive, after >= nextExitCheck {
                nextExitCheck = after + Self.exitCheckInterval
                if process.hasExited { processExited(at: after) }
            }
            if jobDeadline <= after {
                let expired: Job? = lock.withLock {
                    guard let current = job, current.deadline <= after else { return nil }
                    job = nil
                    return current
                }
                expired?.continuation.resume(returning: .timedOut)
            }
            if stopStage.deadline <= after {
                if case .askedToExit = stopStage {
                    signal(SIGTERM, reason: nil)
                    stopStage = .terminated(until: after + stopGrace)
                } else {
                    signal(SIGKILL, reason: nil)
                    stopStage = .killed
                }
            }
        }

        settings.beforeReap?(pid)
        // stdout is closed (or held by a killed descendant): collect what is left on stderr (a
        // crash message), briefly.
        let drainUntil = Monotonic.now() + 100_000_000
        while stderrOpen {
            let now = Monotonic.now()
            if now >= drainUntil { break }
            var fd = pollfd(fd: stderrPipe, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, Int32((drainUntil - now) / 1_000_000) + 1) <= 0 { break }
            readStderr()
        }
        if suppressed > 0 { onStderrLine("[\(suppressed) more stderr lines not logged]") }
        let final = reap()
        closeInput()
        lock.withLock {
            descriptorsClosed = true
            [stdoutPipe, stderrPipe, wakeRead, wakeWrite].forEach { close($0) }
            if let exitFD { close(exitFD) }
        }

        lock.lock()
        status = final
        let waiting = job
        job = nil
        let waiters = endWaiters
        endWaiters = []
        let reason = killReason
        lock.unlock()
        waiting?.continuation.resume(returning: .ended(final))
        waiters.forEach { $0.resume(returning: final) }
        onEnd(final, reason)
    }

    /// Waits for the process to exit on its own (at most `reapGrace`), then ends its group and
    /// reaps it: whatever of the group still runs is killed, so the module's descendants die with it.
    private func reap() -> ExitStatus {
        let deadline = Monotonic.now() + Monotonic.nanoseconds(settings.reapGrace)
        while !process.hasExited {
            let now = Monotonic.now()
            if now >= deadline { break }
            if let exitFD {
                var fd = pollfd(fd: exitFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&fd, 1, Int32(min(UInt64(100), (deadline - now) / 1_000_000 + 1)))
            } else {
                usleep(2000)
            }
        }
        return process.endGroupAndReap(within: settings.reapGrace)
    }
}
