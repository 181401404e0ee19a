import Foundation
import IndicatorKit

/// What a number measures, as a reader of the measures thinks of it: money in 万元 (shown in 亿元
/// at 亿 scale), a share or a growth rate (a fraction, shown as a percentage), an area in km², a
/// count of enterprises or platforms, patents per 10,000 employees, or a plain number.
public enum Measure: String, Sendable, Hashable, CaseIterable {
    case moneyWan, share, rate, areaKm2, enterprises, platforms, patentsPer10k, plain

    /// The measure of a rulebook parameter's unit as config/parameters.json writes it
    /// (`万元`, `share (0–1)`, `rate (0–1)`, `km²`, `enterprises`, `platforms`,
    /// `patents per 10,000 employees`); any other unit is `plain`.
    public init(unit: String) {
        switch unit {
        case "万元": self = .moneyWan
        case "share (0–1)": self = .share
        case "rate (0–1)": self = .rate
        case "km²": self = .areaKm2
        case "enterprises": self = .enterprises
        case "platforms": self = .platforms
        case "patents per 10,000 employees": self = .patentsPer10k
        default: self = .plain
        }
    }

    /// Whether values are fractions shown as percentages (and differences as percentage points).
    public var isFraction: Bool { self == .share || self == .rate }
}

/// The one formatting of amounts, shares, areas, counts and dates for people: the terminal, the
/// HTML and the JSON's human-readable fields use it, so 200000 万元 reads 20亿元 everywhere.
///
/// Exact decimal arithmetic throughout (`Decimal`, never binary floating point): a value is only
/// rounded, half away from zero, at the last step, to the places shown. Thousands are grouped with
/// commas in both languages. Comparators are given in words: 不低于/at least (`>=`), 高于/more than
/// (`>`), 不超过/at most (`<=`), 低于/less than (`<`).
public enum Readable {
    /// `value` rounded to at most `places` decimals, trailing zeros dropped, thousands grouped:
    /// `1234567.50` → `1,234,567.5`.
    public static func number(_ value: Decimal, places: Int = 2) -> String {
        var input = value, rounded = Decimal()
        NSDecimalRound(&rounded, &input, places, .plain)
        let negative = rounded < 0
        let text = (negative ? -rounded : rounded).description
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = String(parts[0])
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (negative ? "-" : "") + grouped + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// An amount of `measure` in `language`: 200000 万元 → `20亿元` / `2 billion CNY`; 3500 万元 →
    /// `3,500万元` / `35 million CNY`; 0.6 share → `60%`; 100 km² → `100 平方公里` / `100 km²`.
    public static func amount(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        let en = language == .en
        let magnitude = value < 0 ? -value : value
        switch measure {
        case .moneyWan:
            if en {
                if magnitude >= 100_000 { return "\(number(value / 100_000, places: 4)) billion CNY" }
                if magnitude >= 100 { return "\(number(value / 100, places: 4)) million CNY" }
                return "\(number(value * 10_000, places: 0)) CNY"
            }
            if magnitude >= 10_000 { return "\(number(value / 10_000, places: 4))亿元" }
            return "\(number(value, places: 2))万元"
        case .share, .rate:
            return "\(number(value * 100, places: 2))%"
        case .areaKm2:
            return en ? "\(number(value)) km²" : "\(number(value)) 平方公里"
        case .enterprises:
            return en ? "\(number(value)) enterpris\(value == 1 ? "e" : "es")" : "\(number(value)) 家"
        case .platforms:
            return en ? "\(number(value)) platform\(value == 1 ? "" : "s")" : "\(number(value)) 个"
        case .patentsPer10k:
            return en ? "\(number(value)) per 10,000 employees" : "每万名从业人员 \(number(value)) 件"
        case .plain:
            return number(value, places: 4)
        }
    }

    /// A difference between two amounts of `measure`: fractions in percentage points
    /// (`12.5 个百分点` / `12.5 percentage points`), anything else as an amount.
    public static func difference(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        if measure.isFraction {
            let points = number(value * 100, places: 2)
            return language == .en ? "\(points) percentage point\(points == "1" ? "" : "s")" : "\(points) 个百分点"
        }
        return amount(value, measure, language)
    }

    /// The comparator in words: 不低于/at least, 高于/more than, 不超过/at most, 低于/less than;
    /// an unknown comparator is kept as written.
    public static func comparator(_ comparator: String, _ language: Language) -> String {
        let en = language == .en
        switch comparator {
        case ">=": return en ? "at least" : "不低于"
        case ">": return en ? "more than" : "高于"
        case "<=": return en ? "at most" : "不超过"
        case "<": return en ? "less than" : "低于"
        case "==", "=": return en ? "equal to" : "等于"
        default: return comparator
        }
    }

    /// A bound with its comparator in words: `不低于 20亿元`, `more than 60%`, `不超过 100 平方公里`.
    public static func bound(_ comparator: String, _ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        "\(self.comparator(comparator, language)) \(amount(value, measure, language))"
    }

    /// A margin: how far the observed value is on the good side of its bound (`余量 10亿元` /
    /// `10 billion CNY to spare`) or short of it (`差 5 个百分点` / `short by 5 percentage points`).
    public static func margin(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        let size = difference(value < 0 ? -value : value, measure, language)
        if language == .en { return value < 0 ? "short by \(size)" : "\(size) to spare" }
        return value < 0 ? "差 \(size)" : "余量 \(size)"
    }

    /// A date as people write it: `2026年3月15日` / `15 March 2026`.
    public static func date(_ date: CivilDate, _ language: Language) -> String {
        guard language == .en else { return "\(date.year)年\(date.month)月\(date.day)日" }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                      "November", "December"]
        return "\(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// The compound annual growth over two intervals, `(v3/v1)^(1/2) − 1`, to `places` decimals,
    /// by exact decimal bisection (no floating point); nil when `v1` is not positive or `v3` negative.
    public static func compoundGrowth(from v1: Decimal, to v3: Decimal, places: Int = 6) -> Decimal? {
        guard v1 > 0, v3 >= 0 else { return nil }
        let ratio = v3 / v1
        // Find r with r² = ratio: bisection on [0, max(1, ratio)] to 10^-(places+2).
        var low = Decimal(0), high = max(Decimal(1), ratio)
        var step = Decimal(1)
        for _ in 0..<(places + 2) { step /= 10 }
        while high - low > step {
            let middle = (low + high) / 2
            if middle * middle > ratio { high = middle } else { low = middle }
        }
        var growth = low - 1, rounded = Decimal()
        NSDecimalRound(&rounded, &growth, places, .plain)
        return rounded
    }
}
