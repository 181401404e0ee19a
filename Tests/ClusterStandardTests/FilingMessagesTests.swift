import Foundation
import IndicatorKit
import TestSupport
import Testing
import ClusterStandard

/// Validation messages that name the fix (issue 20): where a syntax error is by line and column,
/// a rate written as a percentage, a year that is missing.
@Suite struct FilingMessagesTests {
    let base = FilingTemplate.example(.initial)

    @Test func aSyntaxErrorIsLocatedByLineAndColumnWithItsLine() throws {
        let text = "{\n  \"format_version\": 1,\n  \"kind\": \"initial\" \"filing_date\": \"2026-03-15\"\n}"
        let issue = try #require(FilingValidator.validate(Data(text.utf8)).first)
        #expect(issue.rule == "syntax")
        #expect(issue.position?.line == 3)
        #expect(issue.position?.column == 21)
        #expect(issue.position?.text == "  \"kind\": \"initial\" \"filing_date\": \"2026-03-15\"")
        #expect(issue.message.zh.hasPrefix("第 3 行第 21 列："))
        #expect(issue.fix.en == "correct the JSON syntax at line 3, column 21")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let text = "{\"name\": \"洋浦石化\" x}"
        let issue = try #require(FilingValidator.validate(Data(text.utf8)).first)
        #expect(issue.position?.line == 1)
        #expect(issue.position?.column == 17)
    }

    @Test func aTruncatedFileIsLocatedAtItsLastLine() throws {
        let whole = base.prettyText(order: .sorted)
        let truncated = String(whole.prefix(whole.count / 2))
        let issue = try #require(FilingValidator.validate(Data(truncated.utf8)).first)
        #expect(issue.rule == "syntax")
        #expect(issue.position?.line == truncated.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(issue.message.en.hasPrefix("line \(issue.position?.line ?? 0), column "))
    }

    @Test(arguments: ["60", "1.5", "100"])
    func aRateWrittenAsAPercentageIsNamedAsSuchWithTheFraction(_ written: String) throws {
        let value = Decimal(string: written)!
        let filing = base.setting("figures.0.industrial_internet_rate", to: .number(value))
        let issue = try #require(FilingValidator.validate(filing.bytes).first)
        #expect(issue.path == "$.figures[0].industrial_internet_rate")
        #expect(issue.message.en.contains("rates are fractions, so \(written) % is written \(value / 100)"), "\(issue.message.en)")
        #expect(issue.fix.zh == "写作 \(value / 100)")
    }

    @Test func aRateFarAboveAHundredIsOverTheLimit() throws {
        let filing = base.setting("figures.0.industrial_internet_rate", to: 150)
        let issue = try #require(FilingValidator.validate(filing.bytes).first)
        #expect(issue.message.en == "150 is over the limit 1")
    }

    @Test func aMissingYearIsNamedAndTheRowsAreNotCalledShifted() throws {
        guard case .array(let rows)? = base["figures"] else { Issue.record("no figures"); return }
        let filing = base.setting("figures", to: .array([rows[0], rows[2]]))
        let found = FilingValidator.validate(filing.bytes)
        let missing = try #require(found.first { $0.rule == "missing_year" }, "\(found)")
        #expect(missing.path == "$.figures")
        #expect(missing.message.en == "the figures for 2024 are missing (filed in 2026, the three years are 2023–2025)")
        #expect(missing.message.zh.hasPrefix("缺少 2024 年的数据"))
        #expect(!found.contains { $0.rule == "year_sequence" }, "\(found)")
    }

    @Test func yearsOutOfOrderAreStillReportedRowByRow() {
        guard case .array(let rows)? = base["figures"] else { Issue.record("no figures"); return }
        let filing = base.setting("figures", to: .array([rows[1], rows[0], rows[2]]))
        let found = FilingValidator.validate(filing.bytes)
        #expect(found.filter { $0.rule == "year_sequence" }.map(\.path) == ["$.figures[0].year", "$.figures[1].year"])
        #expect(!found.contains { $0.rule == "missing_year" })
    }
}
