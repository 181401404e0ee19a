import Foundation
import IndicatorKit
import Testing
import ClusterStandard
import Reports

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The HTML report: well-formed, complete, self-contained, escaped, in two languages.
@Suite struct HTMLReportTests {
    static let clear = "460105-xiuying-biomedicine.json"
    static let hostile = "<script>alert(1)</script>"
    static let quoted = "\"quoted\" & 'single'"
    static let injection = "'; DROP TABLE filings; --"

    /// Parses `html` as XML, failing the test with the parser's message when it is not well-formed.
    static func parse(_ html: String) throws -> XMLDocument {
        try XMLDocument(xmlString: html, options: [])
    }

    static func count(_ xpath: String, in document: XMLDocument) throws -> Int {
        try document.nodes(forXPath: xpath).count
    }

    @Test(arguments: try ReportFixtures.sampleFiles())
    func everySampleReportParsesAsXMLInBothLanguages(_ file: String) async throws {
        let report = try await ReportFixtures.report(file)
        for language in Language.allCases {
            let document = try Self.parse(HTMLReport.render(report, language: language))
            #expect(document.rootElement()?.name == "html")
        }
    }

    @Test(arguments: try ReportFixtures.sampleFiles())
    func everyFindingOfTheReviewIsShown(_ file: String) async throws {
        let report = try await ReportFixtures.report(file)
        let document = try Self.parse(HTMLReport.render(report))
        let findings = report.modules.flatMap(\.findings)
        #expect(!findings.isEmpty)
        for finding in findings {
            let xpath = "//article[@data-criterion='\(finding.criterion)']"
            #expect(try Self.count(xpath, in: document) == 1, "\(finding.criterion) is not shown once")
        }
        #expect(try Self.count("//article", in: document) == findings.count)
    }

    @Test func radarChartHasExactlyEightAxesNamedForTheIndicators() async throws {
        let document = try Self.parse(HTMLReport.render(try await ReportFixtures.report(Self.clear)))
        #expect(try Self.count("//svg[@class='radar']", in: document) == 1)
        let axes = try document.nodes(forXPath: "//svg[@class='radar']/line[@class='axis']")
        #expect(axes.count == 8)
        let names = axes.compactMap { ($0 as? XMLElement)?.attribute(forName: "data-indicator")?.stringValue }
        #expect(names == ["competitiveness", "tiering", "supply-chain", "innovation", "digital", "green", "openness", "governance"])
    }

    @Test func anIndicatorWithoutAScoreIsDrawnAtZeroAndMarked() async throws {
        var report = try await ReportFixtures.report(Self.clear)
        report.modules = report.modules.map { $0.module == "digital" ? ModuleReport(module: "digital", findings: [], error: "timed out") : $0 }
        report.summary = Aggregation.aggregate(report.modules, declarations: report.declarations)
        let html = HTMLReport.render(report)
        let document = try Self.parse(html)
        #expect(try Self.count("//svg[@class='radar']/circle[@class='dot missing']", in: document) == 1)
        #expect(try Self.count("//svg[@class='radar']/text[@class='axis-label missing']", in: document) == 1)
        #expect(html.contains("timed out"))
    }

    /// A finding whose observed values are year by year gets a chart; its bound (from the
    /// finding's threshold) is drawn where it compared a value: every year for COMP-6, the last
    /// year for a growth rule, none for a trend.
    @Test func findingsWithYearlyValuesHaveAChartAgainstTheirOwnBound() async throws {
        let document = try Self.parse(HTMLReport.render(try await ReportFixtures.report(Self.clear)))
        #expect(try Self.count("//svg[@data-criterion='COMP-6']/polyline[@class='bound']", in: document) == 1)
        for criterion in ["COMP-7", "COMP-8", "COMP-9", "INNO-1", "INNO-6"] {
            #expect(try Self.count("//svg[@data-criterion='\(criterion)']/*[@class='bound']", in: document) == 1, "\(criterion)")
        }
        for criterion in ["DIGI-4", "GREE-2"] {
            #expect(try Self.count("//svg[@data-criterion='\(criterion)']", in: document) == 1, "\(criterion)")
            #expect(try Self.count("//svg[@data-criterion='\(criterion)']/*[@class='bound']", in: document) == 0, "\(criterion)")
        }
        #expect(try Self.count("//svg[@data-criterion='DIGI-4']/polyline[@class='series s1']", in: document) == 1, "two series")
    }

    @Test func findingsAreTitledWithTheirModulesDeclarations() async throws {
        let report = try await ReportFixtures.report(Self.clear)
        let html = HTMLReport.render(report, language: .en)
        let title = try #require(report.declarations.criterion("COMP-6")?.title.en)
        let document = try Self.parse(html)
        let heading = try document.nodes(forXPath: "//article[@data-criterion='COMP-6']/h4").first?.stringValue ?? ""
        #expect(heading.contains(title))
        #expect(html.contains(try #require(report.declarations.module("green")?.title?.en)))
    }

    @Test func theRecommendationComesBeforeTheIndicators() async throws {
        let html = HTMLReport.render(try await ReportFixtures.report("460108-meilan-aviation-maintenance.json"))
        let recommendation = try #require(html.range(of: "id=\"recommendation\""))
        let indicators = try #require(html.range(of: "id=\"indicators\""))
        #expect(recommendation.lowerBound < indicators.lowerBound)
        #expect(html.contains("rejected_by_veto"))
        let document = try Self.parse(html)
        #expect(try Self.count("//div[@id='recommendation']/ul[@class='reasons']/li[@data-criterion='VETO-2']", in: document) == 1)
    }

    @Test func whatAReviewerMustConfirmIsListedAndConfirmationsRemoveIt() async throws {
        var report = try await ReportFixtures.report(Self.clear)
        let pending = report.summary.toConfirm.map(\.finding.criterion)
        #expect(pending.contains("COMP-1"))
        var document = try Self.parse(HTMLReport.render(report))
        #expect(try Self.count("//ol[@class='pending']/li", in: document) == pending.count)
        report.confirmations = [.init(criterion: "COMP-1", accepted: true, reviewer: "李审", note: "支柱产业", date: CivilDate("2026-04-01"))]
        document = try Self.parse(HTMLReport.render(report))
        #expect(try Self.count("//ol[@class='pending']/li", in: document) == pending.count - 1)
        #expect(try Self.count("//ol[@class='pending']/li[@data-criterion='COMP-1']", in: document) == 0)
        #expect(try Self.count("//ul[@class='confirmations']/li[@data-criterion='COMP-1']", in: document) == 1)
    }

    @Test(arguments: Language.allCases)
    func noExternalReferencesAndNoScript(_ language: Language) async throws {
        let html = HTMLReport.render(try await ReportFixtures.report(Self.clear), language: language).lowercased()
            + HTMLReport.renderIndex([ReportIndexEntry(try await ReportFixtures.report(Self.clear), href: "a.html")], language: language)
            .lowercased()
        for forbidden in ["http:", "https:", "<script", "<link", "src=", "url(", "@import", "xlink:href", "<iframe", "<img"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
    }

    @Test func hostileFilingTextAppearsOnlyEscaped() async throws {
        let report = try await ReportFixtures.report(Self.clear, id: Self.hostile) { members in
            setJSON(.string(Self.hostile), at: ["cluster", "name"], in: &members)
            setJSON(.string(Self.quoted), at: ["cluster", "leading_industry"], in: &members)
            setJSON(.string(Self.injection), at: ["innovation", "standards", "0", "code"], in: &members)
        }
        #expect(report.clusterName == Self.hostile)
        #expect(report.modules.flatMap(\.findings).contains { $0.observed.map { "\($0)" }?.contains("DROP TABLE") ?? false })
        for language in Language.allCases {
            let html = HTMLReport.render(report, language: language)
            #expect(!html.contains("<script"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains(Self.quoted))
            #expect(html.contains("&quot;quoted&quot; &amp; &#39;single&#39;"))
            #expect(!html.contains(Self.injection))
            #expect(html.contains("&#39;; DROP TABLE filings; --"))
            let document = try Self.parse(html)
            #expect(try Self.count("//script", in: document) == 0)
            #expect(try Self.count("//h1[.=\"\(Self.hostile)\"]", in: document) == 1)
        }
    }

    @Test func controlCharactersDoNotBreakTheMarkup() async throws {
        let report = try await ReportFixtures.report(Self.clear) { members in
            setJSON(.string("集群\u{1}\u{8}名称\u{B}"), at: ["cluster", "name"], in: &members)
        }
        _ = try Self.parse(HTMLReport.render(report))
    }

    @Test func englishAndChineseDifferInTheirLabels() async throws {
        let report = try await ReportFixtures.report(Self.clear)
        let zh = HTMLReport.render(report), en = HTMLReport.render(report, language: .en)
        #expect(zh != en)
        #expect(zh.contains("评审建议") && !en.contains("评审建议"))
        #expect(en.contains("Recommendation") && !zh.contains(">Recommendation<"))
        #expect(zh.contains("lang=\"zh-CN\"") && en.contains("lang=\"en\""))
        #expect(HTMLReport.render(report, language: .zh) == zh)
    }

    @Test func printsOnA4() async throws {
        let html = HTMLReport.render(try await ReportFixtures.report(Self.clear))
        #expect(html.contains("size: A4"))
        #expect(html.contains("@media print"))
    }

    /// `<style>` is raw text to an HTML parser: an entity there would reach the CSS as written.
    @Test func theStylesheetIsRawTextWithoutEntities() async throws {
        let html = HTMLReport.render(try await ReportFixtures.report(Self.clear))
        let start = try #require(html.range(of: "<style>")), end = try #require(html.range(of: "</style>"))
        let css = html[start.upperBound..<end.lowerBound]
        #expect(!css.contains("&") && !css.contains("<"))
        #expect(css.contains("font-family: \"Noto Sans CJK SC\""))
    }

    @Test func indexListsEveryFilingWithARelativeLink() async throws {
        let files = try ReportFixtures.sampleFiles()
        var entries: [ReportIndexEntry] = []
        for file in files { entries.append(ReportIndexEntry(try await ReportFixtures.report(file), href: String(file.dropLast(5)) + ".html")) }
        entries.append(ReportIndexEntry(filingID: Self.hostile, county: .init(code: "469005"), clusterName: Self.injection,
                                        kind: .initial, status: "submitted", recommendation: nil, href: "javascript:alert(1)"))
        for language in Language.allCases {
            let html = HTMLReport.renderIndex(entries, language: language)
            let document = try Self.parse(html)
            #expect(try Self.count("//table[@class='index']/tbody/tr", in: document) == entries.count)
            let links = try document.nodes(forXPath: "//a/@href").compactMap(\.stringValue)
            #expect(links.count == entries.count)
            #expect(links.last == "#")
            #expect(links.dropLast().allSatisfy { $0.hasSuffix(".html") && !$0.contains("/") })
            #expect(!html.contains("<script") && !html.contains(Self.injection))
        }
        #expect(HTMLReport.renderIndex(entries, language: .en).contains("Wenchang"))
        #expect(HTMLReport.renderIndex(entries).contains("文昌市"))
    }

    @Test(arguments: ["469005-wenchang-annual-report-2025.json", "469023-chengmai-change-report.json"])
    func aReportWithoutIndicatorsSaysSoInsteadOfDrawingTheRadar(_ file: String) async throws {
        let report = try await ReportFixtures.report(file)
        #expect(!report.summary.indicators.contains { $0.module == "competitiveness" })
        let document = try Self.parse(HTMLReport.render(report))
        #expect(try Self.count("//svg[@class='radar']", in: document) == 0)
        #expect(try Self.count("//p[@class='no-indicators']", in: document) == 1)
    }

    @Test func aModuleThatCouldNotAnswerIsListedForTheReviewer() async throws {
        var report = try await ReportFixtures.report(Self.clear)
        report.modules = report.modules.map { $0.module == "green" ? ModuleReport(module: "green", findings: [], error: "worker crashed <signal 9>") : $0 }
        report.summary = Aggregation.aggregate(report.modules, declarations: report.declarations)
        let html = HTMLReport.render(report, language: .en)
        let document = try Self.parse(html)
        #expect(try Self.count("//ul[@class='module-errors']/li[@data-module='green']", in: document) == 1)
        #expect(html.contains("worker crashed &lt;signal 9&gt;"))
    }

    @Test func fileNamesStayInTheirFolder() async throws {
        var report = try await ReportFixtures.report(Self.clear)
        report.filingID = "../../etc/passwd"
        #expect(HTMLReport.fileName(for: report) == "460105-.._.._etc_passwd.html")
        report.filingID = "42"
        #expect(HTMLReport.fileName(for: report) == "460105-42.html")
        report.county = .init(code: ".hidden")
        #expect(!HTMLReport.fileName(for: report).hasPrefix("."))
    }

    @Test func writingAFolderGivesEveryReportAndAnIndexWhoseLinksResolve() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var reports: [ReviewReport] = []
        for file in try ReportFixtures.sampleFiles().prefix(4) { reports.append(try await ReportFixtures.report(file)) }
        let index = try HTMLReport.write(reports, to: directory, language: .en)
        let document = try Self.parse(String(contentsOf: index, encoding: .utf8))
        let links = try document.nodes(forXPath: "//a/@href").compactMap(\.stringValue)
        #expect(links.count == reports.count)
        for link in links {
            let page = directory.appendingPathComponent(link)
            #expect(FileManager.default.fileExists(atPath: page.path), "\(link)")
            _ = try Self.parse(String(contentsOf: page, encoding: .utf8))
        }
    }

    @Test func aReportRoundTripsThroughJSON() async throws {
        let report = try await ReportFixtures.report("460400-danzhou-recertification-plan-unmet.json")
        let decoded = try JSONDecoder().decode(ReviewReport.self, from: JSONEncoder().encode(report))
        #expect(decoded == report)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"filing_id\"") && json.contains("\"leading_industry\"") && json.contains("\"as_of\""))
        let moment = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(HTMLReport.render(decoded, generatedAt: moment) == HTMLReport.render(report, generatedAt: moment))
    }
}
