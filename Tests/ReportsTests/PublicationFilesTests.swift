import ClusterStandard
import Foundation
import IndicatorKit
import Reports
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The published files of a round (issue 17, item 4), rendered alone: well-formed pages in one
/// language, CSV with a BOM, CRLF and RFC 4180 quoting, a formula never run, names escaped.
@Suite struct PublicationFilesTests {
    static let hostile = "=HYPERLINK(\"http://x\",\"点击\")"

    static let recognition = PublishedList(kind: .recognition, roundName: "2026年第一批", issuedOn: CivilDate("2026-07-01")!, rows: [
        .init(countyCode: "469005", clusterName: "文昌商业航天产业集群", leadingIndustry: "商业航天", managementBody: "文昌航天城管委会",
              certificateNo: "HN-ZXJQ-2026-0001", termStartsOn: CivilDate("2026-07-01")!, termEndsOn: CivilDate("2029-07-01")!,
              recognizedOn: CivilDate("2026-06-01")!),
        .init(countyCode: "460105", clusterName: hostile, leadingIndustry: "-1+1", managementBody: "@SUM(A1), \"中心\"\n<b>&</b>",
              certificateNo: "HN/../ZXJQ 2", termStartsOn: CivilDate("2026-07-01")!, termEndsOn: CivilDate("2029-07-01")!,
              recognizedOn: CivilDate("2026-06-01")!),
    ])

    static let notice = PublishedList(kind: .notice, roundName: "2026年第一批", issuedOn: CivilDate("2026-05-06")!, rows: [
        .init(countyCode: "469005", clusterName: "文昌商业航天产业集群", leadingIndustry: "商业航天", managementBody: "文昌航天城管委会",
              noticeStartsOn: CivilDate("2026-05-06")!, noticeEndsOn: CivilDate("2026-05-12")!),
    ])

    func file(_ files: [PublishedFile], _ name: String) throws -> Data {
        try #require(files.first { $0.name == name }?.data, "\(name)")
    }

    @Test func theCSVStartsWithABOMEndsLinesWithCRLFAndQuotesAndGuardsEachField() throws {
        let data = try file(PublicationFiles.list(Self.recognition), "list.csv")
        #expect(data.prefix(3) == Data([0xEF, 0xBB, 0xBF]))
        let text = try #require(String(data: data.dropFirst(3), encoding: .utf8))
        #expect(text.hasPrefix("序号,县（市、区）,集群名称,主导产业,集群管理机构,证书编号,有效期\r\n"))
        #expect(text.contains("\r\n1,文昌市（469005）,文昌商业航天产业集群,商业航天,文昌航天城管委会,HN-ZXJQ-2026-0001,2026年7月1日至2029年7月1日\r\n"))
        #expect(text.contains(#","'=HYPERLINK(""http://x"",""点击"")","#), "quoted, quotes doubled, an apostrophe first")
        #expect(text.contains(",'-1+1,"))
        #expect(text.contains("\"'@SUM(A1), \"\"中心\"\"\n<b>&</b>\""))
        #expect(text.hasSuffix("\r\n"))
    }

    @Test(arguments: ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
    func aFieldASpreadsheetWouldRunIsPrefixedWithAnApostrophe(_ text: String) {
        #expect(PublicationCSV.field(text).hasPrefix("'") || PublicationCSV.field(text).hasPrefix("\"'"))
    }

    @Test func anOrdinaryFieldIsWrittenAsItIs() {
        #expect(PublicationCSV.field("文昌商业航天产业集群") == "文昌商业航天产业集群")
        #expect(PublicationCSV.field("2026年7月1日") == "2026年7月1日")
    }

    @Test(arguments: Language.allCases)
    func everyPageParsesAsXMLWithNoScriptAndTheNamesEscaped(_ language: Language) throws {
        let files = PublicationFiles.list(Self.recognition, language: language) + PublicationFiles.list(Self.notice, language: language)
            + PublicationFiles.certificates(Self.recognition, language: language)
        for file in files where file.name.hasSuffix(".html") {
            let document = try XMLDocument(data: file.data, options: [])
            #expect(try document.nodes(forXPath: "//script").isEmpty, "\(file.name)")
            #expect(try document.nodes(forXPath: "//b").isEmpty, "\(file.name): a name is text, never markup")
            #expect(try document.nodes(forXPath: "//style").count == 1, "\(file.name)")
        }
        let list = try XMLDocument(data: try file(files, "list.html"), options: [])
        #expect(try list.nodes(forXPath: "//table[@id='recognition']/tbody/tr").count == 2)
        #expect(try list.nodes(forXPath: "//td").contains { $0.stringValue == Self.hostile })
    }

    @Test func aCertificateFileIsNamedByItsNumberWithNothingThatLeavesTheFolder() throws {
        let names = PublicationFiles.certificates(Self.recognition).map(\.name)
        #expect(names == ["certificates.html", "certificate-HN-ZXJQ-2026-0001.html", "certificate-HN____ZXJQ_2.html"])
        #expect(names.allSatisfy { !$0.contains("/") })
    }

    @Test func aListWithNoRowsSaysSo() throws {
        for language in Language.allCases {
            var empty = Self.recognition
            empty.rows = []
            let page = String(decoding: try file(PublicationFiles.list(empty, language: language), "list.html"), as: UTF8.self)
            #expect(page.contains(PublicationLabels.noneRecognized.text(in: language)))
            var none = Self.notice
            none.rows = []
            let noticePage = String(decoding: try file(PublicationFiles.list(none, language: language), "notice.html"), as: UTF8.self)
            #expect(noticePage.contains(PublicationLabels.noneInNotice.text(in: language)))
        }
    }

    @Test func theNoticeListStatesItsPeriodAndTheDepartmentAndDateHeadIt() throws {
        let page = try XMLDocument(data: try file(PublicationFiles.list(Self.notice), "notice.html"), options: [])
        #expect(try page.nodes(forXPath: "//*[@id='department']")[0].stringValue == "海南省工业和信息化厅")
        #expect(try page.nodes(forXPath: "//*[@id='issued']")[0].stringValue == "发布日期：2026年5月6日")
        #expect(try page.nodes(forXPath: "//*[@id='period']")[0].stringValue == "公示期：2026年5月6日至2026年5月12日（公示中）")
        var ended = Self.notice
        ended.issuedOn = CivilDate("2026-05-13")!
        let later = try XMLDocument(data: try file(PublicationFiles.list(ended), "notice.html"), options: [])
        #expect(try later.nodes(forXPath: "//*[@id='period']/@data-state")[0].stringValue == "ended")
        #expect(try later.nodes(forXPath: "//*[@id='period']")[0].stringValue?.contains("公示已结束") == true)
        #expect(try page.nodes(forXPath: "//h1")[0].stringValue == "2026年第一批海南省中小企业特色产业集群拟认定名单公示")
    }

    @Test(arguments: Language.allCases)
    func everyPublishedPageIsInOneLanguage(_ language: Language) throws {
        var recognition = Self.recognition
        recognition.rows.removeLast()
        let files = PublicationFiles.list(recognition, language: language) + PublicationFiles.list(Self.notice, language: language)
            + PublicationFiles.certificates(recognition, language: language)
        let names = ["文昌商业航天产业集群", "商业航天", "文昌航天城管委会", "2026年第一批", "HN"]
        for file in files {
            let text = String(decoding: file.data, as: UTF8.self)
            let shown = file.name.hasSuffix(".html") ? OneLanguageTests.visibleText(text) : text
            let words = OneLanguageTests.foreign(shown, language: language, names: names)
            #expect(words.isEmpty, "\(file.name) \(language): \(Array(Set(words)).sorted())")
        }
    }
}
