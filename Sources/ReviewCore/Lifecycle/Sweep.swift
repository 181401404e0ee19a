import Foundation
import IndicatorKit
import Postgres

/// One thing a sweep found: a notice, an expiry, or a revocation on an Art. 14 ground.
public struct SweepAction: Sendable, Hashable, Codable {
    /// The action id (for `sweep confirm|dismiss`).
    public var id: Int64
    /// The register entry.
    public var clusterId: Int64
    /// `recognize`, `expiry_notice`, `expire` or `revoke`.
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

/// One slot of the sweep as `sweeps` records it: the daily run of a day, or a run for an as-of date.
public struct SweepRun: Sendable, Hashable, Codable {
    /// `daily:2026-04-01` or `as-of:2026-04-01`.
    public var slot: String
    /// The day it judged.
    public var asOf: CivilDate
    /// How many times the slot ran (a rerun records nothing twice).
    public var runs: Int
    /// When it last ran, and who ran it (an administrator's login or a coordinator's).
    public var lastRunAt: Date
    public var lastRunBy: String
    /// The actions the slot recorded.
    public var actions: Int
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
    /// The notifications this run wrote for the day (`notify_due`, sql/122: entries expiring in
    /// 90/30 days, annual reports due or missing); 0 on a dry run or when written already.
    public var notices: Int = 0
}

/// The sweep (Art. 12–14): finds, for an as-of date, what the measures say must happen, and
/// records each action once. The one Swift place for `sweeps` and `sweep_actions`.
///
/// The work is `run_sweep` in sql/022: set-based (one INSERT … SELECT per ground), excluded by a
/// lock no login can take (a second sweep waits, then stops with `.sweepRunning`), idempotent
/// through a unique key per action, so running it again, or from two processes at once, adds
/// nothing twice. Dates come from the database clock: a sweep records as of today; a future day
/// is only a dry run; a past day is an administrator's backfill with a reason. The coordinator's
/// login may run the daily slot due (`daily:D`, D today or yesterday) and nothing else. A run that
/// keeps its work also writes the day's notifications (`notify_due`) in the same transaction.
public struct Sweep {
    /// The connection it runs on.
    public let connection: PostgresConnection

    /// The states a sweep action can be in (the CHECK of `sweep_actions.state`).
    public static let actionStates = ["notice", "applied", "proposed", "confirmed", "dismissed"]

    /// A sweep on `connection`.
    public init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    /// Runs the sweep for `asOf` (nil: today by the database clock) under `slot` (nil: `as-of:DATE`).
    /// A past `asOf` needs an administrator and a `reason`, recorded in the audit log; a future one
    /// is refused unless `dryRun`. A dry run (`preview_sweep`) does the same work in a transaction
    /// the database always rolls back: it shows what would be recorded and keeps nothing.
    public func run(asOf: CivilDate? = nil, slot: String? = nil, reason: String? = nil, dryRun: Bool = false) throws -> SweepReport {
        try LifecycleError.mapping {
            let day = try asOf ?? civil(connection.queryRow("SELECT cr_today()::text AS today"), "today")
            let slotName = slot ?? "as-of:\(day)"
            if dryRun {
                let actions = try connection.query("SELECT \(Sweep.columns) FROM preview_sweep($1::date, $2) a", [day.description, slotName])
                return SweepReport(asOf: day, slot: slotName, dryRun: true, actions: try actions.rows.map(Sweep.action))
            }
            // The sweep and the day's notices (sql/122's notify_due) in one transaction: the
            // caller's, when it has begun one (its sweep's lock is held until it commits), or ours.
            let work = { (connection: PostgresConnection) throws -> SweepReport in
                let actions = try connection.query("SELECT \(Sweep.columns) FROM run_sweep($1::date, $2, $3) a", [day.description, slotName, reason])
                let notices: Int = try connection.queryRow("SELECT notify_due($1::date) AS n", [day.description]).decode("n")
                return SweepReport(asOf: day, slot: slotName, dryRun: false, actions: try actions.rows.map(Sweep.action), notices: notices)
            }
            return connection.isInTransactionBlock ? try work(connection) : try connection.transaction(work)
        }
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

    /// The latest `limit` sweep runs, the most recent first: each slot with its as-of date, how
    /// often it ran, when it last ran and who ran it, and how many actions it recorded.
    public func recentRuns(limit: Int = 20) throws -> [SweepRun] {
        try connection.query(
            """
            SELECT s.slot, s.as_of::text AS as_of, s.runs, s.last_run_at, s.last_run_by,
                   (SELECT count(*) FROM sweep_actions a WHERE a.sweep_id = s.id)::bigint AS actions
            FROM sweeps s ORDER BY s.last_run_at DESC, s.id DESC LIMIT $1
            """, [max(1, limit)]
        ).rows.map { row in
            SweepRun(
                slot: try row.decode("slot"), asOf: try civil(row, "as_of"), runs: try row.decode("runs"),
                lastRunAt: try row.decode("last_run_at"), lastRunBy: try row.decode("last_run_by"),
                actions: Int(try row.decode("actions", as: Int64.self)))
        }
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
