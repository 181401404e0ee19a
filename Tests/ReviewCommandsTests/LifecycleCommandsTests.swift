import Foundation
import IndicatorKit
import Postgres
import ReviewCommands
import ReviewCore
import TestSupport
import Testing

/// The lifecycle commands against a real database: exit codes and what they change.
@Suite struct LifecycleCommandsTests {
    /// A fresh database with one reviewed filing (id 1) whose COMP-9 finding is manual.
    func database() throws -> (conninfo: String, connection: PostgresConnection) {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        _ = try connection.query(
            """
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
            VALUES ('initial', '469005', '文昌商业航天产业集群', '2026-03-02', 1,
                    '{"cluster": {"leading_industry": "商业航天", "county_codes": ["469005"], "area_km2": 58}}', '\\x01', 'reviewed')
            """)
        _ = try connection.query(
            """
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
            VALUES (nextval('review_ids'), 1, '469005', 'decision', 'completed', 'needs_review', 1, now())
            """)
        _ = try connection.query(
            """
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            SELECT id, 'COMP-9', 1, '469005', 'fixture', '1', 'judgement', 'manual', 50, '夹具', 'fixture', 'Art. 5' FROM reviews
            """)
        return (conninfo, connection)
    }

    /// Moves the simulated clock of the test's database (its owner's to move) to `day`.
    func today(_ db: PostgresConnection, _ day: String) throws {
        try DatabaseClock.simulate(CivilDateText.day(day), reason: "test: a simulated calendar", on: db)
    }

    func run(_ arguments: [String], _ conninfo: String) async -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        return await ClusterReviewCLI.run(arguments, environment: environment)
    }

    @Test func approvingWithAnUnconfirmedFindingExits1AndChangesNothing() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        try today(db, "2026-04-28")
        #expect(await run(["decide", "1", "approve", "--note", "通过"], conninfo) == 1)
        #expect(try db.queryRow("SELECT status FROM filings WHERE id = 1").decode("status", as: String.self) == "reviewed")
    }

    @Test func confirmThenDecideThenCloseRecognizesTheCluster() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["confirm", "1", "COMP-9", "accept", "--note", "豁免理由成立"], conninfo) == 0)
        try today(db, "2026-04-28")
        #expect(await run(["decide", "1", "approve", "--note", "通过"], conninfo) == 0)
        try today(db, "2026-05-11")
        #expect(await run(["object", "1", "--by", "某人", "--reason", "迟到"], conninfo) == 1)
        #expect(await run(["publicity", "close", "1"], conninfo) == 0)
        #expect(await run(["register", "show", "1", "--json"], conninfo) == 0)
        #expect(try db.queryRow("SELECT count(*) AS n FROM clusters WHERE status = 'active'").decode("n", as: Int.self) == 1)
        // A year ahead: a dry run shows it; recording it is refused; nothing is kept either way.
        #expect(await run(["sweep", "--as-of", "2027-04-01", "--dry-run"], conninfo) == 0)
        #expect(await run(["sweep", "--as-of", "2027-04-01"], conninfo) == 1)
        #expect(try db.queryRow("SELECT count(*) AS n FROM sweep_actions").decode("n", as: Int.self) == 0)
        #expect(try db.queryRow("SELECT count(*) AS n FROM sweeps").decode("n", as: Int.self) == 0)
        // When the day comes, the sweep records it.
        try today(db, "2027-04-01")
        #expect(await run(["sweep"], conninfo) == 0)
        #expect(try db.queryRow("SELECT count(*) AS n FROM sweep_actions WHERE state = 'proposed'").decode("n", as: Int.self) == 1)
    }

    @Test func objectWithoutOnIsFiledTodayWhenTodayIsInsideTheNotice() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["confirm", "1", "COMP-9", "accept", "--note", "豁免理由成立"], conninfo) == 0)
        try today(db, "2026-04-28")
        #expect(await run(["decide", "1", "approve", "--note", "通过"], conninfo) == 0)
        try today(db, "2026-04-30")
        #expect(await run(["object", "1", "--by", "某企业", "--reason", "产值数据不符"], conninfo) == 0)
        #expect(try db.queryRow("SELECT filed_on::text AS d FROM objections WHERE filing_id = 1").decode("d", as: String.self) == "2026-04-30")
    }

    @Test func decideRefuseWithoutGroundsExits64AndWritesNothing() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let audited: Int = try db.queryRow("SELECT count(*)::int AS n FROM audit_log").decode("n")
        #expect(await run(["decide", "1", "refuse", "--note", "不予认定"], conninfo) == 64)
        #expect(await run(["decide", "1", "refuse", "--note", "不予认定", "--grounds", "  "], conninfo) == 64)
        #expect(try db.queryRow("SELECT count(*)::int AS n FROM decisions").decode("n", as: Int.self) == 0)
        #expect(try db.queryRow("SELECT count(*)::int AS n FROM audit_log").decode("n", as: Int.self) == audited)
        #expect(try db.queryRow("SELECT status FROM filings WHERE id = 1").decode("status", as: String.self) == "reviewed")
    }

    @Test func confirmAllManualRecordsEachManualFindingSeparately() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        _ = try db.query(
            """
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            SELECT id, c, 1, '469005', 'fixture', '1', 'judgement', v, 50, '夹具', 'fixture', 'Art. 5'
            FROM reviews, (VALUES ('GOVE-4', 'manual'), ('VETO-1', 'warn')) AS t(c, v)
            """)
        #expect(await run(["confirm", "1", "--all-manual", "pass", "--note", "材料齐全"], conninfo) == 0)
        #expect(try db.queryRow("SELECT string_agg(criterion, ',' ORDER BY criterion) AS c FROM confirmations").decode("c", as: String.self)
            == "COMP-9,GOVE-4")
        #expect(await run(["confirm", "1", "VETO-1", "GOVE-4", "accept", "--note", "已知悉"], conninfo) == 0)
        #expect(try db.queryRow("SELECT count(*)::int AS n FROM confirmations").decode("n", as: Int.self) == 3)
        #expect(try db.queryRow("SELECT count(*)::int AS n FROM audit_log WHERE table_name = 'confirmations'").decode("n", as: Int.self) == 4)
        try today(db, "2026-04-28")
        #expect(await run(["decide", "1", "approve", "--note", "通过"], conninfo) == 0)
    }

    @Test func confirmWithoutCriteriaOrWithBothFormsExits64() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["confirm", "1", "accept", "--note", "x"], conninfo) == 64)
        #expect(await run(["confirm", "1", "COMP-9", "--all-manual", "accept", "--note", "x"], conninfo) == 64)
        #expect(await run(["confirm", "1", "COMP-9", "maybe", "--note", "x"], conninfo) == 64)
        #expect(try db.queryRow("SELECT count(*)::int AS n FROM confirmations").decode("n", as: Int.self) == 0)
    }

    @Test func unknownIdsExit65AndBadArgumentsExit64() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["register", "show", "HN-ZXJQ-2099-9999"], conninfo) == 65)
        #expect(await run(["sweep", "confirm", "999", "--note", "x"], conninfo) == 65)
        #expect(await run(["sweep", "--as-of", "2027-13-01"], conninfo) == 64)
        #expect(await run(["decide", "1", "maybe", "--note", "x"], conninfo) == 64)
        #expect(await run(["confirm", "1", "COMP-9", "accept"], conninfo) == 64)
    }

    @Test func refuseMonitoringRecordsTheRefusalAndTheSweepProposes14_3() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["confirm", "1", "COMP-9", "accept", "--note", "豁免理由成立"], conninfo) == 0)
        try today(db, "2026-04-28")
        #expect(await run(["decide", "1", "approve", "--note", "通过"], conninfo) == 0)
        try today(db, "2026-05-11")
        #expect(await run(["publicity", "close", "1"], conninfo) == 0)
        let cluster: Int64 = try db.queryRow("SELECT id FROM clusters").decode("id")
        try today(db, "2026-09-01")
        #expect(await run(["register", "refuse-monitoring", String(cluster)], conninfo) == 64, "--note is required")
        #expect(await run(["register", "refuse-monitoring", "999", "--note", "拒绝提供数据"], conninfo) == 65)
        #expect(await run(["register", "refuse-monitoring", String(cluster), "--note", "拒绝提供 2026 年上半年统计数据"], conninfo) == 0)
        let refused: String = try db.queryRow("SELECT refused_on::text AS d FROM monitoring_refusals WHERE cluster_id = $1", cluster).decode("d")
        #expect(refused == "2026-09-01")
        #expect(await run(["sweep"], conninfo) == 0)
        #expect(try db.queryRow(
            "SELECT count(*) AS n FROM sweep_actions WHERE ground = '14(3)' AND subject LIKE 'monitoring-refusal:%' AND state = 'proposed'"
        ).decode("n", as: Int.self) == 1)
    }

    @Test func twoSweepProcessesAtOnceRecordEachActionOnce() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["confirm", "1", "COMP-9", "accept", "--note", "豁免理由成立"], conninfo) == 0)
        try today(db, "2026-04-28")
        #expect(await run(["decide", "1", "approve", "--note", "通过"], conninfo) == 0)
        try today(db, "2026-05-11")
        #expect(await run(["publicity", "close", "1"], conninfo) == 0)
        try today(db, "2029-06-01")
        let expected = try Sweep(db).run(asOf: CivilDateText.day("2029-06-01"), dryRun: true).actions.count
        #expect(expected >= 4)  // expired; 14(3) for 2026, 2027, 2028 (14(1) waits for the recheck window)

        // Output to a log file, not the test run's stderr, and a deadline on each wait.
        let processes = try (0..<2).map { _ in
            try CLIProcess(["sweep", "--as-of", "2029-06-01", "--slot", "daily:2029-06-01", "--json"], conninfo: conninfo)
        }
        for process in processes {
            #expect(await process.wait(timeout: .seconds(120)) == 0, "\(process.log.suffix(1500))")
        }
        #expect(try db.queryRow("SELECT count(*) AS n FROM sweep_actions").decode("n", as: Int.self) == expected)
        #expect(try db.queryRow("SELECT runs FROM sweeps WHERE slot = 'daily:2029-06-01'").decode("runs", as: Int.self) == 2)
    }
}

/// Dates for the tests.
enum CivilDateText {
    static func day(_ text: String) -> IndicatorKit.CivilDate { IndicatorKit.CivilDate(text)! }
}

/// `register show` prints the management body the register records (issue 15, item 3).
@Suite struct RegisterShowManagementBodyTests {
    @Test func registerShowPrintsTheManagementBodyWithItsKindDayAndEvidence() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let db = try PostgresConnection(conninfo)
        defer { db.close() }
        _ = try db.query(
            """
            WITH f AS (
                INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
                VALUES ('initial', '469005', '文昌商业航天产业集群', '2026-03-02', 1,
                        '{"cluster": {"leading_industry": "商业航天", "county_codes": ["469005"], "area_km2": 58,
                          "management_body": {"name": "文昌国际航天城管委会", "kind": "management_committee",
                                              "established_on": "2019-03-01", "evidence": {"statement": "设立", "documents": ["d3"]}}}}',
                        '\\x02', 'recognized')
                RETURNING id, payload
            )
            INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until, leading_industry,
                                  spatial_extent, management_body)
            SELECT 'HN-TEST-1', f.id, '469005', '文昌商业航天产业集群', '2026-05-11', '2029-05-11', rf.leading_industry,
                   rf.spatial_extent, rf.management_body
            FROM f CROSS JOIN LATERAL register_fields(f.payload) rf
            """)
        let show = try CLIProcess(["register", "show", "HN-TEST-1"], conninfo: conninfo, environment: ["NO_COLOR": "1"])
        let status = await show.wait(timeout: .seconds(60))
        #expect(status == 0, "\(show.log)")
        #expect(show.log.contains("运营管理机构 management body: 文昌国际航天城管委会 (管委会 management_committee · 设立 established 2019-03-01 · 证明 evidence: d3)"),
                "\(show.log)")
    }
}
