import Foundation

/// `validate`, `rulebook` and `template`: the commands a county uses before it files, and the rule
/// book legal staff sign off. These are their command-table entries; what each runs is in
/// FilingCommands+Validate.swift, +Rulebook.swift and +Template.swift.
enum FilingCommands {
    static var all: [Command] { [validate, rulebook, template] }

    static let validate = Command(
        words: ["validate"],
        summary: "Check filings against the format, reporting every error · 校验申报文件",
        synopsis: "FILE...",
        details: """
            Prints each issue with its JSON path, the rule and how to fix it; docs/filing-format.md lists
            the rules. Exit 0 when every file is valid, 1 when any is not, 65 when a file cannot be read.
            """,
        examples: [
            "cluster-review validate config/samples/460205-yazhou-seed-breeding.json",
            "cluster-review validate --lang en --json config/samples/*.json",
        ],
        options: [.flag("--json", "Print the issues as JSON · 以 JSON 输出")],
        positionals: 1...Int.max,
        exits: [.problems("a filing is invalid"), .noInput],
        run: { invocation in
            let console = invocation.console
            return validateFiles(invocation.positionals, language: invocation.language, json: invocation.flag("--json")) { console.print($0) }
        })

    static let rulebook = Command(
        words: ["rulebook"],
        summary: "Print a rulebook: every criterion the modules declare, its article, comparator and value history · 打印规则集",
        synopsis: "[NAME]",
        details: """
            NAME defaults to the file's default rulebook (hainan-2023). Starts each enabled module once to read
            what it declares (as plugins list does), checks the rulebook against it, and prints every criterion
            module by module with the parameters it reads and their values; criteria without a threshold in
            the rulebook are marked.
            """,
        examples: ["cluster-review rulebook", "cluster-review rulebook national-2022 --lang en", "cluster-review rulebook --json"],
        options: [
            .flag("--json", "Print as JSON · 以 JSON 输出"),
            .value("--parameters", "FILE", "Rulebooks file (default config/parameters.json) · 规则参数文件"),
            .value("--modules", "FILE", "Module registry (default config/modules.json) · 模块配置"),
        ],
        positionals: 0...1,
        exits: [
            .problems("an enabled module did not start: its criteria are not shown"),
            .dataError("no rulebook of that name, an invalid rulebooks file, or a parameter no module declares"), .noInput,
            .configuration,
        ],
        run: { invocation in
            let path = try invocation.value("--parameters")
                ?? invocation.installation().configDirectory.appendingPathComponent("parameters.json").path
            let registry = try invocation.moduleRegistry()
            let (declarations, unanswered) = await gatherDeclarations(registry)
            let console = invocation.console
            return printRulebook(name: invocation.positionals.first, language: invocation.language, json: invocation.flag("--json"),
                               parametersPath: path, declarations: declarations, unanswered: unanswered) { console.print($0) }
        })

    static let template = Command(
        words: ["template"],
        summary: "Print a complete example filing of a kind, or the JSON Schema · 打印申报模板",
        synopsis: "KIND",
        details: """
            KIND is initial, recertification, annual_report, change_report, or schema for the JSON Schema of the format.
            With --supersedes ID the example is a corrected filing: it names the county's returned filing ID in
            `supersedes`, as `decide return` asks.
            """,
        examples: [
            "cluster-review template initial > my-filing.json", "cluster-review template initial --supersedes 12",
            "cluster-review template schema",
        ],
        options: [.value("--supersedes", "ID", "Name the returned filing this one corrects · 更正的退回申报编号")],
        positionals: 1...1,
        exits: [],
        run: { invocation in
            let console = invocation.console
            var supersedes: Int64?
            if let text = invocation.value("--supersedes") {
                guard let id = Int64(text), id > 0 else {
                    throw UsageError(message: "--supersedes takes a filing id (a positive number), not '\(text)'", command: "template", zh: "--supersedes 应为申报编号（正整数），而不是 '\(text)'")
                }
                supersedes = id
            }
            return printTemplate(kind: invocation.positionals[0], language: invocation.language, supersedes: supersedes) { console.print($0) }
        })
}
