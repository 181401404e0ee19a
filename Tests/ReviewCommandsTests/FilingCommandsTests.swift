import Foundation
import IndicatorKit
@testable import ReviewCommands
import TestSupport
import Testing
import ClusterStandard

let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct FilingCommandsTests {
    func run(_ body: ((String) -> Void) -> Int32) -> (Int32, String) {
        var lines: [String] = []
        let status = body { lines.append($0) }
        return (status, lines.joined(separator: "\n"))
    }

    /// Runs `cluster-review ARGUMENTS` in process; the status and what it printed on stdout.
    func cli(_ arguments: [String]) async -> (Int32, String) {
        let output = OutputLines()
        let status = await ClusterReviewCLI.run(arguments, environment: [:], console: .capturing(output: output.write))
        return (status, output.all.joined(separator: "\n"))
    }

    @Test func validateAcceptsASample() async {
        let path = projectRoot.appendingPathComponent("config/samples/460205-yazhou-seed-breeding.json").path
        let (status, text) = await cli(["validate", path, "--lang", "en"])
        #expect(status == 0)
        #expect(text.hasSuffix("valid"))
    }

    @Test func validatePrintsThePathOfEachIssueAndExits1() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        let bad = FilingTemplate.example(.initial).canonicalText().replacingOccurrences(of: "\"county_code\":\"460400\"", with: "\"county_code\":\"110000\"")
        try Data(bad.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, text) = await cli(["validate", file.path, "--lang", "en"])
        #expect(status == 1)
        #expect(text.contains("$.applicant.county_code [county_code]"))
    }

    @Test func validateWithoutFilesIsAUsageError() async {
        #expect(await cli(["validate"]).0 == 64)
    }

    @Test func validateOfAMissingFileExits66AndSaysItIsMissing() async {
        let (status, text) = await cli(["validate", "/nonexistent/filing.json", "--lang", "en"])
        #expect(status == 66)
        #expect(text == "/nonexistent/filing.json: no such file")
    }

    @Test(arguments: FilingKind.allCases)
    func templatePrintsAValidFiling(kind: FilingKind) async {
        let (status, text) = await cli(["template", kind.rawValue])
        #expect(status == 0)
        #expect(FilingValidator.validate(Data(text.utf8)) == [])
    }

    @Test func templateOfAnUnknownKindIsAUsageError() async {
        #expect(await cli(["template", "yearly"]).0 == 64)
    }

    @Test func schemaFileMatchesTheFormat() async throws {
        let (_, text) = await cli(["template", "schema"])
        let url = projectRoot.appendingPathComponent("config/filing.schema.json")
        if ProcessInfo.processInfo.environment["CLUSTER_REVIEW_UPDATE_SCHEMA"] == "1" { try Data((text + "\n").utf8).write(to: url) }
        let file = try String(contentsOf: projectRoot.appendingPathComponent("config/filing.schema.json"), encoding: .utf8)
        #expect(file == text + "\n", "regenerate config/filing.schema.json with `cluster-review template schema`")
    }

    @Test func rulebookPrintsEachCriterionWithItsValueHistory() async throws {
        let path = projectRoot.appendingPathComponent("config/parameters.json").path
        let declarations = try await BuiltInModules.declarations()
        let (status, text) = run { FilingCommands.printRulebook(name: nil, language: .en, parametersPath: path, declarations: declarations, output: $0) }
        #expect(status == 0)
        #expect(text.contains("COMP-6 [threshold] Output of at least 2 billion CNY in each of the last three years"))
        #expect(text.contains("## competitiveness 1.2.0 — Core competitiveness"))
        #expect(text.contains("min_annual_output_wan >= (万元)"))
        #expect(text.contains("from 2023-05-23: 200000"))
        #expect(text.contains("VETO-1 [threshold, veto]"))
    }

    @Test func nationalRulebookSaysWhereItHasNoThreshold() async throws {
        let path = projectRoot.appendingPathComponent("config/parameters.json").path
        let declarations = try await BuiltInModules.declarations()
        let (status, text) = run {
            FilingCommands.printRulebook(name: "national-2022", language: .en, parametersPath: path, declarations: declarations, output: $0)
        }
        #expect(status == 0)
        #expect(text.contains("min_patents_per_10k >= (patents per 10,000 employees): no value in this rulebook: the finding is manual"))
        #expect(text.contains("from 2022-09-13: 400000"))
    }

    @Test func unknownRulebookIsADataError() async throws {
        let path = projectRoot.appendingPathComponent("config/parameters.json").path
        let declarations = try await BuiltInModules.declarations()
        #expect(run { FilingCommands.printRulebook(name: "guangdong-2024", language: .en, parametersPath: path, declarations: declarations, output: $0) }.0 == 65)
    }

    @Test func aParameterNoModuleDeclaresIsRefusedNamingTheModulesAsked() throws {
        let path = projectRoot.appendingPathComponent("config/parameters.json").path
        let (status, text) = run { FilingCommands.printRulebook(name: nil, language: .en, parametersPath: path, declarations: Declarations(), output: $0) }
        #expect(status == 65)
        #expect(text.contains("no enabled module declares parameter min_annual_output_wan"))
    }

    @Test func aModuleThatDidNotStartIsNamedAndTheExitSaysSo() async throws {
        let path = projectRoot.appendingPathComponent("config/parameters.json").path
        let all = try await BuiltInModules.declarations()
        let declarations = Declarations(all.modules.filter { $0.id != "green" })
        let (status, text) = run {
            FilingCommands.printRulebook(name: nil, language: .en, parametersPath: path, declarations: declarations,
                        unanswered: ["green": "it exited before its ready line"], output: $0)
        }
        #expect(status == 1)
        #expect(text.contains("## green — did not start; its criteria are not shown: it exited before its ready line"))
    }
}
