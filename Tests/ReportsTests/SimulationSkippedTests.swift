import IndicatorKit
import Reports
import Testing

/// A filing that could not be simulated says why in the reader's language: the module's own
/// English words in English (and in the JSON), a Chinese sentence pointing to them in Chinese.
@Suite struct SimulationSkippedTests {
    let skipped = SimulationResult.Skipped(
        filingId: 3, reason: "module competitiveness request 2 failed after 1 attempt: the module refused the request (invalid_request)",
        reasonZh: "模块未能审核这件申报，两种规则集下都无法比较（英文技术信息见 --lang en 或 --json 输出）")

    @Test func theChineseReasonHoldsNoEnglishWordsButTheOptionsItNames() {
        let words = skipped.reason(in: .zh).replacingOccurrences(of: "--lang en", with: "").replacingOccurrences(of: "--json", with: "")
        #expect(!words.contains { $0.isASCII && $0.isLetter }, "\(words)")
    }

    @Test func theEnglishReasonIsTheModulesOwnWords() {
        #expect(skipped.reason(in: .en) == skipped.reason)
    }

    @Test func aReasonWithoutChineseFallsBackToTheEnglish() {
        #expect(SimulationResult.Skipped(filingId: 1, reason: "x").reason(in: .zh) == "x")
    }
}
