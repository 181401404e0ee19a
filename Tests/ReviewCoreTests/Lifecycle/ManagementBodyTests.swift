import Foundation
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

/// The management body in the register (issue 15, item 3; sql/053): recorded from the filing a
/// register entry is made from, changed by an accepted change report, and an annual report naming
/// another body with no change report for it is an Art. 14(4) ground the sweep proposes once.
@Suite struct ManagementBodyTests {
    typealias F = LifecycleFixture
    static let committee = "文昌国际航天城管委会"
    static let company = "文昌航天城运营有限公司"

    /// `payload` (LifecycleFixture's) with `cluster.management_body` naming `body` (none when nil).
    func stating(_ body: String?, kind: String = "management_committee", in payload: String = F.payload()) throws -> String {
        let value = try JSONValue(parsing: Data(payload.utf8))
        guard let body else { return value.canonicalText() }
        return value.setting("cluster.management_body", to: [
            "name": .string(body), "kind": .string(kind), "established_on": "2020-05-01",
            "evidence": ["statement": "设立文件", "documents": ["d1"]],
        ]).canonicalText()
    }

    /// A cluster recognized from a filing stating `body`; returns the register entry's id.
    func recognized(_ db: PostgresConnection, body: String?, name: String = "文昌商业航天产业集群") throws -> Int64 {
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02", payload: try stating(body), name: name)
        try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("GOVE-4", "pass")])
        try F.today(db, "2026-04-28")
        try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try F.today(db, notice.endsOn.adding(days: 1))
        return try #require(try lifecycle.closePublicity(filing: filing))
    }

    /// The annual report of 2026 for `cluster`, filed on `filedOn`, stating `body`.
    @discardableResult
    func annualReport(_ db: PostgresConnection, cluster: Int64, body: String?, filedOn: String = "2027-03-10") throws -> Int64 {
        try F.filing(db, kind: "annual_report", filedOn: filedOn, payload: try stating(body, in: F.payload(annualReportYear: 2026)),
                     status: "recorded", cluster: cluster)
    }

    /// A change report for `cluster` filed on `filedOn`: management body `before` → `after`, stating `after`.
    @discardableResult
    func changeReport(_ db: PostgresConnection, cluster: Int64, to after: String, filedOn: String) throws -> Int64 {
        try F.filing(db, kind: "change_report", filedOn: filedOn,
                     payload: try stating(after, kind: "operating_company", in: F.payload(changes: [("management_body", Self.committee, after)])),
                     status: "recorded", cluster: cluster)
    }

    /// The 14(4) actions of a sweep on `day`: their subjects.
    func ground14_4(_ db: PostgresConnection, on day: String) throws -> [String] {
        try F.sweep(db, on: day).actions.filter { $0.ground == "14(4)" }.map(\.subject)
    }

    @Test func recognitionRecordsTheBodyItsFilingStates() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let entry = try #require(try Register.entry(db, String(try recognized(db, body: Self.committee))))
        #expect(entry.managementBody == Self.committee)
        #expect(entry.managementBodyKind == "management_committee")
        #expect(entry.managementBodyEstablishedOn == F.day("2020-05-01"))
        #expect(entry.managementBodyEvidence?["documents"] == ["d1"])
    }

    @Test func aFilingStatingNoBodyLeavesTheRegistersBodyEmptyNotTheFilers() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let entry = try #require(try Register.entry(db, String(try recognized(db, body: nil))))
        #expect(entry.managementBody == "")
        #expect(entry.managementBodyKind == nil && entry.managementBodyEstablishedOn == nil && entry.managementBodyEvidence == nil)
    }

    @Test func anAcceptedChangeReportGivesTheRegisterTheNewBodyWhole() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: Self.committee)
        let change = try changeReport(db, cluster: cluster, to: Self.company, filedOn: "2026-09-01")
        try F.today(db, "2026-09-10")
        try F.lifecycle(db).acceptChangeReport(filing: change, note: "核实")
        let entry = try #require(try Register.entry(db, String(cluster)))
        #expect(entry.managementBody == Self.company)
        #expect(entry.managementBodyKind == "operating_company")
        #expect(entry.managementBodyEstablishedOn == F.day("2020-05-01"))
        // The annual report that follows names the new body: no ground.
        try annualReport(db, cluster: cluster, body: Self.company)
        #expect(try ground14_4(db, on: "2027-03-15") == [])
    }

    @Test func ground14_4_anAnnualReportNamingAnotherBodyWithoutAChangeReportIsProposedOnce() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: Self.committee)
        let report = try annualReport(db, cluster: cluster, body: Self.company)
        let report1 = try F.sweep(db, on: "2027-03-15").actions.filter { $0.ground == "14(4)" }
        #expect(report1.map(\.subject) == ["annual-report-filing:\(report):management_body"])
        #expect(report1.first?.state == "proposed")
        #expect(report1.first?.evidence.contains(Self.company) == true && report1.first?.evidence.contains(Self.committee) == true)
        #expect(try ground14_4(db, on: "2027-03-16") == [], "proposed once")
        #expect(try F.count(db, "SELECT count(*)::int FROM sweep_actions WHERE ground = '14(4)'") == 1)
    }

    @Test func ground14_4_notRaisedForTheRegistersOwnBodyOrForNoBodyStated() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: Self.committee)
        try annualReport(db, cluster: cluster, body: Self.committee)
        try annualReport(db, cluster: cluster, body: nil, filedOn: "2027-03-11")
        #expect(try ground14_4(db, on: "2027-03-15") == [])
    }

    @Test func ground14_4_notRaisedWhenTheRegisterRecordsNoBody() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: nil)
        try annualReport(db, cluster: cluster, body: Self.company)
        #expect(try ground14_4(db, on: "2027-03-15") == [])
    }

    @Test func ground14_4_notRaisedWhenAChangeReportNamingThatBodyWasFiledTheSameDay() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: Self.committee)
        try changeReport(db, cluster: cluster, to: Self.company, filedOn: "2027-03-10")
        try annualReport(db, cluster: cluster, body: Self.company, filedOn: "2027-03-10")
        #expect(try ground14_4(db, on: "2027-03-15") == [])
    }

    @Test func ground14_4_raisedWhenTheChangeReportCameTheDayAfterTheAnnualReport() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: Self.committee)
        let report = try annualReport(db, cluster: cluster, body: Self.company, filedOn: "2027-03-10")
        try changeReport(db, cluster: cluster, to: Self.company, filedOn: "2027-03-11")
        #expect(try ground14_4(db, on: "2027-03-15") == ["annual-report-filing:\(report):management_body"])
    }

    @Test func ground14_4_raisedWhenTheChangeReportNamesAnotherBody() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: Self.committee)
        try changeReport(db, cluster: cluster, to: "文昌航天促进中心", filedOn: "2027-01-10")
        let report = try annualReport(db, cluster: cluster, body: Self.company)
        #expect(try ground14_4(db, on: "2027-03-15") == ["annual-report-filing:\(report):management_body"])
    }

    @Test func ground14_4_raisedWhenTheChangeReportWasRejected() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try recognized(db, body: Self.committee)
        let change = try changeReport(db, cluster: cluster, to: Self.company, filedOn: "2027-01-10")
        try F.today(db, "2027-01-20")
        try F.lifecycle(db).rejectChangeReport(filing: change, note: "材料不全")
        let report = try annualReport(db, cluster: cluster, body: Self.company)
        #expect(try ground14_4(db, on: "2027-03-15") == ["annual-report-filing:\(report):management_body"])
    }
}
