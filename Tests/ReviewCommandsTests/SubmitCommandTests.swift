import Foundation
import Postgres
import TestSupport
import Testing

/// `cluster-review submit` against a real database.
@Suite struct SubmitCommandTests {
    @Test func aBadFileIsReportedAndTheOthersAreStillFiled() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let intake = try BackgroundIntake(conninfo: conninfo)
        defer { intake.stop() }
        let broken = NSTemporaryDirectory() + "broken-\(UUID().uuidString).json"
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: broken))
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let sample = try TestCluster.installation.configDirectory
            .appendingPathComponent("samples/469005-wenchang-commercial-aerospace.json").path
        let submit = try CLIProcess(["submit", "--json", broken, sample], conninfo: conninfo)
        #expect(await submit.wait(timeout: .seconds(60)) == 1)
        struct Outcome: Decodable { var status: String }
        let outcomes = try JSONDecoder().decode([Outcome].self, from: Data(submit.output.utf8))
        #expect(outcomes.map(\.status) == ["invalid", "filed"], "\(submit.log)")
        let connection = try PostgresConnection(conninfo)
        #expect(try connection.queryRow("SELECT count(*) AS n FROM filings").decode("n", as: Int.self) == 1)
        #expect(try connection.queryRow("SELECT count(*) AS n FROM review_queue").decode("n", as: Int.self) == 1)
    }
}
