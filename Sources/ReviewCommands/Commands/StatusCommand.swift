import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard
import Reports
import Rulebooks
import JSONCore

/// `status [ID]` and `report ID`.
enum StatusCommand {
    static let status = Command(
        words: ["status"],
        summary: "Show the queue and coordinators, or one filing's standing · 查看队列或申报状态",
        synopsis: "[ID]",
        details: """
            Without an id: the submissions waiting to be checked, queue depth by state, the reviews waiting
            for an unavailable module (by module), the age of the oldest queued review, throughput over the
            last minute, the latest reviews that failed for good with their errors, and each live
            coordinator's modules: workers and circuit (open: failing, with why and when the next probe is).
            With an id: that filing's status (a returned filing that was corrected: "superseded by N"), its
            review's state and what it means for the filing's kind, the last error if any, and the
            reviewers' record: confirmations (who, when, verdict, note), what still awaits confirmation,
            decisions with their grounds, public notices with objections and their resolution, the
            certificate number and term. A coordinator's "completed" is counted from the reviews it wrote.
            """,
        examples: ["cluster-review status", "cluster-review status 17 --json"],
        options: [.flag("--json", "Print JSON · 输出 JSON")],
        positionals: 0...1,
        exits: [.dataError("no such filing")] + ExitUse.database,
        run: { invocation in
            let connection = try invocation.connect()
            defer { connection.close() }
            let console = invocation.console
            let language = invocation.language
            func say(_ zh: String, _ en: String) { console.print(language == .en ? en : zh) }
            if let text = invocation.positionals.first {
                let id = try filingId(text)
                guard let filing = try ReviewRecords.status(of: id, on: connection) else {
                    throw CommandFailure(zh: "没有编号为 \(id) 的申报", en: "no filing \(id)", exitCode: ExitCode.dataError)
                }
                let record = try ReviewerRecords.load(filing: id, on: connection)
                if invocation.flag("--json") {
                    try console.printJSON(StatusWithRecord(filing: filing, record: record))
                    return ExitCode.success
                }
                let kind = FilingKind(rawValue: filing.kind).map { ReportLabels.kind($0).text(in: language) } ?? filing.kind
                let status = ReportLabels.status(filing.status).text(in: language)
                say("申报 \(filing.id)：\(filing.clusterName)（\(kind)，县区 \(filing.countyCode)，\(filing.filedOn) 提交）",
                    "filing \(filing.id): \(filing.clusterName) (\(kind), county \(filing.countyCode), filed \(filing.filedOn))")
                let superseded = filing.supersededBy.map { " · " + ReportLabels.supersededBy($0).text(in: language) } ?? ""
                say("状态：\(status)\(superseded)", "status: \(status)\(superseded)")
                if let state = filing.queueState {
                    let words = ReportLabels.status(state).text(in: language)
                    say("审核：\(words)（第 \(filing.attempts ?? 0) 次）", "review: \(words) (attempt \(filing.attempts ?? 0))")
                }
                if let recommendation = filing.recommendation {
                    let meaning = record?.outcome?.text(in: language)
                        ?? ReviewSummary.Recommendation(rawValue: recommendation)?.outcome(for: filing.kind, language: language)
                    say("建议：\(meaning ?? recommendation)（审核 \(filing.reviewId ?? 0)）",
                        "recommendation: \(meaning ?? recommendation) (review \(filing.reviewId ?? 0))")
                } else if filing.outcome == "failed" {
                    say("审核失败（审核 \(filing.reviewId ?? 0)）", "review failed (review \(filing.reviewId ?? 0))")
                }
                if let error = filing.lastError { say("最近错误：\(error)", "last error: \(error)") }
                for line in record?.lines(language: language) ?? [] { console.print(line) }
                return ExitCode.success
            }
            let statistics = try ReviewQueue.statistics(on: connection)
            let coordinators = try CoordinatorRecords.live(on: connection)
            if invocation.flag("--json") {
                struct Snapshot: Encodable { var queue: QueueStatistics; var coordinators: [CoordinatorRecord] }
                try console.printJSON(Snapshot(queue: statistics, coordinators: coordinators))
                return ExitCode.success
            }
            say("提交入口：\(statistics.pendingSubmissions) 份提交待检查",
                "door: \(statistics.pendingSubmissions) submissions waiting to be checked")
            say("队列：\(statistics.queued) 排队，\(statistics.running) 审核中，\(statistics.waitingForRetry) 等待重试",
                "queue: \(statistics.queued) queued, \(statistics.running) running, \(statistics.waitingForRetry) waiting to retry")
            say("最早排队：\(statistics.oldestQueuedSeconds.map { "\($0) 秒前" } ?? "—")",
                "oldest queued: \(statistics.oldestQueuedSeconds.map { "\($0)s" } ?? "—")")
            say("近一分钟完成：\(statistics.completedLastMinute)", "finished in the last minute: \(statistics.completedLastMinute)")
            say("累计：\(statistics.completedTotal) 完成，\(statistics.failedTotal) 失败",
                "totals: \(statistics.completedTotal) completed, \(statistics.failedTotal) failed")
            if !statistics.deferredByModule.isEmpty {
                let waiting = statistics.deferredByModule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                say("等待模块：\(waiting)", "waiting for a module: \(waiting)")
            }
            for failure in statistics.recentFailures {
                let when = failure.finishedAt.prefix(19), error = failure.lastError.prefix(300)
                say("审核失败：申报 \(failure.filingId)（审核 \(failure.reviewId)，\(failure.attempts) 次，\(when)）：\(error)",
                    "failed: filing \(failure.filingId) (review \(failure.reviewId), \(failure.attempts) attempt\(failure.attempts == 1 ? "" : "s"), \(when)): \(error)")
            }
            if coordinators.isEmpty { say("协调服务：无运行中的协调服务", "coordinators: none running") }
            for coordinator in coordinators {
                say("协调服务 \(coordinator.name)：\(coordinator.inFlight) 件审核中，\(coordinator.completed) 件完成，心跳 \(coordinator.heartbeatAgeSeconds) 秒前",
                    "coordinator \(coordinator.name): \(coordinator.inFlight) in flight, \(coordinator.completed) completed, heartbeat \(coordinator.heartbeatAgeSeconds)s ago")
                for module in coordinator.modules {
                    let id = module.id.padding(toLength: 18, withPad: " ", startingAt: 0)
                    let state = module.state.padding(toLength: 10, withPad: " ", startingAt: 0)
                    var zh = "  \(id) \(state) 进程 \(module.workers) 重启 \(module.restarts) 完成 \(module.served) 失败 \(module.failed)"
                    var en = "  \(id) \(state) workers \(module.workers) restarts \(module.restarts) served \(module.served) failed \(module.failed)"
                    let open = module.circuit.map { $0 != "closed" } ?? false
                    zh += open ? " 熔断：已断开" : " 熔断：正常"
                    en += " circuit \(module.circuit ?? "closed")"
                    if let retry = module.retryInSeconds { zh += "，\(retry) 秒后探测"; en += ", probe in \(retry)s" }
                    if let reason = module.reason { zh += "（\(reason.prefix(200))）"; en += " (\(reason.prefix(200)))" }
                    if let waiting = statistics.deferredByModule[module.id] { zh += " · \(waiting) 件等待"; en += " · \(waiting) reviews waiting" }
                    say(zh, en)
                }
            }
            return ExitCode.success
        })

    static let list = Command(
        words: ["list"],
        summary: "List filings, newest first, by status or county · 列出申报",
        details: "One line per filing: id, county, kind, status, recommendation of its latest review, cluster name.",
        examples: ["cluster-review list --status reviewed", "cluster-review list --county 469005 --json"],
        options: [
            .value("--status", "STATUS", "Only filings in this status (\(FilingStatus.statuses.joined(separator: ", "))) · 按状态"),
            .value("--county", "CODE", "Only filings of this county-level division · 按县区"),
            .value("--limit", "N", "At most N filings (default 200) · 条数"),
            .flag("--json", "One JSON array of the filings · 输出 JSON"),
        ],
        exits: ExitUse.database,
        run: { invocation in
            let limit = Int(invocation.value("--limit") ?? "200") ?? -1
            guard limit > 0 else { throw UsageError(message: "--limit takes a positive number", command: "list", zh: "--limit 应为正整数") }
            if let status = invocation.value("--status"), !FilingStatus.statuses.contains(status) {
                let hint = ArgumentParser.nearest(status, among: FilingStatus.statuses).map { "; did you mean '\($0)'?" } ?? ""
                let zhHint = ArgumentParser.nearest(status, among: FilingStatus.statuses).map { "；是否要写 '\($0)'？" } ?? ""
                throw UsageError(
                    message: "--status takes one of \(FilingStatus.statuses.joined(separator: ", ")), not '\(status)'\(hint)",
                    command: "list",
                    zh: "--status 应为以下之一：\(FilingStatus.statuses.joined(separator: "、"))，而不是 '\(status)'\(zhHint)")
            }
            if let county = invocation.value("--county"), HainanCounty.named(county) == nil {
                throw UsageError(
                    message: "--county takes a county-level code of Hainan, not '\(county)' (cluster-review counties lists all 26)",
                    command: "list",
                    zh: "--county 应为海南省县级行政区代码，而不是 '\(county)'（cluster-review counties 列出全部 26 个）")
            }
            let connection = try invocation.connect()
            defer { connection.close() }
            let filings = try ReviewRecords.list(
                status: invocation.value("--status"), county: invocation.value("--county"), limit: limit, on: connection)
            if invocation.flag("--json") {
                try invocation.console.printJSON(filings)
                return ExitCode.success
            }
            let language = invocation.language, en = language == .en
            var table = TextTable(headers: en ? ["ID", "county", "kind", "status", "recommendation", "cluster"]
                                              : ["编号", "县区", "类型", "状态", "建议", "集群"])
            for filing in filings {
                let kind = FilingKind(rawValue: filing.kind).map { ReportLabels.kind($0).text(in: language) } ?? filing.kind
                let recommendation = filing.recommendation.map { code in
                    ReviewSummary.Recommendation(rawValue: code)?.outcome(for: filing.kind, language: language) ?? code
                }
                table.rows.append([String(filing.id), filing.countyCode, kind, ReportLabels.status(filing.status).text(in: language),
                                   recommendation ?? "—", filing.clusterName])
            }
            invocation.console.print(table.render())
            invocation.console.print(en ? "\(filings.count) filing\(filings.count == 1 ? "" : "s")" : "共 \(filings.count) 件申报")
            invocation.console.print(ReportStamp(generatedAt: invocation.now).line(in: invocation.language))
            return ExitCode.success
        })

    static let report = Command(
        words: ["report"],
        summary: "A filing's scorecard in the terminal, or HTML reports · 打印或生成审核报告",
        synopsis: "ID | --all --html DIR",
        details: """
            The latest finished review of the filing: the recommendation, each indicator's verdict and
            score, then every finding, failing and manual ones first, with observed values, bound and
            citation, then the reviewers' record: confirmations (who, when, verdict, note), what still
            awaits confirmation, decisions with their grounds, public notices with objections and their
            resolution, the certificate number and term. An annual report reads "recorded (monitoring)",
            a change report "awaiting acceptance" (or its acceptance). Chinese by default; --lang en for
            English. With --html FILE, one self-contained HTML file (no network, prints on A4). With
            --all --html DIR, a report for every reviewed filing and an index.html linking them. With
            --diff, what changed from the returned filing this corrected filing supersedes: the
            document field by field (old → new) and the findings whose verdict changed (--html FILE
            writes it as a page, --json prints it).
            """,
        examples: [
            "cluster-review report 17", "cluster-review report 17 --lang en", "cluster-review report 17 --json",
            "cluster-review report 17 --html report-17.html", "cluster-review report --all --html reports",
            "cluster-review report 18 --diff", "cluster-review report 18 --diff --html diff-18.html",
        ],
        options: [
            .flag("--json", "Print the findings, summary and record as JSON · 输出 JSON"),
            .value("--html", "PATH", "Write an HTML report (a file; with --all, a folder) · 生成 HTML 报告"),
            .flag("--all", "Every reviewed filing, with --html DIR · 全部申报"),
            .flag("--diff", "What changed from the filing this one corrects · 与被更正申报的差异"),
        ],
        positionals: 0...1,
        exits: [.dataError("no such filing, it has no finished review, or (--diff) it corrects no filing")] + ExitUse.database + [.cannotCreate],
        run: { invocation in
            let console = invocation.console
            if invocation.flag("--all") {
                guard let directory = invocation.value("--html"), invocation.positionals.isEmpty else {
                    throw UsageError(message: "--all needs --html DIR and no ID", zh: "--all 须与 --html DIR 一起使用，且不写申报编号")
                }
                let connection = try invocation.connect()
                defer { connection.close() }
                let folder = try OutputFile.folder(directory)
                let ids = try ReviewRecords.reviewedFilings(on: connection)
                let reports = try ReviewReport.load(filings: ids, on: connection) { done, total in
                    console.progress("报告 reports \(done)/\(total)", final: done == total)
                }
                let index = try HTMLReport.write(reports, to: folder, language: invocation.language, generatedAt: invocation.now)
                invocation.say("已生成 \(reports.count) 份报告及索引 \(index.path)", "wrote \(reports.count) reports and \(index.path)")
                return ExitCode.success
            }
            guard let text = invocation.positionals.first else { throw UsageError(message: "give a filing ID, or --all --html DIR", zh: "请给出申报编号，或用 --all --html DIR") }
            let connection = try invocation.connect()
            defer { connection.close() }
            let id = try filingId(text)
            if invocation.flag("--diff") {
                let diff: FilingDiff
                do { diff = try CorrectionDiffs.diff(of: id, on: connection) } catch let failure as CorrectionDiffs.Failure {
                    switch failure {
                    case .noFiling: throw CommandFailure(zh: "没有编号为 \(id) 的申报", en: failure.description, exitCode: ExitCode.dataError)
                    case .correctsNothing:
                        throw CommandFailure(zh: "申报 \(id) 没有更正任何申报（材料中没有 supersedes）", en: failure.description, exitCode: ExitCode.dataError)
                    }
                }
                if let path = invocation.value("--html") {
                    try OutputFile.write(Data(HTMLReport.renderDiff(diff, language: invocation.language, generatedAt: invocation.now).utf8), to: path)
                    invocation.say("已生成 \(path)", "wrote \(path)")
                } else if invocation.flag("--json") {
                    try console.printJSON(diff)
                } else {
                    for line in diff.lines(language: invocation.language) { console.print(line) }
                }
                return ExitCode.success
            }
            if let path = invocation.value("--html") {
                guard let report = try ReviewReport.load(filing: id, on: connection) else { throw noReview(id) }
                try OutputFile.write(Data(HTMLReport.render(report, language: invocation.language, generatedAt: invocation.now).utf8), to: path)
                invocation.say("已生成 \(path)", "wrote \(path)")
                return ExitCode.success
            }
            guard let record = try ReviewRecords.latestReview(of: id, on: connection) else { throw noReview(id) }
            let reviewers = try ReviewerRecords.load(filing: id, on: connection)
            if invocation.flag("--json") {
                struct Shape: Encodable {
                    var filing: FilingStatus; var summary: ReviewSummary?; var rulebook: String?; var rulebook_hash: String?
                    var as_of: String?; var findings: [ReadableFinding]; var record: ReviewerRecord?
                }
                let shape = Shape(filing: record.filing, summary: record.summary, rulebook: record.rulebook,
                                  rulebook_hash: record.rulebookHash, as_of: record.asOf,
                                  findings: record.findings.map { ReadableFinding($0, declarations: record.declarations) }, record: reviewers)
                try console.printJSON(shape)
                return ExitCode.success
            }
            console.print(TerminalReport.render(record, reviewers: reviewers, language: invocation.language, console: console, generatedAt: invocation.now))
            // The expert panel's result, which the reviewer confirms from (issue 17).
            let panel = try Panels.readableResults(filing: id, on: connection)
            if !panel.isEmpty {
                let zh = invocation.language == .zh
                console.print(zh ? "专家组评审结果：" : "The expert panel's result:")
                for result in panel {
                    let flag = result.flagged ? (zh ? "  分差过大，需讨论" : "  spread above the bound: to discuss") : ""
                    console.print(zh
                        ? "  \(result.criterion)  中位数 \(result.median)  分差 \(result.spread)（\(result.lowest)–\(result.highest)）  同意 \(result.agree)  不同意 \(result.disagree)  已评 \(result.scored)/\(result.members)\(flag)"
                        : "  \(result.criterion)  median \(result.median)  spread \(result.spread) (\(result.lowest)–\(result.highest))  agree \(result.agree)  disagree \(result.disagree)  scored \(result.scored)/\(result.members)\(flag)")
                }
            }
            return ExitCode.success
        })

    static func noReview(_ id: Int64) -> CommandFailure {
        CommandFailure(
            zh: "申报 \(id) 不存在或尚无完成的审核", en: "filing \(id) does not exist or has no finished review yet",
            exitCode: ExitCode.dataError)
    }

    static func filingId(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw UsageError(message: "'\(text)' is not a filing id (a positive number)", zh: "'\(text)' 不是申报编号（应为正整数）")
        }
        return id
    }
}

/// The scorecard in the terminal.
enum TerminalReport {
    static func render(_ record: ReviewRecord, reviewers: ReviewerRecord? = nil, language: Language, console: Console, generatedAt: Date) -> String {
        let en = language == .en
        var lines: [String] = []
        let filing = record.filing
        lines.append(console.styled("\(en ? "Filing" : "申报") \(filing.id) · \(filing.clusterName)", .bold))
        let kind = FilingKind(rawValue: filing.kind).map { ReportLabels.kind($0).text(in: language) } ?? filing.kind
        let county = ReviewReport.County(code: filing.countyCode)
        lines.append("\(kind) · \(county.name.text(in: language))（\(filing.countyCode)）· \(en ? "filed" : "申报日期") \(filing.filedOn) · \(en ? "status" : "状态") \(ReportLabels.status(filing.status).text(in: language))"
            .replacingOccurrences(of: "（", with: en ? " (" : "（").replacingOccurrences(of: "）", with: en ? ") " : "）"))
        let stamp = ReportStamp(
            generatedAt: generatedAt,
            rulebooks: [record.rulebook.flatMap { name in
                record.rulebookHash.flatMap { hash in
                    record.asOf.flatMap(CivilDate.init).map { ReviewReport.RulebookReference(name: name, hash: hash, asOf: $0) }
                }
            }].compactMap { $0 },
            asOf: record.asOf.flatMap(CivilDate.init), filingHash: record.contentHash)
        lines.append(console.styled(stamp.line(in: language, hashLength: 16), .dim))
        if let summary = record.summary {
            let recommendation = summary.recommendation
            let style: Console.Style = recommendation == .recommended ? .green : recommendation == .needsReview ? .yellow : .red
            let kind = FilingKind(rawValue: filing.kind) ?? .initial
            let outcome = reviewers?.outcome ?? ReportLabels.outcome(recommendation, kind: kind)
            lines.append(console.styled((en ? "Recommendation: " : "建议：") + outcome.text(in: language), style))
            lines.append("")
            for indicator in summary.indicators {
                lines.append("  " + record.declarations.title(ofModule: indicator.module).text(in: language) + " · "
                    + ReportLabels.verdict(indicator.verdict).text(in: language) + " · "
                    + (en ? "score " : "得分 ") + (indicator.score.map(String.init) ?? "—"))
            }
        }
        let order: [Verdict] = [.fail, .error, .manual, .warn, .pass, .notApplicable]
        let sorted = record.findings.sorted {
            (order.firstIndex(of: $0.finding.verdict) ?? 9, $0.module, $0.finding.criterion)
                < (order.firstIndex(of: $1.finding.verdict) ?? 9, $1.module, $1.finding.criterion)
        }
        lines.append("")
        for item in sorted {
            let finding = item.finding
            var mark: String
            switch finding.verdict {
            case .fail: mark = console.styled("✘", .red)
            case .error: mark = console.styled("!", .red)
            case .manual: mark = console.styled("?", .yellow)
            case .warn: mark = console.styled("~", .yellow)
            case .pass: mark = console.styled("✔", .green)
            case .notApplicable: mark = console.styled("-", .dim)
            }
            mark += " " + ReportLabels.verdict(finding.verdict).text(in: language)
            var line = "\(mark) \(finding.criterion.padding(toLength: 8, withPad: " ", startingAt: 0))"
            if let title = record.declarations.criterion(finding.criterion)?.title.text(in: language) {
                line += " " + console.styled(title, .bold) + " —"
            }
            line += " \(finding.message.text(in: language))"
            if let reading = ThresholdReading.of(finding, criterion: record.declarations.criterion(finding.criterion), language: language) {
                let parts = [(en ? "observed " : "实际 ") + reading.observed, (en ? "bound " : "标准 ") + reading.bound] + (reading.margin.map { [$0] } ?? [])
                line += "  [" + parts.joined(separator: en ? "; " : "；") + "]"
            } else if let comparator = finding.comparator, let threshold = finding.threshold {
                line += "  [\(HTMLReport.describe(finding.observed ?? .null)) \(Readable.comparator(comparator, language)) \(HTMLReport.describe(threshold))]"
            }
            line += en ? "  (\(ReportLabels.citationText(finding.citation).en))" : "（\(ReportLabels.citationText(finding.citation).zh)）"
            lines.append(line)
        }
        if let reviewers {
            let recordLines = reviewers.lines(language: language)
            if !recordLines.isEmpty {
                lines.append("")
                lines.append(console.styled(ReportLabels.recordHeading.text(in: language), .bold))
                lines.append(contentsOf: recordLines)
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// `status ID --json`: the filing's standing with the reviewers' record as one more member.
struct StatusWithRecord: Encodable {
    var filing: FilingStatus
    var record: ReviewerRecord?

    enum Keys: String, CodingKey { case record }

    func encode(to encoder: any Encoder) throws {
        try filing.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(record, forKey: .record)
    }
}
