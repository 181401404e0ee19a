/// A one-slot wake-up: `signal()` wakes the waiter, or the next `wait` returns at once.
///
/// The coordinator's loop waits on it between claims; notifications, finished reviews and
/// shutdown all signal it, and a timeout bounds every wait (the polling fallback).
actor WakeSignal {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns when signalled or after `timeout`, whichever comes first.
    func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        generation += 1
        let mine = generation
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(mine)
        }
        await withCheckedContinuation { continuation in
            waiter = continuation
        }
        timer.cancel()
    }

    private func expire(_ generation: Int) {
        guard generation == self.generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}
