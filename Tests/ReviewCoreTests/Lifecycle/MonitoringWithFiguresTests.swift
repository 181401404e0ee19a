import Foundation
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// Monitoring with figures (issue 15, item 2; sql/100): an annual report's figures reviewed by the
/// threshold modules on the rolling three years, the watchlist with its margins, enterprises that
/// join through reports counting for 14(5), and a recorded refusal of monitoring as a 14(3) ground.
@Suite(.serialized) struct MonitoringWithFiguresTests {
    typealias F = LifecycleFixture

    /// The Wenchang commercial-aerospace sample (figures 2023–2025: total output 450000, 504000,
    /// 558000 万元) and its 2025 annual report.
    static func sample(_ file: String) throws -> JSONValue {
        try JSONValue(
            parsing: Data(contentsOf: try TestCluster.installation.configDirectory.appendingPathComponent("samples").appendingPathComponent(file)),
            limits: .document)
    }

    /// Recognizes the sample application under `name`: filed 2026-03-02, approved 2026-04-28, on the
    /// register after its notice. Returns the register entry's id.
    static func recognize(_ db: PostgresConnection, name: String) throws -> Int64 {
        let lifecycle = try F.lifecycle(db)
        let payload = try sample("469005-wenchang-commercial-aerospace.json").setting("cluster.name", to: .string(name))
        try F.today(db, "2026-04-01")
        let filing = try F.filing(db, filedOn: "2026-03-02", payload: payload.canonicalText(), name: name)
        try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-04-28")
        try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try F.today(db, notice.endsOn.adding(days: 1))
        return try #require(try lifecycle.closePublicity(filing: filing))
    }

    /// The 2026 annual report of `name` (filed 2027-03-10) with 2026's total, SME and leading-industry
    /// output as given, queued for its monitoring review as the door queues it.
    @discardableResult
    static func fileAnnualReport(
        _ db: PostgresConnection, cluster: Int64, name: String, total: String, sme: String, leading: String
    ) throws -> Int64 {
        let payload = try sample("469005-wenchang-annual-report-2025.json")
            .setting("cluster.name", to: .string(name))
            .setting("filing_date", to: "2027-03-10")
            .setting("annual_report.year", to: 2026)
            .setting("figures.0.year", to: 2026)
            .setting("figures.0.total_output_wan", to: .dec(total))
            .setting("figures.0.sme_output_wan", to: .dec(sme))
            .setting("figures.0.leading_industry_output_wan", to: .dec(leading))
            .setting("annual_report.enterprise_changes", to: nil)
        #expect(FilingValidator.validate(payload.bytes).isEmpty, "the report is valid")
        let filing = try F.filing(db, kind: "annual_report", filedOn: "2027-03-10", payload: payload.canonicalText(),
                                  status: "submitted", cluster: cluster, name: name)
        try db.query("INSERT INTO review_queue (filing_id, county_code, purpose) VALUES ($1, '469005', 'monitoring')", filing)
        return filing
    }

    /// Runs a coordinator with the project's modules until the queue is empty.
    static func reviewEverything(_ conninfo: String) async throws {
        let modules = try CoordinatorFixtures.modulesFile()
        let serve = try CLIProcess(["serve", "--until-idle", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
    }

    @Test func annualFiguresAreJudgedOnTheRollingThreeYearsAndTheWatchlistShowsTheMargins() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let db = try PostgresConnection(conninfo)
        defer { db.close() }
        // Below COMP-6 (2026: 150000 < 200000), just above it (210000: 5 % over), comfortably above (600000).
        let sliding = try Self.recognize(db, name: "文昌商业航天产业集群（下滑）")
        let close = try Self.recognize(db, name: "文昌商业航天产业集群（临界）")
        let steady = try Self.recognize(db, name: "文昌商业航天产业集群（稳健）")
        try F.today(db, "2027-03-10")
        let slidingReport = try Self.fileAnnualReport(db, cluster: sliding, name: "文昌商业航天产业集群（下滑）",
                                                      total: "150000", sme: "100000", leading: "110000")
        try Self.fileAnnualReport(db, cluster: close, name: "文昌商业航天产业集群（临界）", total: "210000", sme: "140000", leading: "150000")
        try Self.fileAnnualReport(db, cluster: steady, name: "文昌商业航天产业集群（稳健）", total: "600000", sme: "400000", leading: "420000")

        // What the modules are sent: the report over the recognition filing, with 2024 and 2025 from
        // the register and 2026 from the report.
        let sent = try JSONValue(parsing: Data(try db.queryRow("SELECT monitoring_payload($1)::text AS p", slidingReport)
            .decode("p", as: String.self).utf8), limits: .document)
        guard case .array(let rows)? = sent["figures"] else { Issue.record("no figures in \(sent)"); return }
        #expect(rows.compactMap { $0["year"] } == [2024, 2025, 2026])
        #expect(rows.compactMap { $0["total_output_wan"] } == [504000, 558000, 150000])
        #expect(sent["kind"] == "annual_report")
        #expect(sent["competitiveness"] != nil, "the term's sections are there for the modules")

        try await Self.reviewEverything(conninfo)

        let comp6 = { (cluster: Int64) in try Register.watchlist(db, cluster: cluster).first { $0.criterion == "COMP-6" } }
        let fails = try #require(try comp6(sliding))
        #expect(fails.standing == "fails")
        #expect(fails.verdict == "fail")
        #expect(fails.observed == 150000)
        #expect(fails.bound == 200000)
        #expect(fails.margin == -50000)
        #expect(fails.relativeMargin == Decimal(string: "-0.25"))
        #expect(fails.year == 2026)

        let onlyJust = try #require(try comp6(close))
        #expect(onlyJust.standing == "only_just")
        #expect(onlyJust.verdict == "pass")
        #expect(onlyJust.observed == 210000)
        #expect(onlyJust.margin == 10000)
        #expect(onlyJust.relativeMargin == Decimal(string: "0.05"))

        #expect(try comp6(steady) == nil, "comfortably above: not on the watchlist")

        // The reviews are monitoring reviews with threshold findings, and the reports stay recorded.
        let purposes = try db.query("""
            SELECT DISTINCT r.purpose, f.status FROM reviews r JOIN filings f ON f.id = r.filing_id WHERE f.kind = 'annual_report'
            """).rows.map { "\(try $0.decode("purpose", as: String.self))/\(try $0.decode("status", as: String.self))" }
        #expect(purposes == ["monitoring/recorded"])
        let modules = Set(try db.query("SELECT DISTINCT module FROM findings WHERE filing_id = $1", slidingReport)
            .rows.map { try $0.decode("module", as: String.self) })
        #expect(modules.isSuperset(of: ["compliance", "competitiveness"]), "\(modules)")
        let judgements: Int = try db.queryRow(
            "SELECT count(*) AS n FROM findings WHERE filing_id = $1 AND module <> 'compliance' AND kind <> 'threshold'", slidingReport
        ).decode("n")
        #expect(judgements == 0, "monitoring asks the threshold criteria only")
        let errors: Int = try db.queryRow("SELECT count(*) AS n FROM findings WHERE filing_id = $1 AND verdict = 'error'", slidingReport).decode("n")
        #expect(errors == 0)
        let complaints: Int = try db.queryRow(
            "SELECT count(*) AS n FROM reviews WHERE filing_id = $1 AND last_error IS NOT NULL", slidingReport).decode("n")
        #expect(complaints == 0, "the criteria monitoring does not ask for are left out without a complaint")
    }

    @Test func aWatchlistShowsACountyOnlyItsOwnClusters() throws {
        let database = try SecureDatabase()
        let db = database.superuser
        let own = try F.recognizedCluster(db)
        let other = try F.recognizedCluster(db, name: "另一个集群")
        // Another county's entry (its filings stay as they were; the register decides who sees it).
        try db.query("UPDATE clusters SET county_code = '460105' WHERE id = $1", other)
        for cluster in [own, other] {
            let county = "469005"
            let report = try F.annualReport(db, cluster: cluster, year: 2026, filedOn: "2027-03-01")
            let review: Int64 = try db.queryRow("""
                INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
                VALUES (nextval('review_ids'), $1, $2, 'monitoring', 'completed', 'not_recommended', 1, now()) RETURNING id
                """, report, county).decode("id")
            try db.query("""
                INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                      observed, threshold, comparator, margin, message_zh, message_en, citation)
                VALUES ($1, 'COMP-6', $2, $3, 'competitiveness', '1', 'threshold', 'fail', 0,
                        '{"2024": 504000, "2025": 558000, "2026": 150000}', '{"2024": 200000, "2025": 200000, "2026": 200000}', '>=',
                        '-50000', '产值低于 20 亿元', 'output below 2 bn', 'Standard 1')
                """, review, report, county)
        }
        #expect(Set(try db.query("SELECT cluster_id FROM cluster_watchlist").rows.map { try $0.decode("cluster_id", as: Int64.self) })
            == [own, other])
        let county = try database.connect(as: .county(SecureDatabase.countyA))
        defer { county.close() }
        let seen = try county.query("SELECT cluster_id, observed::text FROM cluster_watchlist").rows
        #expect(try seen.map { try $0.decode("cluster_id", as: Int64.self) } == [own])
        #expect(try seen.first?.decode("observed", as: String.self) == "150000")
    }

    @Test func anIncidentAtAnEnterpriseThatJoinedThroughAnAnnualReportIsA14_5Ground() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        // The 2026 report: the outsider joined on 2026-09-01 (it is in the report's enterprise list).
        let payload = F.payload(enterprises: [F.enterpriseA, F.enterpriseB, F.outsider], annualReportYear: 2026)
            .replacingOccurrences(of: #""progress": {"statement": "on plan", "documents": []}"#,
                                  with: #""progress": {"statement": "on plan", "documents": []}, "enterprise_changes": [{"code": "\#(F.outsider)", "name": "新企业", "change": "joined", "effective": "2026-09-01"}]"#)
        let report = try F.filing(db, kind: "annual_report", filedOn: "2027-03-01", payload: payload, status: "recorded", cluster: cluster)
        let members = try db.query("SELECT enterprise_code, member_from::text, filing_id FROM cluster_members WHERE cluster_id = $1 AND filing_id IS NOT NULL", cluster).rows
        #expect(try members.map { try $0.decode("enterprise_code", as: String.self) } == [F.outsider])
        #expect(try members.first?.decode("member_from", as: String.self) == "2026-09-01")
        #expect(try members.first?.decode("filing_id", as: Int64.self) == report)

        try F.today(db, "2027-05-10")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.outsider, date: F.day("2027-05-01"), category: "safety", grade: "larger", description: "火灾"),
            source: "应急管理局通报")
        let actions = try Sweep(db).run().actions.filter { $0.action == "revoke" }
        #expect(actions.map(\.ground) == ["14(5)"])
        #expect(actions.first?.evidence.contains(F.outsider) == true)
    }

    @Test func anIncidentBeforeAnEnterpriseJoinedIsNotA14_5Ground() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        let payload = F.payload(enterprises: [F.enterpriseA, F.enterpriseB, F.outsider], annualReportYear: 2026)
            .replacingOccurrences(of: #""progress": {"statement": "on plan", "documents": []}"#,
                                  with: #""progress": {"statement": "on plan", "documents": []}, "enterprise_changes": [{"code": "\#(F.outsider)", "name": "新企业", "change": "joined", "effective": "2026-09-01"}]"#)
        try F.filing(db, kind: "annual_report", filedOn: "2027-03-01", payload: payload, status: "recorded", cluster: cluster)
        try F.today(db, "2027-05-10")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.outsider, date: F.day("2026-08-01"), category: "safety", grade: "larger", description: "火灾"),
            source: "应急管理局通报")
        #expect(try Sweep(db).run().actions.filter { $0.action == "revoke" }.isEmpty)
    }

    @Test func anIncidentAfterAnEnterpriseLeftIsNotA14_5Ground() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        // enterpriseB left on 2026-10-01 (it is no longer in the report's list).
        let payload = F.payload(enterprises: [F.enterpriseA], annualReportYear: 2026)
            .replacingOccurrences(of: #""progress": {"statement": "on plan", "documents": []}"#,
                                  with: #""progress": {"statement": "on plan", "documents": []}, "enterprise_changes": [{"code": "\#(F.enterpriseB)", "name": "退出企业", "change": "left", "effective": "2026-10-01"}]"#)
        try F.filing(db, kind: "annual_report", filedOn: "2027-03-01", payload: payload, status: "recorded", cluster: cluster)
        try F.today(db, "2027-05-10")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.enterpriseB, date: F.day("2027-05-01"), category: "safety", grade: "larger", description: "火灾"),
            source: "应急管理局通报")
        #expect(try Sweep(db).run().actions.filter { $0.action == "revoke" }.isEmpty)
    }

    @Test func aRecordedRefusalOfMonitoringIsA14_3GroundOncePerRefusal() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        try F.annualReport(db, cluster: cluster, year: 2026, filedOn: "2027-03-01")
        try F.today(db, "2027-06-01")
        let refusal = try lifecycle.recordMonitoringRefusal(cluster: cluster, note: "拒绝提供 2026 年度统计数据")
        let first = try Sweep(db).run().actions.filter { $0.action == "revoke" }
        #expect(first.map(\.ground) == ["14(3)"])
        #expect(first.first?.subject == "monitoring-refusal:\(refusal)")
        #expect(first.first?.state == "proposed")
        #expect(first.first?.evidence.contains("拒绝提供") == true)
        #expect(try F.sweep(db, on: "2027-06-02").actions.isEmpty, "once per refusal")
        let audited: Int = try db.queryRow(
            "SELECT count(*) AS n FROM audit_log WHERE table_name = 'monitoring_refusals' AND row_key = $1::text", refusal).decode("n")
        #expect(audited == 1)
    }

    @Test func aRefusalOfMonitoringNeedsANote() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        #expect(throws: LifecycleError.self) { try lifecycle.recordMonitoringRefusal(cluster: cluster, note: "  ") }
        #expect(throws: LifecycleError.self) { try lifecycle.recordMonitoringRefusal(cluster: 987654, note: "refused") }
    }
}
