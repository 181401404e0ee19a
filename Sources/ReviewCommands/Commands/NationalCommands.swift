import Foundation
import IndicatorKit
import Postgres
import Reports
import ClusterStandard
import ReviewCore
import Rulebooks

/// The national recommendation on the command line: `national review|list|export` (issue 18
/// item 2; sql/141). Thin calls into `ReviewCore.NationalRecommendation`: the database queues the
/// reviews (reviewers and administrators), the coordinator runs them, and each reader sees what
/// row-level security lets them see (a county its own entries).
enum NationalCommands {
    static var all: [Command] { [review, list, export] }

    static let rulebookOption = OptionSpec.value("--rulebook", "NAME", "The national rulebook (default national-2022) · 国家标准规则集")
    static let roundOption = OptionSpec.value("--round", "ROUND", "Only the register entries recognized from this round (id or name) · 仅该批次认定的集群")
    static let noRulebook = ExitUse.dataError("no rulebook of that name in config/parameters.json, no such round, or no such register entry")

    static let review = Command(
        words: ["national", "review"],
        summary: "Queue national reviews of the register's active entries · 排队国家级推荐审核",
        details: """
            Queues, for each active register entry (those of --round, or those of --clusters), a review
            of the filing that opened its current term under the national standard (--rulebook, default
            national-2022), as of --as-of (default: the filing's date). The coordinator (serve) runs it
            through the same modules as every review. A national review changes nothing of the filing,
            its decision review, its confirmations or the register. An entry that already has a national
            review under the same rulebook and as-of date, queued or completed, is not queued twice; the
            output says so. Reviewers and administrators.
            """,
        examples: [
            "cluster-review national review", "cluster-review national review --round 2026年第一批",
            "cluster-review national review --clusters 3,7 --as-of 2026-09-30",
        ],
        options: [
            roundOption,
            .value("--clusters", "ID,…", "Only these register entries (ids, comma-separated) · 仅这些集群"),
            rulebookOption,
            .value("--as-of", "DATE", "The as-of date of the reviews (default: each filing's date) · 评审基准日"),
            .flag("--json", "Print JSON · 输出 JSON"),
        ],
        exits: [noRulebook] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let clusters = try Self.clusters(invocation)
            guard clusters == nil || invocation.value("--round") == nil else {
                throw UsageError(message: "give --clusters or --round, not both", command: "national review", zh: "--clusters 与 --round 只能给出其一")
            }
            let asOf = try invocation.day("--as-of")
            let rulebook = try Self.rulebook(invocation)
            return try invocation.withLifecycle { _, connection in
                var selection = NationalRecommendation.Selection.all
                if let clusters { selection = .clusters(clusters) }
                if let round = try Self.round(invocation, connection) { selection = .round(round) }
                let queued = try NationalRecommendation.queue(selection, rulebook: rulebook, asOf: asOf, on: connection)
                if invocation.flag("--json") {
                    try invocation.console.printJSON(queued, snakeCaseKeys: true)
                    return ExitCode.success
                }
                for item in queued { invocation.console.print(Self.line(item, language: invocation.language)) }
                let fresh = queued.filter { $0.outcome == .queued }.count
                invocation.say("共 \(queued.count) 个集群，新排队 \(fresh) 个（规则集 \(rulebook)）；由协调服务（serve）执行",
                               "\(queued.count) register entries, \(fresh) queued now (rulebook \(rulebook)); the coordinator (serve) runs them")
                return ExitCode.success
            }
        })

    static let list = Command(
        words: ["national", "list"],
        summary: "Rank the candidates for the national recommendation · 国家级推荐候选排序",
        details: """
            The active register entries you may see, ranked: reviewed under the national rulebook with no
            failed criterion and no module error first (criteria left to people are counted apart; the
            national standard has no figures for groups 3 to 8), then by score (the mean score of the
            criteria the modules decided), then by the latest year's output, then by certificate number
            (docs/rules.md). Each line names the criteria missed and the province's own recommendation.
            """,
        examples: ["cluster-review national list", "cluster-review national list --json", "cluster-review national list --csv --lang en"],
        options: [
            roundOption, rulebookOption,
            .flag("--json", "Print JSON · 输出 JSON"),
            .flag("--csv", "Print the summary as CSV · 输出 CSV"),
        ],
        exits: [noRulebook] + ExitUse.database,
        run: { invocation in
            guard !(invocation.flag("--json") && invocation.flag("--csv")) else {
                throw UsageError(message: "give at most one of --json and --csv", command: "national list", zh: "--json 与 --csv 最多只能选一个")
            }
            let rulebook = try Self.rulebook(invocation)
            let connection = try invocation.connect()
            defer { connection.close() }
            let summary = try NationalRecommendation.summary(rulebook: rulebook, round: try Self.round(invocation, connection), on: connection)
            if invocation.flag("--json") {
                try invocation.console.printJSON(summary, snakeCaseKeys: true)
            } else if invocation.flag("--csv") {
                invocation.console.print(String(NationalCSV.render(summary, language: invocation.language).dropFirst().dropLast()))
            } else {
                invocation.console.print(Self.text(summary, language: invocation.language))
                invocation.console.print(ReportStamp(generatedAt: invocation.now).line(in: invocation.language))
            }
            return ExitCode.success
        })

    static let export = Command(
        words: ["national", "export"],
        summary: "Write the recommendation summary (推荐汇总表) as HTML and CSV · 导出推荐汇总表",
        details: """
            Writes DIR/national-summary.html (self-contained, prints on A4 landscape; Chinese unless --lang
            en) and DIR/national-summary.csv (UTF-8 with a byte-order mark, CRLF, RFC 4180 quoting, a field
            a spreadsheet would run as a formula defused): per entry, in rank order, the criteria met and
            missed under the national rulebook, the province's own recommendation and decision, and the
            criteria where the two rulebooks differ.
            """,
        examples: ["cluster-review national export --out recommendation", "cluster-review national export --out recommendation --lang en"],
        options: [
            .value("--out", "DIR", "Where to write the two files (required) · 输出目录（必填）"),
            roundOption, rulebookOption,
        ],
        exits: [noRulebook] + ExitUse.database + [.cannotCreate],
        run: { invocation in
            let directory = try invocation.required("--out")
            let rulebook = try Self.rulebook(invocation)
            let connection = try invocation.connect()
            defer { connection.close() }
            let summary = try NationalRecommendation.summary(rulebook: rulebook, round: try Self.round(invocation, connection), on: connection)
            let folder = try OutputFile.folder(directory)
            let html = folder.appendingPathComponent("national-summary.html").path
            let csv = folder.appendingPathComponent("national-summary.csv").path
            try OutputFile.write(Data(NationalPage.render(summary, language: invocation.language, generatedAt: invocation.now).utf8), to: html)
            try OutputFile.write(Data(NationalCSV.render(summary, language: invocation.language).utf8), to: csv)
            invocation.say("已生成 \(html)", "wrote \(html)")
            invocation.say("已生成 \(csv)", "wrote \(csv)")
            return ExitCode.success
        })

    // MARK: options

    /// `--clusters 3,7`: positive ids; a usage error otherwise.
    static func clusters(_ invocation: Invocation) throws -> [Int64]? {
        guard let text = invocation.value("--clusters") else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let ids = parts.compactMap { Int64($0) }.filter { $0 > 0 }
        guard !parts.isEmpty, ids.count == parts.count else {
            throw UsageError(message: "--clusters takes register entry ids separated by commas, e.g. 3,7, not '\(text)'",
                             command: "national review", zh: "--clusters 应为以逗号分隔的集群编号，例如 3,7，而不是 '\(text)'")
        }
        return ids
    }

    /// `--rulebook`, checked against config/parameters.json (65 when it names none there).
    static func rulebook(_ invocation: Invocation) throws -> String {
        let name = invocation.value("--rulebook") ?? NationalRecommendation.defaultRulebook
        do {
            _ = try invocation.rulebookLibrary().rulebook(named: name)
        } catch let error as RulebookError {
            throw CommandFailure(zh: "规则集有误：\(error.message.zh)", en: "rulebook: \(error.message.en)", exitCode: ExitCode.dataError)
        }
        return name
    }

    /// `--round`: the round's id (65 when there is none of that id or name).
    static func round(_ invocation: Invocation, _ connection: PostgresConnection) throws -> Int64? {
        guard let text = invocation.value("--round") else { return nil }
        guard let round = try Rounds.round(text, on: connection) else {
            throw CommandFailure(zh: "没有批次 \(text)", en: "no round \(text)", exitCode: ExitCode.dataError)
        }
        return round.id
    }

    // MARK: text

    static func line(_ item: NationalRecommendation.Queued, language: Language) -> String {
        let review = item.reviewId.map { language == .en ? " (review \($0))" : "（审核 \($0)）" } ?? ""
        let what: String
        switch item.outcome {
        case .queued: what = language == .en ? "queued" : "已排队"
        case .alreadyQueued: what = language == .en ? "already queued, not queued twice" : "已在队列中，不重复排队"
        case .alreadyReviewed: what = language == .en ? "already reviewed under this rulebook and as-of date, not queued twice" : "已按该规则集和基准日审核，不重复排队"
        case .busy: what = language == .en ? "another review of its filing is in the queue: ask again when it is done" : "该申报另有审核在队列中，请待其完成后再排队"
        case .notActive: what = language == .en ? "not active (expired or revoked): not a candidate" : "非有效状态（已到期或已撤销），不作为候选"
        }
        return "\(item.certificateNo) · \(language == .en ? "filing" : "申报") \(item.filingId): \(what)\(review)"
    }

    static func text(_ summary: NationalSummary, language lang: Language) -> String {
        typealias L = NationalLabels
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        var out = ["\(t(L.title)) — \(t(L.rulebook)) \(summary.rulebook)"]
        if summary.candidates.isEmpty { out.append(t(L.noCandidates)) }
        var table = TextTable(headers: [t(L.rank), t(L.certificate), t(L.cluster), t(L.county), t(L.eligible), t(L.score), t(L.output),
                                        t(L.missed), t(L.manual), t(L.province)])
        for c in summary.candidates {
            table.rows.append([
                String(c.rank), c.certificateNo, c.name, L.county(c.countyCode, lang),
                c.reviewed ? t(c.eligible ? L.yes : L.no) : t(L.notReviewed),
                c.score.map { Readable.number($0, places: 2) } ?? "—", L.output(c.outputWan, lang),
                c.reviewed ? L.list(c.missed, lang) + (c.errors.isEmpty ? "" : " · \(t(L.errors)) \(c.errors.count)") : "—",
                c.reviewed ? String(c.manual.count) : "—",
                L.recommendation(c.provinceRecommendation, lang),
            ])
        }
        if !summary.candidates.isEmpty { out.append(table.render()) }
        for c in summary.candidates where !c.differences.isEmpty {
            out.append("\(c.certificateNo) — \(t(L.differences)): " + c.differences.map {
                "\($0.criterion) \(L.verdict($0.province, lang)) → \(L.verdict($0.national, lang))"
            }.joined(separator: lang == .en ? "; " : "；"))
        }
        out.append(t(L.scoreNote))
        return out.joined(separator: "\n")
    }
}
