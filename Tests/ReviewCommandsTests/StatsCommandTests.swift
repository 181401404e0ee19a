import Foundation
@testable import ReviewCommands
import Postgres
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `cluster-review stats` against a real database: the formats, the dashboard file, usage errors.
@Suite struct StatsCommandTests {
    /// A fresh database with two reviewed filings of 文昌 (469005) and one of 秀英 (460105).
    func database() throws -> String {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        for (county, industry) in [("469005", "商业航天"), ("469005", "商业航天"), ("460105", "生物医药")] {
            let id: Int64 = try connection.queryRow("""
                INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
                VALUES ('initial', $1, '集群', '2026-03-02', 1, jsonb_build_object('cluster', jsonb_build_object('leading_industry', $2::text)),
                        sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'reviewed')
                RETURNING id
                """, [county, industry]).decode("id")
            try connection.query("""
                INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
                VALUES (nextval('review_ids'), $1, $2, 'decision', 'completed', 'needs_review', 1, now())
                """, [id, county])
            try connection.query("""
                INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                      observed, threshold, comparator, margin, message_zh, message_en, citation)
                SELECT r.id, 'COMP-6', $1, $2, 'fixture', '1', 'threshold', 'pass', 60, '200000', '200000', '>=', '0', '夹具', 'fixture', 'Art. 5'
                FROM reviews r WHERE r.filing_id = $1
                """, [id, county])
        }
        return conninfo
    }

    func run(_ arguments: [String], _ conninfo: String) async -> (status: Int32, output: String) {
        let output = OutputLines()
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        let status = await ClusterReviewCLI.run(arguments, environment: environment, console: .capturing(output: output.write))
        return (status, output.all.joined(separator: "\n"))
    }

    @Test func csvParsesBackToTheCountsPerCounty() async throws {
        let conninfo = try database()
        let (status, output) = await run(["stats", "--csv"], conninfo)
        #expect(status == 0)
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "section,county,industry,year,key,value")
        var filings: [String: Int] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(fields.count == 6, "\(line)")
            if fields[0] == "filings" { filings[fields[1], default: 0] += Int(fields[5]) ?? -1 }
        }
        #expect(filings == ["469005": 2, "460105": 1])
        #expect(lines.contains("margin,,,,COMP-6/0%–5%,3"))
    }

    @Test func jsonCarriesTheFilterAndEveryCount() async throws {
        let conninfo = try database()
        let (status, output) = await run(["stats", "--county", "469005", "--json"], conninfo)
        #expect(status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect((object["filter"] as? [String: Any])?["county"] as? String == "469005")
        let filings = try #require(object["filings"] as? [[String: Any]])
        #expect(filings.reduce(0) { $0 + (($1["filings"] as? Int) ?? 0) } == 2)
    }

    @Test func htmlWritesTheDashboardAsWellFormedMarkup() async throws {
        let conninfo = try database()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stats-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, _) = await run(["stats", "--html", folder.path, "--lang", "en"], conninfo)
        #expect(status == 0)
        let page = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        let document = try XMLDocument(xmlString: page, options: [])
        #expect(try document.nodes(forXPath: "//html[@lang='en']").count == 1)
        #expect(try document.nodes(forXPath: "//table[@id='by-county']//td[@data-filings='2']").count == 1)
    }

    @Test(arguments: [["stats", "--year", "twenty"], ["stats", "--county", "999999"], ["stats", "--json", "--csv"],
                      ["stats", "--industry", " "], ["stats", "extra"]])
    func aWrongCommandLineExits64(_ arguments: [String]) async throws {
        #expect(await run(arguments, "host=/nonexistent dbname=none").status == 64)
    }
}
