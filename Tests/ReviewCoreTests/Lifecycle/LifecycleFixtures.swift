import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// Fixtures for the lifecycle tests: filings and completed reviews inserted directly (the
/// coordinator that writes them in production is tested elsewhere), and days on a simulated
/// calendar: each test database is a simulation whose owner (the test's superuser) moves the
/// database clock to the day a step happens (`today`); nobody states a date.
enum LifecycleFixture {
    /// Valid unified social credit codes (GB 32100-2015 check symbols).
    static let enterpriseA = "91469005MA5T000017"
    static let enterpriseB = "91469005MA5T00002A"
    static let outsider = "91110000600037341L"

    /// A civil date from `YYYY-MM-DD`.
    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    /// Moves the simulated clock of the database on `connection` (its owner's) to `text`: the steps
    /// that follow happen that day.
    static func today(_ connection: PostgresConnection, _ text: String) throws {
        try DatabaseClock.simulate(day(text), reason: "test: a simulated calendar", on: connection)
    }

    /// Moves the simulated clock to `day`.
    static func today(_ connection: PostgresConnection, _ day: CivilDate) throws {
        try today(connection, day.description)
    }

    /// Moves the simulated clock to `day` and runs the sweep as of that day.
    static func sweep(_ connection: PostgresConnection, on day: String) throws -> SweepReport {
        try today(connection, day)
        return try Sweep(connection).run()
    }

    /// Moves the simulated clock to `day` and runs the sweep as of that day.
    static func sweep(_ connection: PostgresConnection, on day: CivilDate) throws -> SweepReport {
        try sweep(connection, on: day.description)
    }

    /// A lifecycle on `connection`, with config/lifecycle.json and config/calendar.json installed.
    static func lifecycle(_ connection: PostgresConnection) throws -> Lifecycle {
        let lifecycle = Lifecycle(connection)
        try lifecycle.install(configDirectory: try TestCluster.installation.configDirectory)
        return lifecycle
    }

    /// A filing payload with the register fields and the enterprises the tests use.
    static func payload(
        leadingIndustry: String = "商业航天", areaKm2: String = "58.0", enterprises: [String] = [enterpriseA, enterpriseB],
        annualReportYear: Int? = nil, changes: [(subject: String, before: String, after: String)] = []
    ) -> String {
        var object = """
            "applicant": {"county_code": "469005", "authority": "文昌市工业和信息化局"},
            "cluster": {"name": "文昌商业航天产业集群", "leading_industry": "\(leadingIndustry)", "county_codes": ["469005"], "area_km2": \(areaKm2)},
            "enterprises": [\(enterprises.map { "{\"code\": \"\($0)\"}" }.joined(separator: ", "))],
            "governance": {"plan": {"goals": [{"id": "g1", "metric": "output", "baseline": 100, "target": 150, "year": 2028}], "measures": []}}
            """
        if let year = annualReportYear {
            object += #", "annual_report": {"year": \#(year), "progress": {"statement": "on plan", "documents": []}}"#
        }
        if !changes.isEmpty {
            let items = changes.map {
                #"{"subject": "\#($0.subject)", "before": "\#($0.before)", "after": "\#($0.after)", "effective": "2029-03-01"}"#
            }
            object += #", "change_report": {"changes": [\#(items.joined(separator: ", "))]}"#
        }
        return "{" + object + "}"
    }

    /// Inserts a filing as the submission path would; returns its id.
    @discardableResult
    static func filing(
        _ connection: PostgresConnection, kind: String = "initial", filedOn: String, payload: String = payload(),
        status: String = "reviewed", cluster: Int64? = nil, supersedes: Int64? = nil, name: String = "文昌商业航天产业集群"
    ) throws -> Int64 {
        try connection.queryRow(
            """
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status, cluster_id, supersedes)
            VALUES ($1, '469005', $7, $2::date, 1, $3::jsonb, sha256(convert_to(gen_random_uuid()::text, 'UTF8')), $4, $5, $6)
            RETURNING id
            """, [kind, filedOn, payload, status, cluster, supersedes, name]
        ).decode("id")
    }

    /// Inserts a completed decision review of `filing` with one finding per (criterion, verdict).
    @discardableResult
    static func review(_ connection: PostgresConnection, filing: Int64, findings: [(String, String)]) throws -> Int64 {
        let id: Int64 = try connection.queryRow(
            """
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
            VALUES (nextval('review_ids'), $1, '469005', 'decision', 'completed', 'needs_review', 1, now()) RETURNING id
            """, [filing]
        ).decode("id")
        _ = try connection.query(
            """
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            SELECT $1, c, $2, '469005', 'fixture', '1', 'judgement', v, 50, '夹具', 'fixture', 'Art. 5'
            FROM unnest($3::text[], $4::text[]) AS t(c, v)
            """, [id, filing, TextArray(findings.map(\.0)), TextArray(findings.map(\.1))])
        return id
    }

    /// Files, reviews (all pass), approves on `approvedOn` and closes the notice the day after it
    /// ends (the simulated clock stays there); returns the register entry's id. A cluster is on the
    /// register once: a second one in the same database needs another `name`.
    static func recognizedCluster(
        _ connection: PostgresConnection, approvedOn: String = "2026-04-28", enterprises: [String] = [enterpriseA, enterpriseB],
        name: String = "文昌商业航天产业集群"
    ) throws -> Int64 {
        let lifecycle = try lifecycle(connection)
        let filing = try filing(connection, filedOn: "2026-03-02", payload: payload(enterprises: enterprises), name: name)
        try review(connection, filing: filing, findings: [("COMP-1", "pass"), ("GOVE-4", "pass")])
        try today(connection, approvedOn)
        try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try today(connection, notice.endsOn.adding(days: 1))
        return try #require(try lifecycle.closePublicity(filing: filing))
    }

    /// Files the annual report of `year` for `cluster` on `filedOn`, stating the register fields as given.
    @discardableResult
    static func annualReport(
        _ connection: PostgresConnection, cluster: Int64, year: Int, filedOn: String, leadingIndustry: String = "商业航天",
        areaKm2: String = "58.0"
    ) throws -> Int64 {
        try filing(
            connection, kind: "annual_report", filedOn: filedOn,
            payload: payload(leadingIndustry: leadingIndustry, areaKm2: areaKm2, annualReportYear: year), status: "recorded",
            cluster: cluster)
    }

    /// Files every annual report of `years` on 1 March of the next year (on time).
    static func annualReportsOnTime(_ connection: PostgresConnection, cluster: Int64, years: ClosedRange<Int>) throws {
        for year in years { try annualReport(connection, cluster: cluster, year: year, filedOn: "\(year + 1)-03-01") }
    }

    /// One integer from a query.
    static func count(_ connection: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> Int {
        try connection.queryRow(sql, parameters).decode(column: 0)
    }

    /// The filing's status.
    static func status(_ connection: PostgresConnection, filing: Int64) throws -> String {
        try connection.queryRow("SELECT status FROM filings WHERE id = $1", [filing]).decode("status")
    }

    /// Sets the revocation mode (`propose` or `apply`).
    static func revocationMode(_ connection: PostgresConnection, _ mode: String) throws {
        _ = try connection.query("UPDATE lifecycle_settings SET revocation_mode = $1", [mode])
    }
}

/// Runs `body` and returns the `LifecycleError` it throws (a raw database refusal with a
/// lifecycle SQLSTATE included); nil when it throws none or another error.
func lifecycleError(_ body: () throws -> Void) -> LifecycleError? {
    do {
        try body()
        return nil
    } catch let error as LifecycleError {
        return error
    } catch {
        return LifecycleError(error)
    }
}
