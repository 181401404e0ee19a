import Foundation
import IndicatorKit
import Postgres
import ReviewCore

/// Expert panels on the command line: `panel form|assign|show|conflict` and `score` (issue 17,
/// item 2; sql/121). Thin calls into `ReviewCore.Panels` and `Experts`; the database decides who
/// may form panels (reviewers, administrators), score (the panel's experts) and read what.
enum PanelCommands {
    static var all: [Command] { [form, assign, show, conflict, score] }

    static let jsonOption = OptionSpec.flag("--json", "Print JSON · 输出 JSON")
    static let refused = ExitUse.problems("the database refused the step; the message says why and what to do")
    static let notFound = ExitUse.dataError("no such filing, round or panel")

    static let form = Command(
        words: ["panel", "form"],
        summary: "Form the expert panel of a filing, or of every filing of a round · 组建评审专家组",
        synopsis: "FILING --expert NAME... | --round ROUND --expert NAME...",
        details: """
            At least the configured number of experts (panel_settings.min_experts, default 3), none
            from the filing's county and none with a conflict of interest declared with its county,
            one of its enterprises or the filing: a conflicted expert is refused, naming why, and
            nothing is formed. With --round, a panel of the same experts for every filing of the
            round that has none, all or none. Reviewers and administrators.
            """,
        examples: [
            "cluster-review panel form 42 --expert wang_expert --expert li_expert --expert zhao_expert",
            "cluster-review panel form --round 2026年第一批 --expert wang_expert --expert li_expert --expert zhao_expert",
        ],
        options: [
            .value("--expert", "NAME", "An expert's login (repeatable) · 专家登录名", repeatable: true),
            .value("--round", "ROUND", "Every filing of this round (id or name) · 批次"),
        ],
        positionals: 0...1,
        exits: [notFound] + ExitUse.database + [.configuration, refused],
        run: { invocation in
            let experts = invocation.allValues("--expert")
            guard !experts.isEmpty else { throw UsageError(message: "--expert is required (one per expert)", command: "panel form", zh: "须用 --expert 指定专家（每位专家一个）") }
            let roundKey = invocation.value("--round")
            guard (roundKey == nil) != invocation.positionals.isEmpty else {
                throw UsageError(message: "give a FILING or --round ROUND, not both", command: "panel form", zh: "请给出申报编号或 --round 批次，不能同时给出")
            }
            return try invocation.withLifecycle { _, connection in
                let zh = invocation.language == .zh
                if let roundKey {
                    guard let round = try Rounds.round(roundKey, on: connection) else {
                        throw CommandFailure(zh: "没有批次 \(roundKey)", en: "no round \(roundKey)", exitCode: ExitCode.dataError)
                    }
                    let formed = try Panels.form(round: round.id, experts: experts, on: connection)
                    for (filing, panel) in formed {
                        invocation.console.print(zh ? "申报 \(filing)：评审专家组 #\(panel)" : "filing \(filing): panel #\(panel)")
                    }
                    invocation.console.print(zh ? "共组建 \(formed.count) 个评审专家组" : "\(formed.count) panels formed")
                } else {
                    let filing = try invocation.id(0, "FILING")
                    let panel = try Panels.form(filing: filing, experts: experts, on: connection)
                    invocation.console.print(zh ? "申报 \(filing)：已组建评审专家组 #\(panel)（\(experts.count) 人）"
                                                : "filing \(filing): panel #\(panel) formed (\(experts.count) experts)")
                }
                return ExitCode.success
            }
        })

    static let assign = Command(
        words: ["panel", "assign"],
        summary: "Add an expert to a filing's panel · 增补评审专家",
        synopsis: "FILING EXPERT",
        details: "The expert is checked for conflicts as when the panel was formed. Reviewers and administrators.",
        examples: ["cluster-review panel assign 42 sun_expert"],
        positionals: 2...2,
        exits: [notFound] + ExitUse.database + [.configuration, refused],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            return try invocation.withLifecycle { _, connection in
                try Panels.assign(filing: filing, expert: invocation.positionals[1], on: connection)
                invocation.console.print(invocation.language == .zh
                    ? "已将 \(invocation.positionals[1]) 增补进申报 \(filing) 的评审专家组" : "added \(invocation.positionals[1]) to the panel of filing \(filing)")
                return ExitCode.success
            }
        })

    static let show = Command(
        words: ["panel", "show"],
        summary: "Show a filing's panel: members, criteria, scores and the result · 查看评审专家组",
        synopsis: "[FILING]",
        details: """
            Without FILING: the filings whose panels you sit on (an expert) or every filing with a
            panel (staff). An expert sees the other members' scores only once their own are submitted.
            """,
        examples: ["cluster-review panel show 42", "cluster-review panel show", "cluster-review panel show 42 --json"],
        options: [jsonOption],
        positionals: 0...1,
        exits: [notFound] + ExitUse.database + [.configuration],
        run: { invocation in
            try invocation.withLifecycle { _, connection in
                let zh = invocation.language == .zh
                guard !invocation.positionals.isEmpty else {
                    let filings = try Panels.filings(on: connection)
                    if invocation.flag("--json") {
                        try invocation.console.printJSON(filings)
                    } else {
                        filings.forEach { invocation.console.print(zh ? "申报 \($0)" : "filing \($0)") }
                        invocation.console.print(zh ? "共 \(filings.count) 份" : "\(filings.count) filings")
                    }
                    return ExitCode.success
                }
                let filing = try invocation.id(0, "FILING")
                guard let view = try Panels.show(filing: filing, on: connection) else {
                    throw CommandFailure(zh: "申报 \(filing) 没有您可查看的评审专家组", en: "filing \(filing) has no panel you may see",
                                         exitCode: ExitCode.dataError)
                }
                if invocation.flag("--json") {
                    try invocation.console.printJSON(view, snakeCaseKeys: true)
                    return ExitCode.success
                }
                invocation.console.print(zh ? "申报 \(filing) 评审专家组 #\(view.panelId)" : "filing \(filing), panel #\(view.panelId)")
                for member in view.members {
                    let state = member.submitted ? (zh ? "已提交" : "submitted") : (zh ? "未提交" : "not submitted")
                    invocation.console.print("  \(member.expert)  \(state)")
                }
                invocation.console.print((zh ? "待评指标：" : "criteria to score: ") + view.criteria.joined(separator: ", "))
                for score in view.scores {
                    invocation.console.print("  \(score.criterion)  \(score.expert)  \(score.score)  \(score.verdict)  \(score.note)")
                }
                for result in view.results {
                    let flag = result.flagged ? (zh ? "  分差过大，需讨论" : "  spread above the bound: to discuss") : ""
                    invocation.console.print(zh
                        ? "  结果 \(result.criterion)：中位数 \(result.median)，分差 \(result.spread)（\(result.lowest)–\(result.highest)），同意 \(result.agree)，不同意 \(result.disagree)，已评 \(result.scored)/\(result.members)\(flag)"
                        : "  result \(result.criterion): median \(result.median), spread \(result.spread) (\(result.lowest)–\(result.highest)), agree \(result.agree), disagree \(result.disagree), scored \(result.scored)/\(result.members)\(flag)")
                }
                return ExitCode.success
            }
        })

    static let conflict = Command(
        words: ["panel", "conflict"],
        summary: "Declare a conflict of interest (experts) · 申报利益冲突",
        synopsis: "--county CODE | --enterprise USCC | --filing ID --note TEXT",
        details: "You are not put on a panel of a filing your declared conflicts touch. Experts only.",
        examples: [
            "cluster-review panel conflict --enterprise 91469005MA5T000017 --note '曾任该企业技术顾问'",
            "cluster-review panel conflict --county 469002 --note '配偶在该县工业和信息化局任职'",
        ],
        options: [
            .value("--county", "CODE", "A county · 县级行政区代码"), .value("--enterprise", "USCC", "An enterprise · 企业统一社会信用代码"),
            .value("--filing", "ID", "A filing · 申报编号"), .value("--note", "TEXT", "What the conflict is (required) · 说明（必填）"),
        ],
        exits: ExitUse.database + [.configuration, refused],
        run: { invocation in
            let given = [("county", invocation.value("--county")), ("enterprise", invocation.value("--enterprise")), ("filing", invocation.value("--filing"))]
                .compactMap { kind, value in value.map { (kind, $0) } }
            guard given.count == 1, let (kind, subject) = given.first else {
                throw UsageError(message: "give exactly one of --county, --enterprise or --filing", command: "panel conflict", zh: "--county、--enterprise、--filing 须且只能给出一个")
            }
            let note = try invocation.required("--note")
            return try invocation.withLifecycle { _, connection in
                try Experts.declareConflict(kind: kind, subject: subject, note: note, on: connection)
                invocation.console.print(invocation.language == .zh ? "已申报利益冲突：\(kind) \(subject)" : "conflict declared: \(kind) \(subject)")
                return ExitCode.success
            }
        })

    static let score = Command(
        words: ["score"],
        summary: "Score a judgement criterion of a filing on your panel, or submit your scores (experts) · 专家评分",
        synopsis: "FILING CRITERION SCORE agree|disagree --note TEXT | FILING --submit",
        details: """
            SCORE is 0 to 100; agree or disagree that the criterion is passed; the note is required.
            A score may be replaced until you submit; --submit needs every manual criterion scored,
            and makes your scores final. Only then do you see the other experts' scores.
            """,
        examples: ["cluster-review score 42 COMP-1 85 agree --note '特色产业地位突出'", "cluster-review score 42 --submit"],
        options: [.value("--note", "TEXT", "Why (required) · 说明（必填）"), .flag("--submit", "Submit your scores · 提交评分")],
        positionals: 1...4,
        exits: [notFound] + ExitUse.database + [.configuration, refused],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            let zh = invocation.language == .zh
            if invocation.flag("--submit") {
                guard invocation.positionals.count == 1 else { throw UsageError(message: "--submit takes the FILING alone", command: "score", zh: "--submit 只跟申报编号一起使用") }
                return try invocation.withLifecycle { _, connection in
                    try Panels.submit(filing: filing, on: connection)
                    invocation.console.print(zh ? "已提交对申报 \(filing) 的评分" : "your scores of filing \(filing) are submitted")
                    return ExitCode.success
                }
            }
            guard invocation.positionals.count == 4 else {
                throw UsageError(message: "give FILING CRITERION SCORE agree|disagree, or FILING --submit", command: "score", zh: "请给出：申报编号 指标 分数 agree|disagree，或：申报编号 --submit")
            }
            guard let value = Int(invocation.positionals[2]), (0...100).contains(value) else {
                throw UsageError(message: "SCORE is a whole number from 0 to 100, not '\(invocation.positionals[2])'", command: "score", zh: "分数应为 0 到 100 的整数，而不是 '\(invocation.positionals[2])'")
            }
            let verdict = invocation.positionals[3]
            guard ["agree", "disagree"].contains(verdict) else {
                throw UsageError(message: "the verdict is agree or disagree, not '\(verdict)'", command: "score", zh: "意见应为 agree（同意）或 disagree（不同意），而不是 '\(verdict)'")
            }
            let note = try invocation.required("--note")
            return try invocation.withLifecycle { _, connection in
                try Panels.score(filing: filing, criterion: invocation.positionals[1], score: value, verdict: verdict, note: note, on: connection)
                invocation.console.print(zh ? "已评分 申报 \(filing) \(invocation.positionals[1])：\(value)（\(verdict)）"
                                            : "scored filing \(filing) \(invocation.positionals[1]): \(value) (\(verdict))")
                return ExitCode.success
            }
        })
}
