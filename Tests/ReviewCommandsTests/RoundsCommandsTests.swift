import Foundation
import IndicatorKit
import Postgres
@testable import ReviewCommands
import ReviewCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `rounds open|close|list|show` against a real database: exit codes, what they print and change.
@Suite struct RoundsCommandsTests {
    /// A fresh database whose clock reads 2026-03-16.
    func database() throws -> (conninfo: String, connection: PostgresConnection) {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        try DatabaseClock.simulate(CivilDate("2026-03-16")!, reason: "test: a simulated calendar", on: connection)
        return (conninfo, connection)
    }

    func run(_ arguments: [String], _ conninfo: String, output: OutputLines? = nil) async -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = conninfo
        guard let output else { return await ClusterReviewCLI.run(arguments, environment: environment) }
        return await ClusterReviewCLI.run(arguments, environment: environment, console: .capturing(output: output.write))
    }

    static let openFirst = ["rounds", "open", "--name", "2026年第一批", "--kind", "initial", "--opens", "2026-03-01", "--closes", "2026-03-31",
                            "--quota-per-county", "2", "--quota-total", "30", "--rulebook", "hainan-2023"]

    @Test func anAdministratorOpensListsShowsAndClosesARound() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(Self.openFirst, conninfo) == 0)
        let listed = OutputLines()
        #expect(await run(["rounds", "list", "--json"], conninfo, output: listed) == 0)
        let rounds = try JSONSerialization.jsonObject(with: Data(listed.all.joined(separator: "\n").utf8)) as? [[String: Any]]
        #expect(rounds?.first?["name"] as? String == "2026年第一批")
        #expect(rounds?.first?["quota_per_county"] as? Int == 2)
        let shown = OutputLines()
        #expect(await run(["rounds", "show", "2026年第一批", "--lang", "en"], conninfo, output: shown) == 0)
        #expect(shown.all.first?.contains("[open]") == true, "\(shown.all)")
        #expect(shown.all.contains("rulebook hainan-2023, as of each filing's date"))
        #expect(await run(["rounds", "close", "2026年第一批"], conninfo) == 0)
        #expect(try db.queryRow("SELECT closed_on::text AS d FROM rounds").decode("d", as: String.self) == "2026-03-16")
        #expect(await run(["rounds", "close", "2026年第一批"], conninfo) == 1)
    }

    @Test func aRoundThatDoesNotExistExits65() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["rounds", "show", "999"], conninfo) == 65)
        #expect(await run(["rounds", "close", "没有的批次"], conninfo) == 65)
    }

    @Test func aRulebookTheConfigurationDoesNotHoldExits65AndOpensNothing() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        var arguments = Self.openFirst
        arguments[arguments.count - 1] = "no-such-rulebook"
        #expect(await run(arguments, conninfo) == 65)
        #expect(try db.queryRow("SELECT count(*)::int AS n FROM rounds").decode("n", as: Int.self) == 0)
    }

    @Test func aWrongCommandLineExits64() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(["rounds", "open", "--name", "x", "--opens", "2026-03-01", "--closes", "2026-03-31"], conninfo) == 64)
        #expect(await run(["rounds", "open", "--name", "x", "--kind", "other", "--opens", "2026-03-01", "--closes", "2026-03-31"], conninfo) == 64)
        #expect(await run(["rounds", "open", "--name", "x", "--kind", "initial", "--opens", "3/1", "--closes", "2026-03-31"], conninfo) == 64)
        var zeroQuota = Self.openFirst
        zeroQuota[zeroQuota.firstIndex(of: "--quota-total")! + 1] = "0"
        #expect(await run(zeroQuota, conninfo) == 64)
    }

    @Test func anOverlappingRoundExits1NamingTheOther() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(Self.openFirst, conninfo) == 0)
        #expect(await run(["rounds", "open", "--name", "重叠", "--kind", "initial", "--opens", "2026-03-20", "--closes", "2026-04-30"], conninfo) == 1)
    }

    @Test func aCountyReadsTheRoundsButMayNotOpenOne() async throws {
        let (conninfo, db) = try database()
        defer { db.close() }
        #expect(await run(Self.openFirst, conninfo) == 0)
        let name = "rc\(getpid())_county"
        try Logins.add(name: name, role: .county("469005"), on: db)
        #expect(await run(["rounds", "list"], conninfo + " user=\(name)") == 0)
        #expect(await run(["rounds", "show", "2026年第一批"], conninfo + " user=\(name)") == 0)
        var second = Self.openFirst
        second[3] = "2026年第二批"
        #expect(await run(second, conninfo + " user=\(name)") == 77)
    }
}
