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
    /// The exit codes it returns besides 0 (ok), 64 (usage) and 70 (internal error), which every
    /// command may return; `--help` prints them and docs/cli.md must list the same (a test checks).
    var exits: [ExitUse] = []
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

/// An exit code a command returns, with what it means for that command.
struct ExitUse: Sendable, Hashable {
    var code: Int32
    var meaning: String

    init(_ code: Int32, _ meaning: String) {
        self.code = code
        self.meaning = meaning
    }

    /// 69 and 77: the commands that use the database.
    static let database = [unavailable, permission]
    static let unavailable = ExitUse(ExitCode.unavailable, "the database is unavailable")
    static let permission = ExitUse(ExitCode.permissionDenied, "the database refused: your role may not do this")
    static let configuration = ExitUse(ExitCode.configuration, "the configuration is wrong (e.g. a module not built)")
    static let noInput = ExitUse(ExitCode.noInput, "a named file cannot be read")
    static let cannotCreate = ExitUse(ExitCode.cannotCreate, "an output file cannot be written")
    static func dataError(_ meaning: String) -> ExitUse { ExitUse(ExitCode.dataError, meaning) }
    static func problems(_ meaning: String) -> ExitUse { ExitUse(ExitCode.failure, meaning) }
    static func notYet(_ meaning: String) -> ExitUse { ExitUse(ExitCode.notYet, meaning) }
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
    /// A file named on the command line cannot be read (missing, a folder, no permission) — EX_NOINPUT.
    static let noInput: Int32 = 66
    /// A needed service (the database) is unavailable.
    static let unavailable: Int32 = 69
    /// The database refused: the role connected as may not do this (SQLSTATE 42501) — as sysexits' EX_NOPERM.
    static let permissionDenied: Int32 = 77
    /// An internal error: a bug, please report it.
    static let software: Int32 = 70
    /// An output file cannot be created or written — EX_CANTCREAT.
    static let cannotCreate: Int32 = 73
    /// The work was handed on but not finished in time; it will be, later (a submission received
    /// and not yet checked: no coordinator answered) — as sysexits' EX_TEMPFAIL.
    static let notYet: Int32 = 75
    /// The configuration is wrong or incomplete (config/modules.json, a module executable not
    /// built, the project's folders not found) — EX_CONFIG.
    static let configuration: Int32 = 78
}
