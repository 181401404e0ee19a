import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Tiered cultivation of quality SMEs (criteria.md §2, Standard 2): TIER-1 and TIER-2.
public struct TieringModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the filing date, the enterprises with their designations, and the tiering evidence.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "tiering", version: "1.3.0", title: LocalizedText(zh: "优质中小企业梯度培育成效显著", en: "Tiered cultivation of quality SMEs"),
        appliesTo: reviewKinds, criteria: [tier1, tier2].map(\.criterion), reads: ["filing_date", "enterprises", "tiering"])

    static let minTopTier = RuleParameter.bound("min_champions_or_little_giants", .atLeast, unit: "enterprises")
    static let minQuality = RuleParameter.bound("min_quality_smes", .atLeast, unit: "enterprises")
    /// Which high-tech enterprises the second clause counts: `any` level (Hainan 2023: 高新技术企业) or
    /// only `national` ones (national 2022: 国家级高新技术企业, criteria.md group 2).
    static let highTechLevel = RuleParameter.mode("high_tech_level", unit: "any | national")

    static let tier1 = Rule(
        "TIER-1", .threshold, "不少于1家主导产业单项冠军或专精特新“小巨人”，或不少于5家专精特新、创新型中小企业和高新技术企业",
        "At least 1 champion or little giant in the leading industry, or at least 5 specialized, innovative or high-tech enterprises",
        citation: "Standard 2", parameters: [minTopTier, minQuality, highTechLevel])
    static let tier2 = Rule("TIER-2", .judgement, "持续开展优质中小企业梯度培育工作", "Tiered cultivation is carried on continuously",
                            citation: "Standard 2")

    /// One finding each for TIER-1 and TIER-2.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let enterprises = request.filing.enterprises else { throw missing("enterprises") }
        guard let section = request.filing.tiering else { throw missing("tiering") }
        let date = request.filing.filingDate ?? request.asOf
        return [tier1(enterprises, on: date, request.parameters), Self.tier2.judgement(section.evidence["TIER-2"])]
    }

    /// TIER-1: champions or little giants in the leading industry >= min_champions_or_little_giants (不少于1家),
    /// or distinct specialized, innovative or high-tech enterprises >= min_quality_smes (不少于5家).
    /// Counted once per code; a designation counts when it has no end or ends on or after the filing date.
    /// With `high_tech_level: national` a provincial high-tech designation does not count; a rulebook
    /// without `high_tech_level` makes TIER-1 `manual` where the verdict depends on it.
    func tier1(_ enterprises: [Enterprise], on date: CivilDate, _ p: [String: JSONValue]) -> Finding {
        let rule = Self.tier1
        let levelMode = p[Self.highTechLevel.name]?.string
        let nationalOnly = levelMode == "national"
        var topTier = Set<String>(), quality = Set<String>()
        // `quality` under the other reading of high_tech_level, for a rulebook without it.
        var qualityNationalOnly = Set<String>()
        var leftOut: [JSONValue] = []
        for e in enterprises {
            for d in e.designations {
                if let end = d.validUntil, end < date {
                    leftOut.append(["code": .string(e.code), "kind": .string(d.kind.rawValue), "valid_until": .string(end.description),
                                    "reason": "expired_before_filing_date"])
                    continue
                }
                let provincialHighTech = d.kind == .highTech && d.level != "national"
                if !provincialHighTech { qualityNationalOnly.insert(e.code) }
                if provincialHighTech && nationalOnly {
                    leftOut.append(["code": .string(e.code), "kind": .string(d.kind.rawValue), "level": .string(d.level),
                                    "reason": "high_tech_not_national_level"])
                } else {
                    quality.insert(e.code)
                }
                if d.kind == .singleChampion || d.kind == .littleGiant {
                    if e.leadingIndustry {
                        topTier.insert(e.code)
                    } else {
                        leftOut.append(["code": .string(e.code), "kind": .string(d.kind.rawValue), "reason": "not_in_leading_industry_first_clause_only"])
                    }
                }
            }
        }
        let n = p.decimal(Self.minTopTier.name), m = p.decimal(Self.minQuality.name)
        var parameters: [String: JSONValue] = [:]
        if let n { parameters[Self.minTopTier.name] = .number(n) }
        if let m { parameters[Self.minQuality.name] = .number(m) }
        if let levelMode { parameters[Self.highTechLevel.name] = .string(levelMode) }
        let observed: JSONValue = [
            "champions_or_little_giants_in_leading_industry": .array(topTier.sorted().map { .string($0) }),
            "quality_enterprises": .array(quality.sorted().map { .string($0) }),
            "left_out": .array(leftOut),
        ]
        let threshold: JSONValue = [Self.minTopTier.name: n.map { .number($0) } ?? .null, Self.minQuality.name: m.map { .number($0) } ?? .null]
        let c1 = Decimal(topTier.count), c2 = Decimal(quality.count)
        // Both clauses compare the same way (不少于): the comparison is the parameters' declared one.
        let comparator = Self.minTopTier.comparator
        func clause(_ count: Decimal, _ bound: Decimal) -> (passed: Bool, score: Int) {
            let passed = comparator.holds(count, bound)
            return (passed, Score.of(passed: passed, relativeMargin: Score.relativeMargin(count, comparator, bound)))
        }
        let first = n.map { clause(c1, $0) }
        let second = m.map { clause(c2, $0) }
        let passed = (first?.passed ?? false) || (second?.passed ?? false)
        let score = max(first?.score ?? 0, second?.score ?? 0)
        // Without high_tech_level the reading "national only" may decide otherwise: then a person must judge.
        let passedNationalOnly = (first?.passed ?? false) || (m.map { comparator.holds(Decimal(qualityNationalOnly.count), $0) } ?? false)
        let levelUndecided = levelMode == nil && passed != passedNationalOnly
        let counts = "冠军/小巨人 \(topTier.count) 家（下限 \(n.map { "\($0)" } ?? "无")），优质企业 \(quality.count) 家（下限 \(m.map { "\($0)" } ?? "无")）"
        let countsEn = "champions/little giants \(topTier.count) (bound \(n.map { "\($0)" } ?? "none")), quality enterprises \(quality.count) (bound \(m.map { "\($0)" } ?? "none"))"
        if levelUndecided {
            return rule.finding(.manual, observed: observed, threshold: threshold, comparator: comparator,
                                "本规则集未规定高新技术企业的级别（high_tech_level），结论取决于此，需人工判断：\(counts)",
                                "this rulebook does not say which level of high-tech enterprise counts (high_tech_level) and the verdict depends on it; a person must judge: \(countsEn)",
                                parameters: parameters)
        }
        if passed {
            return rule.finding(.pass, score: score, observed: observed, threshold: threshold, comparator: comparator,
                                "满足：\(counts)", "met: \(countsEn)", parameters: parameters)
        }
        if n == nil || m == nil {
            var f = rule.finding(.manual, observed: observed, threshold: threshold, comparator: comparator,
                                 "本规则集缺少阈值，需人工判断：\(counts)", "no threshold in this rulebook for one clause; a person must judge: \(countsEn)",
                                 parameters: parameters)
            if n == nil && m == nil { f.message.en = "TIER-1: no threshold in this rulebook; a person must judge: \(countsEn)" }
            return f
        }
        return rule.finding(.fail, score: score, observed: observed, threshold: threshold, comparator: comparator,
                            "两项条件均未满足：\(counts)", "neither clause is met: \(countsEn)", parameters: parameters)
    }
}
