import Foundation
import IndicatorKit
import Testing

import ChildProcesses
@testable import ModuleHost

/// Paths and helpers shared by the worker tests.
enum WorkerFixtures {
    /// The directory holding the test binary and the package's executables.
    static let binDirectory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test bundle may sit inside an .xctest directory.
        while url.path.hasSuffix(".xctest") || url.lastPathComponent == "MacOS" { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The pools' logger: silent, or stderr at debug level when WORKER_TEST_LOG is set.
    static let logger: Logger = getenv("WORKER_TEST_LOG") != nil ? Logger(minimumLevel: .debug) : .discarding

    /// The fixture module executable.
    static var fixture: String { binDirectory + "/fixture-module" }

    /// A pool configuration for the fixture in `mode`.
    ///
    /// The start and request timeouts are generous: a test that is about a timeout sets its own,
    /// and every other test must not time out because the machine is busy. A healthy fixture
    /// answers at once, so a long timeout costs nothing.
    static func configuration(
        _ mode: String, extra: [String] = [], workers: Int = 1, requestTimeout: Duration = .seconds(120),
        startTimeout: Duration = .seconds(120), maxAttempts: Int = 2, maxLineBytes: Int = 1 << 20,
        limits: ResourceLimits = ResourceLimits(cpuSeconds: 60, addressSpaceBytes: 2 << 30, openFiles: 64),
        recycleAfter: Int? = nil, restartLimit: Int = 10, initialBackoff: Duration = .seconds(30)
    ) -> WorkerPoolConfiguration {
        WorkerPoolConfiguration(
            moduleId: "fixture", executable: fixture, arguments: [mode] + extra, workers: workers,
            startTimeout: startTimeout, requestTimeout: requestTimeout, shutdownGrace: .milliseconds(300),
            maxLineBytes: maxLineBytes, stderrLineBytes: 1000, stderrTailLines: 200, limits: limits,
            maxAttempts: maxAttempts, recycleAfter: recycleAfter, recycleJitter: 0, restartLimit: restartLimit,
            restartWindow: .seconds(60), initialBackoff: initialBackoff, maxBackoff: .seconds(60))
    }

    static let input = try! EvaluationInput(filing: ["value": 42, "output": ["2024": "12.5"]], asOf: CivilDate("2025-06-30")!)

    /// Waits until none of `pids` exists any more (reaped: neither running nor a zombie);
    /// returns those still present after `timeout`. It returns as soon as they are gone, so the
    /// default is long: a busy machine may take a while to schedule a reaping thread.
    static func remaining(_ pids: [Int32], within timeout: Duration = .seconds(60)) async -> [Int32] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let present = pids.filter { FileManager.default.fileExists(atPath: "/proc/\($0)") }
            if present.isEmpty || ContinuousClock.now >= deadline { return present }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Zombie fixture-module children of this process, by pid. (Other children, such as a
    /// `cluster-review` a coordinator test has not waited for yet, are not the pool's business.)
    static func zombieChildren() -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                stat.contains("(fixture-module)"), let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] == "Z" && Int32(fields[1]) == me
        }
    }

    /// Zombie children that stay zombies for `timeout`: a worker whose process was never reaped.
    /// (Tests run in parallel, so another test's worker may be a zombie for a while, the longer
    /// the busier the machine; this returns as soon as every zombie seen at first is gone.)
    static func lingeringZombies(within timeout: Duration = .seconds(60)) async -> Set<Int32> {
        var lingering = Set(zombieChildren())
        let deadline = ContinuousClock.now + timeout
        while !lingering.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            lingering.formIntersection(zombieChildren())
        }
        return lingering
    }

    /// The processes of process group `group` (state and group read from /proc).
    static func groupMembers(_ group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { ProcessTable.group(of: $0) == group }
    }

    /// Waits until none of `pids` is running any more (gone, or a zombie waiting for its reaper,
    /// which may be init); returns those still running after `timeout`.
    static func notRunning(_ pids: [Int32], within timeout: Duration = .seconds(60)) async -> [Int32] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let running = pids.filter { pid in ProcessTable.state(of: pid).map { $0 != "Z" } ?? false }
            if running.isEmpty || ContinuousClock.now >= deadline { return running }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Resident memory of this process, in bytes.
    static func residentBytes() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Collects log lines for assertions.
final class LogCapture: @unchecked Sendable {
    // Sendable proof: `lines` is only touched with `lock` held.
    private let lock = NSLock()
    private var lines: [String] = []

    var logger: Logger { Logger(minimumLevel: .debug, sink: { [self] line in lock.withLock { lines.append(line) } }) }

    var all: [String] { lock.withLock { lines } }

    func objects(event: String) -> [[String: Any]] {
        all.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["event"] as? String == event }
    }

    /// One logged event, reduced to what an ordering assertion compares.
    struct Event: Equatable, CustomStringConvertible {
        var name: String
        var pid: Int32?
        var cause: String?

        init(_ name: String, pid: Int32? = nil, cause: String? = nil) {
            self.name = name
            self.pid = pid
            self.cause = cause
        }

        var description: String { "\(name)(pid: \(pid.map(String.init) ?? "-"), cause: \(cause ?? "-"))" }
    }

    /// The events named in `names`, in the order they were logged.
    func events(_ names: Set<String>) -> [Event] {
        all.compactMap { line -> Event? in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let name = object["event"] as? String, names.contains(name)
            else { return nil }
            return Event(name, pid: (object["pid"] as? NSNumber)?.int32Value, cause: object["cause"] as? String)
        }
    }
}

/// A pool clock a test moves by hand: the pool's restart window, back-off and probes then follow
/// the test, not the wall clock, so they hold however slow the machine is.
final class ManualClock: @unchecked Sendable {
    // Sendable proof: `current` is the only stored `var`, and it is read and written only with
    // `lock` held.
    private let lock = NSLock()
    private var current: ContinuousClock.Instant

    /// A clock standing at the real now (so a `ModuleState` description stays sensible).
    init(start: ContinuousClock.Instant = .now) {
        current = start
    }

    /// Where the clock stands.
    var now: ContinuousClock.Instant { lock.withLock { current } }

    /// Moves the clock forward by `duration`.
    func advance(by duration: Duration) {
        lock.withLock { current += duration }
    }

    /// The clock as a pool reads it.
    var poolClock: PoolClock { PoolClock { [self] in now } }
}

/// Holds a worker's I/O thread after its process has ended, before the process is reaped and
/// its end reported (`ChannelSettings.beforeReap`), until `open()`: a dead worker whose end the
/// pool has not noticed yet, for as long as a test needs. So that a failing test cannot hang,
/// each hold also ends after `longest`.
final class ReapGate: @unchecked Sendable {
    // Sendable proof: `held` and `opened` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var held: Set<Int32> = []
    private var opened = false
    private let longest: TimeInterval

    init(longest: Duration = .seconds(10)) {
        self.longest = TimeInterval(longest.components.seconds)
    }

    /// The hook: records `pid` as held and waits until the gate opens (or `longest` passes).
    var hold: @Sendable (Int32) -> Void {
        { [self] pid in
            condition.lock()
            defer { condition.unlock() }
            held.insert(pid)
            condition.broadcast()
            let until = Date(timeIntervalSinceNow: longest)
            while !opened, condition.wait(until: until) {}
        }
    }

    /// Lets every held I/O thread (and every later one) go on.
    func open() {
        condition.lock()
        opened = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the I/O thread of `pid` is held: its process has ended and nobody knows yet.
    func waitUntilHolding(_ pid: Int32, within timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition.withLock({ held.contains(pid) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition.withLock { held.contains(pid) }  // once more: the task may have slept past the deadline
    }
}
