/// A parsed command line for one command: positionals, option values and flags.
struct Invocation: Sendable {
    var command: Command
    var positionals: [String]
    var values: [String: [String]]
    var flags: Set<String>
    var console: Console
    var environment: [String: String]

    /// The last value given for `option`, or nil.
    func value(_ option: String) -> String? { values[option]?.last }

    /// Every value given for a repeatable `option`.
    func allValues(_ option: String) -> [String] { values[option] ?? [] }

    /// Whether the flag was given.
    func flag(_ option: String) -> Bool { flags.contains(option) }

    /// The language for messages: `--lang en|zh`, default Chinese.
    var language: String { value("--lang") ?? environment["CLUSTER_REVIEW_LANG"] ?? "zh" }
}

/// The command line was not understood. Exit code 64.
struct UsageError: Error, Sendable, CustomStringConvertible {
    var message: String
    /// The command whose usage to print, when known.
    var command: String?

    var description: String { message }
}

/// Parses command lines against the command table.
enum ArgumentParser {
    /// Finds the command named by the leading words and parses the rest of `arguments` for it.
    static func parse(
        _ arguments: [String], commands: [Command], console: Console, environment: [String: String]
    ) throws -> Invocation {
        var best: Command?
        for command in commands where arguments.starts(with: command.words) {
            if command.words.count > (best?.words.count ?? 0) { best = command }
        }
        guard let command = best else {
            let attempted = arguments.prefix(while: { !$0.hasPrefix("-") }).joined(separator: " ")
            throw UsageError(message: attempted.isEmpty ? "no command given" : "unknown command '\(attempted)'")
        }
        var positionals: [String] = []
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        let options = Dictionary(uniqueKeysWithValues: (command.options + globalOptions).map { ($0.name, $0) })
        var rest = arguments.dropFirst(command.words.count)[...]
        var onlyPositionals = false
        while let argument = rest.popFirst() {
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            guard let spec = options[name] else {
                throw UsageError(message: "unknown option '\(name)' for '\(command.name)'", command: command.name)
            }
            if let valueName = spec.valueName {
                guard let value = inline ?? rest.popFirst(), inline != nil || !value.hasPrefix("--") else {
                    throw UsageError(message: "option '\(name)' needs a value (\(valueName))", command: command.name)
                }
                if values[name] != nil && !spec.repeatable {
                    throw UsageError(message: "option '\(name)' is given twice", command: command.name)
                }
                values[name, default: []].append(value)
            } else {
                guard inline == nil else {
                    throw UsageError(message: "option '\(name)' takes no value", command: command.name)
                }
                flags.insert(name)
            }
        }
        if !flags.contains("--help") && !command.positionals.contains(positionals.count) {
            let range = command.positionals
            let expected = range.lowerBound == range.upperBound
                ? "\(range.lowerBound)" : range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw UsageError(
                message: "'\(command.name)' takes \(expected) argument\(range.upperBound == 1 ? "" : "s"), got \(positionals.count)"
                    + (positionals.isEmpty ? "" : ": \(positionals.joined(separator: " "))"),
                command: command.name)
        }
        if let lang = values["--lang"]?.last, !["zh", "en"].contains(lang) {
            throw UsageError(message: "--lang takes zh or en, not '\(lang)'", command: command.name)
        }
        return Invocation(
            command: command, positionals: positionals, values: values, flags: flags, console: console,
            environment: environment)
    }

    /// Options every command accepts.
    static let globalOptions: [OptionSpec] = [
        .flag("--help", "Show this help · 显示帮助"),
        .value("--lang", "zh|en", "Language of messages (default zh) · 输出语言"),
    ]
}
