import Foundation
import IndicatorKit

/// Collaborative innovation (criteria.md §4, Standard 4): INNO-1..7.
public struct InnovationModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the three years of figures and the innovation section.
    public var descriptor: ModuleDescriptor {
        makeDescriptor("innovation", appliesTo: IndicatorModules.reviewKinds, reads: ["figures", "innovation"])
    }

    /// One finding per criterion INNO-1..7.
    public func evaluate(_ request: EvaluationRequest<IndicatorKit.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.innovation else { throw missing("innovation") }
        let rows = try threeYears(request.filing.figures)
        let p = request.parameters
        let kinds = FilingSchema.partnerKinds.filter { k in section.partners.contains { $0.kind == k } }
        let missingKinds = FilingSchema.partnerKinds.filter { !kinds.contains($0) }
        return [
            // INNO-1: v3 > v1 × (1 + min_sme_rd_growth)² (研发经费年均增长高于5%).
            growthFinding(Rule("INNO-1"), rows: rows, { $0.smeRdExpenditureWan }, parameter: "min_sme_rd_growth", comparator: .above,
                          parameters: p, (zh: "中小企业研发经费", en: "SME R&D expenditure")),
            inno2(section, p),
            // INNO-3: all three kinds of partner (大型企业、高校和科研院所).
            Rule("INNO-3").structured(section.evidence["INNO-3"], present: kinds, complete: missingKinds.isEmpty, missing: missingKinds,
                                      observed: .array(kinds.map { .string($0) }), (zh: "合作伙伴类型", en: "kinds of partner")),
            // INNO-4: at least one standard of the leading industry (标准制修订).
            Rule("INNO-4").structured(section.evidence["INNO-4"], present: section.standards.map(\.code), complete: !section.standards.isEmpty,
                                      missing: [], observed: .array(section.standards.map { .string($0.code) }),
                                      (zh: "参与制修订的标准", en: "standards set or revised")),
            Rule("INNO-5").judgement(section.evidence["INNO-5"]),
            // INNO-6: v3 >= v1 × (1 + min_patent_growth)² (有效发明专利年均增长率不低于10%).
            growthFinding(Rule("INNO-6"), rows: rows, { Decimal($0.validInventionPatents) }, parameter: "min_patent_growth",
                          comparator: .atLeast, parameters: p, (zh: "有效发明专利", en: "valid invention patents")),
            inno7(rows.2, p),
        ]
    }

    /// INNO-2: at least min_innovation_platforms platforms (多元创新平台).
    func inno2(_ section: InnovationSection, _ p: [String: JSONValue]) -> Finding {
        let rule = Rule("INNO-2")
        let names = section.platforms.map(\.name)
        let observed = JSONValue.array(names.map { .string($0) })
        guard let bound = p.decimal("min_innovation_platforms") else { return rule.noThreshold("min_innovation_platforms", observed: observed) }
        let enough = Decimal(names.count) >= bound
        var f = rule.structured(section.evidence["INNO-2"], present: names, complete: enough,
                                missing: enough ? [] : ["platforms (\(names.count) < \(bound))"], observed: observed,
                                parameters: ["min_innovation_platforms": .number(bound)], (zh: "创新平台", en: "innovation platforms"))
        f.threshold = .number(bound)
        f.comparator = Comparison.atLeast.rawValue
        return f
    }

    /// INNO-7: patents × 10000 >= min_patents_per_10k × employees, latest year (每万人有效发明专利不低于6个).
    func inno7(_ latest: YearFigures, _ p: [String: JSONValue]) -> Finding {
        let rule = Rule("INNO-7")
        let observed: JSONValue = ["year": .number(Decimal(latest.year)), "patents": .number(Decimal(latest.validInventionPatents)),
                                   "employees": .number(Decimal(latest.employees))]
        guard let bound = p.decimal("min_patents_per_10k") else { return rule.noThreshold("min_patents_per_10k", observed: observed) }
        return rule.compare(Decimal(latest.validInventionPatents) * 10000, .atLeast, bound * Decimal(latest.employees), observed: observed,
                            parameters: ["min_patents_per_10k": .number(bound)],
                            (zh: "\(latest.year) 年有效发明专利×10000 与 下限×从业人数", en: "patents × 10000 against bound × employees in \(latest.year)"))
    }
}
