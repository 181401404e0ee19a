import Foundation
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing
import EmbeddedPostgres

#if canImport(Glibc)
    import Glibc
#endif

/// The coordinator against a real database, real module processes and real signals.
@Suite(.serialized) struct CoordinatorTests {
    @Test func twoCoordinatorsReviewEveryFilingExactlyOnceWithCompleteFindings() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(200, on: connection)
        #expect(ids.count == 200)
        let modules = try CoordinatorFixtures.modulesFile()
        let first = try CLIProcess(["serve", "--until-idle", "--name", "first", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        let second = try CLIProcess(["serve", "--until-idle", "--name", "second", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        #expect(await first.wait(timeout: .seconds(180)) == 0, "\(first.log.suffix(2000))")
        #expect(await second.wait(timeout: .seconds(180)) == 0, "\(second.log.suffix(2000))")

        let perFiling = try CoordinatorFixtures.reviewsPerFiling(ids, on: connection)
        #expect(perFiling.values.allSatisfy { $0 == 1 }, "every filing reviewed exactly once")
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue", on: connection) == 0)
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM reviews WHERE outcome <> 'completed'", on: connection) == 0)
        // Every initial filing gets a finding for each criterion of the nine modules that apply.
        let counts = try connection.query("""
            SELECT count(*) AS n FROM findings f JOIN reviews r ON r.id = f.review_id GROUP BY r.id
            """).rows.map { try $0.decode("n", as: Int.self) }
        #expect(Set(counts).count == 1, "the same number of findings for every initial filing: \(Set(counts))")
        #expect((counts.first ?? 0) >= 40)
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM findings WHERE verdict = 'error'", on: connection) == 0)
    }

    @Test func aKilledCoordinatorsReviewsAreReclaimedAndCompletedOnce() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(30, on: connection)
        // A gated fixture module keeps reviews in flight until the coordinator has been killed
        // mid-batch, however long it takes a busy machine to see them running.
        let gate = CoordinatorFixtures.Gate()
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "gated", fixtureArguments: [gate.path], fixtureWorkers: 2)
        let doomed = try CLIProcess(["serve", "--name", "doomed", "--lease", "1", "--modules", modules], conninfo: conninfo)
        let running = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM review_queue WHERE state = 'running'", on: connection) > 0
        }
        #expect(running, "\(doomed.log.suffix(1500))")
        doomed.send(SIGKILL)
        #expect(await doomed.wait(timeout: .seconds(60)) == 128 + SIGKILL)
        let heldByDoomed = try CoordinatorFixtures.count(
            "SELECT count(*) FROM review_queue WHERE claimed_by = 'doomed'", on: connection)
        #expect(heldByDoomed > 0, "the killed coordinator left claims behind")

        gate.open()
        let rescuer = try CLIProcess(
            ["serve", "--until-idle", "--name", "rescuer", "--lease", "1", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        #expect(await rescuer.wait(timeout: .seconds(120)) == 0, "\(rescuer.log.suffix(2000))")
        let perFiling = try CoordinatorFixtures.reviewsPerFiling(ids, on: connection)
        #expect(perFiling.values.allSatisfy { $0 == 1 })
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM reviews WHERE coordinator = 'rescuer' AND attempts >= 2", on: connection) > 0)
        #expect(rescuer.log.contains("leases_rescued"))
    }

    @Test func aModuleThatAlwaysFailsIsRecordedAsErrorFindingsAndTheOthersAreKept() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(3, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "error-reply", fixtureWorkers: 1)
        let serve = try CLIProcess(["serve", "--until-idle", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(120)) == 0, "\(serve.log.suffix(2000))")
        for id in ids {
            let review = try connection.queryRow(
                "SELECT id, recommendation, last_error FROM reviews WHERE filing_id = $1 AND outcome = 'completed'", id)
            let reviewId: Int64 = try review.decode("id")
            let lastError: String? = try review.decode("last_error")
            #expect(lastError?.contains("fixture") == true, "the review says why")
            #expect(try review.decode("recommendation", as: String.self) != "recommended")
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM findings WHERE review_id = $1 AND module = 'fixture' AND verdict = 'error'", [reviewId],
                on: connection) == 8)
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM findings WHERE review_id = $1 AND module <> 'fixture' AND verdict <> 'error'", [reviewId],
                on: connection) >= 40)
        }
    }

    @Test func aResubmittedFilingIsNotFiledOrReviewedTwice() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        // An initial filing: an annual or change report needs its register entry first (sql/052).
        let sample = try SampleFilings.all().first { (try? JSONValue(parsing: $0.data))?["kind"]?.string == "initial" }!
        // The coordinator keeps the door: submit waits for its verdicts.
        let serve = try CLIProcess(["serve", "--poll", "0.2", "--no-sweeps"], conninfo: conninfo)
        let first = try CLIProcess(["submit", "--json", try samplePath(sample.file)], conninfo: conninfo)
        #expect(await first.wait(timeout: .seconds(120)) == 0, "\(first.log)\n\(serve.log.suffix(2000))")
        let again = try CLIProcess(["submit", "--json", try samplePath(sample.file)], conninfo: conninfo)
        #expect(await again.wait(timeout: .seconds(60)) == 0)
        #expect(again.log.contains("already_on_file"))
        let reviewed = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) == 1
        }
        #expect(reviewed, "\(serve.log.suffix(2000))")
        serve.send(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(60)) == 0, "\(serve.log.suffix(2000))")
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: connection) == 1)
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) == 1)
    }

    @Test func aSingleFilingFromAnotherCountyIsNotStarvedByAFlood() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let seed = try SampleFilings.submitVariants(1, on: connection)[0]
        // A thousand more from the same county, queued first (set-based copies of the seed).
        try connection.query("""
            WITH copies AS (
                INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
                SELECT kind, county_code, cluster_name || ' 副本' || n, filed_on, format_version,
                       jsonb_set(payload, '{cluster,name}', to_jsonb(cluster_name || ' 副本' || n)),
                       sha256(convert_to(jsonb_set(payload, '{cluster,name}', to_jsonb(cluster_name || ' 副本' || n))::text, 'UTF8'))
                FROM filings, generate_series(1, 1000) AS n WHERE id = $1
                RETURNING id, county_code
            )
            INSERT INTO review_queue (filing_id, county_code, queued_at)
            SELECT id, county_code, now() - interval '1 hour' FROM copies
            """, seed)
        let flooded: String = try connection.queryRow("SELECT county_code FROM filings WHERE id = $1", seed).decode("county_code")
        let single = try SampleFilings.all().first {
            (try? JSONValue(parsing: $0.data))?["kind"]?.string == "initial" && !$0.file.hasPrefix(flooded)
        }!
        let intake = try BackgroundIntake(conninfo: conninfo)
        let submit = try CLIProcess(["submit", try samplePath(single.file)], conninfo: conninfo)
        #expect(await submit.wait(timeout: .seconds(60)) == 0, "\(submit.log)")
        intake.stop()
        let singleId: Int64 = try connection.queryRow("SELECT max(id) AS id FROM filings").decode("id")

        let serve = try CLIProcess(["serve", "--max-in-flight", "4", "--poll", "0.2"], conninfo: conninfo)
        let done = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews WHERE filing_id = $1", [singleId], on: connection) == 1
        }
        serve.send(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(120)) == 0)
        #expect(done)
        let before = try CoordinatorFixtures.count(
            "SELECT count(*) FROM reviews WHERE finished_at < (SELECT finished_at FROM reviews WHERE filing_id = $1)", [singleId],
            on: connection)
        let floodLeft = try CoordinatorFixtures.count("SELECT count(*) FROM review_queue", on: connection)
        #expect(before < 20, "the single filing was among the first reviewed (\(before) before it)")
        #expect(floodLeft > 500, "the flood had not drained when it was reviewed")
    }

    @Test func sigtermDrainsAndLeavesNoLeaseHeld() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        _ = try SampleFilings.submitVariants(40, on: connection)
        // Reviews stay in flight until the SIGTERM, however long a busy machine takes to see them.
        let gate = CoordinatorFixtures.Gate()
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "gated", fixtureArguments: [gate.path], fixtureWorkers: 2)
        let serve = try CLIProcess(["serve", "--name", "draining", "--grace", "1", "--modules", modules], conninfo: conninfo)
        let running = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM review_queue WHERE state = 'running'", on: connection) > 0
        }
        #expect(running)
        serve.send(SIGTERM)
        gate.open()
        #expect(await serve.wait(timeout: .seconds(120)) == 0, "\(serve.log.suffix(2000))")
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue WHERE state = 'running'", on: connection) == 0)
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM coordinators WHERE name = 'draining'", on: connection) == 0)
        #expect(serve.log.contains("coordinator_stopped"))
    }

    @Test func aRestartedDatabaseIsReconnectedAndEverythingCompletes() async throws {
        let server = EmbeddedPostgres(
            directory: TestCluster.scratchDirectory.appendingPathComponent("cr-restart-\(getpid())-\(UInt32.random(in: 0...99999))"), settings: ["fsync": "off"])
        try server.start()
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
        try server.createDatabase("restart")
        let conninfo = server.conninfo(database: "restart")
        var connection = try PostgresConnection(conninfo)
        _ = try Migrator.migrate(connection, migrations: try Migrator.load(from: try TestCluster.installation.sqlDirectory))
        let ids = try SampleFilings.submitVariants(80, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "slow", fixtureWorkers: 2)
        let serve = try CLIProcess(["serve", "--name", "survivor", "--lease", "2", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        let started = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) > 0
        }
        #expect(started)
        connection.close()
        try server.stop()
        try await Task.sleep(for: .seconds(1))
        try server.start()
        connection = try PostgresConnection(conninfo)
        let finished = try await CoordinatorFixtures.eventually(.seconds(180)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) == ids.count
        }
        serve.send(SIGTERM)
        _ = await serve.wait(timeout: .seconds(120))
        #expect(finished, "\(serve.log.suffix(2500))")
        #expect(serve.log.contains("claim_failed") || serve.log.contains("review_write_failed"), "the outage was noticed")
        let perFiling = try CoordinatorFixtures.reviewsPerFiling(ids, on: connection)
        #expect(perFiling.values.allSatisfy { $0 == 1 })
    }

    @Test func aWorkerKilledMidRequestDoesNotLoseTheReview() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(20, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "slow", fixtureWorkers: 2)
        let serve = try CLIProcess(["serve", "--name", "victim", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        var killed: [Int32] = []
        let found = await CoordinatorFixtures.eventually(.seconds(120)) {
            killed = Self.children(of: serve.pid).filter { Self.commandLine(of: $0).contains("fixture-module") }
            return !killed.isEmpty
        }
        #expect(found)
        try await Task.sleep(for: .milliseconds(150))
        for pid in killed { kill(pid, SIGKILL) }
        let finished = try await CoordinatorFixtures.eventually(.seconds(180)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) == ids.count
        }
        // A worker killed while idle is replaced when its I/O thread reaps it, which may come after
        // the last review: wait for the replacement before stopping, so SIGTERM cannot overtake it.
        let replaced = await CoordinatorFixtures.eventually(.seconds(120)) { serve.log.contains("worker_replaced") }
        serve.send(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(120)) == 0)
        #expect(finished, "\(serve.log.suffix(2000))")
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM findings WHERE verdict = 'error'", on: connection) == 0)
        #expect(replaced, "\(serve.log.suffix(1500))")
    }

    @Test func theMetricsFileCarriesTheCountersInPrometheusFormat() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        _ = try SampleFilings.submitVariants(5, on: connection)
        let metrics = NSTemporaryDirectory() + "cr-metrics-\(UUID().uuidString).prom"
        defer { try? FileManager.default.removeItem(atPath: metrics) }
        let serve = try CLIProcess(["serve", "--until-idle", "--poll", "0.2", "--metrics-file", metrics], conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(120)) == 0, "\(serve.log.suffix(1500))")
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("# TYPE cluster_review_reviews_total counter"))
        #expect(text.contains("outcome=\"completed\"} 5"))
        #expect(text.contains("cluster_review_queue_depth{state=\"queued\"} 0"))
        #expect(text.contains("cluster_review_module_workers{module=\"green\""))
    }

    @Test func sighupReloadsTheModulesWithoutLosingWork() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(30, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "slow", fixtureWorkers: 1)
        let serve = try CLIProcess(["serve", "--poll", "0.2", "--grace", "5", "--modules", modules], conninfo: conninfo)
        let started = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) > 0
        }
        #expect(started)
        serve.send(SIGHUP)
        let finished = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) == ids.count
        }
        serve.send(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(120)) == 0)
        #expect(finished, "\(serve.log.suffix(1500))")
        #expect(serve.log.contains("coordinator_reloaded"))
        #expect(try CoordinatorFixtures.reviewsPerFiling(ids, on: connection).values.allSatisfy { $0 == 1 })
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM findings WHERE verdict = 'error'", on: connection) == 0)
    }

    @Test func twoCoordinatorsRunTheDueDailySweepSlotOnce() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let first = try CLIProcess(["serve", "--name", "one", "--poll", "0.2"], conninfo: conninfo)
        let second = try CLIProcess(["serve", "--name", "two", "--poll", "0.2"], conninfo: conninfo)
        let swept = await CoordinatorFixtures.eventually(.seconds(120)) {
            first.log.contains("sweep_ran") && second.log.contains("sweep_ran")
        }
        first.send(SIGTERM)
        second.send(SIGTERM)
        #expect(await first.wait(timeout: .seconds(120)) == 0)
        #expect(await second.wait(timeout: .seconds(120)) == 0)
        #expect(swept, "\(first.log.suffix(1000))")
        let slots = try connection.query("SELECT slot, runs FROM sweeps").rows
        #expect(slots.count == 1, "one slot, however many coordinators ran it")
        #expect(try slots.first?.decode("slot", as: String.self).hasPrefix("daily:") == true)
        #expect(try slots.first?.decode("runs", as: Int.self) == 2)
    }

    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }

    static func commandLine(of pid: Int32) -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }

    func samplePath(_ file: String) throws -> String {
        try TestCluster.installation.configDirectory.appendingPathComponent("samples").appendingPathComponent(file).path
    }
}
