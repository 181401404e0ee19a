import Foundation
import IndicatorKit
import Reports
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The statistics dashboard: well-formed, one language per page, every count where it belongs,
/// and the CSV one fact per line.
@Suite struct StatisticsPageTests {
    static let statistics = ProvinceStatistics(
        filter: StatisticsFilter(year: 2026),
        filings: [
            .init(countyCode: "469005", leadingIndustry: "商业航天", year: 2026, status: "recognized", recommendation: "recommended", filings: 3),
            .init(countyCode: "469005", leadingIndustry: "商业航天", year: 2026, status: "submitted", recommendation: nil, filings: 2),
            .init(countyCode: "460105", leadingIndustry: "生物医药, \"创新\"", year: 2026, status: "refused", recommendation: "not_recommended",
                  filings: 4),
        ],
        criteria: [.init(criterion: "COMP-6", kind: "threshold", verdicts: ["pass": 3, "fail": 1])],
        margins: [.init(criterion: "COMP-6", band: 0, findings: 1), .init(criterion: "COMP-6", band: 5, findings: 3)],
        register: [.init(countyCode: "469005", status: "active", year: 2026, clusters: 2, outputWan: 450_000, employees: 12_000)],
        watchlist: [.init(clusterId: 1, certificateNo: "HN-1", name: "文昌商业航天产业集群", countyCode: "469005", year: 2025,
                          failed: ["COMP-6"], warned: [])])

    @Test(arguments: Language.allCases)
    func theDashboardParsesAsXMLWithEveryTable(_ language: Language) throws {
        let document = try XMLDocument(xmlString: StatisticsPage.render(Self.statistics, language: language), options: [])
        for id in ["by-county", "by-industry", "register", "criteria", "trends", "watchlist"] {
            #expect(try document.nodes(forXPath: "//table[@id='\(id)']").count == 1, "\(id)")
        }
        #expect(try document.nodes(forXPath: "//table[@id='by-county']//tr[@data-key='469005']/td[@data-filings='5']").count == 1)
        #expect(try document.nodes(forXPath: "//table[@id='criteria']//tr[@data-criterion='COMP-6']/td[@data-failed='1']").count == 1)
        #expect(try document.nodes(forXPath: "//figure[@data-criterion='COMP-6']//*[@data-band='5'][@data-count='3']").count == 1)
        #expect(try document.nodes(forXPath: "//svg").count == 2, "the county bars and one histogram")
        #expect(try document.nodes(forXPath: "//script").isEmpty)
    }

    @Test(arguments: Language.allCases)
    func theDashboardIsInOneLanguage(_ language: Language) throws {
        let page = OneLanguageTests.visibleText(StatisticsPage.render(Self.statistics, language: language, generatedAt: OneLanguageTests.moment))
        let names = ["商业航天", "生物医药", "创新", "文昌商业航天产业集群", "HN"]
        let words = OneLanguageTests.foreign(page, language: language, names: names)
        #expect(words.isEmpty, "\(language): \(Array(Set(words)).sorted())")
    }

    @Test func theChineseDashboardWritesOutputInYiAndFailRatesAsPercentages() throws {
        let page = StatisticsPage.render(Self.statistics, language: .zh)
        #expect(page.contains("45亿元"))
        #expect(page.contains("25%"))
        #expect(page.contains("<html lang=\"zh-CN\">"))
    }

    @Test func theCSVHasOneFactPerLineAndQuotesFieldsWithCommas() throws {
        let lines = StatisticsCSV.render(Self.statistics).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first == "section,county,industry,year,key,value")
        #expect(lines.contains("filings,460105,\"生物医药, \"\"创新\"\"\",2026,refused/not_recommended,4"))
        #expect(lines.contains("criterion,,,,COMP-6/fail,1"))
        #expect(lines.contains("register_output_wan,469005,,2026,active,450000"))
        #expect(lines.filter { $0.hasPrefix("margin,") }.count == MarginBands.count)
    }

    @Test func aFieldASpreadsheetWouldRunAsAFormulaIsDefused() throws {
        var statistics = Self.statistics
        statistics.filings[0].leadingIndustry = "=HYPERLINK(\"x\")"
        #expect(StatisticsCSV.render(statistics).contains("'=HYPERLINK"))
    }

    @Test(arguments: [("-0.6", 0), ("-0.5", 1), ("-0.0001", 4), ("0", 5), ("0.05", 6), ("0.4999", 8), ("0.5", 9), ("3", 9)])
    func aMarginFallsInTheBandWhoseLowerEdgeItReaches(_ margin: String, _ band: Int) {
        #expect(MarginBands.band(of: Decimal(string: margin)!) == band)
    }
}
