import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Core competitiveness (criteria.md §1, Standard 1): COMP-1..9.
public struct CompetitivenessModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the cluster's profile, the three years of figures and the competitiveness evidence.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "competitiveness", version: "1.2.0", title: LocalizedText(zh: "具有较强核心竞争力", en: "Core competitiveness"),
        appliesTo: reviewKinds, criteria: [comp1, comp2, comp3, comp4, comp5, comp6, comp7, comp8, comp9].map(\.criterion),
        reads: ["cluster", "figures", "competitiveness"])

    static let maxArea = RuleParameter.bound("max_area_km2", .atMost, unit: "km²")
    static let minAnnualOutput = RuleParameter.bound("min_annual_output_wan", .atLeast, unit: "万元")
    static let minSmeShare = RuleParameter.bound("min_sme_output_share", .atLeast, unit: "share (0–1)")
    static let minLeadingShare = RuleParameter.bound("min_leading_industry_share", .above, unit: "share (0–1)")
    static let shareYears = RuleParameter.mode("share_years", unit: "latest | each")
    static let minGrowth = RuleParameter.bound("min_output_growth", .above, unit: "rate (0–1)")

    static let comp1 = Rule("COMP-1", .judgement, "主导产业为所在县域的支柱或特色产业",
                            "The leading industry is a pillar or characteristic industry of the county", citation: "Standard 1")
    static let comp2 = Rule("COMP-2", .judgement, "符合国家、海南省产业政策和行业发展规划要求",
                            "Conforms to national and Hainan industrial policy and plans", citation: "Standard 1")
    static let comp3 = Rule("COMP-3", .judgement, "发展水平位居细分领域全省前列", "Ranks among the province's front in its segment",
                            citation: "Standard 1")
    static let comp4 = Rule("COMP-4", .judgement, "有较高的集群品牌知名度", "The cluster brand is well known", citation: "Standard 1")
    static let comp5 = Rule("COMP-5", .threshold, "占地面积一般不超过100平方公里", "Area as a rule at most 100 km²",
                            citation: "Standard 1", parameters: [maxArea])
    static let comp6 = Rule("COMP-6", .threshold, "近三年产值均在20亿元以上", "Output of at least 2 billion CNY in each of the last three years",
                            citation: "Standard 1", parameters: [minAnnualOutput])
    static let comp7 = Rule("COMP-7", .threshold, "中小企业产值占集群总产值60%以上", "SME output at least 60% of total output",
                            citation: "Standard 1", parameters: [minSmeShare, shareYears])
    static let comp8 = Rule("COMP-8", .threshold, "主导产业占集群总产值比例高于60%", "Leading-industry output above 60% of total output",
                            citation: "Standard 1", parameters: [minLeadingShare, shareYears])
    static let comp9 = Rule("COMP-9", .threshold, "产值年均增速高于5%（新冠疫情等特殊情况除外）",
                            "Compound annual output growth above 5% (special circumstances excepted)", citation: "Standard 1",
                            parameters: [minGrowth])

    /// One finding per criterion COMP-1..9.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let cluster = request.filing.cluster else { throw missing("cluster") }
        guard let section = request.filing.competitiveness else { throw missing("competitiveness") }
        let rows = try threeYears(request.filing.figures)
        let p = request.parameters
        let eachYear = p[Self.shareYears.name]?.string == "each"
        return [
            Self.comp1.judgement(section.evidence["COMP-1"]),
            Self.comp2.judgement(section.evidence["COMP-2"]),
            Self.comp3.judgement(section.evidence["COMP-3"]),
            Self.comp4.judgement(section.evidence["COMP-4"]),
            comp5(cluster.areaKm2, p),
            // COMP-6: total output >= min_annual_output_wan in each of the three years (近三年产值均在20亿元以上).
            perYear(Self.comp6, rows, years: [rows.0, rows.1, rows.2], Self.minAnnualOutput, p,
                    lhs: { $0.totalOutputWan }, rhs: { _, bound in bound },
                    (zh: "总产值", en: "total output")),
            // COMP-7: sme >= min_sme_output_share × total (中小企业产值占集群总产值60%以上).
            perYear(Self.comp7, rows, years: eachYear ? [rows.0, rows.1, rows.2] : [rows.2], Self.minSmeShare, p,
                    lhs: { $0.smeOutputWan }, rhs: { $0.totalOutputWan * $1 },
                    (zh: "中小企业产值", en: "SME output")),
            // COMP-8: leading > min_leading_industry_share × total (主导产业占集群总产值比例高于60%).
            perYear(Self.comp8, rows, years: eachYear ? [rows.0, rows.1, rows.2] : [rows.2], Self.minLeadingShare, p,
                    lhs: { $0.leadingIndustryOutputWan }, rhs: { $0.totalOutputWan * $1 },
                    (zh: "主导产业产值", en: "leading-industry output")),
            comp9(rows, section.growthWaiver, p),
        ]
    }

    /// COMP-5: area <= max_area_km2 (一般不超过100平方公里): a soft bound, above it `warn`, never `fail`.
    func comp5(_ area: Decimal, _ p: [String: JSONValue]) -> Finding {
        var finding = Self.comp5.compare(area, with: Self.maxArea, in: p, observed: .number(area),
                                         (zh: "占地面积", en: "the area"))
        if finding.verdict == .fail {
            finding.verdict = .warn
            finding.message = LocalizedText(zh: finding.message.zh + "；“一般不超过”为软约束，请评审人核实",
                                            en: finding.message.en + "; “as a rule at most” is a soft bound: a reviewer should look")
        }
        return finding
    }

    /// COMP-9: growth v3 > v1 × (1 + min_output_growth)² (产值年均增速高于5%（新冠疫情等特殊情况除外）).
    /// A waiver claim matters only where growth does not pass: then the criterion is `manual` and the
    /// reviewer accepts or rejects the claim. Where growth passes the claim is moot: `pass`, saying so.
    func comp9(_ rows: (YearFigures, YearFigures, YearFigures), _ waiver: GrowthWaiver?, _ p: [String: JSONValue]) -> Finding {
        var finding = growthFinding(Self.comp9, rows: rows, { $0.totalOutputWan }, Self.minGrowth, parameters: p,
                                    (zh: "总产值", en: "total output"))
        guard let waiver else { return finding }
        if finding.verdict == .pass {
            finding.message = LocalizedText(
                zh: "\(finding.message.zh)；申报的特殊情况（\(waiver.reason)）无需豁免：增速已达标",
                en: "\(finding.message.en); the special circumstance claimed (\(waiver.reason)) is not needed: growth passes")
            return finding
        }
        finding.verdict = .manual
        finding.score = Score.of(.manual)
        finding.message = LocalizedText(
            zh: "COMP-9：申报新冠疫情等特殊情况（\(waiver.reason)），增速未能判定达标，由评审人决定是否认可；计算结果供参考：\(finding.message.zh)",
            en: "COMP-9: a special circumstance is claimed (\(waiver.reason)) and growth is not shown to pass; the reviewer accepts or rejects it. For reference: \(finding.message.en)")
        return finding
    }
}

/// A comparison made in each of `years`; the year with the smallest margin decides and is reported.
/// The threshold is `{year: bound}` for each year compared.
func perYear(
    _ rule: Rule, _ rows: (YearFigures, YearFigures, YearFigures), years: [YearFigures], _ parameter: RuleParameter,
    _ p: [String: JSONValue], lhs: (YearFigures) -> Decimal, rhs: (YearFigures, Decimal) -> Decimal,
    _ what: (zh: String, en: String)
) -> Finding {
    let observed = series(rows, lhs)
    let comparator = parameter.comparator
    guard let bound = p.decimal(parameter.name) else { return rule.noThreshold(parameter.name, observed: observed) }
    let worst = years.min { Score.relativeMargin(lhs($0), comparator, rhs($0, bound)) < Score.relativeMargin(lhs($1), comparator, rhs($1, bound)) }!
    let thresholds = JSONValue.object(Dictionary(uniqueKeysWithValues: years.map { (String($0.year), JSONValue.number(rhs($0, bound))) }))
    // A share of total output (COMP-7, COMP-8) is compared as an amount in 万元; the message says whose share.
    let share = Measure(unit: parameter.unit).isFraction
        ? (zh: "（总产值的 \(Readable.amount(bound, .share, .zh))）", en: " (\(Readable.amount(bound, .share, .en)) of total output)")
        : (zh: "", en: "")
    return rule.compare(lhs(worst), comparator, rhs(worst, bound), observed: observed, threshold: thresholds,
                        parameters: [parameter.name: .number(bound)], measure: .moneyWan, boundNote: share,
                        (zh: "\(worst.year) 年\(what.zh)", en: "\(what.en) in \(worst.year)"))
}
