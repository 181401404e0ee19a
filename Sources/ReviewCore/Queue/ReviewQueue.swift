import Foundation
import IndicatorKit
import Postgres

/// The review queue (`review_queue`) and the record of finished reviews (`reviews`, `findings`):
/// every statement that touches those tables lives here.
///
/// Claims are short transactions of their own (nothing stays open while modules run); every
/// completion, retry and release is guarded by the claim token, so a late finisher can never
/// overwrite a newer attempt.
public enum ReviewQueue {
    /// Claims up to `limit` queued reviews whose time has come, interleaving counties so that one
    /// county's flood cannot starve another's single filing: every county's first review before any
    /// county's second. Marks them running with a lease and a fresh claim token.
    public static func claim(
        limit: Int, lease: Duration, owner: String, on connection: PostgresConnection
    ) throws -> [ClaimedReview] {
        guard limit > 0 else { return [] }
        let result = try connection.queryPrepared("""
            WITH ready AS (
                SELECT q.id, q.queued_at,
                       row_number() OVER (PARTITION BY q.county_code ORDER BY q.queued_at, q.id) AS turn
                FROM counties c
                CROSS JOIN LATERAL (
                    SELECT id, county_code, queued_at
                    FROM review_queue
                    WHERE county_code = c.code AND state = 'queued' AND not_before <= now()
                    ORDER BY queued_at, id
                    LIMIT $1
                    FOR UPDATE SKIP LOCKED
                ) q
            ), chosen AS (
                SELECT id FROM ready ORDER BY turn, queued_at, id LIMIT $1
            ), claimed AS (
                UPDATE review_queue q
                SET state = 'running', claim_token = gen_random_uuid(), lease_until = now() + $2::interval,
                    claimed_by = $3, started_at = now(), attempts = q.attempts + 1
                FROM chosen
                WHERE q.id = chosen.id
                RETURNING q.id, q.filing_id, q.county_code, q.claim_token, q.attempts, q.purpose, q.rulebook, q.as_of
            ), marked AS (
                UPDATE filings f SET status = 'in_review'
                FROM claimed c
                WHERE f.id = c.filing_id AND f.status = 'submitted'
            )
            SELECT c.id, c.filing_id, c.county_code, c.claim_token, c.attempts, c.purpose, c.rulebook,
                   coalesce(c.as_of, f.filed_on)::text AS as_of, f.kind
            FROM claimed c JOIN filings f ON f.id = c.filing_id
            ORDER BY c.id
            """, [limit, Self.interval(lease), owner])
        return try result.rows.map { row in
            let kindText: String = try row.decode("kind")
            let asOfText: String = try row.decode("as_of")
            return ClaimedReview(
                id: try row.decode("id"), filingId: try row.decode("filing_id"), countyCode: try row.decode("county_code"),
                token: try row.decode("claim_token"), attempts: try row.decode("attempts"), purpose: try row.decode("purpose"),
                kind: FilingKind(rawValue: kindText) ?? .initial, rulebook: try row.decode("rulebook"),
                asOf: CivilDate(asOfText) ?? CivilDate(year: 1970, month: 1, day: 1)!)
        }
    }

    /// Loads, for each claimed review, the filing projected to each module's `reads` (done by
    /// PostgreSQL, so the coordinator never decodes a whole filing) and the context from the records.
    public static func loadWork(
        _ reviews: [ClaimedReview], reads: [String: [String]], on connection: PostgresConnection
    ) throws -> [ReviewWork] {
        guard !reviews.isEmpty else { return [] }
        let modules = try JSONB(encoding: reads.map { ["module": JSONValue.string($0.key), "reads": .array($0.value.map(JSONValue.string))] })
        let ids = reviews.map { String($0.filingId) }
        // One pass over each payload (jsonb_each once per filing, so the TOASTed payload is read and
        // decompressed once, not once per module); a module that reads none of the members gets no
        // row and is sent an empty object.
        let result = try connection.queryPrepared("""
            SELECT f.id AS filing_id, m.module, jsonb_object_agg(e.key, e.value) AS projection
            FROM filings f
            CROSS JOIN LATERAL jsonb_each(f.payload) AS e
            JOIN jsonb_to_recordset($1::jsonb) AS m(module text, reads jsonb) ON m.reads ? e.key
            WHERE f.id = ANY($2::bigint[])
            GROUP BY f.id, m.module
            """, [modules, TextArray(ids)])
        var projections: [Int64: [String: Data]] = [:]
        for row in result.rows {
            let filing: Int64 = try row.decode("filing_id")
            let module: String = try row.decode("module")
            projections[filing, default: [:]][module] = try row.decode("projection", as: JSONB.self).bytes
        }
        let contexts = try ReviewContextQuery.contexts(for: reviews.map(\.filingId), on: connection)
        return reviews.map { review in
            ReviewWork(review: review, projections: projections[review.filingId] ?? [:],
                       context: contexts[review.filingId] ?? Data("{}".utf8))
        }
    }

    /// Renews the leases of reviews still held; returns the ids whose claim was lost (rescued by
    /// another coordinator after a lapse), whose work must be abandoned.
    public static func heartbeat(_ reviews: [ClaimedReview], lease: Duration, on connection: PostgresConnection) throws -> Set<Int64> {
        guard !reviews.isEmpty else { return [] }
        let tokens = TextArray(reviews.map { $0.token.uuidString.lowercased() })
        let renewed = try connection.queryPrepared("""
            UPDATE review_queue SET lease_until = now() + $2::interval
            WHERE claim_token = ANY($1::uuid[]) AND state = 'running'
            RETURNING id
            """, [tokens, Self.interval(lease)])
        let kept = Set(try renewed.rows.map { try $0.decode("id", as: Int64.self) })
        return Set(reviews.map(\.id)).subtracting(kept)
    }

    /// Writes finished reviews, all their findings, the aggregate and the filings' new status in one
    /// transaction, set-based. A review whose claim token no longer matches is skipped (a newer
    /// attempt owns it). Returns the ids written.
    @discardableResult
    public static func complete(_ completed: [CompletedReview], coordinator: String, on connection: PostgresConnection) throws -> Set<Int64> {
        guard !completed.isEmpty else { return [] }
        let encoder = JSONEncoder()
        struct ReviewRecord: Encodable {
            var id: Int64, token: String, recommendation: String, aggregate: ReviewSummary
            var rulebook: String, rulebook_hash: String, as_of: String, last_error: String?
        }
        struct FindingRecord: Encodable {
            var review_id: Int64, criterion: String, module: String, module_version: String, kind: String
            var verdict: String, score: Int, observed: JSONValue?, threshold: JSONValue?, comparator: String?
            var margin: JSONValue?, message_zh: String, message_en: String, citation: String
            var parameters: [String: JSONValue]
        }
        let reviews = completed.map {
            ReviewRecord(
                id: $0.review.id, token: $0.review.token.uuidString.lowercased(), recommendation: $0.recommendation.rawValue,
                aggregate: $0.summary, rulebook: $0.rulebook, rulebook_hash: $0.rulebookHash, as_of: $0.review.asOf.description,
                last_error: $0.moduleErrors.isEmpty ? nil : $0.moduleErrors.joined(separator: "; "))
        }
        let findings = completed.flatMap { review in
            review.findings.map { row in
                FindingRecord(
                    review_id: review.review.id, criterion: row.finding.criterion, module: row.module,
                    module_version: row.moduleVersion, kind: row.kind.rawValue, verdict: row.finding.verdict.rawValue,
                    score: row.finding.score, observed: row.finding.observed, threshold: row.finding.threshold,
                    comparator: row.finding.comparator, margin: row.finding.margin, message_zh: row.finding.message.zh,
                    message_en: row.finding.message.en, citation: row.finding.citation, parameters: row.finding.parameters)
            }
        }
        let reviewJSON = JSONB(bytes: try encoder.encode(reviews))
        let findingJSON = JSONB(bytes: try encoder.encode(findings))
        return try connection.transaction { connection in
            let written = try connection.queryPrepared("""
                WITH input AS (
                    SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
                        id bigint, token uuid, recommendation text, aggregate jsonb, rulebook text,
                        rulebook_hash text, as_of date, last_error text)
                ), done AS (
                    DELETE FROM review_queue q USING input i
                    WHERE q.id = i.id AND q.claim_token = i.token AND q.state = 'running'
                    RETURNING q.*
                ), recorded AS (
                    INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, aggregate, rulebook,
                                         rulebook_hash, as_of, attempts, last_error, coordinator, queued_at, started_at)
                    SELECT d.id, d.filing_id, d.county_code, d.purpose, 'completed', i.recommendation, i.aggregate,
                           i.rulebook, i.rulebook_hash, i.as_of, d.attempts, i.last_error, $3, d.queued_at, d.started_at
                    FROM done d JOIN input i ON i.id = d.id
                    RETURNING id, filing_id, county_code, purpose
                ), found AS (
                    INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict,
                                          score, observed, threshold, comparator, margin, message_zh, message_en, citation, parameters)
                    SELECT r.id, f.criterion, r.filing_id, r.county_code, f.module, f.module_version, f.kind, f.verdict,
                           f.score, f.observed, f.threshold, f.comparator, f.margin, f.message_zh, f.message_en, f.citation,
                           coalesce(f.parameters, '{}'::jsonb)
                    FROM jsonb_to_recordset($2::jsonb) AS f(
                        review_id bigint, criterion text, module text, module_version text, kind text, verdict text,
                        score smallint, observed jsonb, threshold jsonb, comparator text, margin jsonb, message_zh text,
                        message_en text, citation text, parameters jsonb)
                    JOIN recorded r ON r.id = f.review_id
                ), status AS (
                    UPDATE filings f
                    SET status = CASE WHEN r.purpose = 'monitoring' THEN 'recorded' ELSE 'reviewed' END
                    FROM recorded r
                    WHERE f.id = r.filing_id AND f.status IN ('submitted', 'in_review')
                )
                SELECT id FROM recorded
                """, [reviewJSON, findingJSON, coordinator])
            return Set(try written.rows.map { try $0.decode("id", as: Int64.self) })
        }
    }

    /// Puts a review whose attempt failed back in the queue after `backoff`, or, past the attempt
    /// limit, records it as failed with the error (kept for an administrator). Guarded by the token.
    /// - Returns: true when the review was marked failed for good.
    @discardableResult
    public static func retryOrFail(
        _ review: ClaimedReview, error: String, backoff: Duration, maxAttempts: Int, coordinator: String,
        countAttempt: Bool = true, on connection: PostgresConnection
    ) throws -> Bool {
        if countAttempt && review.attempts >= maxAttempts {
            return try connection.transaction { connection in
                let moved = try connection.queryPrepared("""
                    WITH done AS (
                        DELETE FROM review_queue WHERE id = $1 AND claim_token = $2 AND state = 'running' RETURNING *
                    ), recorded AS (
                        INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, attempts, last_error, coordinator,
                                             queued_at, started_at, as_of)
                        SELECT id, filing_id, county_code, purpose, 'failed', attempts, $3, $4, queued_at, started_at, as_of
                        FROM done
                        RETURNING filing_id
                    )
                    UPDATE filings SET status = 'review_failed'
                    WHERE id IN (SELECT filing_id FROM recorded) AND status IN ('submitted', 'in_review')
                    RETURNING id
                    """, [review.id, review.token, String(error.prefix(2000)), coordinator])
                return moved.rowCount > 0
            }
        }
        try connection.queryPrepared("""
            UPDATE review_queue
            SET state = 'queued', claim_token = NULL, lease_until = NULL, claimed_by = NULL,
                not_before = now() + $3::interval, last_error = $4,
                attempts = CASE WHEN $5 THEN attempts ELSE attempts - 1 END
            WHERE id = $1 AND claim_token = $2 AND state = 'running'
            """, [review.id, review.token, Self.interval(backoff), String(error.prefix(2000)), countAttempt])
        return false
    }

    /// Returns held reviews to the queue at once (a coordinator shutting down before they finished);
    /// the attempt is not counted against them.
    public static func release(_ reviews: [ClaimedReview], on connection: PostgresConnection) throws {
        guard !reviews.isEmpty else { return }
        try connection.query("""
            UPDATE review_queue
            SET state = 'queued', claim_token = NULL, lease_until = NULL, claimed_by = NULL,
                attempts = greatest(attempts - 1, 0), not_before = now()
            WHERE claim_token = ANY($1::uuid[]) AND state = 'running'
            """, TextArray(reviews.map { $0.token.uuidString.lowercased() }))
    }

    /// Requeues reviews whose lease expired (their coordinator stopped heartbeating); any
    /// coordinator may do this. Returns how many were rescued.
    @discardableResult
    public static func rescueExpired(on connection: PostgresConnection) throws -> Int {
        try connection.queryPrepared("""
            UPDATE review_queue
            SET state = 'queued', claim_token = NULL, lease_until = NULL, not_before = now(),
                last_error = 'lease expired: coordinator ' || coalesce(claimed_by, '?') || ' stopped heartbeating',
                claimed_by = NULL
            WHERE state = 'running' AND lease_until < now()
            """).affectedRows
    }

    /// Queue depth by state, the oldest queued review's age, and throughput.
    public static func statistics(on connection: PostgresConnection) throws -> QueueStatistics {
        let row = try connection.queryRow("""
            SELECT
                (SELECT count(*) FROM review_queue WHERE state = 'queued' AND not_before <= now()) AS queued,
                (SELECT count(*) FROM review_queue WHERE state = 'running') AS running,
                (SELECT count(*) FROM review_queue WHERE state = 'queued' AND not_before > now()) AS waiting,
                (SELECT extract(epoch FROM now() - min(queued_at))::bigint FROM review_queue WHERE state = 'queued') AS oldest,
                (SELECT count(*) FROM reviews WHERE finished_at > now() - interval '1 minute') AS last_minute,
                (SELECT count(*) FROM reviews WHERE outcome = 'failed') AS failed,
                (SELECT count(*) FROM reviews WHERE outcome = 'completed') AS completed
            """)
        return QueueStatistics(
            queued: try row.decode("queued"), running: try row.decode("running"), waitingForRetry: try row.decode("waiting"),
            oldestQueuedSeconds: try row.decode("oldest"), completedLastMinute: try row.decode("last_minute"),
            failedTotal: try row.decode("failed"), completedTotal: try row.decode("completed"))
    }

    static func interval(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(milliseconds) milliseconds"
    }
}
