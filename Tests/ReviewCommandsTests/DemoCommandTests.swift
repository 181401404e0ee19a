import Foundation
import Postgres
import TestSupport
import Testing

/// The README's main command, end to end, on a throwaway database of its own.
@Suite struct DemoCommandTests {
    @Test func theDemoRunsEndToEndAndEverySampleGetsItsExpectedRecommendation() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let reports = NSTemporaryDirectory() + "cr-demo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let demo = try CLIProcess(["demo", "--reports", reports, "--lang", "en"], conninfo: conninfo, environment: ["NO_COLOR": "1"])
        let status = await demo.wait(timeout: .seconds(240))
        let log = demo.log
        #expect(status == 0, "\(log.suffix(3000))")
        let chinese = OneLanguageCommandTests.foreign(log, language: .en)
        #expect(chinese.isEmpty, "the English demo prints Chinese: \(Array(Set(chinese)).sorted())")
        #expect(log.contains("every sample got the recommendation it expects (30/30)"), "\(log.suffix(3000))")
        #expect(log.contains("recognized HN-"), "three filings are taken to recognition")
        #expect(log.contains("the same sweep again: 0 new"))
        let files = try FileManager.default.contentsOfDirectory(atPath: reports)
        #expect(files.contains("index.html"))
        #expect(files.filter { $0.hasSuffix(".html") }.count == 31)
    }
}

/// The demo's annual and change reports are for register entries (issue 15, item 9): each linked to
/// its entry, the change accepted, and the register holds what the filings state.
@Suite struct DemoReportsTests {
    @Test func theDemosReportsAreLinkedItsChangeAcceptedAndItsRegisterHoldsNoTemplateText() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let reports = NSTemporaryDirectory() + "cr-demo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let demo = try CLIProcess(["demo", "--reports", reports], conninfo: conninfo, environment: ["NO_COLOR": "1"])
        let status = await demo.wait(timeout: .seconds(240))
        #expect(status == 0, "\(demo.log.suffix(3000))")
        #expect(demo.log.contains("已核准"), "\(demo.log.suffix(3000))")
        let english = OneLanguageCommandTests.foreign(demo.log, language: .zh)
        #expect(english.isEmpty, "the Chinese demo prints English: \(Array(Set(english)).sorted())")
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        let unlinked: Int = try connection.queryRow(
            "SELECT count(*)::int AS n FROM filings WHERE kind IN ('annual_report', 'change_report') AND cluster_id IS NULL").decode("n")
        #expect(unlinked == 0, "every report is linked to its register entry")
        let recorded: Int = try connection.queryRow("""
            SELECT (SELECT count(*) FROM annual_reports)::int + (SELECT count(*) FROM change_reports WHERE state = 'accepted')::int AS n
            """).decode("n")
        #expect(recorded == 2, "the annual report recorded, the change report accepted")
        let template: Int = try connection.queryRow("""
            SELECT count(*)::int AS n FROM clusters
            WHERE spatial_extent LIKE '%\\(%' OR management_body LIKE '%\\(%' OR leading_industry LIKE '%\\(%'
            """).decode("n")
        #expect(template == 0, "no interpolation text in the register")
    }

    @Test func theDemosAnnualReportIsMonitoredOnTheRollingThreeYearsAndPutsCriteriaOnTheWatchlist() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let reports = NSTemporaryDirectory() + "cr-demo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let demo = try CLIProcess(["demo", "--reports", reports, "--lang", "en"], conninfo: conninfo, environment: ["NO_COLOR": "1"])
        #expect(await demo.wait(timeout: .seconds(240)) == 0, "\(demo.log.suffix(3000))")
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        let watched = try connection.query("SELECT criterion, standing FROM cluster_watchlist ORDER BY criterion").rows.map {
            "\(try $0.decode("criterion", as: String.self)) \(try $0.decode("standing", as: String.self))"
        }
        #expect(watched.contains("COMP-9 only_just"), "\(watched)")
        #expect(demo.log.contains("watch 2025 COMP-9 only just passes (margin 0.8% of the bound): "), "\(demo.log.suffix(3000))")
        // In words and units, not raw figures (issue 20): the finding's own reading of the growth.
        #expect(!demo.log.contains("560000 > 555660"), "\(demo.log.suffix(3000))")
        let errors: Int = try connection.queryRow("""
            SELECT count(*)::int AS n FROM findings fi JOIN filings f ON f.id = fi.filing_id
            WHERE f.kind = 'annual_report' AND fi.verdict = 'error'
            """).decode("n")
        #expect(errors == 0, "the three years are complete: the register gives the two before the report's")
    }
}
