import Foundation
import IndicatorKit
import Testing
import ClusterStandard
import Reports

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every report and list says when it was made and under what: generated at (Beijing time), the
/// rulebook by name and content hash, the as-of date and the filing's content hash.
@Suite struct ReportStampTests {
    /// 2026-03-15 02:30:00 UTC, 10:30 in Beijing.
    static let moment = Date(timeIntervalSince1970: 1_773_541_800)
    static let rulebook = ReviewReport.RulebookReference(name: "hainan-2023", hash: String(repeating: "ab", count: 32), asOf: CivilDate("2026-03-15")!)
    static let filingHash = String(repeating: "0123456789abcdef", count: 4)

    @Test func theTimeIsBeijingTimeWhateverTheMachinesZone() {
        #expect(ReportStamp.beijingTime(Self.moment) == "2026-03-15 10:30")
        // 16:00 UTC is past midnight in Beijing: the next day.
        #expect(ReportStamp.beijingTime(Date(timeIntervalSince1970: 1_773_590_400)) == "2026-03-16 00:00")
    }

    @Test func aReportsStampNamesTheMomentTheRulebookAndItsHashTheAsOfDateAndTheFilingsHash() {
        let stamp = ReportStamp(generatedAt: Self.moment, rulebooks: [Self.rulebook], asOf: Self.rulebook.asOf, filingHash: Self.filingHash)
        #expect(stamp.line(in: .zh) == "生成时间 2026-03-15 10:30（北京时间） · 规则集 hainan-2023（内容哈希 \(Self.rulebook.hash)） · 基准日 2026-03-15 · 申报内容哈希 \(Self.filingHash)")
        #expect(stamp.line(in: .en) == "Generated 2026-03-15 10:30 (Beijing time, UTC+8) · rulebook hainan-2023 (content hash \(Self.rulebook.hash)) · as of 2026-03-15 · filing content hash \(Self.filingHash)")
        #expect(stamp.line(in: .en, hashLength: 16) == "Generated 2026-03-15 10:30 (Beijing time, UTC+8) · rulebook hainan-2023 (content hash abababababababab) · as of 2026-03-15 · filing content hash 0123456789abcdef")
    }

    @Test(arguments: Language.allCases)
    func everyReportPageCarriesItsStampAtTheTopOnScreenAndInPrint(_ language: Language) async throws {
        var report = try await ReportFixtures.report(HTMLReportTests.clear)
        report.filingHash = Self.filingHash
        let html = HTMLReport.render(report, language: language, generatedAt: Self.moment)
        let document = try HTMLReportTests.parse(html)
        let stamp = try document.nodes(forXPath: "//header/p[@id='stamp']").first?.stringValue
        #expect(stamp == ReportStamp(report, generatedAt: Self.moment).line(in: language))
        #expect(stamp?.contains(report.rulebook.hash) == true && stamp?.contains(Self.filingHash) == true)
        #expect(stamp?.contains("2026-03-15 10:30") == true)
        // Nothing hides it when printing.
        #expect(!HTMLReport.stylesheet.contains(".stamp { display: none"))
    }

    @Test(arguments: Language.allCases)
    func theIndexSaysWhenItWasMadeUnderWhichRulebooksAndEachRowsAsOfDate(_ language: Language) async throws {
        let report = try await ReportFixtures.report(HTMLReportTests.clear)
        let entries = [ReportIndexEntry(report, href: "a.html"), ReportIndexEntry(report, href: "b.html"),
                       ReportIndexEntry(filingID: "9", county: .init(code: "469005"), clusterName: "x", kind: .initial, status: "submitted",
                                        recommendation: nil, href: "c.html")]
        let document = try HTMLReportTests.parse(HTMLReport.renderIndex(entries, language: language, generatedAt: Self.moment))
        let stamp = try document.nodes(forXPath: "//p[@id='stamp']").first?.stringValue ?? ""
        #expect(stamp.hasPrefix(language == .en ? "Generated 2026-03-15 10:30" : "生成时间 2026-03-15 10:30"))
        #expect(stamp.components(separatedBy: report.rulebook.hash).count == 2, "each rulebook once: \(stamp)")
        let cells = try document.nodes(forXPath: "//table[@class='index']/tbody/tr/td[6]").compactMap(\.stringValue)
        #expect(cells == [report.rulebook.asOf.description, report.rulebook.asOf.description, "—"])
    }
}
