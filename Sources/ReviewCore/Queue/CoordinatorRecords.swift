import Foundation
import IndicatorKit
import Postgres
import ModuleHost

/// One coordinator's entry in `coordinators`: its heartbeat and its module workers, for `status`.
public struct CoordinatorRecord: Sendable, Codable, Equatable {
    public struct Module: Sendable, Codable, Equatable {
        public var id: String
        public var version: String?
        public var state: String
        public var workers: Int
        public var restarts: Int
        public var served: Int
        public var failed: Int
        /// The circuit: `closed` while the module serves, `open` while it is failing or incompatible.
        public var circuit: String?
        /// Why the circuit is open.
        public var reason: String?
        /// Seconds until the next probe, while the circuit is open.
        public var retryInSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case id, version, state, workers, restarts, served, failed, circuit, reason
            case retryInSeconds = "retry_in_seconds"
        }
    }

    public var name: String
    public var heartbeatAgeSeconds: Int
    public var inFlight: Int
    public var completed: Int
    public var modules: [Module]
}

/// The `coordinators` table: every statement that touches it lives here.
public enum CoordinatorRecords {
    /// Records this coordinator's heartbeat and module states.
    public static func beat(
        name: String, inFlight: Int, completed: Int, pools: [WorkerPoolStatus], on connection: PostgresConnection
    ) throws {
        let modules = pools.map { pool -> CoordinatorRecord.Module in
            var circuit = "closed", reason: String?
            switch pool.state {
            case .failing(let why, _): (circuit, reason) = ("open", why)
            case .incompatible(let why): (circuit, reason) = ("open", why)
            default: break
            }
            return CoordinatorRecord.Module(
                id: pool.moduleId, version: pool.descriptor?.version, state: pool.state.name, workers: pool.workers,
                restarts: pool.restarts, served: pool.served, failed: pool.failed, circuit: circuit,
                reason: reason.map { ReviewText.clean($0, limit: 500) }, retryInSeconds: pool.retryInSeconds)
        }
        try connection.queryPrepared("""
            INSERT INTO coordinators (name, heartbeat_at, in_flight, completed, modules)
            VALUES ($1, now(), $2, $3, $4)
            ON CONFLICT (name) DO UPDATE
            SET heartbeat_at = now(), in_flight = excluded.in_flight, completed = excluded.completed, modules = excluded.modules
            """, [name, inFlight, completed, try JSONB(encoding: modules)])
    }

    /// The channel coordinators LISTEN on (`coordinator_channel()`, sql/026): derived from a secret
    /// only the coordinator's role may learn, so no other login hears when work arrives.
    public static func channel(on connection: PostgresConnection) throws -> String {
        try connection.queryRow("SELECT coordinator_channel() AS channel").decode("channel")
    }

    /// Removes this coordinator's entry (a clean shutdown).
    public static func remove(name: String, on connection: PostgresConnection) throws {
        try connection.query("DELETE FROM coordinators WHERE name = $1", name)
    }

    /// Coordinators that beat within the last `within`, newest first.
    public static func live(within: Duration = .seconds(60), on connection: PostgresConnection) throws -> [CoordinatorRecord] {
        let rows = try connection.query("""
            SELECT c.name, extract(epoch FROM now() - c.heartbeat_at)::bigint AS age, c.in_flight, modules,
                   -- Counted from the reviews themselves, not the heartbeat: right the moment a review is written.
                   (SELECT count(*) FROM reviews r WHERE r.coordinator = c.name AND r.outcome = 'completed'
                                                     AND r.finished_at >= c.started_at)::bigint AS completed
            FROM coordinators c
            WHERE c.heartbeat_at > now() - $1::interval
            ORDER BY heartbeat_at DESC
            """, ReviewQueue.interval(within)).rows
        return try rows.map { row in
            CoordinatorRecord(
                name: try row.decode("name"), heartbeatAgeSeconds: try row.decode("age"), inFlight: try row.decode("in_flight"),
                completed: Int(try row.decode("completed", as: Int64.self)),
                modules: try row.decode("modules", as: JSONB.self).decode([CoordinatorRecord.Module].self))
        }
    }
}
