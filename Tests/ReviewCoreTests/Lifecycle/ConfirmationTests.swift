import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// Confirmations (issue 15, item 6): warned findings acknowledged, several confirmed at once, a
/// confirmation replaced until the decision and final after it (sql/060).
@Suite struct ConfirmationTests {
    typealias F = LifecycleFixture

    @Test func aWarnAcknowledgedLetsApprovalThrough() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("VETO-1", "warn")])
        try lifecycle.confirm(filing: filing, criterion: "VETO-1", accept: true, note: "一般安全事故已整改，知悉")
        try F.today(db, "2026-04-01")
        try lifecycle.decide(filing: filing, .approve, note: "通过")
        #expect(try F.status(db, filing: filing) == "in_publicity")
    }

    @Test func approvingWithAnUnacknowledgedWarnIsRefusedNamingIt() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("VETO-1", "warn"), ("COMP-9", "manual")])
        try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: true, note: "豁免理由成立")
        try F.today(db, "2026-04-01")
        let error = lifecycleError { try lifecycle.decide(filing: filing, .approve, note: "通过") }
        #expect(error?.code == .approvalBlocked)
        #expect(error?.message.en.contains("VETO-1 warn (unacknowledged)") == true, "\(String(describing: error))")
        #expect(error?.message.en.contains("COMP-9") == false)
        #expect(error?.message.zh.contains("VETO-1 提示项未确认知悉") == true)
        #expect(try F.status(db, filing: filing) == "reviewed")
    }

    @Test func approvingWithARejectedWarnIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("VETO-1", "warn")])
        try lifecycle.confirm(filing: filing, criterion: "VETO-1", accept: false, note: "事故未整改")
        try F.today(db, "2026-04-01")
        let error = lifecycleError { try lifecycle.decide(filing: filing, .approve, note: "通过") }
        #expect(error?.code == .approvalBlocked)
        #expect(error?.message.en.contains("VETO-1 warn (rejected)") == true)
    }

    @Test func confirmingEveryManualFindingRecordsEachSeparately() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        let review = try F.review(db, filing: filing, findings: [
            ("COMP-1", "manual"), ("COMP-4", "manual"), ("COMP-9", "manual"), ("COMP-5", "warn"), ("COMP-6", "pass"),
        ])
        let confirmed = try lifecycle.confirm(filing: filing, criteria: nil, accept: true, note: "材料齐全")
        #expect(confirmed.map(\.criterion) == ["COMP-1", "COMP-4", "COMP-9"])
        #expect(Set(confirmed.map(\.id)).count == 3)
        #expect(try F.count(db, "SELECT count(*) FROM confirmations WHERE review_id = $1 AND accepted", [review]) == 3)
        #expect(try F.count(db, "SELECT count(*) FROM audit_log WHERE table_name = 'confirmations' AND operation = 'INSERT'") == 3)
    }

    @Test func confirmingSeveralIsAllOrNothing() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "manual"), ("COMP-6", "pass")])
        let error = lifecycleError { try lifecycle.confirm(filing: filing, criteria: ["COMP-1", "COMP-6"], accept: true, note: "x") }
        #expect(error?.code == .wrongState)
        #expect(try F.count(db, "SELECT count(*) FROM confirmations") == 0)
    }

    @Test func aLaterConfirmationReplacesTheEarlierBeforeTheDecisionAndTheAuditLogKeepsBoth() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-9", "manual")])
        let first = try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: false, note: "豁免理由不成立")
        let second = try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: true, note: "补充材料后豁免理由成立")
        #expect(second == first)
        let row = try db.queryRow("SELECT accepted, note FROM confirmations WHERE id = $1", [first])
        #expect(try row.decode("accepted", as: Bool.self))
        #expect(try row.decode("note", as: String.self) == "补充材料后豁免理由成立")
        let notes: [String] = try db.query(
            """
            SELECT coalesce(after ->> 'note', '') AS note FROM audit_log
            WHERE table_name = 'confirmations' AND row_key = $1 ORDER BY id
            """, [String(first)]
        ).rows.map { try $0.decode("note") }
        #expect(notes == ["豁免理由不成立", "补充材料后豁免理由成立"])
        #expect(try F.count(db, "SELECT count(*) FROM audit_log WHERE table_name = 'confirmations' AND before ->> 'note' = '豁免理由不成立'") == 1)
        try F.today(db, "2026-04-01")
        try lifecycle.decide(filing: filing, .approve, note: "通过")
        #expect(try F.status(db, filing: filing) == "in_publicity")
    }

    @Test func aConfirmationIsFinalAfterTheDecision() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-9", "manual")])
        try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: true, note: "豁免理由成立")
        try F.today(db, "2026-04-01")
        try lifecycle.decide(filing: filing, .approve, note: "通过")
        let audited = try F.count(db, "SELECT count(*) FROM audit_log")
        let error = lifecycleError { try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: false, note: "改变主意") }
        #expect(error?.code == .alreadyDone)
        #expect(error?.message.en.contains("final") == true)
        #expect(error?.message.zh.contains("不能再更改") == true)
        #expect(try F.count(db, "SELECT count(*) FROM confirmations WHERE accepted") == 1)
        #expect(try F.count(db, "SELECT count(*) FROM audit_log") == audited)
    }
}
