import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import EmbeddedPostgres

/// `cluster-review-bench sweep`: the lifecycle sweep over a generated register of 100,000
/// clusters (by default) with their annual reports, change reports, incidents and false-filing
/// flags, on a private PostgreSQL; the same sweep run again (nothing new to record); and the sweep
/// of the next day.
///
/// The data is generated set-based (`generate_series`, one INSERT … SELECT per table) with
/// triggers off (`session_replication_role = replica`); the sweeps run with every trigger on, the
/// audit log included, exactly as in production.
enum SweepBenchmark {
    /// Parses `--clusters N` and `--keep` (leave the server's folder for inspection) and runs.
    static func run(arguments: [String]) -> Int32 {
        guard let parsed = BenchArguments(arguments, values: ["--clusters"], flags: ["--keep"]),
            let clusters = parsed.int("--clusters", default: 100_000, minimum: 1)
        else {
            FileHandle.standardError.write(Data("usage: cluster-review-bench sweep [--clusters N] [--keep]\n".utf8))
            return 64
        }
        do {
            try measure(clusters: clusters, keep: parsed.flag("--keep"))
            return 0
        } catch {
            FileHandle.standardError.write(Data("sweep benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    static func measure(clusters: Int, keep: Bool) throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cr-sweep-bench-\(getpid())")
        let server = EmbeddedPostgres(
            directory: directory,
            settings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "shared_buffers": "256MB",
                       "work_mem": "64MB", "maintenance_work_mem": "256MB", "max_wal_size": "4GB"])
        _ = try server.start()
        defer {
            try? server.stop()
            if !keep { try? FileManager.default.removeItem(at: directory) }
        }
        try server.createDatabase("bench")
        let connection = try PostgresConnection(server.conninfo(database: "bench"))
        defer { connection.close() }
        _ = try Migrator.migrate(connection, migrations: try Migrator.load(from: try Installation.current().sqlDirectory))

        print("cluster-review-bench sweep — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(clusters) clusters")
        // The sweep runs in this connection's backend: PostgreSQL's CPU is the postmaster's whole tree.
        let postmaster = server.postmasterPID() ?? 0
        let cpu: ProcessCPU.Counter = { $0.treeTicks(postmaster) }
        let generation = try time(cpu) { try generate(connection, clusters: clusters) }.seconds
        let counts = try connection.queryRow(
            """
            SELECT (SELECT count(*) FROM clusters) AS clusters, (SELECT count(*) FROM cluster_enterprises) AS enterprises,
                   (SELECT count(*) FROM annual_reports) AS annual_reports, (SELECT count(*) FROM change_reports) AS change_reports,
                   (SELECT count(*) FROM incidents) AS incidents, (SELECT count(*) FROM false_filing_flags) AS flags
            """)
        print(String(format: "generated in %.1f s: %d clusters, %d enterprises, %d annual reports, %d change reports, %d incidents, %d flags",
                     generation, try counts.decode("clusters", as: Int.self), try counts.decode("enterprises", as: Int.self),
                     try counts.decode("annual_reports", as: Int.self), try counts.decode("change_reports", as: Int.self),
                     try counts.decode("incidents", as: Int.self), try counts.decode("flags", as: Int.self)))

        let asOf = CivilDate("2027-06-01")!
        // The bench database is a simulation: its clock (which only its owner may set) stands on the as-of day.
        try DatabaseClock.simulate(asOf, reason: "sweep benchmark", on: connection)
        let sweep = Sweep(connection)
        var first: SweepReport!
        let firstTime = try time(cpu) { first = try sweep.run(asOf: asOf, slot: "bench") }
        report("sweep as of \(asOf)", firstTime, first)
        var again: SweepReport!
        let againTime = try time(cpu) { again = try sweep.run(asOf: asOf, slot: "bench") }
        report("the same sweep again", againTime, again)
        var next: SweepReport!
        try DatabaseClock.simulate(asOf.adding(days: 1), reason: "sweep benchmark: the next day", on: connection)
        let nextTime = try time(cpu) { next = try sweep.run(asOf: asOf.adding(days: 1)) }
        report("the next day's sweep", nextTime, next)
        let audit: Int = try connection.queryRow("SELECT count(*) AS n FROM audit_log WHERE table_name = 'sweep_actions'").decode("n")
        print("audit rows for sweep actions: \(audit)")
    }

    static func report(_ label: String, _ measured: (seconds: Double, usage: CPUUsage), _ report: SweepReport) {
        var byKind: [String: Int] = [:]
        for action in report.actions { byKind[action.action == "revoke" ? "revoke \(action.ground)" : action.action, default: 0] += 1 }
        let detail = byKind.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print(String(format: "%@: %.2f s (PostgreSQL CPU %.2f core-s, rest of the machine %.2f), %d new actions",
                     label, measured.seconds, measured.usage.total / 1000, measured.usage.rest / 1000, report.actions.count)
            + (detail.isEmpty ? "" : " (\(detail))"))
    }

    /// Wall-clock seconds of `body`, and the CPU `counter` counts over it (with the whole machine's).
    static func time(_ counter: @escaping ProcessCPU.Counter, _ body: () throws -> Void) throws -> (seconds: Double, usage: CPUUsage) {
        let before = ProcessCPU.snapshot([("PostgreSQL", counter)])
        try body()
        let after = ProcessCPU.snapshot([("PostgreSQL", counter)])
        let usage = after.usage(since: before)
        return (usage.seconds, usage)
    }

    /// The register and its reports, set-based. Recognitions spread over 2024–2026; per report
    /// year 2 % missing, 3 % late, 1 % stating a changed leading industry (half of those reported
    /// first); one incident per 5 clusters across all categories and grades; 100 false filings.
    static func generate(_ connection: PostgresConnection, clusters n: Int) throws {
        try connection.executeScript("SET session_replication_role = replica")
        try connection.executeScript("""
            CREATE FUNCTION pg_temp.bench_uscc(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                SELECT p || substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
                    (31 - (SELECT sum((substr(p, i, 1))::int * ((3::bigint ^ (i - 1))::bigint % 31)) FROM generate_series(1, 17) i)::int % 31) % 31 + 1, 1)
                FROM (SELECT '9146' || lpad(n::text, 13, '0') AS p) x
            $$;
            """)
        _ = try connection.query(
            """
            INSERT INTO filings (id, kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
            OVERRIDING SYSTEM VALUE
            SELECT i, 'initial', (SELECT array_agg(code ORDER BY code) FROM counties)[1 + i % 26], 'bench cluster ' || i,
                   date '2024-01-01' + (i % 1096)::int - 60, 1,
                   jsonb_build_object('cluster', jsonb_build_object('leading_industry', 'industry ' || i % 40)),
                   sha256(convert_to('initial ' || i, 'UTF8')), 'recognized'
            FROM generate_series(1, $1::bigint) AS i
            """, [n])
        _ = try connection.query(
            """
            INSERT INTO clusters (id, certificate_no, filing_id, county_code, name, recognized_on, valid_until, leading_industry,
                                  spatial_extent, county_codes, area_km2, management_body)
            OVERRIDING SYSTEM VALUE
            SELECT f.id, 'BENCH-' || lpad(f.id::text, 7, '0'), f.id, f.county_code, f.cluster_name, f.filed_on + 60,
                   (f.filed_on + 60 + interval '3 years')::date, 'industry ' || f.id % 40, f.county_code, ARRAY[f.county_code], 50,
                   'management body ' || f.id
            FROM filings f WHERE f.kind = 'initial'
            """)
        _ = try connection.query("UPDATE filings SET cluster_id = id WHERE kind = 'initial'")
        _ = try connection.query(
            "INSERT INTO cluster_enterprises SELECT c.id, pg_temp.bench_uscc(c.id * 10 + j) FROM clusters c, generate_series(0, 4) AS j")
        try connection.executeScript("""
            CREATE TEMP TABLE report_plan AS
            SELECT c.id AS cluster_id, y.year, row_number() OVER () AS n, x.h
            FROM clusters c
            CROSS JOIN LATERAL generate_series(extract(year FROM c.recognized_on)::int, 2026) AS y(year)
            CROSS JOIN LATERAL (SELECT abs(hashint8(c.id * 10000 + y.year)) % 100 AS h) AS x
            WHERE make_date(y.year + 1, 3, 30) <= c.valid_until;
            """)
        _ = try connection.query(
            """
            INSERT INTO filings (id, kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status, cluster_id)
            OVERRIDING SYSTEM VALUE
            SELECT 10000000 + p.n, 'annual_report', c.county_code, c.name,
                   CASE WHEN p.h < 5 THEN make_date(p.year + 1, 4, 10) ELSE make_date(p.year + 1, 3, 1 + (p.n % 29)::int) END, 1,
                   jsonb_build_object('annual_report', jsonb_build_object('year', p.year)),
                   sha256(convert_to('annual ' || p.n, 'UTF8')), 'recorded', c.id
            FROM report_plan p JOIN clusters c ON c.id = p.cluster_id
            WHERE p.h >= 2
            """)
        _ = try connection.query(
            """
            INSERT INTO annual_reports (filing_id, cluster_id, year, filed_on, changed_fields, stated)
            SELECT f.id, f.cluster_id, p.year, f.filed_on,
                   CASE WHEN p.h = 50 THEN ARRAY['leading_industry'] ELSE '{}'::text[] END, '{}'
            FROM report_plan p JOIN filings f ON f.id = 10000000 + p.n
            """)
        _ = try connection.query(
            """
            INSERT INTO filings (id, kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status, cluster_id)
            OVERRIDING SYSTEM VALUE
            SELECT 20000000 + p.n, 'change_report', c.county_code, c.name, make_date(p.year + 1, 1, 15), 1, '{}'::jsonb,
                   sha256(convert_to('change ' || p.n, 'UTF8')), 'recorded', c.id
            FROM report_plan p JOIN clusters c ON c.id = p.cluster_id
            WHERE p.h = 50 AND p.cluster_id % 2 = 0
            """)
        _ = try connection.query(
            """
            INSERT INTO change_reports (filing_id, cluster_id, filed_on, subjects, changes, state, decided_on)
            SELECT f.id, f.cluster_id, f.filed_on, ARRAY['leading_industry'], '[]', 'accepted', f.filed_on + 10
            FROM filings f WHERE f.kind = 'change_report'
            """)
        _ = try connection.query(
            """
            INSERT INTO incidents (enterprise_code, occurred_on, category, grade, source)
            SELECT pg_temp.bench_uscc(((k * 7919) % $1::bigint + 1) * 10 + k % 5), date '2024-01-01' + (k % 1200)::int,
                   (ARRAY['safety', 'quality', 'environment', 'cyber', 'data', 'tax_evasion', 'illegal_conduct',
                          'serious_dishonesty', 'other_major'])[1 + k % 9],
                   CASE WHEN k % 9 < 5 THEN (ARRAY['general', 'larger', 'major', 'especially_major'])[1 + (k / 9) % 4] END,
                   'bench'
            FROM generate_series(1, $1::bigint / 5) AS k
            """, [n])
        _ = try connection.query(
            """
            INSERT INTO false_filing_flags (cluster_id, note, flagged_on)
            SELECT (k * 997) % $1::bigint + 1, 'bench', date '2026-01-01' + k::int FROM generate_series(1, 100) AS k
            """, [n])
        try connection.executeScript("""
            SET session_replication_role = DEFAULT;
            SELECT setval(pg_get_serial_sequence('filings', 'id'), (SELECT max(id) FROM filings));
            SELECT setval(pg_get_serial_sequence('clusters', 'id'), (SELECT max(id) FROM clusters));
            """)
        try connection.executeScript("VACUUM ANALYZE")
    }
}
