import Foundation
import IndicatorKit
import ClusterStandard
import Reports
import Testing

/// Annual and change reports show what they are (issue 15, item 5): "recorded (monitoring)" and
/// "awaiting acceptance", in the HTML report as in the terminal, never "recommended".
@Suite struct ReportOutcomeTests {
    @Test func anAnnualReportsHTMLReadsRecordedMonitoringNotRecommended() async throws {
        let report = try await ReportFixtures.report("469005-wenchang-annual-report-2025.json")
        #expect(report.recommendation == .recommended)
        let en = HTMLReport.render(report, language: .en)
        #expect(en.contains("<strong>recorded (monitoring)</strong>"), "\(en.prefix(3000))")
        #expect(!en.contains("<strong>Recommended</strong>"))
        let zh = HTMLReport.render(report, language: .zh)
        #expect(zh.contains("<strong>已记录（监测）</strong>"))
        #expect(!zh.contains("<strong>推荐认定</strong>"))
    }

    @Test func aChangeReportsHTMLReadsAwaitingAcceptanceUntilItIsAccepted() async throws {
        var report = try await ReportFixtures.report("469023-chengmai-change-report.json")
        #expect(HTMLReport.render(report, language: .en).contains("<strong>awaiting acceptance</strong>"))
        #expect(!HTMLReport.render(report, language: .zh).contains("<strong>推荐认定</strong>"))
        report.record = ReviewerRecord(kind: .changeReport, recommendation: report.recommendation, changeState: "accepted")
        let accepted = HTMLReport.render(report, language: .en)
        #expect(accepted.contains("<strong>change accepted</strong>"))
        #expect(accepted.contains("data-state=\"accepted\""))
    }

    @Test func aSupersededFilingsHTMLStatusReadsSupersededByItsCorrection() async throws {
        var report = try await ReportFixtures.report("469005-wenchang-commercial-aerospace.json")
        report.status = "superseded"
        report.record = ReviewerRecord(kind: .initial, recommendation: report.recommendation, supersededBy: 42)
        let html = HTMLReport.render(report, language: .en)
        #expect(html.contains("<td>superseded by 42</td>"), "\(html.prefix(4000))")
        #expect(html.contains("class=\"superseded-by\""))
    }
}
