import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import JSONCore

/// A filing as submitted: the validated JSON and the facts the tables index.
public struct FilingSubmission: Sendable {
    public var kind: FilingKind
    public var countyCode: String
    public var clusterName: String
    public var filedOn: CivilDate
    public var formatVersion: Int
    /// The filing's JSON as validated, without a leading byte order mark (the validator reads past
    /// one; PostgreSQL's jsonb refuses it).
    public var payload: Data

    public init(kind: FilingKind, countyCode: String, clusterName: String, filedOn: CivilDate, formatVersion: Int, payload: Data) {
        self.kind = kind
        self.countyCode = countyCode
        self.clusterName = clusterName
        self.filedOn = filedOn
        self.formatVersion = formatVersion
        self.payload = JSONParser.withoutByteOrderMark(payload)
    }

    /// The submission for a validated filing; nil when a member the tables need is missing
    /// (validation rules that out).
    public init?(filing: Filing, payload: Data) {
        guard let kind = filing.kind, let county = filing.applicant?.countyCode, let date = filing.filingDate,
            let name = filing.cluster?.name
        else { return nil }
        self.init(kind: kind, countyCode: county, clusterName: name, filedOn: date,
                  formatVersion: filing.formatVersion ?? 1, payload: payload)
    }

    /// Annual reports are reviewed in monitoring mode: findings are recorded, nothing is decided.
    public var purpose: String { kind == .annualReport ? "monitoring" : "decision" }
}

/// The result of `FilingStore.submit`.
public struct SubmittedFiling: Sendable, Equatable {
    public var id: Int64
    /// False when the same content was already on file: `id` is that filing.
    public var created: Bool
}

/// The `filings` table: every statement that touches it lives here.
public enum FilingStore {
    /// Inserts the filing and queues its review in one transaction; the same content submitted
    /// again (by its canonical jsonb hash) returns the filing already on file and queues nothing.
    /// A recertification, annual report or change report is linked to the county's register entry
    /// of the same cluster name (not revoked), which gives it the plan on record.
    public static func submit(_ submission: FilingSubmission, supersedes: Int64? = nil, on connection: PostgresConnection) throws -> SubmittedFiling {
        let payload = JSONB(bytes: submission.payload)
        return try connection.transaction { connection in
            let inserted = try connection.query("""
                WITH inserted AS (
                    INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, supersedes,
                                         cluster_id)
                    VALUES ($1, $2, $3, $4::date, $5, $6, sha256(convert_to($6::jsonb::text, 'UTF8')), $8,
                            -- A recertification, annual or change report is for the county's register entry of that name.
                            CASE WHEN $1 <> 'initial' THEN
                                (SELECT id FROM clusters WHERE county_code = $2 AND name = $3 AND status <> 'revoked'
                                 ORDER BY recognized_on DESC LIMIT 1)
                            END)
                    ON CONFLICT (content_hash) DO NOTHING
                    RETURNING id
                ), queued AS (
                    INSERT INTO review_queue (filing_id, county_code, purpose)
                    SELECT id, $2, $7 FROM inserted
                )
                SELECT id FROM inserted
                """,
                submission.kind.rawValue, submission.countyCode, submission.clusterName, submission.filedOn.description,
                submission.formatVersion, payload, submission.purpose, supersedes)
            if inserted.rowCount == 1 {
                return SubmittedFiling(id: try inserted[0].decode("id"), created: true)
            }
            // Already on file. A separate statement sees a concurrent submitter's committed row.
            let existing = try connection.queryRow(
                "SELECT id FROM filings WHERE content_hash = sha256(convert_to($1::jsonb::text, 'UTF8'))", payload)
            return SubmittedFiling(id: try existing.decode("id"), created: false)
        }
    }
}
