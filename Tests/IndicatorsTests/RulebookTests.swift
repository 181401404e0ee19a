import Foundation
import IndicatorKit
import Rulebooks
import Testing
import ClusterStandard

@Suite struct RulebookTests {
    func parse(_ text: String) throws(RulebookError) -> RulebookLibrary { try RulebookLibrary.parse(Data(text.utf8)) }

    func issues(_ text: String) -> [ValidationIssue] {
        do {
            _ = try parse(text)
            return []
        } catch {
            if case .invalid(let issues) = error { return issues }
            return []
        }
    }

    static let minimal = """
        {"format_version": 1, "default": "a", "rulebooks": [{"name": "a", "title": {"zh": "甲", "en": "A"}, "parameters": [
          {"name": "min_annual_output_wan", "comparator": ">=", "unit": "万元", "criteria": ["COMP-6"], "values": [
            {"value": 200000, "effective_from": "2023-05-23", "citation": {"document": "D", "article": "1"}},
            {"value": 250000, "effective_from": "2025-01-01", "citation": {"document": "D2", "article": "1"}}]}]}]}
        """

    @Test func projectFileLoadsWithHainanAsDefault() throws {
        #expect(library.defaultName == "hainan-2023")
        #expect(Set(library.rulebooks.map(\.name)) == ["hainan-2023", "national-2022"])
    }

    @Test func nationalRulebookCarriesTheVerifiedFigures() throws {
        let values = try library.resolve("national-2022", asOf: CivilDate("2026-03-15")!).values
        #expect(values["min_annual_output_wan"] == 400000)
        #expect(values["min_sme_output_share"]?.decimal == Decimal(string: "0.7"))
        #expect(values["min_quality_smes"] == 10)
        #expect(values["min_patents_per_10k"] == nil)
    }

    @Test func resolutionReportsRulebookHashAndAsOf() throws {
        let resolved = try library.resolve(nil, asOf: CivilDate("2026-03-15")!)
        #expect(resolved.rulebook == "hainan-2023")
        #expect(resolved.hash.count == 64)
        #expect(resolved.asOf == CivilDate("2026-03-15"))
        #expect(resolved.values["min_output_growth"]?.decimal == Decimal(string: "0.05"))
    }

    @Test func asOfBeforeTheFirstValueIsRefused() {
        #expect(throws: RulebookError.self) { try library.resolve("hainan-2023", asOf: CivilDate("2023-05-22")!) }
    }

    @Test func asOfOnTheFirstDayIsCovered() throws {
        #expect(try library.resolve("hainan-2023", asOf: CivilDate("2023-05-23")!).values["min_annual_output_wan"] == 200000)
    }

    @Test(arguments: [("2024-12-31", 200000), ("2025-01-01", 250000), ("2030-01-01", 250000)])
    func latestValueInForceIsTaken(date: String, expected: Int) throws {
        let values = try parse(Self.minimal).resolve(nil, asOf: CivilDate(date)!).values
        #expect(values["min_annual_output_wan"]?.decimal == Decimal(expected))
    }

    @Test func unknownRulebookIsAnError() {
        #expect(throws: RulebookError.unknownRulebook("nope", known: ["hainan-2023", "national-2022"])) {
            try library.resolve("nope", asOf: CivilDate("2026-01-01")!)
        }
    }

    @Test func unknownKeyIsAnError() {
        let text = Self.minimal.replacingOccurrences(of: "\"unit\": \"万元\"", with: "\"unit\": \"万元\", \"unti\": 1")
        #expect(issues(text).map(\.path) == ["$.rulebooks[0].parameters[0].unti"])
    }

    @Test func overlappingDatesAreAnError() {
        let text = Self.minimal.replacingOccurrences(of: "2025-01-01", with: "2023-05-23")
        #expect(issues(text).map(\.rule) == ["overlap"])
    }

    @Test func missingCitationIsAnError() {
        let text = Self.minimal.replacingOccurrences(of: ", \"citation\": {\"document\": \"D2\", \"article\": \"1\"}", with: "")
        #expect(issues(text).map(\.path) == ["$.rulebooks[0].parameters[0].values[1].citation"])
    }

    @Test func missingComparatorIsAnError() {
        let text = Self.minimal.replacingOccurrences(of: "\"comparator\": \">=\", ", with: "")
        #expect(issues(text).map(\.path) == ["$.rulebooks[0].parameters[0].comparator"])
    }

    @Test func defaultMustNameARulebook() {
        let text = Self.minimal.replacingOccurrences(of: "\"default\": \"a\"", with: "\"default\": \"b\"")
        #expect(issues(text).map(\.rule) == ["unknown_rulebook"])
    }

    @Test func hashIsStableAcrossFormatting() throws {
        let compact = try parse(Self.minimal)
        let spaced = try parse(Self.minimal.replacingOccurrences(of: ", ", with: ",\n    "))
        #expect(compact.rulebooks[0].hash == spaced.rulebooks[0].hash)
        let changed = try parse(Self.minimal.replacingOccurrences(of: "250000", with: "250001"))
        #expect(compact.rulebooks[0].hash != changed.rulebooks[0].hash)
    }
}
