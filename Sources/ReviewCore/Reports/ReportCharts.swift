import Foundation
import IndicatorKit

/// A small chart of one threshold criterion: the three years' values against the bound.
struct YearChart: Sendable {
    /// One line of the chart.
    struct Series: Sendable {
        var label: LocalizedText
        var values: [Decimal]
    }

    var criterion: String
    var title: LocalizedText
    var unit: LocalizedText
    var years: [Int]
    var series: [Series]
    /// The bound for each year (a flat line, or a growth path), nil when the rule has no numeric bound.
    var bound: [Decimal]?
    /// How a value must compare with the bound (`>=`, `>`), or a trend rule in words.
    var rule: LocalizedText
    /// Values are fractions shown as percentages.
    var percent: Bool = false
}

/// The inline SVG charts of a report: the eight-axis radar and the yearly threshold charts.
enum ReportCharts {
    // MARK: Radar

    /// An SVG radar chart with one axis per indicator of `ReportLabels.indicators` (always eight):
    /// an indicator without a score is drawn at 0 and its label marked.
    static func radar(_ indicators: [ReviewSummary.Indicator], language: String, into html: inout Markup) {
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
        let title = language == "en" ? "Indicator scores (0–100)" : "八项指标得分（0–100）"
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
                let value = scores[index].map(String.init) ?? (language == "en" ? "— no score" : "—（无得分）")
                let missing = scores[index] == nil
                svg.wrap("text", ["class": missing ? "axis-label missing" : "axis-label", "x": svgNumber(label.0),
                                  "y": svgNumber(label.1 + 4), "text-anchor": anchor, "font-size": "12",
                                  "fill": missing ? Palette.fail : Palette.ink, "font-style": missing ? "italic" : "normal"]) { text in
                    text.text(name + " " + value)
                }
            }
        }
    }

    // MARK: Yearly threshold charts

    /// The charts the figures and findings of `report` support, in criterion order.
    static func yearCharts(_ report: ReviewReport) -> [YearChart] {
        let rows = report.figures.sorted { $0.year < $1.year }
        guard rows.count == 3 else { return [] }
        var findings: [String: Finding] = [:]
        for module in report.modules { for finding in module.findings { findings[finding.criterion] = finding } }
        let years = rows.map(\.year)
        var charts: [YearChart] = []
        let wan = LocalizedText(zh: "万元", en: "10⁴ CNY")
        let none = LocalizedText(zh: "", en: "")

        func parameter(_ criterion: String, _ name: String) -> Decimal? { findings[criterion]?.parameters[name]?.decimal }
        func flat(_ criterion: String, _ name: String) -> [Decimal]? { parameter(criterion, name).map { Array(repeating: $0, count: 3) } }
        func growth(_ criterion: String, _ name: String, _ first: Decimal) -> [Decimal]? {
            guard let g = parameter(criterion, name) else { return nil }
            return [first, first * (1 + g), first * (1 + g) * (1 + g)]
        }
        func share(_ part: (YearFigures) -> Decimal) -> [Decimal] {
            rows.map { $0.totalOutputWan == 0 ? 0 : part($0) / $0.totalOutputWan }
        }
        func add(_ id: String, _ unit: LocalizedText, _ series: [YearChart.Series], bound: [Decimal]?, rule: LocalizedText,
                 percent: Bool = false) {
            guard findings[id] != nil else { return }
            let title = CriteriaCatalog.criterion(id)?.title ?? LocalizedText(zh: id, en: id)
            charts.append(YearChart(criterion: id, title: title, unit: unit, years: years, series: series, bound: bound,
                                    rule: rule, percent: percent))
        }
        func line(_ zh: String, _ en: String, _ values: [Decimal]) -> YearChart.Series {
            YearChart.Series(label: LocalizedText(zh: zh, en: en), values: values)
        }

        add("COMP-6", wan, [line("总产值", "total output", rows.map(\.totalOutputWan))], bound: flat("COMP-6", "min_annual_output_wan"),
            rule: LocalizedText(zh: "每年 ≥ 标准", en: "each year ≥ the bound"))
        add("COMP-7", none, [line("中小企业产值占比", "SME share of output", share(\.smeOutputWan))],
            bound: flat("COMP-7", "min_sme_output_share"), rule: LocalizedText(zh: "≥ 标准", en: "≥ the bound"), percent: true)
        add("COMP-8", none, [line("主导产业产值占比", "leading-industry share", share(\.leadingIndustryOutputWan))],
            bound: flat("COMP-8", "min_leading_industry_share"), rule: LocalizedText(zh: "> 标准", en: "> the bound"), percent: true)
        add("COMP-9", wan, [line("总产值", "total output", rows.map(\.totalOutputWan))],
            bound: growth("COMP-9", "min_output_growth", rows[0].totalOutputWan),
            rule: LocalizedText(zh: "末年 > 按最低年均增速增长的路径", en: "last year > the minimum-growth path"))
        add("INNO-1", wan, [line("中小企业研发经费", "SME R&D expenditure", rows.map(\.smeRdExpenditureWan))],
            bound: growth("INNO-1", "min_sme_rd_growth", rows[0].smeRdExpenditureWan),
            rule: LocalizedText(zh: "末年 > 按最低年均增速增长的路径", en: "last year > the minimum-growth path"))
        add("INNO-6", LocalizedText(zh: "件", en: "patents"),
            [line("有效发明专利", "valid invention patents", rows.map { Decimal($0.validInventionPatents) })],
            bound: growth("INNO-6", "min_patent_growth", Decimal(rows[0].validInventionPatents)),
            rule: LocalizedText(zh: "末年 ≥ 按最低年均增速增长的路径", en: "last year ≥ the minimum-growth path"))
        add("INNO-7", LocalizedText(zh: "件/万人", en: "per 10,000 employees"),
            [line("每万人有效发明专利", "patents per 10,000 employees",
                  rows.map { $0.employees == 0 ? 0 : Decimal($0.validInventionPatents) * 10000 / Decimal($0.employees) })],
            bound: flat("INNO-7", "min_patents_per_10k"), rule: LocalizedText(zh: "末年 ≥ 标准", en: "latest year ≥ the bound"))
        add("DIGI-4", none, [line("工业互联网平台应用普及率", "industrial-internet adoption", rows.map(\.industrialInternetRate)),
                             line("工业软件应用率", "industrial-software use", rows.map(\.industrialSoftwareRate))],
            bound: nil, rule: LocalizedText(zh: "逐年不降，末年高于首年", en: "never falls; ends above the start"), percent: true)
        add("GREE-2", LocalizedText(zh: "吨/万元", en: "t per 10⁴ CNY"), [line("二氧化碳排放强度", "CO2 intensity", rows.map(\.co2Intensity))],
            bound: nil, rule: LocalizedText(zh: "逐年严格下降", en: "strictly lower every year"))
        return charts
    }

    /// Draws `chart` as a small SVG: one polyline per series, the bound dashed.
    static func draw(_ chart: YearChart, language: String, into html: inout Markup) {
        let width = 300.0, height = 170.0, left = 60.0, right = 34.0, top = 16.0, bottom = 30.0
        let all = chart.series.flatMap(\.values) + (chart.bound ?? [])
        let numbers = all.map { NSDecimalNumber(decimal: $0).doubleValue }
        let high = niceCeiling(max(numbers.max() ?? 1, 0) * 1.08)
        let low = min(numbers.min() ?? 0, 0)
        let span = high - low == 0 ? 1 : high - low
        func x(_ index: Int) -> Double { left + Double(index) * (width - left - right) / 2 }
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
                        format(Decimal(high), percent: chart.percent))
            svg.element("text", ["class": "tick", "x": svgNumber(left - 4), "y": svgNumber(y(Decimal(low)) + 4), "text-anchor": "end",
                                 "font-size": "10", "fill": Palette.muted],
                        format(Decimal(low), percent: chart.percent))
            if let bound = chart.bound, bound.count == chart.years.count {
                let points = bound.enumerated().map { svgNumber(x($0.offset)) + "," + svgNumber(y($0.element)) }.joined(separator: " ")
                svg.empty("polyline", ["class": "bound", "points": points, "fill": "none", "stroke": Palette.fail,
                                       "stroke-dasharray": "5 3", "stroke-width": "1.5"])
                svg.element("text", ["class": "bound-label", "x": svgNumber(width - right), "y": svgNumber(y(bound[2]) + 13),
                                     "text-anchor": "end", "font-size": "10", "fill": Palette.fail],
                            (language == "en" ? "bound " : "标准 ") + format(bound[2], percent: chart.percent))
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
                                format(value, percent: chart.percent))
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
    static func format(_ value: Decimal, percent: Bool) -> String {
        if percent { return ReportFormat.decimal(value * 100, places: 1) + "%" }
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
