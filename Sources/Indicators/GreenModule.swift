import Foundation
import IndicatorKit
import ClusterStandard

/// Green development (criteria.md §6, Standard 6): GREE-1..5.
public struct GreenModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the three years of figures (CO2 intensity) and the green section.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "green", version: "1.2.0", title: LocalizedText(zh: "具有较高绿色化发展水平", en: "Green development"),
        appliesTo: reviewKinds, criteria: [gree1, gree2, gree3, gree4, gree5].map(\.criterion), reads: ["figures", "green"])

    static let gree1 = Rule("GREE-1", .judgement, "能源消费结构合理，资源利用效率较高", "Reasonable energy structure; high resource efficiency",
                            citation: "Standard 6")
    static let gree2 = Rule("GREE-2", .threshold, "二氧化碳排放量强度持续下降", "CO2 emission intensity falls continuously", citation: "Standard 6")
    static let gree3 = Rule("GREE-3", .evidence, "污染物排放治理有效，建立绿色低碳服务机制", "Pollutants treated; a green low-carbon service mechanism",
                            citation: "Standard 6")
    static let gree4 = Rule("GREE-4", .threshold, "高耗能行业能效水平高于行业基准值", "High energy-consuming: energy efficiency better than the benchmark",
                            citation: "Standard 6")
    static let gree5 = Rule("GREE-5", .threshold, "高用水行业水效水平高于行业基准值", "High water-using: water efficiency better than the benchmark",
                            citation: "Standard 6")

    /// One finding per criterion GREE-1..5.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.green else { throw missing("green") }
        let rows = try threeYears(request.filing.figures)
        return [
            Self.gree1.judgement(section.evidence["GREE-1"]),
            gree2(rows),
            Self.gree3.evidence(section.evidence["GREE-3"]),
            benchmark(Self.gree4, section.energy, (zh: "能效", en: "energy efficiency"), industry: (zh: "高耗能行业", en: "high energy-consuming")),
            benchmark(Self.gree5, section.water, (zh: "水效", en: "water efficiency"), industry: (zh: "高用水行业", en: "high water-using")),
        ]
    }

    /// GREE-2: CO2 intensity falls continuously (持续下降): c1 > c2 > c3.
    func gree2(_ rows: (YearFigures, YearFigures, YearFigures)) -> Finding {
        let rule = Self.gree2
        let c1 = rows.0.co2Intensity, c2 = rows.1.co2Intensity, c3 = rows.2.co2Intensity
        let observed = series(rows, { $0.co2Intensity })
        if c1 > c2 && c2 > c3 {
            return rule.finding(.pass, observed: observed, "二氧化碳排放强度逐年下降", "CO2 intensity is lower every year")
        }
        return rule.finding(.fail, observed: observed, "二氧化碳排放强度未逐年下降：\(c1) → \(c2) → \(c3)",
                            "CO2 intensity does not fall every year: \(c1) → \(c2) → \(c3)")
    }

    /// GREE-4/5: only for a high energy-consuming (water-using) industry; better than the benchmark is strict, equal fails.
    func benchmark(_ rule: Rule, _ e: GreenSection.Efficiency?, _ what: (zh: String, en: String), industry: (zh: String, en: String)) -> Finding {
        guard let e, e.applicable else {
            return rule.finding(.notApplicable, "不属于\(industry.zh)，不适用", "not a \(industry.en) industry: not applicable")
        }
        guard let value = e.value, let bench = e.benchmark, let direction = e.direction else {
            return rule.finding(.fail, score: 0, "属于\(industry.zh)，但未给出\(what.zh)数值、基准值或方向", "a \(industry.en) industry without value, benchmark or direction")
        }
        let comparator: Comparison = direction == "lower_is_better" ? .below : .above
        return rule.compare(value, comparator, bench, observed: ["value": .number(value), "direction": .string(direction), "unit": e.unit.map { .string($0) } ?? .null],
                            parameters: [:], boundNote: (zh: "（行业基准值）", en: " (the industry benchmark)"), (zh: what.zh, en: what.en))
    }
}
