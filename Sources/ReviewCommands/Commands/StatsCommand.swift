import Foundation
import IndicatorKit
import ReviewCore
import ClusterStandard
import Reports

/// `stats`: what the province learns of its filings and register (issue 18 item 1).
enum StatsCommand {
    static let command = Command(
        words: ["stats"],
        summary: "Statistics by county, industry, criterion and year; HTML dashboard · 统计与仪表板",
        details: """
            Counts, as your login may see them (a county its own county only): filings by county × outcome
            and by leading industry; the register by county with the output and employees stated; per
            criterion the fail rate and the distribution of relative margins (how close filings come to each
            bound: (observed − bound) ÷ bound, over each filing's latest decision review); trends by year; the
            watchlist. --year counts filings filed that year, register entries recognized that year and the
            annual reports of that year. With --html DIR, a self-contained dashboard DIR/index.html (SVG
            charts, prints on A4; Chinese unless --lang en). --json and --csv print the counts.
            """,
        examples: [
            "cluster-review stats", "cluster-review stats --year 2026 --county 469005",
            "cluster-review stats --industry 咖啡加工 --json", "cluster-review stats --csv",
            "cluster-review stats --html dashboard", "cluster-review stats --html dashboard --lang en",
        ],
        options: [
            .value("--year", "YEAR", "Only that year · 按年度"),
            .value("--county", "CODE", "Only this county-level division · 按县区"),
            .value("--industry", "NAME", "Only this leading industry · 按主导产业"),
            .flag("--json", "Print the counts as JSON · 输出 JSON"),
            .flag("--csv", "Print the counts as CSV (section,county,industry,year,key,value) · 输出 CSV"),
            .value("--html", "DIR", "Write the dashboard DIR/index.html · 生成 HTML 仪表板"),
        ],
        exits: ExitUse.database + [.cannotCreate],
        run: { invocation in
            let filter = try filter(invocation)
            let formats = [invocation.flag("--json"), invocation.flag("--csv"), invocation.value("--html") != nil].filter { $0 }.count
            guard formats <= 1 else { throw UsageError(message: "give at most one of --json, --csv and --html", command: "stats", zh: "--json、--csv、--html 最多只能选一个") }
            let connection = try invocation.connect()
            defer { connection.close() }
            let statistics = try StatisticsRecords.gather(filter, on: connection)
            let console = invocation.console
            if invocation.flag("--json") {
                try console.printJSON(statistics)
                return ExitCode.success
            }
            if invocation.flag("--csv") {
                console.print(String(StatisticsCSV.render(statistics).dropLast()))
                return ExitCode.success
            }
            if let directory = invocation.value("--html") {
                let folder = try OutputFile.folder(directory)
                let path = folder.appendingPathComponent("index.html").path
                try OutputFile.write(
                    Data(StatisticsPage.render(statistics, language: invocation.language, generatedAt: invocation.now).utf8), to: path)
                console.print(invocation.language == .en ? "wrote \(path)" : "已生成 \(path)")
                return ExitCode.success
            }
            console.print(text(statistics, language: invocation.language))
            console.print(ReportStamp(generatedAt: invocation.now).line(in: invocation.language))
            return ExitCode.success
        })

    /// The filter the options name; a usage error (64) for a year, county or industry that cannot be one.
    static func filter(_ invocation: Invocation) throws -> StatisticsFilter {
        var filter = StatisticsFilter()
        if let text = invocation.value("--year") {
            guard let year = Int(text), (2000...2200).contains(year) else {
                throw UsageError(message: "--year takes a year such as 2026, not '\(text)'", command: "stats", zh: "--year 应为年份，例如 2026，而不是 '\(text)'")
            }
            filter.year = year
        }
        if let county = invocation.value("--county") {
            guard HainanCounty.named(county) != nil else {
                throw UsageError(
                    message: "--county takes a county-level code of Hainan, not '\(county)' (cluster-review counties lists all 26)",
                    command: "stats",
                    zh: "--county 应为海南省县级行政区代码，而不是 '\(county)'（cluster-review counties 列出全部 26 个）")
            }
            filter.county = county
        }
        if let industry = invocation.value("--industry") {
            guard !industry.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw UsageError(message: "--industry takes the leading industry as filings name it", command: "stats", zh: "--industry 应为申报中所写的主导产业名称")
            }
            filter.industry = industry
        }
        return filter
    }

    /// The statistics as terminal tables, in one language.
    static func text(_ statistics: ProvinceStatistics, language lang: Language) -> String {
        typealias L = StatisticsLabels
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        var out: [String] = []
        out.append("\(t(L.title)) — \(t(L.filings)) \(statistics.totalFilings) · \(t(L.clusters)) \(statistics.totalClusters)")
        let outcomes = ProvinceStatistics.outcomes.filter { outcome in statistics.byCounty.contains { ($0.outcomes[outcome] ?? 0) > 0 } }
        func breakdown(_ title: LocalizedText, _ keyLabel: LocalizedText, _ rows: [ProvinceStatistics.Breakdown], _ key: (String) -> String) {
            out.append("")
            out.append(t(title))
            let recommendations: [ReviewSummary.Recommendation] = ReviewSummary.Recommendation.allCases.reversed()
            var headers: [String] = [t(keyLabel), t(L.filings)]
            headers += outcomes.map { t(L.outcome($0)) }
            headers += recommendations.map { ReportLabels.recommendation($0).text(in: lang) }
            var table = TextTable(headers: headers)
            for row in rows {
                var cells: [String] = [key(row.key), String(row.filings)]
                cells += outcomes.map { String(row.outcomes[$0] ?? 0) }
                cells += recommendations.map { String(row.recommendations[$0.rawValue] ?? 0) }
                table.rows.append(cells)
            }
            out.append(table.render())
        }
        breakdown(L.byCounty, L.county, statistics.byCounty) { L.county($0, lang) }
        breakdown(L.byIndustry, L.industry, statistics.byIndustry) { $0 }
        out.append("")
        out.append(t(L.register))
        var register = TextTable(headers: [t(L.county), t(L.clusters), t(L.statusActive), t(L.statusExpired), t(L.statusRevoked), t(L.output), t(L.employees)])
        for row in statistics.registerByCounty {
            var cells: [String] = [L.county(row.countyCode, lang), String(row.clusters)]
            for status in ["active", "expired", "revoked"] { cells.append(String(row.statuses[status] ?? 0)) }
            let output: String = row.outputWan.map { Readable.amount($0, .moneyWan, lang) } ?? "—"
            let employees: String = row.employees.map { Readable.number($0, places: 0) } ?? "—"
            register.rows.append(cells + [output, employees])
        }
        out.append(register.render())
        out.append("")
        out.append(t(L.criteria))
        var criteria = TextTable(headers: [t(L.criterion), t(L.counted), t(L.failed), t(L.failRate), t(L.warned), t(L.manual)])
        for criterion in statistics.criteria {
            criteria.rows.append([criterion.criterion, String(criterion.total), String(criterion.failed), L.percent(criterion.failRate),
                                  String(criterion.verdicts["warn"] ?? 0), String(criterion.verdicts["manual"] ?? 0)])
        }
        out.append(criteria.render())
        out.append("")
        out.append(t(L.margins))
        var margins = TextTable(headers: [t(L.criterion)] + (0..<MarginBands.count).map(MarginBands.label))
        for criterion in statistics.marginCriteria {
            margins.rows.append([criterion] + statistics.histogram(criterion).map(String.init))
        }
        out.append(margins.render())
        out.append("")
        out.append(t(L.trends))
        let recognized = Dictionary(uniqueKeysWithValues: statistics.recognizedByYear.map { ($0.year, $0.clusters) })
        var trends = TextTable(headers: [t(L.year), t(L.filings), t(L.recommended), t(L.outcome("recognized")), t(L.recognizedClusters)])
        for year in Set(statistics.byYear.compactMap { Int($0.key) }).union(recognized.keys).sorted() {
            let row = statistics.byYear.first { $0.key == String(year) }
            trends.rows.append([String(year), String(row?.filings ?? 0), String(row?.recommendations["recommended"] ?? 0),
                                String(row?.outcomes["recognized"] ?? 0), String(recognized[year] ?? 0)])
        }
        out.append(trends.render())
        out.append("")
        out.append(t(L.watchlist))
        if statistics.watchlist.isEmpty { out.append(t(L.noWatch)) }
        for watched in statistics.watchlist {
            out.append("  \(watched.certificateNo) \(watched.name) · \(L.county(watched.countyCode, lang)) · \(watched.year): "
                       + "\(t(L.failed)) \(watched.failed.joined(separator: ", "))"
                       + (watched.warned.isEmpty ? "" : "; \(t(L.warned)) \(watched.warned.joined(separator: ", "))"))
        }
        return out.joined(separator: "\n")
    }
}
