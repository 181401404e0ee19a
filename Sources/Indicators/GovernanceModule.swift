import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Governance and services (criteria.md §8, Standard 8): GOVE-1..4.
public struct GovernanceModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the filing date (the plan's years) and the governance section.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "governance", version: "1.2.0", title: LocalizedText(zh: "具有较强治理和服务能力", en: "Governance and services"),
        appliesTo: reviewKinds, criteria: [gove1, gove2, gove3, gove4].map(\.criterion), reads: ["filing_date", "governance"])

    static let gove1 = Rule("GOVE-1", .evidence, "设立管委会等运营管理机构", "An operating management body is set up", citation: "Standard 8")
    static let gove2 = Rule("GOVE-2", .evidence, "完善的中小企业公共服务体系和专业化的集群发展促进机制",
                            "A public service system and a cluster promotion mechanism", citation: "Standard 8")
    static let gove3 = Rule("GOVE-3", .threshold, "政策宣贯实现集群全覆盖，不漏户、不漏人", "Policy publicity reaches every enterprise of the cluster",
                            citation: "Standard 8")
    static let gove4 = Rule("GOVE-4", .judgement, "依照第五条制定未来三年发展规划，目标清晰可考核，措施完整",
                            "A three-year plan per Art. 5 with assessable goals and complete measures", citation: "Standard 8; Art. 5")

    /// One finding per criterion GOVE-1..4.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.governance else { throw missing("governance") }
        let year = (request.filing.filingDate ?? request.asOf).year
        return [
            Self.gove1.evidence(section.evidence["GOVE-1"]),
            Self.gove2.evidence(section.evidence["GOVE-2"]),
            gove3(section.publicity),
            // 未来三年, read both ways the text allows: the filing year and the three years after it.
            gove4(section.plan, years: GovernanceModule.planYears(filedIn: year)),
        ]
    }

    /// The years a plan's goal may fall in (未来三年): from the filing year Y to Y+3 (filed in 2026: 2026–2029).
    static func planYears(filedIn year: Int) -> ClosedRange<Int> { year...(year + 3) }

    /// GOVE-3: reached == enterprises in the cluster (全覆盖，不漏户、不漏人); reached is never above it, and
    /// the stated number covers every enterprise the filing lists (both checked by validation).
    func gove3(_ p: GovernanceSection.Publicity) -> Finding {
        let rule = Self.gove3
        let observed: JSONValue = ["enterprises_reached": .number(Decimal(p.enterprisesReached)), "enterprises_in_cluster": .number(Decimal(p.enterprisesInCluster))]
        if p.enterprisesReached > p.enterprisesInCluster {
            return rule.finding(.fail, score: 0, observed: observed, "覆盖企业数超过集群企业数，数据不一致", "more enterprises reached than the cluster has: inconsistent")
        }
        // Equality, not a bound to exceed: full coverage is the best there is, so it scores 100.
        var f = rule.compare(Decimal(p.enterprisesReached), .atLeast, Decimal(p.enterprisesInCluster), observed: observed, parameters: [:],
                             measure: .enterprises, boundNote: (zh: "（集群全部企业）", en: " (every enterprise of the cluster)"),
                             (zh: "政策宣贯覆盖企业数", en: "the number of enterprises reached"))
        f.comparator = "=="
        if f.verdict == .pass { f.score = Score.of(.pass) }
        return f
    }

    /// GOVE-4: every goal assessable (metric, baseline, numeric target, a year of the plan) and a measure
    /// in each of the six Art. 5 areas: then `manual` (feasibility is judged); otherwise `fail`, naming which.
    func gove4(_ plan: DevelopmentPlan, years: ClosedRange<Int>) -> Finding {
        let rule = Self.gove4
        let notAssessable = plan.goals.filter { g in
            (g.metric ?? "").trimmingCharacters(in: .whitespaces).isEmpty || g.baseline == nil || g.target == nil || !years.contains(g.year ?? 0)
        }.map(\.id)
        let missingAreas = FilingSchema.planAreas.filter { area in !plan.measures.contains { $0.area == area } }
        let observed: JSONValue = ["goals": .number(Decimal(plan.goals.count)), "plan_years": .string("\(years.lowerBound)–\(years.upperBound)"),
                                   "goals_not_assessable": .array(notAssessable.map { .string($0) }),
                                   "areas_without_measure": .array(missingAreas.map { .string($0) })]
        var problemsZh: [String] = [], problemsEn: [String] = []
        if plan.goals.isEmpty { problemsZh.append("没有发展目标"); problemsEn.append("no goals") }
        if !notAssessable.isEmpty {
            problemsZh.append("目标不可考核：\(notAssessable.joined(separator: ", "))")
            problemsEn.append("goals not assessable: \(notAssessable.joined(separator: ", "))")
        }
        if !missingAreas.isEmpty {
            problemsZh.append("第五条领域缺少措施：\(Vocabulary.list(missingAreas, .zh))")
            problemsEn.append("Art. 5 areas without a measure: \(missingAreas.joined(separator: ", "))")
        }
        if problemsZh.isEmpty {
            return rule.finding(.manual, observed: observed, "规划结构完整，可行性需人工判断", "the plan is structurally complete; its feasibility is for a person to judge")
        }
        return rule.finding(.fail, observed: observed, problemsZh.joined(separator: "；"), problemsEn.joined(separator: "; "))
    }
}
