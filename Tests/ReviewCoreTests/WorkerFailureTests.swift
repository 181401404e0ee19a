import Foundation
import IndicatorKit
import Testing

@testable import ReviewCore

/// The pool against each misbehaving fixture module.
@Suite struct WorkerFailureTests {
    @Test func killsAndReplacesAHungWorkerThenFailsAfterTheAttemptLimit() async throws {
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("hang", requestTimeout: .milliseconds(300), maxAttempts: 2),
            logger: WorkerFixtures.logger)
        try await pool.start()
        let first = await pool.status().pids
        let started = ContinuousClock.now
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        // Two 300 ms timeouts and a respawn; the bound only proves nobody waits for the hung worker.
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(failure.cause == .timedOut(after: .milliseconds(300)))
        #expect(failure.attempts == 2)
        #expect(failure.module == "fixture")
        #expect(await pool.status().restarts == 2)
        #expect(await WorkerFixtures.remaining(first).isEmpty)
        let replacement = await pool.status().pids
        await pool.shutdown()
        #expect(await WorkerFixtures.remaining(replacement).isEmpty)
    }

    @Test func enforcesATimeoutLongerThanTheIOThreadsPollHorizon() async throws {
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("hang", requestTimeout: .milliseconds(1300), maxAttempts: 1),
            logger: WorkerFixtures.logger)
        try await pool.start()
        let started = ContinuousClock.now
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        let elapsed = ContinuousClock.now - started
        #expect(failure.cause == .timedOut(after: .milliseconds(1300)))
        #expect(elapsed >= .milliseconds(1300) && elapsed < .milliseconds(2000), "\(elapsed)")
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
        #expect(growth < 40 << 20, "resident memory grew by \(growth >> 20) MiB")
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
        #expect(failure.cause == .invalidFinding(reason: "criterion NOPE-1 was not declared by the module"))
        await pool.shutdown()
    }

    @Test func failsARequestWhoseFindingScoresOutsideTheRange() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("bad-score", maxAttempts: 1), logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .invalidFinding(reason: "score 170 for FIX-1 is outside 0...100"))
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
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("never-ready", startTimeout: .milliseconds(300)), logger: WorkerFixtures.logger)
        await #expect {
            try await pool.start()
        } throws: { error in
            guard case WorkerPoolError.handshakeFailed(_, _, let reason, _) = error else { return false }
            return reason.contains("no ready line")
        }
        #expect(await pool.status().state.name == "failing")
        #expect(await pool.status().state.description.contains("retry in"))
        let started = ContinuousClock.now
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(ContinuousClock.now - started < .milliseconds(100))
        guard case .unavailable(let reason) = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        #expect(reason.contains("failing"))
        #expect(await pool.status().workers == 0)
        await pool.shutdown()
    }

    @Test func opensTheCircuitWhenAModuleKeepsExitingAfterReady() async throws {
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("exit-after-ready", restartLimit: 3), logger: WorkerFixtures.logger)
        _ = try? await pool.start()
        let deadline = ContinuousClock.now + .seconds(10)
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

    @Test func probesAgainAfterTheBackOff() async throws {
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration(
                "never-ready", startTimeout: .milliseconds(200), initialBackoff: .milliseconds(300)),
            logger: WorkerFixtures.logger)
        _ = try? await pool.start()
        #expect(await pool.evaluate(WorkerFixtures.input).failure?.attempts == 0)
        #expect(await pool.status().restarts == 1)
        try await Task.sleep(for: .milliseconds(350))
        // The back-off has passed: the next request starts one probe worker, which fails again.
        _ = await pool.evaluate(WorkerFixtures.input)
        #expect(await pool.status().restarts == 2)
        #expect(await pool.status().state.name == "failing")
        await pool.shutdown()
    }

    @Test func aWorkerOverItsCPULimitIsKilledByTheKernelAndReported() async throws {
        let limits = ResourceLimits(cpuSeconds: 1, addressSpaceBytes: 2 << 30, openFiles: 64)
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("cpu-hog", requestTimeout: .seconds(10), maxAttempts: 1, limits: limits),
            logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        #expect(failure.cause == .crashed(.signalled(SIGXCPU)) || failure.cause == .crashed(.signalled(SIGKILL)), "\(failure)")
        await pool.shutdown()
    }

    @Test func aWorkerOverItsAddressSpaceLimitCrashesAndIsReported() async throws {
        let limits = ResourceLimits(cpuSeconds: 60, addressSpaceBytes: 768 << 20, openFiles: 64)
        let pool = WorkerPool(
            configuration: WorkerFixtures.configuration("memory-hog", requestTimeout: .seconds(10), maxAttempts: 1, limits: limits),
            logger: WorkerFixtures.logger)
        let failure = try #require(await pool.evaluate(WorkerFixtures.input).failure)
        guard case .crashed = failure.cause else { Issue.record("cause \(failure.cause)"); return }
        #expect(failure.stderrTail.contains { $0.contains("malloc failed") }, "\(failure)")
        await pool.shutdown()
    }
}
