import Foundation
import IndicatorKit
import Testing

import ChildProcesses
@testable import ModuleHost

/// The pool against each misbehaving fixture module.
@Suite struct WorkerFailureTests {
    @Test func killsAndReplacesAHungWorkerThenFailsAfterTheAttemptLimit() async throws {
        let capture = LogCapture()
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("hang", requestTimeout: .milliseconds(300), maxAttempts: 2),
            logger: capture.logger)
        try await pool.start()
        let first = try #require(await pool.status().pids.first)
        let started = ContinuousClock.now
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        // Each attempt waited out its own timeout, never less (and no upper bound: a busy machine is slow).
        #expect(ContinuousClock.now - started >= .milliseconds(600))
        #expect(failure.cause == .timedOut(after: .milliseconds(300)))
        #expect(failure.attempts == 2)
        #expect(failure.module == "fixture")
        let second = try #require(failure.pid)
        #expect(second != first, "the second attempt ran on a fresh worker")
        #expect(failure.stderrTail.contains { $0.contains("hang: ready") }, "\(failure.stderrTail)")
        #expect(await pool.status().restarts == 2)
        // Both hung workers were killed and reaped.
        #expect(await WorkerFixtures.remaining([first, second]).isEmpty)
        // In this order: the first worker timed out and was replaced by the second, which timed out
        // and was replaced in turn; only then did the caller get its failure.
        let third = try #require(await pool.status().pids.first)
        let timedOut = ModuleFailureCause.timedOut(after: .milliseconds(300)).description
        let events = capture.events(["worker_started", "worker_replaced", "request_failed"])
        #expect(events == [
            .init("worker_started", pid: first), .init("worker_replaced", pid: first, cause: timedOut),
            .init("worker_started", pid: second), .init("worker_replaced", pid: second, cause: timedOut),
            .init("worker_started", pid: third), .init("request_failed", cause: timedOut),
        ])
        await pool.shutdown()
        #expect(await WorkerFixtures.remaining([third]).isEmpty)
    }

    @Test func enforcesATimeoutLongerThanTheIOThreadsPollHorizon() async throws {
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("hang", requestTimeout: .milliseconds(1300), maxAttempts: 1),
            logger: WorkerFixtures.logger)
        try await pool.start()
        let started = ContinuousClock.now
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        let elapsed = ContinuousClock.now - started
        // The module never answers, so only the deadline, past the I/O thread's 1 s poll horizon,
        // can end the request; it must not end early. No upper bound: a busy machine delays wake-ups.
        #expect(failure.cause == .timedOut(after: .milliseconds(1300)))
        #expect(elapsed >= .milliseconds(1300), "\(elapsed)")
        #expect(await WorkerFixtures.remaining([try #require(failure.pid)]).isEmpty, "the hung worker was killed")
        await pool.shutdown()
    }

    @Test func reportsACrashMidRequestWithTheSignalAndStderrTail() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("crash-mid-request"), logger: WorkerFixtures.logger)
        try await pool.start()
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .crashed(.signalled(SIGABRT)))
        #expect(failure.attempts == 2)
        #expect(failure.stderrTail.contains { $0.contains("crashing") })
        #expect(failure.description.contains("module fixture"))
        await pool.shutdown()
        #expect(await WorkerFixtures.lingeringZombies().isEmpty)
    }

    @Test func anIdleWorkerThatDiedUnnoticedIsReplacedInsteadOfGivenTheRequest() async throws {
        // The worker is killed while idle and its I/O thread is held before it reports the end:
        // the window in which a request retried after another worker's crash used to be written
        // to the dead worker (raising SIGPIPE in the coordinator, or spending the last attempt).
        let gate = ReapGate()
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("ok", maxAttempts: 1), logger: WorkerFixtures.logger, clock: .continuous,
            beforeReap: gate.hold)
        try await pool.start()
        let dead = try #require(await pool.status().pids.first)
        kill(dead, SIGKILL)
        #expect(await gate.waitUntilHolding(dead))
        let outcome = await pool.evaluate(WorkerFixtures.input)
        gate.open()
        #expect(outcome.findings?.count == 8, "\(outcome)")
        let status = await pool.status()
        #expect(!status.pids.contains(dead))
        #expect(status.restarts == 1)
        await pool.shutdown()
        #expect(await WorkerFixtures.remaining([dead]).isEmpty)
    }

    @Test func retriesARequestOnAFreshWorkerAfterACrash() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("crash-once-\(UUID().uuidString)").path
        defer { unlink(marker) }
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("crash-once", extra: [marker]), logger: WorkerFixtures.logger)
        try await pool.start()
        let first = await pool.status().pids
        #expect(await pool.evaluate(WorkerFixtures.input).findings?.count == 8)
        #expect(await pool.status().pids != first)
        #expect(await pool.status().restarts == 1)
        await pool.shutdown()
    }

    @Test func killsAWorkerThatWritesGarbage() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("garbage", maxAttempts: 1), logger: WorkerFixtures.logger)
        try await pool.start()
        let pids = await pool.status().pids
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        guard case .malformedReply = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        #expect(await WorkerFixtures.remaining(pids).isEmpty)
        await pool.shutdown()
    }

    @Test func killsAWorkerThatWritesA100MBLineWhileMemoryStaysBounded() async throws {
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("huge-line", maxAttempts: 1, maxLineBytes: 1 << 20), logger: WorkerFixtures.logger)
        try await pool.start()
        let before = WorkerFixtures.residentBytes()
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        let growth = WorkerFixtures.residentBytes() - before
        #expect(failure.cause == .lineTooLong(limit: 1 << 20))
        // The process's resident size also moves with the tests running beside this one (56 MiB seen
        // on a machine kept busy), so the bound is the line itself: holding it would take 100 MiB.
        #expect(growth < 100 << 20, "resident memory grew by \(growth >> 20) MiB")
        await pool.shutdown()
    }

    @Test func killsAWorkerThatAnswersWithAWrongId() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("wrong-id", maxAttempts: 1), logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        guard case .wrongId(let expected, let received) = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        #expect(received == "not-\(expected)")
        await pool.shutdown()
    }

    @Test func killsAWorkerThatSendsAnUnexpectedMessage() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("unexpected-message", maxAttempts: 1), logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .unexpectedMessage(type: "ready"))
        await pool.shutdown()
    }

    @Test func failsARequestWhoseFindingNamesAnUndeclaredCriterion() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("bad-criterion", maxAttempts: 1), logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .invalidAnswer(.undeclaredCriterion("NOPE-1")))
        await pool.shutdown()
    }

    @Test func failsARequestWhoseFindingScoresOutsideTheRange() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("bad-score", maxAttempts: 1), logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .invalidAnswer(.scoreOutOfRange(criterion: "FIX-1", score: 170)))
        await pool.shutdown()
    }

    /// Every bad answer is a module failure of that request (the worker replaced, the request
    /// retried), never something that reaches the database.
    @Test(arguments: [
        ("nul-text", AnswerViolation.forbiddenCharacter(criterion: "FIX-1", field: "message.en")),
        ("duplicate-finding", .duplicateCriterion("FIX-1")),
        ("foreign-criterion", .undeclaredCriterion("COMP-6")),
        ("error-verdict", .forbiddenVerdict(criterion: "FIX-1", verdict: .error)),
    ])
    func aBadAnswerFailsTheRequestAndReplacesTheWorker(mode: String, violation: AnswerViolation) async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration(mode, maxAttempts: 2), logger: WorkerFixtures.logger)
        try await pool.start()
        let first = await pool.status().pids
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .invalidAnswer(violation))
        #expect(failure.attempts == 2, "retried on a fresh worker")
        #expect(await pool.status().restarts == 2)
        #expect(await WorkerFixtures.remaining(first).isEmpty, "the worker that answered badly was killed")
        await pool.shutdown()
    }

    @Test func anAnswerLargerThanAnyValidOneIsRefusedBeforeItIsParsed() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("huge-answer", maxAttempts: 1), logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        guard case .invalidAnswer(.replyTooLarge(let bytes, let limit)) = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        #expect(bytes > limit)
        #expect(bytes < ModuleProtocol.defaultMaxLineBytes)
        await pool.shutdown()
    }

    @Test func aPartialAnswerIsReturnedForTheCallerToCompleteWithErrors() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("partial"), logger: WorkerFixtures.logger)
        #expect(await pool.evaluate(WorkerFixtures.input).findings?.map(\.criterion) == ["FIX-1"])
        #expect(await pool.status().restarts == 0)
        await pool.shutdown()
    }

    @Test func aModuleDeclaringACriterionTwiceFailsItsHandshake() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("duplicate-criterion"), logger: WorkerFixtures.logger)
        await #expect {
            try await pool.start()
        } throws: { error in
            guard case WorkerPoolError.handshakeFailed(_, _, let reason, _) = error else { return false }
            return reason.contains("FIX-1 is declared twice")
        }
        await pool.shutdown()
    }

    @Test func aModuleThatExitsAtOnceFailsItsHandshakeAndIsUnavailable() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("exit-at-once"), logger: WorkerFixtures.logger)
        await #expect(throws: WorkerPoolError.self) { try await pool.start() }
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        guard case .unavailable = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        await pool.shutdown()
    }

    @Test func strayPrintsDoNotCorruptTheChannel() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("stray-stdout"), logger: WorkerFixtures.logger)
        for _ in 0..<3 { #expect(await pool.evaluate(WorkerFixtures.input).findings?.count == 8) }
        #expect(await pool.status().restarts == 0)
        await pool.shutdown()
    }

    @Test func refusesAModuleSpeakingProtocolVersion2AndDoesNotRestartIt() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("protocol-v2"), logger: WorkerFixtures.logger)
        await #expect {
            try await pool.start()
        } throws: { error in
            guard case WorkerPoolError.incompatibleProtocol(_, _, let declared, _) = error else { return false }
            return declared == 2
        }
        let status = await pool.status()
        #expect(status.state.name == "incompatible")
        #expect(await WorkerFixtures.remaining(status.pids).isEmpty)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.attempts == 0)
        #expect(await pool.status().workers == 0)
        await pool.shutdown()
    }

    @Test func failsTheHandshakeOfAModuleThatNeverSendsReadyWithoutRetryingInALoop() async throws {
        let clock = ManualClock()
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("never-ready", startTimeout: .milliseconds(300)), logger: WorkerFixtures.logger,
            clock: clock.poolClock)
        await #expect {
            try await pool.start()
        } throws: { error in
            guard case WorkerPoolError.handshakeFailed(_, _, let reason, _) = error else { return false }
            return reason.contains("no ready line")
        }
        #expect(await pool.status().state.name == "failing")
        #expect(await pool.status().state.description.contains("retry in"))
        #expect(await pool.status().restarts == 1)
        // Within the back-off a request fails at once: no worker is started for it, nothing is sent.
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.attempts == 0)
        guard case .unavailable(let reason) = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        #expect(reason.contains("failing"))
        #expect(await pool.status().workers == 0)
        #expect(await pool.status().restarts == 1)
        await pool.shutdown()
    }

    @Test func opensTheCircuitWhenAModuleKeepsExitingAfterReady() async throws {
        // The pool's clock stands still, so every restart falls within the restart window however
        // slowly the machine starts the workers.
        let clock = ManualClock()
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("exit-after-ready", restartLimit: 3), logger: WorkerFixtures.logger,
            clock: clock.poolClock)
        _ = try? await pool.start()
        // A wait with a deadline, far beyond what even a busy machine needs for four restarts.
        let deadline = ContinuousClock.now + .seconds(120)
        while await pool.status().state.name != "failing", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let status = await pool.status()
        #expect(status.state.name == "failing")
        #expect(status.restarts >= 4)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        guard case .unavailable = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        await pool.shutdown()
        #expect(await WorkerFixtures.lingeringZombies().isEmpty)
    }

    @Test func probesAgainAfterTheBackOffAndDoublesIt() async throws {
        let clock = ManualClock()
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("never-ready", startTimeout: .milliseconds(200), initialBackoff: .seconds(3)),
            logger: WorkerFixtures.logger, clock: clock.poolClock)
        _ = try? await pool.start()
        #expect(await pool.evaluate(WorkerFixtures.input).failure?.attempts == 0)
        #expect(await pool.status().restarts == 1)
        // Just short of the back-off: still failing fast, no probe.
        clock.advance(by: .milliseconds(2999))
        #expect(await pool.evaluate(WorkerFixtures.input).failure?.attempts == 0)
        #expect(await pool.status().restarts == 1)
        // The back-off has passed: the next request starts one probe worker, which fails again.
        clock.advance(by: .milliseconds(1))
        _ = await pool.evaluate(WorkerFixtures.input)
        #expect(await pool.status().restarts == 2)
        let state = await pool.status().state
        guard case .failing(_, let retryAt) = state else { Issue.record("state \(state)"); return }
        #expect(retryAt == clock.now + .seconds(6), "the second back-off is twice the first")
        await pool.shutdown()
    }

    @Test func aWorkerOverItsCPULimitIsKilledByTheKernelAndReported() async throws {
        let limits = ResourceLimits(cpuSeconds: 1, addressSpaceBytes: 2 << 30, openFiles: 64)
        // One CPU-second can take many wall-clock seconds on a busy machine: the request timeout
        // is far beyond that, so only the kernel's limit ends the request.
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("cpu-hog", requestTimeout: .seconds(600), maxAttempts: 1, limits: limits),
            logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .crashed(.signalled(SIGXCPU)) || failure.cause == .crashed(.signalled(SIGKILL)), "\(failure)")
        await pool.shutdown()
    }

    @Test func aWorkerOverItsAddressSpaceLimitCrashesAndIsReported() async throws {
        let limits = ResourceLimits(cpuSeconds: 60, addressSpaceBytes: 768 << 20, openFiles: 64)
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("memory-hog", requestTimeout: .seconds(600), maxAttempts: 1, limits: limits),
            logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        guard case .crashed = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        #expect(failure.stderrTail.contains { $0.contains("malloc failed") }, "\(failure)")
        await pool.shutdown()
    }
}
