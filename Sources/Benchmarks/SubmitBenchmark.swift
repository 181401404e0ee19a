#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Postgres
import ReviewCore

/// `cluster-review-bench submit`: `cluster-review submit DIR` over N new filing files (1,000 by
/// default), the path exactly as a county runs it — process start, reading every file, one
/// transaction sending them all through the submission door, then waiting for the verdicts — with a
/// coordinator keeping the door (`cluster-review serve --intake-only`, a child: claims, validates
/// in parallel, files in batches), against a private PostgreSQL with fsync and synchronous_commit on.
///
/// Per run: new files (the samples' initial filings, each copy under its own cluster name, so
/// every one is new content), a checkpoint, a CPU snapshot, the CLI run to its exit (every file
/// filed), a checkpoint (the run's dirty pages are charged to it), a CPU snapshot. The CLI's CPU is
/// read from its `/proc` entry while it is a zombie; the coordinator's from its own entry;
/// PostgreSQL's is the postmaster's tree (the CLI's backend, gone by then, is in the postmaster's
/// cutime). Filings stay from run to run, so each run files into a fuller table; the queue is left
/// as the door leaves it (no module reviews).
enum SubmitBenchmark {
    static let usage = """
        submit [--files N] [--runs N] [--keep]
          `cluster-review submit` of N new files (default 1,000) through the door, a coordinator checking
          them (serve --intake-only): filings/s and CPU core-ms per filing (CLI, coordinator, PostgreSQL),
          medians and spread over --runs (default 3)
        """

    static func run(arguments: [String]) -> Int32 {
        guard let parsed = BenchArguments(arguments, values: ["--files", "--runs"], flags: ["--keep"]),
            let files = parsed.int("--files", default: 1000, minimum: 1),
            let runs = parsed.int("--runs", default: 3, minimum: 1)
        else {
            FileHandle.standardError.write(Data("usage: cluster-review-bench \(usage)\n".utf8))
            return 64
        }
        do {
            try measure(files: files, runs: runs, keep: parsed.flag("--keep"))
            return 0
        } catch {
            FileHandle.standardError.write(Data("submit benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    static func measure(files: Int, runs: Int, keep: Bool) throws {
        let installation = try Installation.current()
        let cli = installation.executables.appendingPathComponent("cluster-review").path
        guard access(cli, X_OK) == 0 else { throw BenchError("\(cli) not found: build everything first (swift build -c release)") }
        let database = try BenchDatabase.start(label: "submit", installation: installation)
        defer { database.stop(keep: keep) }
        let serve = try ServeProcess.start(
            installation: installation, conninfo: database.conninfo, name: "bench-intake", maxInFlight: nil,
            logPath: database.server.directory.appendingPathComponent("serve.log").path, arguments: ["--intake-only"])
        defer { serve.stop() }
        _ = try serve.waitUntilReady(database.connection, workers: 0)
        let servePid = serve.pid
        let counters = [("PostgreSQL", try database.postgresCounter()), ("coordinator", { (table: ProcessTable) in table.ownTicks(servePid) })]
        print("cluster-review-bench submit — \(ProcessInfo.processInfo.activeProcessorCount) cores, release build")
        print("PostgreSQL: \(try database.settingsLine())")

        var figures = RunFigures()
        for run in 1...runs {
            let directory = database.server.directory.appendingPathComponent("files-\(run)")
            let bytes = try BenchDatabase.writeFilingFiles(files, tag: "submit-\(run)", into: directory, installation: installation)
            let filedBefore: Int = try database.connection.queryRow("SELECT count(*) AS n FROM filings").decode("n")
            try database.checkpoint()
            let before = ProcessCPU.snapshot(counters)
            let child = try BenchChild.spawn(
                cli, ["submit", directory.path], environment: ["DATABASE_URL": database.conninfo],
                outputPath: database.server.directory.appendingPathComponent("submit-\(run).out").path)
            let exit = child.waitForExit()
            let wall = ContinuousClock.now - before.instant
            try database.checkpoint()
            let after = ProcessCPU.snapshot(counters)
            let filed: Int = try database.connection.queryRow("SELECT count(*) AS n FROM filings").decode("n") - filedBefore
            try database.connection.executeScript("ANALYZE")
            guard exit.status == 0, filed == files else {
                throw BenchError("cluster-review submit exited with \(exit.status), \(filed) of \(files) filed:\n\(child.outputTail())")
            }
            let usage = after.usage(since: before)
            let cliMilliseconds = ProcessCPU.milliseconds(exit.ownTicks + exit.reapedTicks)
            let postgres = usage["PostgreSQL"], coordinator = usage["coordinator"]
            let count = Double(files)
            let all = cliMilliseconds + coordinator + postgres
            print(String(format: "  run %d: %d files (%.0f bytes each), %.2f s, %.0f filings/s · CPU per filing %.2f core-ms = CLI %.2f + coordinator %.2f + PostgreSQL %.2f (rest of machine %.2f)",
                         run, files, Double(bytes) / count, durationSeconds(wall), count / durationSeconds(wall),
                         all / count, cliMilliseconds / count, coordinator / count, postgres / count,
                         (usage.machine - all) / count))
            figures.record("filings/s", count / durationSeconds(wall), unit: "/s", decimals: 0)
            figures.record("CPU per filing, all", all / count, unit: "core-ms", decimals: 2)
            figures.record("  CLI (cluster-review submit)", cliMilliseconds / count, unit: "core-ms", decimals: 2)
            figures.record("  coordinator (serve --intake-only)", coordinator / count, unit: "core-ms", decimals: 2)
            figures.record("  PostgreSQL", postgres / count, unit: "core-ms", decimals: 2)
            figures.record("rest of the machine", (usage.machine - all) / count, unit: "core-ms", decimals: 2)
            try? FileManager.default.removeItem(at: directory)
        }
        print(figures.table())
    }
}
