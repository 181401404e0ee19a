/// One command of the CLI: its words, its help, the options it takes and what it runs.
///
/// Commands are values in one table (`CommandTable`), so `--help`, usage errors and the
/// documentation test all read the same definitions.
struct Command: Sendable {
    /// The words that select it, e.g. `["db", "start"]`.
    var words: [String]
    /// One line, English then Chinese, e.g. `Start the private PostgreSQL · 启动本地数据库`.
    var summary: String
    /// The argument synopsis after the words, e.g. `FILE...`.
    var synopsis: String = ""
    /// Paragraphs shown by `--help` after the summary.
    var details: String = ""
    /// Full invocations, each a line a person can paste (starting with `cluster-review`).
    var examples: [String]
    var options: [OptionSpec] = []
    /// How many positional arguments it accepts.
    var positionals: ClosedRange<Int> = 0...0
    var run: @Sendable (Invocation) async throws -> Int32

    var name: String { words.joined(separator: " ") }
}

/// An option a command accepts: a flag (`--json`) or an option with a value (`--as-of DATE`).
struct OptionSpec: Sendable {
    var name: String
    /// nil for a flag; the placeholder shown in help otherwise.
    var valueName: String?
    var help: String
    /// The option may be given more than once (values are collected in order).
    var repeatable: Bool = false

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }

    static func value(_ name: String, _ valueName: String, _ help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, repeatable: repeatable)
    }
}

/// Exit codes, documented in docs/cli.md.
enum ExitCode {
    static let success: Int32 = 0
    /// The work was done and found problems (invalid filings, failed checks).
    static let failure: Int32 = 1
    /// The command line was wrong (unknown option, missing value) — as sysexits' EX_USAGE.
    static let usage: Int32 = 64
    /// Input data was wrong (a file that is not JSON, an unknown id).
    static let dataError: Int32 = 65
    /// A needed service (the database) is unavailable.
    static let unavailable: Int32 = 69
    /// The database refused: the role connected as may not do this (SQLSTATE 42501) — as sysexits' EX_NOPERM.
    static let permissionDenied: Int32 = 77
    /// An internal error: a bug, please report it.
    static let software: Int32 = 70
}
