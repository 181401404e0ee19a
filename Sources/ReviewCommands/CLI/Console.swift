import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the CLI writes: stdout for results, stderr for diagnostics and progress.
///
/// Colour only on a terminal and never with `NO_COLOR`; progress redraws one line on a terminal
/// and prints plain lines otherwise. The sinks are injectable: `capturing` collects the lines a
/// command prints, which is how the tests run a command through `ClusterReviewCLI.run`.
struct Console: Sendable {
    var isTerminal: Bool
    var useColor: Bool
    /// Receives each line for stdout, newline excluded.
    var standardOutput: @Sendable (String) -> Void
    /// Receives each line (or progress redraw) for stderr, newline excluded.
    var standardError: @Sendable (String) -> Void
    /// Whether stderr is a terminal (progress redraws one line in place).
    var errorIsTerminal: Bool

    /// The process's own console, judged from its file descriptors and environment.
    static func standard(environment: [String: String]) -> Console {
        let terminal = isatty(STDOUT_FILENO) == 1
        let color = terminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        return Console(
            isTerminal: terminal, useColor: color,
            standardOutput: { Self.write($0 + "\n", to: STDOUT_FILENO) },
            standardError: { Self.write($0 + "\n", to: STDERR_FILENO) },
            errorIsTerminal: isatty(STDERR_FILENO) == 1)
    }

    /// A console that is no terminal and hands every line to `output` (stdout) and `error` (stderr).
    static func capturing(
        output: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void = { _ in }
    ) -> Console {
        Console(isTerminal: false, useColor: false, standardOutput: output, standardError: error, errorIsTerminal: false)
    }

    /// Writes a line to stdout.
    func print(_ line: String) {
        standardOutput(line)
    }

    /// Writes a line to stderr.
    func error(_ line: String) {
        standardError(line)
    }

    /// A progress line: redrawn in place on a terminal, a plain line to stderr otherwise.
    func progress(_ line: String, final: Bool = false) {
        if errorIsTerminal {
            Self.write("\r\u{1B}[2K" + line + (final ? "\n" : ""), to: STDERR_FILENO)
        } else {
            standardError(line)
        }
    }

    /// Prints `value` as one JSON document on stdout, keys sorted: what every `--json` prints.
    /// A list is one array (`[]` when empty), never one object per line.
    func printJSON<T: Encodable>(_ value: T, snakeCaseKeys: Bool = false) throws {
        let encoder = JSONEncoder.sorted
        if snakeCaseKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// `text` in bold/colour on a colour terminal, plain otherwise.
    func styled(_ text: String, _ style: Style) -> String {
        guard useColor else { return text }
        return "\u{1B}[\(style.rawValue)m" + text + "\u{1B}[0m"
    }

    enum Style: String {
        case bold = "1"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case blue = "34"
        case dim = "2"
    }

    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
