import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// The refusal for a filing slice without a section the module reads: `invalid_request`, because
/// validation guarantees every section a kind needs, so only a malformed request lacks one.
func missing(_ section: String) -> EvaluationRefusal {
    EvaluationRefusal(.invalidRequest, "the filing has no usable \"\(section)\" section")
}

/// The comparisons criteria.md uses, written as the measures write them.
enum Comparison: String, Sendable {
    /// 以上, 不少于, 不低于
    case atLeast = ">="
    /// 高于, 超过
    case above = ">"
    /// 不超过, 以内
    case atMost = "<="
    /// strictly lower (better than a consumption benchmark)
    case below = "<"

    var lowerIsBetter: Bool { self == .atMost || self == .below }

    /// Whether `lhs` satisfies the comparison with `rhs`.
    func holds(_ lhs: Decimal, _ rhs: Decimal) -> Bool {
        switch self {
        case .atLeast: return lhs >= rhs
        case .above: return lhs > rhs
        case .atMost: return lhs <= rhs
        case .below: return lhs < rhs
        }
    }
}

/// The score formula (docs/rules.md), one place.
///
/// For a comparison the relative margin is m = (lhs − rhs) / |rhs| (for `<=`, (rhs − lhs) / |rhs|;
/// with rhs = 0, m is +1, 0 or −1 by sign). A passing comparison scores 60 + min(40, ⌊80·m⌋) —
/// exactly at a `>=` bound 60, 50 % above it 100; a failing one scores 59 − min(59, ⌊59·(−m)⌋) —
/// just below the bound 59, at zero 0. The score never decreases as lhs grows. Verdicts without a
/// bound score: pass 100, warn 70, manual 60, fail 0, not_applicable 100 (left out of indicator means).
enum Score {
    static func of(_ verdict: Verdict) -> Int {
        switch verdict {
        case .pass, .notApplicable: return 100
        case .warn: return 70
        case .manual: return 60
        case .fail, .error: return 0
        }
    }

    static func relativeMargin(_ lhs: Decimal, _ comparator: Comparison, _ rhs: Decimal) -> Decimal {
        let diff = comparator.lowerIsBetter ? rhs - lhs : lhs - rhs
        if rhs == 0 { return diff > 0 ? 1 : diff == 0 ? 0 : -1 }
        return diff / (rhs < 0 ? -rhs : rhs)
    }

    static func of(passed: Bool, relativeMargin m: Decimal) -> Int {
        if passed {
            return 60 + min(40, max(0, floor(80 * m)))
        }
        return 59 - min(59, max(0, floor(59 * -m)))
    }

    static func floor(_ d: Decimal) -> Int {
        if d > 1000 { return 1000 }
        if d < -1000 { return -1000 }
        var value = d, rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .down)
        return NSDecimalNumber(decimal: rounded).intValue
    }
}

/// A rulebook parameter a rule reads, with the comparison the rule makes with it: declared once,
/// with its criterion in the module's `ready` line, and used by the rule from the same value.
struct RuleParameter: Sendable {
    /// The name in config/parameters.json, e.g. `min_annual_output_wan`.
    let name: String
    /// The comparison made with the parameter's value; nil for a mode (a setting, not a bound).
    let comparison: Comparison?
    /// The unit of its values, exactly as config/parameters.json states it.
    let unit: String

    /// A bound: `lhs comparison value`.
    static func bound(_ name: String, _ comparison: Comparison, unit: String) -> RuleParameter {
        RuleParameter(name: name, comparison: comparison, unit: unit)
    }

    /// A setting that selects how a rule reads the filing.
    static func mode(_ name: String, unit: String) -> RuleParameter {
        RuleParameter(name: name, comparison: nil, unit: unit)
    }

    /// The parameter as the ready line declares it.
    var declaration: CriterionParameter {
        CriterionParameter(name: name, comparator: comparison?.rawValue ?? "mode", unit: unit)
    }

    /// The comparison, for a bound (a mode has none; asking is a programming error).
    var comparator: Comparison {
        guard let comparison else { preconditionFailure("\(name) is a mode, not a bound") }
        return comparison
    }
}

/// One criterion and the findings it builds: its id, title, kind, citation and parameters are
/// written once, here, and the module's ready line declares exactly this.
struct Rule: Sendable {
    let criterion: Criterion

    /// A criterion of the measures: `zh`/`en` its title, `parameters` what it reads from the rulebook.
    init(
        _ id: String, _ kind: CriterionKind, _ zh: String, _ en: String, citation: String,
        parameters: [RuleParameter] = [], veto: Bool = false
    ) {
        criterion = Criterion(
            id: id, title: LocalizedText(zh: zh, en: en), kind: kind, citation: citation,
            parameters: parameters.map(\.declaration), veto: veto)
    }

    var id: String { criterion.id }

    func finding(
        _ verdict: Verdict, score: Int? = nil, observed: JSONValue? = nil, threshold: JSONValue? = nil,
        comparator: Comparison? = nil, margin: JSONValue? = nil, _ zh: String, _ en: String,
        parameters: [String: JSONValue] = [:]
    ) -> Finding {
        Finding(
            criterion: id, verdict: verdict, score: score ?? Score.of(verdict), observed: observed, threshold: threshold,
            comparator: comparator?.rawValue, margin: margin, message: LocalizedText(zh: "\(id)：\(zh)", en: "\(id): \(en)"),
            citation: criterion.citation, parameters: parameters)
    }

    /// `lhs` against the rulebook's `parameter`, read from `parameters`: the comparison is the
    /// parameter's declared one; `rhs` turns the parameter's value into the bound compared against
    /// (the value itself by default). `manual` when the rulebook has no value.
    ///
    /// The message reads in words: the observed amount in `measure` (by default the parameter's
    /// unit), the bound with its comparator in words, met or not, and the margin; `shown` gives the
    /// two amounts the message names when they are not `lhs` and the bound (e.g. a density the
    /// comparison avoids dividing for).
    func compare(
        _ lhs: Decimal, with parameter: RuleParameter, in parameters: [String: JSONValue], observed: JSONValue,
        threshold: ((Decimal) -> JSONValue)? = nil, rhs: (Decimal) -> Decimal = { $0 }, measure: Measure? = nil,
        shown: ((Decimal) -> (observed: Decimal, bound: Decimal))? = nil, _ what: (zh: String, en: String)
    ) -> Finding {
        guard let value = parameters.decimal(parameter.name) else { return noThreshold(parameter.name, observed: observed) }
        return compare(lhs, parameter.comparator, rhs(value), observed: observed, threshold: threshold?(value),
                       parameters: [parameter.name: .number(value)], measure: measure ?? Measure(unit: parameter.unit),
                       shown: shown?(value), what)
    }

    /// `manual` because the rulebook has no value for `parameter` (criteria.md: never a default).
    func noThreshold(_ parameter: String, observed: JSONValue? = nil) -> Finding {
        finding(.manual, observed: observed, "本规则集没有参数 \(parameter) 的阈值，需人工判断",
                "no threshold in this rulebook (\(parameter)); a person must judge")
    }

    /// A comparison `lhs comparator rhs` judged exactly; `observed` and `rhs` are reported as given.
    func compare(
        _ lhs: Decimal, _ comparator: Comparison, _ rhs: Decimal, observed: JSONValue, threshold: JSONValue? = nil,
        parameters: [String: JSONValue], measure: Measure = .plain, shown: (observed: Decimal, bound: Decimal)? = nil,
        boundNote: (zh: String, en: String) = ("", ""), _ what: (zh: String, en: String)
    ) -> Finding {
        let passed = comparator.holds(lhs, rhs)
        let m = Score.relativeMargin(lhs, comparator, rhs)
        let margin = comparator.lowerIsBetter ? rhs - lhs : lhs - rhs
        let words = Self.reading(shown ?? (lhs, rhs), comparator, passed: passed, measure: measure, boundNote: boundNote)
        return finding(
            passed ? .pass : .fail, score: Score.of(passed: passed, relativeMargin: m), observed: observed,
            threshold: threshold ?? .number(rhs), comparator: comparator, margin: .number(margin),
            "\(what.zh)\(words.zh)", "\(what.en)\(words.en)", parameters: parameters)
    }

    /// `为 35亿元，要求不低于 20亿元：满足（余量 15亿元）` / ` is 3.5 billion CNY; required: at least 2 billion CNY:
    /// met (1.5 billion CNY to spare)`: a comparison in words (issue 20: no raw `350000 >= 200000`).
    static func reading(
        _ amounts: (observed: Decimal, bound: Decimal), _ comparator: Comparison, passed: Bool, measure: Measure,
        boundNote: (zh: String, en: String) = ("", "")
    ) -> (zh: String, en: String) {
        let margin = comparator.lowerIsBetter ? amounts.bound - amounts.observed : amounts.observed - amounts.bound
        func text(_ language: Language) -> String {
            let en = language == .en
            let observed = Readable.amount(amounts.observed, measure, language)
            let bound = Readable.bound(comparator.rawValue, amounts.bound, measure, language) + (en ? boundNote.en : boundNote.zh)
            let verdict = passed ? (en ? "met" : "满足") : (en ? "not met" : "未满足")
            let how = margin == 0 || (!passed && margin > 0)
                ? (en ? "exactly at the bound" : "恰好等于界限") : Readable.margin(margin, measure, language)
            return en ? " is \(observed); required: \(bound): \(verdict) (\(how))" : "为 \(observed)，要求\(bound)：\(verdict)（\(how)）"
        }
        return (text(.zh), text(.en))
    }

    // MARK: Evidence and judgement (criteria.md, "Settled edge cases")

    /// Judgement: a statement or a document → `manual`; neither → `fail`.
    func judgement(_ item: EvidenceItem?) -> Finding {
        let item = item ?? EvidenceItem(statement: nil, documents: [])
        if item.hasStatement || item.hasDocument {
            return finding(.manual, observed: Rule.observed(item), "已提交说明或证明材料，需人工判断",
                           "a statement or document is there; a person must judge")
        }
        return finding(.fail, observed: Rule.observed(item), "既无说明也无证明材料", "neither a statement nor a document")
    }

    /// Evidence: a statement and a document → `pass`; one of them → `warn`; neither → `fail`.
    func evidence(_ item: EvidenceItem?) -> Finding {
        let item = item ?? EvidenceItem(statement: nil, documents: [])
        switch (item.hasStatement, item.hasDocument) {
        case (true, true):
            return finding(.pass, observed: Rule.observed(item), "有说明和证明材料", "a statement and documents are there")
        case (true, false):
            return finding(.warn, observed: Rule.observed(item), "有说明，缺证明材料", "a statement but no document")
        case (false, true):
            return finding(.warn, observed: Rule.observed(item), "有证明材料，缺说明", "documents but no statement")
        case (false, false):
            return finding(.fail, observed: Rule.observed(item), "既无说明也无证明材料", "neither a statement nor a document")
        }
    }

    /// Structured evidence: none of `present` → `fail`; every one of `required` with a statement and
    /// a document → `pass`; anything between → `warn`, naming what is missing.
    func structured(
        _ item: EvidenceItem?, present: [String], complete: Bool, missing: [String],
        observed: JSONValue, parameters: [String: JSONValue] = [:], _ what: (zh: String, en: String)
    ) -> Finding {
        let item = item ?? EvidenceItem(statement: nil, documents: [])
        if present.isEmpty {
            return finding(.fail, observed: observed, "没有\(what.zh)", "no \(what.en)", parameters: parameters)
        }
        var gaps = missing
        if !item.hasStatement { gaps.append("statement") }
        if !item.hasDocument { gaps.append("documents") }
        if complete && gaps.isEmpty {
            return finding(.pass, observed: observed, "\(what.zh)齐全，有说明和证明材料", "\(what.en) complete, with statement and documents",
                           parameters: parameters)
        }
        let list = Vocabulary.list(gaps, .en)
        return finding(.warn, observed: observed, "\(what.zh)不完整，缺少：\(Vocabulary.list(gaps, .zh))", "\(what.en) incomplete; missing: \(list)",
                       parameters: parameters)
    }

    static func observed(_ item: EvidenceItem) -> JSONValue {
        ["statement": .bool(item.hasStatement), "documents": .array(item.documents.map { .string($0) })]
    }
}

/// Reading the rulebook's values from a request.
extension Dictionary where Key == String, Value == JSONValue {
    /// The decimal parameter `name`, or nil when the rulebook has none.
    func decimal(_ name: String) -> Decimal? { self[name]?.decimal }
}

/// The three years of figures, checked to be three rows in year order.
func threeYears(_ figures: [YearFigures]?) throws -> (YearFigures, YearFigures, YearFigures) {
    guard let f = figures, f.count == 3, f[0].year + 1 == f[1].year, f[1].year + 1 == f[2].year else {
        throw missing("figures")
    }
    return (f[0], f[1], f[2])
}

/// A year → value object for `observed`.
func series(_ rows: (YearFigures, YearFigures, YearFigures), _ value: (YearFigures) -> Decimal) -> JSONValue {
    .object([String(rows.0.year): .number(value(rows.0)), String(rows.1.year): .number(value(rows.1)),
             String(rows.2.year): .number(value(rows.2))])
}

/// Compound annual growth over two intervals, compared without roots: `v3 cmp v1 × (1+g)²`.
/// A first year of 0 has no base to grow from: `manual` — unless the last year is 0 too: nothing at
/// the end is no growth under any rate, so `fail`, whether or not the rulebook has the rate.
///
/// The finding's threshold is `{last year: v1 × (1+g)²}`: the bound the last year is compared against.
func growthFinding(
    _ rule: Rule, rows: (YearFigures, YearFigures, YearFigures), _ value: (YearFigures) -> Decimal,
    _ rate: RuleParameter, parameters: [String: JSONValue], _ what: (zh: String, en: String)
) -> Finding {
    let parameter = rate.name
    let observed = series(rows, value)
    let v1 = value(rows.0), v3 = value(rows.2)
    if v1 == 0 && v3 == 0 {
        let used: [String: JSONValue] = parameters.decimal(parameter).map { [parameter: .number($0)] } ?? [:]
        // No comparison is shown: `0 >= 0 × (1+g)²` would read as met, yet nothing grew.
        return rule.finding(.fail, observed: observed,
                            "\(rows.0.year) 年和 \(rows.2.year) 年\(what.zh)均为 0：末年仍为零，没有增长",
                            "\(what.en) is 0 in \(rows.0.year) and in \(rows.2.year): nothing at the end, no growth",
                            parameters: used)
    }
    guard let g = parameters.decimal(parameter) else { return rule.noThreshold(parameter, observed: observed) }
    if v1 == 0 {
        return rule.finding(.manual, observed: observed, "\(rows.0.year) 年\(what.zh)为 0，无增长基数，需人工判断",
                            "\(what.en) in \(rows.0.year) is 0: no base to grow from; a person must judge",
                            parameters: [parameter: .number(g)])
    }
    let factor = (1 + g) * (1 + g)
    // Compared without roots (v3 against v1 × (1+g)²); the message names the growth rate itself.
    let growth = Readable.compoundGrowth(from: v1, to: v3) ?? 0
    return rule.compare(
        v3, rate.comparator, v1 * factor, observed: observed, threshold: [String(rows.2.year): .number(v1 * factor)],
        parameters: [parameter: .number(g), "growth_factor": .number(factor)], measure: .rate, shown: (growth, g),
        (zh: "\(what.zh) \(rows.0.year)—\(rows.2.year) 年年均增长率", en: "the compound annual growth of \(what.en) from \(rows.0.year) to \(rows.2.year)"))
}

/// The filing kinds reviewed against the eight indicators of the standard.
let reviewKinds: [FilingKind] = [.initial, .recertification]
