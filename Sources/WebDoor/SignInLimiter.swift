import Foundation

/// Bounds sign-in attempts, in memory: failed attempts per login and all attempts per address
/// (the client's, from nginx), each within a sliding window.
///
/// A login that failed `loginFailures` times within `window` is refused (429) until the oldest of
/// those failures leaves the window, whatever the password: guessing one person's password costs
/// hours. An address that tried `addressAttempts` times within `window` is refused likewise:
/// trying many logins from one place is slow too. A success clears the login's failures. The tables
/// hold at most `maxEntries` keys each; past that the entry seen least recently is dropped, so
/// memory stays bounded whatever a client sends.
public final class SignInLimiter: @unchecked Sendable {
    // @unchecked: `logins` and `addresses` are read and written only while `lock` is held; the
    // rest is immutable.
    /// The bounds.
    public struct Limits: Sendable, Hashable {
        /// Failed sign-ins of one login within `window` (default 5).
        public var loginFailures = 5
        /// Sign-in attempts from one address within `window` (default 20).
        public var addressAttempts = 20
        /// The sliding window (default 15 minutes).
        public var window: Duration = .seconds(15 * 60)
        /// Keys kept per table at most (default 10,000).
        public var maxEntries = 10_000

        public init() {}
    }

    /// Why an attempt is refused, and for how long.
    public struct Refusal: Sendable, Hashable {
        /// True when the login's failures refused it, false when the address's attempts did.
        public var byLogin: Bool
        /// How long until the next attempt may be made.
        public var retryAfter: Duration
    }

    private let limits: Limits
    private let now: @Sendable () -> ContinuousClock.Instant
    private let lock = NSLock()
    /// Times of failed sign-ins per login (lower-cased). Guarded by lock.
    private var logins: [String: [ContinuousClock.Instant]] = [:]
    /// Times of sign-in attempts per address. Guarded by lock.
    private var addresses: [String: [ContinuousClock.Instant]] = [:]

    /// A limiter with `limits`, reading time from `now` (tests move it by hand).
    public init(limits: Limits = Limits(), now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.limits = limits
        self.now = now
    }

    /// Decides an attempt to sign in as `login` from `address`: nil when it may go ahead (and then
    /// it is counted against the address), the refusal otherwise (counted nowhere).
    public func admit(login: String, address: String) -> Refusal? {
        let time = now()
        return lock.withLock {
            let key = login.lowercased()
            let failures = recent(logins[key], time)
            if failures.count >= limits.loginFailures, let oldest = failures.first {
                return Refusal(byLogin: true, retryAfter: oldest + limits.window - time)
            }
            var attempts = recent(addresses[address], time)
            if attempts.count >= limits.addressAttempts, let oldest = attempts.first {
                return Refusal(byLogin: false, retryAfter: oldest + limits.window - time)
            }
            attempts.append(time)
            store(&addresses, address, attempts)
            return nil
        }
    }

    /// Records a failed sign-in of `login`.
    public func failed(login: String) {
        let time = now()
        lock.withLock {
            let key = login.lowercased()
            store(&logins, key, recent(logins[key], time) + [time])
        }
    }

    /// Records a successful sign-in of `login`: its failures are forgotten.
    public func succeeded(login: String) {
        _ = lock.withLock { logins.removeValue(forKey: login.lowercased()) }
    }

    private func recent(_ times: [ContinuousClock.Instant]?, _ time: ContinuousClock.Instant) -> [ContinuousClock.Instant] {
        (times ?? []).filter { time - $0 < limits.window }
    }

    private func store(_ table: inout [String: [ContinuousClock.Instant]], _ key: String, _ times: [ContinuousClock.Instant]) {
        table[key] = times
        if table.count > limits.maxEntries {
            // Drop the key whose latest event is oldest.
            if let stale = table.min(by: { ($0.value.last ?? now()) < ($1.value.last ?? now()) })?.key { table[stale] = nil }
        }
    }
}
