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
public struct ThresholdReading: Sendable, Hashable {
    /// The observed value that decided, e.g. `2025 年 30亿元` / `30 billion CNY in 2025`.
    public var observed: String
    /// The bound with its comparator in words, e.g. `不低于 20亿元` / `at least 2 billion CNY`.
    public var bound: String
    /// How far on the good side (or short), in the bound's unit.
    public var margin: String?

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

extension JSONValue {
    /// The members that are numbers, when this is an object.
    var objectDecimals: [String: Decimal]? {
        guard case .object(let members) = self else { return nil }
        return members.compactMapValues(\.decimal)
    }
}
