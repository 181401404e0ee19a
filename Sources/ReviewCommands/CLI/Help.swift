import IndicatorKit

/// Renders `--help` text from the command table.
enum Help {
    static func overview(_ commands: [Command]) -> String {
        var lines = [
            "cluster-review — review server for Hainan's SME characteristic industrial clusters",
            "海南省中小企业特色产业集群认定审核系统",
            "",
            "Usage: cluster-review COMMAND [OPTIONS]   (cluster-review COMMAND --help for details)",
            "",
            "Commands · 命令:",
        ]
        let width = commands.map { $0.name.count }.max() ?? 10
        for command in commands {
            lines.append("  " + command.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.summary)
        }
        lines += [
            "",
            "Global options: --help, --lang zh|en, --version",
            "Database: DATABASE_URL or PG* variables select a server; with neither, a private PostgreSQL in .local/postgres.",
            "Acting as: the database user of DATABASE_URL (user=NAME) or PGUSER; see cluster-review whoami.",
            "Exit codes: 0 ok, 1 problems found, 64 usage, 65 bad input data, 66 a file cannot be read, 69 database unavailable,",
            "            70 internal error, 73 an output file cannot be written, 77 permission denied, 78 configuration error.",
        ]
        return lines.joined(separator: "\n")
    }

    static func usageLine(_ command: Command) -> String {
        "Usage: cluster-review \(command.name)" + (command.options.isEmpty ? "" : " [OPTIONS]")
            + (command.synopsis.isEmpty ? "" : " \(command.synopsis)")
    }

    /// The usage line in one language (commands that print one language).
    static func usageLine(_ command: Command, language: Language) -> String {
        guard language == .zh else { return usageLine(command) }
        return "用法：cluster-review \(command.name)" + (command.options.isEmpty ? "" : " [选项]")
            + (command.synopsis.isEmpty ? "" : " \(command.synopsis)")
    }

    static func detailed(_ command: Command) -> String {
        var lines = [usageLine(command), "", command.summary]
        if !command.details.isEmpty { lines += ["", command.details] }
        let options = command.options + ArgumentParser.globalOptions
        lines += ["", "Options:"]
        let labels = options.map { $0.name + ($0.valueName.map { " \($0)" } ?? "") }
        let width = labels.map(\.count).max() ?? 10
        for (label, option) in zip(labels, options) {
            lines.append("  " + label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + option.help)
        }
        lines += ["", "Exit codes · 退出码:", "  0   ok"]
        lines += command.exits.sorted { $0.code < $1.code }.map { "  \(String($0.code).padding(toLength: 3, withPad: " ", startingAt: 0)) \($0.meaning)" }
        lines.append("  64  usage error (see the options above)")
        if !command.examples.isEmpty {
            lines += ["", "Examples · 示例:"] + command.examples.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
