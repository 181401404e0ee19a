import Foundation
import Postgres

/// The door's connections to the database, as its authenticator: at most `size`, each a
/// `PostgresSession` on a thread of its own, opened on first need and reconnected by the session
/// after a loss. A request borrows one for its one transaction; when all are busy it waits its turn.
actor ConnectionPool {
    private let conninfo: String
    private let size: Int
    private var idle: [PostgresSession] = []
    private var opened = 0
    private var waiters: [CheckedContinuation<PostgresSession, Never>] = []
    /// Requests that had to wait for a connection (for the metrics).
    private(set) var waits = 0

    init(conninfo: String, size: Int) {
        precondition(size > 0, "a pool needs at least one connection")
        self.conninfo = conninfo
        self.size = size
    }

    /// Runs `body` in one transaction on a borrowed connection: committed when it returns, rolled
    /// back when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await borrowing { try await $0.transaction(body) }
    }

    /// Runs `body` on a borrowed connection, which it must leave outside any transaction (it
    /// runs its own, e.g. `WebSessions.asPerson`'s).
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await borrowing { try await $0.run(body) }
    }

    /// Lends a connection to `use` and takes it back however `use` ends.
    private func borrowing<T: Sendable>(_ use: (PostgresSession) async throws -> T) async throws -> T {
        let session = await acquire()
        defer { release(session) }
        return try await use(session)
    }

    /// Closes every idle connection.
    func close() async {
        let sessions = idle
        idle.removeAll()
        for session in sessions { await session.close() }
    }

    private func acquire() async -> PostgresSession {
        if let session = idle.popLast() { return session }
        if opened < size {
            opened += 1
            return PostgresSession(conninfo: conninfo, applicationName: "cluster-review web")
        }
        waits += 1
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func release(_ session: PostgresSession) {
        if waiters.isEmpty {
            idle.append(session)
        } else {
            waiters.removeFirst().resume(returning: session)
        }
    }
}
