import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// Transitions the measures do not allow are refused with a clear error and change nothing.
@Suite struct IllegalTransitionTests {
    typealias F = LifecycleFixture

    /// Rows in the tables a refused transition must leave alone.
    func snapshot(_ db: PostgresConnection) throws -> [Int] {
        try [
            "SELECT count(*) FROM audit_log", "SELECT count(*) FROM decisions", "SELECT count(*) FROM publicity_notices",
            "SELECT count(*) FROM objections", "SELECT count(*) FROM confirmations", "SELECT count(*) FROM recertifications",
            "SELECT count(*) FROM clusters WHERE status = 'active'",
        ].map { try F.count(db, $0) }
    }

    @Test func approvingWithAnUnconfirmedManualFindingIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("COMP-9", "manual")])
        try F.today(db, "2026-04-01")
        let before = try snapshot(db)
        let error = lifecycleError { try lifecycle.decide(filing: filing, .approve, note: "通过") }
        #expect(error?.code == .approvalBlocked)
        #expect(error?.message.en.contains("COMP-9 manual (unconfirmed)") == true)
        #expect(error?.message.zh.contains("不能通过") == true)
        #expect(try snapshot(db) == before)
        #expect(try F.status(db, filing: filing) == "reviewed")
    }

    @Test(arguments: ["fail", "error"])
    func approvingWithAFailedOrErroredFindingIsRefused(verdict: String) throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", verdict)])
        try F.today(db, "2026-04-01")
        let error = lifecycleError { try lifecycle.decide(filing: filing, .approve, note: "通过") }
        #expect(error?.code == .approvalBlocked)
        #expect(try F.status(db, filing: filing) == "reviewed")
    }

    @Test func approvingAfterARejectedConfirmationIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-9", "manual")])
        try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: false, note: "豁免理由不成立")
        try F.today(db, "2026-04-01")
        let error = lifecycleError { try lifecycle.decide(filing: filing, .approve, note: "通过") }
        #expect(error?.code == .approvalBlocked)
        #expect(error?.message.en.contains("rejected") == true)
    }

    @Test func refusingWithoutGroundsIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-2", "fail")])
        try F.today(db, "2026-04-01")
        let before = try snapshot(db)
        let error = lifecycleError { try lifecycle.decide(filing: filing, .refuse, note: "不予认定", grounds: "  ") }
        #expect(error?.code == .reasonRequired)
        #expect(try snapshot(db) == before)
    }

    @Test func confirmingAFindingThatIsNotManualIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
        #expect(lifecycleError { try lifecycle.confirm(filing: filing, criterion: "COMP-1", accept: true, note: "x") }?.code == .wrongState)
        #expect(lifecycleError { try lifecycle.confirm(filing: filing, criterion: "COMP-7", accept: true, note: "x") }?.code == .notFound)
    }

    @Test func decidingAFilingTwiceIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-04-01")
        try lifecycle.decide(filing: filing, .approve, note: "通过")
        try F.today(db, "2026-04-02")
        let error = lifecycleError { try lifecycle.decide(filing: filing, .refuse, note: "改判", grounds: "x") }
        #expect(error?.code == .wrongState)
        #expect(try F.status(db, filing: filing) == "in_publicity")
    }

    @Test func objectingAfterTheNoticeEndedIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-04-28")
        try lifecycle.decide(filing: filing, .approve, note: "通过")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try F.today(db, notice.endsOn.adding(days: 1))
        let before = try snapshot(db)
        let error = lifecycleError {
            try lifecycle.fileObjection(filing: filing, by: "某人", reason: "迟到的异议")
        }
        #expect(error?.code == .outsideNoticePeriod)
        #expect(error?.message.en.contains("2026-05-08") == true)
        #expect(try snapshot(db) == before)
        // The last day itself is inside.
        #expect(throws: Never.self) {
            try F.today(db, notice.endsOn)
            try lifecycle.fileObjection(filing: filing, by: "某人", reason: "最后一天")
        }
    }

    @Test func closingTheNoticeBeforeItEndsOrWithAPendingObjectionIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-04-28")
        try lifecycle.decide(filing: filing, .approve, note: "通过")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try F.today(db, notice.endsOn)
        #expect(lifecycleError { try lifecycle.closePublicity(filing: filing) }?.code == .outsideNoticePeriod)
        try lifecycle.fileObjection(filing: filing, by: "某人", reason: "存疑")
        try F.today(db, notice.endsOn.adding(days: 1))
        #expect(lifecycleError { try lifecycle.closePublicity(filing: filing) }?.code == .objectionPending)
        #expect(try F.count(db, "SELECT count(*) FROM clusters") == 0)
        #expect(try F.status(db, filing: filing) == "in_publicity")
    }

    @Test func recertifyingARevokedClusterIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        try F.revocationMode(db, "apply")
        _ = try F.sweep(db, on: "2027-04-01")  // 14(3): no 2026 annual report
        let revoked = try #require(try Register.entry(db, String(cluster)))
        #expect(revoked.status == "revoked")

        let recertification = try F.filing(db, kind: "recertification", filedOn: "2029-03-01", cluster: cluster)
        try F.review(db, filing: recertification, findings: [("PLAN-1", "pass")])
        try F.today(db, "2029-04-01")
        let before = try snapshot(db)
        let error = lifecycleError { try lifecycle.decide(filing: recertification, .approve, note: "复核通过") }
        #expect(error?.code == .revokedCluster)
        #expect(error?.message.en.contains("revoked") == true)
        #expect(error?.hint?.isEmpty == false)
        #expect(try snapshot(db) == before)
        #expect(try Register.entry(db, String(cluster)) == revoked)
        #expect(try F.status(db, filing: recertification) == "reviewed")
    }

    @Test func supersedingAFilingThatWasNotReturnedIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let filing = try F.filing(db, filedOn: "2026-03-02")
        #expect(throws: (any Error).self) { try F.filing(db, filedOn: "2026-03-05", status: "submitted", supersedes: filing) }
        #expect(try F.status(db, filing: filing) == "reviewed")
    }

    @Test func anUnknownStatusIsRefusedByTheSchema() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let filing = try F.filing(db, filedOn: "2026-03-02")
        #expect(throws: (any Error).self) { _ = try db.query("UPDATE filings SET status = 'maybe' WHERE id = $1", [filing]) }
    }

    @Test func theAuditLogRefusesUpdateAndDelete() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        try F.filing(db, filedOn: "2026-03-02")
        let rows = try F.count(db, "SELECT count(*) FROM audit_log")
        #expect(rows > 0)
        for statement in ["UPDATE audit_log SET who = 'someone'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
            let error = lifecycleError { _ = try db.query(statement) }
            #expect(error?.code == .appendOnly, "\(statement)")
        }
        #expect(try F.count(db, "SELECT count(*) FROM audit_log") == rows)
        let who: String = try db.queryRow("SELECT who FROM audit_log ORDER BY id LIMIT 1").decode("who")
        let sessionUser: String = try db.queryRow("SELECT session_user::text AS u").decode("u")
        #expect(who == sessionUser)
    }

    @Test func anInvalidCreditCodeOrGradeIsRefusedForAnIncident() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let wrongCheck = Incident(enterpriseCode: "91110000600037341M", date: F.day("2026-08-01"), category: "safety", grade: "major", description: nil)
        #expect(lifecycleError { try lifecycle.recordIncident(wrongCheck, source: "通报") }?.code == .invalidInput)
        let noGrade = Incident(enterpriseCode: F.enterpriseA, date: F.day("2026-08-01"), category: "safety", grade: nil, description: nil)
        #expect(lifecycleError { try lifecycle.recordIncident(noGrade, source: "通报") }?.code == .invalidInput)
        #expect(try F.count(db, "SELECT count(*) FROM incidents") == 0)
    }
}
