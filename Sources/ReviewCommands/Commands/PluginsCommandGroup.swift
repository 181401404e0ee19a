import Foundation
import ReviewCore

/// `plugins list` and `plugins check`: the module registry and the conformance suite.
enum PluginsCommandGroup {
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
            return await runPluginsList(configFile: file, binDirectory: installation.executables.path, json: invocation.flag("--json")) {
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
                guard let seconds = Int(text), seconds > 0 else { throw UsageError(message: "--timeout takes a positive number of seconds") }
                timeout = .seconds(seconds)
            }
            let console = invocation.console
            let executable = invocation.positionals[0]
            let path = executable.contains("/") ? URL(fileURLWithPath: executable).standardizedFileURL.path : executable
            // The module's own settings where the registry has it, else the registry's defaults;
            // without a readable registry, the built-in defaults.
            let configuration = (try? invocation.moduleRegistry())?.configuration(forExecutable: path)
            return await runPluginsCheck(
                executable: executable, arguments: Array(invocation.positionals.dropFirst()),
                filingFile: invocation.value("--filing"), parametersFile: invocation.value("--parameters"), timeout: timeout,
                configuration: configuration
            ) { console.print($0) }
        })
}
