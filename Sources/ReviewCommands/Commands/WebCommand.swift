import Foundation
import HTTPServer
import JSONCore
import ModuleHost
import Postgres
import ReviewCore
import WebDoor

#if canImport(Glibc)
    import Glibc
#endif

/// `web`: the web door.
enum WebCommand {
    static let command = Command(
        words: ["web"],
        summary: "Run the web door for counties, reviewers and the public · 运行网页入口",
        details: """
            Serves the web pages over HTTP/1.1 on a Unix socket (production, behind nginx:
            config/nginx/cluster-review.conf) or a loopback port (a test), and refuses any other address.
            Connects as the web door's authenticator login cr_web (user=cr_web in DATABASE_URL), which may
            only become each person: every request runs as the person who signed in (SET LOCAL ROLE), so the
            database decides what they see and do, and the audit log names them. People sign in with their
            own database login and password, which the door proves by connecting as them once; it refuses to
            start (78) against a server that lets a login in with a wrong password (trust in pg_hba.conf).
            X-Real-IP and X-Forwarded-Proto are believed only over the Unix socket. SIGTERM or SIGINT: stop
            accepting, finish the requests in flight within the grace period, exit 0. Logs one JSON object
            per line on stderr (never a cookie, a token or a password). A county's self-check on the filing
            page runs the modules' worker processes as `evaluate` does (--modules, --parameters), started
            with the door.
            """,
        examples: [
            "cluster-review web --listen unix:/run/cluster-review/web.sock",
            "cluster-review web --listen unix:/run/cluster-review/web.sock --metrics-file /var/lib/node_exporter/cluster_review_web.prom",
            "cluster-review web --listen 127.0.0.1:8080 --secure-cookies off",
        ],
        options: [
            .value("--listen", "ADDRESS", "unix:PATH or 127.0.0.1:PORT (required) · 监听地址"),
            .value("--metrics-file", "PATH", "Write Prometheus metrics here every 10 s · 指标文件"),
            .value("--secure-cookies", "auto|on|off", "Secure cookies: when nginx says HTTPS (auto, default), always, never · Cookie 的 Secure 属性"),
            .value("--connections", "N", "Database connections at most (default 8) · 数据库连接数"),
            .value("--grace", "SECONDS", "Shutdown grace period (default 20) · 停止宽限秒数"),
            .value("--modules", "FILE", "Module registry for counties' self-checks (default config/modules.json) · 模块配置"),
            .value("--parameters", "FILE", "Rulebooks for counties' self-checks (default config/parameters.json) · 规则参数"),
        ],
        exits: ExitUse.database + [.configuration],
        run: run)

    static func run(_ invocation: Invocation) async throws -> Int32 {
        guard let listenText = invocation.value("--listen") else {
            throw UsageError(message: "--listen is required: unix:PATH (behind nginx) or 127.0.0.1:PORT", command: "web", zh: "须用 --listen 指定监听地址：'unix:路径'（在 nginx 之后）或 '127.0.0.1:端口'")
        }
        let listen: HTTPListenAddress
        do {
            listen = try HTTPListenAddress(parsing: listenText)
        } catch {
            throw UsageError(message: error.description, command: "web", zh: "--listen 应为 'unix:路径' 或 '127.0.0.1:端口'，而不是 '\(listenText)'")
        }
        guard listen.isLoopback else {
            throw UsageError(message: "\(listenText) is not a loopback address: the web door listens on a Unix socket or 127.0.0.1 behind nginx",
                             command: "web", zh: "\(listenText) 不是本机回环地址：网页入口只监听本机套接字或 nginx 之后的 127.0.0.1")
        }
        var secureCookies = SecureCookies.auto
        if let text = invocation.value("--secure-cookies") {
            guard let value = SecureCookies(rawValue: text) else { throw UsageError(message: "--secure-cookies takes auto, on or off", command: "web", zh: "--secure-cookies 应为 'auto'、'on' 或 'off'") }
            secureCookies = value
        }
        var grace: Duration = .seconds(20)
        if let text = invocation.value("--grace") {
            guard let value = Int(text), value >= 0 else { throw UsageError(message: "--grace takes seconds (0 or more)", command: "web", zh: "--grace 应为秒数（0 或以上）") }
            grace = .seconds(value)
        }
        var configuration = WebConfiguration(conninfo: try invocation.conninfo())
        configuration.secureCookies = secureCookies
        if let text = invocation.value("--connections") {
            guard let value = Int(text), (1...100).contains(value) else { throw UsageError(message: "--connections takes 1 to 100", command: "web", zh: "--connections 应为 1 至 100") }
            configuration.connections = value
        }
        let metricsFile = invocation.value("--metrics-file")

        let logger = Logger()
        // The self-check's modules and rulebooks, started as `evaluate` starts them.
        let rulebooks = try invocation.rulebookLibrary()
        let registry = try invocation.moduleRegistry()
        let (modules, moduleErrors) = await Coordinator.ModuleSet.start(registry, logger: logger)
        for (module, error) in moduleErrors.sorted(by: { $0.key < $1.key }) {
            logger.warning("module_not_started", ["module": .string(module), "error": .string(error)])
        }
        do {
            try invocation.checkRulebooks(rulebooks, declarations: modules.declarations, unanswered: Array(moduleErrors.keys)) { note in
                logger.warning("rulebooks", ["note": .string(note.en)])
            }
        } catch {
            await modules.pools.shutdownAll()
            throw error
        }
        let door = WebDoor(configuration: configuration, logger: logger, selfCheck: SelfCheckEngine(modules: modules, rulebooks: rulebooks))
        do {
            try await door.prepare()
        } catch let error as WebDoorError {
            await door.close()
            await modules.pools.shutdownAll()
            if case .notMigrated = error {
                throw CommandFailure(zh: error.chinese, en: error.description, exitCode: ExitCode.unavailable)
            }
            throw CommandFailure(zh: error.chinese, en: error.description, exitCode: ExitCode.configuration)
        }

        var serverConfiguration = HTTPServer.Configuration(listen: listen)
        serverConfiguration.onEvent = { event in log(event, logger) }
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: serverConfiguration) { request in await door.handle(request) }
        } catch {
            await door.close()
            await modules.pools.shutdownAll()
            throw CommandFailure(zh: "无法监听 \(listenText)：\(error)", en: "cannot listen on \(listenText): \(error)", exitCode: ExitCode.configuration)
        }
        let stopped = StopSignal()
        let signals = SignalHandlers()
        signals.onStop { stopped.fire() }
        let metrics = metricsFile.map { path in
            Task {
                while !Task.isCancelled {
                    await writeMetrics(door.metrics(server: server.counters), to: path, logger: logger)
                    try? await Task.sleep(for: .seconds(10))
                }
            }
        }
        await stopped.wait()
        logger.info("stopping", ["grace_seconds": .number(Decimal(grace.components.seconds))])
        await server.stop(grace: grace)
        metrics?.cancel()
        if let metricsFile { await writeMetrics(door.metrics(server: server.counters), to: metricsFile, logger: logger) }
        await door.close()
        await modules.pools.shutdownAll()
        signals.cancel()
        logger.info("stopped", [:])
        return ExitCode.success
    }

    /// Writes the metrics file atomically (a temporary file, then rename).
    static func writeMetrics(_ text: String, to path: String, logger: Logger) async {
        let temporary = path + ".tmp.\(getpid())"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            _ = rename(temporary, path)
        } catch {
            logger.warning("metrics_not_written", ["path": .string(path), "error": .string("\(error)")])
        }
    }

    /// The HTTP server's events as log lines.
    static func log(_ event: HTTPServerEvent, _ logger: Logger) {
        switch event {
        case .listening(let address): logger.info("listening", ["address": .string(address.description)])
        case .requestRefused(let peer, let error):
            logger.info("request_refused", ["peer": .string(peer), "status": .number(Decimal(error.status.code)), "reason": .string("\(error)")])
        case .requestTimedOut(let peer): logger.info("request_timed_out", ["peer": .string(peer)])
        case .writeTimedOut(let peer): logger.info("write_timed_out", ["peer": .string(peer)])
        case .connectionRefused(let peer): logger.warning("connection_refused", ["peer": .string(peer), "reason": .string("too many connections")])
        case .responseRefused(let peer, let error): logger.error("response_refused", ["peer": .string(peer), "reason": .string(error.description)])
        case .acceptFailed(let code): logger.error("accept_failed", ["errno": .number(Decimal(Int(code)))])
        case .draining(let inFlight): logger.info("draining", ["in_flight": .number(Decimal(inFlight))])
        case .stopped(let abandoned): logger.info("server_stopped", ["abandoned": .number(Decimal(abandoned))])
        }
    }
}

/// A one-shot signal a task can wait for (SIGTERM, SIGINT).
final class StopSignal: @unchecked Sendable {
    // @unchecked: `fired` and `waiters` are read and written only while `lock` is held.
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func fire() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            fired = true
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiting { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = lock.withLock { () -> Bool in
                if fired { return true }
                waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
