import Foundation
import IndicatorKit
import Reports
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The recommendation summary (推荐汇总表): well-formed, one language per page, and a CSV a
/// spreadsheet reads as written.
@Suite struct NationalPageTests {
    static let summary = NationalSummary(rulebook: "national-2022", candidates: [
        .init(rank: 1, clusterId: 7, certificateNo: "HN-1", name: "文昌商业航天产业集群", countyCode: "469005", leadingIndustry: "商业航天",
              filingId: 11, outputWan: 450_000, nationalReviewId: 90, asOf: "2026-03-15", nationalRecommendation: "needs_review",
              eligible: true, score: Decimal(string: "91.25")!, met: ["COMP-6", "COMP-7"], manual: ["COMP-1"],
              provinceReviewId: 12, provinceRulebook: "hainan-2023", provinceRecommendation: "needs_review", provinceDecision: "approve",
              differences: [.init(criterion: "INNO-1", province: "pass", national: "manual", provinceBound: "0.05", nationalBound: nil)]),
        .init(rank: 2, clusterId: 8, certificateNo: "HN-2", name: "=HYPERLINK(\"x\"), 集群", countyCode: "460105", leadingIndustry: "生物医药",
              filingId: 12, outputWan: 300_000, nationalReviewId: 91, asOf: "2026-03-15", nationalRecommendation: "not_recommended",
              eligible: false, score: 80, met: ["COMP-7"], missed: ["COMP-6"],
              provinceReviewId: 13, provinceRulebook: "hainan-2023", provinceRecommendation: "needs_review",
              differences: [.init(criterion: "COMP-6", province: "pass", national: "fail", provinceBound: "200000", nationalBound: "400000")]),
        .init(rank: 3, clusterId: 9, certificateNo: "HN-3", name: "五指山红茶产业集群", countyCode: "469001", leadingIndustry: "茶叶加工",
              filingId: 13, outputWan: nil, nationalReviewId: nil, asOf: nil, nationalRecommendation: nil, eligible: false, score: nil),
    ])

    @Test(arguments: Language.allCases)
    func theSummaryParsesAsXMLWithEveryCandidateAndEveryDifference(_ language: Language) throws {
        let document = try XMLDocument(xmlString: NationalPage.render(Self.summary, language: language), options: [])
        #expect(try document.nodes(forXPath: "//table[@id='candidates']/tbody/tr").count == 3)
        #expect(try document.nodes(forXPath: "//tr[@data-cluster='7'][@data-rank='1']/td[@data-eligible='yes']").count == 1)
        #expect(try document.nodes(forXPath: "//tr[@data-cluster='8']/td[@data-missed='COMP-6']").count == 1)
        #expect(try document.nodes(forXPath: "//section[@data-cluster='8']//tr[@data-criterion='COMP-6'][@data-province='pass'][@data-national='fail']").count == 1)
        #expect(try document.nodes(forXPath: "//section[@data-cluster='9']").isEmpty, "not reviewed: nothing to compare")
        #expect(try document.nodes(forXPath: "//script").isEmpty)
    }

    @Test(arguments: Language.allCases)
    func theSummaryIsInOneLanguage(_ language: Language) throws {
        let page = OneLanguageTests.visibleText(NationalPage.render(Self.summary, language: language, generatedAt: OneLanguageTests.moment))
        let names = ["文昌商业航天产业集群", "商业航天", "生物医药", "集群", "五指山红茶产业集群", "茶叶加工", "HYPERLINK", "HN", "national"]
        let words = OneLanguageTests.foreign(page, language: language, names: names)
        #expect(words.isEmpty, "\(language): \(Array(Set(words)).sorted())")
    }

    @Test func theCSVStartsWithAByteOrderMarkEndsLinesWithCRLFAndQuotesAsRFC4180() {
        let csv = NationalCSV.render(Self.summary, language: .en)
        #expect(csv.hasPrefix("\u{FEFF}Rank,Certificate,Cluster,"))
        let lines = csv.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.count == 5 && lines.last == "")
        #expect(lines[1].hasPrefix("1,HN-1,文昌商业航天产业集群,469005,商业航天,450000,yes,91.25,"))
        #expect(lines[1].hasSuffix(",INNO-1:pass>manual"))
        #expect(lines[2].contains(",\"'=HYPERLINK(\"\"x\"\"), 集群\","), "a formula defused, then quoted")
    }

    @Test(arguments: ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
    func aFieldASpreadsheetWouldRunAsAFormulaIsDefused(_ text: String) {
        #expect(NationalCSV.field(text).hasPrefix("'") || NationalCSV.field(text).hasPrefix("\"'"))
    }
}
