import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard
import EmbeddedPostgres
import ModuleHost
import Reports

/// `demo`: the README's main job, end to end: a clean database, every module, the samples of every
/// county reviewed, a summary table, and the life of a few filings after review.
enum DemoCommand {
    static let command = Command(
        words: ["demo"],
        summary: "Run the demonstration end to end on the private database · 运行完整演示",
        details: """
            Starts the private PostgreSQL, creates a clean demo database (cluster_review_demo, dropped
            and recreated on every run), migrates, starts the coordinator with every module, submits the
            sample filings of every county (config/samples), shows progress while they are reviewed,
            and prints a summary table with each filing's recommendation and indicator scores, checked
            against the recommendation each sample expects. With DATABASE_URL or PGHOST set, that
            database is used as it is instead.
            """,
        examples: ["cluster-review demo", "cluster-review demo --lang en --reports /tmp/demo-reports"],
        options: [.value("--reports", "DIR", "Where to write the HTML reports (default .local/demo-reports) · 报告目录")],
        exits: [.problems("a sample's recommendation differs from the expected one")] + ExitUse.database + [.configuration],
        run: run)

    static func run(_ invocation: Invocation) async throws -> Int32 {
        let console = invocation.console
        let en = invocation.language == .en
        func say(_ zh: String, _ english: String) { console.print(en ? english : zh) }
        func warn(_ zh: String, _ english: String) { console.error(en ? english : zh) }
        let started = ContinuousClock.now
        let installation = try invocation.installation()
        let conninfo = try prepareDatabase(invocation, installation: installation)
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        let report = try Migrator.migrate(connection, migrations: try Migrator.load(from: installation.sqlDirectory))
        say("① 迁移：新应用 \(report.applied.count) 个，已应用 \(report.alreadyApplied) 个",
            "① migrations: \(report.applied.count) applied, \(report.alreadyApplied) already applied")

        // The coordinator, in this process, with every enabled module.
        let registry = try invocation.moduleRegistry()
        let rulebooks = try invocation.rulebookLibrary()
        let logger = Logger(minimumLevel: .warning)
        let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: logger)
        for (module, error) in errors.sorted(by: { $0.key < $1.key }) {
            warn("模块未启动：\(module)：\(error)", "module not started: \(module): \(error)")
        }
        try invocation.checkRulebooks(rulebooks, declarations: modules.declarations, unanswered: Array(errors.keys)) { note in
            console.error(note.text(in: invocation.language))
        }
        let ready = modules.descriptors.keys.sorted()
        say("② 协调服务：\(ready.count) 个审核模块就绪（\(ready.map { modules.descriptors[$0]?.title?.zh ?? ReportLabels.axis($0).zh }.joined(separator: "、"))）",
            "② coordinator: \(ready.count) modules ready (\(ready.joined(separator: ", ")))")
        var configuration = CoordinatorConfiguration(name: "demo")
        configuration.pollInterval = .milliseconds(200)
        let coordinator = Coordinator(conninfo: conninfo, configuration: configuration, modules: modules, rulebooks: rulebooks, logger: logger)
        let serving = Task { await coordinator.run() }

        try Lifecycle(connection).install(configDirectory: installation.configDirectory)

        // The samples of every county; recertifications need the register entry they renew, annual and
        // change reports the entry they are filed for (the door refuses a report naming none).
        let samples = try SampleFiling.all(in: installation)
        let seeded = try RegisterHistory.seed(samples, on: connection)
        if seeded > 0 {
            say("   历史记录：预置 \(seeded) 条往年认定的名单条目，供复核样例续期、年度报告与变更报告样例关联",
                "   seeded \(seeded) register entr\(seeded == 1 ? "y" : "ies") recognized in earlier years, which the recertification samples renew and the annual and change report samples are filed for")
        }
        var submitted: [(sample: SampleFiling, id: Int64)] = []
        // The rate is measured from the first submission: the coordinator reviews while they are filed.
        let reviewStart = ContinuousClock.now
        // Through the submission door, as every client files: the documents as they are, checked by
        // the coordinator (the same validator as `validate`) and filed by the database. The demo
        // works as the database's owner, which may submit without being a county's login: each
        // filing's county is the one its document names.
        let receipts = try SubmissionDoor.send(samples.map { SubmissionDoor.Document($0.data, reference: $0.file) }, on: connection)
        var bySubmission: [Int64: SampleFiling] = [:]
        for (sample, receipt) in zip(samples, receipts) {
            switch receipt {
            case .received(let id): bySubmission[id] = sample
            case .refused(let error): warn("样例未收到：\(sample.file)：\(error)", "sample not received: \(sample.file): \(error)")
            }
        }
        let verdicts = try SubmissionDoor.wait(for: Array(bySubmission.keys), timeout: .seconds(120), on: connection)
        for (id, sample) in bySubmission.sorted(by: { $0.key < $1.key }) {
            switch verdicts[id] {
            case .filed(let filing)?, .alreadyOnFile(let filing)?: submitted.append((sample, filing))
            case .refused(let issues)?:
                warn("样例被拒：\(sample.file)：\(issues.map { $0.message.text(in: .zh) }.joined(separator: "；"))",
                     "sample refused: \(sample.file): \(issues.map(\.description).joined(separator: "; "))")
            case .pending?, nil: warn("样例未及时检查：\(sample.file)（提交 #\(id)）", "sample not checked in time: \(sample.file) (submission #\(id))")
            }
        }
        let counties = Set(submitted.map { $0.sample.file.prefix(6) }).count
        say("③ 提交：经提交入口提交 \(counties) 个县级行政区的 \(submitted.count) 份样例申报（\(bySubmission.count) 份提交，由协调服务检查并登记）",
            "③ submitted \(submitted.count) sample filings from \(counties) county-level divisions through the submission door "
            + "(\(bySubmission.count) submissions, checked and filed by the coordinator)")

        // Progress while they are reviewed.
        let ids = submitted.map(\.id)
        while true {
            let finished = try ReviewRecords.finishedCount(of: ids, on: connection)
            let elapsed = seconds(ContinuousClock.now - reviewStart)
            console.progress((en ? "   reviewing " : "   审核中 ") + "\(finished)/\(ids.count) · " + rate(finished, over: elapsed, language: invocation.language),
                             final: finished == ids.count)
            if finished == ids.count { break }
            if elapsed > 300 { throw CommandFailure(zh: "审核超时", en: "the reviews did not finish within 300 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
        await coordinator.stop()
        await serving.value

        // The summary table.
        var table = try summary(submitted, on: connection, language: invocation.language, declarations: modules.declarations)
        console.print("")
        say("④ 审核结果", "④ review results")
        console.print(table.text)
        console.print("")
        // A sample the door refused, or that was not checked in time, is a sample without its expected result.
        let filedFiles = Set(submitted.map(\.sample.file))
        table.mismatches += samples.map(\.file).filter { !filedFiles.contains($0) }.map { en ? "\($0) (not filed)" : "\($0)（未登记）" }
        if table.mismatches.isEmpty {
            say("   ✔ 每个样例的建议与预期一致（\(submitted.count)/\(samples.count)）",
                "   ✔ every sample got the recommendation it expects (\(submitted.count)/\(samples.count))")
        } else {
            say("   ✘ 与预期建议不符：\(table.mismatches.joined(separator: "、"))",
                "   ✘ differs from the expected recommendation: \(table.mismatches.joined(separator: ", "))")
        }
        // The life after review, on a simulated calendar.
        try LifeAfterReview.run(submitted, on: connection, console: console, language: invocation.language)

        // The HTML reports, one per filing, and an index.
        let reports = try ReviewReport.load(filings: submitted.map(\.id), on: connection)
        let reportDirectory = invocation.value("--reports").map { URL(fileURLWithPath: $0) }
            ?? installation.localDirectory.appendingPathComponent("demo-reports")
        // Reports of an earlier run would otherwise linger beside this run's (ids differ per run).
        for old in (try? FileManager.default.contentsOfDirectory(atPath: reportDirectory.path)) ?? [] where old.hasSuffix(".html") {
            try? FileManager.default.removeItem(at: reportDirectory.appendingPathComponent(old))
        }
        let index = try HTMLReport.write(reports, to: reportDirectory, language: invocation.language, generatedAt: invocation.now)
        say("⑦ 报告：\(reports.count) 份网页报告及索引，位于 \(reportDirectory.path)",
            "⑦ HTML reports: \(reports.count) files and an index in \(reportDirectory.path)")
        say("   打开 \(index.path)", "   open \(index.path)")
        let took = seconds(ContinuousClock.now - started)
        say(String(format: "完成，用时 %.1f 秒", took), String(format: "done in %.1f s", took))
        return table.mismatches.isEmpty ? ExitCode.success : ExitCode.failure
    }

    /// The demo's database: the given one, or a clean `cluster_review_demo` on the private server.
    static func prepareDatabase(_ invocation: Invocation, installation: Installation) throws -> String {
        let target = try invocation.databaseTarget()
        guard case .embedded(let directory, _) = target else { return try target.prepare() }
        let server = EmbeddedPostgres(directory: directory)
        try server.start()
        try server.dropDatabase("cluster_review_demo")
        try server.createDatabase("cluster_review_demo")
        invocation.console.print(invocation.language == .en
            ? "⓪ database: a clean cluster_review_demo on the private PostgreSQL in \(directory.path)"
            : "⓪ 数据库：本地私有 PostgreSQL（\(directory.path)）上全新的 cluster_review_demo")
        return server.conninfo(database: "cluster_review_demo")
    }

    struct Summary {
        var text: String
        var mismatches: [String]
    }

    /// The columns: the standard's eight indicators.
    static var indicatorOrder: [String] { RecognitionStandard.indicators }

    static func summary(
        _ submitted: [(sample: SampleFiling, id: Int64)], on connection: PostgresConnection, language: Language, declarations: Declarations
    ) throws -> Summary {
        // Each indicator's column is headed by the prefix of its criteria's ids (COMP, TIER …).
        let headings = indicatorOrder.map { id in
            declarations.module(id)?.criteria.first.map { String($0.id.prefix { $0 != "-" }) } ?? String(id.prefix(4)).uppercased()
        }
        let en = language == .en
        var table = TextTable(headers: [
            en ? "ID" : "编号", en ? "County" : "县区", en ? "Cluster" : "集群", en ? "Kind" : "类型",
            en ? "Recommendation" : "建议",
        ] + headings + [en ? "expected" : "预期"])
        var mismatches: [String] = []
        let names = Dictionary(uniqueKeysWithValues: try CountyRecords.all(on: connection).map { ($0.code, en ? $0.nameEn : $0.nameZh) })
        for (sample, id) in submitted {
            guard let record = try ReviewRecords.latestReview(of: id, on: connection), let summary = record.summary else { continue }
            let scores = Dictionary(summary.indicators.map { ($0.module, $0) }, uniquingKeysWith: { first, _ in first })
            let recommendation = summary.recommendation.rawValue
            let matches = recommendation == sample.expected
            if !matches { mismatches.append("\(sample.file) (\(recommendation) ≠ \(sample.expected))") }  // codes: the samples' expected field
            let name = record.filing.clusterName
            table.rows.append([
                String(id), names[record.filing.countyCode] ?? record.filing.countyCode,
                TextTable.displayWidth(name) > 28 ? String(name.prefix(13)) + "…" : name,
                FilingKind(rawValue: record.filing.kind).map { ReportLabels.kind($0).text(in: language) } ?? record.filing.kind,
                words(summary.recommendation, kind: record.filing.kind, language: language),
            ] + indicatorOrder.map { module in
                guard let indicator = scores[module] else { return "—" }
                return indicator.score.map(String.init) ?? indicator.verdict.rawValue
            } + [matches ? "✔" : "✘ \(sample.expected)"])
        }
        return Summary(text: table.render(), mismatches: mismatches)
    }

    /// A recommendation in words of one language, as the outcome reads for the filing's kind (an
    /// annual report is recorded, a change report awaits acceptance).
    static func words(_ recommendation: ReviewSummary.Recommendation, kind: String, language: Language) -> String {
        let en = language == .en
        // An annual report is recorded whatever its monitoring findings say (the watchlist shows them).
        if kind == FilingKind.annualReport.rawValue { return en ? "recorded (monitoring)" : "监测已记录" }
        if recommendation == .recommended || recommendation == .needsReview {
            if kind == FilingKind.changeReport.rawValue { return en ? "awaits acceptance" : "待核准变更" }
        }
        return ReportLabels.recommendation(recommendation).text(in: language)
    }

    /// Filings per second over the run so far; a dash until a fifth of a second has passed, when
    /// a ratio of two small numbers says nothing.
    static func rate(_ count: Int, over elapsed: Double, language: Language = .en) -> String {
        let en = language == .en
        guard elapsed >= 0.2 else { return en ? "— filings/s" : "— 件/秒" }
        return String(format: en ? "%.1f filings/s over %.1f s" : "%.1f 件/秒，历时 %.1f 秒", Double(count) / elapsed, elapsed)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
