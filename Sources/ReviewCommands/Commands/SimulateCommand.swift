import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import ModuleHost
import Reports

/// `simulate --set PARAM=VALUE`: what-if for a draft rule change (issue 18 item 3).
enum SimulateCommand {
    static let command = Command(
        words: ["simulate"],
        summary: "What-if: run stored filings under a draft rule change, list what changes · 规则修订模拟",
        synopsis: "--set PARAM=VALUE [--set ...] [ROUND]",
        details: """
            A draft rulebook — the named one (--rulebook; default: the file's default, the one in force) with
            the parameters given by --set changed — is applied to stored filings through the same modules and
            worker pools evaluate uses, many filings at once, and compared with a fresh run of each filing under
            the rulebook as it is, on the same as-of date (the date of the filing's latest decision review).
            Printed: every finding whose verdict changes and every recommendation that changes, per filing (one
            per cluster), counts by criterion, county and leading industry, and one sentence in words. The draft
            lives in memory only: it is never written to config/ and never used by a real review; the
            simulation reads the filings in one read-only transaction as your login (a county simulates its own
            county's filings) and writes nothing.
            Values: the parameters file's unit (min_annual_output_wan=150000, in 万元), or an amount with 亿/亿元,
            万/万元 or 元 (min_annual_output_wan=15亿), a share or rate as a fraction or a percentage
            (min_sme_output_share=0.55 or 55%), a mode's word (share_years=each). A parameter the rulebook does
            not have, a value of the wrong kind or out of range is refused (64), naming what is allowed.
            --over filings (default): each cluster's latest reviewed initial application or recertification;
            --over register: the filing that opened each active register entry's current term; --over round R
            (or round:R): the round's reviewed applications. --json prints the result (schema in docs/cli.md);
            --html F writes a printable page.
            """,
        examples: [
            "cluster-review simulate --set min_annual_output_wan=15亿",
            "cluster-review simulate --set min_sme_output_share=55% --over register --json",
            "cluster-review simulate --set min_annual_output_wan=150000 --set min_quality_smes=4 --over round 2026-spring --html what-if.html",
        ],
        options: [
            .value("--set", "PARAM=VALUE", "A parameter of the draft (repeatable) · 草案参数", repeatable: true),
            .value("--rulebook", "NAME", "The rulebook the draft changes (default: the file's default) · 规则集"),
            .value("--over", "SCOPE", "filings (default), register, or round R · 模拟范围"),
            .value("--modules", "FILE", "Module registry (default config/modules.json) · 模块配置"),
            .value("--parameters", "FILE", "Rulebooks (default config/parameters.json) · 规则参数"),
            .value("--html", "FILE", "Write the result as a printable page · 生成 HTML"),
            .flag("--json", "Print the result as JSON · 输出 JSON"),
        ],
        positionals: 0...1,
        exits: ExitUse.database + [.init(ExitCode.dataError, "no round has the id or name given"), .cannotCreate, .configuration],
        run: run)

    static func scope(_ invocation: Invocation) throws -> SimulationRecords.Scope {
        let over = invocation.value("--over") ?? "filings"
        let positional = invocation.positionals.first
        func refuse() -> UsageError {
            UsageError(message: "--over takes filings, register or round R, not '\(([over] + invocation.positionals).joined(separator: " "))'",
                       command: "simulate", zh: "--over 应为 filings、register 或 round R，而不是 '\(([over] + invocation.positionals).joined(separator: " "))'")
        }
        switch over {
        case "filings" where positional == nil: return .filings
        case "register" where positional == nil: return .register
        case "round":
            guard let positional, !positional.isEmpty else { throw refuse() }
            return .round(positional)
        default:
            for prefix in ["round:", "round=", "round "] where over.hasPrefix(prefix) && positional == nil {
                let key = String(over.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { return .round(key) }
            }
            throw refuse()
        }
    }

    static func run(_ invocation: Invocation) async throws -> Int32 {
        let console = invocation.console
        let language = invocation.language
        let assignments = invocation.allValues("--set")
        guard !assignments.isEmpty else {
            throw UsageError(message: "give at least one --set PARAM=VALUE (e.g. --set min_annual_output_wan=15亿)", command: "simulate",
                             zh: "至少给出一个 --set 参数名=值（例如 --set min_annual_output_wan=15亿）")
        }
        guard !(invocation.flag("--json") && invocation.value("--html") != nil) else {
            throw UsageError(message: "give at most one of --json and --html", command: "simulate", zh: "--json 与 --html 只能选一个")
        }
        let scope = try scope(invocation)
        let rulebooks = try invocation.rulebookLibrary()
        let draft: DraftRulebook
        do {
            draft = try DraftRulebook(base: try rulebooks.rulebook(named: invocation.value("--rulebook")), assignments: assignments)
        } catch let error as DraftError {
            throw UsageError(message: error.message.en, command: "simulate", zh: error.message.zh)
        } catch let error as RulebookError {
            throw UsageError(message: error.message.en, command: "simulate", zh: error.message.zh)
        }
        let connection = try invocation.connect()
        defer { connection.close() }
        let registry = try invocation.moduleRegistry()
        let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: Logger(minimumLevel: .error))
        defer { Task { await modules.pools.shutdownAll() } }
        for (module, error) in errors.sorted(by: { $0.key < $1.key }) {
            console.error(language == .en ? "module not started: \(module): '\(error)'" : "模块未启动：\(module)（'\(error)'）")
        }
        let result: SimulationResult
        do {
            try invocation.checkRulebooks(rulebooks, declarations: modules.declarations, unanswered: Array(errors.keys)) { note in
                console.error(note.text(in: language))
            }
            result = try await Simulation.run(draft, over: scope, modules: modules, on: connection)
        } catch let error as SimulationRecords.ScopeError {
            await modules.pools.shutdownAll()
            throw CommandFailure(zh: error.message.zh, en: error.message.en, exitCode: ExitCode.dataError)
        } catch {
            await modules.pools.shutdownAll()
            throw error
        }
        await modules.pools.shutdownAll()
        if invocation.flag("--json") {
            try console.printJSON(result)
            return ExitCode.success
        }
        if let path = invocation.value("--html") {
            try OutputFile.write(Data(SimulationPage.render(result, language: language, generatedAt: invocation.now).utf8), to: path)
            console.print(result.sentence(language))
            console.print(language == .en ? "wrote \(path)" : "已生成 \(path)")
            return ExitCode.success
        }
        console.print(SimulationPage.text(result, language: language))
        return ExitCode.success
    }
}
