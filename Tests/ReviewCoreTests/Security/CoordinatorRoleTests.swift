import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import JSONCore

#if canImport(Glibc)
    import Glibc
#endif

extension SecurityTests {
    /// The coordinator logged in as a person holding only cr_coordinator: it does its whole job (claim,
    /// context, findings, aggregates, statuses, heartbeats, NOTIFY), a module that answers out of
    /// bounds gets error findings, and a module process never holds the database's credentials.
    @Suite(.serialized) struct CoordinatorRoleTests {
        /// Files two filings of each of two counties, each as its own county's login; returns their ids.
        func fileAsCounties(_ database: SecureDatabase) throws -> [Int64] {
            var ids: [Int64] = []
            for county in [SecureDatabase.countyA, SecureDatabase.countyB] {
                let connection = try database.connect(as: .county(county))
                defer { connection.close() }
                for index in 1...2 {
                    ids.append(try database.file(county: county, suffix: "#\(index)", on: connection))
                }
            }
            return ids
        }

        @Test func theCoordinatorReviewsEveryFilingAsALoginHoldingOnlyTheCoordinatorRole() async throws {
            let database = try SecureDatabase()
            let ids = try fileAsCounties(database)
            let coordinator = try database.login(.coordinator, hint: "coord")
            let modules = try CoordinatorFixtures.modulesFile()
            let serve = try CLIProcess(
                ["serve", "--until-idle", "--name", "as-login", "--poll", "0.2", "--lease", "2", "--modules", modules],
                conninfo: coordinator.conninfo)
            #expect(await serve.wait(timeout: .seconds(180)) == 0, "\(serve.log.suffix(3000))")
            #expect(!serve.log.contains("permission denied"), "\(serve.log.suffix(3000))")

            let perFiling = try CoordinatorFixtures.reviewsPerFiling(ids, on: database.superuser)
            #expect(perFiling.count == ids.count && perFiling.values.allSatisfy { $0 == 1 }, "\(perFiling)")
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue", on: database.superuser) == 0)
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM filings WHERE status <> 'reviewed'", on: database.superuser) == 0)
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM reviews WHERE outcome = 'completed' AND coordinator = 'as-login' AND aggregate IS NOT NULL",
                on: database.superuser) == ids.count)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM findings WHERE verdict = 'error'", on: database.superuser) == 0)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM findings", on: database.superuser) >= 40 * ids.count)
        }

        @Test func theCoordinatorRunsTheDailySweepAsALoginHoldingOnlyTheCoordinatorRole() async throws {
            let database = try SecureDatabase()
            let coordinator = try database.login(.coordinator, hint: "sweeper")
            let modules = try CoordinatorFixtures.modulesFile()
            // Not --until-idle: serve runs the latest daily slot due at start, then waits for the next.
            let serve = try CLIProcess(["serve", "--name", "sweeper", "--poll", "0.2", "--modules", modules], conninfo: coordinator.conninfo)
            let deadline = ContinuousClock.now + .seconds(180)
            var slot: String?
            while slot == nil, ContinuousClock.now < deadline, serve.log.isEmpty || !serve.log.contains("sweep_failed") {
                slot = try database.superuser.query("SELECT slot FROM sweeps WHERE last_run_by = $1", coordinator.name).rows.first
                    .map { try $0.decode("slot") }
                if slot == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            serve.send(SIGTERM)
            #expect(await serve.wait(timeout: .seconds(120)) == 0, "\(serve.log.suffix(3000))")
            #expect(slot?.hasPrefix("daily:") == true, "no daily sweep recorded: \(serve.log.suffix(3000))")
            #expect(serve.log.contains("sweep_ran"), "\(serve.log.suffix(3000))")
            #expect(!serve.log.contains("sweep_failed") && !serve.log.contains("permission denied"), "\(serve.log.suffix(3000))")
        }

        @Test(arguments: ["bad-criterion", "bad-score"])
        func aModuleAnsweringOutOfBoundsGetsErrorFindingsAndNothingElseOfItIsKept(mode: String) async throws {
            let database = try SecureDatabase()
            let ids = try fileAsCounties(database)
            let coordinator = try database.login(.coordinator, hint: "coord")
            let modules = try CoordinatorFixtures.modulesFile(fixtureMode: mode, fixtureWorkers: 1)
            let serve = try CLIProcess(["serve", "--until-idle", "--poll", "0.2", "--modules", modules], conninfo: coordinator.conninfo)
            #expect(await serve.wait(timeout: .seconds(180)) == 0, "\(serve.log.suffix(3000))")
            for id in ids {
                let review: Int64 = try database.superuser.queryRow(
                    "SELECT id FROM reviews WHERE filing_id = $1 AND outcome = 'completed'", id).decode("id")
                // Every criterion the fixture declared is an error finding; its bad answer left no trace.
                #expect(try CoordinatorFixtures.count(
                    "SELECT count(*) FROM findings WHERE review_id = $1 AND module = 'fixture' AND verdict = 'error'", [review],
                    on: database.superuser) == 8)
                #expect(try CoordinatorFixtures.count(
                    "SELECT count(*) FROM findings WHERE review_id = $1 AND (criterion = 'NOPE-1' OR (module = 'fixture' AND verdict <> 'error'))",
                    [review], on: database.superuser) == 0)
                let lastError: String? = try database.superuser.queryRow("SELECT last_error FROM reviews WHERE id = $1", review)
                    .decode("last_error")
                #expect(lastError?.contains(mode == "bad-criterion" ? "did not declare" : "outside 0...100") == true, "\(lastError ?? "nil")")
            }
        }

        @Test func aModuleProcessHoldsNoDatabaseCredentialsInItsEnvironmentOrDescriptors() async throws {
            let database = try SecureDatabase()
            let ids = try fileAsCounties(database)
            let coordinator = try database.login(.coordinator, hint: "coord")
            let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "inspect", fixtureWorkers: 1)
            let sentinel = "pw-\(UUID().uuidString)"
            let serve = try CLIProcess(
                ["serve", "--until-idle", "--poll", "0.2", "--modules", modules], conninfo: coordinator.conninfo + " password=\(sentinel)",
                environment: ["PGPASSWORD": sentinel, "PGUSER": coordinator.name, "PGHOST": "/nonexistent"])
            #expect(await serve.wait(timeout: .seconds(180)) == 0, "\(serve.log.suffix(3000))")
            let observed: JSONB = try database.superuser.queryRow("""
                SELECT observed FROM findings WHERE filing_id = $1 AND module = 'fixture' AND criterion = 'FIX-1'
                """, ids[0]).decode("observed")
            let inspection = try observed.decode(JSONValue.self)
            guard case .array(let environment)? = inspection["environment"], case .array(let descriptors)? = inspection["fds"] else {
                Issue.record("the inspect fixture reported no environment or descriptors: \(inspection)")
                return
            }
            let variables = environment.compactMap(\.string)
            #expect(variables.allSatisfy { !$0.hasPrefix("PG") && !$0.hasPrefix("DATABASE_URL") }, "\(variables)")
            #expect(variables.allSatisfy { !$0.contains(sentinel) && !$0.contains(coordinator.name) }, "\(variables)")
            let fds = descriptors.compactMap(\.string)
            // Only pipes (stdin, stdout, stderr, the SDK's private protocol channel) and the directory it
            // was listing: no socket to the server, no file of the coordinator's.
            #expect(fds.allSatisfy { !$0.contains("socket:") && !$0.contains(".s.PGSQL") }, "\(fds)")
            #expect(fds.allSatisfy { $0.contains("pipe:") || $0.hasSuffix("?") || $0.contains("/proc/") }, "\(fds)")
        }
    }
}
