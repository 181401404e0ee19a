import Foundation
import IndicatorKit
import ReviewCore
import ModuleHost
import JSONCore

/// `plugins list` and `plugins check`: the module registry and the conformance suite. (The
/// commands keep the word "plugins" of the CLI; in code and docs the thing is a module.)
enum PluginsCommands {
    static var all: [Command] { [list, check] }

    static let list = Command(
        words: ["plugins", "list"],
        summary: "List the modules in config/modules.json: versions, criteria, state · 列出评价模块",
        details: "Starts each enabled module once to read its ready line, prints what it declares, and stops it.",
        examples: ["cluster-review plugins list", "cluster-review plugins list --modules config/modules.json --json"],
        options: [
            .value("--modules", "FILE", "Module registry (default config/modules.json) · 模块配置"),
            .flag("--json", "One JSON array, an object per module · 输出 JSON"),
        ],
        exits: [.problems("an enabled module is not ready"), .configuration],
        run: { invocation in
            let installation = try invocation.installation()
            _ = try invocation.moduleRegistry()  // a configuration error, with its fix, before anything starts
            let file = invocation.value("--modules") ?? installation.configDirectory.appendingPathComponent("modules.json").path
            let console = invocation.console
            return await listModules(configFile: file, binDirectory: installation.executables.path, json: invocation.flag("--json")) {
                console.print($0)
            }
        })

    static let check = Command(
        words: ["plugins", "check"],
        summary: "Run the conformance suite against a module executable · 模块协议一致性检查",
        synopsis: "EXECUTABLE [ARGUMENT...]",
        details: """
            Runs the module as the coordinator would (clean environment, its resource limits, line and answer
            limits from config/modules.json: its entry, else the defaults) and checks: started by hand it says why
            and exits; the handshake and its declaration; a normal request answered validly for every declared
            criterion; requests the module must reject; an unknown message type; stdout hygiene; shutdown; no
            process left behind; EOF. Prints PASS or FAIL per check with the reason. Every step has a timeout.
            Give --filing with a sample filing: most real modules refuse an empty one.
            """,
        examples: [
            "cluster-review plugins check .build/debug/indicator-green --filing config/samples/469005-wenchang-commercial-aerospace.json",
            "cluster-review plugins check Plugins/ExamplePython/indicator_example.py",
        ],
        options: [
            .value("--filing", "FILE", "A filing (JSON object) to send in the normal request · 示例申报"),
            .value("--parameters", "FILE", "Parameters (JSON object) to send · 参数"),
            .value("--timeout", "SECONDS", "Per-check timeout (default 5) · 超时秒数"),
            .value("--modules", "FILE", "Module registry for the limits (default config/modules.json) · 模块配置"),
        ],
        positionals: 1...Int.max,
        exits: [.problems("a check failed"), .dataError("--filing or --parameters is not a JSON object"), .noInput],
        run: { invocation in
            var timeout = Duration.seconds(5)
            if let text = invocation.value("--timeout") {
                guard let seconds = Int(text), seconds > 0 else { throw UsageError(message: "--timeout takes a positive number of seconds", zh: "--timeout 应为正整数秒数") }
                timeout = .seconds(seconds)
            }
            let console = invocation.console
            let executable = invocation.positionals[0]
            let path = executable.contains("/") ? URL(fileURLWithPath: executable).standardizedFileURL.path : executable
            // The module's own settings where the registry has it, else the registry's defaults;
            // without a readable registry, the built-in defaults.
            let configuration = (try? invocation.moduleRegistry())?.configuration(forExecutable: path)
            return await checkModule(
                executable: executable, arguments: Array(invocation.positionals.dropFirst()),
                filingFile: invocation.value("--filing"), parametersFile: invocation.value("--parameters"), timeout: timeout,
                configuration: configuration
            ) { console.print($0) }
        })

    /// `cluster-review plugins check EXECUTABLE [ARGS…]`: runs the conformance suite against a module
    /// and prints one line per check, `PASS` or `FAIL` with the reason.
    ///
    /// The module runs as the coordinator would run it: with `configuration`'s environment, resource
    /// limits, line and answer limits (its entry in config/modules.json, else the file's defaults, else
    /// the built-in defaults). Returns the exit status: 0 when every check passed, 1 otherwise.
    /// `filing` and `parameters` (JSON objects) are sent in the normal request when given; an
    /// unreadable or non-object file is reported and returns 66 (EX_NOINPUT) or 65 (EX_DATAERR).
    static func checkModule(
        executable: String, arguments: [String], filingFile: String? = nil, parametersFile: String? = nil,
        timeout: Duration = .seconds(5), configuration: WorkerPoolConfiguration? = nil, output: @escaping @Sendable (String) -> Void
    ) async -> Int32 {
        /// The file as one compact JSON object, nil when not given; an exit status when unusable.
        func readObject(_ path: String?) -> (data: Data?, status: Int32?) {
            guard let path else { return (nil, nil) }
            let data: Data
            do {
                data = try InputFile.read(path)
            } catch {
                output(error.message.en)
                return (nil, ExitCode.noInput)
            }
            guard let value = try? JSONValue(parsing: data, limits: .document), case .object = value else {
                output("\(path) is not a JSON object")
                return (nil, 65)
            }
            return (Data(value.compactBytes), nil)
        }
        let (filing, filingStatus) = readObject(filingFile)
        if let filingStatus { return filingStatus }
        let (parameters, parametersStatus) = readObject(parametersFile)
        if let parametersStatus { return parametersStatus }
        let path = executable.contains("/") ? URL(fileURLWithPath: executable).standardizedFileURL.path : executable
        output("checking \(path) against module protocol \(ModuleProtocol.version)")
        var options = ModuleConformance.Options(timeout: timeout, filing: filing, parameters: parameters)
        if let configuration {
            options = ModuleConformance.Options(configuration: configuration, timeout: timeout, filing: filing, parameters: parameters)
        }
        let limits = options.limits
        output("limits: cpu \(limits.cpuSeconds.map { "\($0) s" } ?? "inherited"), address space \(limits.addressSpaceBytes.map { "\($0 >> 20) MiB" } ?? "inherited"), open files \(limits.openFiles.map(String.init) ?? "inherited"); replies up to \(options.maxLineBytes) bytes")
        let results = await ModuleConformance.run(executable: path, arguments: arguments, options: options) { check in
            output("\(check.passed ? "PASS" : "FAIL")  \(check.name) — \(check.detail)")
        }
        let failed = results.filter { !$0.passed }.count
        output(failed == 0 ? "all \(results.count) checks passed" : "\(failed) of \(results.count) checks failed")
        return failed == 0 ? 0 : 1
    }

    /// `cluster-review plugins list`: starts one worker of every configured module, and prints each
    /// module's id, state, version, criteria and restarts; disabled modules are listed as such.
    ///
    /// `pools`, when given (a running coordinator's), are described as they are instead of being
    /// started. Returns 0 when every enabled module is ready, 1 otherwise, 78 (EX_CONFIG) when the
    /// configuration cannot be loaded. With `json`, prints one JSON array, an object per module.
    static func listModules(
        configFile: String, binDirectory: String = ModuleRegistry.defaultBinDirectory, pools: [WorkerPool]? = nil,
        json: Bool = false, output: @escaping @Sendable (String) -> Void
    ) async -> Int32 {
        let registry: ModuleRegistry
        do {
            registry = try ModuleRegistry.load(file: configFile, binDirectory: binDirectory)
        } catch {
            output(error.description)
            return ExitCode.configuration
        }
        /// One module as `--json` shows it.
        struct Listed: Encodable {
            var id: String
            var enabled: Bool
            var executable: String
            var state: String
            var version: String?
            var applies_to: [String]?
            var workers: Int
            var restarts: Int
            var criteria: [Criterion]
        }
        var listed: [Listed] = []
        var allReady = true
        for module in registry.modules {
            guard module.enabled else {
                listed.append(Listed(id: module.id, enabled: false, executable: module.pool.executable, state: "disabled", workers: 0,
                                     restarts: 0, criteria: []))
                if !json { output("\(module.id)  disabled  \(module.pool.executable)") }
                continue
            }
            let pool: WorkerPool
            let owned: Bool
            if let running = pools?.first(where: { $0.moduleId == module.id }) {
                pool = running
                owned = false
            } else {
                var configuration = module.pool
                configuration.workers = 1
                pool = WorkerPool(configuration: configuration, logger: .discarding)
                owned = true
                _ = try? await pool.start()
            }
            let status = await pool.status()
            if owned { await pool.shutdown() }
            if case .ready = status.state {} else { allReady = false }
            listed.append(Listed(
                id: module.id, enabled: true, executable: module.pool.executable, state: status.state.name,
                version: status.descriptor?.version, applies_to: status.descriptor?.appliesTo.map(\.rawValue),
                workers: module.pool.workers, restarts: status.restarts, criteria: status.descriptor?.criteria ?? []))
            if json { continue }
            var line = "\(module.id)  \(status.state)"
            if let descriptor = status.descriptor {
                line += "  version \(descriptor.version)  applies to \(descriptor.appliesTo.map(\.rawValue).joined(separator: ","))"
            }
            line += "  workers \(module.pool.workers)  restarts \(status.restarts)"
            output(line)
            for criterion in status.descriptor?.criteria ?? [] {
                output("    \(criterion.id)  \(criterion.kind.rawValue)\(criterion.veto ? " veto" : "")  \(criterion.title.zh) / \(criterion.title.en)  [\(criterion.citation)]")
                for parameter in criterion.parameters ?? [] {
                    output("        reads \(parameter.name) \(parameter.comparator) (\(parameter.unit))")
                }
            }
        }
        if json {
            let encoder = JSONEncoder.sorted
            output(String(decoding: (try? encoder.encode(listed)) ?? Data("[]".utf8), as: UTF8.self))
        }
        return allReady ? 0 : 1
    }
}
