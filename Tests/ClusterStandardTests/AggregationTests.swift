import IndicatorKit
import Testing
import ClusterStandard

@Suite struct AggregationTests {
    /// The compliance module's declaration: its four criteria are vetoes.
    static let declarations = Declarations([
        ModuleDescriptor(
            id: "compliance", version: "1", appliesTo: FilingKind.allCases,
            criteria: ["ELIG-1", "VETO-1", "VETO-2", "VETO-3"].map {
                Criterion(id: $0, title: LocalizedText(zh: $0, en: $0), kind: .threshold, citation: "c", veto: true)
            }, reads: []),
    ])

    func aggregate(_ outcomes: [ModuleReport]) -> ReviewSummary {
        Aggregation.aggregate(outcomes, declarations: Self.declarations)
    }

    @Test func aFailIsAVetoOnlyWhereTheDeclarationSaysSo() {
        let undeclared = Aggregation.aggregate(
            [ModuleReport(module: "compliance", findings: [finding("VETO-1", .fail, score: 0)])], declarations: Declarations())
        #expect(undeclared.recommendation == .notRecommended)
    }

    @Test func anErrorFindingNeverLetsAReviewBeBetterThanNeedsReview() {
        let summary = aggregate([
            ModuleReport(module: "green", findings: [finding("GREE-1", .error, score: 0), finding("GREE-2", .pass)]),
        ])
        #expect(summary.recommendation == .needsReview)
    }
    func finding(_ id: String, _ verdict: Verdict, score: Int = 100) -> Finding {
        Finding(criterion: id, verdict: verdict, score: score, message: LocalizedText(zh: "", en: ""), citation: "")
    }

    @Test func vetoFailRejectsEvenWithOtherFailures() {
        let summary = aggregate([
            ModuleReport(module: "compliance", findings: [finding("VETO-1", .fail, score: 0)]),
            ModuleReport(module: "competitiveness", findings: [finding("COMP-6", .fail, score: 10)]),
        ])
        #expect(summary.recommendation == .rejectedByVeto)
        #expect(summary.failures.map(\.finding.criterion) == ["VETO-1", "COMP-6"])
    }

    @Test func eligibilityFailRejectsByVeto() {
        let summary = aggregate([ModuleReport(module: "compliance", findings: [finding("ELIG-1", .fail, score: 0)])])
        #expect(summary.recommendation == .rejectedByVeto)
    }

    @Test func otherFailIsNotRecommended() {
        let summary = aggregate([
            ModuleReport(module: "plan-completion", findings: [finding("PLAN-1", .fail, score: 0)]),
            ModuleReport(module: "digital", findings: [finding("DIGI-1", .manual, score: 60)]),
        ])
        #expect(summary.recommendation == .notRecommended)
    }

    @Test(arguments: [Verdict.manual, .warn, .error])
    func manualWarnOrErrorNeedsReview(verdict: Verdict) {
        let summary = aggregate([ModuleReport(module: "digital", findings: [finding("DIGI-1", verdict), finding("DIGI-2", .pass)])])
        #expect(summary.recommendation == .needsReview)
        #expect(summary.toConfirm.map(\.finding.criterion) == ["DIGI-1"])
    }

    @Test func moduleErrorNeedsReview() {
        let summary = aggregate([ModuleReport(module: "green", findings: [], error: "timeout")])
        #expect(summary.recommendation == .needsReview)
        #expect(summary.indicators.first?.verdict == .error)
        #expect(summary.indicators.first?.score == nil)
    }

    @Test func allPassIsRecommended() {
        let summary = aggregate([ModuleReport(module: "green", findings: [finding("GREE-2", .pass), finding("GREE-4", .notApplicable)])])
        #expect(summary.recommendation == .recommended)
    }

    @Test func indicatorScoreIsTheFlooredMeanOfApplicableFindings() {
        let summary = aggregate([ModuleReport(module: "green", findings: [
            finding("GREE-1", .manual, score: 60), finding("GREE-2", .pass, score: 100), finding("GREE-3", .warn, score: 70),
            finding("GREE-4", .notApplicable, score: 100),
        ])])
        #expect(summary.indicators.first?.score == 76)
        #expect(summary.indicators.first?.verdict == .manual)
    }
}

@Suite struct ScorecardTests {
    @Test func scorecardEndsWithTheRecommendationAndListsFailures() {
        let failing = Finding(criterion: "COMP-6", verdict: .fail, score: 40, message: LocalizedText(zh: "产值不足", en: "output too low"), citation: "Standard 1")
        let summary = Aggregation.aggregate(
            [ModuleReport(module: "competitiveness", findings: [failing])], declarations: AggregationTests.declarations)
        let text = summary.scorecard(language: .en)
        #expect(text.contains("output too low [Standard 1]"))
        #expect(text.hasSuffix("Recommendation: not recommended (not_recommended)"))
    }
}
