#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ReviewCore

/// `cluster-review-bench simulate`: the what-if (`cluster-review simulate`) over N stored, reviewed
/// filings (10,000 by default), and `cluster-review evaluate` over the same number of filing files
/// in the same run, for the ratio.
///
/// The filings are the bench's usual seed (the initial samples through the door, then copies), each
/// given a completed decision review as of its filing date, so `--over filings` takes every one.
/// The simulation moves COMP-6's bound (`min_annual_output_wan=15亿`): every filing runs through
/// every module under the baseline and through the competitiveness module again under the draft.
/// Per run: wall time, filings/s, CPU core-ms per filing (the CLI, its module workers, PostgreSQL);
/// medians of `--runs` (default 3).
enum SimulateBenchmark {
    static let usage = """
        simulate [--filings N] [--runs N] [--keep]
          `cluster-review simulate --set min_annual_output_wan=15亿` over N stored filings (default 10,000)
          and `cluster-review evaluate` of N files: filings/s, CPU core-ms per filing, and their ratio
        """

    static func run(arguments: [String]) -> Int32 {
        guard let parsed = BenchArguments(arguments, values: ["--filings", "--runs"], flags: ["--keep"]),
            let count = parsed.int("--filings", default: 10_000, minimum: 1),
            let runs = parsed.int("--runs", default: 3, minimum: 1)
        else {
            FileHandle.standardError.write(Data("usage: cluster-review-bench \(usage)\n".utf8))
            return 64
        }
        do {
            try measure(filings: count, runs: runs, keep: parsed.flag("--keep"))
            return 0
        } catch {
            FileHandle.standardError.write(Data("simulate benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    static func measure(filings count: Int, runs: Int, keep: Bool) throws {
        let installation = try Installation.current()
        let cli = installation.executables.appendingPathComponent("cluster-review").path
        guard access(cli, X_OK) == 0 else { throw BenchError("\(cli) not found: build everything first (swift build -c release)") }
        guard Reaper.adoptOrphans() else { throw BenchError("prctl(PR_SET_CHILD_SUBREAPER) refused: the workers' CPU could not be counted") }
        print("cluster-review-bench simulate — \(ProcessInfo.processInfo.activeProcessorCount) cores, release build")
        let database = try BenchDatabase.start(label: "simulate", installation: installation)
        defer { database.stop(keep: keep) }
        try database.seedInitialFilings(count)
        try database.connection.query("""
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, as_of)
            SELECT nextval('review_ids'), f.id, f.county_code, 'decision', 'completed', 'needs_review', 1, now(), f.filed_on
            FROM filings f WHERE f.kind = 'initial'
            """)
        try database.connection.executeScript("VACUUM ANALYZE")
        let stored: Int = try database.connection.queryRow("SELECT count(*) AS n FROM reviews").decode("n")
        let directory = URL(fileURLWithPath: "/tmp/cr-bench-simulate-files-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try BenchDatabase.writeFilingFiles(count, tag: "simulate", into: directory.appendingPathComponent("files"), installation: installation)
        print("\(stored) stored filings, each with a completed decision review; \(count) filing files for evaluate")
        var figures = RunFigures()
        for run in 1...runs {
            let simulate = try measureChild(
                cli, ["simulate", "--set", "min_annual_output_wan=15亿", "--json"], environment: ["DATABASE_URL": database.conninfo],
                output: directory.appendingPathComponent("simulate-\(run).json").path, database: database)
            let output = try Data(contentsOf: directory.appendingPathComponent("simulate-\(run).json"))
            guard let json = try JSONSerialization.jsonObject(with: output) as? [String: Any], let simulated = json["simulated"] as? Int,
                simulated == stored
            else { throw BenchError("simulate did not run every stored filing:\n\(String(decoding: output.prefix(600), as: UTF8.self))") }
            let evaluate = try measureChild(
                cli, ["evaluate", directory.appendingPathComponent("files").path], environment: [:],
                output: directory.appendingPathComponent("evaluate-\(run).out").path, database: database)
            let n = Double(count)
            print(String(format: "  run %d: simulate %.2f s (%.0f filings/s, %.2f core-ms per filing: CLI %.2f, workers %.2f, PostgreSQL %.2f) · evaluate %.2f s (%.0f filings/s, %.2f core-ms)",
                         run, simulate.wall, n / simulate.wall, simulate.cpu / n, simulate.own / n, simulate.workers / n, simulate.postgres / n,
                         evaluate.wall, n / evaluate.wall, evaluate.cpu / n))
            figures.record("simulate: seconds for \(count) filings", simulate.wall, unit: "s", decimals: 2)
            figures.record("simulate: filings/s", n / simulate.wall, unit: "/s", decimals: 0)
            figures.record("simulate: CPU per filing, all", simulate.cpu / n, unit: "core-ms", decimals: 2)
            figures.record("  CLI (cluster-review)", simulate.own / n, unit: "core-ms", decimals: 2)
            figures.record("  module workers", simulate.workers / n, unit: "core-ms", decimals: 2)
            figures.record("  PostgreSQL", simulate.postgres / n, unit: "core-ms", decimals: 2)
            figures.record("evaluate: filings/s", n / evaluate.wall, unit: "/s", decimals: 0)
            figures.record("evaluate: CPU per filing, all", evaluate.cpu / n, unit: "core-ms", decimals: 2)
            figures.record("simulate ÷ evaluate throughput", (n / simulate.wall) / (n / evaluate.wall), unit: "×", decimals: 2)
        }
        print(figures.table())
    }

    struct Measured {
        var wall: Double
        var own: Double
        var workers: Double
        var postgres: Double
        var cpu: Double { own + workers + postgres }
    }

    /// Runs `program arguments` to its end, with the CPU of it, its (adopted) workers and the database's server.
    static func measureChild(_ program: String, _ arguments: [String], environment: [String: String], output: String,
                             database: BenchDatabase) throws -> Measured {
        let known = Reaper.children()
        let server = try database.postgresCounter()
        let serverBefore = server(ProcessTable.snapshot())
        let started = ContinuousClock.now
        let child = try BenchChild.spawn(program, arguments, environment: environment, outputPath: output)
        let exit = child.waitForExit()
        let wall = durationSeconds(ContinuousClock.now - started)
        let adopted = Reaper.reapAdopted(except: known)
        let serverTicks = server(ProcessTable.snapshot()) - serverBefore
        guard exit.status == 0 else { throw BenchError("\(arguments.first ?? "") exited with \(exit.status):\n\(child.outputTail())") }
        return Measured(
            wall: wall, own: ProcessCPU.milliseconds(exit.ownTicks), workers: ProcessCPU.milliseconds(exit.reapedTicks + adopted.ticks),
            postgres: ProcessCPU.milliseconds(serverTicks))
    }
}
