import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Collaborative innovation (criteria.md §4, Standard 4): INNO-1..7.
public struct InnovationModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the three years of figures and the innovation section.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "innovation", version: "1.2.0", title: LocalizedText(zh: "具有较强协同创新能力", en: "Collaborative innovation"),
        appliesTo: reviewKinds, criteria: [inno1, inno2, inno3, inno4, inno5, inno6, inno7].map(\.criterion),
        reads: ["figures", "innovation"])

    static let minRdGrowth = RuleParameter.bound("min_sme_rd_growth", .above, unit: "rate (0–1)")
    static let minPlatforms = RuleParameter.bound("min_innovation_platforms", .atLeast, unit: "platforms")
    static let minPatentGrowth = RuleParameter.bound("min_patent_growth", .atLeast, unit: "rate (0–1)")
    static let minPatentsPer10k = RuleParameter.bound("min_patents_per_10k", .atLeast, unit: "patents per 10,000 employees")

    static let inno1 = Rule("INNO-1", .threshold, "近三年中小企业研发经费年均增长高于5%", "SME R&D expenditure grows above 5% a year",
                            citation: "Standard 4", parameters: [minRdGrowth])
    static let inno2 = Rule("INNO-2", .evidence, "统筹建立多元创新平台", "Several innovation platforms", citation: "Standard 4",
                            parameters: [minPlatforms])
    static let inno3 = Rule("INNO-3", .evidence, "与大型企业、高校和科研院所创新合作紧密",
                            "Cooperation with large enterprises, universities and research institutes", citation: "Standard 4")
    static let inno4 = Rule("INNO-4", .evidence, "积极参加主导产业的标准制修订工作", "Takes part in setting the leading industry's standards",
                            citation: "Standard 4")
    static let inno5 = Rule("INNO-5", .judgement, "突破了一批主导产业的关键核心技术", "Broke through key core technologies", citation: "Standard 4")
    static let inno6 = Rule("INNO-6", .threshold, "有效发明专利年均增长率不低于10%", "Valid invention patents grow at least 10% a year",
                            citation: "Standard 4", parameters: [minPatentGrowth])
    static let inno7 = Rule("INNO-7", .threshold, "每万人有效发明专利拥有量不低于6个", "At least 6 valid invention patents per 10,000 employees",
                            citation: "Standard 4", parameters: [minPatentsPer10k])

    /// One finding per criterion INNO-1..7.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.innovation else { throw missing("innovation") }
        let rows = try threeYears(request.filing.figures)
        let p = request.parameters
        let kinds = FilingSchema.partnerKinds.filter { k in section.partners.contains { $0.kind == k } }
        let missingKinds = FilingSchema.partnerKinds.filter { !kinds.contains($0) }
        return [
            // INNO-1: v3 > v1 × (1 + min_sme_rd_growth)² (研发经费年均增长高于5%).
            growthFinding(Self.inno1, rows: rows, { $0.smeRdExpenditureWan }, Self.minRdGrowth, parameters: p,
                          (zh: "中小企业研发经费", en: "SME R&D expenditure")),
            inno2(section, p),
            // INNO-3: all three kinds of partner (大型企业、高校和科研院所).
            Self.inno3.structured(section.evidence["INNO-3"], present: kinds, complete: missingKinds.isEmpty, missing: missingKinds,
                                      observed: .array(kinds.map { .string($0) }), (zh: "合作伙伴类型", en: "kinds of partner")),
            // INNO-4: at least one standard of the leading industry (标准制修订).
            Self.inno4.structured(section.evidence["INNO-4"], present: section.standards.map(\.code), complete: !section.standards.isEmpty,
                                      missing: [], observed: .array(section.standards.map { .string($0.code) }),
                                      (zh: "参与制修订的标准", en: "standards set or revised")),
            Self.inno5.judgement(section.evidence["INNO-5"]),
            // INNO-6: v3 >= v1 × (1 + min_patent_growth)² (有效发明专利年均增长率不低于10%).
            growthFinding(Self.inno6, rows: rows, { Decimal($0.validInventionPatents) }, Self.minPatentGrowth, parameters: p,
                          (zh: "有效发明专利", en: "valid invention patents")),
            inno7(rows.2, p),
        ]
    }

    /// INNO-2: at least min_innovation_platforms platforms (多元创新平台).
    func inno2(_ section: InnovationSection, _ p: [String: JSONValue]) -> Finding {
        let rule = Self.inno2, parameter = Self.minPlatforms
        let names = section.platforms.map(\.name)
        let observed = JSONValue.array(names.map { .string($0) })
        guard let bound = p.decimal(parameter.name) else { return rule.noThreshold(parameter.name, observed: observed) }
        let enough = parameter.comparator.holds(Decimal(names.count), bound)
        let count = Decimal(names.count), comparator = parameter.comparator.rawValue
        let what = (zh: "创新平台（\(Readable.amount(count, .platforms, .zh))，要求\(Readable.bound(comparator, bound, .platforms, .zh))）",
                    en: "innovation platforms (\(Readable.amount(count, .platforms, .en)); required: \(Readable.bound(comparator, bound, .platforms, .en)))")
        var f = rule.structured(section.evidence["INNO-2"], present: names, complete: enough,
                                missing: enough ? [] : ["enough_platforms"], observed: observed,
                                parameters: [parameter.name: .number(bound)], what)
        f.threshold = .number(bound)
        f.comparator = parameter.comparator.rawValue
        return f
    }

    /// INNO-7: patents × 10000 >= min_patents_per_10k × employees, latest year (每万人有效发明专利不低于6个).
    func inno7(_ latest: YearFigures, _ p: [String: JSONValue]) -> Finding {
        let observed: JSONValue = ["year": .number(Decimal(latest.year)), "patents": .number(Decimal(latest.validInventionPatents)),
                                   "employees": .number(Decimal(latest.employees))]
        return Self.inno7.compare(
            Decimal(latest.validInventionPatents) * 10000, with: Self.minPatentsPer10k, in: p, observed: observed,
            rhs: { $0 * Decimal(latest.employees) },
            // Compared without dividing (patents × 10000 against bound × employees); the message names the density.
            shown: latest.employees > 0
                ? { bound in (Decimal(latest.validInventionPatents) * 10000 / Decimal(latest.employees), bound) } : nil,
            (zh: "\(latest.year) 年有效发明专利", en: "valid invention patents in \(latest.year)"))
    }
}
