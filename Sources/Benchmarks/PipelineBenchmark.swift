import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import Rulebooks

/// End-to-end throughput of the coordinator (queued → findings committed) with every module,
/// with one and two coordinators, against the same pipeline with a process spawned per
/// evaluation; and the coordinator's peak memory with a large backlog.
enum PipelineBenchmark {
    static let usage = """
        pipeline [--filings N] [--baseline-filings N] [--backlog N] [--backlog-seconds S]
          end-to-end review throughput and latency (1 and 2 coordinators), spawn-per-evaluation
          baseline, and peak RSS with a queued backlog
        """

    static func run(arguments: [String]) async -> Int32 {
        var filings = 2000, baselineFilings = 40, backlog = 100_000, backlogSeconds = 8
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
            switch (arguments[index], value) {
            case ("--filings", let v?): filings = v
            case ("--baseline-filings", let v?): baselineFilings = v
            case ("--backlog", let v?): backlog = v
            case ("--backlog-seconds", let v?): backlogSeconds = v
            default:
                FileHandle.standardError.write(Data("usage: cluster-review-bench \(usage)\n".utf8))
                return 64
            }
            index += 2
        }
        do {
            try await measure(filings: filings, baselineFilings: baselineFilings, backlog: backlog, backlogSeconds: backlogSeconds)
            return 0
        } catch {
            FileHandle.standardError.write(Data("pipeline benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    struct Setup {
        var server: EmbeddedPostgres
        var conninfo: String
        var installation: Installation
        var registry: ModuleRegistry
        var rulebooks: RulebookLibrary
    }

    static func measure(filings: Int, baselineFilings: Int, backlog: Int, backlogSeconds: Int) async throws {
        let installation = try Installation.current()
        let server = EmbeddedPostgres(directory: URL(fileURLWithPath: "/tmp/cr-bench-\(getpid())"))
        try server.start()
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
        try server.createDatabase("bench")
        let conninfo = server.conninfo(database: "bench")
        let connection = try PostgresConnection(conninfo)
        _ = try Migrator.migrate(connection, migrations: try Migrator.load(from: installation.sqlDirectory))
        let registry = try ModuleRegistry.load(
            file: installation.configDirectory.appendingPathComponent("modules.json").path,
            binDirectory: installation.executables.path, baseDirectory: installation.root.path)
        let rulebooks = try RulebookLibrary.load(contentsOf: installation.configDirectory.appendingPathComponent("parameters.json"))
        let setup = Setup(server: server, conninfo: conninfo, installation: installation, registry: registry, rulebooks: rulebooks)
        try seed(filings, on: connection, installation: installation)
        print("pipeline: \(filings) initial filings (copies of the samples), \(registry.enabled.count) modules, release build")

        for coordinators in [1, 2] {
            var rates: [Double] = []
            var p50s: [Double] = [], p99s: [Double] = []
            for _ in 0..<3 {
                try requeue(on: connection)
                let seconds = try await drain(setup, coordinators: coordinators, registry: registry)
                rates.append(Double(filings) / seconds)
                let (p50, p99) = try latency(on: connection)
                p50s.append(p50)
                p99s.append(p99)
            }
            print(String(format: "  %d coordinator%@: %7.0f filings/s (median of 3), review latency p50 %.0f ms, p99 %.0f ms",
                         coordinators, coordinators == 1 ? " " : "s", median(rates), median(p50s), median(p99s)))
        }

        // The naive design: a fresh process for every evaluation (workers recycled after one request).
        var spawning = registry
        for index in spawning.modules.indices {
            spawning.modules[index].pool.recycleAfter = 1
            spawning.modules[index].pool.recycleJitter = 0
        }
        try connection.executeScript("DELETE FROM findings; DELETE FROM reviews; DELETE FROM review_queue")
        try connection.query("""
            INSERT INTO review_queue (filing_id, county_code)
            SELECT id, county_code FROM filings ORDER BY id LIMIT $1
            """, baselineFilings)
        let baselineSeconds = try await drain(setup, coordinators: 1, registry: spawning)
        let baselineRate = Double(baselineFilings) / baselineSeconds
        print(String(format: "  spawn per evaluation: %7.1f filings/s (%d filings)", baselineRate, baselineFilings))

        // Peak memory with a large backlog: the coordinator must not load it.
        try connection.executeScript("DELETE FROM findings; DELETE FROM reviews; DELETE FROM review_queue")
        try cloneForBacklog(backlog, on: connection)
        let queued: Int = try connection.queryRow("SELECT count(*) AS n FROM review_queue").decode("n")
        let before = residentKB().current
        let (done, peak) = try await runFor(setup, seconds: backlogSeconds, registry: registry)
        print("  backlog: \(queued) queued; one coordinator reviewed \(done) in \(backlogSeconds) s; "
              + "resident \(before / 1024) MB before, peak \(peak / 1024) MB (VmHWM of the coordinator process)")
    }

    /// Copies of the samples' initial filings, spread over their counties.
    static func seed(_ count: Int, on connection: PostgresConnection, installation: Installation) throws {
        let directory = installation.configDirectory.appendingPathComponent("samples")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") && $0 != "expected.json" }
        for file in files.sorted() {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            guard case .success(let filing) = FilingValidator.decode(data), filing.kind == .initial,
                let submission = FilingSubmission(filing: filing, payload: data)
            else { continue }
            _ = try FilingStore.submit(submission, on: connection)
        }
        let seeds: Int = try connection.queryRow("SELECT count(*) AS n FROM filings").decode("n")
        try connection.query("""
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
            SELECT kind, county_code, cluster_name || ' #' || n, filed_on, format_version,
                   jsonb_set(payload, '{cluster,name}', to_jsonb(cluster_name || ' #' || n)),
                   sha256(convert_to(jsonb_set(payload, '{cluster,name}', to_jsonb(cluster_name || ' #' || n))::text, 'UTF8'))
            FROM (SELECT f.*, n FROM generate_series(1, $1) AS n
                  JOIN LATERAL (SELECT * FROM filings ORDER BY id OFFSET (n % $2) LIMIT 1) f ON true) copies
            """, max(0, count - seeds), seeds)
        try connection.query("DELETE FROM review_queue")
    }

    static func cloneForBacklog(_ backlog: Int, on connection: PostgresConnection) throws {
        try connection.query("DELETE FROM review_queue")
        let existing: Int = try connection.queryRow("SELECT count(*) AS n FROM filings").decode("n")
        if existing < backlog {
            try connection.query("""
                INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
                SELECT kind, county_code, cluster_name || ' backlog ' || n, filed_on, format_version, payload,
                       sha256(convert_to(payload::text || n::text, 'UTF8'))
                FROM (SELECT f.*, n FROM generate_series(1, $1) AS n
                      JOIN LATERAL (SELECT * FROM filings WHERE id = 1 + (n % $2)) f ON true) copies
                """, backlog - existing, existing)
        }
        try connection.query("INSERT INTO review_queue (filing_id, county_code) SELECT id, county_code FROM filings ORDER BY id LIMIT $1", backlog)
    }

    static func requeue(on connection: PostgresConnection) throws {
        try connection.query("DELETE FROM findings")
        try connection.query("DELETE FROM reviews")
        try connection.query("DELETE FROM review_queue")
        try connection.query("UPDATE filings SET status = 'submitted'")
        try connection.query("INSERT INTO review_queue (filing_id, county_code) SELECT id, county_code FROM filings")
        try connection.query("VACUUM ANALYZE review_queue")
    }

    /// Runs `coordinators` coordinators (modules started first, not timed) until the queue is empty;
    /// returns the seconds from the first claim to the last commit.
    static func drain(_ setup: Setup, coordinators: Int, registry: ModuleRegistry) async throws -> Double {
        var running: [Coordinator] = []
        for index in 0..<coordinators {
            let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: .discarding)
            if !errors.isEmpty { throw PostgresError.client("modules did not start: \(errors)") }
            var configuration = CoordinatorConfiguration(name: "bench-\(index)")
            configuration.maxInFlight = 48
            configuration.pollInterval = .milliseconds(100)
            running.append(Coordinator(conninfo: setup.conninfo, configuration: configuration, modules: modules,
                                       rulebooks: setup.rulebooks, logger: .discarding))
        }
        let started = ContinuousClock.now
        let tasks = running.map { coordinator in Task { await coordinator.run() } }
        let watcher = try PostgresConnection(setup.conninfo)
        while true {
            try await Task.sleep(for: .milliseconds(20))
            let left: Int = try watcher.queryRow("SELECT count(*) AS n FROM review_queue").decode("n")
            if left == 0 { break }
        }
        let elapsed = ContinuousClock.now - started
        for coordinator in running { await coordinator.stop() }
        for task in tasks { await task.value }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Runs one coordinator for `seconds`; returns reviews done and the process's peak resident KB.
    static func runFor(_ setup: Setup, seconds: Int, registry: ModuleRegistry) async throws -> (Int, Int) {
        let (modules, _) = await Coordinator.ModuleSet.start(registry, logger: .discarding)
        var configuration = CoordinatorConfiguration(name: "bench-backlog")
        configuration.maxInFlight = 48
        let coordinator = Coordinator(conninfo: setup.conninfo, configuration: configuration, modules: modules,
                                      rulebooks: setup.rulebooks, logger: .discarding)
        let task = Task { await coordinator.run() }
        try await Task.sleep(for: .seconds(seconds))
        await coordinator.stop()
        await task.value
        let watcher = try PostgresConnection(setup.conninfo)
        let done: Int = try watcher.queryRow("SELECT count(*) AS n FROM reviews").decode("n")
        return (done, residentKB().peak)
    }

    static func latency(on connection: PostgresConnection) throws -> (Double, Double) {
        let row = try connection.queryRow("""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at))::numeric * 1000 AS p50,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at))::numeric * 1000 AS p99
            FROM reviews
            """)
        let p50: Decimal = try row.decode("p50")
        let p99: Decimal = try row.decode("p99")
        return (NSDecimalNumber(decimal: p50).doubleValue, NSDecimalNumber(decimal: p99).doubleValue)
    }

    static func residentKB() -> (current: Int, peak: Int) {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
