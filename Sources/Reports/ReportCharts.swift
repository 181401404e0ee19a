import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// A small chart of one finding whose observed values are year by year: each series against the
/// bound, drawn from the finding alone — its `observed`, `threshold` and `comparator` — so a chart
/// never restates a rule and a module added later gets charts too.
struct YearChart: Sendable {
    /// One line of the chart.
    struct Series: Sendable {
        var label: LocalizedText
        var values: [Decimal]
    }

    var criterion: String
    var title: LocalizedText
    var years: [Int]
    var series: [Series]
    /// The bound for each year, nil where the finding compared no value that year.
    var bound: [Decimal?]
    /// How a value must compare with the bound, in words.
    var rule: LocalizedText
    /// Values are fractions shown as percentages.
    var percent: Bool = false
    /// Values are amounts of money in 万元 (shown as Readable writes them: 20亿元, 2 billion CNY).
    var money: Bool = false

    /// True when some year has a bound.
    var bounded: Bool { bound.contains { $0 != nil } }
}

/// The inline SVG charts of a report: the eight-axis radar and the yearly threshold charts.
enum ReportCharts {
    // MARK: Radar

    /// An SVG radar chart with one axis per indicator of `ReportLabels.indicators` (always eight):
    /// an indicator without a score is drawn at 0 and its label marked.
    static func radar(_ indicators: [ReviewSummary.Indicator], language: Language, into html: inout Markup) {
        let axes = ReportLabels.indicators
        let centre = 240.0, middle = 180.0, radius = 125.0
        func point(_ index: Int, _ fraction: Double) -> (Double, Double) {
            let angle = -Double.pi / 2 + Double(index) * 2 * Double.pi / Double(axes.count)
            return (centre + cos(angle) * radius * fraction, middle + sin(angle) * radius * fraction)
        }
        func polygon(_ fractions: [Double]) -> String {
            fractions.enumerated().map { let p = point($0.offset, $0.element); return svgNumber(p.0) + "," + svgNumber(p.1) }
                .joined(separator: " ")
        }
        let title = language == .en ? "Indicator scores (0–100)" : "八项指标得分（0–100）"
        html.wrap("svg", ["class": "radar", "viewBox": "0 0 480 360", "width": "480", "height": "360", "role": "img",
                          "aria-label": title]) { svg in
            svg.element("title", [:], title)
            for ring in [0.2, 0.4, 0.6, 0.8, 1.0] {
                svg.empty("polygon", ["class": "ring", "points": polygon(Array(repeating: ring, count: axes.count)), "fill": "none",
                                      "stroke": Palette.grid])
            }
            for (index, id) in axes.enumerated() {
                let end = point(index, 1)
                svg.empty("line", ["class": "axis", "data-indicator": id, "x1": svgNumber(centre), "y1": svgNumber(middle),
                                   "x2": svgNumber(end.0), "y2": svgNumber(end.1), "stroke": Palette.axis])
            }
            let scores = axes.map { id in indicators.first { $0.module == id }?.score }
            let fractions = scores.map { Double(min(100, max(0, $0 ?? 0))) / 100 }
            svg.empty("polygon", ["class": "score", "points": polygon(fractions), "fill": Palette.series[0], "fill-opacity": "0.25",
                                  "stroke": Palette.series[0], "stroke-width": "2"])
            for (index, id) in axes.enumerated() {
                let p = point(index, fractions[index])
                if scores[index] != nil {
                    svg.empty("circle", ["class": "dot", "cx": svgNumber(p.0), "cy": svgNumber(p.1), "r": "3", "fill": Palette.series[0]])
                } else {
                    svg.empty("circle", ["class": "dot missing", "cx": svgNumber(p.0), "cy": svgNumber(p.1), "r": "5", "fill": "#ffffff",
                                         "stroke": Palette.fail, "stroke-width": "2"])
                }
                let label = point(index, 1.12)
                let anchor = abs(label.0 - centre) < 4 ? "middle" : label.0 < centre ? "end" : "start"
                let name = ReportLabels.axis(id).text(in: language)
                let value = scores[index].map(String.init) ?? (language == .en ? "— no score" : "—（无得分）")
                let missing = scores[index] == nil
                svg.wrap("text", ["class": missing ? "axis-label missing" : "axis-label", "x": svgNumber(label.0),
                                  "y": svgNumber(label.1 + 4), "text-anchor": anchor, "font-size": "12",
                                  "fill": missing ? Palette.fail : Palette.ink, "font-style": missing ? "italic" : "normal"]) { text in
                    text.text(name + " " + value)
                }
            }
        }
    }

    // MARK: Yearly charts

    /// A chart for every finding of `report` whose `observed` is year by year — an object of
    /// years (`"2023"`…) to numbers, or an object whose members are such objects (several series)
    /// — in module then finding order. The bound comes from the finding's `threshold`: a number
    /// applies to every year, an object of years to numbers to those years; the rule from its
    /// `comparator`; the title from the module's declaration.
    static func yearCharts(_ report: ReviewReport) -> [YearChart] {
        var charts: [YearChart] = []
        for module in report.modules {
            for finding in module.findings where finding.verdict != .error {
                guard let (years, series) = yearSeries(finding.observed) else { continue }
                var bound: [Decimal?] = Array(repeating: nil, count: years.count)
                switch finding.threshold {
                case .number(let value)?:
                    bound = Array(repeating: value, count: years.count)
                case .object(let members)?:
                    for (index, year) in years.enumerated() { bound[index] = members[String(year)]?.decimal }
                default:
                    break
                }
                let bounded = bound.contains { $0 != nil }
                let title = report.declarations.criterion(finding.criterion)?.title
                    ?? LocalizedText(zh: finding.criterion, en: finding.criterion)
                charts.append(YearChart(
                    criterion: finding.criterion, title: title, years: years, series: series, bound: bound,
                    rule: ReportLabels.chartRule(finding.comparator, bounded: bounded),
                    money: moneyCriteria.contains(finding.criterion)))
            }
        }
        return charts
    }

    /// The criteria whose yearly values are the filing's figures in 万元 (total, SME, leading-industry
    /// output; SME R&D expenditure): COMP-6..9 and INNO-1.
    static let moneyCriteria: Set<String> = ["COMP-6", "COMP-7", "COMP-8", "COMP-9", "INNO-1"]

    /// The years and series of an observed value that is year by year; nil for anything else.
    static func yearSeries(_ observed: JSONValue?) -> ([Int], [YearChart.Series])? {
        func years(_ value: JSONValue) -> [Int: Decimal]? {
            guard case .object(let members) = value, members.count >= 2, members.count <= 12 else { return nil }
            var result: [Int: Decimal] = [:]
            for (key, member) in members {
                guard key.count == 4, let year = Int(key), let number = member.decimal else { return nil }
                result[year] = number
            }
            return result
        }
        guard let observed else { return nil }
        if let single = years(observed) {
            let sorted = single.keys.sorted()
            return (sorted, [YearChart.Series(label: ReportLabels.observedSeries, values: sorted.map { single[$0]! })])
        }
        guard case .object(let members) = observed, !members.isEmpty, members.count <= 4 else { return nil }
        var all: [(String, [Int: Decimal])] = []
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            guard let values = years(member) else { return nil }
            all.append((name, values))
        }
        let sorted = all[0].1.keys.sorted()
        guard all.allSatisfy({ $0.1.keys.sorted() == sorted }) else { return nil }
        return (sorted, all.map { name, values in
            YearChart.Series(label: LocalizedText(zh: ObservedText.word(name, .zh), en: ObservedText.word(name, .en)), values: sorted.map { values[$0]! })
        })
    }

    /// Draws `chart` as a small SVG: one polyline per series, the bound dashed.
    static func draw(_ chart: YearChart, language: Language, into html: inout Markup) {
        let width = 300.0, height = 170.0, left = 60.0, right = 34.0, top = 16.0, bottom = 30.0
        let all = chart.series.flatMap(\.values) + chart.bound.compactMap { $0 }
        let numbers = all.map { NSDecimalNumber(decimal: $0).doubleValue }
        let high = niceCeiling(max(numbers.max() ?? 1, 0) * 1.08)
        let low = min(numbers.min() ?? 0, 0)
        let span = high - low == 0 ? 1 : high - low
        func x(_ index: Int) -> Double { left + Double(index) * (width - left - right) / Double(max(1, chart.years.count - 1)) }
        func y(_ value: Decimal) -> Double {
            top + (height - top - bottom) * (1 - (NSDecimalNumber(decimal: value).doubleValue - low) / span)
        }
        let label = chart.criterion + " " + chart.title.text(in: language)
        html.wrap("svg", ["class": "year-chart", "data-criterion": chart.criterion, "viewBox": "0 0 300 170", "width": "300",
                          "height": "170", "role": "img", "aria-label": label]) { svg in
            svg.element("title", [:], label)
            svg.empty("line", ["class": "frame", "x1": svgNumber(left), "y1": svgNumber(height - bottom), "x2": svgNumber(width - right),
                               "y2": svgNumber(height - bottom), "stroke": Palette.axis])
            svg.empty("line", ["class": "frame", "x1": svgNumber(left), "y1": svgNumber(top), "x2": svgNumber(left),
                               "y2": svgNumber(height - bottom), "stroke": Palette.axis])
            for (index, year) in chart.years.enumerated() {
                svg.element("text", ["class": "tick", "x": svgNumber(x(index)), "y": svgNumber(height - 10), "text-anchor": "middle",
                                     "font-size": "10", "fill": Palette.muted],
                            String(year))
            }
            svg.element("text", ["class": "tick", "x": svgNumber(left - 4), "y": svgNumber(y(Decimal(high)) + 4), "text-anchor": "end",
                                 "font-size": "10", "fill": Palette.muted],
                        format(Decimal(high), chart, language))
            svg.element("text", ["class": "tick", "x": svgNumber(left - 4), "y": svgNumber(y(Decimal(low)) + 4), "text-anchor": "end",
                                 "font-size": "10", "fill": Palette.muted],
                        format(Decimal(low), chart, language))
            if chart.bounded, chart.bound.count == chart.years.count {
                // Consecutive years with a bound are joined; a year alone gets a short dash.
                var run: [Int] = []
                func flush() {
                    if run.count >= 2 {
                        let points = run.map { svgNumber(x($0)) + "," + svgNumber(y(chart.bound[$0]!)) }.joined(separator: " ")
                        svg.empty("polyline", ["class": "bound", "points": points, "fill": "none", "stroke": Palette.fail,
                                               "stroke-dasharray": "5 3", "stroke-width": "1.5"])
                    } else if let only = run.first {
                        svg.empty("line", ["class": "bound", "x1": svgNumber(x(only) - 14), "y1": svgNumber(y(chart.bound[only]!)),
                                           "x2": svgNumber(x(only) + 14), "y2": svgNumber(y(chart.bound[only]!)), "stroke": Palette.fail,
                                           "stroke-dasharray": "5 3", "stroke-width": "1.5"])
                    }
                    run = []
                }
                for index in chart.years.indices {
                    if chart.bound[index] != nil { run.append(index) } else { flush() }
                }
                flush()
                if let last = chart.bound.lastIndex(where: { $0 != nil }), let value = chart.bound[last] {
                    svg.element("text", ["class": "bound-label", "x": svgNumber(width - right), "y": svgNumber(y(value) + 13),
                                         "text-anchor": "end", "font-size": "10", "fill": Palette.fail],
                                (language == .en ? "bound " : "标准 ") + format(value, chart, language))
                }
            }
            for (number, series) in chart.series.enumerated() {
                let points = series.values.enumerated().map { svgNumber(x($0.offset)) + "," + svgNumber(y($0.element)) }
                    .joined(separator: " ")
                let colour = Palette.series[number % Palette.series.count]
                svg.empty("polyline", ["class": "series s\(number)", "points": points, "fill": "none", "stroke": colour,
                                       "stroke-width": "2"])
                for (index, value) in series.values.enumerated() {
                    svg.empty("circle", ["class": "point s\(number)", "cx": svgNumber(x(index)), "cy": svgNumber(y(value)), "r": "3",
                                         "fill": colour])
                    svg.element("text", ["class": "value", "x": svgNumber(x(index)), "y": svgNumber(y(value) - 6 - Double(number) * 10),
                                         "text-anchor": "middle", "font-size": "10", "fill": colour],
                                format(value, chart, language))
                }
            }
        }
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value`, for the top of an axis.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * power >= value * 0.999_999 { return step * power }
        return 10 * power
    }

    /// A value for a chart label: percentages with one decimal, other numbers to two decimals.
    static func format(_ value: Decimal, _ chart: YearChart, _ language: Language) -> String {
        if chart.money { return Readable.amount(value, .moneyWan, language) }
        if chart.percent { return ReportFormat.decimal(value * 100, places: 1) + "%" }
        return ReportFormat.decimal(value, places: 2)
    }
}

/// The colours of the charts, as SVG presentation attributes: a page draws the same in a browser,
/// a print preview or a viewer that ignores the stylesheet.
enum Palette {
    static let ink = "#1d1d1f"
    static let muted = "#555555"
    static let grid = "#d0d0d0"
    static let axis = "#999999"
    static let fail = "#b3261e"
    /// One colour per series, in order (blue, orange).
    static let series = ["#2458a6", "#c26a00"]
}

/// Number formatting for people: exact decimals, rounded only for display.
enum ReportFormat {
    /// `value` rounded half-up to at most `places` decimals, trailing zeros dropped, no grouping.
    static func decimal(_ value: Decimal, places: Int) -> String {
        var input = value, rounded = Decimal()
        NSDecimalRound(&rounded, &input, places, .plain)
        return "\(rounded)"
    }
}
