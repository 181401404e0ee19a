#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Postgres
import ReviewCore
import ChildProcesses
import ModuleHost

/// `cluster-review-bench pipeline`: what a filing costs from queued to committed.
///
/// The headline is CPU core-milliseconds per filing for each process group — PostgreSQL (the
/// postmaster and every process under it), the coordinator (`cluster-review serve`, run as a child
/// exactly as in production) and the module workers (the coordinator's descendants) — beside
/// filings/s and latency. CPU per filing is far steadier than a rate on a shared machine.
///
/// One measurement: a private PostgreSQL with fsync and synchronous_commit on gets N copies of
/// the sample initial filings; the coordinator(s) start and their modules come up (not measured);
/// a warm-up run reviews part of them; then each run
///
/// 1. resets the filings' status and checkpoints (outside the window);
/// 2. snapshots CPU, queues all N filings in one statement, waits until the queue is empty,
///    issues CHECKPOINT (so the writes of the pages the run dirtied are charged to it, run after
///    run alike, instead of falling into whichever run a timed checkpoint hits), snapshots CPU;
/// 3. reads rate and latency from the database (queued_at, started_at, and the commit time of the
///    review's write, `pg_xact_commit_timestamp`), then ANALYZEs. Reviews and findings are kept
///    from run to run, so plans are those of a database that holds reviews.
///
/// Then, at half the median rate, filings arrive one at a time (paced) for a few seconds: the
/// queued → committed latency there is the one the targets speak of. With `--backlog N`, a fresh
/// coordinator starts on N queued filings and its rate is sampled every second.
///
/// The benchmark's own connection (queueing, polling, checkpoints) is left out of the PostgreSQL
/// group: its backend is subtracted. See ProcessCPU.swift for how exited processes are counted.
enum PipelineBenchmark {
    static let usage = """
        pipeline [--filings N] [--runs N] [--warmup N] [--paced-seconds S] [--coordinators N]
                 [--max-in-flight N] [--backlog N] [--backlog-seconds S] [--keep]
          CPU core-ms per filing by process group (PostgreSQL, coordinator, module workers) beside
          filings/s and latency, medians and spread over --runs (default 3); with --backlog, the
          rate of a coordinator started on N queued filings (first 5 s and after)
        """

    struct Options {
        var filings = 2000
        var runs = 3
        var warmup = 500
        var pacedSeconds = 10
        var coordinators = 1
        var maxInFlight: Int?
        var backlog = 0
        var backlogSeconds = 30
        var keep = false
    }

    static func run(arguments: [String]) -> Int32 {
        guard let parsed = BenchArguments(
                arguments,
                values: ["--filings", "--runs", "--warmup", "--paced-seconds", "--coordinators", "--max-in-flight", "--backlog",
                         "--backlog-seconds"],
                flags: ["--keep"]),
            let filings = parsed.int("--filings", default: 2000, minimum: 1),
            let runs = parsed.int("--runs", default: 3, minimum: 1),
            let warmup = parsed.int("--warmup", default: 500),
            let paced = parsed.int("--paced-seconds", default: 10),
            let coordinators = parsed.int("--coordinators", default: 1, minimum: 1),
            let maxInFlight = parsed.int("--max-in-flight", default: 0, minimum: 0),
            let backlog = parsed.int("--backlog", default: 0),
            let backlogSeconds = parsed.int("--backlog-seconds", default: 30, minimum: 6)
        else {
            FileHandle.standardError.write(Data("usage: cluster-review-bench \(usage)\n".utf8))
            return 64
        }
        let options = Options(
            filings: filings, runs: runs, warmup: min(warmup, filings), pacedSeconds: paced, coordinators: coordinators,
            maxInFlight: maxInFlight > 0 ? maxInFlight : nil, backlog: backlog, backlogSeconds: backlogSeconds,
            keep: parsed.flag("--keep"))
        do {
            try measure(options)
            return 0
        } catch {
            FileHandle.standardError.write(Data("pipeline benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    /// What one measurement shares: the server, the filings, the coordinators, the CPU groups.
    struct Bench {
        var options: Options
        var database: BenchDatabase
        var filingIds: [Int64]
        var serves: [ServeProcess]
        var counters: [(String, ProcessCPU.Counter)]
        /// Module workers a coordinator runs when all are up.
        var workersPerCoordinator: Int
        var logDirectory: URL

        var connection: PostgresConnection { database.connection }

        func snapshot() -> ProcessCPU { ProcessCPU.snapshot(counters) }
    }

    /// One run's figures.
    struct Run {
        var filings: Int
        var usage: CPUUsage
        /// Filings per second from the first queued_at to the last commit.
        var rate: Double
        /// Milliseconds from claim (started_at) to commit, and from queued_at to commit.
        var claimP50: Double, claimP99: Double, queuedP50: Double, queuedP99: Double
        var findingsPerFiling: Double
        var failed: Int

        /// Core-ms per filing of a group (or of "total", "rest").
        func perFiling(_ group: String) -> Double {
            let milliseconds: Double
            switch group {
            case "total": milliseconds = usage.total
            case "rest": milliseconds = usage.rest
            default: milliseconds = usage[group]
            }
            return milliseconds / Double(max(filings, 1))
        }
    }

    static func measure(_ options: Options) throws {
        let installation = try Installation.current()
        let database = try BenchDatabase.start(label: "pipeline", installation: installation)
        var serves: [ServeProcess] = []
        defer {
            for serve in serves where serve.child.isRunning { serve.stop() }
            database.stop(keep: options.keep)
        }
        let registry = try ModuleRegistry.load(
            file: installation.configDirectory.appendingPathComponent("modules.json").path,
            binDirectory: installation.executables.path, baseDirectory: installation.root.path)
        let workersPerCoordinator = registry.enabled.reduce(0) { $0 + $1.pool.workers }
        let seedStart = ContinuousClock.now
        let ids = try database.seedInitialFilings(options.filings)
        let size = try database.payloadBytes(of: ids)
        print("cluster-review-bench pipeline — \(ProcessInfo.processInfo.activeProcessorCount) cores, release build")
        print("PostgreSQL: \(try database.settingsLine())")
        print(String(format: "filings: %d initial filings (copies of the samples), payload %.0f bytes as JSON text, %.0f stored; seeded in %.1f s",
                     ids.count, size.text, size.stored, durationSeconds(ContinuousClock.now - seedStart)))

        let logDirectory = database.server.directory
        for index in 0..<options.coordinators {
            serves.append(try ServeProcess.start(
                installation: installation, conninfo: database.conninfo, name: "bench-\(index)", maxInFlight: options.maxInFlight,
                logPath: logDirectory.appendingPathComponent("serve-\(index).log").path))
        }
        for serve in serves {
            let ready = try serve.waitUntilReady(database.connection, workers: workersPerCoordinator)
            print(String(format: "coordinator %@: cluster-review serve (pid %d), %d modules, %d workers, ready in %.2f s%@",
                         serve.name, serve.pid, registry.enabled.count, serve.workers().count, durationSeconds(ready),
                         options.maxInFlight.map { ", --max-in-flight \($0)" } ?? ""))
        }
        let bench = Bench(
            options: options, database: database, filingIds: ids, serves: serves,
            counters: [("PostgreSQL", try database.postgresCounter())] + ServeProcess.counters(serves),
            workersPerCoordinator: workersPerCoordinator, logDirectory: logDirectory)

        if options.warmup > 0 {
            let warm = try drain(bench, ids: Array(ids.prefix(options.warmup)))
            print(String(format: "warm-up: %d filings, %.0f filings/s, %.1f core-ms per filing (not counted)",
                         warm.filings, warm.rate, warm.perFiling("total")))
        }

        // Saturated runs: everything queued at once.
        print("\nsaturated: \(ids.count) filings queued at once, \(options.runs) runs")
        var saturated = RunFigures()
        for index in 1...options.runs {
            let run = try drain(bench, ids: ids)
            print("  run \(index): " + describe(run))
            record(run, into: &saturated, latency: .claim)
            let memory = memoryFigures(bench)
            for (name, value) in memory { saturated.record(name, value, unit: "MB", decimals: 1) }
        }
        print(saturated.table())
        let maximumRate = saturated.median("filings/s")

        // Paced runs: one filing at a time at half the measured maximum rate.
        if options.pacedSeconds > 0 {
            let rate = maximumRate / 2
            let count = min(ids.count, max(1, Int(rate * Double(options.pacedSeconds))))
            print(String(format: "\npaced: %d filings arriving one at a time at %.0f/s (half the median saturated rate), %d runs",
                         count, rate, options.runs))
            var paced = RunFigures()
            for index in 1...options.runs {
                let run = try drain(bench, ids: Array(ids.prefix(count)), pacedRate: rate)
                print("  run \(index): " + describe(run))
                record(run, into: &paced, latency: .queued)
            }
            print(paced.table())
        }

        if options.backlog > 0 {
            for serve in serves { serve.stop() }
            serves.removeAll()
            try backlog(bench, installation: installation, rateWithNone: maximumRate)
        }
    }

    // MARK: - A run

    /// Queues `ids` (all at once, or one at a time at `pacedRate` per second), waits until every
    /// review is committed, and returns the run's figures.
    static func drain(_ bench: Bench, ids: [Int64], pacedRate: Double? = nil) throws -> Run {
        let connection = bench.connection
        let idArray = TextArray(ids.map(String.init))
        try connection.query("UPDATE filings SET status = 'submitted' WHERE id = ANY($1::bigint[]) AND status <> 'submitted'", idArray)
        let lastReview: Int64 = try connection.queryRow("SELECT coalesce(max(id), 0) AS n FROM reviews").decode("n")
        try bench.database.checkpoint()

        let before = bench.snapshot()
        if let rate = pacedRate {
            let start = ContinuousClock.now
            for (index, id) in ids.enumerated() {
                let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                let wait = due - .now
                if wait > .zero { usleep(UInt32(durationSeconds(wait) * 1e6)) }
                try connection.query("INSERT INTO review_queue (filing_id, county_code) SELECT id, county_code FROM filings WHERE id = $1", id)
            }
        } else {
            try connection.query("""
                INSERT INTO review_queue (filing_id, county_code)
                SELECT id, county_code FROM filings WHERE id = ANY($1::bigint[]) ORDER BY id
                """, idArray)
        }
        try waitUntilEmpty(bench)
        try bench.database.checkpoint()
        let after = bench.snapshot()

        let row = try connection.queryRow("""
            SELECT count(*) AS n, count(*) FILTER (WHERE outcome <> 'completed') AS failed,
                   extract(epoch FROM max(committed) - min(queued_at))::text AS span,
                   (1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM committed - started_at)::float8))::text AS claim_p50,
                   (1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM committed - started_at)::float8))::text AS claim_p99,
                   (1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM committed - queued_at)::float8))::text AS queued_p50,
                   (1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM committed - queued_at)::float8))::text AS queued_p99,
                   (SELECT count(*) FROM findings WHERE review_id > $1) AS findings
            FROM (SELECT queued_at, started_at, outcome, pg_xact_commit_timestamp(xmin) AS committed
                  FROM reviews WHERE id > $1) r
            """, lastReview)
        try connection.executeScript("ANALYZE")
        func number(_ column: String) throws -> Double { (try row.decode(column, as: String?.self)).flatMap(Double.init) ?? 0 }
        let reviewed: Int = try row.decode("n")
        let findings: Int = try row.decode("findings")
        return Run(
            filings: reviewed, usage: after.usage(since: before), rate: Double(reviewed) / max(try number("span"), 0.001),
            claimP50: try number("claim_p50"), claimP99: try number("claim_p99"),
            queuedP50: try number("queued_p50"), queuedP99: try number("queued_p99"),
            findingsPerFiling: Double(findings) / Double(max(reviewed, 1)), failed: try row.decode("failed"))
    }

    /// Polls (every 20 ms) until the queue is empty; fails when a coordinator exits or nothing
    /// moves for two minutes.
    static func waitUntilEmpty(_ bench: Bench) throws {
        var last = -1
        var lastChange = ContinuousClock.now
        while true {
            let left: Int = try bench.connection.queryRow("SELECT count(*) AS n FROM review_queue").decode("n")
            if left == 0 { return }
            if left != last {
                last = left
                lastChange = .now
            } else if ContinuousClock.now - lastChange > .seconds(120) {
                throw BenchError("the queue has not moved for 2 minutes (\(left) left):\n"
                    + bench.serves.map { $0.child.outputTail() }.joined(separator: "\n"))
            }
            for serve in bench.serves where !serve.child.isRunning {
                throw BenchError("cluster-review serve exited during the run:\n\(serve.child.outputTail())")
            }
            usleep(20_000)
        }
    }

    // MARK: - Reporting

    enum Latency { case claim, queued }

    /// One line per run.
    static func describe(_ run: Run) -> String {
        var text = String(format: "%d filings, %.0f/s · CPU per filing %.2f core-ms = PostgreSQL %.2f + coordinator %.2f + workers %.2f (rest of machine %.2f) · claim→commit p50 %.0f / p99 %.0f ms · queued→commit p50 %.0f / p99 %.0f ms · %.1f findings/filing",
                          run.filings, run.rate, run.perFiling("total"), run.perFiling("PostgreSQL"), run.perFiling("coordinator"),
                          run.perFiling("module workers"), run.perFiling("rest"), run.claimP50, run.claimP99, run.queuedP50,
                          run.queuedP99, run.findingsPerFiling)
        if run.failed > 0 { text += " · \(run.failed) FAILED" }
        return text
    }

    static func record(_ run: Run, into figures: inout RunFigures, latency: Latency) {
        figures.record("filings/s", run.rate, unit: "/s", decimals: 0)
        figures.record("CPU per filing, all", run.perFiling("total"), unit: "core-ms", decimals: 2)
        figures.record("  PostgreSQL", run.perFiling("PostgreSQL"), unit: "core-ms", decimals: 2)
        figures.record("  coordinator", run.perFiling("coordinator"), unit: "core-ms", decimals: 2)
        figures.record("  module workers", run.perFiling("module workers"), unit: "core-ms", decimals: 2)
        figures.record("rest of the machine", run.perFiling("rest"), unit: "core-ms", decimals: 2)
        switch latency {
        case .claim:
            figures.record("claim→commit p50", run.claimP50, unit: "ms", decimals: 0)
            figures.record("claim→commit p99", run.claimP99, unit: "ms", decimals: 0)
        case .queued:
            figures.record("queued→commit p50", run.queuedP50, unit: "ms", decimals: 0)
            figures.record("queued→commit p99", run.queuedP99, unit: "ms", decimals: 0)
        }
        figures.record("findings per filing", run.findingsPerFiling, unit: "", decimals: 1)
    }

    /// The coordinators' peak and current resident memory, and their workers' total, in MB.
    static func memoryFigures(_ bench: Bench) -> [(String, Double)] {
        let table = ProcessTable.snapshot()
        let coordinators = ProcessMemory.total(bench.serves.map(\.pid))
        let workers = ProcessMemory.total(bench.serves.flatMap { $0.workers(in: table) })
        return [
            ("coordinator peak RSS", Double(coordinators.peakResidentKB) / 1024),
            ("workers Σ RSS", Double(workers.residentKB) / 1024),
            ("workers Σ PSS", Double(workers.proportionalKB) / 1024),
        ]
    }

    // MARK: - Backlog

    /// A fresh coordinator started on `options.backlog` queued filings: reviews per second from
    /// its start, sampled every second; its memory; CPU per filing over the whole window.
    static func backlog(_ bench: Bench, installation: Installation, rateWithNone: Double) throws {
        let options = bench.options, connection = bench.connection
        print("\nbacklog: \(options.backlog) filings queued, then a fresh coordinator started for \(options.backlogSeconds) s")
        let fill = ContinuousClock.now
        try bench.database.topUpFilings(to: options.backlog)
        try connection.query("UPDATE filings SET status = 'submitted' WHERE status <> 'submitted'")
        let lastReview: Int64 = try connection.queryRow("SELECT coalesce(max(id), 0) AS n FROM reviews").decode("n")
        try connection.query("INSERT INTO review_queue (filing_id, county_code) SELECT id, county_code FROM filings ORDER BY id LIMIT $1",
                             options.backlog)
        try connection.executeScript("VACUUM ANALYZE")
        try bench.database.checkpoint()
        let queued: Int = try connection.queryRow("SELECT count(*) AS n FROM review_queue").decode("n")
        print(String(format: "  %d queued (filed and queued in %.0f s)", queued, durationSeconds(ContinuousClock.now - fill)))

        let before = ProcessCPU.snapshot([])
        let serve = try ServeProcess.start(
            installation: installation, conninfo: bench.database.conninfo, name: "bench-backlog", maxInFlight: options.maxInFlight,
            logPath: bench.logDirectory.appendingPathComponent("serve-backlog.log").path)
        defer { if serve.child.isRunning { serve.stop() } }
        let started = ContinuousClock.now
        var ready: Duration?
        var cumulative: [Int] = []
        var nextSample = started + .seconds(1)
        while ContinuousClock.now < started + .seconds(options.backlogSeconds) {
            if ready == nil {
                let registered: Int = try connection.queryRow(
                    "SELECT count(*) AS n FROM coordinators WHERE name = $1", serve.name).decode("n")
                if registered > 0 && serve.workers().count >= bench.workersPerCoordinator { ready = ContinuousClock.now - started }
            }
            if ContinuousClock.now >= nextSample {
                cumulative.append(try connection.queryRow("SELECT count(*) AS n FROM reviews WHERE id > $1", lastReview).decode("n"))
                nextSample = nextSample + .seconds(1)
            }
            guard serve.child.isRunning else { throw BenchError("cluster-review serve exited:\n\(serve.child.outputTail())") }
            usleep(ready == nil ? 20_000 : 50_000)
        }
        let counters = [("PostgreSQL", try bench.database.postgresCounter())] + ServeProcess.counters([serve])
        let after = ProcessCPU.snapshot(counters)
        let usage = after.usage(since: before.recounted(counters))
        let coordinator = ProcessMemory.read(serve.pid)
        let workers = ProcessMemory.total(serve.workers())
        serve.stop()

        let total = cumulative.last ?? 0
        let firstFive = cumulative.count >= 5 ? cumulative[4] : total
        let seconds = cumulative.count
        let rateFirst = Double(firstFive) / 5
        let rateAfter = Double(total - firstFive) / Double(max(seconds - 5, 1))
        var buckets: [String] = []
        var previous = 0
        for end in stride(from: 5, through: seconds, by: 5) {
            buckets.append(String(format: "%.0f", Double(cumulative[end - 1] - previous) / 5))
            previous = cumulative[end - 1]
        }
        print(String(format: "  ready (modules up, registered) after %.2f s", ready.map(durationSeconds) ?? .nan))
        let firstSeconds = zip(cumulative.prefix(5), [0] + cumulative.prefix(4)).map { String($0 - $1) }
        print("  reviewed in each of the first 5 s: " + firstSeconds.joined(separator: ", "))
        print("  reviewed per second, by 5 s from the start: " + buckets.joined(separator: ", "))
        print(String(format: "  first 5 s: %.0f/s (%.0f%% of the rate with none, %.0f/s); after: %.0f/s (%.0f%%); %d reviewed in %d s",
                     rateFirst, 100 * rateFirst / max(rateWithNone, 1), rateWithNone, rateAfter, 100 * rateAfter / max(rateWithNone, 1),
                     total, seconds))
        let per = { (ms: Double) in ms / Double(max(total, 1)) }
        print(String(format: "  CPU per filing over the window (coordinator start-up included): %.2f core-ms = PostgreSQL %.2f + coordinator %.2f + workers %.2f (rest of machine %.2f)",
                     per(usage.total), per(usage["PostgreSQL"]), per(usage["coordinator"]), per(usage["module workers"]), per(usage.rest)))
        print(String(format: "  coordinator RSS %.1f MB, peak %.1f MB; workers Σ RSS %.1f MB, Σ PSS %.1f MB",
                     Double(coordinator?.residentKB ?? 0) / 1024, Double(coordinator?.peakResidentKB ?? 0) / 1024,
                     Double(workers.residentKB) / 1024, Double(workers.proportionalKB) / 1024))
    }
}
