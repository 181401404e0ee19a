#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time source of the server's timeouts (read, idle, write, linger, drain grace).
///
/// Tests inject a clock they advance by hand, so a timeout can be shown to fire without waiting
/// for it; production uses `HTTPMonotonicClock`.
public protocol HTTPServerClock: Sendable {
    /// Nanoseconds since an arbitrary fixed origin; never decreases.
    func nanoseconds() -> UInt64
    /// Registers `wake`, to be called whenever the clock jumps forward by other means than the
    /// passing of real time (a manual clock's `advance`), so the server looks at its deadlines
    /// at once. A real clock never calls it.
    func onAdvance(_ wake: @escaping @Sendable () -> Void)
}

extension HTTPServerClock {
    /// A clock that only moves with real time needs no wake-ups.
    public func onAdvance(_ wake: @escaping @Sendable () -> Void) {}
}

/// `CLOCK_MONOTONIC`: unaffected by changes of the wall clock.
public struct HTTPMonotonicClock: HTTPServerClock {
    /// The monotonic clock.
    public init() {}

    /// Nanoseconds of `CLOCK_MONOTONIC`.
    public func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

extension Duration {
    /// Whole nanoseconds, zero for negative durations.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
