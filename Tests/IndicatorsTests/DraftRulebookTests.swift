import Foundation
import IndicatorKit
import JSONCore
import Rulebooks
import Testing
import ClusterStandard

/// A draft rule change for `simulate`: values read as a person types them, exact, in the file's
/// unit; anything else refused with the parameter's name and what it takes.
@Suite struct DraftRulebookTests {
    var hainan: Rulebook { get throws { try library.rulebook(named: "hainan-2023") } }

    static func dec(_ text: String) -> JSONValue { .number(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!) }

    @Test(arguments: [
        ("min_annual_output_wan=15亿", "min_annual_output_wan", dec("150000")),
        ("min_annual_output_wan=15亿元", "min_annual_output_wan", dec("150000")),
        ("min_annual_output_wan=150000", "min_annual_output_wan", dec("150000")),
        ("min_annual_output_wan=150000万元", "min_annual_output_wan", dec("150000")),
        ("min_annual_output_wan=50000.000001", "min_annual_output_wan", dec("50000.000001")),
        ("min_annual_output_wan=500000000.01元", "min_annual_output_wan", dec("50000.000001")),
        ("min_sme_output_share=55%", "min_sme_output_share", dec("0.55")),
        ("min_sme_output_share=0.55", "min_sme_output_share", dec("0.55")),
        ("min_quality_smes=4", "min_quality_smes", dec("4")),
        ("share_years=each", "share_years", JSONValue.string("each")),
    ])
    func valuesAreReadExactlyInTheFilesUnit(_ assignment: String, _ name: String, _ value: JSONValue) throws {
        let draft = try DraftRulebook(base: try hainan, assignments: [assignment])
        #expect(draft.changes.map(\.parameter) == [name])
        #expect(draft.changes.first?.value == value)
    }

    @Test func theDraftResolvesTheChangedValueAndKeepsTheRest() throws {
        let base = try hainan
        let draft = try DraftRulebook(base: base, assignments: ["min_annual_output_wan=15亿"])
        let date = CivilDate("2026-03-15")!
        let resolved = try draft.resolve(asOf: date)
        let original = try base.resolve(asOf: date)
        #expect(resolved.values["min_annual_output_wan"] == Self.dec("150000"))
        #expect(resolved.values.filter { $0.key != "min_annual_output_wan" } == original.values.filter { $0.key != "min_annual_output_wan" })
        #expect(resolved.hash != original.hash && resolved.rulebook == "hainan-2023+draft")
        #expect(draft.criteria == ["COMP-6"])
    }

    @Test(arguments: [
        ("min_output=15亿", "min_output"),
        ("min_annual_output_wan=fifteen", "min_annual_output_wan"),
        ("min_annual_output_wan=1e5", "min_annual_output_wan"),
        ("min_annual_output_wan=-5", "min_annual_output_wan"),
        ("min_annual_output_wan=0", "min_annual_output_wan"),
        ("min_sme_output_share=1.2", "min_sme_output_share"),
        ("min_sme_output_share=120%", "min_sme_output_share"),
        ("min_quality_smes=4.5", "min_quality_smes"),
        ("share_years=every", "share_years"),
        ("min_annual_output_wan", "min_annual_output_wan"),
    ])
    func anInvalidValueIsRefusedNamingTheParameterAndWhatItTakes(_ assignment: String, _ name: String) throws {
        let base = try hainan
        do throws(DraftError) {
            _ = try DraftRulebook(base: base, assignments: [assignment])
            Issue.record("accepted \(assignment)")
        } catch {
            #expect(error.message.en.contains(name) && error.message.zh.contains(name), "\(error.message)")
        }
    }

    @Test func aParameterSetTwiceIsRefused() throws {
        #expect(throws: DraftError.repeated("min_quality_smes")) {
            try DraftRulebook(base: try hainan, assignments: ["min_quality_smes=4", "min_quality_smes=6"])
        }
    }
}
