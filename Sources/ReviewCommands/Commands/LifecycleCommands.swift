import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard

/// The life of a recognition on the command line: `confirm`, `decide`, `object`, `publicity`,
/// `register`, `incident`, `change` and `sweep` (issue 6; measures Art. 9–14).
///
/// Every command is a thin call into `ReviewCore.Lifecycle`, whose SQL functions check each
/// transition; a refusal is printed in Chinese and English with what to do, exit code 1
/// (65 when the id does not exist). Dates come from the database clock (Asia/Shanghai): a step is
/// dated today; `--on` states an earlier day, which only an administrator may, with `--date-reason`
/// (recorded in the audit log); a day after today, or before the filing's own date, is refused.
enum LifecycleCommands {
    static var all: [Command] {
        [confirm, decide, object, publicityShow, publicityResolve, publicityClose, registerList, registerShow,
         registerFlagFalse, registerRefuseMonitoring, incidentAdd, changeAccept, changeReject, sweep, sweepActions, sweepConfirm, sweepDismiss]
    }

    static let onOption = OptionSpec.value(
        "--on", "DATE", "An earlier day it happened (default today, Asia/Shanghai; administrators, with --date-reason) · 补记日期")
    static let dateReasonOption = OptionSpec.value(
        "--date-reason", "TEXT", "Why --on names a day before today (recorded in the audit log) · 补记日期的理由")
    static let noteOption = OptionSpec.value("--note", "TEXT", "Why (required) · 说明（必填）")
    static let jsonOption = OptionSpec.flag("--json", "Print JSON · 输出 JSON")

    // MARK: decisions

    static let confirm = Command(
        words: ["confirm"],
        summary: "Confirm manual findings, acknowledge warned ones · 确认人工判断项和提示项",
        synopsis: "FILING CRITERION... accept|reject --note TEXT  |  FILING --all-manual accept|reject --note TEXT",
        details: """
            Approval needs every manual finding of the filing's latest review (a COMP-9 waiver claim
            included) confirmed with accept, and every warned finding acknowledged with accept; a
            rejected one blocks approval. pass and fail are the same as accept and reject. Several
            criteria, or --all-manual (every manual finding), take one word and one note: each is
            recorded separately, all or none. Confirming a finding again replaces the earlier
            confirmation until the filing is decided (the audit log keeps both); after the decision
            it is final.
            """,
        examples: [
            "cluster-review confirm 42 COMP-9 accept --note '增长豁免理由成立：2024 年台风停产'",
            "cluster-review confirm 42 GOVE-4 reject --note 'plan goals have no baseline'",
            "cluster-review confirm 42 VETO-1 COMP-5 accept --note '已知悉：一般事故已整改；面积超出有规划依据'",
            "cluster-review confirm 42 --all-manual accept --note '材料齐全，逐项核实无误'",
        ],
        options: [noteOption, .flag("--all-manual", "Every manual finding of the latest review · 全部人工判断项")],
        positionals: 2...64,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            let accept: Bool
            switch invocation.positionals.last {
            case "accept", "pass": accept = true
            case "reject", "fail": accept = false
            default: throw UsageError(message: "the last argument is accept or reject (pass or fail)", command: "confirm", zh: "最后一个参数应为 'accept' 或 'reject'（即 'pass' 或 'fail'）")
            }
            let criteria = Array(invocation.positionals.dropFirst().dropLast())
            let all = invocation.flag("--all-manual")
            if all, !criteria.isEmpty {
                throw UsageError(message: "name criteria or give --all-manual, not both", command: "confirm", zh: "指标与 --all-manual 只能选一")
            }
            if !all, criteria.isEmpty {
                throw UsageError(message: "name the criteria to confirm, or give --all-manual", command: "confirm", zh: "请写明要确认的指标，或用 --all-manual")
            }
            let note = try invocation.required("--note")
            return try invocation.withLifecycle { lifecycle, _ in
                let (zhWord, enWord) = accept ? ("采纳", "accepted") : ("不采纳", "rejected")
                if criteria.count == 1 {
                    let id = try lifecycle.confirm(filing: filing, criterion: criteria[0], accept: accept, note: note)
                    invocation.say("已确认 #\(id)：\(criteria[0]) \(zhWord)", "confirmed #\(id): \(criteria[0]) \(enWord)")
                    return ExitCode.success
                }
                for confirmed in try lifecycle.confirm(filing: filing, criteria: all ? nil : criteria, accept: accept, note: note) {
                    invocation.say("已确认 #\(confirmed.id)：\(confirmed.criterion) \(zhWord)", "confirmed #\(confirmed.id): \(confirmed.criterion) \(enWord)")
                }
                return ExitCode.success
            }
        })

    static let decide = Command(
        words: ["decide"],
        summary: "Approve, refuse or return a reviewed filing · 作出认定决定",
        synopsis: "FILING approve|refuse|return --note TEXT [--grounds TEXT]",
        details: """
            approve: refused while a manual finding is unconfirmed or rejected, a warned finding
            unacknowledged or rejected, or a finding failed or errored; the refusal names each. An initial filing then enters public notice (公示) for publicity_working_days
            working days (config/lifecycle.json, holidays from config/calendar.json); a recertification
            extends the register entry by three years from its old expiry (not for a revoked cluster).
            refuse: --grounds is required (without it: a usage error, exit 64, before the database is
            touched). return: the county files a corrected filing that names this one in `supersedes`;
            it is reviewed anew. Dated today by the database's clock unless --on states an earlier day.
            """,
        examples: [
            "cluster-review decide 42 approve --note '符合认定条件'",
            "cluster-review decide 43 refuse --note '不予认定' --grounds 'COMP-2：集群年产值不足 20 亿元'",
            "cluster-review decide 44 return --note '企业名单缺少统一社会信用代码，请更正后重报'",
            "cluster-review decide 45 approve --note '符合认定条件' --on 2026-04-28 --date-reason '4月28日评审会决定，补录'",
        ],
        options: [noteOption, .value("--grounds", "TEXT", "The grounds of a refusal · 不予认定理由"), onOption, dateReasonOption],
        positionals: 2...2,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            guard let decision = Lifecycle.Decision(rawValue: invocation.positionals[1]) else {
                throw UsageError(message: "the decision is approve, refuse or return", command: "decide", zh: "决定应为 'approve'（认定）、'refuse'（不予认定）或 'return'（退回）")
            }
            let note = try invocation.required("--note")
            if decision == .refuse, (invocation.value("--grounds") ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw UsageError(
                    message: "decide refuse needs --grounds TEXT: the grounds of the refusal, shown to the county, e.g. --grounds 'COMP-2：集群年产值不足 20 亿元'",
                    command: "decide", zh: "不予认定须用 --grounds 写明理由（将告知申报县），例如 --grounds 'COMP-2：集群年产值不足 20 亿元'")
            }
            let day = try invocation.day("--on")
            return try invocation.withLifecycle { lifecycle, _ in
                let id = try lifecycle.decide(
                    filing: filing, decision, note: note, grounds: invocation.value("--grounds"), on: day,
                    reason: invocation.value("--date-reason"))
                invocation.say("已决定 #\(id)：申报 \(filing) \(["approve": "批准", "refuse": "不予认定", "return": "退回"][decision.rawValue] ?? decision.rawValue)", "decided #\(id): filing \(filing) \(decision.rawValue)")
                if decision == .approve, let notice = try lifecycle.notice(filing: filing), notice.state == "open" {
                    invocation.say("公示期：\(notice.startsOn) 至 \(notice.endsOn)", "notice period: \(notice.startsOn) – \(notice.endsOn)")
                }
                return ExitCode.success
            }
        })

    // MARK: public notice

    static let object = Command(
        words: ["object"],
        summary: "File an objection during a filing's public notice · 公示期内提出异议",
        synopsis: "FILING --by NAME --reason TEXT [--evidence REF]...",
        details: """
            Dated today by the database's clock (Asia/Shanghai; on a simulation database, its simulated
            day): accepted when today is inside the notice period, its first to its last day (the day
            after the approval to the last working day; `publicity show` prints it). --on records an
            objection received on an earlier day of the period (administrators, with --date-reason).
            """,
        examples: [
            "cluster-review object 42 --by '海口某企业' --reason '产值数据与统计年报不符' --evidence '2025 统计年报第 12 页'",
            "cluster-review object 42 --by '海口某企业' --reason '邮寄的异议，5月6日收到' --on 2026-05-06 --date-reason '纸质异议补录'",
        ],
        options: [
            .value("--by", "NAME", "Who objects (required) · 异议人"), .value("--reason", "TEXT", "Why (required) · 理由"),
            .value("--evidence", "REF", "Evidence, repeatable · 证据", repeatable: true), onOption, dateReasonOption,
        ],
        positionals: 1...1,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            let by = try invocation.required("--by"), reason = try invocation.required("--reason")
            let day = try invocation.day("--on")
            return try invocation.withLifecycle { lifecycle, _ in
                let id = try lifecycle.fileObjection(
                    filing: filing, by: by, reason: reason, evidence: invocation.allValues("--evidence"), on: day,
                    dateReason: invocation.value("--date-reason"))
                invocation.say("已受理异议 #\(id)，针对申报 \(filing)", "objection #\(id) filed against filing \(filing)")
                return ExitCode.success
            }
        })

    static let publicityShow = Command(
        words: ["publicity", "show"],
        summary: "Show a filing's public notice and its objections · 查看公示及异议",
        synopsis: "FILING",
        examples: ["cluster-review publicity show 42", "cluster-review publicity show 42 --json"],
        options: [jsonOption],
        positionals: 1...1,
        exits: [.dataError("no such filing, or it has no public notice")] + ExitUse.database + [.configuration],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            return try invocation.withLifecycle { lifecycle, _ in
                guard let notice = try lifecycle.notice(filing: filing) else {
                    throw CommandFailure(zh: "申报 \(filing) 没有公示", en: "filing \(filing) has no public notice", exitCode: ExitCode.dataError)
                }
                if invocation.flag("--json") {
                    invocation.console.print(try LifecycleCommands.json(notice))
                } else {
                    invocation.say("公示 #\(notice.id) 申报 \(filing)：\(notice.startsOn) 至 \(notice.endsOn)（\(notice.state)）", "notice #\(notice.id) filing \(filing): \(notice.startsOn) – \(notice.endsOn) [\(notice.state)]")
                    for objection in notice.objections {
                        invocation.say("  异议 #\(objection.id) \(objection.filedOn) \(objection.objector)：\(objection.reason)（\(objection.state)）", "  objection #\(objection.id) \(objection.filedOn) \(objection.objector): \(objection.reason) [\(objection.state)]")
                    }
                }
                return ExitCode.success
            }
        })

    static let publicityResolve = Command(
        words: ["publicity", "resolve"],
        summary: "Uphold or dismiss an objection · 处理异议",
        synopsis: "OBJECTION upheld|dismissed --note TEXT",
        details: "An upheld objection sends the filing back to the reviewer when the notice is closed.",
        examples: ["cluster-review publicity resolve 7 dismissed --note '经核实数据无误'"],
        options: [noteOption],
        positionals: 2...2,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let objection = try invocation.id(0, "OBJECTION")
            guard ["upheld", "dismissed"].contains(invocation.positionals[1]) else {
                throw UsageError(message: "the outcome is upheld or dismissed", command: "publicity resolve", zh: "处理结果应为 'upheld'（成立）或 'dismissed'（不成立）")
            }
            let note = try invocation.required("--note")
            return try invocation.withLifecycle { lifecycle, _ in
                try lifecycle.resolveObjection(objection, upheld: invocation.positionals[1] == "upheld", note: note)
                invocation.say("已处理异议 #\(objection)：\(invocation.positionals[1] == "upheld" ? "成立" : "不成立")", "resolved objection #\(objection): \(invocation.positionals[1])")
                return ExitCode.success
            }
        })

    static let publicityClose = Command(
        words: ["publicity", "close"],
        summary: "Close a filing's notice after its last day: recognize it or send it back · 公示结束",
        synopsis: "FILING",
        details: """
            From the day after the notice's last day, once every objection is resolved. No upheld
            objection: recognized, with a register entry valid three years. An upheld objection: the
            filing goes back to the reviewer (status reviewed).
            """,
        examples: [
            "cluster-review publicity close 42",
            "cluster-review publicity close 42 --on 2026-05-11 --date-reason '5月11日已办结，系统补录'",
        ],
        options: [onOption, dateReasonOption],
        positionals: 1...1,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            let day = try invocation.day("--on")
            return try invocation.withLifecycle { lifecycle, connection in
                if let cluster = try lifecycle.closePublicity(filing: filing, on: day, reason: invocation.value("--date-reason")),
                   let entry = try Register.entry(connection, String(cluster)) {
                    invocation.console.print(
                        "已认定 recognized: \(entry.certificateNo) \(entry.name), valid \(entry.recognizedOn) – \(entry.validUntil)")
                } else {
                    invocation.say("异议成立：申报 \(filing) 退回评审人", "objection upheld: filing \(filing) is back with the reviewer")
                }
                return ExitCode.success
            }
        })

    // MARK: the register

    static let registerList = Command(
        words: ["register", "list"],
        summary: "List the register of recognized clusters · 列出认定名单",
        examples: ["cluster-review register list", "cluster-review register list --status revoked --json"],
        options: [.value("--status", "STATUS", "active, expired or revoked · 状态"), jsonOption],
        exits: ExitUse.database + [.configuration],
        run: { invocation in
            if let status = invocation.value("--status"), !["active", "expired", "revoked"].contains(status) {
                throw UsageError(message: "--status takes active, expired or revoked", command: "register list", zh: "--status 应为 'active'、'expired' 或 'revoked'")
            }
            return try invocation.withLifecycle { _, connection in
                let entries = try Register.list(connection, status: invocation.value("--status"))
                if invocation.flag("--json") {
                    try invocation.console.printJSON(entries, snakeCaseKeys: true)
                    return ExitCode.success
                }
                for entry in entries {
                    invocation.console.print(
                        "\(entry.certificateNo)  \(entry.name)  \(entry.recognizedOn) – \(entry.validUntil)  \(entry.status)"
                            + (entry.revocationGround.map { " (Art. \($0))" } ?? ""))
                }
                invocation.say("共 \(entries.count) 个集群", "\(entries.count) clusters")
                return ExitCode.success
            }
        })

    static let registerShow = Command(
        words: ["register", "show"],
        summary: "Show one register entry and its monitoring watchlist · 查看认定名单条目",
        synopsis: "ID|CERTIFICATE",
        examples: ["cluster-review register show HN-ZXJQ-2026-0001", "cluster-review register show 3 --json"],
        options: [jsonOption],
        positionals: 1...1,
        exits: [.dataError("no such register entry")] + ExitUse.database + [.configuration],
        run: { invocation in
            try invocation.withLifecycle { _, connection in
                guard let entry = try Register.entry(connection, invocation.positionals[0]) else {
                    throw CommandFailure(
                        zh: "认定名单中没有 \(invocation.positionals[0])", en: "no register entry \(invocation.positionals[0])",
                        exitCode: ExitCode.dataError)
                }
                let watched = try Register.watchlist(connection, cluster: entry.id)
                let terms = try Register.terms(connection, cluster: entry.id)
                if invocation.flag("--json") {
                    invocation.console.print(try LifecycleCommands.json(ShownRegisterEntry(entry: entry, terms: terms, watchlist: watched)))
                    return ExitCode.success
                }
                // Built step by step: a closure inside this literal crashed the Swift 6.3 optimizer.
                var status = "状态 status: \(entry.status)"
                if entry.status == "expired" {
                    let today = (try? DatabaseClock.read(on: connection))?.today
                    if today.map(entry.recheckPending(on:)) ?? true {
                        status += " · 复核待定 recheck pending until \(entry.recheckUntil)"
                    }
                }
                if let revoked = entry.revokedOn {
                    status += " on \(revoked), Art. \(entry.revocationGround ?? "?"): \(entry.grounds ?? "")"
                }
                let lines = [
                    "证书编号 certificate: \(entry.certificateNo) (id \(entry.id), filing \(entry.filingId))",
                    "名称 name: \(entry.name) · \(entry.countyCode)",
                    "有效期 valid: \(entry.recognizedOn) – \(entry.validUntil) · 复核 recertified \(entry.recertifiedTimes)×",
                    "主导产业 leading industry: \(entry.leadingIndustry)",
                    "空间范围 spatial extent: \(entry.spatialExtent)",
                    "运营管理机构 management body: " + managementBody(entry),
                    status,
                ]
                lines.forEach(invocation.console.print)
                for term in terms {
                    let kind = term.kind == "recognized" ? "认定 recognized" : "复核 recertified"
                    invocation.console.print(
                        "  第\(term.number)期 term \(term.number): \(term.startsOn) – \(term.endsOn) · \(kind) (filing \(term.filingId), decided \(term.decidedOn))")
                }
                for finding in watched {
                    invocation.console.print("  " + watchLine(finding, invocation.language))
                }
                return ExitCode.success
            }
        })

    /// One watchlist line: the year, the criterion, how it stands, and observed, bound and margin.
    static func watchLine(_ finding: WatchedFinding, _ language: Language) -> String {
        let zh = language == .zh
        let standing: String
        switch finding.standing {
        case "only_just": standing = zh ? "勉强达标" : "only just passes"
        case "warns": standing = zh ? "警示" : "warns"
        default: standing = zh ? "未达标" : "fails"
        }
        // The finding's own message says the observed value, the bound and the margin in words and
        // units (issue 20); the line adds only how close that is, relative to the bound.
        var line = (zh ? "监测 \(finding.year) 年 " : "watch \(finding.year) ") + "\(finding.criterion) \(standing)"
        if let relative = finding.relativeMargin {
            line += zh ? "（余量为界限的 \(percent(relative))）" : " (margin \(percent(relative)) of the bound)"
        }
        return line + (zh ? "：" : ": ") + finding.message.text(in: language)
    }

    /// A fraction as a percentage with at most one decimal, exact: 0.0625 → 6.2%.
    static func percent(_ fraction: Decimal) -> String {
        var value = fraction * 100, rounded = Decimal()
        NSDecimalRound(&rounded, &value, 1, .plain)
        return "\(rounded)%"
    }

    static let registerFlagFalse = Command(
        words: ["register", "flag-false"],
        summary: "Flag a false filing or an illegal act against a cluster (Art. 14(2)) · 标记虚假申报",
        synopsis: "CLUSTER --note TEXT [--filing ID]",
        details: "The next sweep proposes (or applies) revocation on ground 14(2).",
        examples: ["cluster-review register flag-false 3 --filing 42 --note '企业名单中两家企业系虚构'"],
        options: [noteOption, .value("--filing", "ID", "The false filing · 虚假申报"), onOption, dateReasonOption],
        positionals: 1...1,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let cluster = try invocation.id(0, "CLUSTER")
            let note = try invocation.required("--note")
            let filing = try invocation.value("--filing").map { text -> Int64 in
                guard let id = Int64(text) else { throw UsageError(message: "--filing takes a filing id", command: "register flag-false", zh: "--filing 应为申报编号") }
                return id
            }
            let day = try invocation.day("--on")
            return try invocation.withLifecycle { lifecycle, _ in
                let id = try lifecycle.flagFalseFiling(
                    cluster: cluster, filing: filing, note: note, on: day, reason: invocation.value("--date-reason"))
                invocation.say("已标记 #\(id)，针对集群 \(cluster)", "flagged #\(id) against cluster \(cluster)")
                return ExitCode.success
            }
        })

    static let registerRefuseMonitoring = Command(
        words: ["register", "refuse-monitoring"],
        summary: "Record that a cluster refused monitoring (Art. 14(3)) · 记录拒不配合监测",
        synopsis: "CLUSTER --note TEXT",
        details: """
            A reviewer records it, dated today (--on with --date-reason states another day, as for the
            other steps); the audit log names the reviewer. The next sweep proposes (or applies)
            revocation on ground 14(3), once per refusal.
            """,
        examples: ["cluster-review register refuse-monitoring 3 --note '拒绝提供 2026 年度统计数据，经两次书面催告仍未提供'"],
        options: [noteOption, onOption, dateReasonOption],
        positionals: 1...1,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let cluster = try invocation.id(0, "CLUSTER")
            let note = try invocation.required("--note")
            let day = try invocation.day("--on")
            return try invocation.withLifecycle { lifecycle, _ in
                let id = try lifecycle.recordMonitoringRefusal(cluster: cluster, note: note, on: day, reason: invocation.value("--date-reason"))
                invocation.console.print(invocation.language == .zh
                    ? "已记录集群 \(cluster) 拒不配合监测（#\(id)）；下次巡查将依第十四条第（三）项提出撤销"
                    : "recorded refusal of monitoring #\(id) for cluster \(cluster); the next sweep proposes revocation on Art. 14(3)")
                return ExitCode.success
            }
        })

    // MARK: incidents, change reports

    static let incidentAdd = Command(
        words: ["incident", "add"],
        summary: "Record an incident at an enterprise (Art. 14(5)) · 登记企业事件",
        details: """
            Categories: safety, quality, environment (grade general|larger|major|especially_major; larger
            and above is of veto grade); cyber, data (major and above); tax_evasion, illegal_conduct,
            serious_dishonesty, other_major (no grade; always of veto grade). Matched to clusters by
            unified social credit code.
            """,
        examples: [
            "cluster-review incident add --enterprise 91469005MA5T000017 --date 2027-06-01 --category safety --grade larger --source '文昌市应急管理局通报'",
            "cluster-review incident add --enterprise 91110000600037341L --date 2027-02-01 --category tax_evasion --source '税务稽查决定书'",
        ],
        options: [
            .value("--enterprise", "USCC", "Unified social credit code (required) · 统一社会信用代码"),
            .value("--date", "DATE", "When it happened (required) · 发生日期"),
            .value("--category", "CATEGORY", "The category (required) · 类别"),
            .value("--grade", "GRADE", "The grade, for safety … data · 等级"),
            .value("--source", "TEXT", "Where it was reported (required) · 来源"),
            .value("--description", "TEXT", "What happened · 描述"),
        ],
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let code = try invocation.required("--enterprise"), category = try invocation.required("--category")
            let source = try invocation.required("--source")
            guard let date = try invocation.day("--date") else {
                throw UsageError(message: "--date is required", command: "incident add", zh: "须用 --date 指定日期")
            }
            let incident = Incident(
                enterpriseCode: code, date: date, category: category, grade: invocation.value("--grade"),
                description: invocation.value("--description"))
            return try invocation.withLifecycle { lifecycle, _ in
                let id = try lifecycle.recordIncident(incident, source: source)
                invocation.say("已登记事件 #\(id)", "recorded incident #\(id)")
                return ExitCode.success
            }
        })

    static let changeAccept = Command(
        words: ["change", "accept"],
        summary: "Accept a change report: the register takes the new values · 核准变更报告",
        synopsis: "FILING --note TEXT",
        examples: ["cluster-review change accept 57 --note '核准扩区至桥头镇'"],
        options: [noteOption, onOption, dateReasonOption],
        positionals: 1...1,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            let note = try invocation.required("--note")
            let day = try invocation.day("--on")
            return try invocation.withLifecycle { lifecycle, _ in
                try lifecycle.acceptChangeReport(filing: filing, note: note, on: day, reason: invocation.value("--date-reason"))
                invocation.say("已核准变更报告 \(filing)，认定名单已更新", "accepted change report \(filing); the register is updated")
                return ExitCode.success
            }
        })

    static let changeReject = Command(
        words: ["change", "reject"],
        summary: "Reject a change report; the register keeps its values · 驳回变更报告",
        synopsis: "FILING --note TEXT",
        examples: ["cluster-review change reject 57 --note '新增区域不在本县'"],
        options: [noteOption, onOption, dateReasonOption],
        positionals: 1...1,
        exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
        run: { invocation in
            let filing = try invocation.id(0, "FILING")
            let note = try invocation.required("--note")
            let day = try invocation.day("--on")
            return try invocation.withLifecycle { lifecycle, _ in
                try lifecycle.rejectChangeReport(filing: filing, note: note, on: day, reason: invocation.value("--date-reason"))
                invocation.say("已驳回变更报告 \(filing)", "rejected change report \(filing)")
                return ExitCode.success
            }
        })

    // MARK: sweeps

    static let sweep = Command(
        words: ["sweep"],
        summary: "Find what the measures say must happen, and record each action once · 动态管理巡查",
        details: """
            For the as-of date: public notices ended with no objection pending or upheld (recognized,
            the register entry made); recognitions expiring within expiry_notice_days (a notice); expired
            (status expired, recheck pending for recheck_window_days); revocation grounds 14(1) the
            current term expired and its recheck window ended without a recertification filing or
            recertification refused, 14(2) a false filing flagged, 14(3) an annual report not filed by
            30 March, 14(4) a register field changed in an annual report without a change report,
            14(5) an incident of veto grade. Revocations are proposed for an administrator (sweep
            confirm|dismiss) or applied, as config/lifecycle.json revocation_mode says. Each action is
            recorded once, however often and by however many processes the sweep runs; the output
            lists only what this run added. --dry-run shows it and keeps nothing. The as-of date is
            today by the database clock: a later one runs only with --dry-run; an earlier one is a
            backfill, for administrators with --date-reason (recorded in the audit log). A sweep that
            finds another running waits up to 60 s, then stops and says so.
            """,
        examples: [
            "cluster-review sweep", "cluster-review sweep --as-of 2027-04-01 --dry-run",
            "cluster-review sweep --json",
            "cluster-review sweep --as-of 2026-06-30 --date-reason '6月30日巡查因停机未运行，补跑'",
        ],
        options: [
            .value("--as-of", "DATE", "The day to sweep for (default today, Asia/Shanghai) · 基准日"),
            .value("--slot", "NAME", "The schedule slot (default as-of:DATE) · 调度时段"),
            .flag("--dry-run", "Show what would be recorded; keep nothing · 试运行"),
            .value("--date-reason", "TEXT", "Why a backfill: an --as-of before today (recorded in the audit log) · 补跑理由"),
            jsonOption,
        ],
        exits: ExitUse.database + [.configuration, .problems("the database refused the sweep; the message says why")],
        run: { invocation in
            let asOf = try invocation.day("--as-of")
            return try invocation.withLifecycle { _, connection in
                let report = try Sweep(connection).run(
                    asOf: asOf, slot: invocation.value("--slot"), reason: invocation.value("--date-reason"),
                    dryRun: invocation.flag("--dry-run"))
                if invocation.flag("--json") {
                    invocation.console.print(try LifecycleCommands.json(report))
                    return ExitCode.success
                }
                for action in report.actions { invocation.console.print(LifecycleCommands.line(action)) }
                invocation.console.print(
                    "\(report.dryRun ? "试运行 dry run" : "巡查 sweep") \(report.asOf) [\(report.slot)]: "
                        + "\(report.actions.count) new actions · 项新事项")
                return ExitCode.success
            }
        })

    static let sweepActions = Command(
        words: ["sweep", "actions"],
        summary: "List sweep actions, e.g. revocations awaiting confirmation · 列出巡查事项",
        examples: ["cluster-review sweep actions --state proposed", "cluster-review sweep actions --cluster 3 --json"],
        options: [
            .value("--state", "STATE", "notice, applied, proposed, confirmed or dismissed · 状态"),
            .value("--cluster", "ID", "Only this cluster · 集群"), jsonOption,
        ],
        exits: ExitUse.database + [.configuration],
        run: { invocation in
            if let state = invocation.value("--state"), !Sweep.actionStates.contains(state) {
                throw UsageError(
                    message: "--state takes one of \(Sweep.actionStates.joined(separator: ", ")), not '\(state)'", command: "sweep actions",
                    zh: "--state 应为以下之一：\(Sweep.actionStates.map { "'\($0)'" }.joined(separator: "、"))，而不是 '\(state)'")
            }
            let cluster = try invocation.value("--cluster").map { text -> Int64 in
                guard let id = Int64(text) else { throw UsageError(message: "--cluster takes a cluster id", command: "sweep actions", zh: "--cluster 应为集群编号") }
                return id
            }
            return try invocation.withLifecycle { _, connection in
                let actions = try Sweep(connection).actions(state: invocation.value("--state"), cluster: cluster)
                if invocation.flag("--json") {
                    try invocation.console.printJSON(actions, snakeCaseKeys: true)
                    return ExitCode.success
                }
                actions.forEach { invocation.console.print(LifecycleCommands.line($0)) }
                invocation.say("共 \(actions.count) 项", "\(actions.count) actions")
                return ExitCode.success
            }
        })

    static let sweepConfirm = resolution(confirm: true)
    static let sweepDismiss = resolution(confirm: false)

    static func resolution(confirm: Bool) -> Command {
        let word = confirm ? "confirm" : "dismiss"
        return Command(
            words: ["sweep", word],
            summary: confirm
                ? "Confirm a proposed revocation: the cluster is revoked on its ground · 确认撤销认定"
                : "Dismiss a proposed revocation · 驳回撤销建议",
            synopsis: "ACTION --note TEXT",
            examples: ["cluster-review sweep \(word) 12 --note '\(confirm ? "期满未申请复核，撤销认定" : "已补报，不予撤销")'"],
            options: [noteOption, onOption, dateReasonOption],
            positionals: 1...1,
            exits: [.dataError("a filing, objection, action or cluster that does not exist")] + ExitUse.database + [.configuration, .problems("the database refused the step; the message says why and what to do")],
            run: { invocation in
                let action = try invocation.id(0, "ACTION")
                let note = try invocation.required("--note")
                let day = try invocation.day("--on")
                return try invocation.withLifecycle { lifecycle, _ in
                    try lifecycle.resolveSweepAction(action, confirm: confirm, note: note, on: day, reason: invocation.value("--date-reason"))
                    invocation.console.print(confirm ? "已撤销认定 revoked (action #\(action))" : "已驳回 dismissed action #\(action)")
                    return ExitCode.success
                }
            })
    }

    // MARK: helpers

    static func line(_ action: SweepAction) -> String {
        let what: String
        switch action.action {
        case "revoke": what = "撤销 revoke Art. \(action.ground)"
        case "expire": what = "期满 expire"
        case "recognize": what = "认定 recognize"
        default: what = "到期提醒 expiry notice"
        }
        return "#\(action.id) cluster \(action.clusterId) \(what) [\(action.state)]: \(action.reason)"
    }

    /// The register's management body in one line: name, kind, day set up, evidence documents.
    static func managementBody(_ entry: RegisterEntry) -> String {
        guard !entry.managementBody.isEmpty else { return "未申报 not stated" }
        var parts: [String] = []
        if let kind = entry.managementBodyKind {
            let zh = ["management_committee": "管委会", "operating_company": "运营公司", "promotion_organization": "促进机构", "other": "其他"][kind] ?? kind
            parts.append("\(zh) \(kind)")
        }
        if let day = entry.managementBodyEstablishedOn { parts.append("设立 established \(day)") }
        if case .array(let documents)? = entry.managementBodyEvidence?["documents"], !documents.isEmpty {
            parts.append("证明 evidence: " + documents.compactMap(\.string).joined(separator: ", "))
        }
        return entry.managementBody + (parts.isEmpty ? "" : " (" + parts.joined(separator: " · ") + ")")
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder.sorted
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Invocation {
    /// Connects, installs config/lifecycle.json and config/calendar.json, and runs `body`,
    /// turning a refused transition into a `CommandFailure` in zh and en with what to do.
    func withLifecycle(_ body: (Lifecycle, PostgresConnection) throws -> Int32) throws -> Int32 {
        let connection = try connect()
        defer { connection.close() }
        let lifecycle = Lifecycle(connection)
        do {
            try lifecycle.install(configDirectory: try installation().configDirectory)
        } catch let error as LifecycleConfigurationError {
            throw CommandFailure(zh: "配置文件有误：\(error)", en: "bad configuration: \(error)", exitCode: ExitCode.configuration)
        }
        // A simulation database says so on every lifecycle command (staff may read the clock).
        if let notice = (try? DatabaseClock.read(on: connection))?.notice {
            console.error("⚠ " + notice.text(in: language))
        }
        do {
            return try body(lifecycle, connection)
        } catch let error as LifecycleError {
            let hint = error.hint.map { " (\($0))" } ?? ""
            throw CommandFailure(
                zh: "未执行 refused [\(error.code.rawValue)]：\(error.message.zh)", en: "\(error.message.en)\(hint)",
                exitCode: error.code == .notFound ? ExitCode.dataError : ExitCode.failure)
        }
    }

    /// The positional at `index` as an id; a usage error naming `name` otherwise.
    func id(_ index: Int, _ name: String) throws -> Int64 {
        guard let id = Int64(positionals[index]), id > 0 else {
            throw UsageError(message: "\(name) must be a positive number, not '\(positionals[index])'", command: command.name,
                               zh: "\(Self.idNamesZh[name] ?? name) 应为正整数，而不是 '\(positionals[index])'")
        }
        return id
    }

    /// The placeholders of `id(_:_:)` in Chinese.
    static let idNamesZh = ["FILING": "申报编号", "CLUSTER": "集群编号", "OBJECTION": "异议编号", "ACTION": "处置编号"]

    /// The value of a required option; a usage error when it is missing or blank.
    func required(_ option: String) throws -> String {
        guard let value = value(option), !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw UsageError(message: "\(option) is required", command: command.name, zh: "须填写 \(option)")
        }
        return value
    }

    /// The date in `option`, or nil when not given; a usage error when it is not `YYYY-MM-DD`.
    func day(_ option: String) throws -> CivilDate? {
        guard let text = value(option) else { return nil }
        guard let day = CivilDate(text) else {
            throw UsageError(message: "\(option) takes a date YYYY-MM-DD, not '\(text)'", command: command.name, zh: "\(option) 应为日期 YYYY-MM-DD，而不是 '\(text)'")
        }
        return day
    }
}

/// `register show --json`: the entry, its terms and its monitoring watchlist.
private struct ShownRegisterEntry: Encodable {
    var entry: RegisterEntry
    var terms: [RegisterTerm]
    var watchlist: [WatchedFinding]
}
