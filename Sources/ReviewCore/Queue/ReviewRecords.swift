import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import JSONCore

/// A filing's standing as `status` shows it.
public struct FilingStatus: Sendable, Codable, Equatable {
    /// Every status a filing can be in, in the order of its life (the CHECK on `filings.status`).
    public static let statuses = [
        "submitted", "in_review", "reviewed", "review_failed", "recorded", "returned", "approved", "in_publicity",
        "recognized", "refused", "superseded",
    ]

    public var id: Int64
    public var kind: String
    public var countyCode: String
    public var clusterName: String
    public var filedOn: String
    /// `filings.status`, except that a submitted filing whose review has started (running, or put
    /// back after an attempt) reads `in_review`: the claim marks only the queue row (sql/091).
    public var status: String
    /// The queue state when a review is queued or running.
    public var queueState: String?
    public var attempts: Int?
    public var lastError: String?
    /// The latest finished review.
    public var reviewId: Int64?
    public var outcome: String?
    public var recommendation: String?
    /// The returned filing this one corrects.
    public var supersedes: Int64? = nil
    /// The filing that corrects this one: a `superseded` filing shows "superseded by N".
    public var supersededBy: Int64? = nil

    enum CodingKeys: String, CodingKey {
        case id, kind, status, attempts, outcome, recommendation, supersedes
        case countyCode = "county_code", clusterName = "cluster_name", filedOn = "filed_on"
        case queueState = "queue_state", lastError = "last_error", reviewId = "review_id", supersededBy = "superseded_by"
    }
}

/// Which filings a list shows: every field nil shows all the person may see.
public struct FilingFilter: Sendable, Hashable {
    /// Only filings in this status (`FilingStatus.statuses`).
    public var status: String?
    /// Only filings of this county (its code).
    public var county: String?
    /// Only filings of this kind (`initial`, `recertification`, `annual_report`, `change_report`).
    public var kind: String?
    /// Only filings whose cluster name contains this text (any case).
    public var nameContains: String?
    /// Only filings of this application round (`rounds.id`, sql/120).
    public var round: Int64?

    /// A filter; nil fields do not filter.
    public init(status: String? = nil, county: String? = nil, kind: String? = nil, nameContains: String? = nil, round: Int64? = nil) {
        self.status = status
        self.county = county
        self.kind = kind
        self.nameContains = nameContains
        self.round = round
    }
}

/// A finished review with its findings, as `report` shows it.
public struct ReviewRecord: Sendable {
    public var filing: FilingStatus
    public var summary: ReviewSummary?
    public var rulebook: String?
    public var rulebookHash: String?
    public var asOf: String?
    /// Findings with their module, in module then criterion order.
    public var findings: [ReviewSummary.Attributed]
    /// What the modules that made the findings declared (their versions' declarations, recorded
    /// by the coordinator): the titles of the modules and criteria.
    public var declarations: Declarations
    /// The filing's content hash as stored (SHA-256, hex).
    public var contentHash: String? = nil
}

/// Reads of filings and finished reviews for people (`status`, `report`); the queue's own
/// statements stay in `ReviewQueue`.
public enum ReviewRecords {
    /// The standing of filing `id`, or nil when there is none (or the caller may not see it).
    public static func status(of id: Int64, on connection: PostgresConnection) throws -> FilingStatus? {
        try statuses(where: "f.id = $1", [id], on: connection).first
    }

    /// Filings, newest first, optionally only those in `status` and/or from `county`.
    public static func list(
        status: String? = nil, county: String? = nil, limit: Int = 1000, on connection: PostgresConnection
    ) throws -> [FilingStatus] {
        try statuses(where: "($1::text IS NULL OR s.status = $1) AND ($2::text IS NULL OR f.county_code = $2)",
                     [status, county], limit: limit, on: connection)
    }

    /// A filing whose review found it complete and is waiting for a person's judgement.
    public struct AwaitingJudgement: Sendable, Hashable {
        public var id: Int64
        public var clusterName: String
        public var filedOn: CivilDate
    }

    /// Filings of `kind` that are reviewed with the recommendation `needs_review` and no failed or
    /// erroneous finding — what a reviewer can take through to a decision — oldest first. A cluster
    /// already on the register (not revoked) cannot be recognized again, so its filings are left out.
    public static func awaitingJudgement(kind: FilingKind, limit: Int, on connection: PostgresConnection) throws -> [AwaitingJudgement] {
        try connection.query("""
            SELECT f.id, f.cluster_name, f.filed_on::text AS filed_on FROM filings f
            JOIN reviews r ON r.filing_id = f.id AND r.outcome = 'completed' AND r.purpose <> 'national'
            WHERE f.kind = $1 AND f.status = 'reviewed' AND r.recommendation = 'needs_review'
              AND NOT EXISTS (SELECT 1 FROM findings x WHERE x.review_id = r.id AND x.verdict IN ('fail', 'error'))
              AND (f.kind <> 'initial' OR NOT EXISTS (SELECT 1 FROM clusters c WHERE c.county_code = f.county_code
                                                       AND c.name = f.cluster_name AND c.status <> 'revoked'))
            ORDER BY f.id LIMIT $2
            """, kind.rawValue, max(1, limit)).rows.map { row in
            AwaitingJudgement(
                id: try row.decode("id"), clusterName: try row.decode("cluster_name"),
                filedOn: CivilDate(try row.decode("filed_on", as: String.self))!)
        }
    }

    /// The criteria of filing `id`'s latest review whose finding has `verdict`, in criterion order.
    public static func criteria(of id: Int64, withVerdict verdict: Verdict, on connection: PostgresConnection) throws -> [String] {
        try connection.query("""
            SELECT criterion FROM findings
            WHERE review_id = (SELECT max(id) FROM reviews WHERE filing_id = $1 AND purpose <> 'national') AND verdict = $2 ORDER BY criterion
            """, id, verdict.rawValue).rows.map { try $0.decode("criterion", as: String.self) }
    }

    /// Filings matching `filter`, newest first, at most `limit` (the web door's lists; the person's
    /// row-level security decides which filings exist at all).
    public static func search(_ filter: FilingFilter, limit: Int = 200, on connection: PostgresConnection) throws -> [FilingStatus] {
        try statuses(where: """
            ($1::text IS NULL OR s.status = $1) AND ($2::text IS NULL OR f.county_code = $2) AND ($3::text IS NULL OR f.kind = $3)
            AND ($4::text IS NULL OR strpos(lower(f.cluster_name), lower($4)) > 0) AND ($5::bigint IS NULL OR f.round_id = $5)
            """, [filter.status, filter.county, filter.kind, filter.nameContains, filter.round], limit: limit, on: connection)
    }

    /// How many filings the person may see are in each status.
    public static func countsByStatus(on connection: PostgresConnection) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try connection.query("""
            SELECT \(statusAsShown) AS status, count(*)::bigint AS n
            FROM filings f LEFT JOIN review_queue q ON q.filing_id = f.id AND q.purpose <> 'national' GROUP BY 1
            """).rows {
            counts[try row.decode("status")] = Int(try row.decode("n", as: Int64.self))
        }
        return counts
    }

    /// A filing's status as people see it, over `filings f LEFT JOIN review_queue q`: the claim
    /// marks only the queue row (sql/091), so a submitted filing whose review has started reads
    /// `in_review`.
    private static let statusAsShown =
        "CASE WHEN f.status = 'submitted' AND (q.state = 'running' OR q.attempts > 0) THEN 'in_review' ELSE f.status END"

    private static func statuses(
        where condition: String, _ parameters: [any PostgresEncodable], limit: Int = 1000, on connection: PostgresConnection
    ) throws -> [FilingStatus] {
        let rows = try connection.query("""
            SELECT f.id, f.kind, f.county_code, f.cluster_name, f.filed_on::text AS filed_on, s.status,
                   q.state AS queue_state, q.attempts, coalesce(q.last_error, r.last_error) AS last_error,
                   r.id AS review_id, r.outcome, r.recommendation, f.supersedes,
                   (SELECT min(n.id) FROM filings n WHERE n.supersedes = f.id) AS superseded_by
            FROM filings f
            LEFT JOIN review_queue q ON q.filing_id = f.id AND q.purpose <> 'national'
            CROSS JOIN LATERAL (SELECT \(statusAsShown) AS status) s
            LEFT JOIN LATERAL (
                SELECT id, outcome, recommendation, last_error FROM reviews WHERE filing_id = f.id AND purpose <> 'national'
                ORDER BY finished_at DESC LIMIT 1
            ) r ON true
            WHERE \(condition)
            ORDER BY f.id DESC
            LIMIT \(max(1, limit))
            """, parameters).rows
        return try rows.map { row in
            FilingStatus(
                id: try row.decode("id"), kind: try row.decode("kind"), countyCode: try row.decode("county_code"),
                clusterName: try row.decode("cluster_name"), filedOn: try row.decode("filed_on"), status: try row.decode("status"),
                queueState: try row.decode("queue_state"), attempts: try row.decode("attempts"), lastError: try row.decode("last_error"),
                reviewId: try row.decode("review_id"), outcome: try row.decode("outcome"), recommendation: try row.decode("recommendation"),
                supersedes: try row.decode("supersedes"), supersededBy: try row.decode("superseded_by"))
        }
    }

    /// How many of `filings` have a finished review (completed or failed).
    public static func finishedCount(of filings: [Int64], on connection: PostgresConnection) throws -> Int {
        try connection.queryRow(
            "SELECT count(DISTINCT filing_id) AS n FROM reviews WHERE filing_id = ANY($1::bigint[]) AND purpose <> 'national'", TextArray(filings.map(String.init))
        ).decode("n")
    }

    /// The ids of every filing with a completed review, in id order (what `report --all` writes).
    public static func reviewedFilings(on connection: PostgresConnection) throws -> [Int64] {
        try connection.query("SELECT DISTINCT filing_id FROM reviews WHERE outcome = 'completed' AND purpose <> 'national' ORDER BY filing_id").rows
            .map { try $0.decode("filing_id", as: Int64.self) }
    }

    /// The latest finished review of filing `id` with all its findings, or nil when none is finished.
    public static func latestReview(of id: Int64, on connection: PostgresConnection) throws -> ReviewRecord? {
        guard let filing = try status(of: id, on: connection), let reviewId = filing.reviewId else { return nil }
        let review = try connection.queryRow(
            """
            SELECT r.aggregate, r.rulebook, r.rulebook_hash, r.as_of::text AS as_of, encode(f.content_hash, 'hex') AS content_hash
            FROM reviews r JOIN filings f ON f.id = r.filing_id WHERE r.id = $1
            """, reviewId)
        let rows = try connection.query("""
            SELECT module, module_version, criterion, verdict, score, observed, threshold, comparator, margin, message_zh, message_en,
                   citation, parameters
            FROM findings WHERE review_id = $1 ORDER BY module, criterion
            """, reviewId).rows
        var versions: [String: String] = [:]
        for row in rows { versions[try row.decode("module")] = try row.decode("module_version", as: String.self) }
        let decoder = JSONDecoder()
        let findings = try rows.map { row -> ReviewSummary.Attributed in
            func json(_ column: String) throws -> JSONValue? {
                try row.decode(column, as: JSONB?.self).map { try $0.decode(JSONValue.self, decoder: decoder) }
            }
            let verdict: String = try row.decode("verdict")
            let finding = Finding(
                criterion: try row.decode("criterion"), verdict: Verdict(rawValue: verdict) ?? .error, score: try row.decode("score"),
                observed: try json("observed"), threshold: try json("threshold"), comparator: try row.decode("comparator"),
                margin: try json("margin"),
                message: LocalizedText(zh: try row.decode("message_zh"), en: try row.decode("message_en")),
                citation: try row.decode("citation"),
                parameters: try row.decode("parameters", as: JSONB.self).decode([String: JSONValue].self, decoder: decoder))
            return ReviewSummary.Attributed(module: try row.decode("module"), finding: finding)
        }
        // The aggregate names its findings to confirm and failures by criterion (StoredAggregate).
        let summary = try review.decode("aggregate", as: JSONB?.self).map { try StoredAggregate.summary($0.bytes, findings: findings) }
        return ReviewRecord(
            filing: filing, summary: summary, rulebook: try review.decode("rulebook"),
            rulebookHash: try review.decode("rulebook_hash"), asOf: try review.decode("as_of"), findings: findings,
            declarations: try DeclarationRecords.declarations(for: versions, on: connection),
            contentHash: try review.decode("content_hash"))
    }
}
