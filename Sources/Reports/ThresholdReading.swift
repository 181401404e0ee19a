import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// A threshold finding read as the measures write it: the observed value that decided, the bound
/// with its comparator in words, and the margin, all in the bound's own unit (`Readable`).
///
/// The unit is the one the criterion declares for its rulebook parameter. Where the rule compares
/// products exactly (COMP-7/8: `sme >= share × total`; growth: `v3 > v1 × (1+g)²`), the reading
/// turns the compared amounts back into the share or the rate the measures name, so a reader sees
/// `72.5%` against `不低于 60%`, not two sums of 万元; the verdict itself is the module's, unchanged.
public struct ThresholdReading: Sendable, Hashable, Encodable {
    /// The observed value that decided, e.g. `2025 年 30亿元` / `30 billion CNY in 2025`.
    public var observed: String
    /// The bound with its comparator in words, e.g. `不低于 20亿元` / `at least 2 billion CNY`.
    public var bound: String
    /// How far on the good side (or short), in the bound's unit.
    public var margin: String?

    /// A reading with every part.
    public init(observed: String, bound: String, margin: String?) {
        self.observed = observed
        self.bound = bound
        self.margin = margin
    }

    /// The reading of `finding` under `criterion`'s declaration in `language`; nil when the finding
    /// has no comparison with a declared parameter (a judgement, a missing threshold, a comparison
    /// between years with no rulebook value).
    public static func of(_ finding: Finding, criterion: Criterion?, language: Language) -> ThresholdReading? {
        guard let comparator = finding.comparator,
            let parameter = criterion?.parameters?.first(where: { $0.comparator != "mode" && finding.parameters[$0.name] != nil }),
            let value = finding.parameters[parameter.name]?.decimal
        else { return nil }
        let measure = Measure(unit: parameter.unit)
        let lang = language
        func inYear(_ year: String?, _ text: String) -> String {
            guard let year else { return text }
            return lang == .en ? "\(text) in \(year)" : "\(year) 年 \(text)"
        }
        // The year that decided: where observed − threshold equals the margin (or the only one).
        let thresholds = finding.threshold?.objectDecimals ?? [:]
        let observedSeries = finding.observed?.objectDecimals ?? [:]
        let margin = finding.margin?.decimal
        let decidingYear: String? = {
            let years = thresholds.keys.sorted()
            if years.count == 1 { return years[0] }
            return years.first { year in
                guard let o = observedSeries[year], let t = thresholds[year], let margin else { return false }
                return (comparator.hasPrefix("<") ? t - o : o - t) == margin
            }
        }()

        let members: [String: JSONValue] = { if case .object(let m)? = finding.observed { return m }; return [:] }()
        // TIER-1: two clauses, each a count of distinct enterprises against its own bound; either suffices.
        if case .object(let bounds)? = finding.threshold, bounds.keys.allSatisfy({ Self.clauses[$0] != nil }), !bounds.isEmpty {
            var observed: [String] = [], bound: [String] = []
            for name in bounds.keys.sorted(by: { (Self.clauses[$0]?.order ?? 0) < (Self.clauses[$1]?.order ?? 0) }) {
                guard let clause = Self.clauses[name], let limit = bounds[name]?.decimal else { continue }
                var count = Decimal(0)
                if case .array(let items)? = members[clause.observed] { count = Decimal(items.count) }
                let label = clause.label.text(in: lang)
                observed.append(lang == .en ? "\(label): \(Readable.amount(count, .enterprises, lang))" : "\(label) \(Readable.amount(count, .enterprises, lang))")
                bound.append(lang == .en ? "\(label) \(Readable.bound(comparator, limit, .enterprises, lang))"
                                          : "\(label)\(Readable.bound(comparator, limit, .enterprises, lang))")
            }
            return ThresholdReading(
                observed: observed.joined(separator: lang == .en ? "; " : "；"),
                bound: bound.joined(separator: lang == .en ? ", or " : "，或"), margin: nil)
        }
        // PLAN-1: goals met against share × goals; the share met is met / total.
        if measure.isFraction, let met = members["met"]?.decimal, let total = members["total"]?.decimal, total > 0 {
            let share = met / total
            let goals = lang == .en ? " (\(Readable.number(met)) of \(Readable.number(total)) goals met)" : "（\(Readable.number(total)) 项目标完成 \(Readable.number(met)) 项）"
            return ThresholdReading(
                observed: Readable.amount(share, measure, lang) + goals, bound: Readable.bound(comparator, value, measure, lang),
                margin: Readable.margin(share - value, measure, lang))
        }
        // INNO-7: patents × 10000 against bound × employees; per 10,000 employees = patents × 10000 / employees.
        if measure == .patentsPer10k, let patents = members["patents"]?.decimal, let employees = members["employees"]?.decimal, employees > 0 {
            let per = patents * 10_000 / employees
            let year = members["year"]?.decimal.map { Readable.number($0, places: 0) }
            return ThresholdReading(
                observed: inYear(year, Readable.amount(per, measure, lang)), bound: Readable.bound(comparator, value, measure, lang),
                margin: Readable.margin(per - value, measure, lang))
        }
        // INNO-2: the items listed, counted.
        if case .array(let items)? = finding.observed {
            let count = Decimal(items.count)
            return ThresholdReading(
                observed: Readable.amount(count, measure, lang), bound: Readable.bound(comparator, value, measure, lang),
                margin: Readable.margin(comparator.hasPrefix("<") ? value - count : count - value, measure, lang))
        }
        if let factor = finding.parameters["growth_factor"]?.decimal, measure == .rate {
            // Growth: v3 against v1 × (1+g)² (factor); observed growth = (v3/v1)^(1/2) − 1.
            _ = factor
            let years = observedSeries.keys.sorted()
            guard let first = years.first, let last = years.last, let v1 = observedSeries[first], let v3 = observedSeries[last],
                let growth = Readable.compoundGrowth(from: v1, to: v3)
            else { return nil }
            let span = lang == .en ? "compound annual growth \(first)–\(last)" : "\(first)—\(last) 年年均增长"
            return ThresholdReading(
                observed: "\(span) \(Readable.amount(growth, .rate, lang))",
                bound: Readable.bound(comparator, value, .rate, lang),
                margin: Readable.margin(growth - value, .rate, lang))
        }
        if measure.isFraction, let year = decidingYear, let part = observedSeries[year], let product = thresholds[year], value != 0,
            product != value {
            // A share compared as a product: part against share × whole, so whole = product / share.
            let whole = product / value
            guard whole != 0 else { return nil }
            let share = part / whole
            return ThresholdReading(
                observed: inYear(year, Readable.amount(share, measure, lang)),
                bound: Readable.bound(comparator, value, measure, lang),
                margin: Readable.margin(comparator.hasPrefix("<") ? value - share : share - value, measure, lang))
        }
        let observed: Decimal? = finding.observed?.decimal ?? decidingYear.flatMap { observedSeries[$0] }
        guard let observed else {
            return ThresholdReading(observed: "—", bound: Readable.bound(comparator, value, measure, lang),
                                    margin: margin.map { Readable.margin($0, measure, lang) })
        }
        let bound = thresholds.count > 1
            ? (lang == .en ? "each year " : "每年") + Readable.bound(comparator, value, measure, lang)
            : Readable.bound(comparator, value, measure, lang)
        return ThresholdReading(
            observed: inYear(finding.observed?.decimal == nil ? decidingYear : nil, Readable.amount(observed, measure, lang)),
            bound: bound,
            margin: margin.map { Readable.margin($0, measure, lang) })
    }
}

/// A finding with its module and, for a threshold finding, its reading in both languages: the
/// JSON's human-readable part beside the machine fields, which stay numbers.
public struct ReadableFinding: Sendable, Hashable, Encodable {
    /// The module that made the finding.
    public var module: String
    /// The finding as the module made it (numbers unchanged).
    public var finding: Finding
    /// The reading for people, in Chinese and English; nil for a finding without a bound.
    public var reading: Reading?

    /// A reading in both languages.
    public struct Reading: Sendable, Hashable, Encodable {
        public var zh: ThresholdReading
        public var en: ThresholdReading
    }

    /// `item` with its reading under `declarations`.
    public init(_ item: ReviewSummary.Attributed, declarations: Declarations) {
        module = item.module
        finding = item.finding
        let criterion = declarations.criterion(item.finding.criterion)
        if let zh = ThresholdReading.of(item.finding, criterion: criterion, language: .zh),
            let en = ThresholdReading.of(item.finding, criterion: criterion, language: .en) {
            reading = Reading(zh: zh, en: en)
        }
    }
}

extension ThresholdReading {
    /// TIER-1's two clauses: the parameter, the observed list it counts, its name and its place.
    static let clauses: [String: (observed: String, label: LocalizedText, order: Int)] = [
        "min_champions_or_little_giants": ("champions_or_little_giants_in_leading_industry",
                                           LocalizedText(zh: "主导产业单项冠军或“小巨人”", en: "champions or little giants in the leading industry"), 0),
        "min_quality_smes": ("quality_enterprises", LocalizedText(zh: "优质中小企业", en: "quality SMEs"), 1),
    ]
}

extension JSONValue {
    /// The members that are numbers, when this is an object.
    var objectDecimals: [String: Decimal]? {
        guard case .object(let members) = self else { return nil }
        return members.compactMapValues(\.decimal)
    }
}
