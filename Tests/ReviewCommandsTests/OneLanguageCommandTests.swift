import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// One language per output (issue 20, item 2) for the terminal: `status`, `list`, `validate`, their
/// errors and the demo's narration print Chinese under `--lang zh` (the default) and English under
/// `--lang en`, except names and codes: what the counties wrote (cluster names, places, bodies),
/// criterion ids and their prefixes, certificate numbers, option names and command lines, statuses a
/// person types, JSON paths and rules of the filing format, file paths.
@Suite struct OneLanguageCommandTests {
    /// Every string of every sample filing: the counties' own words.
    static let sampleStrings: [String] = {
        let folder = projectRoot.appendingPathComponent("config/samples")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var strings: [String] = []
        func walk(_ value: Any) {
            if let text = value as? String { strings.append(text) }
            if let array = value as? [Any] { array.forEach(walk) }
            if let object = value as? [String: Any] { object.values.forEach(walk) }
        }
        for file in files where file.hasSuffix(".json") {
            if let data = try? Data(contentsOf: folder.appendingPathComponent(file)),
                let json = try? JSONSerialization.jsonObject(with: data)
            {
                walk(json)
            }
        }
        return strings
    }()

    /// The words of the other script left in `text` once names and codes are taken out.
    static func foreign(_ text: String, language: Language, names: [String] = []) -> [String] {
        var rest = text
        let codes = [
            #"(用法：|Usage: )cluster-review[^\n]*"#,  // the usage line: words and placeholders a person types
            #"cluster-review( [a-z][a-z-]*)*"#,  // command lines a person types
            #"--[a-z][a-z-]*"#,  // option names
            #"(/[\w.-]+)+"#,  // file paths
            #"HN-[A-Z]{4}-[0-9A-Z-]+"#,  // certificate numbers
            #"[A-Z]{4}-\d+"#,  // criterion ids
            #"\b[A-Z]{4}\b"#,  // their prefixes, heading the indicator columns
            #"\S+ \[[a-z_.-]+\]"#,  // a filing issue's JSON path and rule
            #"\b[0-9a-f]{16,64}\b"#,  // hashes
            #"“[A-Za-z0-9_.]+”"#, #"'[^'\n]*'"#,  // a member's name in the filing, what the person typed
            #"\b(ID|FILE|DIR|PATH)\b(\.\.\.)?"#,  // the usage line's placeholders
            #"\b(DATABASE_URL|PG[A-Z]+|CLUSTER_REVIEW_[A-Z]+)\b"#,  // environment variables
            #"\b[a-z]+(_[a-z]+)+\b"#,  // identifiers a person types, e.g. a login name
            "PostgreSQL", "cluster_review_demo", "km²", #"UTC\+8"#,
        ] + FilingStatus.statuses.map { #"\b\#($0)\b"# }
        for pattern in codes {
            rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let places = HainanCounty.all.flatMap { [$0.name, $0.city] }
        // A long cluster name is cut in the demo's table.
        let cut = sampleStrings.filter { $0.count > 13 }.map { String($0.prefix(13)) + "…" }
        for name in (names + sampleStrings + cut + places).sorted(by: { $0.count > $1.count }) where name.count >= 2 {
            rest = rest.replacingOccurrences(of: name, with: " ")
        }
        let other = language == .zh ? #"[A-Za-z]{2,}"# : #"[\p{Han}]+"#
        let regex = try! NSRegularExpression(pattern: other)
        return regex.matches(in: rest, range: NSRange(rest.startIndex..., in: rest)).map { String(rest[Range($0.range, in: rest)!]) }
    }

    static func arguments(_ arguments: [String], _ language: Language) -> [String] {
        arguments + ["--lang", language.rawValue]
    }

    @Test(arguments: Language.allCases)
    func statusAndListSpeakOneLanguage(_ language: Language) async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        let ids = try SampleFilings.submitVariants(2, on: connection)
        for command in [["status"], ["status", String(ids[0])], ["list"]] {
            let run = try await CLIProcess.run(Self.arguments(command, language), conninfo: conninfo)
            #expect(run.status == 0, "\(command): \(run.stderr)")
            #expect(!run.stdout.isEmpty)
            let words = Self.foreign(run.stdout + run.stderr, language: language)
            #expect(words.isEmpty, "\(command) \(language): \(Array(Set(words)).sorted())\n\(run.stdout)")
        }
    }

    @Test(arguments: Language.allCases)
    func theErrorsOfStatusAndListSpeakOneLanguage(_ language: Language) async throws {
        let conninfo = try TestCluster.makeDatabase()
        for (command, exit) in [(["status", "999999"], Int32(65)), (["status", "x"], 64), (["list", "--limit", "0"], 64),
                                (["list", "--status", "publicity"], 64), (["list", "--county", "110000"], 64)] {
            let run = try await CLIProcess.run(Self.arguments(command, language), conninfo: conninfo)
            #expect(run.status == exit, "\(command): \(run.stderr)")
            #expect(!run.stderr.isEmpty)
            let words = Self.foreign(run.stdout + run.stderr, language: language)
            #expect(words.isEmpty, "\(command) \(language): \(Array(Set(words)).sorted())\n\(run.stderr)")
        }
    }

    @Test(arguments: Language.allCases)
    func validateSpeaksOneLanguage(_ language: Language) async throws {
        let sample = projectRoot.appendingPathComponent("config/samples/460205-yazhou-seed-breeding.json").path
        let broken = NSTemporaryDirectory() + "cr-one-language-\(UUID().uuidString).json"
        try #"{"format_version": 1, "kind": "initial", "applicant": {"county_code": "469005"}}"#.write(
            toFile: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        for files in [[sample], [broken], ["/nonexistent/filing.json"]] {
            let run = try await CLIProcess.run(Self.arguments(["validate"] + files, language), conninfo: nil)
            #expect(run.status != nil)
            let words = Self.foreign(run.stdout + run.stderr, language: language)
            #expect(words.isEmpty, "\(files) \(language): \(Array(Set(words)).sorted())\n\(run.stdout)\(run.stderr)")
        }
    }

    /// Runs `command` in `language` and checks its exit code and that what it printed is in one language.
    static func expectOneLanguage(_ command: [String], _ language: Language, exit: Int32, conninfo: String?) async throws {
        let run = try await CLIProcess.run(arguments(command, language), conninfo: conninfo)
        #expect(run.status == exit, "\(command): \(run.stderr)")
        #expect(!run.stderr.isEmpty, "\(command)")
        let words = foreign(run.stdout + run.stderr, language: language)
        #expect(words.isEmpty, "\(command) \(language): \(Array(Set(words)).sorted())\n\(run.stderr)")
    }

    @Test(arguments: Language.allCases)
    func aDatabaseThatIsNotRunningIsReportedInOneLanguage(_ language: Language) async throws {
        let nowhere = "host=\(NSTemporaryDirectory())cr-no-server-\(UUID().uuidString) dbname=cluster_review"
        for command in [["register", "list"], ["whoami"], ["stats"]] {
            try await Self.expectOneLanguage(command, language, exit: 69, conninfo: nowhere)
        }
    }

    @Test(arguments: Language.allCases)
    func aDatabaseNotMigratedIsReportedInOneLanguage(_ language: Language) async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        try await Self.expectOneLanguage(["register", "list"], language, exit: 69, conninfo: conninfo)
    }

    @Test(arguments: Language.allCases)
    func usageErrorsFoundWhileParsingSpeakOneLanguage(_ language: Language) async throws {
        for command in [["list", "--limt", "3"], ["register", "show"], ["register", "list", "--json=1"], ["registr", "list"],
                        ["stats", "--year"], ["status", "1", "2", "3"]] {
            try await Self.expectOneLanguage(command, language, exit: 64, conninfo: nil)
        }
    }

    @Test(arguments: Language.allCases)
    func usageErrorsOfOtherCommandsSpeakOneLanguage(_ language: Language) async throws {
        let conninfo = try TestCluster.makeDatabase()
        for command in [["confirm", "x", "accept"], ["decide", "1", "approve"], ["register", "list", "--status", "gone"],
                        ["stats", "--county", "110000"], ["serve", "--grace", "-1"], ["users", "add", "x y"]] {
            try await Self.expectOneLanguage(command, language, exit: 64, conninfo: conninfo)
        }
    }

    @Test func anUnknownLanguageIsReportedInChinese() async throws {
        let run = try await CLIProcess.run(["list", "--lang", "fr"], conninfo: nil)
        #expect(run.status == 64)
        #expect(run.stderr.contains("--lang 应为 'zh' 或 'en'，而不是 'fr'"), "\(run.stderr)")
        #expect(Self.foreign(run.stderr, language: .zh).isEmpty, "\(run.stderr)")
    }

    @Test func theLanguageOfAParseErrorIsReadFromTheCommandLineOrTheEnvironment() async throws {
        let inline = try await CLIProcess.run(["list", "--limt", "3", "--lang=en"], conninfo: nil)
        #expect(inline.stderr.contains("usage error: unknown option '--limt'"), "\(inline.stderr)")
        let variable = try await CLIProcess.run(["list", "--limt", "3"], conninfo: nil, environment: ["CLUSTER_REVIEW_LANG": "en"])
        #expect(variable.stderr.contains("usage error: unknown option '--limt'"), "\(variable.stderr)")
        let chinese = try await CLIProcess.run(["list", "--limt", "3"], conninfo: nil)
        #expect(chinese.stderr.contains("用法错误：'list' 没有选项 '--limt'"), "\(chinese.stderr)")
    }

    @Test func theScanFindsTheOtherLanguage() {
        #expect(Self.foreign("状态 status: 已机审", language: .zh) == ["status"])
        #expect(Self.foreign("status: reviewed (已机审)", language: .en) == ["已机审"])
        #expect(Self.foreign("用法：cluster-review list [选项] --limit 应为正整数", language: .zh).isEmpty)
    }
}
