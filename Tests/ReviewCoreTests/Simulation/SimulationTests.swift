import Foundation
import IndicatorKit
import JSONCore
import Postgres
import Reports
import ReviewCore
import Rulebooks
import TestSupport
import Testing

/// The sample filings on record, each reviewed (a completed decision review as of its filing
/// date), and logins to simulate as.
struct SimulationProvince {
    let conninfo: String
    let connection: PostgresConnection
    /// Each filing's id with its county and the smallest of its three years' output (万元), read
    /// from the stored payloads here, independently of the modules.
    let filings: [(id: Int64, county: String, minimumOutput: Decimal)]

    init() throws {
        conninfo = try TestCluster.makeDatabase()
        connection = try PostgresConnection(conninfo)
        let initial = try SampleFilings.all().filter { (try? JSONValue(parsing: $0.data))?["kind"]?.string == "initial" }.count
        _ = try SampleFilings.submitVariants(initial, on: connection)
        try connection.query("""
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, as_of)
            SELECT nextval('review_ids'), f.id, f.county_code, 'decision', 'completed', 'needs_review', 1, now(), f.filed_on FROM filings f
            """)
        filings = try connection.query("SELECT id, county_code, payload::text AS payload FROM filings ORDER BY id").rows.map { row in
            let payload = try JSONValue(parsing: Data((try row.decode("payload", as: String.self)).utf8))
            guard case .array(let figures)? = payload["figures"] else { throw SimulationTestError.noFigures }
            let outputs = figures.compactMap { $0["total_output_wan"]?.decimal }
            return (try row.decode("id"), try row.decode("county_code"), outputs.min()!)
        }
    }

    func login(_ role: RoleSpec) throws -> PostgresConnection {
        let name = "sim\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try Logins.add(name: name, role: role, on: connection)
        return try PostgresConnection(conninfo + " user=\(name)")
    }

    func simulate(_ assignments: [String], over scope: SimulationRecords.Scope = .filings, as reader: PostgresConnection) async throws -> SimulationResult {
        let draft = try DraftRulebook(base: try SimulationTests.library.rulebook(named: nil), assignments: assignments)
        return try await Simulation.run(draft, over: scope, modules: try await BuiltInModules.modules(), on: reader)
    }

    /// Every table of the database, checksummed row by row (as the owner, past row security).
    func checksums() throws -> [String: String] {
        var sums: [String: String] = [:]
        let tables: [String] = try connection.query("""
            SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
            WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """).rows.map { try $0.decode("name") }
        for table in tables {
            sums[table] = try connection.queryRow(
                "SELECT coalesce(md5(string_agg(t::text, '' ORDER BY t::text)), '') AS sum FROM \(table) t").decode("sum")
        }
        return sums
    }
}

enum SimulationTestError: Error { case noFigures }

@Suite(.serialized) struct SimulationTests {
    static let library = try! RulebookLibrary.load(contentsOf: TestCluster.installation.configDirectory.appendingPathComponent("parameters.json"))

    /// The filings whose COMP-6 verdict moves when the bound goes from 20亿元 to `bound`, computed
    /// from the figures themselves: `>=` each year, so the smallest year decides.
    static func expectedFlips(_ province: SimulationProvince, bound: Decimal) -> Set<Int64> {
        Set(province.filings.filter { ($0.minimumOutput >= 200_000) != ($0.minimumOutput >= bound) }.map(\.id))
    }

    static func comp6Flips(_ result: SimulationResult) -> Set<Int64> {
        Set(result.filings.filter { $0.findings.contains { $0.criterion == "COMP-6" && $0.before != $0.after } }.map(\.filingId))
    }

    @Test(arguments: ["50000", "50000.000001", "225000", "225000.000001", "200000"])
    func movingTheOutputBoundFlipsExactlyTheFilingsBetweenTheBounds(_ bound: String) async throws {
        let province = try SimulationProvince()
        let reviewer = try province.login(.reviewer)
        let result = try await province.simulate(["min_annual_output_wan=\(bound)"], as: reviewer)
        let value = Decimal(string: bound, locale: Locale(identifier: "en_US_POSIX"))!
        #expect(result.simulated == province.filings.count && result.skipped.isEmpty, "\(result.skipped)")
        #expect(Self.comp6Flips(result) == Self.expectedFlips(province, bound: value))
        // Only COMP-6 reads the parameter: no other criterion moves.
        #expect(result.filings.allSatisfy { $0.findings.allSatisfy { $0.criterion == "COMP-6" } })
    }

    @Test func aBoundAtASamplesOutputKeepsItPassingAndOneCentAboveFailsIt() async throws {
        let province = try SimulationProvince()
        let reviewer = try province.login(.reviewer)
        // 绿茶 (白沙, 469025): its smallest year is 225000 万元 exactly.
        let atBound = Set(province.filings.filter { $0.minimumOutput == 225_000 }.map(\.id))
        #expect(!atBound.isEmpty)
        let at = try await province.simulate(["min_annual_output_wan=225000"], as: reviewer)
        let above = try await province.simulate(["min_annual_output_wan=225000.000001"], as: reviewer)
        #expect(Self.comp6Flips(at).isDisjoint(with: atBound))
        #expect(Self.comp6Flips(above).subtracting(Self.comp6Flips(at)) == atBound)
        for filing in above.filings where atBound.contains(filing.filingId) {
            let comp6 = filing.findings.first { $0.criterion == "COMP-6" }
            #expect(comp6?.before == .pass && comp6?.after == .fail)
        }
    }

    @Test func loweringTheBoundToASamplesOutputMakesItPassAndCountsTheRecommendations() async throws {
        let province = try SimulationProvince()
        let reviewer = try province.login(.reviewer)
        let result = try await province.simulate(["min_annual_output_wan=5亿"], as: reviewer)
        // 5亿元 = 50000 万元: 西沙远洋渔业 (50000 at least each year) now passes COMP-6.
        let flipped = Self.comp6Flips(result)
        #expect(flipped == Self.expectedFlips(province, bound: 50_000) && !flipped.isEmpty)
        #expect(result.criteria.first { $0.criterion == "COMP-6" }?.nowPass == flipped.count)
        let moved = result.filings.filter(\.recommendationChanges).count
        #expect(result.recommendations.values.reduce(0, +) == moved)
        #expect(result.byCounty.reduce(0) { $0 + $1.simulated } == province.filings.count)
        #expect(result.byIndustry.reduce(0) { $0 + $1.changed } == result.filings.count)
        #expect(result.sentence(.en).contains("more filing") && result.sentence(.zh).contains("COMP-6 多") && result.sentence(.zh).hasPrefix("若将 COMP-6 的参数 "))
    }

    @Test func everyTableIsByteIdenticalAfterASimulation() async throws {
        let province = try SimulationProvince()
        let reviewer = try province.login(.reviewer)
        let before = try province.checksums()
        #expect(before.count > 20)
        _ = try await province.simulate(["min_annual_output_wan=15亿", "min_sme_output_share=55%"], as: reviewer)
        _ = try await province.simulate(["min_quality_smes=4"], over: .register, as: reviewer)
        #expect(try province.checksums() == before)
    }

    @Test func theSimulationRunsOnAConnectionThatCannotWrite() async throws {
        let province = try SimulationProvince()
        let writable = try await province.simulate(["min_annual_output_wan=15亿"], as: try province.login(.reviewer))
        let reader = try province.login(.auditor)
        try reader.executeScript("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        let readOnly = try await province.simulate(["min_annual_output_wan=15亿"], as: reader)
        #expect(readOnly.filings == writable.filings && readOnly.simulated == writable.simulated)
    }

    @Test func aCountySimulatesItsOwnCountysFilingsOnly() async throws {
        let province = try SimulationProvince()
        let county = "469025"
        let own = province.filings.filter { $0.county == county }
        #expect(!own.isEmpty)
        let result = try await province.simulate(["min_annual_output_wan=225000.000001"], as: try province.login(.county(county)))
        #expect(result.simulated == own.count)
        #expect(result.filings.allSatisfy { $0.countyCode == county } && result.byCounty.map(\.key) == [county])
    }

    @Test func aRoundThatDoesNotExistIsRefused() async throws {
        let province = try SimulationProvince()
        await #expect(throws: SimulationRecords.ScopeError.noSuchRound("no-such-round")) {
            try await province.simulate(["min_quality_smes=4"], over: .round("no-such-round"), as: try province.login(.reviewer))
        }
    }
}
