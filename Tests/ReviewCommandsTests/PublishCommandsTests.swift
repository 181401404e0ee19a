import Foundation
import IndicatorKit
import JSONCore
import Postgres
@testable import ReviewCommands
import ReviewCore
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `publish notice|list|certificates ROUND --out DIR` against a real database: the files written,
/// the exit codes (0, 1 no such round, 64 a wrong command line, 73 an output that cannot be written).
@Suite struct PublishCommandsTests {
    /// A database with round `2026年第一批` and one of its filings recognized (文昌), as the
    /// superuser walks it: filed through the door, reviewed (recommended), approved, notice closed.
    func database() throws -> (conninfo: String, connection: PostgresConnection) {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        try DatabaseClock.simulate(CivilDate("2026-03-25")!, reason: "test: a simulated calendar", on: connection)
        let lifecycle = Lifecycle(connection)
        try lifecycle.install(configDirectory: try TestCluster.installation.configDirectory)
        try connection.query("SELECT open_round('2026年第一批', ARRAY['initial'], '2026-03-01', '2026-03-31')")
        let sample = try #require(try SampleFilings.all().first {
            $0.file.hasPrefix("469005") && (try? JSONValue(parsing: $0.data))?["kind"]?.string == "initial"
        })
        let filing = try TestDoor.file(sample.data, on: connection, checkingOn: connection)
        try connection.query("""
            WITH done AS (DELETE FROM review_queue WHERE filing_id = $1 RETURNING *)
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
            SELECT f.id * 1000, f.id, f.county_code, 'decision', 'completed', 'recommended', 1, now() FROM filings f WHERE f.id = $1
            """, [filing])
        try connection.query("UPDATE filings SET status = 'reviewed' WHERE id = $1", [filing])
        try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try DatabaseClock.simulate(notice.endsOn.adding(days: 1), reason: "test: the notice ended", on: connection)
        _ = try #require(try lifecycle.closePublicity(filing: filing))
        return (conninfo, connection)
    }

    func run(_ arguments: [String], _ conninfo: String) async -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        return await ClusterReviewCLI.run(arguments, environment: environment, console: .capturing(output: { _ in }))
    }

    func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("publish-\(UUID().uuidString)").path
    }

    @Test func theThreeCommandsWriteTheirFilesIntoOneFolderAndExit0() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let out = folder()
        #expect(await run(["publish", "notice", "2026年第一批", "--out", out], conninfo) == 0)
        #expect(await run(["publish", "list", "2026年第一批", "--out", out], conninfo) == 0)
        #expect(await run(["publish", "certificates", "2026年第一批", "--out", out], conninfo) == 0)
        let number: String = try db.queryRow("SELECT certificate_no FROM clusters").decode("certificate_no")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        #expect(names == ["notice.html", "notice.csv", "list.html", "list.csv", "certificates.html", "certificate-\(number).html"])
        let list = try XMLDocument(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("list.html"), options: [])
        #expect(try list.nodes(forXPath: "//tr[@data-certificate='\(number)']").count == 1)
        let csv = try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("list.csv"))
        #expect(csv.prefix(3) == Data([0xEF, 0xBB, 0xBF]))
        #expect(String(decoding: csv, as: UTF8.self).contains(number))
    }

    @Test func publishingAgainReplacesItsOwnFilesAndLeavesOthersAlone() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let out = folder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("other.txt"))
        try Data("old".utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("list.csv"))
        #expect(await run(["publish", "list", "2026年第一批", "--out", out, "--lang", "en"], conninfo) == 0)
        #expect(try String(contentsOfFile: out + "/other.txt", encoding: .utf8) == "keep")
        let csv = try String(contentsOfFile: out + "/list.csv", encoding: .utf8)
        #expect(csv.contains("Certificate number"), "replaced, in English")
    }

    @Test func aRoundThatDoesNotExistExits1AndWritesNothing() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let out = folder()
        #expect(await run(["publish", "list", "2099年第九批", "--out", out], conninfo) == 1)
        #expect(await run(["publish", "notice", "999", "--out", out], conninfo) == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aWrongCommandLineExits64() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["publish", "list", "2026年第一批"], conninfo) == 64, "no --out")
        #expect(await run(["publish", "list", "--out", folder()], conninfo) == 64, "no round")
        #expect(await run(["publish", "certificates", "1", "2", "--out", folder()], conninfo) == 64, "two rounds")
        #expect(await run(["publish", "list", "1", "--out", folder(), "--force"], conninfo) == 64, "an unknown option")
    }

    @Test func anOutputThatIsAFileExits73() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        let file = folder()
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(await run(["publish", "list", "2026年第一批", "--out", file], conninfo) == 73)
    }
}
