import Foundation
import IndicatorKit
import JSONCore
import Postgres
import Reports
import ReviewCore
import TestSupport
import Testing

/// A small province on record: filings of two counties, two industries and two years in every
/// status, decision reviews (one filing reviewed twice; a monitoring review that must not count),
/// threshold findings with margins against one bound and against a bound per year, a register of
/// two entries with figures, and an annual report whose monitoring review failed.
struct StatisticsProvince {
    static let a = "469005"
    static let b = "460105"
    let connection: PostgresConnection
    let conninfo: String

    init() throws {
        conninfo = try TestCluster.makeDatabase()
        connection = try PostgresConnection(conninfo)
        try seed()
    }

    private func filing(_ county: String, _ industry: String, _ filedOn: String, _ status: String, kind: String = "initial",
                        figures: String = "[]", cluster: Int64? = nil) throws -> Int64 {
        let payload = """
            {"applicant": {"county_code": "\(county)"}, "cluster": {"name": "集群", "leading_industry": "\(industry)"}, "figures": \(figures)}
            """
        return try connection.queryRow("""
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status, cluster_id)
            VALUES ($5, $1, '集群', $3::date, 1, $2::jsonb, sha256(convert_to(gen_random_uuid()::text, 'UTF8')), $4, $6) RETURNING id
            """, [county, payload, filedOn, status, kind, cluster]).decode("id")
    }

    /// A completed review with findings (criterion, verdict, margin, threshold, observed).
    @discardableResult
    private func review(_ filing: Int64, purpose: String = "decision", recommendation: String, finishedAt: String,
                        findings: [(String, String, String?, String?, String?)]) throws -> Int64 {
        let id: Int64 = try connection.queryRow("""
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, finished_at)
            SELECT nextval('review_ids'), f.id, f.county_code, $2, 'completed', $3, 1, now(), $4::timestamptz FROM filings f WHERE f.id = $1
            RETURNING id
            """, [filing, purpose, recommendation, finishedAt]).decode("id")
        for (criterion, verdict, margin, threshold, observed) in findings {
            try connection.query("""
                INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                      observed, threshold, comparator, margin, message_zh, message_en, citation)
                SELECT $1, $2, f.id, f.county_code, 'fixture', '1', CASE WHEN $4::jsonb IS NULL THEN 'judgement' ELSE 'threshold' END,
                       $3, 50, $6::jsonb, $5::jsonb, CASE WHEN $4::jsonb IS NULL THEN NULL ELSE '>=' END, $4::jsonb, '夹具', 'fixture', 'Art. 5'
                FROM filings f WHERE f.id = $7
                """, [id, criterion, verdict, margin, threshold, observed, filing])
        }
        return id
    }

    private func seed() throws {
        // Filings: (county, industry, filed, status, recommendation or nil, COMP-6 margin over a bound of 200000).
        let plan: [(String, String, String, String, String?, Int?)] = [
            (Self.a, "商业航天", "2025-03-01", "recognized", "recommended", 100_000),
            (Self.a, "商业航天", "2026-03-01", "reviewed", "needs_review", 0),
            (Self.a, "咖啡加工", "2026-04-01", "refused", "not_recommended", -30_000),
            (Self.a, "咖啡加工", "2026-04-02", "submitted", nil, nil),
            (Self.b, "咖啡加工", "2025-05-01", "reviewed", "needs_review", 9_999),
            (Self.b, "咖啡加工", "2026-05-01", "in_publicity", "recommended", 250_000),
            (Self.b, "商业航天", "2026-06-01", "superseded", "rejected_by_veto", -200_000),
            (Self.b, "商业航天", "2026-06-02", "review_failed", nil, nil),
        ]
        var ids: [Int64] = []
        for (index, item) in plan.enumerated() {
            let figures = #"[{"year": 2024, "total_output_wan": 100, "employees": 10}, {"year": 2025, "total_output_wan": \#(300_000 + index), "employees": \#(1000 + index)}]"#
            let id = try filing(item.0, item.1, item.2, item.3, figures: figures)
            ids.append(id)
            guard let recommendation = item.4 else { continue }
            var findings: [(String, String, String?, String?, String?)] = [
                ("COMP-1", "manual", nil, nil, nil),
                ("COMP-6", (item.5 ?? 0) >= 0 ? "pass" : "fail", item.5.map(String.init), "200000", item.5.map { String(200_000 + $0) }),
                // A bound per year: 2024 decides (its margin is the smaller).
                ("COMP-7", "pass", "600", #"{"2024": 6000, "2025": 7000}"#, #"{"2024": 6600, "2025": 9000}"#),
            ]
            if item.3 == "refused" { findings.append(("GREE-2", "fail", nil, nil, nil)) }
            // An older decision review that the latest replaces: its verdicts must not count.
            try review(id, recommendation: "not_recommended", finishedAt: "2026-01-01T00:00:00Z",
                       findings: [("COMP-1", "fail", nil, nil, nil), ("VETO-1", "fail", nil, nil, nil)])
            try review(id, recommendation: recommendation, finishedAt: "2026-07-01T00:00:00Z", findings: findings)
        }
        // A monitoring review of filing 0 (finished last): not the decision, not counted.
        try review(ids[0], purpose: "monitoring", recommendation: "not_recommended", finishedAt: "2026-08-01T00:00:00Z",
                   findings: [("COMP-6", "fail", "-5", "200000", "199995")])
        // The register: filings 0 (A) and 5 (B) recognized; A's in 2025, B's in 2026.
        for (index, recognized) in [(0, "2025-06-01"), (5, "2026-07-01")] {
            try connection.query("""
                INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until, leading_industry,
                                      spatial_extent, management_body)
                SELECT 'HN-T-' || f.id, f.id, f.county_code, '集群' || f.id, $2::date, $2::date + 1095, f.payload #>> '{cluster,leading_industry}',
                       '范围', '管理机构'
                FROM filings f WHERE f.id = $1
                """, [ids[index], recognized])
        }
        // An annual report of A's entry whose monitoring review failed COMP-6 and warned COMP-8.
        let cluster: Int64 = try connection.queryRow("SELECT id FROM clusters WHERE filing_id = $1", [ids[0]]).decode("id")
        let report = try filing(Self.a, "商业航天", "2026-03-15", "recorded", kind: "annual_report", cluster: cluster)
        // (the filing's trigger records it in annual_reports, for 2025: the year before it was filed)
        try review(report, purpose: "monitoring", recommendation: "not_recommended", finishedAt: "2026-03-16T00:00:00Z",
                   findings: [("COMP-6", "fail", "-1", "200000", "199999"), ("COMP-8", "warn", nil, nil, nil)])
    }

    // MARK: the rows themselves, counted one by one

    struct FilingRow { var id: Int64; var county: String; var industry: String; var year: Int; var status: String; var recommendation: String? }

    /// Every filing with the recommendation of its latest decision review, read row by row.
    func filingRows() throws -> [FilingRow] {
        let filings = try connection.query("SELECT id, county_code, payload::text AS payload, filed_on::text AS filed_on, status FROM filings").rows
        let reviews = try latestDecisionReviews()
        return try filings.map { row in
            let id: Int64 = try row.decode("id")
            let payload = try JSONValue(parsing: Data((try row.decode("payload", as: String.self)).utf8))
            return FilingRow(
                id: id, county: try row.decode("county_code"), industry: payload["cluster"]?["leading_industry"]?.string ?? "—",
                year: Int((try row.decode("filed_on", as: String.self)).prefix(4))!, status: try row.decode("status"),
                recommendation: reviews[id]?.recommendation)
        }
    }

    /// Each filing's latest completed decision review (by finished_at, then id), found in Swift.
    func latestDecisionReviews() throws -> [Int64: (id: Int64, recommendation: String)] {
        var latest: [Int64: (id: Int64, at: String, recommendation: String)] = [:]
        for row in try connection.query("""
            SELECT id, filing_id, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at, recommendation
            FROM reviews WHERE purpose = 'decision' AND outcome = 'completed'
            """).rows {
            let filing: Int64 = try row.decode("filing_id"), id: Int64 = try row.decode("id"), at: String = try row.decode("at")
            if let current = latest[filing], (current.at, current.id) > (at, id) { continue }
            latest[filing] = (id, at, try row.decode("recommendation"))
        }
        return latest.mapValues { ($0.id, $0.recommendation) }
    }

    struct FindingRow { var filing: Int64; var criterion: String; var verdict: String; var band: Int? }

    /// The findings of each filing's latest decision review, with the margin band computed here:
    /// margin ÷ the bound (the threshold, or the year's bound whose observed value differs by the margin).
    func findingRows() throws -> [FindingRow] {
        let latest = Set(try latestDecisionReviews().values.map(\.id))
        return try connection.query("""
            SELECT review_id, filing_id, criterion, verdict, margin::text AS margin, threshold::text AS threshold, observed::text AS observed
            FROM findings
            """).rows.compactMap { row in
            guard latest.contains(try row.decode("review_id")) else { return nil }
            var band: Int?
            if let marginText: String = try row.decode("margin"), let margin = Decimal(string: marginText),
                let thresholdText: String = try row.decode("threshold") {
                let threshold = try JSONValue(parsing: Data(thresholdText.utf8))
                var bound: Decimal? = threshold.decimal
                if case .object(let years) = threshold, let observedText: String = try row.decode("observed") {
                    let observed = try JSONValue(parsing: Data(observedText.utf8))
                    bound = years.keys.sorted().compactMap { year -> Decimal? in
                        guard let t = years[year]?.decimal, let o = observed[year]?.decimal, o - t == margin else { return nil }
                        return t
                    }.first
                }
                if let bound, bound != 0 { band = MarginBands.band(of: margin / abs(bound)) }
            }
            return FindingRow(filing: try row.decode("filing_id"), criterion: try row.decode("criterion"), verdict: try row.decode("verdict"),
                              band: band)
        }
    }
}

extension Dictionary where Value == Int {
    /// Without the zero counts (a breakdown leaves out what never occurs).
    var nonZero: [Key: Int] { filter { $0.value != 0 } }
}

@Suite struct StatisticsTests {
    @Test func filingsByCountyIndustryAndYearEqualTheRowsCountedOneByOne() throws {
        let province = try StatisticsProvince()
        let statistics = try StatisticsRecords.gather(StatisticsFilter(), on: province.connection)
        let rows = try province.filingRows()
        #expect(statistics.totalFilings == rows.count)
        for (breakdown, key) in [(statistics.byCounty, { (r: StatisticsProvince.FilingRow) in r.county }),
                                 (statistics.byIndustry, { $0.industry }), (statistics.byYear, { String($0.year) })] {
            #expect(Set(breakdown.map(\.key)) == Set(rows.map(key)))
            for line in breakdown {
                let mine = rows.filter { key($0) == line.key }
                #expect(line.filings == mine.count, "\(line.key)")
                var outcomes: [String: Int] = [:], recommendations: [String: Int] = [:]
                for row in mine {
                    outcomes[ProvinceStatistics.outcome(ofStatus: row.status), default: 0] += 1
                    if let r = row.recommendation { recommendations[r, default: 0] += 1 }
                }
                #expect(line.outcomes.nonZero == outcomes, "\(line.key)")
                #expect(line.recommendations.nonZero == recommendations, "\(line.key)")
            }
        }
    }

    @Test func criterionVerdictsCountOnlyEachFilingsLatestDecisionReview() throws {
        let province = try StatisticsProvince()
        let statistics = try StatisticsRecords.gather(StatisticsFilter(), on: province.connection)
        var expected: [String: [String: Int]] = [:]
        for row in try province.findingRows() { expected[row.criterion, default: [:]][row.verdict, default: 0] += 1 }
        #expect(Dictionary(uniqueKeysWithValues: statistics.criteria.map { ($0.criterion, $0.verdicts) }) == expected)
        // The older reviews' VETO-1 and the monitoring review's COMP-6 fail are not counted.
        #expect(!statistics.criteria.contains { $0.criterion == "VETO-1" })
        let comp6 = try #require(statistics.criteria.first { $0.criterion == "COMP-6" })
        #expect(comp6.failed == 2 && comp6.total == 6)
        #expect(comp6.failRate == Decimal(2) / Decimal(6))
    }

    @Test func marginBandsEqualMarginOverBoundComputedFromEachFinding() throws {
        let province = try StatisticsProvince()
        let statistics = try StatisticsRecords.gather(StatisticsFilter(), on: province.connection)
        var expected: [String: [Int]] = [:]
        for row in try province.findingRows() {
            guard let band = row.band else { continue }
            expected[row.criterion, default: Array(repeating: 0, count: MarginBands.count)][band] += 1
        }
        #expect(statistics.marginCriteria == expected.keys.sorted())
        for (criterion, bands) in expected { #expect(statistics.histogram(criterion) == bands, "\(criterion)") }
        // −200,000 and −30,000 over 200,000: −100 % and −15 %; exactly at the bound (0) and 9,999
        // (4.9995 %) in 0–5 %; 100,000 (50 %) and 250,000 in ≥ 50 %.
        #expect(statistics.histogram("COMP-6") == [1, 0, 1, 0, 0, 2, 0, 0, 0, 2])
        // COMP-7's bound per year: 600 over 2024's 6,000 is 10 %, every time.
        #expect(statistics.histogram("COMP-7")[MarginBands.band(of: Decimal(string: "0.1")!)] == 6)
    }

    @Test func registerSumsTheLatestYearsOutputAndEmployeesByCounty() throws {
        let province = try StatisticsProvince()
        let statistics = try StatisticsRecords.gather(StatisticsFilter(), on: province.connection)
        let rows = statistics.registerByCounty
        #expect(rows.map(\.countyCode) == [StatisticsProvince.b, StatisticsProvince.a])
        // Filing 0 (A) states 300,000 万元 and 1,000 employees for 2025; filing 5 (B) 300,005 and 1,005.
        #expect(rows.map(\.outputWan) == [300_005, 300_000])
        #expect(rows.map(\.employees) == [1005, 1000])
        #expect(rows.map { $0.statuses["active"] } == [1, 1])
        #expect(statistics.recognizedByYear.map(\.year) == [2025, 2026])
    }

    @Test func watchlistNamesTheEntryAndTheCriteriaItsMonitoringFailedAndWarned() throws {
        let province = try StatisticsProvince()
        let statistics = try StatisticsRecords.gather(StatisticsFilter(), on: province.connection)
        #expect(statistics.watchlist.count == 1)
        let watched = try #require(statistics.watchlist.first)
        #expect(watched.countyCode == StatisticsProvince.a && watched.year == 2025)
        #expect(watched.failed == ["COMP-6"] && watched.warned == ["COMP-8"])
    }

    @Test func yearCountyAndIndustryFiltersCountOnlyTheFilingsNamed() throws {
        let province = try StatisticsProvince()
        let rows = try province.filingRows()
        let filter = StatisticsFilter(year: 2026, county: StatisticsProvince.b, industry: "商业航天")
        let statistics = try StatisticsRecords.gather(filter, on: province.connection)
        let expected = rows.filter { $0.year == 2026 && $0.county == StatisticsProvince.b && $0.industry == "商业航天" }
        #expect(statistics.totalFilings == expected.count && expected.count == 2)
        #expect(statistics.register.isEmpty, "B's entry is 咖啡加工")
        #expect(statistics.watchlist.isEmpty)
        let findings = try province.findingRows().filter { row in expected.contains { $0.id == row.filing } }
        #expect(statistics.criteria.reduce(0) { $0 + $1.total } == findings.count)
    }

    @Test func readingTheStatisticsWritesNothing() throws {
        let province = try StatisticsProvince()
        let before = try province.connection.query("SELECT count(*)::text || md5(string_agg(t::text, '' ORDER BY t::text)) AS s FROM findings t")
            .rows[0].decode("s", as: String.self)
        _ = try StatisticsRecords.gather(StatisticsFilter(), on: province.connection)
        let after = try province.connection.query("SELECT count(*)::text || md5(string_agg(t::text, '' ORDER BY t::text)) AS s FROM findings t")
            .rows[0].decode("s", as: String.self)
        #expect(before == after)
        // The transaction it read in was read-only: the connection is back outside any transaction.
        let state: String = try province.connection.queryRow("SELECT current_setting('transaction_read_only') AS s").decode("s")
        #expect(state == "off")
    }
}
