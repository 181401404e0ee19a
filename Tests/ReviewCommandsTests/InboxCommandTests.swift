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

/// `inbox` against a real database as a county's login: its notifications in words, in one
/// language, marked read as shown; `--unread` filters.
@Suite(.serialized) struct InboxCommandTests {
    static let counter = Mutex(0)

    /// A fresh database with a county-469005 login and its filing reviewed (one notification).
    func database() throws -> (conninfo: String, filing: Int64) {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        let n = Self.counter.withLock { value -> Int in
            value += 1
            return value
        }
        let login = "ib\(getpid())_\(n)_county"
        try Logins.add(name: login, role: .county("469005"), on: connection)
        let sample = try #require(try SampleFilings.all().first { $0.file == "469005-wenchang-commercial-aerospace.json" }).data
        let filing = try TestDoor.file(sample, on: connection, checkingOn: connection)
        try connection.query("UPDATE filings SET status = 'reviewed' WHERE id = $1", filing)
        return (conninfo + " user=\(login)", filing)
    }

    func run(_ arguments: [String], _ conninfo: String) async -> (status: Int32, lines: [String]) {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        environment["PGUSER"] = nil
        let output = OutputLines()
        let status = await ClusterReviewCLI.run(arguments, environment: environment, console: .capturing(output: output.write))
        return (status, output.all)
    }

    @Test(arguments: Language.allCases)
    func inboxShowsTheNotificationsInOneLanguageAndMarksThemRead(_ language: Language) async throws {
        let (conninfo, filing) = try database()
        let first = await run(["inbox", "--unread", "--lang", language.rawValue], conninfo)
        #expect(first.status == 0, "\(first.lines)")
        #expect(first.lines.count == 2, "\(first.lines)")
        #expect(first.lines.first?.contains(language == .en ? "filing \(filing) has been reviewed" : "申报 \(filing) 已完成机审") == true)
        let words = OneLanguageCommandTests.foreign(first.lines.joined(separator: "\n"), language: language)
        #expect(words.isEmpty, "\(words)")

        let again = await run(["inbox", "--unread", "--lang", "en"], conninfo)
        #expect(again.lines == ["0 notifications, 0 unread (now marked read)"])
        let all = await run(["inbox", "--lang", "en"], conninfo)
        #expect(all.lines.count == 2 && all.lines.last == "1 notifications, 0 unread (now marked read)", "\(all.lines)")
    }

    @Test func inboxJSONNamesTheKindAndTheIds() async throws {
        let (conninfo, filing) = try database()
        let result = await run(["inbox", "--json", "--lang", "en"], conninfo)
        #expect(result.status == 0)
        let text = result.lines.joined(separator: "\n")
        #expect(text.contains("\"kind\" : \"reviewed\"") || text.contains("\"kind\":\"reviewed\""), "\(text)")
        #expect(text.contains("\"filing_id\" : \(filing)") || text.contains("\"filing_id\":\(filing)"), "\(text)")
        #expect(text.contains("\"was_unread\" : true") || text.contains("\"was_unread\":true"), "\(text)")
    }

    @Test func inboxRefusesAWrongLimitAsAUsageError() async throws {
        let (conninfo, _) = try database()
        #expect(await run(["inbox", "--limit", "0"], conninfo).status == 64)
    }
}
