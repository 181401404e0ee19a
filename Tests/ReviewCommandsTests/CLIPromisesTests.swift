import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

@testable import ReviewCommands
import ClusterStandard

/// What the command line promises its users, each tried the way a person would (issue 11):
/// one JSON document per `--json`, refused values named with the allowed ones, exit codes as
/// documented, suggestions for typos, files that cannot be read or written explained.
@Suite struct CLIPromisesTests {
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    // MARK: --json is one document

    @Test(arguments: [["list", "--json"], ["register", "list", "--json"], ["sweep", "actions", "--json"]])
    func anEmptyListIsOneEmptyArray(_ arguments: [String]) async throws {
        let conninfo = try TestCluster.makeDatabase()
        let run = try await CLIProcess.run(arguments, conninfo: conninfo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func countiesAndLoginsAreEachOneArray() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let counties = try await CLIProcess.run(["counties", "--json"], conninfo: conninfo)
        #expect((try Self.json(counties.stdout) as? [[String: Any]])?.count == 26, "\(counties.stdout.prefix(300))")
        let logins = try await CLIProcess.run(["users", "list", "--json"], conninfo: conninfo)
        #expect(try Self.json(logins.stdout) is [[String: Any]], "\(logins.stdout.prefix(300))")
    }

    /// A command run against a database that was never migrated names the fix, not a missing relation.
    @Test(arguments: [["users", "add", "county_x", "--role", "county:460106"], ["list"], ["register", "list"]])
    func aDatabaseNotYetMigratedIsUnavailableWithTheFix(_ arguments: [String]) async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let run = try await CLIProcess.run(arguments + ["--lang", "en"], conninfo: conninfo)
        #expect(run.status == 69, "\(run.stderr)")
        #expect(run.stderr.contains("run cluster-review migrate"), "\(run.stderr)")
    }

    @Test func pluginsListIsOneArrayWithTheDeclaredCriteria() async throws {
        let run = try await CLIProcess.run(["plugins", "list", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let modules = try #require(try Self.json(run.stdout) as? [[String: Any]])
        #expect(modules.count == 11)
        let green = try #require(modules.first { $0["id"] as? String == "green" })
        #expect(green["state"] as? String == "ready")
        #expect((green["criteria"] as? [[String: Any]])?.count == 5)
        #expect(modules.first { $0["id"] as? String == "example-python" }?["enabled"] as? Bool == false)
    }

    @Test func theRegisterListShowsThePlanAsJSONNotAsAString() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        #expect(try RegisterHistory.seed(try SampleFilings.all(), on: connection) > 0)
        let run = try await CLIProcess.run(["register", "list", "--json"], conninfo: conninfo)
        let entries = try #require(try Self.json(run.stdout) as? [[String: Any]], "\(run.stdout.prefix(300))")
        let plan = try #require(entries.first?["plan"] as? [String: Any])
        #expect(plan["goals"] is [Any])
        #expect((entries.first?["spatial_extent"] as? String)?.hasSuffix(" km²") == true)
        #expect((entries.first?["spatial_extent"] as? String)?.contains("\\(") == false)
    }

    // MARK: values refused with the allowed ones

    @Test func listRefusesAnUnknownStatusAndNamesTheRealOnes() async throws {
        let run = try await CLIProcess.run(["list", "--status", "publicity", "--lang", "en"], conninfo: try TestCluster.makeDatabase())
        #expect(run.status == 64)
        #expect(run.stderr.contains("did you mean 'in_publicity'?"), "\(run.stderr)")
        for status in FilingStatus.statuses { #expect(run.stderr.contains(status)) }
    }

    @Test func listRefusesACountyOutsideHainan() async throws {
        let run = try await CLIProcess.run(["list", "--county", "110000"], conninfo: try TestCluster.makeDatabase())
        #expect(run.status == 64)
        #expect(run.stderr.contains("cluster-review counties"), "\(run.stderr)")
    }

    @Test func theStatusesListedAreExactlyTheOnesTheDatabaseAllows() throws {
        let connection = try TestCluster.connect()
        defer { connection.close() }
        let check: String = try connection.queryRow(
            "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'filings_status_check'"
        ).decode("def")
        let allowed = Set(check.matches(of: /'([a-z_]+)'/).map { String($0.output.1) })
        #expect(allowed == Set(FilingStatus.statuses))
    }

    @Test func sweepActionsRefusesAnUnknownState() async throws {
        let run = try await CLIProcess.run(["sweep", "actions", "--state", "pending"], conninfo: try TestCluster.makeDatabase())
        #expect(run.status == 64)
        #expect(run.stderr.contains("proposed"), "\(run.stderr)")
    }

    // MARK: usage errors that help

    @Test func anUnknownOptionSuggestsTheNearestAndPointsAtTheCommandsHelp() {
        let console = Console.capturing(output: { _ in })
        #expect {
            try ArgumentParser.parse(["list", "--stauts", "reviewed"], commands: CommandTable.all, console: console, environment: [:])
        } throws: { error in
            let message = (error as? UsageError)?.message ?? ""
            return message.contains("did you mean '--status'?") && message.contains("cluster-review list --help")
        }
    }

    @Test func anUnknownSubcommandSuggestsTheNearest() {
        let console = Console.capturing(output: { _ in })
        #expect {
            try ArgumentParser.parse(["register", "lst"], commands: CommandTable.all, console: console, environment: [:])
        } throws: { error in
            (error as? UsageError)?.message.contains("did you mean 'register list'?") == true
        }
    }

    @Test func nothingIsSuggestedForAWordFarFromEveryOption() {
        #expect(ArgumentParser.nearest("--frobnicate", among: ["--status", "--county", "--json"]) == nil)
    }

    @Test(arguments: [(0...0, "no arguments"), (1...1, "1 argument"), (2...2, "2 arguments"), (1...Int.max, "at least 1 argument"),
                      (0...Int.max, "at least 1 argument"), (0...1, "0 to 1 arguments")])
    func argumentCountsAgreeInNumber(range: ClosedRange<Int>, words: String) {
        #expect(ArgumentParser.expectedArguments(range) == words)
    }

    // MARK: files that cannot be read or written

    @Test func aFileThatDoesNotExistIsSaidToBeMissing() {
        #expect(readReason("/nonexistent/x.json") == .missing)
    }

    @Test func aFolderIsSaidToBeAFolder() {
        #expect(readReason(NSTemporaryDirectory()) == .directory)
    }

    @Test func aDeviceIsRefusedWithoutReadingIt() {
        #expect(readReason("/dev/zero") == .notRegular)
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let path = NSTemporaryDirectory() + "fifo-\(UUID().uuidString)"
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        #expect(readReason(path) == .notRegular)
    }

    @Test func aFileOverTheLimitIsRefusedBySize() throws {
        let path = NSTemporaryDirectory() + "big-\(UUID().uuidString).json"
        try Data(count: InputFile.defaultLimit + 1).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(readReason(path) == .tooLarge(bytes: InputFile.defaultLimit + 1, limit: InputFile.defaultLimit))
    }

    @Test(.enabled(if: geteuid() != 0, "root reads any file"))
    func aFileWithoutReadPermissionIsSaidToBeSo() throws {
        let path = NSTemporaryDirectory() + "secret-\(UUID().uuidString).json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        chmod(path, 0)
        #expect(readReason(path) == .permission)
    }

    func readReason(_ path: String) -> FileReadError.Reason? {
        do {
            _ = try InputFile.read(path)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aReportThatCannotBeWrittenSaysWhyInASentenceAndExits73() async throws {
        let sample = try TestCluster.installation.configDirectory.appendingPathComponent("samples/469005-wenchang-commercial-aerospace.json")
        let run = try await CLIProcess.run(["evaluate", sample.path, "--html", "/missing/dir/x.html", "--lang", "en"], conninfo: "")
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("cannot write /missing/dir/x.html: the folder /missing/dir does not exist"), "\(run.stderr)")
        #expect(!run.stderr.contains("NSCocoaErrorDomain"))
    }

    // MARK: configuration

    @Test func aModuleNotBuiltIsAConfigurationErrorThatNamesTheFix() async throws {
        let modules = NSTemporaryDirectory() + "modules-\(UUID().uuidString).json"
        try Data(#"{"modules": [{"id": "green", "executable": "indicator-not-built"}]}"#.utf8).write(to: URL(fileURLWithPath: modules))
        defer { unlink(modules) }
        let run = try await CLIProcess.run(["plugins", "list", "--modules", modules, "--lang", "en"])
        #expect(run.status == 78, "\(run.stderr)")
        #expect(run.stderr.contains("indicator-not-built does not exist"))
        #expect(run.stderr.contains("swift build"))
    }

    // MARK: the documents agree with the commands

    /// docs/cli.md's table "By command" lists, per command, exactly the exit codes the command
    /// declares (its `--help` prints the same declaration).
    @Test func theDocumentedExitCodesAreEachCommandsOwn() throws {
        let text = try String(contentsOf: projectRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        var documented: [String: Set<Int32>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[0].hasPrefix("`"), cells[1].hasPrefix("0 ") else { continue }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            documented[name] = Set(cells[1].split(separator: ";").compactMap {
                Int32($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
            })
        }
        for command in CommandTable.all {
            let declared = Set([0] + command.exits.map(\.code))
            #expect(documented[command.name] == declared, "\(command.name): documented \(documented[command.name] ?? []), declared \(declared)")
        }
        let unknown = Set(documented.keys).subtracting(CommandTable.all.map(\.name))
        #expect(unknown.isEmpty, "documented exit codes for unknown commands \(unknown)")
    }

    @Test func aSyntaxErrorIsShownWithItsLineAndACaretUnderTheColumn() throws {
        let text = "{\n  \"name\": \"洋浦\" x\n}"
        let issue = try #require(FilingValidator.validate(Data(text.utf8)).first)
        let lines = IssueLines.lines(issue, language: .en, indent: "")
        #expect(lines.count == 3)
        #expect(lines[1] == "  2 |   \"name\": \"洋浦\" x")
        // Fifteen characters before the x, two of them wide: seventeen columns, then the caret.
        #expect(lines[2] == "  " + String(repeating: " ", count: "2 | ".count + 17) + "^")
    }

    @Test func templateListsTheMembersInTheDocumentedOrder() async throws {
        let output = OutputLines()
        #expect(await ClusterReviewCLI.run(["template", "initial"], environment: [:], console: .capturing(output: output.write)) == 0)
        let text = output.all.joined(separator: "\n")
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(Array(keys.prefix(5)) == ["format_version", "kind", "filing_date", "applicant", "cluster"])
        #expect(FilingValidator.validate(Data(text.utf8)).isEmpty)
    }

    @Test func theDemosRateIsMeasuredOverTheRunNotARatioOfCounters() {
        #expect(DemoCommand.rate(26, over: 0.001) == "— filings/s")
        #expect(DemoCommand.rate(30, over: 3) == "10.0 filings/s over 3.0 s")
    }

    // MARK: installing

    @Test func anInstalledCopyFindsItsFilesAndRunsFromAnywhere() async throws {
        let prefix = NSTemporaryDirectory() + "cr-install-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = try await CLIProcess.run(["install", "--prefix", prefix])
        #expect(install.status == 0, "\(install.stderr)")
        let installed = prefix + "/bin/cluster-review"
        #expect(FileManager.default.isExecutableFile(atPath: installed))

        let list = try await CLIProcess.run(["plugins", "list"], program: installed, workingDirectory: "/", home: false)
        #expect(list.status == 0, "\(list.stdout)\(list.stderr)")
        #expect(list.stdout.contains("competitiveness  ready"))
        #expect(!list.stdout.contains(projectRoot.path), "the installed copy must not use the build's files")

        let sample = prefix + "/config/samples/469005-wenchang-commercial-aerospace.json"
        let evaluate = try await CLIProcess.run(["evaluate", sample, "--json"], program: installed, workingDirectory: "/", home: false)
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let results = try #require(try Self.json(evaluate.stdout) as? [[String: Any]])
        #expect(results.first?["recommendation"] as? String == "needs_review")
    }

    @Test func aSecondInstallKeepsTheAdministratorsConfiguration() async throws {
        let prefix = NSTemporaryDirectory() + "cr-install-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let first = try await CLIProcess.run(["install", "--prefix", prefix])
        #expect(first.status == 0)
        // One language per line (issue 20): Chinese by default, no English words beside it.
        #expect(first.stdout.contains("已安装") && !first.stdout.contains("installed") && !first.stdout.contains("configuration"), "\(first.stdout)")
        let lifecycle = prefix + "/config/lifecycle.json"
        try Data("{\"edited\": true}".utf8).write(to: URL(fileURLWithPath: lifecycle))
        let again = try await CLIProcess.run(["install", "--prefix", prefix, "--lang", "en"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("kept the existing configuration"))
        #expect(try String(contentsOfFile: lifecycle, encoding: .utf8) == "{\"edited\": true}")
    }
}
