import Dispatch
import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import Rulebooks
import ChildProcesses
import ClusterStandard
import ModuleHost

#if canImport(Glibc)
    import Glibc
#endif

/// `serve`: the coordinator.
enum ServeCommand {
    static let command = Command(
        words: ["serve"],
        summary: "Run the coordinator: check submissions, review queued filings with the modules · 运行审核协调服务",
        details: """
            Keeps the submission door: validates every submission (the documents counties send through
            any client) with the same checks as `validate`, files the valid ones with their review queued,
            and refuses the others with every issue, readable by the county. Claims queued reviews (woken by NOTIFY, polling every few seconds as a fallback), sends each
            filing to every module that applies, and records findings and a recommendation. Any number
            of coordinators may share one database. A review is complete only with every criterion its
            modules declare: what a module cannot answer is recorded as an error finding; while a module
            is unavailable its reviews wait, at most its max_outage_seconds. Refuses to start (78) when
            config/parameters.json names a parameter no enabled module declares. SIGTERM or SIGINT: stop
            claiming, let work in flight finish within the grace period or release it, stop the workers
            and every process they started, exit 0. SIGHUP: reload config/modules.json and
            config/parameters.json without losing work (a configuration the modules refuse is not taken).
            Runs the daily sweep at config/lifecycle.json's sweep_time (Asia/Shanghai), and the latest
            slot due at start. Logs one JSON object per line on stderr.
            """,
        examples: [
            "cluster-review serve",
            "cluster-review serve --max-in-flight 64 --metrics-file /var/lib/node_exporter/cluster_review.prom",
            "cluster-review serve --until-idle",
            "cluster-review serve --intake-only",
        ],
        options: [
            .value("--max-in-flight", "N", "Reviews in flight at once (default 32) · 同时审核数"),
            .value("--metrics-file", "PATH", "Write Prometheus metrics here periodically · 指标文件"),
            .value("--rulebook", "NAME", "Rulebook for reviews that name none (default: the file's default) · 默认规则集"),
            .value("--modules", "FILE", "Module registry (default config/modules.json) · 模块配置"),
            .value("--parameters", "FILE", "Rulebooks (default config/parameters.json) · 规则参数"),
            .value("--name", "NAME", "This coordinator's name (default host:pid) · 名称"),
            .value("--grace", "SECONDS", "Shutdown grace period (default 20) · 停止宽限秒数"),
            .value("--lease", "SECONDS", "Claim lease; renewed every third of it (default 30) · 租约秒数"),
            .value("--poll", "SECONDS", "Poll interval when no notification arrives (default 2) · 轮询秒数"),
            .flag("--until-idle", "Exit once the queue is empty · 队列清空后退出"),
            .flag("--no-sweeps", "Do not run the daily sweep (config/lifecycle.json sweep_time) · 不运行每日巡查"),
            .flag("--intake-only", "Only check and file submissions: start no module, review nothing · 只检查提交的材料"),
        ],
        exits: ExitUse.database + [.configuration],
        run: run)

    static func run(_ invocation: Invocation) async throws -> Int32 {
        var configuration = CoordinatorConfiguration(name: invocation.value("--name") ?? CoordinatorConfiguration.defaultName)
        if let text = invocation.value("--max-in-flight") {
            guard let value = Int(text), value > 0 else { throw UsageError(message: "--max-in-flight takes a positive number", zh: "--max-in-flight 应为正整数") }
            configuration.maxInFlight = value
        }
        if let text = invocation.value("--grace") {
            guard let value = Int(text), value >= 0 else { throw UsageError(message: "--grace takes seconds (0 or more)", zh: "--grace 应为秒数（0 或以上）") }
            configuration.shutdownGrace = .seconds(value)
        }
        if let text = invocation.value("--lease") {
            guard let value = Double(text), value >= 0.3 else { throw UsageError(message: "--lease takes seconds (0.3 or more)", zh: "--lease 应为秒数（0.3 或以上）") }
            configuration.lease = .milliseconds(Int(value * 1000))
            configuration.heartbeatInterval = .milliseconds(Int(value * 1000 / 3))
            configuration.rescueInterval = .milliseconds(Int(min(5, value) * 1000))
        }
        if let text = invocation.value("--poll") {
            guard let value = Double(text), value >= 0.05 else { throw UsageError(message: "--poll takes seconds (0.05 or more)", zh: "--poll 应为秒数（0.05 或以上）") }
            configuration.pollInterval = .milliseconds(Int(value * 1000))
        }
        configuration.metricsFile = invocation.value("--metrics-file")
        if !invocation.flag("--no-sweeps") && !invocation.flag("--until-idle") {
            let file = try invocation.installation().configDirectory.appendingPathComponent("lifecycle.json")
            do {
                configuration.sweepSchedule = SweepSchedule(try LifecycleSettings.load(from: file))
            } catch {
                throw CommandFailure(zh: "巡查配置有误：\(error)", en: "config/lifecycle.json: \(error)", exitCode: ExitCode.configuration)
            }
        }
        configuration.defaultRulebook = invocation.value("--rulebook")
        var registry = try invocation.moduleRegistry()
        if invocation.flag("--intake-only") {
            configuration.reviews = false
            configuration.sweepSchedule = nil
            registry.modules = []
        }
        let rulebooks = try invocation.rulebookLibrary()
        if let name = configuration.defaultRulebook { _ = try rulebooks.rulebook(named: name) }
        let conninfo = try invocation.conninfo()
        try checkSchema(conninfo)
        // The private PostgreSQL, if any, has been started: from here on the orphans of this
        // process's descendants are its own to reap, and a module's descendants die with it.
        let subreaper = OrphanReaper.becomeSubreaper()

        let logger = Logger()
        let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: logger)
        for (module, error) in errors.sorted(by: { $0.key < $1.key }) {
            logger.error("module_not_started", ["module": .string(module), "error": .string(error)])
        }
        let reviews = configuration.reviews
        do {
            if reviews { try checkRulebooks(rulebooks, modules: modules, conninfo: conninfo, invocation: invocation, logger: logger) }
        } catch {
            await modules.pools.shutdownAll()
            throw error
        }
        let coordinator = Coordinator(
            conninfo: conninfo, configuration: configuration, modules: modules, rulebooks: rulebooks, logger: logger)

        let signals = SignalHandlers()
        signals.onStop { Task { await coordinator.stop() } }
        signals.onReload {
            Task {
                guard reviews else { return }
                do {
                    let registry = try invocation.moduleRegistry()
                    let rulebooks = try invocation.rulebookLibrary()
                    let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: logger)
                    for (module, error) in errors { logger.error("module_not_started", ["module": .string(module), "error": .string(error)]) }
                    do {
                        try checkRulebooks(rulebooks, modules: modules, conninfo: conninfo, invocation: invocation, logger: logger)
                    } catch {
                        // The running modules and rulebooks are kept.
                        await modules.pools.shutdownAll()
                        throw error
                    }
                    await coordinator.reload(modules: modules, rulebooks: rulebooks)
                } catch {
                    logger.error("reload_failed", ["error": .string("\(error)")])
                }
            }
        }
        var idleWatch: Task<Void, Never>?
        if invocation.flag("--until-idle") {
            idleWatch = Task {
                let session = PostgresSession(conninfo: conninfo, applicationName: "cluster-review idle-watch")
                var idleChecks = 0
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(300))
                    guard let statistics = try? await session.run({ try ReviewQueue.statistics(on: $0) }) else { continue }
                    let busy = statistics.pendingSubmissions
                        + (reviews ? statistics.queued + statistics.running + statistics.waitingForRetry : 0)
                    idleChecks = busy == 0 ? idleChecks + 1 : 0
                    if idleChecks >= 2 {
                        await coordinator.stop()
                        break
                    }
                }
                await session.close()
            }
        }
        // Adopted orphans (a module's descendants that outlived their parent) are killed and
        // reaped as they appear; never a child the program started itself.
        let reaper = subreaper ? Task { await reapOrphans(logger: logger) } : nil
        await coordinator.run()
        idleWatch?.cancel()
        reaper?.cancel()
        if subreaper { await reapLastOrphans(logger: logger) }
        signals.cancel()
        return ExitCode.success
    }

    /// Checks the rulebooks against what the enabled modules declared: live, else as last
    /// recorded in the database; a module with neither cannot be asked.
    static func checkRulebooks(
        _ rulebooks: RulebookLibrary, modules: Coordinator.ModuleSet, conninfo: String, invocation: Invocation, logger: Logger
    ) throws {
        var descriptors = modules.descriptors
        let missing = modules.enabled.filter { descriptors[$0] == nil }
        if !missing.isEmpty, let connection = try? PostgresConnection(conninfo) {
            defer { connection.close() }
            if let recorded = try? DeclarationRecords.latest(of: missing, on: connection) {
                for (id, descriptor) in recorded { descriptors[id] = descriptor }
            }
        }
        let declarations = Declarations(modules.enabled.compactMap { descriptors[$0] })
        let unanswered = modules.enabled.filter { descriptors[$0] == nil }
        try invocation.checkRulebooks(rulebooks, declarations: declarations, unanswered: unanswered) { note in
            logger.warning("rulebook_note", ["note": .string(note.en)])
        }
    }

    /// Sweeps adopted orphans every second until cancelled.
    static func reapOrphans(logger: Logger) async {
        while !Task.isCancelled {
            let sweep = OrphanReaper.sweep()
            if sweep.reaped + sweep.killed > 0 {
                logger.info("orphans_reaped", ["reaped": .number(Decimal(sweep.reaped)), "killed": .number(Decimal(sweep.killed))])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// At exit, after every worker has been reaped: kills and reaps what is left of the modules'
    /// descendants, for a few seconds at most, so none is left behind.
    static func reapLastOrphans(logger: Logger) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let sweep = OrphanReaper.sweep()
            if sweep.reaped + sweep.killed > 0 {
                logger.info("orphans_reaped", ["reaped": .number(Decimal(sweep.reaped)), "killed": .number(Decimal(sweep.killed))])
            }
            if sweep.reaped + sweep.killed == 0 { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Fails with a clear message when the database has not been migrated.
    static func checkSchema(_ conninfo: String) throws {
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        guard try Migrator.isMigrated(connection) else {
            throw CommandFailure(
                zh: "数据库尚未迁移，请先运行 cluster-review migrate", en: "the database is not migrated: run cluster-review migrate first",
                exitCode: ExitCode.unavailable)
        }
    }
}

/// SIGTERM/SIGINT and SIGHUP, delivered through dispatch sources instead of async-signal handlers.
final class SignalHandlers {
    private let sources: [any DispatchSourceSignal]
    private let stopHandlers = HandlerList()
    private let reloadHandlers = HandlerList()

    init() {
        var sources: [any DispatchSourceSignal] = []
        let stop = stopHandlers, reload = reloadHandlers
        for (number, list) in [(SIGTERM, stop), (SIGINT, stop), (SIGHUP, reload)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { list.fire() }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func onStop(_ handler: @escaping @Sendable () -> Void) { stopHandlers.add(handler) }
    func onReload(_ handler: @escaping @Sendable () -> Void) { reloadHandlers.add(handler) }

    func cancel() {
        for source in sources { source.cancel() }
        for number in [SIGTERM, SIGINT, SIGHUP] { signal(number, SIG_DFL) }
    }

    /// Handlers guarded by a lock; fired from the signal queue.
    final class HandlerList: @unchecked Sendable {
        // @unchecked: `handlers` is only read or written while `lock` is held.
        private let lock = NSLock()
        private var handlers: [@Sendable () -> Void] = []

        func add(_ handler: @escaping @Sendable () -> Void) {
            lock.lock()
            handlers.append(handler)
            lock.unlock()
        }

        func fire() {
            lock.lock()
            let current = handlers
            lock.unlock()
            for handler in current { handler() }
        }
    }
}
