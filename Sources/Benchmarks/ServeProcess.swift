#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Postgres
import ReviewCore
import ChildProcesses

/// A `cluster-review serve` child — the coordinator exactly as production runs it (its JSON log
/// lines included, written to a file) — against the benchmark's database (`DATABASE_URL`).
///
/// Its own CPU is the coordinator's; its descendants, live and reaped, are the module workers.
struct ServeProcess {
    let child: BenchChild
    let name: String

    var pid: Int32 { child.pid }

    /// Starts `cluster-review serve --no-sweeps --name NAME [--max-in-flight N] [ARGUMENTS]` from the
    /// installation's executables; its log goes to `logPath`.
    static func start(
        installation: Installation, conninfo: String, name: String, maxInFlight: Int?, logPath: String, arguments extra: [String] = []
    ) throws -> ServeProcess {
        let cli = installation.executables.appendingPathComponent("cluster-review").path
        guard access(cli, X_OK) == 0 else {
            throw BenchError("\(cli) not found: build everything first (swift build -c release)")
        }
        var arguments = ["serve", "--no-sweeps", "--name", name]
        if let maxInFlight { arguments += ["--max-in-flight", String(maxInFlight)] }
        arguments += extra
        let child = try BenchChild.spawn(cli, arguments, environment: ["DATABASE_URL": conninfo], outputPath: logPath)
        return ServeProcess(child: child, name: name)
    }

    /// Waits until it has registered in `coordinators` (it does so once its modules are started)
    /// and `workers` module processes run under it; returns how long that took.
    func waitUntilReady(_ connection: PostgresConnection, workers: Int, timeout: Duration = .seconds(120)) throws -> Duration {
        let started = ContinuousClock.now
        while true {
            guard child.isRunning else {
                throw BenchError("cluster-review serve exited before it was ready:\n\(child.outputTail())")
            }
            let registered: Int = try connection.queryRow("SELECT count(*) AS n FROM coordinators WHERE name = $1", name).decode("n")
            if registered > 0 && self.workers().count >= workers { return ContinuousClock.now - started }
            if ContinuousClock.now - started > timeout {
                throw BenchError("cluster-review serve was not ready after \(timeout):\n\(child.outputTail())")
            }
            usleep(20_000)
        }
    }

    /// Its module workers now (its descendants).
    func workers(in table: ProcessTable = .snapshot()) -> [Int32] { table.descendants(of: pid) }

    /// SIGTERM, then waits for it to stop its workers and exit.
    @discardableResult
    func stop() -> BenchChild.Exit {
        child.signal(SIGTERM)
        return child.waitForExit(timeout: .seconds(60))
    }

    /// The CPU groups of a set of coordinators: each one's own CPU, and its descendants'.
    static func counters(_ serves: [ServeProcess]) -> [(String, ProcessCPU.Counter)] {
        let pids = serves.map(\.pid)
        return [
            ("coordinator", { table in pids.reduce(0) { $0 + table.ownTicks($1) } }),
            ("module workers", { table in pids.reduce(0) { $0 + table.treeTicks($1) - table.ownTicks($1) } }),
        ]
    }
}
