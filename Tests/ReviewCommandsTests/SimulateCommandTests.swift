import Foundation
import JSONCore
import Postgres
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `cluster-review simulate` as a person runs it: the JSON, the page, and the refusals with their exit codes.
@Suite struct SimulateCommandTests {
    /// A fresh database with every initial sample filed and reviewed (a completed decision review as of its filing date).
    func database() throws -> String {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        let initial = try SampleFilings.all().filter { (try? JSONValue(parsing: $0.data))?["kind"]?.string == "initial" }.count
        _ = try SampleFilings.submitVariants(initial, on: connection)
        try connection.query("""
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, as_of)
            SELECT nextval('review_ids'), f.id, f.county_code, 'decision', 'completed', 'needs_review', 1, now(), f.filed_on FROM filings f
            """)
        return conninfo
    }

    @Test func jsonListsTheFilingThatNowPassesCOMP6() async throws {
        let conninfo = try database()
        let run = try await CLIProcess.run(["simulate", "--set", "min_annual_output_wan=5亿", "--json"], conninfo: conninfo)
        #expect(run.status == 0, "\(run.stderr)")
        let result = try JSONValue(parsing: Data(run.stdout.utf8))
        #expect(result["changes"].flatMap { if case .array(let a) = $0 { a.first?["after"] } else { nil } } == .number(Decimal(50_000)))
        guard case .array(let filings)? = result["filings"] else {
            Issue.record("no filings in \(run.stdout.prefix(500))")
            return
        }
        let moved = filings.filter { filing in
            guard case .array(let findings)? = filing["findings"] else { return false }
            return findings.contains { $0["criterion"] == "COMP-6" && $0["before"] == "fail" && $0["after"] == "pass" }
        }
        #expect(moved.map { $0["county_code"] } == ["460302"])
    }

    @Test func theHTMLPageParsesAsXMLAndSaysTheSentence() async throws {
        let conninfo = try database()
        let path = NSTemporaryDirectory() + "simulate-\(UInt32.random(in: 0...UInt32.max)).html"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await CLIProcess.run(["simulate", "--set", "min_annual_output_wan=5亿", "--html", path, "--lang", "en"], conninfo: conninfo)
        #expect(run.status == 0, "\(run.stderr)")
        let page = try String(contentsOfFile: path, encoding: .utf8)
        let xml = try XMLDocument(data: Data(page.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        let sentence = try xml.nodes(forXPath: "//p[@id='sentence']").first?.stringValue ?? ""
        #expect(sentence.contains("1 more filing passes COMP-6"), "\(sentence)")
        #expect(run.stdout.contains(sentence))
    }

    @Test(arguments: [
        (["--set", "min_output=15亿"], "min_output", "en"),
        (["--set", "min_sme_output_share=1.5"], "min_sme_output_share", "en"),
        (["--set", "min_quality_smes=four"], "min_quality_smes", "zh"),
        (["--set", "min_quality_smes=4", "--over", "everything"], "--over", "en"),
    ])
    func anInvalidDraftIsAUsageErrorNamingWhatIsAllowed(_ arguments: [String], _ named: String, _ language: String) async throws {
        let run = try await CLIProcess.run(["simulate"] + arguments + ["--lang", language], conninfo: "host=/nonexistent")
        #expect(run.status == 64)
        #expect(run.stderr.contains(named), "\(run.stderr)")
        // One language per line: the refusal in the language asked for (units such as 万元 are data).
        let chinese = run.stderr.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) && !"亿万元".unicodeScalars.contains($0) }
        #expect(chinese == (language == "zh"), "\(run.stderr)")
    }

    @Test func aRoundThatDoesNotExistExits65() async throws {
        let conninfo = try database()
        let run = try await CLIProcess.run(["simulate", "--set", "min_quality_smes=4", "--over", "round", "no-such-round"], conninfo: conninfo)
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("no-such-round"))
    }
}
