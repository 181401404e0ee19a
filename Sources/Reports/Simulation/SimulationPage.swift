import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// The words of a what-if, in Chinese and English (one language per page or line).
public enum SimulationLabels {
    public static let title = LocalizedText(zh: "规则修订模拟（假设分析）", en: "What-if: a draft rule change")
    public static let draft = LocalizedText(zh: "修订草案", en: "The draft")
    public static let parameter = LocalizedText(zh: "参数", en: "Parameter")
    public static let criteria = LocalizedText(zh: "标准", en: "Criteria")
    public static let before = LocalizedText(zh: "现行值", en: "In force")
    public static let after = LocalizedText(zh: "草案值", en: "Draft")
    public static let scope = LocalizedText(zh: "模拟范围", en: "Simulated")
    public static let baselineNote = LocalizedText(
        zh: "对照：每件申报在同一基准日按现行规则集重新审核一次（不是库中旧结论），再按草案审核；只有两者不同的结论列出。草案只在内存中，不写入 config/，不用于正式审核；模拟不写入任何记录。",
        en: "Compared against: each filing reviewed afresh under the rulebook in force on the same as-of date (not the stored findings), then under the draft; only what differs is listed. The draft lives in memory only: never written to config/, never used by a real review; the simulation writes nothing.")
    public static let byCriterion = LocalizedText(zh: "按标准", en: "By criterion")
    public static let nowPass = LocalizedText(zh: "新达标", en: "Now pass")
    public static let noLongerPass = LocalizedText(zh: "不再达标", en: "No longer pass")
    public static let moves = LocalizedText(zh: "结论变化", en: "Verdict moves")
    public static let recommendations = LocalizedText(zh: "建议结论变化", en: "Recommendation changes")
    public static let byCounty = LocalizedText(zh: "按县区", en: "By county")
    public static let byIndustry = LocalizedText(zh: "按主导产业", en: "By leading industry")
    public static let county = LocalizedText(zh: "县区", en: "County")
    public static let industry = LocalizedText(zh: "主导产业", en: "Leading industry")
    public static let simulated = LocalizedText(zh: "模拟件数", en: "Simulated")
    public static let changed = LocalizedText(zh: "有变化", en: "Changed")
    public static let findingsChanged = LocalizedText(zh: "结论变化数", en: "Findings changed")
    public static let becomeRecommended = LocalizedText(zh: "变为建议认定", en: "Become recommended")
    public static let noLongerRecommended = LocalizedText(zh: "不再建议认定", en: "No longer recommended")
    public static let filings = LocalizedText(zh: "逐件变化（每个集群一件）", en: "Per filing (one per cluster)")
    public static let filing = LocalizedText(zh: "申报", en: "Filing")
    public static let cluster = LocalizedText(zh: "集群", en: "Cluster")
    public static let recommendation = LocalizedText(zh: "建议", en: "Recommendation")
    public static let stored = LocalizedText(zh: "库中记录", en: "On record")
    public static let findings = LocalizedText(zh: "结论变化", en: "Findings that change")
    public static let skipped = LocalizedText(zh: "未能模拟", en: "Not simulated")
    public static let none = LocalizedText(zh: "无", en: "none")

    /// A verdict move in words: `未达标 → 达标` / `fail → pass`.
    public static func move(_ before: Verdict, _ after: Verdict, _ language: Language) -> String {
        "\(ReportLabels.verdict(before).text(in: language)) → \(ReportLabels.verdict(after).text(in: language))"
    }

    /// A value of a changed parameter in words (`15亿元`, `55%`, `each`); `none` when absent.
    public static func value(_ value: JSONValue?, unit: String, _ language: Language) -> String {
        guard let value else { return none.text(in: language) }
        if let number = value.decimal { return Readable.amount(number, Measure(unit: unit), language) + " (\(number) \(unit))" }
        return value.string ?? "\(value)"
    }
}

/// A what-if as a self-contained, printable XHTML-compatible page (one language) and as terminal text.
public enum SimulationPage {
    /// The page: the draft, the sentence, the counts by criterion, county and industry, every filing that changes.
    public static func render(_ result: SimulationResult, language: Language = .zh, generatedAt: Date = Date()) -> String {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        typealias L = SimulationLabels
        var html = Markup.stampedDocument(title: t(L.title), stylesheet: stylesheet, language: lang, generatedAt: generatedAt)
        html.element("p", ["class": "sentence", "id": "sentence"], result.sentence(lang))
        html.element("h2", [:], t(L.draft))
        html.element("p", ["class": "note"], "\(result.rulebook) · \(t(L.scope)): \(scopeText(result, lang)) · \(result.simulated)")
        table(&html, id: "changes", headers: [t(L.parameter), t(L.criteria), t(L.before), t(L.after)],
              rows: result.changes.map { [$0.parameter, $0.criteria.joined(separator: ", "), L.value($0.before, unit: $0.unit, lang), L.value($0.after, unit: $0.unit, lang)] })
        html.element("p", ["class": "note"], t(L.baselineNote))

        html.element("h2", [:], t(L.byCriterion))
        table(&html, id: "by-criterion", headers: [t(L.criteria), t(L.nowPass), t(L.noLongerPass), t(L.moves)],
              rows: result.criteria.map { count in
                  [count.criterion, String(count.nowPass), String(count.noLongerPass),
                   count.moves.keys.sorted().map { key in "\(moveText(key, lang)) × \(count.moves[key]!)" }.joined(separator: "; ")]
              })
        html.element("h2", [:], t(L.recommendations))
        table(&html, id: "recommendations", headers: [t(L.recommendation), t(L.filings)],
              rows: result.recommendations.keys.sorted().map { [recommendationMove($0, lang), String(result.recommendations[$0]!)] })

        for (title, id, keyLabel, groups, key) in [
            (L.byCounty, "by-county", L.county, result.byCounty, { (code: String) in StatisticsLabels.county(code, lang) }),
            (L.byIndustry, "by-industry", L.industry, result.byIndustry, { (name: String) in name }),
        ] as [(LocalizedText, String, LocalizedText, [SimulationResult.GroupCount], (String) -> String)] {
            html.element("h2", [:], t(title))
            table(&html, id: id, headers: [t(keyLabel), t(L.simulated), t(L.changed), t(L.findingsChanged), t(L.becomeRecommended), t(L.noLongerRecommended)],
                  rows: groups.map { [key($0.key), String($0.simulated), String($0.changed), String($0.findingsChanged), String($0.becomeRecommended), String($0.noLongerRecommended)] })
        }

        html.element("h2", [:], t(L.filings))
        table(&html, id: "filings", headers: [t(L.filing), t(L.cluster), t(L.county), t(L.stored), t(L.recommendation), t(L.findings)],
              rows: result.filings.map { filing in
                  [String(filing.filingId), filing.clusterName + (filing.certificateNo.map { " (\($0))" } ?? ""),
                   StatisticsLabels.county(filing.countyCode, lang),
                   filing.stored.map { ReportLabels.recommendation($0).text(in: lang) } ?? "—",
                   filing.before == filing.after ? ReportLabels.recommendation(filing.before).text(in: lang)
                       : "\(ReportLabels.recommendation(filing.before).text(in: lang)) → \(ReportLabels.recommendation(filing.after).text(in: lang))",
                   filing.findings.map { "\($0.criterion) \(L.move($0.before, $0.after, lang)) (\($0.scoreBefore) → \($0.scoreAfter))" }.joined(separator: "; ")]
              })
        if !result.skipped.isEmpty {
            html.element("h2", [:], t(L.skipped))
            table(&html, id: "skipped", headers: [t(L.filing), ""], rows: result.skipped.map { [String($0.filingId), $0.reason(in: lang)] })
        }
        html.close("body")
        html.close("html")
        html.raw("\n")
        return html.output
    }

    /// The result as terminal lines in `language`: the sentence, then each filing that changes.
    public static func text(_ result: SimulationResult, language lang: Language) -> String {
        typealias L = SimulationLabels
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        var lines = [result.sentence(lang), ""]
        for count in result.criteria {
            lines.append("\(count.criterion): " + count.moves.keys.sorted().map { "\(moveText($0, lang)) × \(count.moves[$0]!)" }.joined(separator: "; "))
        }
        for (key, count) in result.recommendations.sorted(by: { $0.key < $1.key }) {
            lines.append("\(t(L.recommendation)): \(recommendationMove(key, lang)) × \(count)")
        }
        if !result.filings.isEmpty { lines.append("") }
        for filing in result.filings {
            let recommendation = filing.before == filing.after ? ReportLabels.recommendation(filing.before).text(in: lang)
                : "\(ReportLabels.recommendation(filing.before).text(in: lang)) → \(ReportLabels.recommendation(filing.after).text(in: lang))"
            lines.append("#\(filing.filingId) \(filing.clusterName)\(filing.certificateNo.map { " (\($0))" } ?? "") · \(StatisticsLabels.county(filing.countyCode, lang)) · \(recommendation)")
            for finding in filing.findings {
                lines.append("    \(finding.criterion): \(L.move(finding.before, finding.after, lang)) (\(finding.scoreBefore) → \(finding.scoreAfter))")
            }
        }
        for skip in result.skipped {
            lines.append("\(t(L.skipped)) #\(skip.filingId)\(lang == .zh ? "：" : ": ")\(skip.reason(in: lang))")
        }
        return lines.joined(separator: "\n")
    }

    static func scopeText(_ result: SimulationResult, _ lang: Language) -> String {
        switch result.over {
        case "filings": lang == .en ? "each cluster's latest reviewed application" : "各集群最近一次已审核的申报"
        case "register": lang == .en ? "the register's entries" : "认定名单上的集群"
        default: lang == .en ? result.over : result.over.replacingOccurrences(of: "round", with: "批次")
        }
    }

    static func moveText(_ key: String, _ lang: Language) -> String {
        let parts = key.split(separator: "→").map(String.init)
        guard parts.count == 2, let before = Verdict(rawValue: parts[0]), let after = Verdict(rawValue: parts[1]) else { return key }
        return SimulationLabels.move(before, after, lang)
    }

    static func recommendationMove(_ key: String, _ lang: Language) -> String {
        let parts = key.split(separator: "→").map(String.init)
        guard parts.count == 2, let before = ReviewSummary.Recommendation(rawValue: parts[0]),
              let after = ReviewSummary.Recommendation(rawValue: parts[1]) else { return key }
        return "\(ReportLabels.recommendation(before).text(in: lang)) → \(ReportLabels.recommendation(after).text(in: lang))"
    }

    static func table(_ html: inout Markup, id: String, headers: [String], rows: [[String]]) {
        html.wrap("table", ["id": id]) { table in
            table.wrap("thead") { head in head.wrap("tr") { tr in for header in headers { tr.element("th", [:], header) } } }
            table.wrap("tbody") { body in
                if rows.isEmpty {
                    body.wrap("tr") { tr in tr.element("td", ["colspan": String(headers.count)], "—") }
                }
                for row in rows { body.wrap("tr") { tr in for cell in row { tr.element("td", [:], cell) } } }
            }
        }
    }

    static let stylesheet = """
        body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",sans-serif;margin:2em;color:#222;max-width:60em}
        h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}
        .sentence{font-size:1.1em;font-weight:bold}.stamp,.note{color:#555;font-size:.9em}
        @media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}@page{size:A4;margin:15mm}}
        """
}
