import Foundation
import IndicatorKit
import Testing

@testable import ModuleHost

/// The state machines of a worker's life: the pool's `WorkerState`, the channel's stop and exit
/// stages.
@Suite struct WorkerStateTests {
    typealias State = WorkerPool.WorkerState

    static let life: [(State, Set<State>)] = [
        (.starting, [.idle, .busy, .ending]),
        (.idle, [.busy, .ending]),
        (.busy, [.idle, .busy, .ending]),
        (.ending, []),
    ]

    @Test func aWorkersLifeAllowsOnlyItsChanges() {
        for (state, successors) in Self.life {
            #expect(state.successors == successors, "\(state)")
        }
    }

    @Test func nothingComesBackFromEnding() {
        for state in [State.starting, .idle, .busy, .ending] {
            #expect(!State.ending.successors.contains(state))
        }
        #expect(!State.idle.successors.contains(.starting), "a worker starts once")
    }

    @Test func aStopStepIsDueOnlyWhileWaiting() {
        typealias Stage = WorkerChannel.StopStage
        #expect(Stage.running.deadline == .max)
        #expect(Stage.askedToExit(until: 5).deadline == 5)
        #expect(Stage.terminated(until: 7).deadline == 7)
        #expect(Stage.killed.deadline == .max)
    }

    /// The table the pool keeps is what its status shows: idle workers, then one busy for the
    /// length of a request held open by a gate, then idle again.
    @Test func thePoolShowsEachWorkerIdleOrBusy() async throws {
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)").path
        defer { unlink(gate) }
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("gated", extra: [gate], workers: 2), logger: WorkerFixtures.logger)
        try await pool.start()
        #expect(await pool.status().workers == 2)
        #expect(await pool.status().idleWorkers == 2)
        let request = Task { await pool.evaluate(WorkerFixtures.input) }
        let deadline = ContinuousClock.now + .seconds(120)
        while await pool.status().idleWorkers != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await pool.status().idleWorkers == 1, "one worker is busy")
        #expect(await pool.status().workers == 2)
        FileManager.default.createFile(atPath: gate, contents: nil)
        #expect(await request.value.findings?.count == 8)
        #expect(await pool.status().idleWorkers == 2)
        await pool.shutdown()
        #expect(await pool.status().workers == 0)
    }

    @Test func aFailedWorkerEndsAndIsReplaced() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("garbage", maxAttempts: 1), logger: WorkerFixtures.logger)
        try await pool.start()
        let first = await pool.status().pids
        _ = await pool.evaluate(WorkerFixtures.input)
        let deadline = ContinuousClock.now + .seconds(120)
        while await pool.status().idleWorkers != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let status = await pool.status()
        #expect(status.workers == 1)
        #expect(status.pids != first)
        await pool.shutdown()
    }
}
