#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ChildProcesses

// CPU time and memory of processes, read from /proc (Linux): the measurement every benchmark
// that reports "core-ms per filing" shares.
//
// How CPU is attributed to a group of processes, and why processes that exit are not lost:
//
// - `/proc/PID/stat` gives, per process, `utime + stime` — the CPU of all its threads, the
//   threads that already ended included — and `cutime + cstime` — the CPU of every child that
//   exited *and that it waited for*, each such child with its own reaped children, recursively.
// - The CPU ever spent by a process tree is therefore Σ over its live members of (own + reaped
//   children). A member that exited and was reaped by its parent in the tree has moved its whole
//   time into the parent's reaped-children figure; one that exited and is not reaped yet (a
//   zombie) still shows its own time in its own `stat`. Nothing is counted twice, nothing lost.
//   - PostgreSQL: every server process (backends, walwriter, checkpointer, autovacuum workers …)
//     is a child of the postmaster, which reaps them; a backend that disconnects during a run is
//     in the postmaster's cutime from then on.
//   - A coordinator (`cluster-review serve`) reaps the module workers its pools start; a worker
//     recycled during a run is in the coordinator's cutime.
// - A group's CPU over a run is the difference of two snapshots. The only losses: a descendant
//   orphaned out of the tree (reparented to init) before it is counted — see `Reaper` for the
//   CLI benchmarks, whose module workers are orphaned when the CLI exits — and a process that
//   exits *and* is reaped while one snapshot is being read (a few milliseconds): it may then be
//   missed or counted twice. Snapshots are taken at quiet moments (queue drained, checkpoint
//   done), when at most an autovacuum worker can end.
// - Resolution: the kernel reports whole clock ticks (`sysconf(_SC_CLK_TCK)`, 10 ms), truncated
//   per process, so a difference is off by less than one tick per process — ±0.3 s at worst for
//   40 processes, ±20 ms typically, against the tens of seconds a run uses.
// - The whole machine's busy time (`/proc/stat`) is read beside the groups: what the groups do
//   not account for is reported as "rest of the machine" (the benchmark itself, other users).

/// One process's `/proc/PID/stat`: its parent and the CPU it has used, in clock ticks.
struct ProcessStat: Sendable, Equatable {
    var pid: Int32
    var parent: Int32
    /// The executable's name as the kernel keeps it (15 bytes at most).
    var command: String
    /// R, S, D, Z (zombie: exited, not yet reaped) …
    var state: Character
    /// `utime + stime`: the process itself, all its threads (ended ones included).
    var ownTicks: Int
    /// `cutime + cstime`: its children that exited and that it has waited for.
    var reapedTicks: Int

    /// Parses a `stat` line; nil when it is not one.
    init?(line: Substring) {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"),
            let pid = Int32(line[..<open].trimmingCharacters(in: .whitespaces))
        else { return nil }
        // After the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime … (fields 3–17 of proc(5)).
        let fields = line[line.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 14, let state = fields[0].first, let parent = Int32(fields[1]),
            let utime = Int(fields[11]), let stime = Int(fields[12]), let cutime = Int(fields[13]), let cstime = Int(fields[14])
        else { return nil }
        self.pid = pid
        self.parent = parent
        self.command = String(line[line.index(after: open)..<close])
        self.state = state
        self.ownTicks = utime + stime
        self.reapedTicks = cutime + cstime
    }

    /// The process's stat now, or nil when it is gone.
    static func read(_ pid: Int32) -> ProcessStat? {
        guard let text = ProcFile.read("/proc/\(pid)/stat") else { return nil }
        return ProcessStat(line: Substring(text))
    }
}

/// Every process's `stat` at one moment, with the parent → children relation.
struct ProcessTable: Sendable {
    let processes: [Int32: ProcessStat]
    private let children: [Int32: [Int32]]

    init(_ stats: [ProcessStat]) {
        var processes: [Int32: ProcessStat] = [:]
        var children: [Int32: [Int32]] = [:]
        for stat in stats {
            processes[stat.pid] = stat
            children[stat.parent, default: []].append(stat.pid)
        }
        self.processes = processes
        self.children = children
    }

    /// Reads `/proc/*/stat` once.
    static func snapshot() -> ProcessTable {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return ProcessTable(names.compactMap { name in Int32(name).flatMap(ProcessStat.read) })
    }

    /// The live (or zombie) descendants of `pid`, not `pid` itself.
    func descendants(of pid: Int32) -> [Int32] {
        var found: [Int32] = []
        var pending = children[pid] ?? []
        while let next = pending.popLast() {
            found.append(next)
            pending += children[next] ?? []
        }
        return found
    }

    /// The children of `pid` (live or zombie).
    func children(of pid: Int32) -> [Int32] { children[pid] ?? [] }

    /// CPU of `pid` alone; 0 when it is not running (not started yet, or gone).
    func ownTicks(_ pid: Int32) -> Int { processes[pid]?.ownTicks ?? 0 }

    /// CPU ever spent by `pid` and its descendants: Σ over the live tree of own + reaped children.
    /// Descendants that exited and were reaped inside the tree are included; 0 when `pid` is gone.
    func treeTicks(_ pid: Int32) -> Int {
        guard let root = processes[pid] else { return 0 }
        return descendants(of: pid).reduce(root.ownTicks + root.reapedTicks) { total, member in
            total + (processes[member].map { $0.ownTicks + $0.reapedTicks } ?? 0)
        }
    }
}

/// The CPU used so far by named groups of processes, and by the whole machine, at one moment.
struct ProcessCPU: Sendable {
    /// How a group is counted in a process table, in clock ticks.
    typealias Counter = @Sendable (ProcessTable) -> Int

    let instant: ContinuousClock.Instant
    /// Ticks per group, in the order given.
    let groups: [(name: String, ticks: Int)]
    /// Busy ticks of all cores (user, nice, system, irq, softirq, steal).
    let machineBusyTicks: Int
    /// The table the groups were counted in (for memory and process counts).
    let table: ProcessTable

    /// Reads the process table and the machine's CPU counters, then counts each group.
    static func snapshot(_ counters: [(String, Counter)]) -> ProcessCPU {
        let machine = machineBusy()
        let table = ProcessTable.snapshot()
        return ProcessCPU(instant: .now, groups: counters.map { ($0.0, $0.1(table)) }, machineBusyTicks: machine, table: table)
    }

    /// The same moment counted with other groups (e.g. groups of a process started after it:
    /// absent from the table, it counts 0).
    func recounted(_ counters: [(String, Counter)]) -> ProcessCPU {
        ProcessCPU(instant: instant, groups: counters.map { ($0.0, $0.1(table)) }, machineBusyTicks: machineBusyTicks, table: table)
    }

    /// Core-milliseconds per group from `earlier` to this snapshot.
    func usage(since earlier: ProcessCPU) -> CPUUsage {
        let before = Dictionary(earlier.groups.map { ($0.name, $0.ticks) }, uniquingKeysWith: { first, _ in first })
        let elapsed = instant - earlier.instant
        return CPUUsage(
            groups: groups.map { ($0.name, Self.milliseconds($0.ticks - (before[$0.name] ?? 0))) },
            machine: Self.milliseconds(machineBusyTicks - earlier.machineBusyTicks),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Clock ticks per second (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
    static let ticksPerSecond: Int = max(1, sysconf(Int32(_SC_CLK_TCK)))

    static func milliseconds(_ ticks: Int) -> Double { Double(ticks) * 1000 / Double(ticksPerSecond) }

    /// Busy ticks summed over all cores, from the `cpu` line of `/proc/stat`.
    static func machineBusy() -> Int {
        guard let text = ProcFile.read("/proc/stat"), let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return 0 }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        let values = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard values.count >= 8 else { return 0 }
        return values[0] + values[1] + values[2] + values[5] + values[6] + values[7]
    }
}

/// CPU used between two snapshots, in core-milliseconds (1 core busy for 1 ms = 1).
struct CPUUsage: Sendable {
    var groups: [(name: String, milliseconds: Double)]
    /// Every core of the machine, whoever used it.
    var machine: Double
    /// Wall-clock seconds between the snapshots.
    var seconds: Double

    /// The groups' total.
    var total: Double { groups.reduce(0) { $0 + $1.milliseconds } }
    /// What the groups do not account for: the benchmark itself, other users of the machine.
    var rest: Double { machine - total }

    subscript(name: String) -> Double { groups.first { $0.name == name }?.milliseconds ?? 0 }
}

/// A process's memory from `/proc/PID/status` and `/proc/PID/smaps_rollup`, in KiB.
struct ProcessMemory: Sendable {
    /// VmRSS: resident now (shared pages counted in full).
    var residentKB: Int
    /// VmHWM: the peak resident size over the process's life.
    var peakResidentKB: Int
    /// Pss: resident now, shared pages divided among the processes sharing them (0 when unreadable).
    var proportionalKB: Int

    static func read(_ pid: Int32) -> ProcessMemory? {
        guard let status = ProcFile.read("/proc/\(pid)/status") else { return nil }
        let rollup = ProcFile.read("/proc/\(pid)/smaps_rollup") ?? ""
        return ProcessMemory(
            residentKB: field("VmRSS:", in: status), peakResidentKB: field("VmHWM:", in: status),
            proportionalKB: field("Pss:", in: rollup))
    }

    /// Sums over `pids` (those still running).
    static func total(_ pids: [Int32]) -> ProcessMemory {
        pids.compactMap(read).reduce(ProcessMemory(residentKB: 0, peakResidentKB: 0, proportionalKB: 0)) {
            ProcessMemory(residentKB: $0.residentKB + $1.residentKB, peakResidentKB: $0.peakResidentKB + $1.peakResidentKB,
                          proportionalKB: $0.proportionalKB + $1.proportionalKB)
        }
    }

    private static func field(_ name: String, in text: String) -> Int {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
}

/// Small /proc files read with one `read(2)` into a buffer (they are generated on read and never
/// larger than a page or two; `String(contentsOfFile:)` costs several times more).
enum ProcFile {
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}
