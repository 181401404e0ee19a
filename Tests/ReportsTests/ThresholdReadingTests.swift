import Foundation
import IndicatorKit
import Testing
import ClusterStandard
import JSONCore
import Reports

/// Every threshold criterion with a rulebook parameter reads as the measures write it: the observed
/// value, the bound with its comparator in words and the margin, in the bound's unit.
@Suite struct ThresholdReadingTests {
    /// Every (rulebook, parameter, criterion) of config/parameters.json that is a bound.
    static func bounds() throws -> [(rulebook: String, parameter: String, comparator: String, unit: String, value: Decimal, criterion: String)] {
        let json = try JSONValue(parsing: Data(contentsOf: ReportFixtures.root.appendingPathComponent("config/parameters.json")))
        guard case .array(let rulebooks)? = json["rulebooks"] else { return [] }
        var rows: [(String, String, String, String, Decimal, String)] = []
        for rulebook in rulebooks {
            guard case .array(let parameters)? = rulebook["parameters"], let name = rulebook["name"]?.string else { continue }
            for parameter in parameters {
                guard let comparator = parameter["comparator"]?.string, comparator != "mode",
                    case .array(let criteria)? = parameter["criteria"], case .array(let values)? = parameter["values"],
                    let value = values.last?["value"]?.decimal
                else { continue }
                for criterion in criteria.compactMap(\.string) {
                    rows.append((name, parameter["name"]!.string!, comparator, parameter["unit"]!.string!, value, criterion))
                }
            }
        }
        return rows
    }

    /// The findings of every sample under `rulebook`, with the declarations.
    static func findings(_ rulebook: String) async throws -> ([Finding], Declarations) {
        var all: [Finding] = []
        var declarations = Declarations()
        for file in try ReportFixtures.sampleFiles() {
            let report = try await ReportFixtures.report(file, rulebook: rulebook)
            all += report.modules.flatMap(\.findings)
            declarations = report.declarations
        }
        return (all, declarations)
    }

    @Test func everyBoundOfTheRulebooksReadsInItsUnitWithTheComparatorInWords() async throws {
        let rows = try Self.bounds()
        #expect(Set(rows.map(\.criterion)) == ["COMP-5", "COMP-6", "COMP-7", "COMP-8", "COMP-9", "TIER-1", "INNO-1", "INNO-2", "INNO-6",
                                                "INNO-7", "PLAN-1"])
        var cache: [String: ([Finding], Declarations)] = [:]
        for row in rows {
            if cache[row.rulebook] == nil { cache[row.rulebook] = try await Self.findings(row.rulebook) }
            let (findings, declarations) = cache[row.rulebook]!
            let measure = Measure(unit: row.unit)
            let candidates = findings.filter { $0.criterion == row.criterion && $0.parameters[row.parameter] != nil && $0.comparator != nil }
            if row.criterion == "PLAN-1" { continue }  // no sample falls between the bounds; see planCompletionReadsAsTheShareOfGoalsMet
            #expect(!candidates.isEmpty, "\(row.rulebook) \(row.criterion): no sample finding uses \(row.parameter)")
            for finding in candidates {
                for language in Language.allCases {
                    let reading = try #require(
                        ThresholdReading.of(finding, criterion: declarations.criterion(row.criterion), language: language),
                        "\(row.criterion) has a reading")
                    let bound = Readable.bound(row.comparator, row.value, measure, language)
                    #expect(reading.bound.contains(bound), "\(row.rulebook) \(row.criterion) \(language): \(reading.bound) ∌ \(bound)")
                    #expect(!reading.observed.isEmpty && reading.observed != "—", "\(row.criterion): \(reading.observed)")
                    // The bound's value appears nowhere raw: 200000 is written 20亿元, 0.6 as 60%.
                    #expect(!reading.bound.contains("200000") && !reading.bound.contains("0.6"), "\(reading.bound)")
                    if let margin = reading.margin, row.criterion != "TIER-1" {
                        let unitWord: String
                        switch measure {
                        case .share, .rate: unitWord = language == .en ? "percentage point" : "个百分点"
                        case .moneyWan: unitWord = language == .en ? "CNY" : "元"
                        case .areaKm2: unitWord = language == .en ? "km²" : "平方公里"
                        case .enterprises: unitWord = language == .en ? "enterprise" : "家"
                        case .platforms: unitWord = language == .en ? "platform" : "个"
                        case .patentsPer10k: unitWord = language == .en ? "per 10,000 employees" : "每万名从业人员"
                        case .plain: unitWord = ""
                        }
                        #expect(margin.contains(unitWord), "\(row.criterion) \(language): margin \(margin) is not in \(unitWord)")
                    }
                }
            }
        }
    }

    @Test func outputReadsIn亿元EachYearWithItsMargin() async throws {
        let report = try await ReportFixtures.report("460105-xiuying-biomedicine.json")
        let finding = try #require(report.modules.flatMap(\.findings).first { $0.criterion == "COMP-6" })
        let zh = try #require(ThresholdReading.of(finding, criterion: report.declarations.criterion("COMP-6"), language: .zh))
        #expect(zh == ThresholdReading(observed: "2023 年 35亿元", bound: "每年不低于 20亿元", margin: "余量 15亿元"))
        let en = try #require(ThresholdReading.of(finding, criterion: report.declarations.criterion("COMP-6"), language: .en))
        #expect(en == ThresholdReading(observed: "3.5 billion CNY in 2023", bound: "each year at least 2 billion CNY", margin: "1.5 billion CNY to spare"))
    }

    @Test func aShareComparedAsAProductReadsAsTheShare() async throws {
        let report = try await ReportFixtures.report("460105-xiuying-biomedicine.json")
        let finding = try #require(report.modules.flatMap(\.findings).first { $0.criterion == "COMP-8" })
        let zh = try #require(ThresholdReading.of(finding, criterion: report.declarations.criterion("COMP-8"), language: .zh))
        // 308000 of 434000 万元: 70.97 %, against more than 60 %.
        #expect(zh == ThresholdReading(observed: "2025 年 70.97%", bound: "高于 60%", margin: "余量 10.97 个百分点"))
    }

    @Test func growthReadsAsTheCompoundAnnualRate() async throws {
        let report = try await ReportFixtures.report("460105-xiuying-biomedicine.json")
        let finding = try #require(report.modules.flatMap(\.findings).first { $0.criterion == "INNO-6" })
        let en = try #require(ThresholdReading.of(finding, criterion: report.declarations.criterion("INNO-6"), language: .en))
        #expect(en == ThresholdReading(observed: "compound annual growth 2023–2025 14.02%", bound: "at least 10%", margin: "4.02 percentage points to spare"))
    }

    @Test func planCompletionReadsAsTheShareOfGoalsMet() {
        let criterion = Criterion(id: "PLAN-1", title: LocalizedText(zh: "规划目标完成", en: "Plan goals met"), kind: .threshold, citation: "Art. 12",
                                  parameters: [CriterionParameter(name: "min_goal_completion_share", comparator: ">=", unit: "share (0–1)")])
        let finding = Finding(
            criterion: "PLAN-1", verdict: .manual, score: 60, observed: ["met": 4, "total": 5, "goals": [:]], threshold: 4,
            comparator: ">=", margin: 0, message: LocalizedText(zh: "x", en: "x"), citation: "Art. 12",
            parameters: ["min_goal_completion_share": .number(Decimal(string: "0.8")!)])
        let zh = ThresholdReading.of(finding, criterion: criterion, language: .zh)
        #expect(zh == ThresholdReading(observed: "80%（5 项目标完成 4 项）", bound: "不低于 80%", margin: "余量 0 个百分点"))
        let en = ThresholdReading.of(finding, criterion: criterion, language: .en)
        #expect(en == ThresholdReading(observed: "80% (4 of 5 goals met)", bound: "at least 80%", margin: "0 percentage points to spare"))
    }

    @Test func aReportShowsTheReadingBesideEachThresholdFinding() async throws {
        let report = try await ReportFixtures.report("460105-xiuying-biomedicine.json")
        let html = HTMLReport.render(report, language: .zh, generatedAt: Date(timeIntervalSince1970: 0))
        let document = try HTMLReportTests.parse(html)
        let bound = try document.nodes(forXPath: "//article[@data-criterion='COMP-6']//dd[@class='bound']").first?.stringValue
        #expect(bound == "每年不低于 20亿元")
        #expect(!html.contains("\"left_o"), "no raw JSON cut mid-string")
    }

    @Test(arguments: Language.allCases)
    func chartsWriteMoneyAsTheMeasuresDoAndTheRuleInWords(_ language: Language) async throws {
        let report = try await ReportFixtures.report("460105-xiuying-biomedicine.json")
        let document = try HTMLReportTests.parse(HTMLReport.render(report, language: language, generatedAt: Date(timeIntervalSince1970: 0)))
        let figure = try #require(try document.nodes(forXPath: "//figure[.//b='COMP-6']").first)
        let bound = try figure.nodes(forXPath: ".//*[local-name()='text'][@class='bound-label']").first?.stringValue
        #expect(bound == (language == .en ? "bound 2 billion CNY" : "标准 20亿元"))
        let caption = try figure.nodes(forXPath: ".//figcaption").first?.stringValue ?? ""
        #expect(caption.contains(language == .en ? "observed at least the bound" : "实际值不低于标准"), "\(caption)")
        #expect(!caption.contains(">="))
    }
}
