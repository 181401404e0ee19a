import ClusterStandard
import Foundation
import IndicatorKit
import JSONCore
import Testing
import TestSupport

/// national-2022 TIER-1 counts only national-level high-tech enterprises (criteria.md group 2):
/// what the finding says about the one it leaves out.
@Suite struct TieringLevelTests {
    static let filing = FilingTemplate.example(.initial)
        .setting("enterprises.0.leading_industry", to: false)
        .setting("enterprises.2.designations", to: [["kind": "high_tech", "level": "provincial", "valid_until": "2027-11-30"]])

    static func tier1(rulebook: String) async throws -> Finding? {
        let date = CivilDate("2026-03-15")!
        var parameters = try library.resolve(rulebook, asOf: date).values
        parameters["min_quality_smes"] = 5
        let report = try await BuiltInModules.evaluate(module: "tiering", filing: filing, parameters: parameters, asOf: date)
        return report.findings.first { $0.criterion == "TIER-1" }
    }

    @Test func nationalRulebookListsAProvincialHighTechEnterpriseAsLeftOut() async throws {
        let finding = try #require(try await Self.tier1(rulebook: "national-2022"))
        #expect(finding.verdict == .fail)
        guard case .array(let leftOut)? = finding.observed?["left_out"] else { Issue.record("no left_out"); return }
        #expect(leftOut.contains { $0["code"] == "91460402MA5T000037" && $0["reason"] == "high_tech_not_national_level" })
        #expect(finding.parameters["high_tech_level"] == "national")
        guard case .array(let quality)? = finding.observed?["quality_enterprises"] else { Issue.record("no quality_enterprises"); return }
        #expect(!quality.contains("91460402MA5T000037"))
    }

    @Test func hainanRulebookCountsAProvincialHighTechEnterprise() async throws {
        let finding = try #require(try await Self.tier1(rulebook: "hainan-2023"))
        #expect(finding.verdict == .pass)
        guard case .array(let quality)? = finding.observed?["quality_enterprises"] else { Issue.record("no quality_enterprises"); return }
        #expect(quality.contains("91460402MA5T000037"))
        #expect(finding.parameters["high_tech_level"] == "any")
    }
}
