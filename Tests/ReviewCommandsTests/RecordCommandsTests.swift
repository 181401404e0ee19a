import Foundation
import IndicatorKit
import JSONCore
import Postgres
@testable import ReviewCommands
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// The reviewer's whole record (issue 15, item 5) and corrections (item 7) through the CLI:
/// `status ID`, `report ID` (terminal, `--json`, `--html`), `report ID --diff`, `template --supersedes`.
@Suite struct RecordCommandsTests {
    /// A fresh database with one reviewed filing (id 1) whose COMP-9 finding is manual.
    func database() throws -> (conninfo: String, connection: PostgresConnection) {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        _ = try connection.query(
            """
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
            VALUES ('initial', '469005', '文昌商业航天产业集群', '2026-03-02', 1,
                    '{"cluster": {"leading_industry": "商业航天", "county_codes": ["469005"], "area_km2": 58}}', '\\x01', 'reviewed')
            """)
        _ = try connection.query(
            """
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, rulebook, rulebook_hash, as_of)
            VALUES (nextval('review_ids'), 1, '469005', 'decision', 'completed', 'needs_review', 1, now(), 'hainan-2023', repeat('ab', 32), '2026-03-02')
            """)
        _ = try connection.query(
            """
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            SELECT id, c, 1, '469005', 'fixture', '1', 'judgement', v, 50, '夹具', 'fixture', 'Art. 5'
            FROM reviews, (VALUES ('COMP-1', 'pass'), ('COMP-9', 'manual')) AS t(c, v)
            """)
        return (conninfo, connection)
    }

    func today(_ db: PostgresConnection, _ day: String) throws {
        try DatabaseClock.simulate(CivilDateText.day(day), reason: "test: a simulated calendar", on: db)
    }

    /// Runs `cluster-review ARGUMENTS` in process against `conninfo`; the status and its stdout.
    func cli(_ arguments: [String], _ conninfo: String? = nil) async -> (Int32, String) {
        let output = OutputLines()
        var environment: [String: String] = [:]
        if let conninfo { environment["DATABASE_URL"] = conninfo }
        let status = await ClusterReviewCLI.run(arguments, environment: environment, console: .capturing(output: output.write))
        return (status, output.all.joined(separator: "\n"))
    }

    /// Filing 1 confirmed, approved, objected to (dismissed) and recognized; returns its certificate number.
    func fullLife(_ conninfo: String, _ db: PostgresConnection) async throws -> String {
        #expect(await cli(["confirm", "1", "COMP-9", "accept", "--note", "豁免理由成立"], conninfo).0 == 0)
        try today(db, "2026-04-28")
        #expect(await cli(["decide", "1", "approve", "--note", "符合认定条件"], conninfo).0 == 0)
        try today(db, "2026-05-06")
        #expect(await cli(["object", "1", "--by", "某企业", "--reason", "产值数据存疑"], conninfo).0 == 0)
        let objection: Int64 = try db.queryRow("SELECT id FROM objections").decode("id")
        #expect(await cli(["publicity", "resolve", String(objection), "dismissed", "--note", "经核实数据无误"], conninfo).0 == 0)
        try today(db, "2026-05-11")
        #expect(await cli(["publicity", "close", "1"], conninfo).0 == 0)
        return try db.queryRow("SELECT certificate_no FROM clusters").decode("certificate_no")
    }

    @Test func statusShowsTheWholeRecordAfterAFullLife() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let certificate = try await fullLife(conninfo, db)
        let (status, text) = await cli(["status", "1", "--lang", "en"], conninfo)
        #expect(status == 0)
        for expected in ["Awaiting confirmation: none", "COMP-9 accepted", "豁免理由成立", "Decision: approved", "符合认定条件",
                         "Public notice: 2026-04-29 – 2026-05-08 · closed, recognized", "Objection: 某企业", "dismissed · 经核实数据无误",
                         "Certificate: \(certificate) · term 1 · 2026-05-11 – 2029-05-11"] {
            #expect(text.contains(expected), "\(expected) missing from:\n\(text)")
        }
        let (_, json) = await cli(["status", "1", "--json"], conninfo)
        let value = try JSONValue(parsing: Data(json.utf8))
        #expect(value["status"]?.string == "recognized")
        #expect(value["record"]?["certificate"]?["number"]?.string == certificate)
    }

    @Test func reportShowsTheWholeRecordInTheTerminalJSONAndHTML() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let certificate = try await fullLife(conninfo, db)
        let (status, text) = await cli(["report", "1", "--lang", "en"], conninfo)
        #expect(status == 0)
        for expected in ["The reviewers' record", "Awaiting confirmation: none", "Decision: approved", "Objection: 某企业",
                         "Certificate: \(certificate)"] {
            #expect(text.contains(expected), "\(expected) missing from:\n\(text)")
        }
        let (_, json) = await cli(["report", "1", "--json"], conninfo)
        let value = try JSONValue(parsing: Data(json.utf8))
        #expect(value["record"]?["certificate"]?["number"]?.string == certificate)
        #expect(value["record"]?["awaiting_confirmation"] == .array([]))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(await cli(["report", "1", "--html", file.path, "--lang", "en"], conninfo).0 == 0)
        let html = try String(contentsOf: file, encoding: .utf8)
        #expect(html.contains("data-certificate=\"\(certificate)\""))
        #expect(html.contains("data-decision=\"approve\""))
        #expect(!html.contains("class=\"pending-count\"") && !html.contains("cluster-review confirm"))
    }

    @Test func reportBeforeConfirmationListsOnlyWhatAwaitsIt() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let (_, text) = await cli(["report", "1", "--lang", "en"], conninfo)
        #expect(text.contains("Awaiting confirmation: COMP-9"), "\(text)")
        #expect(!text.contains("Decision:"))
    }

    @Test func reportDiffShowsWhatTheCorrectionChangedAndRefusesAFilingThatCorrectsNothing() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        try today(db, "2026-04-01")
        #expect(await cli(["decide", "1", "return", "--note", "面积有误"], conninfo).0 == 0)
        _ = try db.query(
            """
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status, supersedes)
            VALUES ('initial', '469005', '文昌商业航天产业集群', '2026-04-10', 1,
                    '{"supersedes": 1, "cluster": {"leading_industry": "商业航天", "county_codes": ["469005"], "area_km2": 60}}', '\\x02', 'submitted', 1)
            """)
        let (status, text) = await cli(["report", "2", "--diff", "--lang", "en"], conninfo)
        #expect(status == 0)
        #expect(text.contains("$.cluster.area_km2: 58 km² → 60 km²"), "\(text)")
        #expect(text.contains("Not both filings have a finished review"))
        let (shown, statusText) = await cli(["status", "1", "--lang", "en"], conninfo)
        #expect(shown == 0)
        #expect(statusText.contains("superseded by 2"), "\(statusText)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("diff-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(await cli(["report", "2", "--diff", "--html", file.path], conninfo).0 == 0)
        #expect(try String(contentsOf: file, encoding: .utf8).contains("data-path=\"$.cluster.area_km2\""))
        #expect(await cli(["report", "1", "--diff"], conninfo).0 == ExitCode.dataError)
    }

    @Test func templateWithSupersedesPrintsAValidCorrection() async throws {
        let (status, text) = await cli(["template", "initial", "--supersedes", "12"])
        #expect(status == 0)
        #expect(text.contains("\"supersedes\": 12"))
        #expect(FilingValidator.validate(Data(text.utf8)).isEmpty)
        #expect(await cli(["template", "initial", "--supersedes", "x"]).0 == ExitCode.usage)
    }
}
