import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Renders review reports as self-contained HTML pages a reviewer reads on screen or prints (A4).
///
/// Each page is one file: inline CSS and inline SVG, no script, no network, no external asset.
/// The markup is XHTML-compatible (every element closed, every attribute quoted) so it parses as
/// XML, and every string from a filing is HTML-escaped. Chinese by default, or English.
public enum HTMLReport {
    /// The report page for `report` in `language`: the
    /// recommendation at the top, the eight indicators as a radar chart, a chart of the three
    /// years against the bound for each threshold criterion with yearly data, every finding, and
    /// what a reviewer must still confirm. `generatedAt` is the moment the page says it was made.
    /// For `.county` (a self-check) the page says it is not a decision, shows no filing number and
    /// no reviewer's command, and names what the reviewers will judge and what evidence helps.
    public static func render(
        _ report: ReviewReport, language: Language = .zh, generatedAt: Date = Date(), audience: ReportAudience = .reviewer
    ) -> String {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        let title = audience == .county
            ? "\(t(SelfCheck.title)) · \(report.clusterName)" : "\(t(ReportLabels.title)) · \(report.clusterName) · \(report.filingID)"
        var html = page(title: title, language: lang)
        content(report, language: lang, generatedAt: generatedAt, audience: audience, into: &html)
        html.element("footer", [:], t(ReportLabels.footer))
        html.close("body")
        html.close("html")
        html.raw("\n")
        return html.output
    }

    /// The report itself, without the page around it: the header (recommendation, facts) and the
    /// main part (indicators, charts, findings, what to confirm), into `html`. The web door puts it
    /// in its own page, styled by `stylesheet` served as a file.
    public static func content(
        _ report: ReviewReport, language: Language = .zh, generatedAt: Date = Date(), audience: ReportAudience = .reviewer,
        into html: inout Markup
    ) {
        let lang = language
        let county = audience == .county
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        // Header: the recommendation first, then who filed what.
        html.wrap("header", ["class": "report-head"]) { head in
            head.element("p", ["class": "doc-title"], t(county ? SelfCheck.title : ReportLabels.title))
            head.element("p", ["class": "stamp", "id": "stamp"], ReportStamp(report, generatedAt: generatedAt).line(in: lang))
            head.element("h1", [:], report.clusterName)
            if county { head.element("p", ["class": "self-check-notice", "id": "self-check"], t(SelfCheck.notice)) }
            head.wrap("div", ["class": "recommendation \(report.recommendation.rawValue)", "id": "recommendation"]) { box in
                box.element("span", ["class": "label"], t(county ? SelfCheck.resultHeading : ReportLabels.recommendationHeading))
                box.element("strong", [:], t(county ? SelfCheck.result(report.recommendation) : report.outcome))
                if !report.summary.failures.isEmpty {
                    box.wrap("ul", ["class": "reasons"]) { list in
                        for item in report.summary.failures {
                            list.wrap("li", ["data-criterion": item.finding.criterion]) { li in
                                li.element("span", ["class": "criterion"], item.finding.criterion)
                                li.text(" " + item.finding.message.text(in: lang))
                            }
                        }
                    }
                }
                let pending = report.pendingConfirmations.count
                if pending > 0 {
                    box.wrap("p", ["class": "pending-count"]) { p in
                        p.element("a", ["href": "#to-confirm"], (county ? SelfCheck.pendingCount(pending) : ReportLabels.pendingCount(pending)).text(in: lang))
                    }
                }
            }
            head.wrap("table", ["class": "facts"]) { table in
                table.wrap("tbody") { body in
                    if !county { row(&body, t(ReportLabels.filing), report.filingID) }
                    row(&body, t(ReportLabels.county), parenthesized(report.county.name.text(in: lang), report.county.code, lang))
                    row(&body, t(ReportLabels.kindLabel), t(ReportLabels.kind(report.kind)))
                    row(&body, t(ReportLabels.leadingIndustry), report.leadingIndustry)
                    row(&body, t(ReportLabels.filedOn), report.filedOn?.description ?? "—")
                    row(&body, t(ReportLabels.statusLabel), t(county ? SelfCheck.status
                        : report.record?.supersededBy.map { ReportLabels.supersededBy($0) } ?? ReportLabels.status(report.status)))
                    row(&body, t(ReportLabels.rulebook),
                        "\(report.rulebook.name) · \(t(ReportLabels.asOf)) \(report.rulebook.asOf) · \(report.rulebook.hash.prefix(16))")
                }
            }
        }

        html.open("main")
        indicators(report, lang, &html)
        charts(report, lang, &html)
        findings(report, lang, &html)
        if county { toJudge(report, lang, &html) } else { toConfirm(report, lang, &html) }
        if !county, let record = report.record { reviewerRecord(record, lang, &html) }
        html.close("main")
    }

    /// A page up to its open `<body>`: the doctype, the language, the head with `title` and the stylesheet.
    private static func page(title: String, language: Language) -> Markup {
        Markup.document(title: title, language: language) { head in
            head.wrap("style") { $0.raw(stylesheet) }  // raw text in HTML: escaping would break it; it holds no < or &
        }
    }

    /// An index page of reports: one row per entry with county, cluster, kind, status,
    /// recommendation and a relative link to the entry's report file (`href`, escaped).
    public static func renderIndex(_ entries: [ReportIndexEntry], language: Language = .zh, generatedAt: Date = Date()) -> String {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        var html = page(title: t(ReportLabels.indexTitle), language: lang)
        html.element("h1", [:], t(ReportLabels.indexTitle))
        html.element("p", ["class": "stamp", "id": "stamp"], ReportStamp(index: entries, generatedAt: generatedAt).line(in: lang))
        var counts = ["\(entries.count) \(t(ReportLabels.count))"]
        for recommendation in ReviewSummary.Recommendation.allCases {
            let n = entries.filter { $0.recommendation == recommendation }.count
            if n > 0 { counts.append("\(t(ReportLabels.recommendation(recommendation))) \(n)") }
        }
        html.element("p", ["class": "count"], counts.joined(separator: " · "))
        html.wrap("table", ["class": "index"]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in
                    for label in [ReportLabels.filing, ReportLabels.county, ReportLabels.cluster, ReportLabels.kindLabel,
                                  ReportLabels.statusLabel, ReportLabels.asOfColumn, ReportLabels.recommendationHeading] {
                        tr.element("th", [:], t(label))
                    }
                }
            }
            table.wrap("tbody") { body in
                for entry in entries {
                    body.wrap("tr") { tr in
                        tr.wrap("td") { td in td.element("a", ["href": safeHref(entry.href)], entry.filingID) }
                        tr.element("td", [:], parenthesized(entry.county.name.text(in: lang), entry.county.code, lang))
                        tr.element("td", [:], entry.clusterName)
                        tr.element("td", [:], t(ReportLabels.kind(entry.kind)))
                        tr.element("td", [:], t(ReportLabels.status(entry.status)))
                        tr.element("td", [:], entry.rulebook.map { "\($0.asOf)" } ?? "—")
                        if let recommendation = entry.recommendation {
                            tr.element("td", ["class": "rec \(recommendation.rawValue)"], t(ReportLabels.recommendation(recommendation)))
                        } else {
                            tr.element("td", ["class": "rec"], t(ReportLabels.notReviewed))
                        }
                    }
                }
            }
        }
        html.element("footer", [:], t(ReportLabels.footer))
        html.close("body")
        html.close("html")
        html.raw("\n")
        return html.output
    }

    /// A file name for the report of `report`: `COUNTY-ID.html`, with every character outside
    /// `A-Za-z0-9._-` of the id replaced by `_`, so it never leaves the folder it is written to.
    public static func fileName(for report: ReviewReport) -> String {
        let safe = String(String.UnicodeScalarView((report.county.code + "-" + report.filingID).unicodeScalars.map { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar)) ? scalar : "_"
        }))
        return (safe.hasPrefix(".") ? "_" + safe.dropFirst() : Substring(safe)) + ".html"
    }

    /// Writes one page per report into `directory` (created if missing), named by `fileName(for:)`,
    /// and `index.html` linking them in the order given; returns the index's URL.
    /// Existing files of the same names are replaced; nothing else in the folder is touched.
    @discardableResult
    public static func write(_ reports: [ReviewReport], to directory: URL, language: Language = .zh, generatedAt: Date = Date()) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var entries: [ReportIndexEntry] = []
        for report in reports {
            let name = fileName(for: report)
            try Data(render(report, language: language, generatedAt: generatedAt).utf8).write(to: directory.appendingPathComponent(name), options: .atomic)
            entries.append(ReportIndexEntry(report, href: name))
        }
        let index = directory.appendingPathComponent("index.html")
        try Data(renderIndex(entries, language: language, generatedAt: generatedAt).utf8).write(to: index, options: .atomic)
        return index
    }

    // MARK: Sections

    private static func indicators(_ report: ReviewReport, _ lang: Language, _ html: inout Markup) {
        html.wrap("section", ["class": "indicators", "id": "indicators"]) { section in
            section.element("h2", [:], ReportLabels.indicatorsHeading.text(in: lang))
            let scored = report.summary.indicators.contains { ReportLabels.indicators.contains($0.module) }
            section.wrap("div", ["class": "radar-box"]) { box in
                if scored {
                    ReportCharts.radar(report.summary.indicators, language: lang, into: &box)
                } else {
                    box.element("p", ["class": "no-indicators"], ReportLabels.noIndicators.text(in: lang))
                }
                box.wrap("table", ["class": "scores"]) { table in
                    table.wrap("thead") { head in
                        head.wrap("tr") { tr in
                            tr.element("th", [:], ReportLabels.indicator.text(in: lang))
                            tr.element("th", [:], ReportLabels.verdictLabel.text(in: lang))
                            tr.element("th", [:], ReportLabels.score.text(in: lang))
                        }
                    }
                    table.wrap("tbody") { body in
                        // Every module that judged the filing, in review order; then, where the
                        // filing is scored on the standard's indicators, any of the eight that has
                        // no row, so the table always shows all eight.
                        var shown = report.summary.indicators.map(\.module)
                        if scored { shown += ReportLabels.indicators.filter { !shown.contains($0) } }
                        for id in shown {
                            let indicator = report.summary.indicators.first { $0.module == id }
                            body.wrap("tr") { tr in
                                // One of the eight without a row has no declaration in this review: its name in words.
                                let title = report.declarations.module(id)?.title ?? ReportLabels.axis(id)
                                tr.element("td", [:], title.text(in: lang))
                                tr.wrap("td") { td in
                                    if let indicator {
                                        td.element("span", ["class": "verdict \(indicator.verdict.rawValue)"],
                                                   ReportLabels.verdict(indicator.verdict).text(in: lang))
                                    } else {
                                        td.text("—")
                                    }
                                }
                                tr.element("td", ["class": "num"], indicator?.score.map(String.init) ?? ReportLabels.noScore.text(in: lang))
                            }
                        }
                    }
                }
            }
        }
    }

    private static func charts(_ report: ReviewReport, _ lang: Language, _ html: inout Markup) {
        let charts = ReportCharts.yearCharts(report)
        html.wrap("section", ["class": "charts", "id": "charts"]) { section in
            section.element("h2", [:], ReportLabels.chartsHeading.text(in: lang))
            if charts.isEmpty {
                section.element("p", [:], ReportLabels.noFigures.text(in: lang))
                return
            }
            section.wrap("div", ["class": "chart-grid"]) { grid in
                for chart in charts {
                    let verdict = report.modules.lazy.flatMap(\.findings).first { $0.criterion == chart.criterion }?.verdict
                    grid.wrap("figure", ["class": "chart"]) { figure in
                        ReportCharts.draw(chart, language: lang, into: &figure)
                        figure.wrap("figcaption", [:]) { caption in
                            caption.element("b", [:], chart.criterion)
                            caption.text(" " + chart.title.text(in: lang))
                            caption.text(" · " + chart.rule.text(in: lang))
                            if chart.series.count > 1 {
                                for (number, series) in chart.series.enumerated() {
                                    caption.raw(" ")
                                    caption.element("span", ["class": "key s\(number)"], "■ " + series.label.text(in: lang))
                                }
                            }
                            if let verdict {
                                caption.text(" ")
                                caption.element("span", ["class": "verdict \(verdict.rawValue)"], ReportLabels.verdict(verdict).text(in: lang))
                            }
                        }
                    }
                }
            }
        }
    }

    private static func findings(_ report: ReviewReport, _ lang: Language, _ html: inout Markup) {
        html.wrap("section", ["class": "findings", "id": "findings"]) { section in
            section.element("h2", [:], ReportLabels.findingsHeading.text(in: lang))
            for module in report.modules {
                section.wrap("div", ["class": "module", "data-module": module.module]) { block in
                    block.element("h3", [:], report.declarations.title(ofModule: module.module).text(in: lang))
                    if let error = module.error {
                        block.element("p", ["class": "module-error"], ReportLabels.moduleError.text(in: lang) + error)
                    }
                    for finding in module.findings {
                        findingBlock(finding, criterion: report.declarations.criterion(finding.criterion), lang, &block)
                    }
                }
            }
        }
    }

    private static func findingBlock(_ finding: Finding, criterion: Criterion?, _ lang: Language, _ html: inout Markup) {
        let title = criterion?.title.text(in: lang) ?? ""
        let reading = ThresholdReading.of(finding, criterion: criterion, language: lang)
        html.wrap("article", ["class": "finding \(finding.verdict.rawValue)", "data-criterion": finding.criterion]) { article in
            article.wrap("h4", [:]) { h in
                h.element("span", ["class": "criterion"], finding.criterion)
                h.text(" " + title + " ")
                h.element("span", ["class": "verdict \(finding.verdict.rawValue)"], ReportLabels.verdict(finding.verdict).text(in: lang))
                h.element("span", ["class": "score"], "\(ReportLabels.score.text(in: lang)) \(finding.score)")
            }
            article.element("p", ["class": "message"], finding.message.text(in: lang))
            article.wrap("dl", [:]) { dl in
                if let reading {
                    dl.element("dt", [:], ReportLabels.observed.text(in: lang))
                    dl.element("dd", ["class": "observed"], reading.observed)
                    dl.element("dt", [:], ReportLabels.bound.text(in: lang))
                    dl.element("dd", ["class": "bound"], reading.bound)
                    if let margin = reading.margin {
                        dl.element("dt", [:], ReportLabels.margin.text(in: lang))
                        dl.element("dd", ["class": "margin"], margin)
                    }
                }
                if reading == nil, let observed = finding.observed {
                    dl.element("dt", [:], ReportLabels.observed.text(in: lang))
                    dl.element("dd", [:], ObservedText.describe(observed, lang))
                }
                if reading == nil, finding.threshold != nil || finding.comparator != nil {
                    dl.element("dt", [:], ReportLabels.bound.text(in: lang))
                    dl.element("dd", [:], [finding.comparator.map { Readable.comparator($0, lang) }, finding.threshold.map { ObservedText.describe($0, lang) }]
                        .compactMap { $0 }.joined(separator: " "))
                }
                if reading == nil, let margin = finding.margin {
                    dl.element("dt", [:], ReportLabels.margin.text(in: lang))
                    dl.element("dd", [:], ObservedText.describe(margin, lang))
                }
                if !finding.parameters.isEmpty {
                    dl.element("dt", [:], ReportLabels.parameters.text(in: lang))
                    dl.element("dd", [:], finding.parameters.keys.sorted().map { "\($0) = \(describe(finding.parameters[$0]!))" }
                        .joined(separator: "; "))
                }
                dl.element("dt", [:], ReportLabels.citation.text(in: lang))
                dl.element("dd", ["class": "citation"], ReportLabels.citationText(finding.citation).text(in: lang))
            }
        }
    }

    private static func toConfirm(_ report: ReviewReport, _ lang: Language, _ html: inout Markup) {
        html.wrap("section", ["class": "to-confirm", "id": "to-confirm"]) { section in
            section.element("h2", [:], ReportLabels.confirmHeading.text(in: lang))
            let pending = report.pendingConfirmations
            let failedModules = report.modules.filter { $0.error != nil }
            if !failedModules.isEmpty {
                section.wrap("ul", ["class": "module-errors"]) { list in
                    for module in failedModules {
                        list.wrap("li", ["data-module": module.module]) { li in
                            li.element("span", ["class": "verdict error"], ReportLabels.verdict(.error).text(in: lang))
                            li.text(" " + report.declarations.title(ofModule: module.module).text(in: lang) + " · " + ReportLabels.moduleError.text(in: lang)
                                + (module.error ?? ""))
                        }
                    }
                }
            }
            if pending.isEmpty && failedModules.isEmpty {
                section.element("p", [:], ReportLabels.nothingToConfirm.text(in: lang))
            } else if !pending.isEmpty {
                section.wrap("ol", ["class": "pending"]) { list in
                    for item in pending {
                        list.wrap("li", ["data-criterion": item.finding.criterion]) { li in
                            li.element("span", ["class": "criterion"], item.finding.criterion)
                            li.text(" ")
                            li.element("span", ["class": "verdict \(item.finding.verdict.rawValue)"],
                                       ReportLabels.verdict(item.finding.verdict).text(in: lang))
                            li.text(" " + item.finding.message.text(in: lang) + " [" + ReportLabels.citationText(item.finding.citation).text(in: lang) + "]")
                        }
                    }
                }
                section.element("p", ["class": "hint"],
                                ReportLabels.confirmHint(id: report.filingID, criterion: pending[0].finding.criterion).text(in: lang))
            }
            if !report.panel.isEmpty {
                section.element("h3", [:], ReportLabels.panelHeading.text(in: lang))
                section.wrap("table", ["class": "panel"]) { table in
                    table.wrap("tr", [:]) { row in
                        for column in ReportLabels.panelColumns { row.element("th", [:], column.text(in: lang)) }
                    }
                    for outcome in report.panel {
                        table.wrap("tr", ["data-criterion": outcome.criterion]) { row in
                            row.element("td", ["class": "criterion"], outcome.criterion)
                            row.element("td", [:], "\(outcome.median)")
                            row.element("td", [:], "\(outcome.highest - outcome.lowest) (\(outcome.lowest)–\(outcome.highest))")
                            row.element("td", [:], "\(outcome.agree)/\(outcome.disagree)")
                            row.element("td", [:], "\(outcome.scored)/\(outcome.members)")
                            if outcome.flagged {
                                row.element("td", ["class": "flagged"], ReportLabels.panelFlagged.text(in: lang))
                            } else {
                                row.element("td", [:], "")
                            }
                        }
                    }
                }
            }
            if !report.confirmations.isEmpty {
                section.element("h3", [:], ReportLabels.confirmationsHeading.text(in: lang))
                section.wrap("ul", ["class": "confirmations"]) { list in
                    for confirmation in report.confirmations {
                        list.wrap("li", ["data-criterion": confirmation.criterion]) { li in
                            li.element("span", ["class": "criterion"], confirmation.criterion)
                            let decision = confirmation.accepted ? ReportLabels.accepted : ReportLabels.rejected
                            var text = " " + decision.text(in: lang) + " · " + confirmation.reviewer
                            if let date = confirmation.date { text += " · \(date)" }
                            if let note = confirmation.note, !note.isEmpty { text += " · " + note }
                            li.text(text)
                        }
                    }
                }
            }
        }
    }

    /// The reviewers' record: decisions with grounds, notices with objections, the certificate.
    /// (Confirmations are listed in the section before.)
    private static func reviewerRecord(_ record: ReviewerRecord, _ lang: Language, _ html: inout Markup) {
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        let en = lang == .en
        guard record.supersedes != nil || record.supersededBy != nil || !record.decisions.isEmpty || !record.notices.isEmpty
            || record.certificate != nil || record.changeState != nil
        else { return }
        html.wrap("section", ["class": "record", "id": "record"]) { section in
            section.element("h2", [:], t(ReportLabels.recordHeading))
            section.wrap("ul", ["class": "record"]) { list in
                if let id = record.supersedes { list.element("li", ["class": "corrects"], t(ReportLabels.corrects(id))) }
                if let id = record.supersededBy { list.element("li", ["class": "superseded-by"], t(ReportLabels.supersededBy(id))) }
                for d in record.decisions {
                    var text = t(ReportLabels.decisionLabel) + (en ? ": " : "：") + t(ReportLabels.decision(d.decision)) + " · " + d.decidedBy
                        + " · " + (d.decidedOn?.description ?? "—") + " · " + d.note
                    if let grounds = d.grounds, !grounds.isEmpty { text += " · " + t(ReportLabels.groundsLabel) + (en ? ": " : "：") + grounds }
                    list.element("li", ["class": "decision", "data-decision": d.decision], text)
                }
                for n in record.notices {
                    list.wrap("li", ["class": "notice", "data-state": n.state]) { li in
                        var text = t(ReportLabels.noticeLabel) + (en ? ": " : "：") + (n.startsOn?.description ?? "—") + " – "
                            + (n.endsOn?.description ?? "—") + " · " + t(ReportLabels.noticeState(n.state))
                        if let closed = n.closedOn { text += " " + closed.description }
                        li.text(text)
                        if !n.objections.isEmpty {
                            li.wrap("ul", ["class": "objections"]) { objections in
                                for o in n.objections {
                                    var line = t(ReportLabels.objectionLabel) + (en ? ": " : "：") + o.objector + " · " + (o.filedOn?.description ?? "—")
                                        + " · " + o.reason + " → " + t(ReportLabels.objectionState(o.state))
                                    if let resolution = o.resolution, !resolution.isEmpty { line += " · " + resolution }
                                    if let by = o.resolvedBy { line += " · " + by + (o.resolvedOn.map { " " + $0.description } ?? "") }
                                    objections.element("li", ["class": "objection", "data-state": o.state], line)
                                }
                            }
                        }
                    }
                }
                if let certificate = record.certificate {
                    list.element("li", ["class": "certificate", "data-certificate": certificate.number], t(ReportLabels.certificateLine(certificate)))
                }
                if let state = record.changeState {
                    list.element("li", ["class": "change", "data-state": state],
                                 t(ReportLabels.changeLabel) + (en ? ": " : "：") + t(ReportLabels.changeState(state)))
                }
            }
        }
    }

    /// A self-check's last section: what the reviewers will judge, each with the evidence that helps.
    private static func toJudge(_ report: ReviewReport, _ lang: Language, _ html: inout Markup) {
        html.wrap("section", ["class": "to-confirm", "id": "to-confirm"]) { section in
            section.element("h2", [:], SelfCheck.judgeHeading.text(in: lang))
            let pending = report.summary.toConfirm
            if pending.isEmpty {
                section.element("p", [:], SelfCheck.nothingToJudge.text(in: lang))
                return
            }
            section.wrap("ol", ["class": "pending"]) { list in
                for item in pending {
                    let (judge, helps) = SelfCheck.guidance(item, declarations: report.declarations)
                    list.wrap("li", ["data-criterion": item.finding.criterion]) { li in
                        li.element("span", ["class": "verdict \(item.finding.verdict.rawValue)"],
                                   ReportLabels.verdict(item.finding.verdict).text(in: lang))
                        li.text(" " + SelfCheck.willJudge.text(in: lang) + judge.text(in: lang))
                        li.element("p", ["class": "helps"], SelfCheck.helpsLabel.text(in: lang) + helps.text(in: lang))
                    }
                }
            }
        }
    }

    // MARK: Helpers

    /// `text (inner)` in English, `text（inner）` in Chinese.
    private static func parenthesized(_ text: String, _ inner: String, _ lang: Language) -> String {
        lang == .en ? "\(text) (\(inner))" : "\(text)（\(inner)）"
    }

    private static func row(_ html: inout Markup, _ label: String, _ value: String) {
        html.wrap("tr") { tr in
            tr.element("th", [:], label)
            tr.element("td", [:], value)
        }
    }

    /// A JSON value for people: numbers exact, objects as `key: value` pairs in key order.
    public static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "—"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return "\(number)"
        case .string(let text): return text
        case .array(let items): return items.isEmpty ? "[]" : items.map(describe).joined(separator: ", ")
        case .object(let members):
            return members.keys.sorted().map { "\($0): \(describe(members[$0]!))" }.joined(separator: "; ")
        }
    }

    /// A link target that stays inside the report folder: a relative path without a scheme;
    /// anything else becomes `#`.
    static func safeHref(_ href: String) -> String {
        let lowered = href.lowercased()
        if href.isEmpty || href.hasPrefix("/") || href.hasPrefix("\\") || lowered.contains(":") { return "#" }
        return href
    }

    // MARK: Style

    /// The whole stylesheet, inline in a report file (and served as a file by the web door, whose
    /// pages allow no inline style); holds no `<` or `&` so it is valid XML text too.
    public static let stylesheet = """
        * { box-sizing: border-box; }
        body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
               color: #1d1d1f; margin: 0 auto; max-width: 60rem; padding: 1.5rem; line-height: 1.5; font-size: 14px; }
        h1 { font-size: 1.6rem; margin: 0.2rem 0 0.8rem; }
        h2 { font-size: 1.2rem; border-bottom: 2px solid #ccc; padding-bottom: 0.2rem; margin-top: 1.6rem; }
        h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
        h4 { font-size: 0.95rem; margin: 0 0 0.3rem; }
        .doc-title { color: #555; margin: 0; }
        .self-check-notice { border: 2px dashed #2458a6; padding: 0.5rem 0.8rem; margin: 0.4rem 0; font-weight: bold; }
        .helps { margin: 0.1rem 0 0 1rem; color: #333; font-size: 0.9rem; }
        .stamp { color: #555; font-size: 0.8rem; margin: 0.1rem 0 0; overflow-wrap: anywhere; }
        .recommendation { border: 3px solid #666666; border-radius: 6px; padding: 0.7rem 1rem; margin: 0.6rem 0 1rem; font-size: 1.2rem; }
        .recommendation .label { display: block; font-size: 0.85rem; color: #555; }
        .recommendation ul.reasons { font-size: 0.9rem; margin: 0.4rem 0 0; padding-left: 1.2rem; }
        .recommendation .pending-count { font-size: 0.9rem; margin: 0.3rem 0 0; }
        .recommendation code { margin-left: 0.6rem; font-size: 0.8rem; color: #555; }
        .recommendation.recommended { border-color: #1b7f3b; background: #eef8f1; }
        .recommendation.needs_review { border-color: #2458a6; background: #eef3fb; }
        .recommendation.not_recommended { border-color: #a15c00; background: #fdf4e8; }
        .recommendation.rejected_by_veto { border-color: #b3261e; background: #fbeceb; }
        table { border-collapse: collapse; }
        th, td { text-align: left; padding: 0.2rem 0.6rem; vertical-align: top; border-bottom: 1px solid #e2e2e2; }
        .facts th { color: #555; font-weight: normal; white-space: nowrap; }
        .num { text-align: right; }
        .radar-box svg.radar { display: inline-block; vertical-align: middle; margin-right: 1rem; max-width: 100%; height: auto; }
        .radar-box table.scores { display: inline-table; vertical-align: middle; }
        svg text { font-family: inherit; }
        figure.chart { display: inline-block; vertical-align: top; margin: 0 0.6rem 0.6rem 0; border: 1px solid #e2e2e2;
                       padding: 0.4rem; width: 312px; }
        .key { white-space: nowrap; }
        .key.s0 { color: #2458a6; }
        .key.s1 { color: #c26a00; }
        figcaption { font-size: 0.8rem; }
        .module { margin-bottom: 0.8rem; }
        .module-error { color: #b3261e; font-weight: bold; }
        article.finding { border-left: 4px solid #666666; padding: 0.3rem 0.7rem; margin: 0.4rem 0; background: #fafafa; }
        article.finding.pass { border-left-color: #1b7f3b; }
        article.finding.fail, article.finding.error { border-left-color: #b3261e; }
        article.finding.warn { border-left-color: #a15c00; }
        article.finding.manual { border-left-color: #2458a6; }
        .criterion { font-family: monospace; font-weight: bold; }
        .verdict { font-size: 0.8rem; padding: 0 0.35rem; border-radius: 3px; border: 1px solid currentColor; margin-left: 0.3rem; }
        .verdict.pass { color: #1b7f3b; }
        .verdict.fail, .verdict.error { color: #b3261e; }
        .verdict.warn { color: #a15c00; }
        .verdict.manual { color: #2458a6; }
        .verdict.not_applicable { color: #666666; }
        .score { float: right; color: #555; font-weight: normal; }
        .message { margin: 0.2rem 0; }
        dl { margin: 0.2rem 0; font-size: 0.85rem; }
        dt { color: #555; float: left; clear: left; width: 7.5rem; }
        dd { margin: 0 0 0.1rem 8rem; overflow-wrap: anywhere; }
        .to-confirm li { margin: 0.3rem 0; }
        .hint { color: #555; font-size: 0.85rem; }
        .rec.recommended { color: #1b7f3b; }
        .rec.needs_review { color: #2458a6; }
        .rec.not_recommended { color: #a15c00; }
        .rec.rejected_by_veto { color: #b3261e; }
        footer { margin-top: 2rem; color: #666; font-size: 0.8rem; border-top: 1px solid #ccc; padding-top: 0.5rem; }
        @page { size: A4; margin: 15mm 14mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 10.5pt; }
          .recommendation, article.finding, figure.chart, svg, .to-confirm li, tr { break-inside: avoid; page-break-inside: avoid; }
          .radar-box svg.radar { display: block; width: 110mm; height: auto; margin: 0 auto; }
          .radar-box table.scores { display: table; margin: 0 auto; }
          h2, h3 { break-after: avoid; page-break-after: avoid; }
          section.findings { break-before: page; page-break-before: always; }
          thead { display: table-header-group; }
          article.finding, .recommendation { background: none; }
          a { color: inherit; text-decoration: none; }
        }
        """
}
