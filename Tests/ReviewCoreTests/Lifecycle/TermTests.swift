import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// A cluster lives in terms (criteria.md "Procedure and dynamic management"): 14(1) is judged on the
/// current term, and a recertification counts for a term when filed while it runs or within the
/// recheck window after it (recheck_window_days, 183 in config/lifecycle.json).
@Suite struct TermTests {
    typealias F = LifecycleFixture
    static let window = 183

    /// The 14(1) proposals of a sweep on `day` (the clock moved there first), as subjects.
    func expiryRevocations(_ db: PostgresConnection, on day: CivilDate) throws -> [String] {
        try F.sweep(db, on: day).actions.filter { $0.action == "revoke" && $0.ground == "14(1)" }.map(\.subject)
    }

    /// Files a recertification of `cluster` on `filedOn`, reviews it (all pass) and approves it on `approvedOn`.
    @discardableResult
    func renew(_ db: PostgresConnection, _ cluster: Int64, filedOn: CivilDate, approvedOn: CivilDate) throws -> Int64 {
        let filing = try F.filing(db, kind: "recertification", filedOn: filedOn.description, cluster: cluster)
        try F.review(db, filing: filing, findings: [("PLAN-1", "pass")])
        try F.today(db, approvedOn)
        try F.lifecycle(db).decide(filing: filing, .approve, note: "复核通过")
        return filing
    }

    func entry(_ db: PostgresConnection, _ cluster: Int64) throws -> RegisterEntry {
        try #require(try Register.entry(db, String(cluster)))
    }

    @Test func eachRenewalOpensATermFromTheDayAfterTheOldExpiry() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let first = try entry(db, cluster)
        let end1 = first.validUntil
        let second = try renew(db, cluster, filedOn: end1.adding(days: -30), approvedOn: end1.adding(days: -10))
        let end2 = end1.adding(years: 3)
        let third = try renew(db, cluster, filedOn: end2.adding(days: -40), approvedOn: end2.adding(days: -5))
        let terms = try Register.terms(db, cluster: cluster)
        #expect(terms.map(\.number) == [1, 2, 3])
        #expect(terms.map(\.kind) == ["recognized", "recertified", "recertified"])
        #expect(terms[0].startsOn == first.recognizedOn && terms[0].endsOn == end1 && terms[0].filingId == first.filingId)
        #expect(terms[1].startsOn == end1.adding(days: 1) && terms[1].endsOn == end2 && terms[1].filingId == second)
        #expect(terms[2].startsOn == end2.adding(days: 1) && terms[2].endsOn == end2.adding(years: 3) && terms[2].filingId == third)
        #expect(try entry(db, cluster).validUntil == end2.adding(years: 3))
    }

    @Test func aSecondTermWithoutARecertificationIsA14_1CaseOnlyAfterTheWindow() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let end1 = try entry(db, cluster).validUntil
        try renew(db, cluster, filedOn: end1.adding(days: -30), approvedOn: end1.adding(days: -10))
        let end2 = end1.adding(years: 3)
        #expect(try expiryRevocations(db, on: end2.adding(days: 1)) == [])
        #expect(try entry(db, cluster).status == "expired")
        #expect(try expiryRevocations(db, on: end2.adding(days: Self.window)) == [])
        let actions = try F.sweep(db, on: end2.adding(days: Self.window + 1)).actions.filter { $0.ground == "14(1)" }
        #expect(actions.map(\.subject) == ["expired:\(end2)"])
        #expect(actions.first?.evidence.contains("\"term_no\": 2") == true)
    }

    @Test func aThirdTermWithoutARecertificationIsA14_1Case() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let end1 = try entry(db, cluster).validUntil
        try renew(db, cluster, filedOn: end1.adding(days: -30), approvedOn: end1.adding(days: -10))
        let end2 = end1.adding(years: 3)
        try renew(db, cluster, filedOn: end2.adding(days: 20), approvedOn: end2.adding(days: 90))
        let end3 = end2.adding(years: 3)
        #expect(try expiryRevocations(db, on: end3.adding(days: Self.window)) == [])
        #expect(try expiryRevocations(db, on: end3.adding(days: Self.window + 1)) == ["expired:\(end3)"])
    }

    @Test func expiryWithoutAFilingIsRecheckPendingUntilTheWindowEnds() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        try F.annualReportsOnTime(db, cluster: cluster, years: 2026...2028)
        let end = try entry(db, cluster).validUntil
        let expired = try F.sweep(db, on: end.adding(days: 1)).actions
        #expect(expired.map(\.action) == ["expire"])
        let pending = try entry(db, cluster)
        #expect(pending.recheckUntil == end.adding(days: Self.window))
        #expect(pending.recheckPending(on: end.adding(days: Self.window)))
        #expect(!pending.recheckPending(on: end.adding(days: Self.window + 1)))
        #expect(try expiryRevocations(db, on: end.adding(days: Self.window)) == [])
        #expect(try expiryRevocations(db, on: end.adding(days: Self.window + 1)) == ["expired:\(end)"])
    }

    @Test func aRenewalFiledLateWithinTheWindowRunsFromTheDayAfterTheOldExpiry() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let end = try entry(db, cluster).validUntil
        #expect(try expiryRevocations(db, on: end.adding(days: 1)) == [])
        let filing = try F.filing(db, kind: "recertification", filedOn: end.adding(days: 100).description, cluster: cluster)
        #expect(try expiryRevocations(db, on: end.adding(days: Self.window + 1)) == [])
        try F.review(db, filing: filing, findings: [("PLAN-1", "pass")])
        try F.today(db, end.adding(days: 200))
        try F.lifecycle(db).decide(filing: filing, .approve, note: "复核通过")
        let renewed = try entry(db, cluster)
        #expect(renewed.status == "active")
        #expect(renewed.validUntil == end.adding(years: 3))
        let terms = try Register.terms(db, cluster: cluster)
        #expect(terms.last?.startsOn == end.adding(days: 1))
        #expect(terms.last?.decidedOn == end.adding(days: 200))
    }

    @Test func aRecertificationFiledOnTheWindowsLastDayCounts() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let end = try entry(db, cluster).validUntil
        try F.filing(db, kind: "recertification", filedOn: end.adding(days: Self.window).description, status: "in_review", cluster: cluster)
        #expect(try expiryRevocations(db, on: end.adding(days: Self.window + 1)) == [])
    }

    @Test func aRecertificationFiledTheDayAfterTheWindowDoesNotCount() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let end = try entry(db, cluster).validUntil
        try F.filing(db, kind: "recertification", filedOn: end.adding(days: Self.window + 1).description, status: "in_review", cluster: cluster)
        #expect(try expiryRevocations(db, on: end.adding(days: Self.window + 1)) == ["expired:\(end)"])
    }

    @Test func theRecertificationThatOpenedTheCurrentTermDoesNotCountForIt() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let end1 = try entry(db, cluster).validUntil
        // Filed late, inside term 2 as it turns out: it is term 1's recertification all the same.
        try renew(db, cluster, filedOn: end1.adding(days: 30), approvedOn: end1.adding(days: 60))
        let end2 = end1.adding(years: 3)
        #expect(try expiryRevocations(db, on: end2.adding(days: Self.window + 1)) == ["expired:\(end2)"])
    }

    @Test func aRefusedRecertificationOfAnEarlierTermDoesNotCountForTheCurrentOne() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        let end1 = try entry(db, cluster).validUntil
        let refused = try F.filing(db, kind: "recertification", filedOn: end1.adding(days: -20).description, cluster: cluster)
        try F.review(db, filing: refused, findings: [("PLAN-1", "fail")])
        try F.today(db, end1.adding(days: -5))
        try lifecycle.decide(filing: refused, .refuse, note: "复核未通过", grounds: "PLAN-1：规划目标未完成")
        // A second application within the window is approved: term 2.
        try renew(db, cluster, filedOn: end1.adding(days: 10), approvedOn: end1.adding(days: 40))
        let end2 = end1.adding(years: 3)
        #expect(try expiryRevocations(db, on: end2.adding(days: Self.window + 1)) == ["expired:\(end2)"])
    }

    @Test func aRecertificationFiledDuringTheSecondTermCountsForIt() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let end1 = try entry(db, cluster).validUntil
        try renew(db, cluster, filedOn: end1.adding(days: -30), approvedOn: end1.adding(days: -10))
        let end2 = end1.adding(years: 3)
        try F.filing(db, kind: "recertification", filedOn: end2.adding(days: -15).description, status: "in_review", cluster: cluster)
        #expect(try expiryRevocations(db, on: end2.adding(days: Self.window + 1)) == [])
    }
}
