import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import Rulebooks

/// Application rounds (批次) on the command line: `rounds open|close|list|show` (issue 17, item 1;
/// sql/120). Thin calls into `ReviewCore.Rounds`; the database decides who may open and close
/// (administrators) and refuses a wrong round with what to change (exit 1; 65 for no such round).
enum RoundsCommands {
    static var all: [Command] { [open, close, list, show] }

    static let kinds = ["initial", "recertification", "annual_report", "change_report"]
    static let jsonOption = OptionSpec.flag("--json", "Print JSON · 输出 JSON")
    static let refused = ExitUse.problems("the database refused the step; the message says why and what to do")

    static let open = Command(
        words: ["rounds", "open"],
        summary: "Open an application round: its kinds, days, rulebook and quotas · 开启申报批次",
        synopsis: "--name NAME --kind KIND... --opens DATE --closes DATE [options]",
        details: """
            Filings of a kind some round takes are received only while a round taking that kind is
            open (first to last day, Asia/Shanghai); outside one the door refuses them, naming the
            last round and the next. A kind no round has ever taken is received any day. A quota
            refuses the filings beyond it at the door. Reviews of the round's filings use its
            rulebook and as-of date; its recognitions' validity starts on --validity-start when
            given. Administrators only.
            """,
        examples: [
            "cluster-review rounds open --name 2026年第一批 --kind initial --opens 2026-03-01 --closes 2026-03-31 --quota-per-county 2 --quota-total 30",
            "cluster-review rounds open --name 2026年复核 --kind recertification --opens 2026-06-01 --closes 2026-06-30 --rulebook hainan-2023 --as-of 2026-06-30",
        ],
        options: [
            .value("--name", "NAME", "The round's name (required) · 批次名称（必填）"),
            .value("--kind", "KIND", "A kind it takes: initial, recertification, annual_report or change_report (required, repeatable) · 受理种类",
                   repeatable: true),
            .value("--opens", "DATE", "The first day filings are received (required) · 开始受理日期"),
            .value("--closes", "DATE", "The last day filings are received (required) · 截止日期"),
            .value("--rulebook", "NAME", "The rulebook its reviews use (default: the server's) · 评审规则集"),
            .value("--as-of", "DATE", "The as-of date its reviews use (default: each filing's date) · 评审基准日"),
            .value("--quota-per-county", "N", "At most N filings per county · 每县名额"),
            .value("--quota-total", "N", "At most N filings in all · 总名额"),
            .value("--validity-start", "DATE", "The day its recognitions' validity starts (default: each one's recognition day) · 统一有效期起始日"),
            jsonOption,
        ],
        exits: [.dataError("no rulebook of that name in config/parameters.json")] + ExitUse.database + [.configuration, refused],
        run: { invocation in
            let name = try invocation.required("--name")
            let kinds = invocation.allValues("--kind")
            guard !kinds.isEmpty else { throw UsageError(message: "--kind is required (one or more)", command: "rounds open", zh: "须用 --kind 指定受理的申报类型（一个或多个）") }
            if let wrong = kinds.first(where: { !Self.kinds.contains($0) }) {
                throw UsageError(message: "--kind takes \(Self.kinds.joined(separator: ", ")), not '\(wrong)'", command: "rounds open", zh: "--kind 应为 \(Self.kinds.joined(separator: "、"))，而不是 '\(wrong)'")
            }
            guard let opens = try invocation.day("--opens") else { throw UsageError(message: "--opens is required", command: "rounds open", zh: "须用 --opens 指定受理首日") }
            guard let closes = try invocation.day("--closes") else { throw UsageError(message: "--closes is required", command: "rounds open", zh: "须用 --closes 指定受理末日") }
            let draft = RoundDraft(
                name: name, kinds: kinds, opensOn: opens, closesOn: closes, rulebook: invocation.value("--rulebook"),
                asOf: try invocation.day("--as-of"), quotaPerCounty: try invocation.count("--quota-per-county"),
                quotaTotal: try invocation.count("--quota-total"), validityStartsOn: try invocation.day("--validity-start"))
            if let rulebook = draft.rulebook {
                let library = try invocation.rulebookLibrary()
                do {
                    _ = try library.rulebook(named: rulebook)
                } catch let error as RulebookError {
                    throw CommandFailure(zh: "规则集有误：\(error.message.zh)", en: "rulebook: \(error.message.en)", exitCode: ExitCode.dataError)
                }
            }
            return try invocation.withLifecycle { _, connection in
                let id = try Rounds.open(draft, on: connection)
                let round = try Rounds.round(String(id), on: connection)
                if invocation.flag("--json"), let round {
                    try invocation.console.printJSON(round, snakeCaseKeys: true)
                } else if let round {
                    invocation.console.print(Self.line(round, language: invocation.language))
                }
                return ExitCode.success
            }
        })

    static let close = Command(
        words: ["rounds", "close"],
        summary: "Close a round today: no more filings in it · 关闭申报批次",
        synopsis: "ROUND",
        details: "From today the round receives no filing (one not yet open is called off). Administrators only.",
        examples: ["cluster-review rounds close 3", "cluster-review rounds close 2026年第一批"],
        positionals: 1...1,
        exits: [.dataError("no such round")] + ExitUse.database + [.configuration, refused],
        run: { invocation in
            try invocation.withLifecycle { _, connection in
                let round = try Self.find(invocation, connection)
                let day = try Rounds.close(round.id, on: connection)
                invocation.console.print(invocation.language == .zh
                    ? "已关闭批次“\(round.name)”：自 \(day) 起不再受理" : "closed round \"\(round.name)\": no filing is received from \(day)")
                return ExitCode.success
            }
        })

    static let list = Command(
        words: ["rounds", "list"],
        summary: "List the application rounds · 列出申报批次",
        examples: ["cluster-review rounds list", "cluster-review rounds list --json"],
        options: [jsonOption],
        exits: ExitUse.database + [.configuration],
        run: { invocation in
            try invocation.withLifecycle { _, connection in
                let rounds = try Rounds.list(on: connection)
                if invocation.flag("--json") {
                    try invocation.console.printJSON(rounds, snakeCaseKeys: true)
                    return ExitCode.success
                }
                let today = (try? DatabaseClock.read(on: connection))?.today
                for round in rounds { invocation.console.print(Self.line(round, language: invocation.language, today: today)) }
                invocation.console.print(invocation.language == .zh ? "共 \(rounds.count) 个批次" : "\(rounds.count) rounds")
                return ExitCode.success
            }
        })

    static let show = Command(
        words: ["rounds", "show"],
        summary: "Show a round and its filings per county and status · 查看申报批次",
        synopsis: "ROUND",
        details: "A county sees its own filings only.",
        examples: ["cluster-review rounds show 3", "cluster-review rounds show 2026年第一批 --json"],
        options: [jsonOption],
        positionals: 1...1,
        exits: [.dataError("no such round")] + ExitUse.database + [.configuration],
        run: { invocation in
            try invocation.withLifecycle { _, connection in
                let round = try Self.find(invocation, connection)
                let tally = try Rounds.tally(round: round.id, on: connection)
                if invocation.flag("--json") {
                    try invocation.console.printJSON(ShownRound(round: round, tally: tally), snakeCaseKeys: true)
                    return ExitCode.success
                }
                let zh = invocation.language == .zh
                let today = (try? DatabaseClock.read(on: connection))?.today
                invocation.console.print(Self.line(round, language: invocation.language, today: today))
                let rulebook = round.rulebook ?? (zh ? "默认" : "the default")
                let asOf = round.asOf?.description ?? (zh ? "各申报日期" : "each filing's date")
                invocation.console.print(zh ? "评审规则集 \(rulebook)，基准日 \(asOf)" : "rulebook \(rulebook), as of \(asOf)")
                if let start = round.validityStartsOn {
                    invocation.console.print(zh ? "有效期统一自 \(start) 起算" : "validity starts on \(start)")
                }
                var byCounty: [String: [RoundTally]] = [:]
                for row in tally { byCounty[row.countyCode, default: []].append(row) }
                for county in byCounty.keys.sorted() {
                    let rows = byCounty[county] ?? []
                    let total = rows.reduce(0) { $0 + $1.count }
                    let parts = rows.map { "\($0.status) \($0.count)" }.joined(separator: ", ")
                    invocation.console.print("  \(county)  \(total)  (\(parts))")
                }
                var byStatus: [String: Int] = [:]
                for row in tally { byStatus[row.status, default: 0] += row.count }
                let filed = tally.reduce(0) { $0 + $1.count }
                let statuses = byStatus.keys.sorted().map { "\($0) \(byStatus[$0] ?? 0)" }.joined(separator: ", ")
                invocation.console.print(zh ? "共受理 \(filed) 份（\(statuses)）" : "\(filed) filings (\(statuses))")
                return ExitCode.success
            }
        })

    /// The round the first positional names (an id or a name); exit 65 when there is none.
    static func find(_ invocation: Invocation, _ connection: PostgresConnection) throws -> Round {
        guard let round = try Rounds.round(invocation.positionals[0], on: connection) else {
            throw CommandFailure(zh: "没有批次 \(invocation.positionals[0])", en: "no round \(invocation.positionals[0])", exitCode: ExitCode.dataError)
        }
        return round
    }

    /// One line for a round, in one language.
    static func line(_ round: Round, language: Language, today: CivilDate? = nil) -> String {
        let zh = language == .zh
        var quota: [String] = []
        if let n = round.quotaPerCounty { quota.append(zh ? "每县 \(n) 份" : "\(n) per county") }
        if let n = round.quotaTotal { quota.append(zh ? "共 \(n) 份" : "\(n) in all") }
        let state = today.map { round.state(on: $0) }
        let stateText: String
        switch state {
        case .announced?: stateText = zh ? " [未开始]" : " [announced]"
        case .open?: stateText = zh ? " [受理中]" : " [open]"
        case .closed?: stateText = zh ? " [已截止]" : " [closed]"
        case nil: stateText = ""
        }
        let closed = round.closedOn.map { zh ? "，\($0) 关闭" : ", closed \($0)" } ?? ""
        let quotaText = quota.isEmpty ? "" : (zh ? "，名额：" : ", quota: ") + quota.joined(separator: zh ? "，" : ", ")
        return "#\(round.id) \(round.name)  \(round.opensOn) – \(round.closesOn)  \(round.kinds.joined(separator: ","))\(quotaText)\(closed)\(stateText)"
    }
}

/// `rounds show --json`: the round and its filings per county and status.
private struct ShownRound: Encodable {
    var round: Round
    var tally: [RoundTally]
}

extension Invocation {
    /// The positive whole number in `option`, or nil when not given; a usage error otherwise.
    func count(_ option: String) throws -> Int? {
        guard let text = value(option) else { return nil }
        guard let n = Int(text), n > 0 else {
            throw UsageError(message: "\(option) takes a positive whole number, not '\(text)'", command: command.name, zh: "\(option) 应为正整数，而不是 '\(text)'")
        }
        return n
    }
}
