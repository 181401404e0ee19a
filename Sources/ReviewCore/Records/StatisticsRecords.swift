import Foundation
import IndicatorKit
import Postgres
import Reports

/// The statistics of the province (issue 18 item 1), read through the `security_invoker` views of
/// sql/140 — so a county's login counts its own county's rows and nothing else — and aggregated
/// set-based by the database: a few hundred grouped rows come back, never the filings. Every
/// statement on the statistics views lives here; the CLI and the web door call `gather`.
public enum StatisticsRecords {
    /// Everything the dashboard shows for `filter`, in one REPEATABLE READ, READ ONLY transaction
    /// (every table counted at the same moment; nothing written).
    public static func gather(_ filter: StatisticsFilter, on connection: PostgresConnection) throws -> ProvinceStatistics {
        try connection.transaction { connection in
            try connection.executeScript("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try read(filter, on: connection)
        }
    }

    // Every statement is sent unprepared (`query`, not `queryPrepared`), so PostgreSQL plans it for
    // the filter given: a cached generic plan cannot drop the `$1 IS NULL OR …` it does not know,
    // and after five runs took the province's dashboard from 1.7 s to 11.6 s (docs/benchmarks.md).
    private static func read(_ filter: StatisticsFilter, on connection: PostgresConnection) throws -> ProvinceStatistics {
        let parameters: [any PostgresEncodable] = [filter.year, filter.county, filter.industry]
        let filings = try connection.query("""
            SELECT county_code, leading_industry, year, status, recommendation, count(*)::bigint AS filings
            FROM statistics_filings
            WHERE ($1::integer IS NULL OR year = $1) AND ($2::text IS NULL OR county_code = $2)
              AND ($3::text IS NULL OR leading_industry = $3)
            GROUP BY county_code, leading_industry, year, status, recommendation
            ORDER BY county_code, leading_industry, year, status, recommendation NULLS FIRST
            """, parameters).rows.map { row in
            ProvinceStatistics.FilingCount(
                countyCode: try row.decode("county_code"), leadingIndustry: try row.decode("leading_industry"),
                year: try row.decode("year"), status: try row.decode("status"), recommendation: try row.decode("recommendation"),
                filings: try row.decode("filings"))
        }
        // Verdicts and margin bands in one pass over the findings, grouped by both at once (a few
        // hundred groups, one parallel hash aggregate); the two tallies are summed here.
        var verdicts: [String: (kind: String, counts: [String: Int])] = [:]
        var bands: [String: [Int: Int]] = [:]
        let edges = ArrayLiteral(.text, texts: MarginBands.edges.map { Optional("\($0)") })
        let rows = try connection.query("""
            SELECT criterion, kind, verdict, width_bucket(relative_margin, $4::text[]::numeric[]) AS band, count(*)::bigint AS findings
            FROM statistics_findings
            WHERE ($1::integer IS NULL OR year = $1) AND ($2::text IS NULL OR county_code = $2)
              AND ($3::text IS NULL OR leading_industry = $3)
            GROUP BY criterion, kind, verdict, width_bucket(relative_margin, $4::text[]::numeric[])
            """, parameters + [edges]).rows
        for row in rows {
            let criterion: String = try row.decode("criterion")
            let count: Int = try row.decode("findings")
            let verdict: String = try row.decode("verdict")
            let kind: String = try row.decode("kind")
            verdicts[criterion, default: (kind, [:])].counts[verdict, default: 0] += count
            if let band: Int = try row.decode("band") { bands[criterion, default: [:]][band, default: 0] += count }
        }
        let margins = bands.keys.sorted().flatMap { criterion in
            bands[criterion]!.keys.sorted().map { ProvinceStatistics.MarginCount(criterion: criterion, band: $0, findings: bands[criterion]![$0]!) }
        }
        let criteria = verdicts.map { ProvinceStatistics.CriterionCount(criterion: $0.key, kind: $0.value.kind, verdicts: $0.value.counts) }
            .sorted { ($0.failRate, $1.criterion) > ($1.failRate, $0.criterion) }
        let register = try connection.query("""
            SELECT county_code, status, year, count(*)::bigint AS clusters,
                   sum(output_wan) AS output_wan, sum(employees) AS employees
            FROM statistics_register
            WHERE ($1::integer IS NULL OR year = $1) AND ($2::text IS NULL OR county_code = $2)
              AND ($3::text IS NULL OR leading_industry = $3)
            GROUP BY county_code, status, year
            ORDER BY county_code, status, year
            """, parameters).rows.map { row in
            ProvinceStatistics.RegisterCount(
                countyCode: try row.decode("county_code"), status: try row.decode("status"), year: try row.decode("year"),
                clusters: try row.decode("clusters"), outputWan: try row.decode("output_wan"), employees: try row.decode("employees"))
        }
        let watchlist = try connection.query("""
            SELECT w.cluster_id, w.certificate_no, c.name, c.county_code, w.year,
                   to_jsonb(coalesce(array_agg(w.criterion ORDER BY w.criterion) FILTER (WHERE w.verdict = 'fail'), '{}')) AS failed,
                   to_jsonb(coalesce(array_agg(w.criterion ORDER BY w.criterion) FILTER (WHERE w.verdict = 'warn'), '{}')) AS warned
            FROM cluster_watchlist w
            JOIN clusters c ON c.id = w.cluster_id
            WHERE ($1::integer IS NULL OR w.year = $1) AND ($2::text IS NULL OR c.county_code = $2)
              AND ($3::text IS NULL OR c.leading_industry = $3)
            GROUP BY w.cluster_id, w.certificate_no, c.name, c.county_code, w.year
            ORDER BY c.county_code, w.certificate_no, w.year
            """, parameters).rows.map { row in
            ProvinceStatistics.WatchedCluster(
                clusterId: try row.decode("cluster_id"), certificateNo: try row.decode("certificate_no"), name: try row.decode("name"),
                countyCode: try row.decode("county_code"), year: try row.decode("year"),
                failed: try row.decode("failed", as: JSONB.self).decode([String].self),
                warned: try row.decode("warned", as: JSONB.self).decode([String].self))
        }
        return ProvinceStatistics(filter: filter, filings: filings, criteria: criteria, margins: margins, register: register, watchlist: watchlist)
    }
}
