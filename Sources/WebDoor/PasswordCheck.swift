import Dispatch
import Foundation
import Postgres

/// Proves a person's password the only way the database's own rules allow: by connecting as them,
/// once, to the door's server and database (then closing at once). And makes sure the server does
/// check it: a server that lets a login in with any password (`trust`, as the private server of
/// `.local/` does) would let anybody sign in as anybody, so the door refuses to work with it.
///
/// The check tries a random wrong password once: at start with a login the door may become, or,
/// when there is none yet, at the first sign-in with the login signing in. Connecting succeeds →
/// passwords are not checked. (The server logs that one failed attempt.)
actor PasswordCheck {
    /// What is known of the server.
    enum State: Sendable, Equatable {
        case unknown
        /// A wrong password was refused.
        case checked
        /// A wrong password was accepted for `login`: the server trusts its clients.
        case notChecked(login: String)
    }

    private let conninfo: String
    private(set) var state: State = .unknown
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let concurrency: Int

    init(conninfo: String, concurrency: Int) {
        self.conninfo = conninfo
        self.concurrency = max(1, concurrency)
    }

    /// Tries a wrong password for `login`; records and returns the state.
    @discardableResult
    func probe(login: String) async -> State {
        if state != .unknown { return state }
        let wrong = SessionToken.random().cookieValue
        let accepted = await connects(login: login, password: wrong)
        if state == .unknown { state = accepted ? .notChecked(login: login) : .checked }
        return state
    }

    /// True when `password` is `login`'s: the server let `login` in with it. At most `concurrency`
    /// connections are attempted at once; the rest wait their turn.
    func verify(login: String, password: String) async -> Bool {
        await connects(login: login, password: password)
    }

    private func connects(login: String, password: String) async -> Bool {
        await acquireSlot()
        defer { releaseSlot() }
        let conninfo = self.conninfo
        return await withCheckedContinuation { continuation in
            // A blocking connect (with SCRAM's key stretching) on a thread of its own, never on the
            // cooperative pool.
            Thread.detachNewThread {
                let connection = try? PostgresConnection(conninfo, applicationName: "cluster-review web sign-in", user: login, password: password)
                connection?.close()
                continuation.resume(returning: connection != nil)
            }
        }
    }

    private func acquireSlot() async {
        if running < concurrency {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }  // the slot is handed over
    }

    private func releaseSlot() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
