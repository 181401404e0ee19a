/// An actor that owns one PostgreSQL connection on a thread of its own, for async code.
///
/// Who reconnects: the session does. A call that finds the connection lost throws
/// `PostgresError.connectionLost` (the caller decides whether its work may be retried); the next
/// call opens a fresh connection with the same conninfo. LISTEN registrations are replayed on the
/// new connection.
public actor PostgresSession {
    private let executor: DedicatedThreadExecutor
    private let conninfo: String
    private let applicationName: String
    private var connection: PostgresConnection?
    private var channels: Set<String> = []

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// A session for `conninfo` (URL, conninfo string, or "" for the `PG*` variables). Connects lazily.
    public init(conninfo: String, applicationName: String = "cluster-review") {
        self.conninfo = conninfo
        self.applicationName = applicationName
        self.executor = DedicatedThreadExecutor(name: "postgres-\(applicationName)")
    }

    deinit { executor.stop() }

    /// Runs `body` with the connection, connecting first if needed. Blocking inside `body` is fine:
    /// it runs on this session's own thread.
    public func run<T: Sendable>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let live = try current()
        do {
            return try body(live)
        } catch let error as PostgresError where error.isConnectionLoss {
            connection = nil
            throw error
        }
    }

    /// Runs `body` in a transaction (see `PostgresConnection.transaction`).
    public func transaction<T: Sendable>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try run { try $0.transaction(body) }
    }

    /// LISTENs on `channel`, now and on every future connection of this session.
    public func listen(_ channel: String) throws {
        channels.insert(channel)
        try run { try $0.listen(channel) }
    }

    /// Waits up to `timeout` for a notification; nil on timeout.
    public func waitForNotification(timeout: Duration) throws -> Notification? {
        try run { try $0.waitForNotification(timeout: timeout) }
    }

    /// Closes the connection; the next call reconnects.
    public func close() {
        connection?.close()
        connection = nil
    }

    private func current() throws -> PostgresConnection {
        if let connection, connection.isOpen { return connection }
        connection = nil
        let fresh = try PostgresConnection(conninfo, applicationName: applicationName)
        for channel in channels.sorted() { try fresh.listen(channel) }
        connection = fresh
        return fresh
    }
}
