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

    @Test func aConnectionLostInAnInsertReportsTheCommittedLotsReceiptsAndTheRestAsNotSent() async throws {
        let (conninfo, connection, folder) = try Self.cutting(at: "f-120.json", when: "BEFORE INSERT ON submissions FOR EACH ROW")
        defer { connection.close(); try? FileManager.default.removeItem(atPath: folder) }
        let (status, outcomes, log) = try await Self.submitJSON(folder, conninfo: conninfo)
        #expect(status == 69, "\(log)")
        #expect(outcomes.count == 150)
        #expect(outcomes.prefix(100).allSatisfy { $0.status == "received" && $0.submission != nil }, "\(log)")
        #expect(outcomes.dropFirst(100).allSatisfy { $0.status == "not_sent" && $0.submission == nil }, "\(log)")
        let stored: [Int64] = try connection.query("SELECT id FROM submissions ORDER BY id").rows.map { try $0.decode("id") }
        #expect(stored == outcomes.prefix(100).compactMap(\.submission), "exactly the committed lot is on record, with the ids printed")
        #expect(log.contains("database unavailable"))
    }

    @Test func aConnectionLostWhileCommittingReportsThatLotAsUnconfirmed() async throws {
        // A deferred trigger runs at COMMIT: the loss comes after every statement of the lot ran.
        let (conninfo, connection, folder) = try Self.cutting(
            at: "f-120.json", when: "AFTER INSERT ON submissions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW", constraint: true)
        defer { connection.close(); try? FileManager.default.removeItem(atPath: folder) }
        let (status, outcomes, log) = try await Self.submitJSON(folder, conninfo: conninfo)
        #expect(status == 69, "\(log)")
        #expect(outcomes.prefix(100).allSatisfy { $0.status == "received" }, "\(log)")
        #expect(outcomes.dropFirst(100).map(\.status) == Array(repeating: "unconfirmed", count: 50), "\(log)")
        #expect(try connection.queryRow("SELECT count(*)::int AS n FROM submissions").decode("n", as: Int.self) == 100)
    }

    @Test func aConnectionLostWhileALotIsSentOneByOneKeepsEveryReceiptBeforeIt() async throws {
        // f-050 is refused, so the first lot is sent again one document at a time; the connection
        // is lost in f-070's own transaction.
        let (conninfo, connection, folder) = try Self.cutting(
            at: "f-070.json", refusing: "f-050.json", when: "BEFORE INSERT ON submissions FOR EACH ROW")
        defer { connection.close(); try? FileManager.default.removeItem(atPath: folder) }
        let (status, outcomes, log) = try await Self.submitJSON(folder, conninfo: conninfo)
        #expect(status == 69, "\(log)")
        #expect(outcomes.count == 150)
        let expected = (1...150).map { n in n < 50 || (51..<70).contains(n) ? "received" : n == 50 ? "refused" : "not_sent" }
        #expect(outcomes.map(\.status) == expected, "\(log)")
        let stored: [Int64] = try connection.query("SELECT id FROM submissions ORDER BY id").rows.map { try $0.decode("id") }
        #expect(stored == outcomes.compactMap(\.submission), "every document received is on record with the id printed, and no other")
    }

    struct SubmitOutcome: Decodable { var file: String; var status: String; var submission: Int64? }

    /// A fresh database whose server ends the submitter's own connection when the file named `cut`
    /// arrives (at `timing`) and refuses the one named `refused` with a check violation, and a
    /// folder of 150 copies of a sample, f-001.json to f-150.json.
    static func cutting(
        at cut: String, refusing refused: String = "", when timing: String, constraint: Bool = false
    ) throws -> (String, PostgresConnection, String) {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        // The names are the test's own constants, never input: written into the function's text.
        try connection.executeScript("""
            CREATE FUNCTION test_cut() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.client_reference = '\(refused)' THEN RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'refused by the test'; END IF;
                IF NEW.client_reference = '\(cut)' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
                RETURN NEW;
            END $$;
            CREATE \(constraint ? "CONSTRAINT " : "")TRIGGER test_cut \(timing) EXECUTE FUNCTION test_cut();
            """)
        let folder = NSTemporaryDirectory() + "cut-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let sample = try Data(contentsOf: TestCluster.installation.configDirectory
            .appendingPathComponent("samples/469005-wenchang-commercial-aerospace.json"))
        for n in 1...150 { try sample.write(to: URL(fileURLWithPath: folder + String(format: "/f-%03d.json", n))) }
        return (conninfo, connection, folder)
    }

    static func submitJSON(_ folder: String, conninfo: String) async throws -> (Int32?, [SubmitOutcome], String) {
        let submit = try CLIProcess(["submit", "--json", "--no-wait", "--lang", "en", folder], conninfo: conninfo)
        let status = await submit.wait(timeout: .seconds(120))
        return (status, try JSONDecoder().decode([SubmitOutcome].self, from: Data(submit.output.utf8)), submit.log)
    }
}
