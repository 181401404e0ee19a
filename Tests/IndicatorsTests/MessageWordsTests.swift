import Foundation
import IndicatorKit
import Testing

/// Issue 20: a finding's message reads in words — the observed amount and the bound in the
/// reader's units, the comparator in words — never the raw comparison (`350000 >= 200000`); the
/// English names no internal code (`industrial_internet_rate`) and holds no Chinese.
@Suite struct MessageWordsTests {
    /// The rulebook's parameter names (config/parameters.json): what an administrator writes in a
    /// rulebook, named where a rulebook lacks one.
    static let parameterNames: Set<String> = {
        let text = (try? String(contentsOf: configDirectory.appendingPathComponent("parameters.json"), encoding: .utf8)) ?? ""
        return Set(matches(text, #""name"\s*:\s*"[a-z0-9_]+""#).map { $0.split(separator: "\"").last.map(String.init) ?? "" })
    }()

    static func matches(_ text: String, _ pattern: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
    }

    @Test(arguments: try CriteriaCase.all())
    func everyMessageReadsInWords(_ c: CriteriaCase) async throws {
        let outcome = try await CriteriaCaseTests.findings(c)
        for finding in outcome.findings {
            for text in [finding.message.zh, finding.message.en] {
                let raw = Self.matches(text, #"\d\s*(>=|<=|==|>|<)\s*\d"#)
                #expect(raw.isEmpty, "\(finding.criterion): a raw comparison in “\(text)”")
            }
            let codes = Self.matches(finding.message.en, #"\b[a-z]+(_[a-z0-9]+)+\b"#).filter { !Self.parameterNames.contains($0) }
            #expect(codes.isEmpty, "\(finding.criterion): codes \(codes) in “\(finding.message.en)”")
        }
    }

    @Test func aThresholdReadsAsAmountsWithTheComparatorInWords() async throws {
        let cases = try CriteriaCase.all().filter { $0.module == "competitiveness" }
        let outcome = try await CriteriaCaseTests.findings(try #require(cases.first))
        let comp6 = try #require(outcome.findings.first { $0.criterion == "COMP-6" })
        #expect(comp6.message.zh.contains("亿元") && comp6.message.zh.contains("要求不低于"), "\(comp6.message.zh)")
        #expect(comp6.message.en.contains("billion CNY") && comp6.message.en.contains("required: at least"), "\(comp6.message.en)")
        #expect(comp6.comparator == ">=")
    }
}
