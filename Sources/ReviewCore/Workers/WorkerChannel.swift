#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit

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

/// Monotonic nanoseconds, for deadlines.
enum Monotonic {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
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
}

/// The coordinator's end of one worker process: a dedicated I/O thread that owns the child's
/// pipes, writes requests, splits stdout into lines within the limit, logs stderr, enforces
/// deadlines, and finally reaps the process.
///
/// One thread per worker, blocking in `poll(2)` on stdout, stderr, stdin (while a request is
/// being written) and a wake pipe; reads are 64 KiB at a time and split with `memchr`. Nothing
/// here blocks a Swift concurrency thread: callers suspend on a continuation the I/O thread
/// resumes. Every process is reaped by this thread, exactly once, so no zombie is left.
final class WorkerChannel: @unchecked Sendable {
    // Sendable proof: `pid`, `settings`, `process`, `wakeWrite`, `onStderrLine` and `onEnd` are
    // immutable; every `var` below marked "guarded by lock" is read and written only with `lock`
    // held; the framers and buffers are locals of the I/O thread. `kill` checks `exitObserved`
    // under the lock, and the I/O thread sets it under the lock *before* reaping, so a signal can
    // never reach a recycled pid.
    let pid: pid_t
    let settings: ChannelSettings
    private let process: SpawnedProcess
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

    private let lock = NSLock()
    /// The caller waiting for a line. Guarded by lock.
    private var job: Job?
    /// Bytes still to write to the child's stdin. Guarded by lock.
    private var pendingWrite = Data()
    /// Set once a stop was asked for. Guarded by lock.
    private var stopRequest: StopRequest?
    /// Why the thread killed the worker on its own (unsolicited output, overlong line). Guarded by lock.
    private var killReason: String?
    /// True once the process is known to have exited; no signal is sent after. Guarded by lock.
    private var exitObserved = false
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
    /// The longest the I/O thread polls without looking at the job's deadline again (1 s): a
    /// request whose deadline is later needs no wake-up, which saves a thread switch per request.
    private static let pollHorizon: UInt64 = 1_000_000_000
    /// The most stderr lines of one worker logged per second.
    static let stderrLinesPerSecond = 200
    /// True once the I/O thread has closed the pipes and the wake pipe. Guarded by lock.
    private var descriptorsClosed = false
    /// The write end of the child's stdin, -1 once closed. Guarded by lock.
    private var stdinFD: Int32

    /// Takes ownership of `process`'s descriptors and starts the I/O thread.
    init(
        process: SpawnedProcess, settings: ChannelSettings,
        onStderrLine: @escaping @Sendable (String) -> Void,
        onEnd: @escaping @Sendable (ExitStatus, String?) -> Void
    ) throws(SpawnError) {
        self.process = process
        self.pid = process.pid
        self.settings = settings
        self.onStderrLine = onStderrLine
        self.onEnd = onEnd
        self.stdinFD = process.stdin
        let wake: (read: Int32, write: Int32)
        do {
            wake = try Subprocess.makePipe()
        } catch {
            Glibc.kill(process.pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(process.pid, &status, 0) < 0 && errno == EINTR {}
            [process.stdin, process.stdout, process.stderr].forEach { close($0) }
            throw error
        }
        wakeRead = wake.read
        wakeWrite = wake.write
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
                pendingWrite.append(line)
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

    /// Sends SIGKILL now, unless the process has already exited; does not wait.
    func kill(reason: String? = nil) {
        signal(SIGKILL, reason: reason)
    }

    /// Stops the process and waits until it is reaped: with `graceful`, writes `shutdown`, waits
    /// `grace`, sends SIGTERM, waits `grace` again, then SIGKILL; otherwise SIGKILL at once.
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
        lock.lock()
        defer { lock.unlock() }
        return tail
    }

    /// The status, once the process has been reaped.
    var exitStatus: ExitStatus? {
        lock.lock()
        defer { lock.unlock() }
        return status
    }

    // MARK: - I/O thread

    private func signal(_ signal: Int32, reason: String?) {
        lock.lock()
        if let reason, killReason == nil { killReason = reason }
        if !exitObserved { _ = Glibc.kill(pid, signal) }
        lock.unlock()
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
                pendingWrite.removeFirst(written)
                if pendingWrite.isEmpty { pendingWrite = Data() }
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                if written < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                    // EPIPE: the child closed its stdin; it will exit, and stdout EOF tells us.
                    pendingWrite = Data()
                }
                return
            }
        }
    }

    private func takeJob() -> Job? {
        lock.lock()
        defer { lock.unlock() }
        let taken = job
        job = nil
        return taken
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
        var stopStage = -1
        var stopDeadline = UInt64.max
        var stopGrace: UInt64 = 0

        // At most `stderrLinesPerSecond` lines a second reach the log; the rest are counted and
        // reported in one line, so a module flooding stderr cannot flood the coordinator's log.
        var logWindowStart = Monotonic.now()
        var loggedInWindow = 0
        var suppressed = 0
        func handleStderr(_ count: Int) {
            try? stderrFramer.feed(UnsafeRawBufferPointer(start: buffer, count: count)) { line in
                let text = String(decoding: line, as: UTF8.self)
                lock.lock()
                tail.append(text)
                if tail.count > settings.stderrTailLines { tail.removeFirst(tail.count - settings.stderrTailLines) }
                lock.unlock()
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
            let count = read(process.stderr, buffer, capacity)
            if count > 0 {
                handleStderr(count)
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                stderrOpen = false
            }
        }

        while stdoutOpen {
            let horizon = Monotonic.now() + Self.pollHorizon
            lock.lock()
            let writing = !pendingWrite.isEmpty && stdinFD >= 0
            let input = stdinFD
            let jobDeadline = min(job?.deadline ?? UInt64.max, horizon)
            pollingUntil = jobDeadline
            let stop = stopRequest
            lock.unlock()

            if let stop, stopStage < 0 {
                stopGrace = stop.grace
                if stop.graceful {
                    lock.lock()
                    pendingWrite.append(ShutdownMessage.line)
                    flushLocked()
                    let flushed = pendingWrite.isEmpty
                    lock.unlock()
                    // EOF on stdin also tells the module to exit, should it ignore `shutdown`.
                    if flushed { closeInput() }
                    stopStage = 0
                } else {
                    signal(SIGKILL, reason: nil)
                    stopStage = 2
                }
                stopDeadline = stopStage == 2 ? UInt64.max : Monotonic.now() + stopGrace
            }

            var fds = [
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stdoutOpen ? process.stdout : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stderrOpen ? process.stderr : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: writing ? input : -1, events: Int16(POLLOUT), revents: 0),
            ]
            let deadline = min(jobDeadline, stopDeadline)
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
                let count = read(process.stdout, buffer, capacity)
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

            let now = Monotonic.now()
            if jobDeadline <= now {
                lock.lock()
                let expired = job.flatMap { $0.deadline <= now ? $0 : nil }
                if expired != nil { job = nil }
                lock.unlock()
                expired?.continuation.resume(returning: .timedOut)
            }
            if stopDeadline <= now {
                if stopStage == 0 {
                    signal(SIGTERM, reason: nil)
                    stopStage = 1
                    stopDeadline = now + stopGrace
                } else {
                    signal(SIGKILL, reason: nil)
                    stopStage = 2
                    stopDeadline = UInt64.max
                }
            }
        }

        // stdout is closed: collect what is left on stderr (a crash message), briefly.
        let drainUntil = Monotonic.now() + 100_000_000
        while stderrOpen {
            let now = Monotonic.now()
            if now >= drainUntil { break }
            var fd = pollfd(fd: process.stderr, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, Int32((drainUntil - now) / 1_000_000) + 1) <= 0 { break }
            readStderr()
        }
        if suppressed > 0 { onStderrLine("[\(suppressed) more stderr lines not logged]") }
        let final = reap()
        closeInput()
        lock.withLock {
            descriptorsClosed = true
            [process.stdout, process.stderr, wakeRead, wakeWrite].forEach { close($0) }
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

    /// Waits for the process to exit (killing it after `reapGrace`), then reaps it.
    private func reap() -> ExitStatus {
        let deadline = Monotonic.now() + Monotonic.nanoseconds(settings.reapGrace)
        var killed = false
        while true {
            var info = siginfo_t()
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if result == 0 && info.si_signo == SIGCHLD { break }
            if result < 0 && errno != EINTR { break }
            if !killed && Monotonic.now() >= deadline {
                signal(SIGKILL, reason: nil)
                killed = true
            }
            usleep(killed ? 1000 : 2000)
        }
        lock.lock()
        exitObserved = true
        lock.unlock()
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 {
            // ECHILD: something else in the process reaped it (a SIGCHLD handler calling
            // waitpid(-1)); its status is lost, and it surely ended.
            if errno != EINTR { return .signalled(SIGKILL) }
        }
        return ExitStatus(waitStatus: raw)
    }
}
