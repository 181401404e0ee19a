import Foundation
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import Reports
import TestSupport
import Testing
import ClusterStandard

/// The reviewer's whole record (issue 15, item 5): confirmations, what still awaits confirmation,
/// the decision with its grounds, the notice with objections and their resolution, and the
/// certificate with its term, read under the caller's row-level security and shown alike in the
/// terminal lines, the JSON and the HTML report.
@Suite struct ReviewerRecordTests {
    typealias F = LifecycleFixture

    /// A filing reviewed with two manual findings and one warning, taken through its whole life:
    /// confirmed, approved, an objection dismissed during the notice, recognized. Returns the
    /// filing and its register entry's certificate number.
    func fullLife(_ db: PostgresConnection) throws -> (filing: Int64, certificate: String) {
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        let review = try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("COMP-9", "manual"), ("GOVE-4", "manual"), ("VETO-1", "warn")])
        _ = try db.query("UPDATE reviews SET rulebook = 'hainan-2023', rulebook_hash = repeat('ab', 32), as_of = '2026-03-02' WHERE id = $1", [review])
        try lifecycle.confirm(filing: filing, criterion: "COMP-9", accept: true, note: "增长豁免理由成立")
        try lifecycle.confirm(filing: filing, criterion: "GOVE-4", accept: true, note: "规划目标可考核")
        try lifecycle.confirm(filing: filing, criterion: "VETO-1", accept: true, note: "一般事故已整改")
        try F.today(db, "2026-04-28")
        try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
        try F.today(db, "2026-05-06")
        let objection = try lifecycle.fileObjection(filing: filing, by: "某企业", reason: "产值数据存疑")
        try lifecycle.resolveObjection(objection, upheld: false, note: "经核实数据无误")
        try F.today(db, "2026-05-11")
        let cluster = try #require(try lifecycle.closePublicity(filing: filing))
        let entry = try #require(try Register.entry(db, String(cluster)))
        return (filing, entry.certificateNo)
    }

    @Test func theWholeRecordAfterAFullLifeIsReadFromTheDatabase() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (filing, certificate) = try fullLife(db)
        let record = try #require(try ReviewerRecords.load(filing: filing, on: db))
        #expect(record.confirmations.map(\.criterion) == ["COMP-9", "GOVE-4", "VETO-1"])
        #expect(record.confirmations.allSatisfy { $0.accepted && !$0.reviewer.isEmpty && $0.date != nil })
        #expect(record.confirmations.map(\.note) == ["增长豁免理由成立", "规划目标可考核", "一般事故已整改"])
        #expect(record.awaitingConfirmation.isEmpty)
        #expect(record.decisions.map(\.decision) == ["approve"])
        #expect(record.decisions.first?.decidedOn == F.day("2026-04-28"))
        #expect(record.decisions.first?.note == "符合认定条件")
        let notice = try #require(record.notices.first)
        #expect(record.notices.count == 1)
        #expect(notice.state == "recognized")
        #expect(notice.startsOn == F.day("2026-04-29") && notice.endsOn == F.day("2026-05-08"))
        #expect(notice.objections.map(\.state) == ["dismissed"])
        #expect(notice.objections.first?.objector == "某企业")
        #expect(notice.objections.first?.resolution == "经核实数据无误")
        #expect(record.certificate?.number == certificate)
        #expect(record.certificate?.term == 1)
        #expect(record.certificate?.startsOn == F.day("2026-05-11"))
        #expect(record.certificate?.endsOn == F.day("2029-05-11"))
        #expect(record.certificate?.registerStatus == "active")
    }

    @Test func theWholeRecordShowsInTheTerminalLinesInOneLanguage() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (filing, certificate) = try fullLife(db)
        let record = try #require(try ReviewerRecords.load(filing: filing, on: db))
        let en = record.lines(language: .en).joined(separator: "\n")
        for expected in ["Awaiting confirmation: none", "Confirmations made:", "COMP-9 accepted", "增长豁免理由成立",
                         "Decision: approved", "2026-04-28", "Public notice: 2026-04-29 – 2026-05-08 · closed, recognized",
                         "Objection: 某企业", "→ dismissed · 经核实数据无误", "Certificate: \(certificate) · term 1 · 2026-05-11 – 2029-05-11"] {
            #expect(en.contains(expected), "\(expected) missing from:\n\(en)")
        }
        let zh = record.lines(language: .zh).joined(separator: "\n")
        for expected in ["待确认：无", "决定：批准", "异议已驳回", "认定证书：\(certificate) · 第 1 期"] {
            #expect(zh.contains(expected), "\(expected) missing from:\n\(zh)")
        }
        #expect(!zh.contains("Decision") && !zh.contains("Certificate") && !en.contains("决定") && !en.contains("认定证书"))
    }

    @Test func theWholeRecordIsInTheJSON() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (filing, certificate) = try fullLife(db)
        let record = try #require(try ReviewerRecords.load(filing: filing, on: db))
        let json = try JSONValue(parsing: try JSONEncoder().encode(record))
        #expect(json["certificate"]?["number"]?.string == certificate)
        #expect(json["certificate"]?["term"] == .number(1))
        #expect(json["awaiting_confirmation"] == .array([]))
        let text = json.canonicalText()
        for expected in ["\"decision\":\"approve\"", "\"state\":\"dismissed\"", "\"resolution\":\"经核实数据无误\"",
                         "\"criterion\":\"VETO-1\"", "\"starts_on\":\"2026-04-29\""] {
            #expect(text.contains(expected), "\(expected) missing from \(text)")
        }
        #expect(try JSONDecoder().decode(ReviewerRecord.self, from: try JSONEncoder().encode(record)) == record)
    }

    @Test func theWholeRecordIsInTheHTMLReportAndNothingIsListedAsPending() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (filing, certificate) = try fullLife(db)
        let report = try #require(try ReviewReport.load(filing: filing, on: db))
        let html = HTMLReport.render(report, language: .en)
        #expect(html.contains("data-certificate=\"\(certificate)\""))
        #expect(html.contains("Certificate: \(certificate) · term 1"))
        #expect(html.contains("data-decision=\"approve\""))
        #expect(html.contains("class=\"objection\" data-state=\"dismissed\""))
        #expect(html.contains("class=\"confirmations\""))
        #expect(!html.contains("class=\"pending-count\""), "nothing is pending once every finding is confirmed")
        #expect(!html.contains("class=\"pending\""))
        #expect(!html.contains("cluster-review confirm"))
    }

    @Test func awaitingConfirmationListsOnlyWhatIsStillUnconfirmed() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("COMP-9", "manual"), ("GOVE-4", "manual"), ("VETO-1", "warn")])
        #expect(try ReviewerRecords.load(filing: filing, on: db)?.awaitingConfirmation == ["COMP-9", "GOVE-4", "VETO-1"])
        try lifecycle.confirm(filing: filing, criterion: "GOVE-4", accept: false, note: "规划目标不可考核")
        let record = try #require(try ReviewerRecords.load(filing: filing, on: db))
        #expect(record.awaitingConfirmation == ["COMP-9", "VETO-1"])
        #expect(record.confirmations.map(\.accepted) == [false])
        #expect(record.lines(language: .en).contains("Awaiting confirmation: COMP-9, VETO-1"))
    }

    @Test func aRefusalShowsItsGrounds() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let filing = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: filing, findings: [("COMP-2", "fail")])
        try F.today(db, "2026-04-01")
        try lifecycle.decide(filing: filing, .refuse, note: "不符合产业政策", grounds: "认定标准（一）第2项")
        let record = try #require(try ReviewerRecords.load(filing: filing, on: db))
        #expect(record.decisions.first?.grounds == "认定标准（一）第2项")
        #expect(record.lines(language: .en).contains { $0.hasPrefix("Decision: refused") && $0.hasSuffix("grounds: 认定标准（一）第2项") })
    }

    @Test func aCoordinatorsCompletedCountComesFromTheReviewsItWroteNotItsHeartbeat() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        try CoordinatorRecords.beat(name: "counting", inFlight: 0, completed: 0, pools: [], on: db)
        for day in ["2026-03-02", "2026-03-03"] {
            let filing = try F.filing(db, filedOn: day)
            let review = try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
            _ = try db.query("UPDATE reviews SET coordinator = 'counting' WHERE id = $1", [review])
        }
        // The heartbeat still says 0: the count is read from the reviews, at once.
        #expect(try CoordinatorRecords.live(on: db).first { $0.name == "counting" }?.completed == 2)
    }
}
