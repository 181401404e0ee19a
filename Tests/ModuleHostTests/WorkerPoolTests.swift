import Foundation
import IndicatorKit
import Testing

@testable import ModuleHost

@Suite struct WorkerPoolTests {
    @Test func answersWithTheModulesFindings() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok"), logger: WorkerFixtures.logger)
        let descriptor = try await pool.start()
        #expect(descriptor.id == "fixture")
        let outcome = await pool.evaluate(WorkerFixtures.input)
        #expect(outcome.findings?.count == 8)
        #expect(outcome.findings?.first?.observed == 42)
        let pids = await pool.status().pids
        await pool.shutdown()
        #expect(await WorkerFixtures.remaining(pids).isEmpty)
    }

    @Test func startsOnTheFirstRequestWithoutAnExplicitStart() async {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok"), logger: WorkerFixtures.logger)
        #expect(await pool.evaluate(WorkerFixtures.input).findings?.count == 8)
        await pool.shutdown()
    }

    @Test func servesConcurrentRequestsOnEveryWorker() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok", workers: 3), logger: WorkerFixtures.logger)
        try await pool.start()
        #expect(await pool.status().workers == 3)
        let successes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<60 { group.addTask { await pool.evaluate(WorkerFixtures.input).findings != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 60)
        #expect(await pool.status().served == 60)
        await pool.shutdown()
    }

    @Test func recyclesAWorkerAfterItsRequestBudget() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok", recycleAfter: 3), logger: WorkerFixtures.logger)
        try await pool.start()
        let first = await pool.status().pids
        for _ in 0..<3 { #expect(await pool.evaluate(WorkerFixtures.input).findings != nil) }
        #expect(await pool.evaluate(WorkerFixtures.input).findings != nil)
        let second = await pool.status().pids
        #expect(first != second)
        #expect(await pool.status().restarts == 0)
        // shutdown() returns only once every worker, the recycled one too, has been reaped.
        await pool.shutdown()
        #expect(await WorkerFixtures.remaining(first + second, within: .milliseconds(50)).isEmpty)
    }

    @Test func keepsTheWorkerAfterAnErrorReplyAndDoesNotRetry() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("error-reply"), logger: WorkerFixtures.logger)
        try await pool.start()
        let before = await pool.status().pids
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.attempts == 1)
        #expect(failure.cause == .rejected(code: "evaluation_failed", message: "this fixture refuses every request"))
        #expect(await pool.status().pids == before)
        await pool.shutdown()
    }

    @Test func shutdownReapsEveryWorkerAndLeavesNoZombie() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok", workers: 4), logger: WorkerFixtures.logger)
        try await pool.start()
        let pids = await pool.status().pids
        #expect(pids.count == 4)
        await pool.shutdown()
        #expect(await WorkerFixtures.remaining(pids, within: .milliseconds(50)).isEmpty)
        #expect(await WorkerFixtures.lingeringZombies().isDisjoint(with: pids))
    }

    @Test func shutdownEscalatesToSIGKILLForAModuleThatIgnoresIt() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ignore-shutdown"), logger: WorkerFixtures.logger)
        try await pool.start()
        let pids = await pool.status().pids
        let started = ContinuousClock.now
        await pool.shutdown()
        // Shutdown grace 300 ms, then SIGTERM grace 300 ms, then SIGKILL; never sooner, and no
        // upper bound (a busy machine is slow). That SIGKILL ended it: WorkerProcessTests.
        #expect(ContinuousClock.now - started >= .milliseconds(550))
        // shutdown() returned only once the worker had been reaped.
        #expect(await WorkerFixtures.remaining(pids, within: .milliseconds(50)).isEmpty)
    }

    @Test func requestsAfterShutdownFailAsUnavailable() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok"), logger: WorkerFixtures.logger)
        try await pool.start()
        await pool.shutdown()
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.attempts == 0)
        guard case .unavailable = failure.cause else { Issue.record("cause \(failure.cause)"); return }
    }

    @Test func tagsModuleStderrWithModuleAndPidInTheLog() async throws {
        let capture = LogCapture()
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("stray-stdout"), logger: capture.logger)
        try await pool.start()
        #expect(await pool.evaluate(WorkerFixtures.input).findings?.count == 8)
        let pid = try #require(await pool.status().pids.first)
        await pool.shutdown()
        let lines = capture.objects(event: "module_stderr")
        let stray = lines.first { ($0["line"] as? String)?.contains("stray print") == true }
        #expect(stray?["module"] as? String == "fixture")
        #expect((stray?["pid"] as? NSNumber)?.int32Value == pid)
    }

    @Test func capsEachLoggedStderrLine() async throws {
        let capture = LogCapture()
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("stderr-flood"), logger: capture.logger)
        #expect(await pool.evaluate(WorkerFixtures.input).findings == [])
        await pool.shutdown()
        let lines = capture.objects(event: "module_stderr").compactMap { $0["line"] as? String }
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.utf8.count <= 1000 })
    }

    @Test func limitsHowManyStderrLinesAWorkerLogsPerSecond() async throws {
        let capture = LogCapture()
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("stderr-flood"), logger: capture.logger)
        let started = ContinuousClock.now
        #expect(await pool.evaluate(WorkerFixtures.input).findings == [])
        await pool.shutdown()
        // The worker lived at most this many one-second windows; each logs at most 200 lines plus
        // one "not logged" note, and one more note comes at the end. (Bounded by the time that
        // actually passed, so a slow machine does not break it; the flood is 20,000 lines.)
        let windows = Int((ContinuousClock.now - started).components.seconds) + 1
        let lines = capture.objects(event: "module_stderr").compactMap { $0["line"] as? String }
        #expect(lines.count <= windows * (WorkerChannel.stderrLinesPerSecond + 1) + 1, "\(lines.count) lines in \(windows) s")
        #expect(lines.contains { $0.hasSuffix("more stderr lines not logged]") })
    }
}
