import IndicatorKit
import Reports
import Testing
@testable import WebDoor

/// The web door's word for a filing's status, on the list and on the filing's page.
@Suite struct StatusWordTests {
    @Test func aSupersededFilingNamesTheFilingThatCorrectsItAsTheReportDoes() {
        let word = WebText.status("superseded", supersededBy: 42)
        #expect(word == ReportLabels.supersededBy(42))
        #expect(word.en == "superseded by 42")
        #expect(word.zh.contains("42") && word.zh.contains("取代"))
    }

    @Test func aSupersededFilingWhoseCorrectionIsNotVisibleSaysSupersededAlone() {
        #expect(WebText.status("superseded", supersededBy: nil) == WebText.status("superseded"))
    }

    @Test func otherStatusesIgnoreTheCorrection() {
        #expect(WebText.status("reviewed", supersededBy: 42) == WebText.status("reviewed"))
    }
}
