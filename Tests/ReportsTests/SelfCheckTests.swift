import Foundation
import IndicatorKit
import Testing
import ClusterStandard
import Reports

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The county's preview (`evaluate`, `evaluate --html`) is the county's: a self-check, not a
/// decision; no reviewer's command, no internal id presented as a filing number; what the reviewers
/// will judge and what evidence helps.
@Suite struct SelfCheckTests {
    static let sample = "469002-qionghai-medical-devices.json"
    static let moment = Date(timeIntervalSince1970: 1_773_541_800)

    func page(_ language: Language) async throws -> (ReviewReport, String) {
        let report = try await ReportFixtures.report(Self.sample, id: "qionghai-2026")
        return (report, HTMLReport.render(report, language: language, generatedAt: Self.moment, audience: .county))
    }

    @Test(arguments: Language.allCases)
    func theSelfCheckPageSaysFirstThatItIsASelfCheckNotADecision(_ language: Language) async throws {
        let (_, html) = try await page(language)
        let document = try HTMLReportTests.parse(html)
        #expect(try document.nodes(forXPath: "//p[@id='self-check']").first?.stringValue == SelfCheck.notice.text(in: language))
        #expect(try document.nodes(forXPath: "//p[@class='doc-title']").first?.stringValue?.contains(language == .en ? "Self-check" : "自评") == true)
        let heading = try document.nodes(forXPath: "//div[@id='recommendation']/span[@class='label']").first?.stringValue ?? ""
        #expect(heading.contains(language == .en ? "not a decision" : "不是评审结论"))
        // The machine's words for a decision are not used for the county.
        #expect(!html.contains(language == .en ? "Recommended" : "推荐认定"))
    }

    @Test(arguments: Language.allCases)
    func theSelfCheckPageShowsNoReviewerCommandAndNoInternalID(_ language: Language) async throws {
        let (report, html) = try await page(language)
        #expect(report.filingID == "qionghai-2026")
        #expect(!html.contains("qionghai-2026"))
        for command in ["confirm", "decide", "object", "publicity", "report", "status"] {
            #expect(!html.contains("cluster-review \(command)"), "no reviewer's command: \(command)")
        }
        #expect(!html.contains(ReportLabels.filing.text(in: language) + "<"), "no filing-number row")
        let terminal = SelfCheck.terminal(report, language: language, generatedAt: Self.moment)
        #expect(!terminal.contains("qionghai-2026") && !terminal.contains("cluster-review confirm"))
    }

    @Test(arguments: Language.allCases)
    func everyCriterionLeftToTheReviewersIsNamedWithTheEvidenceThatHelps(_ language: Language) async throws {
        let (report, html) = try await page(language)
        let document = try HTMLReportTests.parse(html)
        #expect(!report.summary.toConfirm.isEmpty)
        for item in report.summary.toConfirm {
            let id = item.finding.criterion
            let text = try document.nodes(forXPath: "//ol[@class='pending']/li[@data-criterion='\(id)']").first?.stringValue ?? ""
            let criterion = try #require(report.declarations.criterion(id))
            #expect(text.contains(criterion.title.text(in: language)), "\(id) names what is judged: \(text)")
            let helps = try document.nodes(forXPath: "//li[@data-criterion='\(id)']/p[@class='helps']").first?.stringValue ?? ""
            #expect(helps.hasPrefix(language == .en ? "Evidence that helps: " : "有助于判断的材料："), "\(id)")
            if criterion.kind != .threshold {
                #expect(helps.contains("evidence[\"\(id)\"]"), "\(id) says where the evidence goes: \(helps)")
            }
        }
    }

    @Test func evidenceGoesInTheSectionOfTheModuleWithItsJSONName() {
        let item = ReviewSummary.Attributed(
            module: "supply-chain",
            finding: Finding(criterion: "SUPP-1", verdict: .manual, score: 60, message: LocalizedText(zh: "x", en: "x"), citation: "Standard 3"))
        let declarations = Declarations([ModuleDescriptor(
            id: "supply-chain", version: "1.0.0", appliesTo: [.initial],
            criteria: [Criterion(id: "SUPP-1", title: LocalizedText(zh: "产业链布局合理", en: "The chain's layout is reasonable"),
                                 kind: .judgement, citation: "Standard 3")],
            reads: ["supply_chain"])])
        let (judge, helps) = SelfCheck.guidance(item, declarations: declarations)
        #expect(judge.zh == "SUPP-1 产业链布局合理（认定标准（三））")
        #expect(judge.en == "SUPP-1 The chain's layout is reasonable (Standard, part 3)")
        #expect(helps.en.contains("supply_chain.evidence[\"SUPP-1\"]"))
    }

    @Test(arguments: Language.allCases)
    func theTerminalSelfCheckSaysItIsNotADecisionAndWhatTheReviewersWillJudge(_ language: Language) async throws {
        let (report, _) = try await page(language)
        let text = SelfCheck.terminal(report, language: language, generatedAt: Self.moment)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[1] == SelfCheck.notice.text(in: language))
        #expect(lines[2] == ReportStamp(report, generatedAt: Self.moment).line(in: language, hashLength: 16))
        for item in report.summary.toConfirm { #expect(text.contains("? \(item.finding.criterion) ")) }
        #expect(lines.last?.hasPrefix(language == .en ? "Pre-screen result (self-check, not a decision): " : "预审结果（自评，不是评审结论）：") == true)
    }

    @Test func theReviewersReportStillSaysHowToConfirm() async throws {
        let report = try await ReportFixtures.report(Self.sample, id: "17")
        let html = HTMLReport.render(report, language: .en, generatedAt: Self.moment)
        #expect(html.contains("cluster-review confirm 17 "))
        #expect(!html.contains("id=\"self-check\""))
    }
}
