import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ChildProcesses
import JSONCore

#if canImport(Glibc)
    import Glibc
#endif

/// `serve` end to end, on a real database, against a module for each hostile behaviour of
/// issue 12: every review ends — within its attempt cap, or with error findings — and the reviews
/// of innocent filings in the same batches complete at their first attempt.
@Suite(.serialized) struct HostileModuleTests {
    /// A cluster-name label the selective fixture misbehaves on.
    static let hostile = " [hostile]"

    static func serve(_ modules: String, conninfo: String, _ extra: [String] = []) throws -> CLIProcess {
        try CLIProcess(["serve", "--until-idle", "--poll", "0.2", "--modules", modules] + extra, conninfo: conninfo)
    }

    static func review(of filing: Int64, on connection: PostgresConnection) throws -> Row? {
        try connection.query("""
            SELECT id, outcome, recommendation, attempts, coalesce(last_error, '') AS last_error FROM reviews WHERE filing_id = $1
            """, filing).rows.first
    }

    static func count(_ sql: String, _ parameters: [any PostgresEncodable] = [], on connection: PostgresConnection) throws -> Int {
        try CoordinatorFixtures.count(sql, parameters, on: connection)
    }

    @Test(arguments: ["nul-text", "duplicate-finding", "foreign-criterion", "error-verdict", "huge-answer"])
    func aBadAnswerEndsItsReviewWithErrorFindingsWhileTheInnocentCompleteAtTheirFirstAttempt(mode: String) async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let innocent = try SampleFilings.submitVariants(12, on: connection)
        let hostile = try SampleFilings.submitVariants(4, label: Self.hostile, first: 100, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: mode, fixtureArguments: ["--selective"], fixtureWorkers: 2)
        let serve = try Self.serve(modules, conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        #expect(try Self.count("SELECT count(*) FROM review_queue", on: connection) == 0)
        for id in innocent {
            let review = try #require(try Self.review(of: id, on: connection))
            let reviewId: Int64 = try review.decode("id")
            #expect(try review.decode("outcome", as: String.self) == "completed")
            #expect(try review.decode("attempts", as: Int.self) == 1, "an innocent review completes at its first attempt")
            #expect(try Self.count("SELECT count(*) FROM findings WHERE review_id = $1 AND verdict = 'error'", [reviewId], on: connection) == 0)
            #expect(try Self.count("SELECT count(*) FROM findings WHERE review_id = $1 AND module = 'fixture'", [reviewId], on: connection) == 8)
        }
        for id in hostile {
            let review = try #require(try Self.review(of: id, on: connection))
            let reviewId: Int64 = try review.decode("id")
            #expect(try review.decode("outcome", as: String.self) == "completed")
            #expect(try review.decode("attempts", as: Int.self) == 1, "the module's failure is recorded, not retried as a review")
            #expect(try review.decode("recommendation", as: String.self) != "recommended")
            #expect(try review.decode("last_error", as: String.self).contains("invalid answer"))
            #expect(try Self.count(
                "SELECT count(*) FROM findings WHERE review_id = $1 AND module = 'fixture' AND verdict = 'error'", [reviewId],
                on: connection) == 8)
        }
        // Nothing of a bad answer was stored: no other module's criterion, no oversized value.
        #expect(try Self.count("SELECT count(*) FROM findings WHERE module = 'fixture' AND criterion NOT LIKE 'FIX-%'", on: connection) == 0)
        #expect(try Self.count("SELECT count(*) FROM findings WHERE octet_length(coalesce(observed::text, '')) > 16384", on: connection) == 0)
    }

    @Test func aPartialAnswerGetsAnErrorFindingPerMissingCriterion() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let innocent = try SampleFilings.submitVariants(6, on: connection)
        let hostile = try SampleFilings.submitVariants(3, label: Self.hostile, first: 100, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "partial", fixtureArguments: ["--selective"], fixtureWorkers: 2)
        let serve = try Self.serve(modules, conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        for id in hostile {
            let review = try #require(try Self.review(of: id, on: connection))
            let reviewId: Int64 = try review.decode("id")
            #expect(try review.decode("recommendation", as: String.self) != "recommended")
            #expect(try review.decode("last_error", as: String.self).contains("answered without a finding for FIX-2"))
            let errors = try connection.query(
                "SELECT criterion FROM findings WHERE review_id = $1 AND module = 'fixture' AND verdict = 'error' ORDER BY criterion", reviewId
            ).rows.map { try $0.decode("criterion", as: String.self) }
            #expect(errors == (2...8).map { "FIX-\($0)" })
            #expect(try Self.count(
                "SELECT count(*) FROM findings WHERE review_id = $1 AND criterion = 'FIX-1' AND verdict = 'pass'", [reviewId],
                on: connection) == 1)
        }
        for id in innocent {
            let review = try #require(try Self.review(of: id, on: connection))
            #expect(try review.decode("attempts", as: Int.self) == 1)
            #expect(try Self.count(
                "SELECT count(*) FROM findings WHERE filing_id = $1 AND verdict = 'error'", [id], on: connection) == 0)
        }
    }

    /// The issue's own case: green replaced by an executable that exits at once. Its reviews wait
    /// for it at most its outage bound, then complete with an error finding per GREE criterion —
    /// green's criteria as it declared them the last time it ran — and never better than needs_review.
    @Test func aModuleThatCannotStartEndsItsReviewsWithAnErrorPerCriterionAfterItsOutageBound() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        // A first run with every module: the coordinator records what green declares.
        let earlier = try SampleFilings.submitVariants(2, on: connection)
        let first = try Self.serve(try CoordinatorFixtures.modulesFile(), conninfo: conninfo)
        #expect(await first.wait(timeout: .seconds(300)) == 0, "\(first.log.suffix(2000))")
        #expect(try Self.count("SELECT count(*) FROM findings WHERE criterion LIKE 'GREE-%'", on: connection) == 5 * earlier.count)
        let green = try #require(try DeclarationRecords.latest(of: ["green"], on: connection)["green"])
        // Now green cannot start.
        let later = try SampleFilings.submitVariants(4, first: 10, on: connection)
        let broken = CoordinatorFixtures.fixtureEntry(id: "green", mode: "exit-at-once", settings: ["max_outage_seconds": 2])
        let serve = try Self.serve(try CoordinatorFixtures.modulesFile(replacing: ["green": broken]), conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        #expect(serve.log.contains("review_deferred"), "the reviews waited for green first")
        for id in later {
            let review = try #require(try Self.review(of: id, on: connection))
            let reviewId: Int64 = try review.decode("id")
            #expect(try review.decode("outcome", as: String.self) == "completed")
            #expect(try review.decode("recommendation", as: String.self) != "recommended")
            let lastError: String = try review.decode("last_error")
            #expect(lastError.contains("module green") && lastError.contains("max_outage_seconds is 2"), "\(lastError)")
            let errors = try connection.query(
                "SELECT criterion FROM findings WHERE review_id = $1 AND module = 'green' AND verdict = 'error' ORDER BY criterion", reviewId
            ).rows.map { try $0.decode("criterion", as: String.self) }
            #expect(errors == green.criteria.map(\.id))
        }
    }

    @Test func aModuleThatHasNeverDeclaredItselfFailsItsReviewsAfterTheBoundAndStatusSaysSo() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(2, on: connection)
        let broken = CoordinatorFixtures.fixtureEntry(id: "green", mode: "exit-at-once", settings: ["max_outage_seconds": 1])
        let serve = try Self.serve(try CoordinatorFixtures.modulesFile(replacing: ["green": broken]), conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        for id in ids {
            let review = try #require(try Self.review(of: id, on: connection))
            #expect(try review.decode("outcome", as: String.self) == "failed")
            #expect(try review.decode("last_error", as: String.self).contains("module green has never declared its criteria"))
        }
        #expect(try Self.count("SELECT count(*) FROM filings WHERE status = 'review_failed'", on: connection) == ids.count)
        let status = try await CLIProcess.run(["status"], conninfo: conninfo)
        #expect(status.status == 0)
        #expect(status.stdout.contains("审核失败：申报 \(ids[0])") || status.stdout.contains("审核失败：申报 \(ids[1])"),
                "\(status.stdout)")
    }

    @Test func statusShowsAnOpenCircuitAndTheReviewsWaitingForIt() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(3, on: connection)
        let broken = CoordinatorFixtures.fixtureEntry(id: "green", mode: "exit-at-once", settings: ["max_outage_seconds": 3600])
        let serve = try CLIProcess(
            ["serve", "--name", "waiting", "--poll", "0.2", "--lease", "2", "--modules",
             try CoordinatorFixtures.modulesFile(replacing: ["green": broken])], conninfo: conninfo)
        let waiting = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try Self.count("SELECT count(*) FROM review_queue WHERE 'green' = ANY(deferred_for)", on: connection) == ids.count
        }
        #expect(waiting, "\(serve.log.suffix(2000))")
        var text = ""
        let shown = await CoordinatorFixtures.eventuallyAsync(.seconds(120)) {
            text = (try? await CLIProcess.run(["status", "--lang", "en"], conninfo: conninfo).stdout) ?? ""
            return text.contains("circuit open") && text.contains("waiting for a module: green \(ids.count)")
        }
        #expect(shown, "\(text)")
        let json = try await CLIProcess.run(["status", "--json"], conninfo: conninfo).stdout
        let snapshot = try JSONValue(parsing: Data(json.utf8))
        #expect(snapshot["queue"]?["deferred_by_module"]?["green"] == .number(Decimal(ids.count)))
        serve.send(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(60)) == 0)
        #expect(try Self.count("SELECT count(*) FROM reviews", on: connection) == 0, "nothing completed without green")
    }

    /// A module that crashes on every request: its circuit opens, its reviews wait at most its
    /// outage bound, and every review ends with error findings for it — the queue never stalls.
    @Test func aModuleThatKeepsFailingCannotStallTheQueue() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(20, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(
            fixtureMode: "crash-always", fixtureWorkers: 2,
            fixtureSettings: [
                "max_outage_seconds": 2,
                "restart": ["limit": 2, "window_seconds": 600, "backoff_seconds": 1, "max_backoff_seconds": 2],
            ])
        let serve = try Self.serve(modules, conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        #expect(serve.log.contains("module_failing"), "the circuit opened")
        #expect(try Self.count("SELECT count(*) FROM review_queue", on: connection) == 0)
        for id in ids {
            let review = try #require(try Self.review(of: id, on: connection))
            let reviewId: Int64 = try review.decode("id")
            #expect(try review.decode("outcome", as: String.self) == "completed")
            #expect(try Self.count(
                "SELECT count(*) FROM findings WHERE review_id = $1 AND module = 'fixture' AND verdict = 'error'", [reviewId],
                on: connection) == 8)
        }
        // Bounded: each review was put back a few times at most while the circuit was open.
        let deferrals = serve.log.components(separatedBy: "\"review_deferred\"").count - 1
        #expect(deferrals <= ids.count * 12, "\(deferrals) deferrals")
    }

    /// One review whose findings the database refuses (a check the test adds) fails alone; every
    /// other review of its batches is written at its first attempt.
    @Test func aReviewThatCannotBeWrittenFailsAloneAndItsBatchIsWritten() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(30, on: connection)
        let doomed = ids[7]
        try connection.executeScript("""
            CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.filing_id = \(doomed) THEN
                    RAISE EXCEPTION 'the test refuses this review' USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END;
            $$;
            CREATE TRIGGER refuse_one BEFORE INSERT ON findings FOR EACH ROW EXECUTE FUNCTION refuse_one();
            """)
        let serve = try Self.serve(try CoordinatorFixtures.modulesFile(), conninfo: conninfo, ["--max-in-flight", "32"])
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        #expect(serve.log.contains("review_write_refused"))
        let failed = try #require(try Self.review(of: doomed, on: connection))
        #expect(try failed.decode("outcome", as: String.self) == "failed")
        #expect(try failed.decode("last_error", as: String.self).contains("cannot be written"))
        for id in ids where id != doomed {
            let review = try #require(try Self.review(of: id, on: connection))
            #expect(try review.decode("outcome", as: String.self) == "completed")
            #expect(try review.decode("attempts", as: Int.self) == 1)
        }
    }

    /// A write that fails for another reason is retried, within the review's attempts.
    @Test func aReviewWhoseWriteKeepsFailingFailsAtItsAttemptCap() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(3, on: connection)
        try connection.executeScript("""
            CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.filing_id = \(ids[1]) THEN RAISE EXCEPTION 'the test refuses this review for now'; END IF;
                RETURN NEW;
            END;
            $$;
            CREATE TRIGGER refuse_one BEFORE INSERT ON findings FOR EACH ROW EXECUTE FUNCTION refuse_one();
            """)
        let serve = try Self.serve(try CoordinatorFixtures.modulesFile(), conninfo: conninfo)
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        let failed = try #require(try Self.review(of: ids[1], on: connection))
        #expect(try failed.decode("outcome", as: String.self) == "failed")
        #expect(try failed.decode("attempts", as: Int.self) == 3)
        #expect(try failed.decode("last_error", as: String.self).contains("attempt 3 of 3"))
        for id in [ids[0], ids[2]] {
            #expect(try Self.review(of: id, on: connection)?.decode("attempts", as: Int.self) == 1)
        }
    }

    /// A review whose lease has expired on its last attempt is not claimed again: it fails.
    @Test func aLeaseRescueOnTheLastAttemptFailsTheReview() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(2, on: connection)
        try connection.query("""
            UPDATE review_queue SET state = 'running', claim_token = gen_random_uuid(), lease_until = now() - interval '1 second',
                attempts = 3, claimed_by = 'ghost', started_at = now()
            WHERE filing_id = $1
            """, ids[0])
        let serve = try Self.serve(try CoordinatorFixtures.modulesFile(), conninfo: conninfo, ["--lease", "1"])
        #expect(await serve.wait(timeout: .seconds(300)) == 0, "\(serve.log.suffix(3000))")
        let failed = try #require(try Self.review(of: ids[0], on: connection))
        #expect(try failed.decode("outcome", as: String.self) == "failed")
        #expect(try failed.decode("last_error", as: String.self).contains("lease expired on attempt 3 of 3: coordinator ghost"))
        #expect(try Self.review(of: ids[1], on: connection)?.decode("outcome", as: String.self) == "completed")
    }
}

/// `serve` and the descendants of its modules, counted under a subreaper (process-harness).
@Suite(.serialized) struct ModuleDescendantTests {
    /// What the harness reported: the command's status and what it left behind.
    struct Report {
        var status: Int
        var left: [JSONValue]
    }

    static func report(_ harness: CLIProcess) throws -> Report {
        let line = try #require(harness.output.split(separator: "\n").last { $0.hasPrefix("{\"left\"") })
        let value = try JSONValue(parsing: Data(line.utf8))
        guard case .array(let left)? = value["left"] else { return Report(status: -1, left: []) }
        return Report(status: NSDecimalNumber(decimal: value["status"]?.decimal ?? -1).intValue, left: left)
    }

    static func harness(_ arguments: [String], conninfo: String) throws -> CLIProcess {
        try CLIProcess(
            [CLIProcess.executables + "/cluster-review"] + arguments, conninfo: conninfo,
            program: CLIProcess.executables + "/process-harness")
    }

    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { ProcessTable.parent(of: $0) == pid }
    }

    /// The hang: a module's descendant holds its stdout. `serve --until-idle` ends, and
    /// leaves no process, zombie or orphan, behind.
    @Test func aDescendantHoldingAModulesStdoutNeitherHangsServeNorOutlivesIt() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(6, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(fixtureMode: "grandchild", fixtureWorkers: 2)
        let harness = try Self.harness(["serve", "--until-idle", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        #expect(await harness.wait(timeout: .seconds(300)) == 0, "\(harness.log.suffix(3000))")
        let report = try Self.report(harness)
        #expect(report.status == 0)
        #expect(report.left.isEmpty, "left behind: \(report.left)")
        #expect(try CoordinatorFixtures.count("SELECT count(*) FROM reviews WHERE outcome = 'completed'", on: connection) == ids.count)
    }

    /// A module that starts such a descendant on every request, and is recycled every few
    /// requests: every recycled worker's group dies with it (the coordinator's threads and
    /// descriptors do not grow), and after SIGTERM nothing is left.
    @Test func descendantsStartedOnEveryRequestDieWithTheirWorkerAndNothingOutlivesSigterm() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(40, on: connection)
        let modules = try CoordinatorFixtures.modulesFile(
            fixtureMode: "grandchild-per-request", fixtureWorkers: 2, fixtureSettings: ["recycle_after": 3, "recycle_jitter": 0])
        let harness = try Self.harness(["serve", "--poll", "0.2", "--modules", modules], conninfo: conninfo)
        var serve: Int32?
        let found = await CoordinatorFixtures.eventually(.seconds(120)) {
            serve = Self.children(of: harness.pid).first
            return serve != nil
        }
        #expect(found)
        func resources() -> (fds: Int, threads: Int, targets: [String]) {
            guard let serve else { return (0, 0, []) }
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(serve)/fd")) ?? []
            let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(serve)/task").count) ?? 0
            let targets = fds.map { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(serve)/fd/\($0)")) ?? "?" }
            return (fds.count, threads, targets)
        }
        _ = try await CoordinatorFixtures.eventually(.seconds(120)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) >= 6
        }
        let early = resources()
        let done = try await CoordinatorFixtures.eventually(.seconds(300)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) == ids.count
        }
        #expect(done, "\(harness.log.suffix(2000))")
        #expect(harness.log.contains("worker_recycled"), "workers were recycled")
        // Each recycled worker's channel (thread, pipes, pidfd) ends with its group: once the last
        // recycled worker has been reaped, the coordinator holds what it held early on.
        var late = resources()
        let settled = await CoordinatorFixtures.eventually(.seconds(60)) {
            late = resources()
            return late.fds <= early.fds + 6 && late.threads <= early.threads + 2
        }
        #expect(settled, "descriptors \(early.fds) → \(late.fds), threads \(early.threads) → \(late.threads): \(late.targets.sorted())")
        harness.send(SIGTERM)
        #expect(await harness.wait(timeout: .seconds(120)) == 0, "\(harness.log.suffix(3000))")
        let report = try Self.report(harness)
        #expect(report.status == 0)
        #expect(report.left.isEmpty, "left behind: \(report.left)")
    }

    /// A module answering at the line limit (every answer refused as too large): the
    /// coordinator's memory stays within its budget with sixteen such workers.
    @Test func answersAtTheLineLimitKeepTheCoordinatorUnder100MB() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let ids = try SampleFilings.submitVariants(48, on: connection)
        // Its circuit never opens: every request of every review reads lines at the limit.
        let modules = try CoordinatorFixtures.modulesFile(
            fixtureMode: "huge-answer", fixtureWorkers: 16,
            fixtureSettings: ["restart": ["limit": 100000, "window_seconds": 1, "backoff_seconds": 0, "max_backoff_seconds": 0]])
        let serve = try CLIProcess(["serve", "--poll", "0.2", "--max-in-flight", "32", "--modules", modules], conninfo: conninfo)
        let done = try await CoordinatorFixtures.eventually(.seconds(300)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: connection) == ids.count
        }
        #expect(done, "\(serve.log.suffix(2000))")
        let status = (try? String(contentsOfFile: "/proc/\(serve.pid)/status", encoding: .utf8)) ?? ""
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
        serve.send(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(60)) == 0)
        #expect(peak > 0 && peak < 100 * 1024, "peak resident memory \(peak / 1024) MB")
        #expect(try CoordinatorFixtures.count(
            "SELECT count(*) FROM findings WHERE module = 'fixture' AND verdict = 'error'", on: connection) == 8 * ids.count)
    }
}
