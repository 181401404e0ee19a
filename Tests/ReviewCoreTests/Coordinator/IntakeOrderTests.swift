import Foundation
@testable import ReviewCore
import Synchronization
import Testing

/// One coordinator's intake loops record their batches in the order they claimed them
/// (`IntakeOrder`), so a round's quota is counted in submission order however the loops' work
/// interleaves; a batch that was empty or failed does not hold up the ones after it.
@Suite struct IntakeOrderTests {
    /// Runs `body` on a thread of its own; the returned semaphore is signalled when it is done.
    func onAnotherThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            body()
            done.signal()
        }
        return done
    }

    @Test func aBatchReadyFirstWaitsForTheBatchClaimedBeforeIt() {
        let order = IntakeOrder()
        let (_, first) = order.claim { () }
        let (_, second) = order.claim { () }
        let recorded = Mutex<[Int]>([])
        let secondDone = onAnotherThread {
            order.inTurn(second) { recorded.withLock { $0.append(2) } }
            order.finish(second)
        }
        // The later batch is ready long before the earlier one is recorded.
        Thread.sleep(forTimeInterval: 0.2)
        order.inTurn(first) { recorded.withLock { $0.append(1) } }
        order.finish(first)
        #expect(secondDone.wait(timeout: .now() + 120) == .success)
        #expect(recorded.withLock { $0 } == [1, 2])
    }

    @Test func aBatchFinishedWithoutRecordingLetsTheNextOneGoOn() {
        let order = IntakeOrder()
        let (_, empty) = order.claim { () }
        let (_, next) = order.claim { () }
        order.finish(empty)  // nothing was pending, or its transaction failed
        let done = onAnotherThread {
            order.inTurn(next) {}
            order.finish(next)
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
    }

    @Test func aLaterBatchFinishedEarlyStillWaitsItsTurnBehindAnEarlierOne() {
        let order = IntakeOrder()
        let (_, first) = order.claim { () }
        let (_, second) = order.claim { () }
        let (_, third) = order.claim { () }
        let recorded = Mutex<[Int]>([])
        order.finish(second)  // failed before recording
        let thirdDone = onAnotherThread {
            order.inTurn(third) { recorded.withLock { $0.append(3) } }
            order.finish(third)
        }
        Thread.sleep(forTimeInterval: 0.2)
        order.inTurn(first) { recorded.withLock { $0.append(1) } }
        order.finish(first)
        #expect(thirdDone.wait(timeout: .now() + 120) == .success)
        #expect(recorded.withLock { $0 } == [1, 3])
    }

    @Test func whileNoQuotaIsCountedABatchIsRecordedWithoutWaitingItsTurn() {
        let order = IntakeOrder()
        let (_, first) = order.claim { () }
        let (_, second) = order.claim { () }
        let done = onAnotherThread {
            order.inTurn(second, waiting: false) {}
            order.finish(second)
        }
        #expect(done.wait(timeout: .now() + 120) == .success, "the earlier batch is still being recorded")
        order.finish(first)
    }

    @Test func aClaimThatThrowsTakesNoTicket() {
        struct Lost: Error {}
        let order = IntakeOrder()
        #expect(throws: Lost.self) { try order.claim { throw Lost() } }
        let (_, first) = order.claim { () }
        let done = onAnotherThread {
            order.inTurn(first) {}
            order.finish(first)
        }
        #expect(done.wait(timeout: .now() + 120) == .success, "nobody waits for the failed claim")
    }
}
