import Foundation
import IndicatorKit
import ClusterStandard

/// The words of the statistics, in Chinese and English (one language per page).
public enum StatisticsLabels {
    public static let title = LocalizedText(zh: "中小企业特色产业集群统计", en: "SME characteristic industrial clusters: statistics")
    public static let scope = LocalizedText(zh: "统计范围", en: "Scope")
    public static let all = LocalizedText(zh: "全部", en: "all")
    public static let year = LocalizedText(zh: "年度", en: "Year")
    public static let county = LocalizedText(zh: "县区", en: "County")
    public static let industry = LocalizedText(zh: "主导产业", en: "Leading industry")
    public static let filings = LocalizedText(zh: "申报数", en: "Filings")
    public static let clusters = LocalizedText(zh: "集群数", en: "Clusters")
    public static let output = LocalizedText(zh: "总产值（最近年度）", en: "Output (latest year)")
    public static let employees = LocalizedText(zh: "从业人员", en: "Employees")
    public static let byCounty = LocalizedText(zh: "按县区：申报与结果", en: "By county: filings and outcomes")
    public static let byIndustry = LocalizedText(zh: "按主导产业", en: "By leading industry")
    public static let register = LocalizedText(zh: "认定名单（按县区）", en: "The register, by county")
    public static let criteria = LocalizedText(zh: "各项标准的未达标率", en: "Fail rate per criterion")
    public static let margins = LocalizedText(zh: "距阈值的相对差距分布", en: "How close filings come to each bound")
    public static let marginsNote = LocalizedText(
        zh: "相对差距 =（观测值 − 阈值）÷ 阈值；负值为未达标。每个阈值类标准一幅直方图，计各申报最近一次认定审核的结论。",
        en: "Relative margin = (observed − bound) ÷ bound; negative is short of the bound. One histogram per threshold criterion, over each filing's latest decision review.")
    public static let trends = LocalizedText(zh: "年度趋势", en: "Trends by year")
    public static let watchlist = LocalizedText(zh: "预警名单（年报监测未达标或预警）", en: "Watchlist (annual-report monitoring failed or warned)")
    public static let noWatch = LocalizedText(zh: "无", en: "none")
    public static let criterion = LocalizedText(zh: "标准", en: "Criterion")
    public static let counted = LocalizedText(zh: "结论数", en: "Findings")
    public static let failed = LocalizedText(zh: "未达标", en: "Failed")
    public static let failRate = LocalizedText(zh: "未达标率", en: "Fail rate")
    public static let warned = LocalizedText(zh: "预警", en: "Warned")
    public static let manual = LocalizedText(zh: "待人工", en: "Manual")
    public static let recommended = LocalizedText(zh: "建议认定", en: "Recommended")
    public static let recognizedClusters = LocalizedText(zh: "当年认定集群", en: "Clusters recognized")
    public static let certificate = LocalizedText(zh: "证书编号", en: "Certificate")
    public static let cluster = LocalizedText(zh: "集群", en: "Cluster")
    public static let statusActive = LocalizedText(zh: "有效", en: "active")
    public static let statusExpired = LocalizedText(zh: "已到期", en: "expired")
    public static let statusRevoked = LocalizedText(zh: "已撤销", en: "revoked")
    public static let total = LocalizedText(zh: "合计", en: "Total")

    /// An outcome group's name (`ProvinceStatistics.outcomes`).
    public static func outcome(_ outcome: String) -> LocalizedText {
        switch outcome {
        case "pending": LocalizedText(zh: "待审核", en: "pending")
        case "reviewed": LocalizedText(zh: "待决定", en: "awaiting decision")
        case "in_publicity": LocalizedText(zh: "公示中", en: "in public notice")
        case "recognized": LocalizedText(zh: "已认定", en: "recognized")
        case "refused": LocalizedText(zh: "不予认定", en: "refused")
        case "returned": LocalizedText(zh: "退回", en: "returned")
        case "review_failed": LocalizedText(zh: "审核失败", en: "review failed")
        case "recorded": LocalizedText(zh: "已记录（报告）", en: "recorded (reports)")
        default: LocalizedText(zh: outcome, en: outcome)
        }
    }

    /// A county's name with its code: `文昌市（469005）` / `文昌市 (469005)`.
    public static func county(_ code: String, _ language: Language) -> String {
        guard let county = HainanCounty.named(code) else { return code }
        return language == .en ? "\(county.name) (\(code))" : "\(county.name)（\(code)）"
    }

    /// A share as a percentage, exact to one decimal: `12.5%`.
    public static func percent(_ share: Decimal) -> String { Readable.number(share * 100, places: 1) + "%" }
}

/// The statistics as one self-contained HTML page (no network, inline SVG charts, prints on A4),
/// in one language, Chinese first.
public enum StatisticsPage {
    /// The page for `statistics`, stamped with `generatedAt`.
    public static func render(_ statistics: ProvinceStatistics, language: Language = .zh, generatedAt: Date = Date()) -> String {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        typealias L = StatisticsLabels
        var html = Markup.stampedDocument(title: t(L.title), stylesheet: stylesheet, language: lang, generatedAt: generatedAt)
        let filter = statistics.filter
        let scope = [
            "\(t(L.year)): \(filter.year.map(String.init) ?? t(L.all))",
            "\(t(L.county)): \(filter.county.map { L.county($0, lang) } ?? t(L.all))",
            "\(t(L.industry)): \(filter.industry ?? t(L.all))",
        ]
        html.element("p", ["class": "scope", "id": "scope"], "\(t(L.scope)) — " + scope.joined(separator: " · "))
        let registerRows = statistics.registerByCounty
        let output = registerRows.reduce(Decimal(0)) { $0 + ($1.outputWan ?? 0) }
        html.wrap("ul", ["class": "totals", "id": "totals"]) { ul in
            ul.element("li", ["data-total": "filings"], "\(t(L.filings)) \(statistics.totalFilings)")
            ul.element("li", ["data-total": "clusters"], "\(t(L.clusters)) \(statistics.totalClusters)")
            ul.element("li", ["data-total": "output"], "\(t(L.output)) \(Readable.amount(output, .moneyWan, lang))")
        }

        // By county × outcome, with a bar chart.
        html.element("h2", [:], t(L.byCounty))
        let counties = statistics.byCounty
        bars(counties.map { (L.county($0.key, lang), $0.filings, $0.outcomes["recognized"] ?? 0) }, title: t(L.byCounty),
             legend: (t(L.filings), t(L.outcome("recognized"))), into: &html)
        breakdownTable(counties, id: "by-county", keyLabel: t(L.county), key: { L.county($0, lang) }, lang, &html)

        html.element("h2", [:], t(L.byIndustry))
        breakdownTable(statistics.byIndustry, id: "by-industry", keyLabel: t(L.industry), key: { $0 }, lang, &html)

        // The register.
        html.element("h2", [:], t(L.register))
        html.wrap("table", ["id": "register"]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in
                    for label in [L.county, L.clusters, L.statusActive, L.statusExpired, L.statusRevoked, L.output, L.employees] {
                        tr.element("th", [:], t(label))
                    }
                }
            }
            table.wrap("tbody") { body in
                for row in registerRows {
                    body.wrap("tr", ["data-county": row.countyCode]) { tr in
                        tr.element("td", [:], L.county(row.countyCode, lang))
                        tr.element("td", ["class": "n", "data-clusters": String(row.clusters)], String(row.clusters))
                        for status in ["active", "expired", "revoked"] { tr.element("td", ["class": "n"], String(row.statuses[status] ?? 0)) }
                        tr.element("td", ["class": "n"], row.outputWan.map { Readable.amount($0, .moneyWan, lang) } ?? "—")
                        tr.element("td", ["class": "n"], row.employees.map { Readable.number($0, places: 0) } ?? "—")
                    }
                }
            }
        }

        // Per criterion.
        html.element("h2", [:], t(L.criteria))
        html.wrap("table", ["id": "criteria"]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in
                    for label in [L.criterion, L.counted, L.failed, L.failRate, L.warned, L.manual] { tr.element("th", [:], t(label)) }
                }
            }
            table.wrap("tbody") { body in
                for criterion in statistics.criteria {
                    body.wrap("tr", ["data-criterion": criterion.criterion]) { tr in
                        tr.element("td", [:], criterion.criterion)
                        tr.element("td", ["class": "n"], String(criterion.total))
                        tr.element("td", ["class": "n", "data-failed": String(criterion.failed)], String(criterion.failed))
                        tr.element("td", ["class": "n"], L.percent(criterion.failRate))
                        tr.element("td", ["class": "n"], String(criterion.verdicts["warn"] ?? 0))
                        tr.element("td", ["class": "n"], String(criterion.verdicts["manual"] ?? 0))
                    }
                }
            }
        }

        // Margin histograms.
        html.element("h2", [:], t(L.margins))
        html.element("p", ["class": "note"], t(L.marginsNote))
        html.wrap("div", ["class": "histograms"]) { div in
            for criterion in statistics.marginCriteria {
                histogram(criterion, statistics.histogram(criterion), into: &div)
            }
        }

        // Trends.
        html.element("h2", [:], t(L.trends))
        let recognizedByYear = Dictionary(uniqueKeysWithValues: statistics.recognizedByYear.map { ($0.year, $0.clusters) })
        let years = statistics.byYear
        let yearKeys = Set(years.compactMap { Int($0.key) }).union(recognizedByYear.keys).sorted()
        html.wrap("table", ["id": "trends"]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in
                    for label in [L.year, L.filings, L.recommended, L.outcome("recognized"), L.outcome("refused"), L.recognizedClusters] {
                        tr.element("th", [:], t(label))
                    }
                }
            }
            table.wrap("tbody") { body in
                for year in yearKeys {
                    let row = years.first { $0.key == String(year) }
                    body.wrap("tr", ["data-year": String(year)]) { tr in
                        tr.element("td", [:], String(year))
                        tr.element("td", ["class": "n"], String(row?.filings ?? 0))
                        tr.element("td", ["class": "n"], String(row?.recommendations["recommended"] ?? 0))
                        tr.element("td", ["class": "n"], String(row?.outcomes["recognized"] ?? 0))
                        tr.element("td", ["class": "n"], String(row?.outcomes["refused"] ?? 0))
                        tr.element("td", ["class": "n"], String(recognizedByYear[year] ?? 0))
                    }
                }
            }
        }

        // Watchlist.
        html.element("h2", [:], t(L.watchlist))
        if statistics.watchlist.isEmpty {
            html.element("p", ["id": "watchlist"], t(L.noWatch))
        } else {
            html.wrap("table", ["id": "watchlist"]) { table in
                table.wrap("thead") { head in
                    head.wrap("tr") { tr in
                        for label in [L.certificate, L.cluster, L.county, L.year, L.failed, L.warned] { tr.element("th", [:], t(label)) }
                    }
                }
                table.wrap("tbody") { body in
                    for watched in statistics.watchlist {
                        body.wrap("tr", ["data-cluster": String(watched.clusterId)]) { tr in
                            tr.element("td", [:], watched.certificateNo)
                            tr.element("td", [:], watched.name)
                            tr.element("td", [:], L.county(watched.countyCode, lang))
                            tr.element("td", [:], String(watched.year))
                            tr.element("td", [:], watched.failed.joined(separator: ", "))
                            tr.element("td", [:], watched.warned.joined(separator: ", "))
                        }
                    }
                }
            }
        }
        html.close("body")
        html.close("html")
        html.raw("\n")
        return html.output
    }

    private static func breakdownTable(
        _ rows: [ProvinceStatistics.Breakdown], id: String, keyLabel: String, key: (String) -> String, _ lang: Language,
        _ html: inout Markup
    ) {
        let outcomes = ProvinceStatistics.outcomes.filter { outcome in rows.contains { ($0.outcomes[outcome] ?? 0) > 0 } }
        html.wrap("table", ["id": id]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in
                    tr.element("th", [:], keyLabel)
                    tr.element("th", [:], StatisticsLabels.filings.text(in: lang))
                    for outcome in outcomes { tr.element("th", [:], StatisticsLabels.outcome(outcome).text(in: lang)) }
                    for recommendation in ReviewSummary.Recommendation.allCases.reversed() {
                        tr.element("th", ["class": "rec"], ReportLabels.recommendation(recommendation).text(in: lang))
                    }
                }
            }
            table.wrap("tbody") { body in
                for row in rows {
                    body.wrap("tr", ["data-key": row.key]) { tr in
                        tr.element("td", [:], key(row.key))
                        tr.element("td", ["class": "n", "data-filings": String(row.filings)], String(row.filings))
                        for outcome in outcomes {
                            tr.element("td", ["class": "n", "data-outcome": outcome], String(row.outcomes[outcome] ?? 0))
                        }
                        for recommendation in ReviewSummary.Recommendation.allCases.reversed() {
                            tr.element("td", ["class": "n", "data-recommendation": recommendation.rawValue],
                                       String(row.recommendations[recommendation.rawValue] ?? 0))
                        }
                    }
                }
            }
        }
    }

    /// Horizontal bars, one pair per row: the first value and, inside it, the second.
    private static func bars(_ rows: [(label: String, value: Int, inner: Int)], title: String, legend: (String, String), into html: inout Markup) {
        guard !rows.isEmpty else { return }
        let rowHeight = 18.0, labelWidth = 170.0, width = 640.0
        let height = Double(rows.count) * rowHeight + 30
        let maximum = Double(max(1, rows.map(\.value).max() ?? 1))
        html.wrap("svg", ["class": "bars", "viewBox": "0 0 \(svgNumber(width)) \(svgNumber(height))", "width": svgNumber(width),
                          "height": svgNumber(height), "role": "img", "aria-label": title]) { svg in
            svg.element("title", [:], title)
            for (index, row) in rows.enumerated() {
                let y = Double(index) * rowHeight + 4
                let full = (width - labelWidth - 50) * Double(row.value) / maximum
                let inner = (width - labelWidth - 50) * Double(row.inner) / maximum
                svg.element("text", ["x": svgNumber(labelWidth - 6), "y": svgNumber(y + 12), "text-anchor": "end", "font-size": "11"], row.label)
                svg.empty("rect", ["x": svgNumber(labelWidth), "y": svgNumber(y), "width": svgNumber(full), "height": "14", "fill": "#9fb8d6"])
                svg.empty("rect", ["x": svgNumber(labelWidth), "y": svgNumber(y + 3), "width": svgNumber(inner), "height": "8", "fill": "#2f5d8a"])
                svg.element("text", ["x": svgNumber(labelWidth + full + 4), "y": svgNumber(y + 12), "font-size": "11"], "\(row.value) / \(row.inner)")
            }
            let y = Double(rows.count) * rowHeight + 20
            svg.empty("rect", ["x": svgNumber(labelWidth), "y": svgNumber(y - 9), "width": "10", "height": "10", "fill": "#9fb8d6"])
            svg.element("text", ["x": svgNumber(labelWidth + 14), "y": svgNumber(y), "font-size": "11"], legend.0)
            svg.empty("rect", ["x": svgNumber(labelWidth + 120), "y": svgNumber(y - 9), "width": "10", "height": "10", "fill": "#2f5d8a"])
            svg.element("text", ["x": svgNumber(labelWidth + 134), "y": svgNumber(y), "font-size": "11"], legend.1)
        }
    }

    /// One criterion's margin histogram: a column per band, short bands in red, the bound marked.
    private static func histogram(_ criterion: String, _ bands: [Int], into html: inout Markup) {
        let width = 300.0, height = 150.0, base = 120.0, columnWidth = 26.0, left = 10.0
        let maximum = Double(max(1, bands.max() ?? 1))
        let zeroBand = MarginBands.band(of: 0)
        html.wrap("figure", ["class": "histogram", "data-criterion": criterion]) { figure in
            figure.wrap("svg", ["viewBox": "0 0 \(svgNumber(width)) \(svgNumber(height))", "width": svgNumber(width), "height": svgNumber(height),
                                "role": "img", "aria-label": criterion]) { svg in
                svg.element("title", [:], criterion)
                for (band, count) in bands.enumerated() {
                    let x = left + Double(band) * (columnWidth + 2)
                    let h = (base - 20) * Double(count) / maximum
                    svg.empty("rect", ["x": svgNumber(x), "y": svgNumber(base - h), "width": svgNumber(columnWidth), "height": svgNumber(h),
                                       "fill": band < zeroBand ? "#c0504d" : "#4f81bd", "data-band": String(band), "data-count": String(count)])
                    svg.element("text", ["x": svgNumber(x + columnWidth / 2), "y": svgNumber(base - h - 3), "text-anchor": "middle", "font-size": "9"],
                                String(count))
                }
                let boundX = left + Double(zeroBand) * (columnWidth + 2) - 1
                svg.empty("line", ["x1": svgNumber(boundX), "y1": "10", "x2": svgNumber(boundX), "y2": svgNumber(base), "stroke": "#000",
                                   "stroke-dasharray": "3,2"])
                svg.element("text", ["x": svgNumber(left), "y": svgNumber(base + 14), "font-size": "9"], MarginBands.label(0))
                svg.element("text", ["x": svgNumber(boundX), "y": svgNumber(base + 14), "font-size": "9", "text-anchor": "middle"], "0")
                svg.element("text", ["x": svgNumber(width - 4), "y": svgNumber(base + 14), "font-size": "9", "text-anchor": "end"],
                            MarginBands.label(MarginBands.count - 1))
            }
            figure.element("figcaption", [:], criterion)
        }
    }

    static let stylesheet = """
        body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",sans-serif;margin:2em;color:#222;max-width:60em}
        h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}
        td.n{text-align:right}ul.totals{list-style:none;padding:0;display:flex;gap:2em;font-size:1.1em}
        .histograms{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{text-align:center;font-size:.85em}
        .stamp,.scope,.note{color:#555;font-size:.9em}
        @media print{body{margin:0;max-width:none}h2{break-after:avoid}table,figure{break-inside:avoid}@page{size:A4;margin:15mm}}
        """
}

/// The statistics as CSV (RFC 4180), one fact per line, so a spreadsheet can pivot any way:
/// `section,county,industry,year,key,value`. Sections: `filings` (key = status/recommendation),
/// `criterion` (key = verdict), `margin` (key = band label), `register` (key = status; value =
/// clusters; `register_output_wan` and `register_employees` the sums), `watchlist` (key = criterion).
public enum StatisticsCSV {
    public static func render(_ statistics: ProvinceStatistics) -> String {
        var lines = ["section,county,industry,year,key,value"]
        func line(_ fields: [String]) { lines.append(fields.map(field).joined(separator: ",")) }
        for count in statistics.filings.sorted(by: { ($0.countyCode, $0.leadingIndustry, $0.year, $0.status) < ($1.countyCode, $1.leadingIndustry, $1.year, $1.status) }) {
            line(["filings", count.countyCode, count.leadingIndustry, String(count.year), count.status + "/" + (count.recommendation ?? ""), String(count.filings)])
        }
        for criterion in statistics.criteria.sorted(by: { CriterionOrder.less($0.criterion, $1.criterion) }) {
            for verdict in criterion.verdicts.keys.sorted() {
                line(["criterion", "", "", "", criterion.criterion + "/" + verdict, String(criterion.verdicts[verdict]!)])
            }
        }
        for criterion in statistics.marginCriteria {
            for (band, count) in statistics.histogram(criterion).enumerated() {
                line(["margin", "", "", "", criterion + "/" + MarginBands.label(band), String(count)])
            }
        }
        for count in statistics.register.sorted(by: { ($0.countyCode, $0.year, $0.status) < ($1.countyCode, $1.year, $1.status) }) {
            line(["register", count.countyCode, "", String(count.year), count.status, String(count.clusters)])
            line(["register_output_wan", count.countyCode, "", String(count.year), count.status, count.outputWan.map { "\($0)" } ?? ""])
            line(["register_employees", count.countyCode, "", String(count.year), count.status, count.employees.map { "\($0)" } ?? ""])
        }
        for watched in statistics.watchlist {
            for criterion in watched.failed { line(["watchlist", watched.countyCode, "", String(watched.year), watched.certificateNo + "/" + criterion, "fail"]) }
            for criterion in watched.warned { line(["watchlist", watched.countyCode, "", String(watched.year), watched.certificateNo + "/" + criterion, "warn"]) }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A field quoted when it holds a comma, a quote or a line break; a text a spreadsheet would
    /// run as a formula (starting with =, +, @ or a tab) is prefixed with an apostrophe.
    static func field(_ raw: String) -> String {
        let text = raw.first.map { "=+@\t".contains($0) } == true ? "'" + raw : raw
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
