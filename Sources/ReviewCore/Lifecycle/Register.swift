import Foundation
import IndicatorKit
import Postgres
import JSONCore

/// One entry of the register (认定名单): a recognized cluster, valid three years (Art. 12).
public struct RegisterEntry: Sendable, Hashable, Codable {
    /// The cluster id.
    public var id: Int64
    /// The certificate number, e.g. `HN-ZXJQ-2026-0001`.
    public var certificateNo: String
    /// The initial filing that was recognized.
    public var filingId: Int64
    /// The filing county.
    public var countyCode: String
    /// The cluster's name.
    public var name: String
    /// The day of recognition (the notice closed).
    public var recognizedOn: CivilDate
    /// The last day of validity.
    public var validUntil: CivilDate
    /// The leading industry (主导产业).
    public var leadingIndustry: String
    /// The spatial extent.
    public var spatialExtent: String
    /// The operating management body's name; empty when no filing stated one.
    public var managementBody: String
    /// Its kind (`FilingSchema.managementBodyKinds`), when a filing stated it (sql/053).
    public var managementBodyKind: String?
    /// The day it was set up, when a filing stated it.
    public var managementBodyEstablishedOn: CivilDate?
    /// Its evidence (statement and documents), when a filing stated it.
    public var managementBodyEvidence: JSONValue?
    /// `active`, `expired` or `revoked`.
    public var status: String
    /// When it was revoked, if it was.
    public var revokedOn: CivilDate?
    /// The Art. 14 ground of the revocation, e.g. `14(3)`.
    public var revocationGround: String?
    /// The revocation's grounds in words.
    public var grounds: String?
    /// How many recertifications extended it.
    public var recertifiedTimes: Int
    /// The plan on record, against which recertification is checked.
    public var plan: JSONValue
    /// The last day of the recheck window after the current term (`validUntil` + `recheck_window_days`):
    /// a recertification filed by then counts for the current term.
    public var recheckUntil: CivilDate

    /// "Expired, recheck pending" on `today`: past its validity, still within the recheck window, not revoked.
    public func recheckPending(on today: CivilDate) -> Bool {
        status == "expired" && today <= recheckUntil
    }
}

/// One term of a register entry (criteria.md: a cluster lives in terms): term 1 from recognition,
/// each later one from the day after the previous term's last day, opened by an approved recertification.
public struct RegisterTerm: Sendable, Hashable, Codable {
    /// 1, 2, 3, …
    public var number: Int
    /// `recognized` (term 1) or `recertified`.
    public var kind: String
    /// The first day of the term.
    public var startsOn: CivilDate
    /// The last day of the term.
    public var endsOn: CivilDate
    /// The filing that opened it: the initial filing or the approved recertification.
    public var filingId: Int64
    /// The day it was decided (the notice closed, or the recertification approved), possibly after `startsOn`.
    public var decidedOn: CivilDate
}

/// An annual or change report filed for a register entry (`annual_reports`, `change_reports`).
public struct RegisterReport: Sendable, Hashable, Codable {
    /// The report's filing.
    public var filingId: Int64
    /// The register entry it is filed for.
    public var clusterId: Int64
    /// `annual_report` or `change_report`.
    public var kind: String
    public var filedOn: CivilDate
    /// The year an annual report covers; nil for a change report.
    public var year: Int?
    /// An annual report: `recorded`; a change report: `pending`, `accepted` or `rejected`.
    public var state: String
    /// A change report's subjects; the register fields an annual report states differently from the register.
    public var subjects: [String]
}

/// Reads the register; the one Swift place that selects from `clusters`.
public enum Register {
    static let columns = """
        id, certificate_no, filing_id, county_code, name, recognized_on::text, valid_until::text, leading_industry,
        spatial_extent, management_body, management_body_kind, management_body_established_on::text, management_body_evidence,
        status, revoked_on::text, revocation_ground, grounds, recertified_times, plan,
        (valid_until + (SELECT recheck_window_days FROM lifecycle_settings))::text AS recheck_until
        """

    /// The entries, by certificate number; only those of `status` when given.
    public static func list(_ connection: PostgresConnection, status: String? = nil) throws -> [RegisterEntry] {
        try connection.query(
            "SELECT \(columns) FROM clusters WHERE $1::text IS NULL OR status = $1 ORDER BY certificate_no", [status]
        ).rows.map(entry)
    }

    /// The entry with id or certificate number `key`, or nil.
    public static func entry(_ connection: PostgresConnection, _ key: String) throws -> RegisterEntry? {
        try connection.query(
            "SELECT \(columns) FROM clusters WHERE certificate_no = $1 OR id::text = $1 LIMIT 1", [key]
        ).rows.first.map(entry)
    }

    /// The terms of `cluster`, first to current.
    public static func terms(_ connection: PostgresConnection, cluster: Int64) throws -> [RegisterTerm] {
        try connection.query(
            """
            SELECT term_no, kind, starts_on::text, ends_on::text, filing_id, decided_on::text FROM cluster_terms
            WHERE cluster_id = $1 ORDER BY term_no
            """, [cluster]
        ).rows.map { row in
            RegisterTerm(
                number: try row.decode("term_no"), kind: try row.decode("kind"), startsOn: try civil(row, "starts_on"),
                endsOn: try civil(row, "ends_on"), filingId: try row.decode("filing_id"), decidedOn: try civil(row, "decided_on"))
        }
    }

    /// What `cluster` is watched for (the view `cluster_watchlist`, sql/100): from the latest
    /// monitoring review of its latest annual report, each criterion it fails or warns on, and each
    /// threshold it passes within `watch_margin` of its bound, with observed value, bound and margin.
    public static func watchlist(_ connection: PostgresConnection, cluster: Int64) throws -> [WatchedFinding] {
        try connection.query(
            """
            SELECT year, filing_id, criterion, verdict, message_zh, message_en, standing, comparator,
                   observed::text, bound::text, margin::text, relative_margin::text
            FROM cluster_watchlist
            WHERE cluster_id = $1 ORDER BY year, criterion
            """, [cluster]
        ).rows.map { row in
            func number(_ column: String) throws -> Decimal? {
                try row.decode(column, as: String?.self).flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
            }
            return WatchedFinding(
                year: try row.decode("year"), filingId: try row.decode("filing_id"), criterion: try row.decode("criterion"),
                verdict: try row.decode("verdict"),
                message: LocalizedText(zh: try row.decode("message_zh"), en: try row.decode("message_en")),
                standing: try row.decode("standing"), comparator: try row.decode("comparator"),
                observed: try number("observed"), bound: try number("bound"), margin: try number("margin"),
                relativeMargin: try number("relative_margin"))
        }
    }

    /// The annual and change reports filed for `cluster`, oldest first.
    public static func reports(_ connection: PostgresConnection, cluster: Int64) throws -> [RegisterReport] {
        try connection.query(reportQuery + " WHERE cluster_id = $1 ORDER BY filed_on, filing_id", [cluster]).rows.map(report)
    }

    /// The report filed as `filing`, or nil when it is not an annual or change report of a register entry.
    public static func report(_ connection: PostgresConnection, filing: Int64) throws -> RegisterReport? {
        try connection.query(reportQuery + " WHERE filing_id = $1", [filing]).rows.first.map(report)
    }

    static let reportQuery = """
        SELECT * FROM (
            SELECT filing_id, cluster_id, 'annual_report' AS kind, filed_on::text, year, 'recorded' AS state,
                   array_to_string(changed_fields, ',') AS subjects FROM annual_reports
            UNION ALL
            SELECT filing_id, cluster_id, 'change_report', filed_on::text, NULL::integer, state,
                   array_to_string(subjects, ',') FROM change_reports
        ) r
        """

    static func report(_ row: Row) throws -> RegisterReport {
        RegisterReport(
            filingId: try row.decode("filing_id"), clusterId: try row.decode("cluster_id"), kind: try row.decode("kind"),
            filedOn: try civil(row, "filed_on"), year: try row.decode("year"), state: try row.decode("state"),
            subjects: try row.decode("subjects", as: String.self).split(separator: ",").map(String.init))
    }

    static func entry(_ row: Row) throws -> RegisterEntry {
        RegisterEntry(
            id: try row.decode("id"), certificateNo: try row.decode("certificate_no"), filingId: try row.decode("filing_id"),
            countyCode: try row.decode("county_code"), name: try row.decode("name"),
            recognizedOn: try civil(row, "recognized_on"), validUntil: try civil(row, "valid_until"),
            leadingIndustry: try row.decode("leading_industry"), spatialExtent: try row.decode("spatial_extent"),
            managementBody: try row.decode("management_body"), managementBodyKind: try row.decode("management_body_kind"),
            managementBodyEstablishedOn: try optionalCivil(row, "management_body_established_on"),
            managementBodyEvidence: try row.decode("management_body_evidence", as: JSONB?.self).map { try JSONValue(parsing: $0.bytes) },
            status: try row.decode("status"),
            revokedOn: try optionalCivil(row, "revoked_on"), revocationGround: try row.decode("revocation_ground"),
            grounds: try row.decode("grounds"), recertifiedTimes: try row.decode("recertified_times"),
            plan: try JSONValue(parsing: row.decode("plan", as: JSONB.self).bytes), recheckUntil: try civil(row, "recheck_until"))
    }
}

/// A criterion that failed or warned when an annual report was reviewed in monitoring mode.
public struct WatchedFinding: Sendable, Hashable, Codable {
    /// The report year.
    public var year: Int
    /// The annual report filing.
    public var filingId: Int64
    /// The criterion, e.g. `COMP-6`.
    public var criterion: String
    /// `fail`, `warn`, or `pass` (only just).
    public var verdict: String
    /// The finding's message.
    public var message: LocalizedText
    /// `fails`, `warns` or `only_just` (passes within the watch margin).
    public var standing: String = "fails"
    /// The comparison, e.g. `>=`, when the finding is a threshold comparison.
    public var comparator: String?
    /// The decisive observed value (for a criterion judged each year, the closest year's).
    public var observed: Decimal?
    /// The bound it was compared with.
    public var bound: Decimal?
    /// observed − bound (bound − observed where lower is better): negative when it fails.
    public var margin: Decimal?
    /// `margin` as a fraction of the bound.
    public var relativeMargin: Decimal?
}
