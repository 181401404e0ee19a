import Foundation
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import Reports
import TestSupport
import Testing
import ClusterStandard

/// `report N --diff` (issue 15, item 7): a corrected filing against the returned filing it
/// supersedes — the document field by field and the findings whose verdict changed.
@Suite struct CorrectionDiffTests {
    typealias F = LifecycleFixture

    /// A returned filing and its correction, each reviewed: the area grows from 58 to 60 km², one
    /// enterprise joins, and COMP-1 goes from fail to pass while GOVE-4 stays manual.
    func correction(_ db: PostgresConnection) throws -> (old: Int64, new: Int64) {
        let lifecycle = try F.lifecycle(db)
        let old = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: old, findings: [("COMP-1", "fail"), ("GOVE-4", "manual")])
        try F.today(db, "2026-04-01")
        try lifecycle.decide(filing: old, .return, note: "面积有误，请更正后重报")
        let new = try F.filing(db, filedOn: "2026-04-10", payload: F.payload(areaKm2: "60.0", enterprises: [F.enterpriseA, F.enterpriseB, "91469005MA5T00009X"]),
                               supersedes: old)
        try F.review(db, filing: new, findings: [("COMP-1", "pass"), ("GOVE-4", "manual"), ("DIGI-1", "pass")])
        return (old, new)
    }

    @Test func theDiffShowsEachChangedFieldAndEachFindingWhoseVerdictChanged() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (old, new) = try correction(db)
        let diff = try CorrectionDiffs.diff(of: new, on: db)
        #expect(diff.supersedes == old && diff.filingID == new)
        #expect(diff.changes.map(\.path) == ["$.cluster.area_km2", "$.enterprises[code=91469005MA5T00009X]"])
        #expect(diff.changes.first?.old == .number(58) && diff.changes.first?.new == .number(60))
        #expect(diff.changes.last?.old == nil)
        #expect(diff.verdictChanges == [
            FilingDiff.VerdictChange(criterion: "COMP-1", old: .fail, new: .pass),
            FilingDiff.VerdictChange(criterion: "DIGI-1", old: nil, new: .pass),
        ])
    }

    @Test func theDiffReadsInTheTerminalAndInHTMLInOneLanguage() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (old, new) = try correction(db)
        let diff = try CorrectionDiffs.diff(of: new, on: db)
        let en = diff.lines(language: .en).joined(separator: "\n")
        #expect(en.contains("What changed from filing \(old) to its correction \(new)"))
        #expect(en.contains("$.cluster.area_km2: 58 km² → 60 km²"), "\(en)")
        #expect(en.contains("COMP-1: fail → pass"), "\(en)")
        #expect(en.contains("DIGI-1: (no finding) → pass"), "\(en)")
        let zh = diff.lines(language: .zh).joined(separator: "\n")
        #expect(zh.contains("$.cluster.area_km2: 58 平方公里 → 60 平方公里"), "\(zh)")
        #expect(zh.contains("COMP-1: 未通过 → 通过"))
        let html = HTMLReport.renderDiff(diff, language: .en)
        #expect(html.contains("<tr data-path=\"$.cluster.area_km2\">"))
        #expect(html.contains("<td class=\"old\">58 km²</td><td class=\"new\">60 km²</td>"), "\(html)")
        #expect(html.contains("<tr data-criterion=\"COMP-1\">"))
        #expect(!HTMLReport.renderDiff(diff, language: .zh).contains("Fields that changed"))
    }

    @Test func aFilingThatCorrectsNothingHasNoDiff() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let filing = try F.filing(db, filedOn: "2026-03-02")
        #expect(throws: CorrectionDiffs.Failure.correctsNothing(filing)) { try CorrectionDiffs.diff(of: filing, on: db) }
        #expect(throws: CorrectionDiffs.Failure.noFiling(filing + 99)) { try CorrectionDiffs.diff(of: filing + 99, on: db) }
    }

    @Test func amountsInTheDiffAreReadableAndYearsAreMatchedByYear() {
        let old: JSONValue = ["figures": [["year": 2024, "exports_wan": 23000], ["year": 2025, "exports_wan": 26000]]]
        let new: JSONValue = ["figures": [["year": 2024, "exports_wan": 23000], ["year": 2025, "exports_wan": 31000]]]
        let diff = FilingDiff(filingID: 2, supersedes: 1, clusterName: "x", old: old, new: new, oldVerdicts: nil, newVerdicts: nil)
        #expect(diff.changes.map(\.path) == ["$.figures[year=2025].exports_wan"])
        let zh = diff.lines(language: .zh)
        #expect(zh.contains("  $.figures[year=2025].exports_wan: 2.6亿元 → 3.1亿元"), "\(zh)")
        #expect(diff.lines(language: .en).contains("  $.figures[year=2025].exports_wan: 260 million CNY → 310 million CNY"))
        #expect(diff.lines(language: .en).contains { $0.contains("Not both filings have a finished review") })
    }
}
