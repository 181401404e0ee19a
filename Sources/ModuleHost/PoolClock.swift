/// Where a worker pool reads the time for its own bookkeeping: the restart window, the circuit's
/// back-off (`retryAt`) and when a probe may start.
///
/// Only that bookkeeping reads it. Deadlines against real processes (start, request, stop and
/// reap) are enforced by each worker's I/O thread on the monotonic clock and never come from
/// here. Pools use `.continuous`; a test passes a clock it advances by hand, so back-off and
/// circuit behaviour is tested without sleeping.
struct PoolClock: Sendable {
    /// The current instant.
    let now: @Sendable () -> ContinuousClock.Instant

    /// A clock reading `now`.
    init(now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.now = now
    }

    /// The real clock, `ContinuousClock.now`.
    static let continuous = PoolClock { ContinuousClock.now }
}
