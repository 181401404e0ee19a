import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import Reports

/// `cluster-review-bench stats`: the full statistics dashboard (`StatisticsRecords.gather` and the
/// HTML page) over 100,000 filings (by default) with a decision review of 44 findings each, on a
/// private PostgreSQL with production durability (`BenchDatabase`).
///
/// The filings are the samples through the door, then set-based copies (`seedInitialFilings`),
/// spread over four years and every status; the reviews and findings are generated set-based: the
/// 44 criteria of the built-in modules, ten of them threshold criteria with margins (two with a
/// bound per year), messages as long as the modules' — so the findings table has the real width.
/// Each run gathers the whole province (as the owner, whose policy passes every row, like a
/// reviewer's), then one county's view; medians of `--runs` runs.
enum StatsBenchmark {
    static let usage = """
        stats [--filings N] [--runs R] [--keep]
          the statistics dashboard over N filings with 44 findings each (default 100,000; 5 runs)
        """

    static func run(arguments: [String]) -> Int32 {
        func number(_ name: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0
            else { return fallback }
            return value
        }
        do {
            try measure(filings: number("--filings", 100_000), runs: number("--runs", 5), keep: arguments.contains("--keep"))
            return 0
        } catch {
            FileHandle.standardError.write(Data("stats benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    /// The 44 criteria of the built-in modules; the threshold ones with their bound.
    static let criteria: [(id: String, bound: Int?)] = {
        var list: [(String, Int?)] = []
        for (prefix, count) in [("ELIG", 1), ("VETO", 3), ("COMP", 9), ("TIER", 2), ("SUPP", 4), ("INNO", 7), ("DIGI", 6), ("GREE", 5),
                                ("OPEN", 3), ("GOVE", 4)] {
            for n in 1...count { list.append(("\(prefix)-\(n)", nil)) }
        }
        let thresholds: [String: Int] = ["COMP-5": 200_000, "COMP-6": 200_000, "COMP-7": 120_000, "COMP-8": 100_000, "COMP-9": 5,
                                         "GOVE-3": 1, "GREE-4": 10, "INNO-1": 3, "INNO-6": 2, "INNO-7": 10]
        return list.map { ($0.0, thresholds[$0.0]) }
    }()

    static func measure(filings count: Int, runs: Int, keep: Bool) throws {
        let installation = try Installation.current()
        let database = try BenchDatabase.start(label: "stats", installation: installation)
        defer { database.stop(keep: keep) }
        let connection = database.connection
        print("cluster-review-bench stats — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(count) filings")
        print("  " + (try database.settingsLine()))

        let started = Date()
        try database.seedInitialFilings(count)
        let filed = Date().timeIntervalSince(started)
        let generated = Date()
        try generate(connection, criteria: criteria)
        let generation = Date().timeIntervalSince(generated)
        try connection.executeScript("VACUUM ANALYZE")
        let sizes = try connection.queryRow("""
            SELECT (SELECT count(*) FROM filings) AS filings, (SELECT count(*) FROM reviews) AS reviews,
                   (SELECT count(*) FROM findings) AS findings,
                   pg_total_relation_size('findings') AS findings_bytes, pg_relation_size('findings_statistics_idx') AS index_bytes
            """)
        let findings: Int = try sizes.decode("findings")
        print(String(format: "  filed %d filings in %.1f s; generated %d reviews and %d findings in %.1f s",
                     try sizes.decode("filings", as: Int.self), filed, try sizes.decode("reviews", as: Int.self), findings, generation))
        print(String(format: "  findings table %.0f MB with its indexes; findings_statistics_idx %.0f MB",
                     Double(try sizes.decode("findings_bytes", as: Int64.self)) / 1e6, Double(try sizes.decode("index_bytes", as: Int64.self)) / 1e6))

        // The write path's extra work: the generated column's function, per threshold finding,
        // as the difference between reading 200,000 threshold findings with and without it.
        func seconds(_ sql: String) throws -> Double {
            let t0 = Date()
            try connection.executeScript(sql)
            return Date().timeIntervalSince(t0)
        }
        let sample = "(SELECT comparator, margin, threshold, observed FROM findings WHERE kind = 'threshold' LIMIT 200000)"
        _ = try seconds("SELECT count(margin) FROM \(sample) s")
        let without = try seconds("SELECT count(margin) FROM \(sample) s")
        let with = try seconds("SELECT count(cr_relative_margin(comparator, margin, threshold, observed)) FROM \(sample) s")
        print(String(format: "  cr_relative_margin: %.1f µs per threshold finding (200,000 read with it %.0f ms, without %.0f ms)",
                     (with - without) / 200_000 * 1e6, with * 1000, without * 1000))

        _ = try Logins.add(name: "bench_county_\(getpid())", role: .county("469005"), on: connection)
        let countyConnection = try PostgresConnection(database.conninfo + " user=bench_county_\(getpid())")
        defer { countyConnection.close() }

        var figures = RunFigures()
        var last: ProvinceStatistics?
        for _ in 0..<runs {
            let t0 = Date()
            let statistics = try StatisticsRecords.gather(StatisticsFilter(), on: connection)
            let t1 = Date()
            let page = StatisticsPage.render(statistics, language: .zh)
            let t2 = Date()
            figures.record("province: gather (ms)", t1.timeIntervalSince(t0) * 1000, unit: "ms", decimals: 0)
            figures.record("province: HTML page (ms)", t2.timeIntervalSince(t1) * 1000, unit: "ms", decimals: 1)
            figures.record("province: dashboard (ms)", t2.timeIntervalSince(t0) * 1000, unit: "ms", decimals: 0)
            let t3 = Date()
            let year = try StatisticsRecords.gather(StatisticsFilter(year: 2026), on: connection)
            figures.record("province, one year (ms)", Date().timeIntervalSince(t3) * 1000, unit: "ms", decimals: 0)
            let t4 = Date()
            let own = try StatisticsRecords.gather(StatisticsFilter(), on: countyConnection)
            figures.record("one county's login (ms)", Date().timeIntervalSince(t4) * 1000, unit: "ms", decimals: 0)
            _ = (page.count, year.totalFilings, own.totalFilings)
            last = statistics
        }
        if let last {
            print("  counted: \(last.totalFilings) filings, \(last.criteria.reduce(0) { $0 + $1.total }) findings, "
                  + "\(last.margins.reduce(0) { $0 + $1.findings }) with a margin")
        }
        print(figures.table())
    }

    /// Statuses, years, one decision review per filing and its 44 findings, set-based, as the owner.
    static func generate(_ connection: PostgresConnection, criteria: [(id: String, bound: Int?)]) throws {
        try connection.transaction { connection in
            try connection.executeScript("SET LOCAL session_replication_role = replica")
            try connection.query("""
                UPDATE filings SET filed_on = filed_on - ((id % 4) * 365)::integer,
                    status = (ARRAY['reviewed', 'recognized', 'refused', 'returned', 'in_publicity', 'reviewed', 'superseded', 'reviewed'])[1 + id % 8]
                """)
            try connection.query("""
                INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, started_at, finished_at,
                                     rulebook, as_of)
                SELECT nextval('review_ids'), f.id, f.county_code, 'decision', 'completed',
                       (ARRAY['needs_review', 'recommended', 'not_recommended', 'needs_review', 'rejected_by_veto'])[1 + f.id % 5],
                       1, now(), now(), now(), 'hainan-2023', f.filed_on
                FROM filings f
                """)
            let ids = TextArray(criteria.map(\.id))
            let bounds = TextArray(criteria.map { String($0.bound ?? 0) })
            try connection.query("""
                INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                      observed, threshold, comparator, margin, message_zh, message_en, citation, parameters)
                SELECT r.id, c.id, r.filing_id, r.county_code, lower(split_part(c.id, '-', 1)), '1.0.0',
                       CASE WHEN c.bound > 0 THEN 'threshold' ELSE 'judgement' END,
                       CASE WHEN c.bound > 0 THEN CASE WHEN m.v < 0 THEN 'fail' ELSE 'pass' END
                            ELSE (ARRAY['manual', 'pass', 'pass', 'not_applicable', 'warn'])[1 + (r.id + c.n) % 5] END,
                       CASE WHEN c.bound > 0 AND m.v < 0 THEN 40 ELSE 80 END,
                       CASE WHEN c.id IN ('COMP-7', 'COMP-8') THEN jsonb_build_object('2023', c.bound + m.v, '2024', c.bound * 2, '2025', c.bound * 3)
                            WHEN c.bound > 0 THEN to_jsonb(c.bound + m.v) END,
                       CASE WHEN c.id IN ('COMP-7', 'COMP-8') THEN jsonb_build_object('2023', c.bound, '2024', c.bound, '2025', c.bound)
                            WHEN c.bound > 0 THEN to_jsonb(c.bound) END,
                       CASE WHEN c.bound > 0 THEN '>=' END,
                       CASE WHEN c.bound > 0 THEN to_jsonb(m.v) END,
                       c.id || '：' || repeat('集群主导产业的相关指标情况说明，', 3) || '需对照认定标准判断是否满足',
                       c.id || ': ' || repeat('the figures stated by the cluster for this criterion, ', 2) || 'judged against the standard',
                       '《海南省中小企业特色产业集群认定管理办法》第五条（' || c.n || '）',
                       CASE WHEN c.bound > 0 THEN jsonb_build_object('min_value', c.bound) ELSE '{}'::jsonb END
                FROM reviews r
                CROSS JOIN unnest($1::text[], $2::text[]::bigint[]) WITH ORDINALITY AS c(id, bound, n)
                CROSS JOIN LATERAL (SELECT ((hashint8(r.id * 64 + c.n) % 1000) * c.bound / 1000)::bigint AS v) AS m
                """, [ids, bounds])
        }
    }
}
