import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import ClusterStandard
import ModuleHost
import Reports
import JSONCore

/// `evaluate FILE...`: reviews filings offline through the real module processes, no database.
enum EvaluateCommand {
    static let command = Command(
        words: ["evaluate"],
        summary: "Review a filing offline with every module, no database (self-check) · 离线自评",
        synopsis: "FILE...",
        details: """
            Validates each filing, then sends it to every module that applies — the same worker
            processes the server uses — and prints the scorecard: each indicator's verdict and score,
            what failed, what a reviewer must confirm, and the recommendation. A county can self-check
            before it files. Several files are checked at once and reported in the order given.
            --context gives the records a server would add (incidents recorded
            against the enterprises, the plan on record for a recertification) as a JSON object.
            With --json, one JSON array with an object per file: {"file", "recommendation", "rulebook",
            "rulebook_hash", "as_of", "summary", "findings": [{"module", "finding", "reading"}]} (or {"file",
            "issues"} when invalid). Exit code 0 when every file was evaluated, 1 when any was invalid,
            66 when a file cannot be read.
            """,
        examples: [
            "cluster-review evaluate config/samples/469005-wenchang-commercial-aerospace.json",
            "cluster-review evaluate my-filing.json --rulebook national-2022 --as-of 2026-06-30 --json",
            "cluster-review evaluate my-filing.json --html my-filing.html",
        ],
        options: [
            .value("--rulebook", "NAME", "Rulebook (default: the file's default, hainan-2023) · 规则集"),
            .value("--as-of", "DATE", "Apply the rules as of this date (default: the filing date) · 基准日"),
            .value("--context", "FILE", "Records to add, as a JSON object (incidents, plan_on_record) · 上下文"),
            .value("--modules", "FILE", "Module registry (default config/modules.json) · 模块配置"),
            .value("--parameters", "FILE", "Rulebooks (default config/parameters.json) · 规则参数"),
            .value("--html", "FILE", "Also write the HTML report (one input file only) · 生成 HTML 报告"),
            .flag("--json", "One JSON array, an object per file · 输出 JSON"),
        ],
        positionals: 1...Int.max,
        exits: [.problems("a filing is invalid"), .dataError("the --context file is not a context object, or the rulebook does not cover the date"), .noInput, .cannotCreate, .configuration],
        run: run)

    struct Output: Encodable {
        var file: String
        var recommendation: String?
        var rulebook: String?
        var rulebook_hash: String?
        var as_of: String?
        var summary: ReviewSummary?
        var findings: [ReadableFinding]?
        var issues: [ValidationIssue]?
    }

    static func run(_ invocation: Invocation) async throws -> Int32 {
        let console = invocation.console
        let language = invocation.language
        var asOfOverride: CivilDate?
        if let text = invocation.value("--as-of") {
            guard let date = CivilDate(text) else { throw UsageError(message: "--as-of takes a date YYYY-MM-DD, not '\(text)'", zh: "--as-of 应为日期 YYYY-MM-DD，而不是 '\(text)'") }
            asOfOverride = date
        }
        var context = Data("{}".utf8)
        if let path = invocation.value("--context") {
            let data: Data
            do { data = try InputFile.read(path) } catch { throw error.failure }
            guard case .object(let members) = try? JSONValue(parsing: data),
                (try? JSONDecoder().decode(ReviewContext.self, from: data)) != nil
            else {
                throw CommandFailure(zh: "上下文文件不是有效的 JSON 对象：\(path)", en: "the context file is not a valid context object: \(path)",
                                     exitCode: ExitCode.dataError)
            }
            context = Data(JSONValue.object(members).compactBytes)
        }
        let rulebooks = try invocation.rulebookLibrary()
        let registry = try invocation.moduleRegistry()
        let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: Logger(minimumLevel: .error))
        defer { Task { await modules.pools.shutdownAll() } }
        for (module, error) in errors.sorted(by: { $0.key < $1.key }) {
            console.error(language == .en ? "module not started: \(module): '\(error)'" : "模块未启动：\(module)（'\(error)'）")
        }
        do {
            try invocation.checkRulebooks(rulebooks, declarations: modules.declarations, unanswered: Array(errors.keys)) { note in
                console.error(note.text(in: language))
            }
        } catch {
            await modules.pools.shutdownAll()
            throw error
        }
        var invalid = 0
        var outputs: [Output] = []
        let files = try SubmitCommand.expand(invocation.positionals)
        if invocation.value("--html") != nil && files.count != 1 {
            throw UsageError(message: "--html writes one report: give exactly one filing", zh: "--html 只生成一份报告：请只给一个申报")
        }
        // The files are checked in parallel — a bounded window of them in flight, so the modules'
        // workers and both cores stay busy — and printed in their order, each when every file
        // before it is done; the first file that fails the command stops it there, as before.
        let rulebook = invocation.value("--rulebook")
        // What the modules declared, made once for every file (each `modules.declarations` builds it anew).
        let declarations = modules.declarations
        let check: @Sendable (String) async -> FileCheck = { [context, asOfOverride] file in
            let data: Data
            do throws(FileReadError) { data = try InputFile.read(file) } catch { return .unreadable(error) }
            do {
                return .checked(try await OfflineSelfCheck.run(
                    data, id: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent, rulebook: rulebook,
                    asOf: asOfOverride, context: context, rulebooks: rulebooks, modules: modules, declarations: declarations))
            } catch {
                return .failed(error)
            }
        }
        try await inOrder(files, width: Self.window, check) { file, outcome in
            let evaluated: OfflineSelfCheck.Evaluated
            do {
                switch try outcome.get() {
                case .invalid(let issues):
                    invalid += 1
                    if invocation.flag("--json") {
                        outputs.append(Output(file: file, issues: issues))
                    } else {
                        console.error(IssueLines.header(file, count: issues.count, language: language))
                        for issue in issues { IssueLines.lines(issue, language: language, indent: "    ").forEach(console.error) }
                    }
                    return
                case .evaluated(let done):
                    evaluated = done
                }
            } catch let error as RulebookError {
                throw CommandFailure(zh: error.message.zh, en: error.message.en, exitCode: ExitCode.dataError)
            }
            let (report, completed, resolved, asOf) = (evaluated.report, evaluated.completed, evaluated.parameters, evaluated.asOf)
            if let path = invocation.value("--html") {
                let page = HTMLReport.render(report, language: language, generatedAt: invocation.now, audience: .county)
                try OutputFile.write(Data(page.utf8), to: path)
                if !invocation.flag("--json") { console.print(language == .en ? "Wrote \(path)" : "已生成 \(path)") }
            }
            if invocation.flag("--json") {
                let output = Output(
                    file: file, recommendation: completed.recommendation.rawValue, rulebook: resolved.rulebook,
                    rulebook_hash: resolved.hash, as_of: asOf.description, summary: completed.summary,
                    findings: completed.findings.map {
                        ReadableFinding(ReviewSummary.Attributed(module: $0.module, finding: $0.finding), declarations: declarations)
                    })
                outputs.append(output)
            } else {
                console.print(console.styled(file, .bold))
                console.print(SelfCheck.terminal(report, language: language, generatedAt: invocation.now))
                console.print("")
            }
        }
        if invocation.flag("--json") { try console.printJSON(outputs) }
        return invalid > 0 ? ExitCode.failure : ExitCode.success
    }

    /// How many files are checked at once: enough to keep every module's workers and both cores
    /// busy, few enough that memory stays small.
    static let window = 16

    /// One file's check, as a child task returns it.
    enum FileCheck: Sendable {
        case unreadable(FileReadError)
        case checked(OfflineSelfCheck.Outcome)
        case failed(any Error)

        /// The outcome, or the error the command stops with (a file it cannot read: 66; a
        /// rulebook that does not cover the date: 65).
        func get() throws -> OfflineSelfCheck.Outcome {
            switch self {
            case .unreadable(let error): throw error.failure
            case .checked(let outcome): return outcome
            case .failed(let error as RulebookError):
                throw CommandFailure(zh: error.message.zh, en: error.message.en, exitCode: ExitCode.dataError)
            case .failed(let error): throw error
            }
        }
    }

    /// Runs `work` on every item, at most `width` at once, and hands each result to `handle` in
    /// the items' order; a throw from `handle` stops the rest (work in flight is cancelled).
    static func inOrder<Item: Sendable, Result: Sendable>(
        _ items: [Item], width: Int, _ work: @escaping @Sendable (Item) async -> Result,
        handle: (Item, Result) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var started = 0
            var handled = 0
            var done: [Int: Result] = [:]
            func start() {
                let index = started
                let item = items[index]
                started += 1
                group.addTask { (index, await work(item)) }
            }
            while started < min(max(width, 1), items.count) { start() }
            while let (index, result) = try await group.next() {
                done[index] = result
                if started < items.count { start() }
                while let result = done.removeValue(forKey: handled) {
                    try await handle(items[handled], result)
                    handled += 1
                }
            }
        }
    }
}
