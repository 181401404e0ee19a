import Foundation
import IndicatorKit
import Postgres
import ClusterStandard

/// The life of a recognition, as calls to the SQL functions of sql/004–005: confirmations,
/// decisions, public notice and objections, change reports, incidents and false-filing flags.
///
/// Each method is one function call, hence one transaction: the function checks the transition,
/// makes it and appends the audit rows, or refuses with a `LifecycleError` and changes nothing.
///
/// Dates come from the database clock (`cr_today()`, Asia/Shanghai): `on: nil` is today. A stated
/// day after today, or before the record's own date (the filing's, the report's), is refused for
/// everyone (`.dateRefused`, CR011); a day before today is an administrator's, with a `reason`
/// the audit log records (42501 for anyone else, `.reasonRequired` without a reason).
public struct Lifecycle {
    /// The connection every call runs on.
    public let connection: PostgresConnection

    /// Lifecycle operations on `connection`.
    public init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    /// A reviewer's decision on a reviewed filing.
    public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
        /// Approve: an initial filing enters public notice; a recertification extends validity.
        case approve
        /// Refuse, naming the grounds.
        case refuse
        /// Return to the county for a corrected filing (linked through `filings.supersedes`).
        case `return`
    }

    /// Accepts or rejects one `manual` finding of the filing's latest review, or acknowledges one
    /// `warn` finding (accepted, or rejected: it then blocks approval). A later confirmation of the
    /// same finding replaces the earlier one until the filing is decided (the audit log keeps
    /// both); after the decision it is final (`.alreadyDone`, CR009). Returns the confirmation id.
    @discardableResult
    public func confirm(filing: Int64, criterion: String, accept: Bool, note: String) throws -> Int64 {
        try call("SELECT confirm_finding($1, $2, $3, $4) AS id", [filing, criterion, accept, note])
    }

    /// One finding confirmed by `confirm(filing:criteria:accept:note:)`.
    public struct ConfirmedFinding: Sendable, Hashable {
        /// The criterion, e.g. `COMP-9`.
        public var criterion: String
        /// Its confirmation's id.
        public var id: Int64
    }

    /// Confirms several findings with one word and one note, each recorded separately (its own
    /// confirmation and audit row), in one transaction: all of them, or none when one is refused.
    /// `criteria` nil means every `manual` finding of the latest review. In criterion order.
    @discardableResult
    public func confirm(filing: Int64, criteria: [String]?, accept: Bool, note: String) throws -> [ConfirmedFinding] {
        try LifecycleError.mapping {
            try connection.query(
                "SELECT criterion, confirmation_id FROM confirm_findings($1, $2::text[], $3, $4)",
                [filing, criteria.map { TextArray($0) }, accept, note]
            ).rows.map { ConfirmedFinding(criterion: try $0.decode("criterion"), id: try $0.decode("confirmation_id")) }
        }
    }

    /// Decides a reviewed filing; `grounds` is required to refuse. Returns the decision id.
    @discardableResult
    public func decide(
        filing: Int64, _ decision: Decision, note: String, grounds: String? = nil, on day: CivilDate? = nil, reason: String? = nil
    ) throws -> Int64 {
        try call("SELECT decide($1, $2, $3, $4, $5::date, $6) AS id", [filing, decision.rawValue, note, grounds, day?.description, reason])
    }

    /// Files an objection during the filing's notice period. Returns the objection id.
    @discardableResult
    public func fileObjection(
        filing: Int64, by objector: String, reason: String, evidence: [String] = [], on day: CivilDate? = nil, dateReason: String? = nil
    ) throws -> Int64 {
        try call(
            "SELECT file_objection($1, $2, $3, $4, $5::date, $6) AS id",
            [filing, objector, reason, TextArray(evidence), day?.description, dateReason])
    }

    /// Upholds or dismisses a pending objection.
    public func resolveObjection(_ objection: Int64, upheld: Bool, note: String) throws {
        try LifecycleError.mapping { _ = try connection.query("SELECT resolve_objection($1, $2, $3)", [objection, upheld, note]) }
    }

    /// Closes the filing's notice after its last day: returns the new register entry's id, or
    /// nil when an objection was upheld and the filing went back to the reviewer.
    @discardableResult
    public func closePublicity(filing: Int64, on day: CivilDate? = nil, reason: String? = nil) throws -> Int64? {
        try LifecycleError.mapping {
            try connection.queryRow("SELECT close_publicity($1, $2::date, $3) AS id", [filing, day?.description, reason])
                .decode("id", as: Int64?.self)
        }
    }

    /// The filing's latest notice, or nil when it never entered one.
    public func notice(filing: Int64) throws -> PublicityNotice? {
        let rows = try connection.query(
            """
            SELECT id, filing_id, starts_on::text, ends_on::text, state, closed_on::text FROM publicity_notices
            WHERE filing_id = $1 ORDER BY id DESC LIMIT 1
            """, [filing]).rows
        guard let row = rows.first else { return nil }
        let objections = try connection.query(
            "SELECT id, objector, reason, evidence::text, filed_on::text, state, resolution FROM objections WHERE notice_id = $1 ORDER BY id",
            [try row.decode("id", as: Int64.self)]
        ).rows.map { row in
            Objection(
                id: try row.decode("id"), objector: try row.decode("objector"), reason: try row.decode("reason"),
                evidence: try row.decode("evidence"), filedOn: try civil(row, "filed_on"), state: try row.decode("state"),
                resolution: try row.decode("resolution"))
        }
        return PublicityNotice(
            id: try row.decode("id"), filingId: try row.decode("filing_id"), startsOn: try civil(row, "starts_on"),
            endsOn: try civil(row, "ends_on"), state: try row.decode("state"), closedOn: try optionalCivil(row, "closed_on"),
            objections: objections)
    }

    /// Accepts a pending change report: the register takes the reported values.
    public func acceptChangeReport(filing: Int64, note: String, on day: CivilDate? = nil, reason: String? = nil) throws {
        try LifecycleError.mapping {
            _ = try connection.query("SELECT accept_change_report($1, $2, $3::date, $4)", [filing, note, day?.description, reason])
        }
    }

    /// Rejects a pending change report (a note is required); the register keeps its values.
    public func rejectChangeReport(filing: Int64, note: String, on day: CivilDate? = nil, reason: String? = nil) throws {
        try LifecycleError.mapping {
            _ = try connection.query("SELECT reject_change_report($1, $2, $3::date, $4)", [filing, note, day?.description, reason])
        }
    }

    /// Records an incident at an enterprise (Art. 14(5)); it cannot have occurred after today. Returns its id.
    @discardableResult
    public func recordIncident(_ incident: ClusterStandard.Incident, source: String) throws -> Int64 {
        try call(
            "SELECT record_incident($1, $2::date, $3, $4, $5, $6) AS id",
            [incident.enterpriseCode, incident.date.description, incident.category, incident.grade, source, incident.description ?? ""])
    }

    /// Flags a false filing or an illegal act against a register entry (Art. 14(2)). Returns the flag id.
    @discardableResult
    public func flagFalseFiling(cluster: Int64, filing: Int64?, note: String, on day: CivilDate? = nil, reason: String? = nil) throws -> Int64 {
        try call("SELECT flag_false_filing($1, $2, $3, $4::date, $5) AS id", [cluster, filing, note, day?.description, reason])
    }

    /// Records that register entry `cluster` refused monitoring (拒不配合监测, Art. 14(3)), dated today
    /// or `day` (as for a false-filing flag); a reviewer's act. The sweep then proposes revocation on
    /// 14(3). Returns the refusal's id.
    public func recordMonitoringRefusal(cluster: Int64, note: String, on day: CivilDate? = nil, reason: String? = nil) throws -> Int64 {
        try call("SELECT record_monitoring_refusal($1, $2, $3::date, $4) AS id", [cluster, note, day?.description, reason])
    }

    /// Confirms (the cluster is revoked on the action's ground) or dismisses a proposed revocation.
    public func resolveSweepAction(_ action: Int64, confirm: Bool, note: String, on day: CivilDate? = nil, reason: String? = nil) throws {
        try LifecycleError.mapping {
            _ = try connection.query(
                "SELECT resolve_sweep_action($1, $2, $3, $4::date, $5)", [action, confirm, note, day?.description, reason])
        }
    }

    /// Copies the settings and the holiday calendar into the database (`lifecycle_settings`,
    /// `calendar_days`) in one transaction, so the SQL functions count days as the config says.
    /// Only an administrator may change them (docs/security.md): for anyone else this does nothing
    /// and the settings on record stand.
    public func install(settings: LifecycleSettings, calendar: WorkingCalendar) throws {
        let allowed: Bool = try connection.queryRow("""
            SELECT has_table_privilege('lifecycle_settings', 'UPDATE')
               AND has_table_privilege('calendar_days', 'INSERT, DELETE') AS allowed
            """).decode("allowed")
        guard allowed else { return }
        let days = calendar.holidays.map { ($0.key, "holiday", $0.value) } + calendar.workdays.map { ($0.key, "workday", $0.value) }
        try connection.transaction { connection in
            _ = try connection.query(
                """
                UPDATE lifecycle_settings SET publicity_working_days = $1, expiry_notice_days = $2,
                    revocation_mode = $3, validity_years = $4, sweep_wait_seconds = $5, recheck_window_days = $6,
                    watch_margin = $7::numeric
                """, [settings.publicityWorkingDays, settings.expiryNoticeDays, settings.revocationMode, settings.validityYears,
                      settings.sweepWaitSeconds, settings.recheckWindowDays, "\(settings.watchMargin)"])
            _ = try connection.query("DELETE FROM calendar_days")
            _ = try connection.query(
                "INSERT INTO calendar_days (day, kind, name) SELECT * FROM unnest($1::date[], $2::text[], $3::text[])",
                [TextArray(days.map { $0.0.description }), TextArray(days.map { $0.1 }), TextArray(days.map { $0.2 })])
        }
    }

    /// Loads `lifecycle.json` and `calendar.json` from `configDirectory` (either may be absent:
    /// defaults and weekends only) and installs them.
    public func install(configDirectory: URL) throws {
        let settingsURL = configDirectory.appendingPathComponent("lifecycle.json")
        let calendarURL = configDirectory.appendingPathComponent("calendar.json")
        let exists = { (url: URL) in FileManager.default.fileExists(atPath: url.path) }
        try install(
            settings: exists(settingsURL) ? try LifecycleSettings.load(from: settingsURL) : LifecycleSettings(),
            calendar: exists(calendarURL) ? try WorkingCalendar.load(from: calendarURL) : WorkingCalendar())
    }

    private func call(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> Int64 {
        try LifecycleError.mapping { try connection.queryRow(sql, parameters).decode("id", as: Int64.self) }
    }
}

/// A filing's public notice (公示) and its objections.
public struct PublicityNotice: Sendable, Hashable, Codable {
    /// The notice id.
    public var id: Int64
    /// The approved filing.
    public var filingId: Int64
    /// First day objections are accepted.
    public var startsOn: CivilDate
    /// Last day objections are accepted.
    public var endsOn: CivilDate
    /// `open`, `recognized` or `objection_upheld`.
    public var state: String
    /// When it was closed, if it was.
    public var closedOn: CivilDate?
    /// The objections filed against it, oldest first.
    public var objections: [Objection]
}

/// An objection filed during a public notice.
public struct Objection: Sendable, Hashable, Codable {
    /// The objection id.
    public var id: Int64
    /// Who filed it.
    public var objector: String
    /// Why.
    public var reason: String
    /// The evidence, as a PostgreSQL array literal of references.
    public var evidence: String
    /// The day it was filed.
    public var filedOn: CivilDate
    /// `pending`, `upheld` or `dismissed`.
    public var state: String
    /// The note of whoever resolved it.
    public var resolution: String?
}

/// Reads a `date` column selected as `::text`.
func civil(_ row: Row, _ column: String) throws -> CivilDate {
    let text: String = try row.decode(column)
    guard let day = CivilDate(text) else { throw PostgresError.decoding(column: column, expected: "CivilDate", found: text) }
    return day
}

/// Reads a nullable `date` column selected as `::text`.
func optionalCivil(_ row: Row, _ column: String) throws -> CivilDate? {
    guard let text: String = try row.decode(column) else { return nil }
    guard let day = CivilDate(text) else { throw PostgresError.decoding(column: column, expected: "CivilDate", found: text) }
    return day
}
