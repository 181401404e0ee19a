import Foundation
import IndicatorKit
import Postgres

/// One thing a sweep found: a notice, an expiry, or a revocation on an Art. 14 ground.
public struct SweepAction: Sendable, Hashable, Codable {
    /// The action id (for `sweep confirm|dismiss`).
    public var id: Int64
    /// The register entry.
    public var clusterId: Int64
    /// `expiry_notice`, `expire` or `revoke`.
    public var action: String
    /// `14(1)` … `14(5)` for a revocation, empty otherwise.
    public var ground: String
    /// What the action is about (its identity: an expiry date, a report year, an incident…).
    public var subject: String
    /// `notice`, `applied`, `proposed`, `confirmed` or `dismissed`.
    public var state: String
    /// The as-of date of the sweep that found it.
    public var foundOn: CivilDate
    /// The reason in words (English).
    public var reason: String
    /// The evidence, as JSON text.
    public var evidence: String
}

/// What one sweep run did.
public struct SweepReport: Sendable, Hashable, Codable {
    /// The as-of date.
    public var asOf: CivilDate
    /// The slot (`as-of:DATE` unless given).
    public var slot: String
    /// True when nothing was kept (the run was rolled back).
    public var dryRun: Bool
    /// The actions this run added; empty when earlier runs already found everything.
    public var actions: [SweepAction]
}

/// The sweep (Art. 12–14): finds, for an as-of date, what the measures say must happen, and
/// records each action once. The one Swift place for `sweeps` and `sweep_actions`.
///
/// The work is `run_sweep` in sql/005: set-based (one INSERT … SELECT per ground), serialized by
/// an advisory lock, idempotent through a unique key per action, so running it again, or from two
/// processes at once, adds nothing twice.
public struct Sweep {
    /// The connection it runs on.
    public let connection: PostgresConnection

    /// The states a sweep action can be in (the CHECK of `sweep_actions.state`).
    public static let actionStates = ["notice", "applied", "proposed", "confirmed", "dismissed"]

    /// A sweep on `connection`.
    public init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    /// Runs the sweep for `asOf` (nil: today in Asia/Shanghai). A dry run does the same work in
    /// a transaction it rolls back, so it shows what would be recorded and keeps nothing.
    public func run(asOf: CivilDate? = nil, slot: String? = nil, dryRun: Bool = false) throws -> SweepReport {
        let day = asOf ?? CivilDate.today()
        let slotName = slot ?? "as-of:\(day)"
        let sql = "SELECT \(Sweep.columns) FROM run_sweep($1::date, $2) a"
        let actions: [SweepAction]
        if dryRun {
            try connection.executeScript("BEGIN")
            do {
                actions = try connection.query(sql, [day.description, slotName]).rows.map(Sweep.action)
                try connection.executeScript("ROLLBACK")
            } catch {
                try? connection.executeScript("ROLLBACK")
                throw error
            }
        } else {
            actions = try connection.query(sql, [day.description, slotName]).rows.map(Sweep.action)
        }
        return SweepReport(asOf: day, slot: slotName, dryRun: dryRun, actions: actions)
    }

    /// Actions in `state` (e.g. `proposed`, awaiting an administrator), or all, oldest first;
    /// only those of `cluster` when given.
    public func actions(state: String? = nil, cluster: Int64? = nil) throws -> [SweepAction] {
        try connection.query(
            """
            SELECT \(Sweep.columns) FROM sweep_actions a
            WHERE ($1::text IS NULL OR a.state = $1) AND ($2::bigint IS NULL OR a.cluster_id = $2) ORDER BY a.id
            """, [state, cluster]
        ).rows.map(Sweep.action)
    }

    static let columns = """
        a.id, a.cluster_id, a.action, a.ground, a.subject, a.state, a.found_on::text AS found_on,
        coalesce(a.evidence ->> 'reason', '') AS reason, a.evidence::text AS evidence
        """

    static func action(_ row: Row) throws -> SweepAction {
        SweepAction(
            id: try row.decode("id"), clusterId: try row.decode("cluster_id"), action: try row.decode("action"),
            ground: try row.decode("ground"), subject: try row.decode("subject"), state: try row.decode("state"),
            foundOn: try civil(row, "found_on"), reason: try row.decode("reason"), evidence: try row.decode("evidence"))
    }
}
