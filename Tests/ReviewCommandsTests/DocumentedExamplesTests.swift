import Foundation
import Testing

@testable import ReviewCommands

/// One `cluster-review …` line found inside a fenced code block of README.md or docs/*.md.
struct DocumentedExample: Sendable, CustomTestStringConvertible {
    /// The file, relative to the project root.
    var file: String
    /// The 1-based line number where the example starts.
    var line: Int
    /// The words after `cluster-review`, split as a POSIX shell would (quotes, backslashes).
    var arguments: [String]
    /// The example as written.
    var text: String

    var testDescription: String { "\(file):\(line) \(text)" }

    /// Every example of the project's documents, in file and line order.
    static func all() throws -> [DocumentedExample] {
        let docs = projectRoot.appendingPathComponent("docs")
        let files = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: docs.path))
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return try files.flatMap { file in
            try examples(in: String(contentsOf: projectRoot.appendingPathComponent(file), encoding: .utf8), file: file)
        }
    }

    /// The examples in `text`: lines inside shell ``` blocks (```sh, ```bash, ``` …) that start with `cluster-review `, with a
    /// trailing backslash joining the next line, and a trailing `# comment` dropped.
    static func examples(in text: String, file: String) -> [DocumentedExample] {
        var found: [DocumentedExample] = []
        var fence: String?
        var pending: (line: Int, text: String)?
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                // Entering a block records its info string; only shell blocks hold commands.
                fence = fence == nil ? String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces) : nil
                pending = nil
                continue
            }
            let inBlock = fence.map(shellFences.contains) ?? false
            guard inBlock else { continue }
            if var started = pending {
                started.text += " " + line
                pending = started
            } else if line.hasPrefix("cluster-review ") || line == "cluster-review" {
                pending = (index + 1, line)
            } else {
                continue
            }
            if let current = pending, current.text.hasSuffix("\\") {
                pending = (current.line, String(current.text.dropLast()).trimmingCharacters(in: .whitespaces))
                continue
            }
            if let current = pending {
                let words = shellWords(current.text)
                found.append(DocumentedExample(file: file, line: current.line, arguments: Array(words.dropFirst()), text: current.text))
            }
            pending = nil
        }
        return found
    }

    /// The info strings of fenced blocks whose lines are shell commands.
    static let shellFences: Set<String> = ["", "sh", "bash", "shell", "console", "zsh"]

    /// Splits a shell command line into words: single and double quotes, backslash escapes,
    /// a `#` that starts a word begins a comment, and an unquoted operator (`>`, `|`, `;` …) ends
    /// the command.
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "\\": escaped = true; inWord = true
            case "'", "\"": quote = character; inWord = true
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case ">", "<", "|", ";", "&":
                // A shell operator ends the command's own words (redirections, pipes, lists).
                if inWord { words.append(current) }
                return words
            case "#" where !inWord:
                return words
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// The command the example names: its first word, and the second for a command group.
    var attemptedCommand: String {
        let words = arguments.prefix(while: { !$0.hasPrefix("-") })
        guard let first = words.first else { return "" }
        return Self.groups.contains(first) && words.count > 1 ? first + " " + words[words.startIndex + 1] : first
    }

    /// Commands that take a second word (`db start`, `plugins check`, `users add`).
    static let groups: Set<String> = ["db", "plugins", "users"]

    /// Whether the example only asks for the overview or the version, which need no command.
    var isGlobal: Bool { arguments.isEmpty || arguments == ["--help"] || arguments == ["--version"] }
}

/// Every documented `cluster-review` invocation parses against the CLI's command table, and every
/// command's `--help` exits 0.
@Suite struct DocumentedExamplesTests {
    static let console = Console.capturing(output: { _ in })

    /// Whether `example` names a command of the table (by its leading words).
    static func isKnown(_ example: DocumentedExample) -> Bool {
        example.isGlobal || CommandTable.all.contains { example.arguments.starts(with: $0.words) }
    }

    @Test func theDocumentsHoldExamples() throws {
        let examples = try DocumentedExample.all()
        #expect(examples.count >= 40, "found only \(examples.count) examples")
        for file in ["docs/county-guide.md", "docs/reviewer-guide.md", "docs/administrator-guide.md",
                     "docs/module-author-guide.md", "docs/cli.md"] {
            #expect(examples.contains { $0.file == file }, "\(file) has no cluster-review example")
        }
    }

    @Test func shellWordsFollowQuotesAndComments() {
        #expect(DocumentedExample.shellWords(#"cluster-review decide 12 approve --note "符合 条件" # done"#)
            == ["cluster-review", "decide", "12", "approve", "--note", "符合 条件"])
        #expect(DocumentedExample.shellWords(#"cluster-review object 7 --by 'A B' --reason x\ y"#)
            == ["cluster-review", "object", "7", "--by", "A B", "--reason", "x y"])
    }

    @Test func examplesComeFromShellBlocksOnly() {
        let text = """
            cluster-review outside a block
            ```text
            cluster-review CLI ── SQL ──▶ PostgreSQL
            ```
            ```sh
            cluster-review status 42 --json
            cluster-review report 42 \\
              --html report-42.html
            swift run cluster-review demo
            ```
            """
        let examples = DocumentedExample.examples(in: text, file: "x.md")
        #expect(examples.map(\.arguments) == [["status", "42", "--json"], ["report", "42", "--html", "report-42.html"]])
        #expect(examples.map(\.line) == [6, 7])
    }

    /// Every documented example names a command that exists and parses as a valid invocation.
    @Test(arguments: try DocumentedExample.all())
    func documentedExampleParses(_ example: DocumentedExample) {
        guard Self.isKnown(example) else {
            Issue.record("unknown command '\(example.attemptedCommand)' at \(example.file):\(example.line): \(example.text)")
            return
        }
        if example.isGlobal { return }
        do {
            _ = try ArgumentParser.parse(example.arguments, commands: CommandTable.all, console: Self.console, environment: [:])
        } catch {
            Issue.record("\(example.file):\(example.line): \(example.text) — \(error)")
        }
    }

    @Test func unknownDocumentedCommandsAreListedByName() throws {
        let unknown = Set(try DocumentedExample.all().filter { !Self.isKnown($0) }.map(\.attemptedCommand)).sorted()
        #expect(unknown.isEmpty, "documented but not in CommandTable: \(unknown.joined(separator: ", "))")
    }

    /// Every relative link `[text](path)` in README.md and docs/*.md names a file that exists.
    @Test func relativeLinksInTheDocumentsResolve() throws {
        let docs = projectRoot.appendingPathComponent("docs")
        let files = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: docs.path))
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        let link = try Regex(#"\]\(([^)\s]+)\)"#)
        for file in files {
            let url = projectRoot.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: link) {
                guard let target = match.output[1].substring.map(String.init) else { continue }
                if target.contains("://") || target.hasPrefix("#") || target.hasPrefix("mailto:") { continue }
                let path = String(target.split(separator: "#", maxSplits: 1).first ?? "")
                let resolved = url.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
                #expect(FileManager.default.fileExists(atPath: resolved.path), "\(file): broken link \(target)")
            }
        }
    }

    @Test(arguments: CommandTable.all.map(\.name))
    func helpExitsZero(_ name: String) async {
        let words = name.split(separator: " ").map(String.init)
        let status = await ClusterReviewCLI.run(words + ["--help"], environment: ["NO_COLOR": "1"])
        #expect(status == 0)
    }

    @Test func everyCommandHasAnExampleThatParses() {
        for command in CommandTable.all {
            #expect(!command.examples.isEmpty, "\(command.name) has no example")
            for example in command.examples {
                // Leading NAME=value words set the environment, as a shell reads them.
                let words = Array(DocumentedExample.shellWords(example).drop { $0.contains("=") && !$0.hasPrefix("-") })
                #expect(words.first == "cluster-review", "\(command.name): \(example)")
                #expect(throws: Never.self, "\(command.name): \(example)") {
                    _ = try ArgumentParser.parse(Array(words.dropFirst()), commands: CommandTable.all, console: Self.console, environment: [:])
                }
            }
        }
    }
}
