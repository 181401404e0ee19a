import Foundation
import IndicatorKit
import Postgres

/// The day according to the database (`cr_today()`, Asia/Shanghai), and the simulated clock of a
/// simulation database (sql/020_person_and_clock.sql).
///
/// Lifecycle steps are dated by this clock, never by the caller. A simulation database — the demo's,
/// a test's that walks several years — sets the clock with `simulate(_:reason:on:)`, which only the
/// database owner may do (no login of the system holds the privilege, an administrator included);
/// once set, the database stays marked as a simulation and every lifecycle command says so.
public struct DatabaseClock: Sendable, Hashable, Codable {
    /// Today for the lifecycle.
    public var today: CivilDate
    /// Set when the database runs on a simulated clock: why, who set it, when (text).
    public var simulation: Simulation?

    /// Who set a simulated clock, and why.
    public struct Simulation: Sendable, Hashable, Codable {
        /// The reason given when it was set.
        public var reason: String
        /// The person who set it.
        public var setBy: String
    }

    /// The clock of the database `connection` is on. Staff and the coordinator may read it (42501 otherwise).
    public static func read(on connection: PostgresConnection) throws -> DatabaseClock {
        let row = try connection.queryRow("SELECT today::text AS today, simulated, reason, set_by FROM cr_clock()")
        let simulated: Bool = try row.decode("simulated")
        return DatabaseClock(
            today: try civil(row, "today"),
            simulation: simulated ? Simulation(reason: try row.decode("reason"), setBy: try row.decode("set_by")) : nil)
    }

    /// Sets the simulated clock of this database to `day`, saying why; the owner's alone (42501 for
    /// anyone else, CR004 without a reason). The database stays a simulation from then on.
    public static func simulate(_ day: CivilDate, reason: String, on connection: PostgresConnection) throws {
        try LifecycleError.mapping {
            _ = try connection.query("SELECT set_simulated_clock($1::date, $2)", [day.description, reason])
        }
    }

    /// The notice a lifecycle command prints on a simulation database, in Chinese and English; nil on a real clock.
    public var notice: LocalizedText? {
        guard let simulation else { return nil }
        return LocalizedText(
            zh: "模拟时钟：本数据库为模拟数据库，今天按 \(today) 计（由 \(simulation.setBy) 设置：\(simulation.reason)）",
            en: "simulated clock: this is a simulation database and today is \(today) (set by \(simulation.setBy): \(simulation.reason))")
    }
}
