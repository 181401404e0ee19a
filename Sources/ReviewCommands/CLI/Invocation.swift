import Foundation
import IndicatorKit

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
    var language: Language { Language(code: value("--lang") ?? environment["CLUSTER_REVIEW_LANG"]) }

    /// Prints one line in the invocation's language: `zh` or `en`, never both.
    func say(_ zh: String, _ en: String) { console.print(language == .en ? en : zh) }

    /// The moment a report or list says it was generated: `SOURCE_DATE_EPOCH` (seconds since
    /// 1970, the reproducible-builds convention) when set to a whole number, else the wall clock.
    var now: Date {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int64(text) { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return Date()
    }
}

/// The command line was not understood. Exit code 64.
struct UsageError: Error, Sendable, CustomStringConvertible {
    var message: String
    /// The command whose usage to print, when known.
    var command: String?
    /// The message in Chinese: every usage error is printed in the language of `--lang` only.
    var zh: String

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
            guard !attempted.isEmpty else { throw UsageError(message: "no command given", zh: "未给出命令") }
            let near = nearest(attempted, among: commands.map(\.name))
            let hint = near.map { "; did you mean '\($0)'?" } ?? ""
            let zhHint = near.map { "；是否要写 '\($0)'？" } ?? ""
            throw UsageError(message: "unknown command '\(attempted)'\(hint)", zh: "没有命令 '\(attempted)'\(zhHint)")
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
                let near = nearest(name, among: Array(options.keys))
                let hint = near.map { "; did you mean '\($0)'?" } ?? ""
                let zhHint = near.map { "；是否要写 '\($0)'？" } ?? ""
                throw UsageError(
                    message: "unknown option '\(name)' for '\(command.name)'\(hint) (see 'cluster-review \(command.name) --help')",
                    command: command.name,
                    zh: "'\(command.name)' 没有选项 '\(name)'\(zhHint)（运行 cluster-review \(command.name) --help 查看帮助）")
            }
            if let valueName = spec.valueName {
                guard let value = inline ?? rest.popFirst(), inline != nil || !value.hasPrefix("--") else {
                    throw UsageError(message: "option '\(name)' needs a value (\(valueName))", command: command.name,
                                     zh: "选项 '\(name)' 需要一个值（\(valueName)）")
                }
                if values[name] != nil && !spec.repeatable {
                    throw UsageError(message: "option '\(name)' is given twice", command: command.name, zh: "选项 '\(name)' 只能给一次")
                }
                values[name, default: []].append(value)
            } else {
                guard inline == nil else {
                    throw UsageError(message: "option '\(name)' takes no value", command: command.name, zh: "选项 '\(name)' 不带值")
                }
                flags.insert(name)
            }
        }
        if !flags.contains("--help") && !command.positionals.contains(positionals.count) {
            throw UsageError(
                message: "'\(command.name)' takes \(expectedArguments(command.positionals)), got \(positionals.count)"
                    + (positionals.isEmpty ? "" : ": \(positionals.joined(separator: " "))"),
                command: command.name,
                zh: "'\(command.name)' 需要\(expectedArgumentsZh(command.positionals))，实际给了 \(positionals.count) 个"
                    + (positionals.isEmpty ? "" : "：\(positionals.joined(separator: " "))"))
        }
        if let lang = values["--lang"]?.last, !["zh", "en"].contains(lang) {
            throw UsageError(message: "--lang takes zh or en, not '\(lang)'", command: command.name, zh: "--lang 应为 'zh' 或 'en'，而不是 '\(lang)'")
        }
        return Invocation(
            command: command, positionals: positionals, values: values, flags: flags, console: console,
            environment: environment)
    }

    /// "no arguments", "1 argument", "at least 1 argument", "2 to 3 arguments": the count agrees in number.
    static func expectedArguments(_ range: ClosedRange<Int>) -> String {
        func count(_ n: Int) -> String { n == 0 ? "no arguments" : n == 1 ? "1 argument" : "\(n) arguments" }
        if range.lowerBound == range.upperBound { return count(range.lowerBound) }
        if range.upperBound == Int.max { return "at least " + count(max(1, range.lowerBound)) }
        return "\(range.lowerBound) to \(range.upperBound) arguments"
    }

    /// The same in Chinese: "不带参数", "1 个参数", "至少 1 个参数", "2 至 3 个参数".
    static func expectedArgumentsZh(_ range: ClosedRange<Int>) -> String {
        if range.lowerBound == range.upperBound { return range.lowerBound == 0 ? "不带参数" : "\(range.lowerBound) 个参数" }
        if range.upperBound == Int.max { return "至少 \(max(1, range.lowerBound)) 个参数" }
        return "\(range.lowerBound) 至 \(range.upperBound) 个参数"
    }

    /// The language a command line asks for, read before (or without) parsing it: the last
    /// `--lang zh|en` or `--lang=zh|en`, else `CLUSTER_REVIEW_LANG`, else Chinese. Usage errors
    /// found while parsing are printed in it.
    static func language(of arguments: [String], environment: [String: String]) -> Language {
        var code = environment["CLUSTER_REVIEW_LANG"]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" { break }
            if argument == "--lang", index + 1 < arguments.endIndex {
                if ["zh", "en"].contains(arguments[index + 1]) { code = arguments[index + 1] }
                index += 1
            } else if argument.hasPrefix("--lang=") {
                let value = String(argument.dropFirst("--lang=".count))
                if ["zh", "en"].contains(value) { code = value }
            }
            index += 1
        }
        return Language(code: code)
    }

    /// The candidate closest to `word` by edit distance, when it is close enough to be a typo
    /// (at most a third of the word's length, and at least one edit allowed).
    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let limit = max(1, word.count / 3)
        let scored = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= limit }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Options every command accepts.
    static let globalOptions: [OptionSpec] = [
        .flag("--help", "Show this help · 显示帮助"),
        .value("--lang", "zh|en", "Language of messages (default zh) · 输出语言"),
        .value("--config", "DIR", "Configuration folder (default config/ of the installation) · 配置目录"),
    ]
}
