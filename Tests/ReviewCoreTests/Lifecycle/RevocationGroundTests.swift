import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// Each Art. 14 ground found by the sweep on its own, with its boundary.
@Suite struct RevocationGroundTests {
    typealias F = LifecycleFixture

    /// The grounds of the revocations a sweep on `day` proposes (the clock moved there first).
    func revocations(_ db: PostgresConnection, on day: String) throws -> [String] {
        try F.sweep(db, on: day).actions.filter { $0.action == "revoke" }.map(\.ground)
    }

    @Test func ground14_1_expiredWithoutARecertificationFiling() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        try F.annualReportsOnTime(db, cluster: cluster, years: 2026...2028)
        let validUntil = try #require(try Register.entry(db, String(cluster))).validUntil
        // Not before the recheck window after expiry (recheck_window_days, 183) has ended.
        #expect(try revocations(db, on: validUntil.adding(days: 183).description) == [])
        #expect(try revocations(db, on: validUntil.adding(days: 184).description) == ["14(1)"])
    }

    @Test func ground14_1_notRaisedWhenARecertificationWasFiledInTime() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        try F.annualReportsOnTime(db, cluster: cluster, years: 2026...2028)
        let validUntil = try #require(try Register.entry(db, String(cluster))).validUntil
        try F.filing(db, kind: "recertification", filedOn: validUntil.adding(days: -30).description, status: "in_review", cluster: cluster)
        let actions = try F.sweep(db, on: validUntil.adding(days: 1)).actions
        #expect(actions.map(\.action) == ["expire"])
        #expect(try Register.entry(db, String(cluster))?.status == "expired")
    }

    @Test func ground14_1_recertificationRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        try F.annualReportsOnTime(db, cluster: cluster, years: 2026...2028)
        let recertification = try F.filing(db, kind: "recertification", filedOn: "2029-03-01", cluster: cluster)
        try F.review(db, filing: recertification, findings: [("PLAN-1", "fail")])
        try F.today(db, "2029-04-01")
        try lifecycle.decide(filing: recertification, .refuse, note: "复核未通过", grounds: "PLAN-1：规划目标未完成")
        let actions = try F.sweep(db, on: "2029-04-02").actions.filter { $0.action == "revoke" }
        #expect(actions.map(\.ground) == ["14(1)"])
        #expect(actions.first?.subject == "recertification:\(recertification)")
    }

    @Test func ground14_2_falseFilingFlaggedByAReviewer() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        let filing: Int64 = try db.queryRow("SELECT filing_id FROM clusters WHERE id = $1", [cluster]).decode("filing_id")
        try F.today(db, "2026-09-01")
        try lifecycle.flagFalseFiling(cluster: cluster, filing: filing, note: "企业名单中两家企业系虚构")
        #expect(try revocations(db, on: "2026-08-31") == [])
        #expect(try revocations(db, on: "2026-09-01") == ["14(2)"])
    }

    @Test func ground14_3_annualReportMissingAfter30March() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        _ = try F.recognizedCluster(db)
        #expect(try revocations(db, on: "2027-03-30") == [])
        let actions = try F.sweep(db, on: "2027-03-31").actions
        #expect(actions.map(\.ground) == ["14(3)"])
        #expect(actions.first?.subject == "annual-report:2026")
    }

    @Test func ground14_3_notRaisedForAReportFiledOn30March() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        try F.annualReport(db, cluster: cluster, year: 2026, filedOn: "2027-03-30")
        #expect(try revocations(db, on: "2027-04-15") == [])
    }

    @Test func ground14_4_registerFieldChangedWithoutAChangeReport() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        try F.annualReport(db, cluster: cluster, year: 2026, filedOn: "2027-03-10", leadingIndustry: "航天文旅")
        let actions = try F.sweep(db, on: "2027-03-15").actions
        #expect(actions.map(\.ground) == ["14(4)"])
        #expect(actions.first?.subject.hasSuffix(":leading_industry") == true)
    }

    @Test func ground14_4_notRaisedWhenTheChangeWasReportedFirst() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        try F.filing(
            db, kind: "change_report", filedOn: "2027-01-10",
            payload: F.payload(leadingIndustry: "航天文旅", changes: [("leading_industry", "商业航天", "航天文旅")]),
            status: "recorded", cluster: cluster)
        try F.annualReport(db, cluster: cluster, year: 2026, filedOn: "2027-03-10", leadingIndustry: "航天文旅")
        #expect(try revocations(db, on: "2027-03-15") == [])
    }

    @Test func ground14_5_vetoGradeIncidentAtAnEnterpriseOfTheCluster() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        _ = try F.recognizedCluster(db)
        try F.today(db, "2026-08-05")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.enterpriseB, date: F.day("2026-08-01"), category: "cyber", grade: "major", description: nil),
            source: "省委网信办通报")
        let actions = try Sweep(db).run().actions
        #expect(actions.map(\.ground) == ["14(5)"])
        #expect(actions.first?.evidence.contains(F.enterpriseB) == true)
    }

    @Test(arguments: [
        (LifecycleFixture.enterpriseA, "safety", "general"),  // below veto grade: VETO-1 warns only
        (LifecycleFixture.enterpriseA, "data", "larger"),  // VETO-2 needs major and above
        (LifecycleFixture.outsider, "tax_evasion", nil),  // not an enterprise of the cluster
    ] as [(String, String, String?)])
    func ground14_5_notRaisedForIncidentsBelowVetoGradeOrOutsideTheCluster(code: String, category: String, grade: String?) throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        _ = try F.recognizedCluster(db)
        try F.today(db, "2026-08-05")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: code, date: F.day("2026-08-01"), category: category, grade: grade, description: nil), source: "通报")
        #expect(try revocations(db, on: "2026-08-05") == [])
    }

    @Test func ground14_5_incidentBeforeRecognitionIsNotARegisterMatter() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        _ = try F.recognizedCluster(db)
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.enterpriseA, date: F.day("2026-01-05"), category: "illegal_conduct", grade: nil, description: nil),
            source: "法院判决")
        #expect(try revocations(db, on: "2026-08-05") == [])
    }

    @Test func applyModeRevokesAtOnceOnTheGroundFound() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        try F.revocationMode(db, "apply")
        let actions = try F.sweep(db, on: "2027-04-01").actions
        #expect(actions.map(\.state) == ["applied"])
        let entry = try #require(try Register.entry(db, String(cluster)))
        #expect(entry.status == "revoked")
        #expect(entry.revocationGround == "14(3)")
        #expect(entry.revokedOn == F.day("2027-04-01"))
        #expect(entry.grounds?.contains("2026") == true)
    }

    @Test func proposedRevocationChangesNothingUntilConfirmed() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let actions = try F.sweep(db, on: "2027-04-01").actions
        #expect(actions.map(\.state) == ["proposed"])
        #expect(try Register.entry(db, String(cluster))?.status == "active")
        #expect(try Sweep(db).actions(state: "proposed").map(\.id) == actions.map(\.id))
    }
}

/// Annual reports reviewed in monitoring mode, and the recertification's plan on record.
@Suite struct MonitoringTests {
    typealias F = LifecycleFixture

    @Test func aFailedOrWarnedMonitoringFindingIsOnTheWatchlist() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let report = try F.annualReport(db, cluster: cluster, year: 2026, filedOn: "2027-03-01")
        let review: Int64 = try db.queryRow(
            """
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
            VALUES (nextval('review_ids'), $1, '469005', 'monitoring', 'completed', 'not_recommended', 1, now()) RETURNING id
            """, [report]
        ).decode("id")
        _ = try db.query(
            """
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            VALUES ($1, 'COMP-6', $2, '469005', 'competitiveness', '1', 'threshold', 'fail', 0, '产值低于 20 亿元', 'output below 2 bn', 'Art. 5'),
                   ($1, 'COMP-1', $2, '469005', 'competitiveness', '1', 'threshold', 'pass', 100, '合格', 'pass', 'Art. 5')
            """, [review, report])
        let watched = try Register.watchlist(db, cluster: cluster)
        #expect(watched.map(\.criterion) == ["COMP-6"])
        #expect(watched.first?.year == 2026)
        #expect(try F.status(db, filing: report) == "recorded")
    }

    @Test func aRecertificationFilingReadsThePlanOnRecord() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let recertification = try F.filing(db, kind: "recertification", filedOn: "2029-03-01", status: "submitted", cluster: cluster)
        let plan: String = try db.queryRow("SELECT plan_on_record($1)::text AS plan", [recertification]).decode("plan")
        #expect(plan.contains("\"g1\""))
    }
}

/// What the coordinator sends modules: recorded incidents and the plan on record.
@Suite struct ReviewContextTests {
    typealias F = LifecycleFixture

    @Test func theContextCarriesTheEnterprisesIncidentsAndThePlanOnRecord() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        try F.today(db, "2027-06-02")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.enterpriseA, date: F.day("2027-06-01"), category: "safety", grade: "general", description: "轻微火情"),
            source: "应急管理局")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.outsider, date: F.day("2027-06-01"), category: "tax_evasion", grade: nil, description: nil),
            source: "税务局")
        let recertification = try F.filing(db, kind: "recertification", filedOn: "2029-03-01", status: "submitted", cluster: cluster)
        let text: String = try db.queryRow("SELECT review_context($1)::text AS c", [recertification]).decode("c")
        let context = try JSONDecoder().decode(ReviewContext.self, from: Data(text.utf8))
        #expect(context.incidents.map(\.enterpriseCode) == [F.enterpriseA])
        #expect(context.incidents.first?.grade == "general")
        #expect(context.planOnRecord?.goals.map(\.id) == ["g1"])
    }

    @Test func anInitialFilingHasNoPlanOnRecord() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let filing = try F.filing(db, filedOn: "2026-03-02", status: "submitted")
        let text: String = try db.queryRow("SELECT review_context($1)::text AS c", [filing]).decode("c")
        let context = try JSONDecoder().decode(ReviewContext.self, from: Data(text.utf8))
        #expect(context.incidents.isEmpty)
        #expect(context.planOnRecord == nil)
    }
}
