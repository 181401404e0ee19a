import Foundation
import IndicatorKit
import TestSupport
import Testing
import ClusterStandard
import JSONCore

/// `cluster-review evaluate` through the real module processes, over every sample filing.
@Suite struct EvaluateCommandTests {
    struct Result: Decodable {
        var file: String
        var recommendation: String?
        var rulebook: String?
        var issues: [ValidationIssue]?
    }

    func evaluate(_ arguments: [String]) async throws -> (status: Int32?, results: [Result], log: String) {
        let process = try CLIProcess(["evaluate", "--json"] + arguments, conninfo: "")
        let status = await process.wait(timeout: .seconds(120))
        // --json is one document: an array with an object per file.
        let results = (try? JSONDecoder().decode([Result].self, from: Data(process.output.utf8))) ?? []
        return (status, results, process.log)
    }

    @Test func everySampleGetsTheRecommendationItsFileStates() async throws {
        let directory = try TestCluster.installation.configDirectory.appendingPathComponent("samples")
        let expected = try JSONValue(parsing: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        guard case .object(let samples)? = expected["samples"] else {
            Issue.record("expected.json has no samples")
            return
        }
        let plain = samples.filter { $0.value["context"] == nil }.keys.sorted()
        let run = try await evaluate(plain.map { directory.appendingPathComponent($0).path })
        #expect(run.status == 0, "\(run.log.suffix(1500))")
        #expect(run.results.count == plain.count)
        for result in run.results {
            let name = URL(fileURLWithPath: result.file).lastPathComponent
            #expect(result.recommendation == samples[name]?["recommendation"]?.string, "\(name)")
        }
        for (name, sample) in samples where sample["context"] != nil {
            let contextFile = NSTemporaryDirectory() + "ctx-\(UUID().uuidString).json"
            try JSONEncoder().encode(sample["context"]!).write(to: URL(fileURLWithPath: contextFile))
            let single = try await evaluate(["--context", contextFile, directory.appendingPathComponent(name).path])
            #expect(single.results.first?.recommendation == sample["recommendation"]?.string, "\(name): \(single.log.suffix(800))")
        }
    }

    @Test func theNationalRulebookTurnsAThreeBillionClustersOutputFromPassToFail() async throws {
        // 美兰: total output 30–37.2 亿元 (300000–372000 万元): above Hainan's 20 亿, below the national 40 亿.
        let file = try TestCluster.installation.configDirectory.appendingPathComponent("samples/460108-meilan-aviation-maintenance.json").path
        func verdictOfCOMP6(_ rulebook: String) async throws -> String? {
            let process = try CLIProcess(["evaluate", "--json", "--rulebook", rulebook, file], conninfo: "")
            _ = await process.wait(timeout: .seconds(60))
            struct Shape: Decodable {
                struct Item: Decodable { var finding: Finding }
                var findings: [Item]
            }
            let shape = try #require(try JSONDecoder().decode([Shape].self, from: Data(process.output.utf8)).first)
            return shape.findings.first { $0.finding.criterion == "COMP-6" }?.finding.verdict.rawValue
        }
        #expect(try await verdictOfCOMP6("hainan-2023") == "pass")
        #expect(try await verdictOfCOMP6("national-2022") == "fail")
    }

    @Test func anInvalidFilingIsReportedWithItsPathAndExitsOne() async throws {
        let file = NSTemporaryDirectory() + "bad-\(UUID().uuidString).json"
        try Data(#"{"format_version": 1, "kind": "initial", "unexpected": true}"#.utf8).write(to: URL(fileURLWithPath: file))
        let run = try await evaluate([file])
        #expect(run.status == 1)
        #expect(run.results.first?.issues?.contains { $0.path == "$.unexpected" } == true)
    }

    /// The files are checked in parallel (issue 16) but reported in the order given, invalid ones
    /// in their place, each with the result it gets alone.
    @Test func manyFilesAreReportedInTheOrderGivenWithTheResultsEachGetsAlone() async throws {
        let directory = try TestCluster.installation.configDirectory.appendingPathComponent("samples")
        let expected = try JSONValue(parsing: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        guard case .object(let samples)? = expected["samples"] else {
            Issue.record("expected.json has no samples")
            return
        }
        let bad = NSTemporaryDirectory() + "bad-\(UUID().uuidString).json"
        try Data(#"{"format_version": 1, "kind": "initial", "unexpected": true}"#.utf8).write(to: URL(fileURLWithPath: bad))
        var files = samples.filter { $0.value["context"] == nil }.keys.sorted(by: >).map { directory.appendingPathComponent($0).path }
        files.insert(bad, at: 3)
        files.append(bad)
        files += files.prefix(5)
        let run = try await evaluate(files)
        #expect(run.status == 1, "\(run.log.suffix(1500))")
        #expect(run.results.map(\.file) == files)
        for result in run.results {
            let name = URL(fileURLWithPath: result.file).lastPathComponent
            if result.file == bad {
                #expect(result.issues?.contains { $0.path == "$.unexpected" } == true)
            } else {
                #expect(result.recommendation == samples[name]?["recommendation"]?.string, "\(name)")
            }
        }
    }

    @Test func aFileThatCannotBeReadAmongOthersExitsSixtySix() async throws {
        let directory = try TestCluster.installation.configDirectory.appendingPathComponent("samples")
        let good = directory.appendingPathComponent("469005-wenchang-commercial-aerospace.json").path
        // Over the 1 MiB a filing may have: found by the expansion, refused when read.
        let large = NSTemporaryDirectory() + "large-\(UUID().uuidString).json"
        try Data(repeating: 0x20, count: (1 << 20) + 1).write(to: URL(fileURLWithPath: large))
        let process = try CLIProcess(["evaluate", good, good, large, good], conninfo: "")
        #expect(await process.wait(timeout: .seconds(120)) == 66)
        #expect(process.log.contains(large))
    }

    @Test func anAsOfDateBeforeTheRulebookIsRefused() async throws {
        let directory = try TestCluster.installation.configDirectory.appendingPathComponent("samples")
        let process = try CLIProcess(
            ["evaluate", "--as-of", "2001-01-01", directory.appendingPathComponent("469005-wenchang-commercial-aerospace.json").path],
            conninfo: "")
        #expect(await process.wait(timeout: .seconds(60)) == 65)
        #expect(process.log.contains("2001-01-01"))
    }

    @Test(arguments: Language.allCases)
    func theSelfCheckSaysWhenAndUnderWhatInTheTerminalAndInHTML(_ language: Language) async throws {
        let file = try TestCluster.installation.configDirectory.appendingPathComponent("samples/469005-wenchang-commercial-aerospace.json").path
        let hash = ClusterStandard.SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: file)))
        let page = NSTemporaryDirectory() + "self-check-\(UUID().uuidString).html"
        defer { try? FileManager.default.removeItem(atPath: page) }
        // 2026-03-15 02:30 UTC: 10:30 in Beijing.
        let run = try await CLIProcess.run(
            ["evaluate", file, "--html", page, "--lang", language.rawValue], conninfo: "", environment: ["SOURCE_DATE_EPOCH": "1773541800"])
        #expect(run.status == 0, "\(run.stderr.suffix(800))")
        let en = language == .en
        let when = en ? "Generated 2026-03-15 10:30 (Beijing time, UTC+8) · rulebook hainan-2023 (content hash "
                      : "生成时间 2026-03-15 10:30（北京时间） · 规则集 hainan-2023（内容哈希 "
        let what = en ? " · as of 2026-03-15 · filing content hash \(hash.prefix(16))" : " · 基准日 2026-03-15 · 申报内容哈希 \(hash.prefix(16))"
        let line = run.stdout.split(separator: "\n").first { $0.hasPrefix(when) }
        #expect(line?.hasSuffix(what) == true, "\(run.stdout.prefix(600))")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains(when) && html.contains(hash), "the page carries the stamp with the whole hash")
    }
}
