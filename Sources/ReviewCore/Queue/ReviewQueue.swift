import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import JSONCore

/// The review queue (`review_queue`) and the record of finished reviews (`reviews`, `findings`):
/// every statement that touches those tables lives here.
///
/// Claims are short transactions of their own (nothing stays open while modules run); every
/// completion, retry and release is guarded by the claim token, so a late finisher can never
/// overwrite a newer attempt.
public enum ReviewQueue {
    /// Claims up to `limit` queued reviews whose time has come, interleaving counties so that one
    /// county's flood cannot starve another's single filing: every county's first review before any
    /// county's second. Marks them running with a lease and a fresh claim token, and fixes what
    /// each requires — `required` for its filing's kind — unless an earlier claim fixed it already.
    public static func claim(
        limit: Int, lease: Duration, owner: String, required: RequiredCriteria.ByKind = .none,
        on connection: PostgresConnection
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
                    claimed_by = $3, started_at = now(), attempts = q.attempts + 1,
                    required = coalesce(q.required, $4::jsonb -> f.kind)
                FROM chosen, filings f
                WHERE q.id = chosen.id AND f.id = q.filing_id
                RETURNING q.id, q.filing_id, q.county_code, q.claim_token, q.attempts, q.purpose, q.rulebook, q.as_of,
                          q.required, (extract(epoch FROM now() - q.deferred_since) * 1000)::bigint AS deferred_ms
            ), marked AS (
                UPDATE filings f SET status = 'in_review'
                FROM claimed c
                WHERE f.id = c.filing_id AND f.status = 'submitted'
            )
            SELECT c.id, c.filing_id, c.county_code, c.claim_token, c.attempts, c.purpose, c.rulebook,
                   coalesce(c.as_of, f.filed_on)::text AS as_of, f.kind, c.deferred_ms,
                   -- Sent back only when an earlier claim fixed something else than asked now.
                   CASE WHEN c.required = $4::jsonb -> f.kind THEN NULL ELSE c.required END AS required
            FROM claimed c JOIN filings f ON f.id = c.filing_id
            ORDER BY c.id
            """, [limit, Self.interval(lease), owner, required.json])
        return try result.rows.map { row in
            let kindText: String = try row.decode("kind")
            let asOfText: String = try row.decode("as_of")
            let deferred: Int64? = try row.decode("deferred_ms")
            return ClaimedReview(
                id: try row.decode("id"), filingId: try row.decode("filing_id"), countyCode: try row.decode("county_code"),
                token: try row.decode("claim_token"), attempts: try row.decode("attempts"), purpose: try row.decode("purpose"),
                kind: FilingKind(rawValue: kindText) ?? .initial, rulebook: try row.decode("rulebook"),
                asOf: CivilDate(asOfText) ?? CivilDate(year: 1970, month: 1, day: 1)!,
                required: try row.decode("required", as: JSONB?.self).flatMap { try? $0.decode(RequiredCriteria.self) }
                    ?? FilingKind(rawValue: kindText).flatMap { required.requirements[$0] },
                deferredSeconds: deferred.map { Double($0) / 1000 })
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

    /// Writes finished reviews, all their findings, the aggregate and the filings' new status:
    /// set-based, in one transaction for the whole batch — the fast path. A review whose claim
    /// token no longer matches is skipped (a newer attempt owns it).
    ///
    /// A batch the database refuses (a row it will not take) is written again one review at a
    /// time, each in its own transaction, so only the review at fault is refused and every other
    /// one of the batch is written. A lost connection is thrown: nothing of the batch is known to
    /// be written, and the caller tries again.
    public static func complete(
        _ completed: [CompletedReview], coordinator: String, on connection: PostgresConnection
    ) throws -> [Int64: CompletionResult] {
        guard !completed.isEmpty else { return [:] }
        func results(_ reviews: [CompletedReview], _ written: Set<Int64>) -> [Int64: CompletionResult] {
            Dictionary(uniqueKeysWithValues: reviews.map { ($0.review.id, written.contains($0.review.id) ? .written : .claimLost) })
        }
        do {
            return results(completed, try write(completed, coordinator: coordinator, on: connection))
        } catch let error as PostgresError where !error.isConnectionLoss {
            guard completed.count > 1 else {
                return [completed[0].review.id: .refused(sqlState: error.sqlState, reason: error.description)]
            }
            var outcome: [Int64: CompletionResult] = [:]
            for review in completed {
                do {
                    outcome.merge(results([review], try write([review], coordinator: coordinator, on: connection))) { $1 }
                } catch let error as PostgresError where !error.isConnectionLoss {
                    outcome[review.review.id] = .refused(sqlState: error.sqlState, reason: error.description)
                }
            }
            return outcome
        }
    }

    /// One transaction writing `completed`; returns the ids written.
    static func write(_ completed: [CompletedReview], coordinator: String, on connection: PostgresConnection) throws -> Set<Int64> {
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
                last_error: $0.moduleErrors.isEmpty ? nil : String($0.moduleErrors.joined(separator: "; ").prefix(4000)))
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
                                         rulebook_hash, as_of, attempts, last_error, coordinator, queued_at, started_at, required)
                    SELECT d.id, d.filing_id, d.county_code, d.purpose, 'completed', i.recommendation, i.aggregate,
                           i.rulebook, i.rulebook_hash, i.as_of, d.attempts, i.last_error, $3, d.queued_at, d.started_at,
                           d.required
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

    /// Records a review as failed for good, with `error`: it leaves the queue, its filing becomes
    /// `review_failed`, and `status` shows it. Guarded by the claim token; true when recorded.
    @discardableResult
    public static func fail(_ review: ClaimedReview, error: String, coordinator: String, on connection: PostgresConnection) throws -> Bool {
        try connection.transaction { connection in
            let moved = try connection.queryPrepared("""
                WITH done AS (
                    DELETE FROM review_queue WHERE id = $1 AND claim_token = $2 AND state = 'running' RETURNING *
                ), recorded AS (
                    INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, attempts, last_error, coordinator,
                                         queued_at, started_at, as_of, required)
                    SELECT id, filing_id, county_code, purpose, 'failed', attempts, $3, $4, queued_at, started_at, as_of, required
                    FROM done
                    RETURNING filing_id
                )
                UPDATE filings SET status = 'review_failed'
                WHERE id IN (SELECT filing_id FROM recorded) AND status IN ('submitted', 'in_review')
                RETURNING id
                """, [review.id, review.token, ReviewText.clean(error, limit: 2000), coordinator])
            return moved.rowCount > 0
        }
    }

    /// Puts a review back in the queue because modules it requires are unavailable: it is tried
    /// again after `backoff`, without counting an attempt; the first deferral's time is kept
    /// (`deferred_since`), so the wait is bounded by the modules' `max_outage_seconds`, and
    /// `deferred_for` names the modules it waits for.
    public static func deferReview(
        _ review: ClaimedReview, waitingFor modules: [String], error: String, backoff: Duration, on connection: PostgresConnection
    ) throws {
        try connection.queryPrepared("""
            UPDATE review_queue
            SET state = 'queued', claim_token = NULL, lease_until = NULL, claimed_by = NULL,
                not_before = now() + $3::interval, last_error = $4, attempts = greatest(attempts - 1, 0),
                deferred_since = coalesce(deferred_since, now()), deferred_for = $5::text[]
            WHERE id = $1 AND claim_token = $2 AND state = 'running'
            """, [review.id, review.token, Self.interval(backoff), ReviewText.clean(error, limit: 2000), TextArray(modules)])
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
            return try fail(review, error: "\(error) (attempt \(review.attempts) of \(maxAttempts))", coordinator: coordinator, on: connection)
        }
        try connection.queryPrepared("""
            UPDATE review_queue
            SET state = 'queued', claim_token = NULL, lease_until = NULL, claimed_by = NULL,
                not_before = now() + $3::interval, last_error = $4,
                attempts = CASE WHEN $5 THEN attempts ELSE attempts - 1 END
            WHERE id = $1 AND claim_token = $2 AND state = 'running'
            """, [review.id, review.token, Self.interval(backoff), ReviewText.clean(error, limit: 2000), countAttempt])
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
    /// coordinator may do this. A review whose lease expired on its `maxAttempts`-th attempt (or
    /// later) is not requeued: it fails for good with the cause, so a review that takes its
    /// coordinator down every time cannot cycle forever. Returns how many were rescued and how many failed.
    @discardableResult
    public static func rescueExpired(maxAttempts: Int, coordinator: String, on connection: PostgresConnection) throws -> (rescued: Int, failed: Int) {
        try connection.transaction { connection in
            let failed = try connection.queryPrepared("""
                WITH done AS (
                    DELETE FROM review_queue
                    WHERE state = 'running' AND lease_until < now() AND attempts >= $1
                    RETURNING *
                ), recorded AS (
                    INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, attempts, last_error, coordinator,
                                         queued_at, started_at, as_of, required)
                    SELECT id, filing_id, county_code, purpose, 'failed', attempts,
                           'lease expired on attempt ' || attempts || ' of ' || $1 || ': coordinator ' || coalesce(claimed_by, '?')
                               || ' stopped heartbeating' || coalesce('; before that: ' || left(last_error, 1500), ''),
                           $2, queued_at, started_at, as_of, required
                    FROM done
                    RETURNING filing_id
                )
                UPDATE filings SET status = 'review_failed'
                WHERE id IN (SELECT filing_id FROM recorded) AND status IN ('submitted', 'in_review')
                """, [maxAttempts, coordinator]).affectedRows
            let rescued = try connection.queryPrepared("""
                UPDATE review_queue
                SET state = 'queued', claim_token = NULL, lease_until = NULL, not_before = now(),
                    last_error = 'lease expired: coordinator ' || coalesce(claimed_by, '?') || ' stopped heartbeating',
                    claimed_by = NULL
                WHERE state = 'running' AND lease_until < now()
                """).affectedRows
            return (rescued, failed)
        }
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
        var deferred: [String: Int] = [:]
        for row in try connection.query("""
            SELECT module, count(*) AS n FROM review_queue, unnest(deferred_for) AS module
            WHERE state = 'queued' AND deferred_for IS NOT NULL GROUP BY module
            """).rows {
            deferred[try row.decode("module")] = try row.decode("n")
        }
        let failures = try connection.query("""
            SELECT id, filing_id, attempts, coalesce(last_error, '') AS last_error, finished_at::text AS finished_at
            FROM reviews WHERE outcome = 'failed' ORDER BY finished_at DESC, id DESC LIMIT 5
            """).rows.map { row in
            FailedReview(
                reviewId: try row.decode("id"), filingId: try row.decode("filing_id"), attempts: try row.decode("attempts"),
                lastError: try row.decode("last_error"), finishedAt: try row.decode("finished_at"))
        }
        return QueueStatistics(
            queued: try row.decode("queued"), running: try row.decode("running"), waitingForRetry: try row.decode("waiting"),
            oldestQueuedSeconds: try row.decode("oldest"), completedLastMinute: try row.decode("last_minute"),
            failedTotal: try row.decode("failed"), completedTotal: try row.decode("completed"), deferredByModule: deferred,
            recentFailures: failures)
    }

    static func interval(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(milliseconds) milliseconds"
    }
}

/// Text the coordinator writes itself (error messages quoting a module's stderr, a database
/// error): made safe for a text column — no NUL, which PostgreSQL refuses — and cut to `limit`
/// characters.
enum ReviewText {
    static func clean(_ text: String, limit: Int) -> String {
        var cleaned = text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
        if cleaned.count > limit { cleaned = String(cleaned.prefix(limit - 1)) + "…" }
        return cleaned
    }
}
