import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// The whole life of recognitions on a simulated calendar, against a real database: the database
/// clock is moved to the day of each step, and every step takes its date from it.
@Suite struct LifecycleJourneyTests {
    typealias F = LifecycleFixture

    @Test func oneClusterFromFilingToRecertification() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)

        // Filed, then reviewed as the coordinator does it (the claim marks only the queue row,
        // sql/091): two manual findings (a growth waiver claim and the plan).
        let filing = try F.filing(db, filedOn: "2026-03-02", status: "submitted")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("COMP-9", "manual"), ("GOVE-4", "manual")])
        _ = try db.query("UPDATE filings SET status = 'reviewed' WHERE id = $1", [filing])

        // Confirmed, one by one.
        try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: true, note: "增长豁免理由成立")
        try lifecycle.confirm(filing: filing, criterion: "GOVE-4", accept: true, note: "规划目标可考核")

        // Approved on Tuesday 28 April 2026: the notice runs five working days around Labour Day.
        try F.today(db, "2026-04-28")
        try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
        #expect(try F.status(db, filing: filing) == "in_publicity")
        let notice = try #require(try lifecycle.notice(filing: filing))
        #expect(notice.startsOn == F.day("2026-04-29"))
        #expect(notice.endsOn == F.day("2026-05-08"))

        // An objection during the notice, dismissed.
        try F.today(db, "2026-05-06")
        let objection = try lifecycle.fileObjection(filing: filing, by: "某企业", reason: "产值数据存疑", evidence: ["统计年报 2025"])
        try lifecycle.resolveObjection(objection, upheld: false, note: "经核实数据无误")

        // Recognized when the notice is closed: on the register for three years.
        try F.today(db, "2026-05-11")
        let cluster = try #require(try lifecycle.closePublicity(filing: filing))
        #expect(try F.status(db, filing: filing) == "recognized")
        var entry = try #require(try Register.entry(db, String(cluster)))
        #expect(entry.recognizedOn == F.day("2026-05-11"))
        #expect(entry.validUntil == F.day("2029-05-11"))
        #expect(entry.status == "active")
        #expect(entry.leadingIndustry == "商业航天")
        #expect(entry.managementBody == "", "no management body stated: the register does not take the filer for it (053)")
        #expect(entry.plan.canonicalText().contains("\"g1\""))
        #expect(entry.certificateNo.hasPrefix("HN-ZXJQ-2026-"))

        // The 2026 annual report on time: a sweep after 30 March finds nothing.
        try F.annualReport(db, cluster: cluster, year: 2026, filedOn: "2027-03-20")
        #expect(try F.sweep(db, on: "2027-04-01").actions.isEmpty)

        // The 2027 report late: the next sweep proposes revocation on ground 14(3), noting the late filing.
        try F.annualReport(db, cluster: cluster, year: 2027, filedOn: "2028-04-10")
        let late = try F.sweep(db, on: "2028-04-15").actions
        #expect(late.map(\.ground) == ["14(3)"])
        #expect(late.first?.subject == "annual-report:2027")
        #expect(late.first?.state == "proposed")
        #expect(late.first?.evidence.contains("2028-04-10") == true)
        try F.today(db, "2028-04-20")
        try lifecycle.resolveSweepAction(late[0].id, confirm: false, note: "逾期十日，已约谈，不予撤销")

        // An incident of veto grade at one of its enterprises, recorded when it is reported: proposed on ground 14(5).
        try F.today(db, "2028-06-10")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.enterpriseA, date: F.day("2028-06-01"), category: "safety", grade: "larger", description: "火灾"),
            source: "文昌市应急管理局通报")
        let incident = try Sweep(db).run().actions
        #expect(incident.map(\.ground) == ["14(5)"])
        try F.today(db, "2028-06-15")
        try lifecycle.resolveSweepAction(incident[0].id, confirm: false, note: "事故发生在集群外厂区")

        // The 2028 report shows a larger area, but no change report was filed: 14(4); and expiry is near.
        try F.annualReport(db, cluster: cluster, year: 2028, filedOn: "2029-03-15", areaKm2: "75.0")
        let change = try F.sweep(db, on: "2029-03-20").actions
        #expect(Set(change.map(\.action)) == ["expiry_notice", "revoke"])
        #expect(change.first { $0.action == "revoke" }?.ground == "14(4)")
        #expect(change.first { $0.action == "revoke" }?.subject.hasSuffix(":spatial_extent") == true)
        try F.today(db, "2029-03-22")
        try lifecycle.resolveSweepAction(try #require(change.first { $0.action == "revoke" }).id, confirm: false, note: "责令补报变更")

        // The change report, late but accepted, updates the register.
        let report = try F.filing(
            db, kind: "change_report", filedOn: "2029-03-25",
            payload: F.payload(areaKm2: "75.0", changes: [("spatial_extent", "文城镇", "文城镇、龙楼镇")]), status: "recorded",
            cluster: cluster)
        try F.today(db, "2029-03-28")
        try lifecycle.acceptChangeReport(filing: report, note: "核准")
        entry = try #require(try Register.entry(db, String(cluster)))
        #expect(entry.spatialExtent == "文城镇、龙楼镇")

        // Recertified before expiry: three more years from the old expiry.
        let recertification = try F.filing(db, kind: "recertification", filedOn: "2029-04-01", cluster: cluster)
        try F.review(db, filing: recertification, findings: [("COMP-1", "pass"), ("PLAN-1", "pass")])
        try F.today(db, "2029-04-20")
        try lifecycle.decide(filing: recertification, .approve, note: "规划目标完成")
        entry = try #require(try Register.entry(db, String(cluster)))
        #expect(entry.validUntil == F.day("2032-05-11"))
        #expect(entry.recertifiedTimes == 1)
        #expect(entry.status == "active")
        #expect(try F.status(db, filing: recertification) == "approved")
        #expect(try F.sweep(db, on: "2029-06-01").actions.isEmpty)

        // Every step is in the audit log, the filing's own path included.
        let path = try db.query(
            """
            SELECT coalesce(before ->> 'status', '') || '→' || (after ->> 'status') AS step FROM audit_log
            WHERE table_name = 'filings' AND row_key = $1::text ORDER BY id
            """, [filing]
        ).rows.map { try $0.decode("step", as: String.self) }
        #expect(path == ["→submitted", "submitted→reviewed", "reviewed→in_publicity", "in_publicity→recognized"])
        let audited = try db.query("SELECT DISTINCT table_name FROM audit_log ORDER BY 1").rows.map { try $0.decode("table_name", as: String.self) }
        #expect(Set(audited).isSuperset(of: [
            "filings", "reviews", "confirmations", "decisions", "publicity_notices", "objections", "clusters",
            "annual_reports", "change_reports", "incidents", "sweep_actions", "recertifications",
        ]))
    }

    @Test func anotherClusterExpiresUnrenewedAndIsRevoked() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        try F.annualReportsOnTime(db, cluster: cluster, years: 2026...2028)

        let validUntil = try #require(try Register.entry(db, String(cluster))).validUntil
        let before = try F.sweep(db, on: validUntil).actions
        #expect(before.map(\.action) == ["expiry_notice"])

        let after = try F.sweep(db, on: validUntil.adding(days: 1)).actions
        #expect(after.map(\.action) == ["expire"])
        #expect(try Register.entry(db, String(cluster))?.status == "expired")

        // The recheck window (183 days) ends with no recertification filed: a 14(1) case.
        let windowOver = try F.sweep(db, on: validUntil.adding(days: 184)).actions
        let revoke = try #require(windowOver.first { $0.action == "revoke" })
        #expect(revoke.ground == "14(1)")

        try F.today(db, validUntil.adding(days: 190))
        try lifecycle.resolveSweepAction(revoke.id, confirm: true, note: "期满未申请复核")
        let entry = try #require(try Register.entry(db, String(cluster)))
        #expect(entry.status == "revoked")
        #expect(entry.revocationGround == "14(1)")
        #expect(entry.revokedOn == validUntil.adding(days: 190))
    }

    @Test func upheldObjectionSendsTheFilingBackToTheReviewer() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-06-01")
        try lifecycle.decide(filing: filing, .approve, note: "通过")
        try F.today(db, "2026-06-03")
        let objection = try lifecycle.fileObjection(filing: filing, by: "市民", reason: "企业名单含已注销企业")
        try lifecycle.resolveObjection(objection, upheld: true, note: "属实")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try F.today(db, notice.endsOn.adding(days: 1))
        #expect(try lifecycle.closePublicity(filing: filing) == nil)
        #expect(try F.status(db, filing: filing) == "reviewed")
        #expect(try F.count(db, "SELECT count(*) FROM clusters") == 0)
        #expect(try lifecycle.notice(filing: filing)?.state == "objection_upheld")
    }

    @Test func returnedFilingIsSupersededByItsCorrection() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "fail")])
        try F.today(db, "2026-04-01")
        try lifecycle.decide(filing: filing, .return, note: "产值口径有误，请更正后重报")
        #expect(try F.status(db, filing: filing) == "returned")
        let corrected = try F.filing(db, filedOn: "2026-04-10", status: "submitted", supersedes: filing)
        #expect(try F.status(db, filing: filing) == "superseded")
        #expect(try F.status(db, filing: corrected) == "submitted")
    }

    @Test func refusalRecordsItsGrounds() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-2", "fail")])
        try F.today(db, "2026-04-01")
        let decision = try lifecycle.decide(filing: filing, .refuse, note: "不予认定", grounds: "COMP-2：产值不足 20 亿元")
        #expect(try F.status(db, filing: filing) == "refused")
        let grounds: String = try db.queryRow("SELECT grounds FROM decisions WHERE id = $1", [decision]).decode("grounds")
        #expect(grounds.contains("COMP-2"))
    }
}
