import Foundation
import IndicatorKit
import Postgres
@testable import ReviewCommands
import ReviewCore
import TestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `users add --role expert`, `panel form|assign|show|conflict` and `score` against a real
/// database, and the panel's result in `report` and the HTML report.
@Suite(.serialized) struct PanelCommandsTests {
    static let counter = Mutex(0)

    /// A login name unique in this process (logins are cluster-wide).
    static func name(_ hint: String) -> String {
        let n = counter.withLock { value -> Int in
            value += 1
            return value
        }
        return "pc\(getpid())_\(n)_\(hint)"
    }

    /// A fresh database with filing 1 of county 469005, reviewed, its COMP-1 finding manual.
    func database() throws -> (conninfo: String, connection: PostgresConnection, filing: Int64) {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let sample = try #require(try SampleFilings.all().first { $0.file == "469005-wenchang-commercial-aerospace.json" }).data
        let filing = try TestDoor.file(sample, on: connection, checkingOn: connection)
        try connection.query("""
            WITH done AS (DELETE FROM review_queue WHERE filing_id = $1 RETURNING *)
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, rulebook, rulebook_hash, as_of)
            SELECT nextval('review_ids'), f.id, f.county_code, 'decision', 'completed', 'needs_review', 1, now(), 'hainan-2023',
                   repeat('0', 64), f.filed_on FROM filings f WHERE f.id = $1
            """, filing)
        try connection.query("""
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            SELECT r.id, 'COMP-1', r.filing_id, r.county_code, 'competitiveness', '1', 'judgement', 'manual', 50,
                   '需人工判断', 'a person must judge', 'Standard 1(1)' FROM reviews r WHERE r.filing_id = $1
            """, filing)
        try connection.query("UPDATE filings SET status = 'reviewed' WHERE id = $1", filing)
        return (conninfo, connection, filing)
    }

    func run(_ arguments: [String], _ conninfo: String, output: OutputLines? = nil) async -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        environment["PGUSER"] = nil
        guard let output else { return await ClusterReviewCLI.run(arguments, environment: environment) }
        return await ClusterReviewCLI.run(arguments, environment: environment, console: .capturing(output: output.write))
    }

    @Test func expertsAreAddedPanelledScoreAndTheReportShowsThePanelsResult() async throws {
        let (conninfo, db, filing) = try database()
        defer { db.close() }
        let experts = [Self.name("a"), Self.name("b"), Self.name("c")]
        for (expert, county) in zip(experts, ["469001", "469002", "460105"]) {
            #expect(await run(["users", "add", expert, "--role", "expert", "--fields", "商业航天,新材料", "--county", county], conninfo) == 0)
        }
        let local = Self.name("local")
        #expect(await run(["users", "add", local, "--role", "expert", "--fields", "商业航天", "--county", "469005"], conninfo) == 0)
        // The local expert is refused, naming why; nothing is formed.
        let refused = OutputLines()
        #expect(await run(["panel", "form", String(filing), "--expert", local, "--expert", experts[0], "--expert", experts[1]], conninfo) == 1)
        #expect(try db.queryRow("SELECT count(*)::int AS n FROM panels").decode("n", as: Int.self) == 0)
        _ = refused
        var form = ["panel", "form", String(filing)]
        for expert in experts { form += ["--expert", expert] }
        #expect(await run(form, conninfo) == 0)
        for (expert, score) in zip(experts, [90, 80, 55]) {
            let conninfo = conninfo + " user=\(expert)"
            #expect(await run(["score", String(filing), "COMP-1", String(score), score > 60 ? "agree" : "disagree", "--note", "说明"], conninfo) == 0)
            #expect(await run(["score", String(filing), "--submit"], conninfo) == 0)
        }
        let shown = OutputLines()
        #expect(await run(["panel", "show", String(filing), "--lang", "en"], conninfo, output: shown) == 0)
        #expect(shown.all.contains { $0.contains("result COMP-1: median 80") && $0.contains("to discuss") }, "\(shown.all)")
        let report = OutputLines()
        #expect(await run(["report", String(filing), "--lang", "en"], conninfo, output: report) == 0)
        #expect(report.all.contains { $0.contains("COMP-1  median 80  spread 35") }, "\(report.all)")
        let html = FileManager.default.temporaryDirectory.appendingPathComponent("panel-\(getpid())-\(filing).html")
        defer { try? FileManager.default.removeItem(at: html) }
        #expect(await run(["report", String(filing), "--html", html.path], conninfo) == 0)
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("专家组评审结果") && page.contains("<tr data-criterion=\"COMP-1\">") && page.contains("分差过大，需讨论"))
        #expect(!page.contains("The expert panel"), "one language per page")
        // Confirmed from the panel.
        #expect(await run(["confirm", String(filing), "COMP-1", "accept", "--note", "依专家组意见"], conninfo) == 0)
    }

    @Test func anExpertDeclaresAConflictAndAWrongCommandLineExits64() async throws {
        let (conninfo, db, filing) = try database()
        defer { db.close() }
        let expert = Self.name("d")
        #expect(await run(["users", "add", expert, "--role", "expert", "--fields", "新材料", "--county", "469001"], conninfo) == 0)
        #expect(await run(["users", "add", Self.name("x"), "--role", "expert"], conninfo) == 64)
        #expect(await run(["users", "add", Self.name("y"), "--role", "reviewer", "--county", "469001"], conninfo) == 64)
        let asExpert = conninfo + " user=\(expert)"
        #expect(await run(["panel", "conflict", "--filing", String(filing), "--note", "曾参与该集群规划编制"], asExpert) == 0)
        #expect(await run(["panel", "conflict", "--note", "x"], asExpert) == 64)
        #expect(await run(["score", String(filing), "COMP-1", "101", "agree", "--note", "x"], asExpert) == 64)
        #expect(await run(["score", String(filing), "COMP-1", "80", "agree", "--note", "x"], asExpert) == 77, "not on a panel")
        #expect(await run(["panel", "show", String(filing)], asExpert) == 65, "not theirs to see")
        let reviewer = Self.name("r")
        #expect(await run(["users", "add", reviewer, "--role", "reviewer"], conninfo) == 0)
        #expect(await run(["panel", "conflict", "--county", "469001", "--note", "x"], conninfo + " user=\(reviewer)") == 77, "experts only")
    }
}
