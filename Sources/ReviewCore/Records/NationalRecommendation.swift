import Foundation
import IndicatorKit
import Postgres
import Reports

/// The national recommendation (issue 18 item 2; sql/141): national reviews of the register's
/// entries queued through the same queue, coordinator and modules as every review, and the
/// candidates ranked and compared with the province's own review. Every statement on national
/// reviews lives here; the CLI and the web door call `queue` and `summary`.
///
/// What is read goes through the reader's own login, so row-level security decides: a county sees
/// its own entries only; reviewers, administrators and auditors see the province.
public enum NationalRecommendation {
    /// The rulebook of the national standard of 2022 (工信部企业〔2022〕119号).
    public static let defaultRulebook = "national-2022"

    /// Which register entries to review: some by id, those of a round, or every active one.
    public enum Selection: Sendable, Hashable {
        case all
        case clusters([Int64])
        case round(Int64)
    }

    /// What queuing did for one entry.
    public struct Queued: Sendable, Hashable, Codable {
        public enum Outcome: String, Sendable, Hashable, Codable {
            /// Queued now.
            case queued
            /// A national review under the same rulebook and as-of date is already queued or running.
            case alreadyQueued = "already_queued"
            /// One is already completed.
            case alreadyReviewed = "already_reviewed"
            /// Another review of the filing is in the queue: ask again when it is done.
            case busy
            /// The entry is expired or revoked: not a candidate.
            case notActive = "not_active"
        }

        public var clusterId: Int64
        public var certificateNo: String
        public var filingId: Int64
        /// The review queued, or the one already there.
        public var reviewId: Int64?
        public var outcome: Outcome
    }

    /// Queues the national reviews of `selection` under `rulebook` as of `asOf` (nil: each
    /// filing's date), idempotently (see sql/141 `queue_national_reviews`). Reviewers and
    /// administrators; a refusal is a `LifecycleError` (CR001 an entry or round that does not
    /// exist, CR008 a wrong rulebook name), a role that may not is a 42501 `PostgresError`.
    public static func queue(
        _ selection: Selection, rulebook: String = defaultRulebook, asOf: CivilDate? = nil, on connection: PostgresConnection
    ) throws -> [Queued] {
        var clusters: TextArray?
        var round: Int64?
        switch selection {
        case .all: break
        case .clusters(let ids): clusters = TextArray(ids.map(String.init))
        case .round(let id): round = id
        }
        return try LifecycleError.mapping {
            try connection.query("""
                SELECT cluster_id, certificate_no, filing_id, review_id, outcome
                FROM queue_national_reviews($1::text[]::bigint[], $2, $3, $4::date)
                """, [clusters, round, rulebook, asOf.map { "\($0)" }]).rows.map { row in
                Queued(
                    clusterId: try row.decode("cluster_id"), certificateNo: try row.decode("certificate_no"),
                    filingId: try row.decode("filing_id"), reviewId: try row.decode("review_id"),
                    outcome: Queued.Outcome(rawValue: try row.decode("outcome")) ?? .busy)
            }
        }
    }

    /// The candidates — the active register entries the reader may see (of round `round` when
    /// given) — ranked as `NationalSummary` documents, each with its latest completed national
    /// review under `rulebook`, the province's latest completed decision review of the same filing
    /// and its latest decision, and the criteria where the two differ. One REPEATABLE READ, READ
    /// ONLY transaction; two statements, set-based.
    public static func summary(
        rulebook: String = defaultRulebook, round: Int64? = nil, on connection: PostgresConnection
    ) throws -> NationalSummary {
        try connection.transaction { connection in
            try connection.executeScript("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try read(rulebook: rulebook, round: round, on: connection)
        }
    }

    /// The entries with their two reviews (a temporary-free CTE both statements repeat).
    private static let candidates = """
        WITH base AS (
            SELECT c.id AS cluster_id, c.certificate_no, c.name, c.county_code, c.leading_industry, f.id AS filing_id,
                   reg.output_wan
            FROM clusters c
            LEFT JOIN cluster_current_terms t ON t.cluster_id = c.id
            JOIN filings f ON f.id = coalesce(t.filing_id, c.filing_id)
            LEFT JOIN statistics_register reg ON reg.cluster_id = c.id
            WHERE c.status = 'active' AND ($2::bigint IS NULL OR f.round_id = $2)
        ), reviewed AS (
            SELECT b.*, n.id AS national_id, n.as_of::text AS as_of, n.recommendation AS national_recommendation,
                   d.id AS province_id, d.rulebook AS province_rulebook, d.recommendation AS province_recommendation
            FROM base b
            LEFT JOIN LATERAL (
                SELECT r.id, r.as_of, r.recommendation FROM reviews r
                WHERE r.filing_id = b.filing_id AND r.purpose = 'national' AND r.outcome = 'completed' AND r.rulebook = $1
                ORDER BY r.finished_at DESC, r.id DESC LIMIT 1
            ) n ON true
            LEFT JOIN LATERAL (
                SELECT r.id, r.rulebook, r.recommendation FROM reviews r
                WHERE r.filing_id = b.filing_id AND r.purpose = 'decision' AND r.outcome = 'completed'
                ORDER BY r.finished_at DESC, r.id DESC LIMIT 1
            ) d ON true
        )
        """

    private static func read(rulebook: String, round: Int64?, on connection: PostgresConnection) throws -> NationalSummary {
        let parameters: [any PostgresEncodable] = [rulebook, round]
        var candidates: [NationalSummary.Candidate] = []
        var index: [Int64: Int] = [:]
        for row in try connection.query(Self.candidates + """
            , tallied AS (
                SELECT v.*,
                       x.score, coalesce(x.failed, 0) AS failed, coalesce(x.errors, 0) AS errors,
                       (SELECT dc.decision FROM decisions dc WHERE dc.filing_id = v.filing_id
                        ORDER BY dc.decided_at DESC, dc.id DESC LIMIT 1) AS province_decision
                FROM reviewed v
                LEFT JOIN LATERAL (
                    SELECT round(avg(fi.score) FILTER (WHERE fi.verdict IN ('pass', 'warn', 'fail')), 2) AS score,
                           count(*) FILTER (WHERE fi.verdict = 'fail') AS failed,
                           count(*) FILTER (WHERE fi.verdict = 'error') AS errors
                    FROM findings fi WHERE fi.review_id = v.national_id
                ) x ON true
            )
            SELECT cluster_id, certificate_no, name, county_code, leading_industry, filing_id, output_wan, national_id, as_of,
                   national_recommendation, province_id, province_rulebook, province_recommendation, province_decision, score,
                   (national_id IS NOT NULL AND failed = 0 AND errors = 0) AS eligible
            FROM tallied
            ORDER BY national_id IS NULL, (national_id IS NOT NULL AND failed = 0 AND errors = 0) DESC,
                     score DESC NULLS LAST, output_wan DESC NULLS LAST, certificate_no, cluster_id
            """, parameters).rows {
            let clusterId: Int64 = try row.decode("cluster_id")
            index[clusterId] = candidates.count
            candidates.append(NationalSummary.Candidate(
                rank: candidates.count + 1, clusterId: clusterId, certificateNo: try row.decode("certificate_no"),
                name: try row.decode("name"), countyCode: try row.decode("county_code"), leadingIndustry: try row.decode("leading_industry"),
                filingId: try row.decode("filing_id"), outputWan: try row.decode("output_wan"), nationalReviewId: try row.decode("national_id"),
                asOf: try row.decode("as_of"), nationalRecommendation: try row.decode("national_recommendation"),
                eligible: try row.decode("eligible"), score: try row.decode("score"), provinceReviewId: try row.decode("province_id"),
                provinceRulebook: try row.decode("province_rulebook"), provinceRecommendation: try row.decode("province_recommendation"),
                provinceDecision: try row.decode("province_decision")))
        }
        // Every criterion of either review, side by side: the national verdicts sort the criteria
        // met and missed; the pairs that differ are the differences.
        for row in try connection.query(Self.candidates + """
            SELECT v.cluster_id, coalesce(x.criterion, x.p_criterion) AS criterion, x.verdict AS national, x.p_verdict AS province,
                   x.threshold::text AS national_bound, x.p_threshold::text AS province_bound
            FROM reviewed v
            CROSS JOIN LATERAL (
                SELECT n.criterion, n.verdict, n.threshold, p.criterion AS p_criterion, p.verdict AS p_verdict, p.threshold AS p_threshold
                FROM (SELECT criterion, verdict, threshold FROM findings WHERE review_id = v.national_id) n
                FULL JOIN (SELECT criterion, verdict, threshold FROM findings WHERE review_id = v.province_id) p ON p.criterion = n.criterion
            ) x
            WHERE v.national_id IS NOT NULL
            """, parameters).rows {
            guard let at = index[try row.decode("cluster_id")] else { continue }
            let criterion: String = try row.decode("criterion")
            let national: String? = try row.decode("national")
            let province: String? = try row.decode("province")
            switch national {
            case "pass": candidates[at].met.append(criterion)
            case "fail": candidates[at].missed.append(criterion)
            case "manual": candidates[at].manual.append(criterion)
            case "warn": candidates[at].warned.append(criterion)
            case "error": candidates[at].errors.append(criterion)
            case "not_applicable": candidates[at].notApplicable.append(criterion)
            default: break
            }
            if candidates[at].provinceReviewId != nil, national != province {
                candidates[at].differences.append(NationalSummary.Difference(
                    criterion: criterion, province: province, national: national,
                    provinceBound: try row.decode("province_bound"), nationalBound: try row.decode("national_bound")))
            }
        }
        for at in candidates.indices {
            candidates[at].met = NationalSummary.ordered(candidates[at].met)
            candidates[at].missed = NationalSummary.ordered(candidates[at].missed)
            candidates[at].manual = NationalSummary.ordered(candidates[at].manual)
            candidates[at].warned = NationalSummary.ordered(candidates[at].warned)
            candidates[at].errors = NationalSummary.ordered(candidates[at].errors)
            candidates[at].notApplicable = NationalSummary.ordered(candidates[at].notApplicable)
            candidates[at].differences.sort { NationalSummary.criterionLess($0.criterion, $1.criterion) }
        }
        return NationalSummary(rulebook: rulebook, candidates: candidates)
    }
}
