import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import JSONCore

/// The review queue (`review_queue`) and the record of finished reviews (`reviews`, `findings`):
/// every statement that touches those tables lives here.
///
/// Every write goes through a checking function of the database (sql/027: claim_reviews,
/// renew_leases, complete_reviews, fail_reviews, retry_review, defer_review, release_reviews,
/// rescue_reviews): the coordinator's role has no direct write on these tables. Claims are short
/// transactions of their own (nothing stays open while modules run); every completion, retry and
/// release is guarded by the claim token, so a late finisher can never overwrite a newer attempt.
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
        let result = try connection.queryPrepared(
            "SELECT * FROM claim_reviews($1, $2::interval, $3, $4::jsonb)", [limit, Self.interval(lease), owner, required.json])
        // The requirement recorded at each claim is, row after row, one of a few texts (one per
        // kind, unless an earlier claim fixed another): each distinct text is decoded once.
        var decoded: [Data: RequiredCriteria?] = [:]
        func requirement(_ stored: JSONB) -> RequiredCriteria? {
            if let known = decoded[stored.bytes] { return known }
            let requirement = try? stored.decode(RequiredCriteria.self)
            decoded[stored.bytes] = requirement
            return requirement
        }
        return try result.rows.map { row in
            let kindText: String = try row.decode("kind")
            let asOfText: String = try row.decode("as_of")
            let deferred: Int64? = try row.decode("deferred_ms")
            return ClaimedReview(
                id: try row.decode("review_id"), filingId: try row.decode("filing_id"), countyCode: try row.decode("county_code"),
                token: try row.decode("claim_token"), attempts: try row.decode("attempts"), purpose: try row.decode("purpose"),
                kind: FilingKind(rawValue: kindText) ?? .initial, rulebook: try row.decode("rulebook"),
                asOf: CivilDate(asOfText) ?? CivilDate(year: 1970, month: 1, day: 1)!,
                required: try row.decode("required", as: JSONB?.self).flatMap(requirement)
                    ?? FilingKind(rawValue: kindText).flatMap { required.requirements[$0] },
                deferredSeconds: deferred.map { Double($0) / 1000 })
        }
    }

    /// Loads, for each claimed review, the filing projected to each module's `reads` (done by
    /// PostgreSQL, so the coordinator never decodes a whole filing) and the context from the records.
    /// An annual report of a register entry is projected from `monitoring_payload` (sql/100): the
    /// report over the entry's term filing, with the rolling three years of figures.
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
            CROSS JOIN LATERAL jsonb_each(CASE WHEN f.kind = 'annual_report' THEN coalesce(monitoring_payload(f.id), f.payload)
                                               ELSE f.payload END) AS e
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
        let renewed = try connection.queryPrepared(
            "SELECT renew_leases($1::uuid[], $2::interval) AS id", [tokens, Self.interval(lease)])
        let kept = Set(try renewed.rows.map { try $0.decode("id", as: Int64.self) })
        return Set(reviews.map(\.id)).subtracting(kept)
    }

    /// Writes finished reviews, all their findings, the aggregate and the filings' new status
    /// through `complete_reviews` (sql/027): set-based, one call and one transaction for the whole
    /// batch — the fast path. The database checks each review on its own: a review whose claim
    /// token no longer matches is skipped (`claimLost`: a newer attempt owns it); one whose filing
    /// is no longer in review, or whose findings are not exactly the criteria it requires, is
    /// refused with the reason (`refused`, SQLSTATE CR014) and nothing of it is written; the
    /// others are written.
    ///
    /// A batch the database refuses as a whole (a value it will not take) is written again one
    /// review at a time, so only the review at fault is refused and every other one of the batch
    /// is written. A lost connection is thrown: nothing of the batch is known to be written, and
    /// the caller tries again.
    public static func complete(
        _ completed: [CompletedReview], coordinator: String, on connection: PostgresConnection
    ) throws -> [Int64: CompletionResult] {
        guard !completed.isEmpty else { return [:] }
        do {
            return try write(completed, on: connection)
        } catch let error as PostgresError where !error.isConnectionLoss {
            guard completed.count > 1 else {
                return [completed[0].review.id: .refused(sqlState: error.sqlState, reason: error.description)]
            }
            var outcome: [Int64: CompletionResult] = [:]
            for review in completed {
                do {
                    outcome.merge(try write([review], on: connection)) { $1 }
                } catch let error as PostgresError where !error.isConnectionLoss {
                    outcome[review.review.id] = .refused(sqlState: error.sqlState, reason: error.description)
                }
            }
            return outcome
        }
    }

    /// The SQLSTATE of a review `complete_reviews` refused: the record would be inconsistent.
    public static let refusedWrite = "CR014"

    /// One call of `complete_reviews` writing `completed`: every column an array, unnested by the
    /// function (no JSON document around the findings); returns each review's result.
    static func write(_ completed: [CompletedReview], on connection: PostgresConnection) throws -> [Int64: CompletionResult] {
        let arrays = CompletionArrays(completed)
        let result = try connection.queryPrepared("""
            SELECT * FROM complete_reviews($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                                           $21, $22)
            """, arrays.parameters)
        var outcome: [Int64: CompletionResult] = [:]
        for row in result.rows {
            let id: Int64 = try row.decode("review_id")
            switch try row.decode("outcome", as: String.self) {
            case "written": outcome[id] = .written
            case "refused": outcome[id] = .refused(sqlState: refusedWrite, reason: try row.decode("reason", as: String?.self) ?? "refused")
            default: outcome[id] = .claimLost
            }
        }
        return outcome
    }

    /// Records a review as failed for good, with `error`: it leaves the queue, its filing becomes
    /// `review_failed`, and `status` shows it. Guarded by the claim token; true when recorded.
    @discardableResult
    public static func fail(_ review: ClaimedReview, error: String, coordinator: String, on connection: PostgresConnection) throws -> Bool {
        let recorded = try connection.queryPrepared(
            "SELECT fail_reviews($1, $2, $3) AS id",
            [ArrayLiteral(.bigint, numbers: [review.id]), ArrayLiteral(.uuid, texts: [review.token.uuidString.lowercased()]),
             ArrayLiteral(.text, texts: [ReviewText.clean(error, limit: 2000)])])
        return recorded.rowCount > 0
    }

    /// Puts a review back in the queue because modules it requires are unavailable: it is tried
    /// again after `backoff`, without counting an attempt; the first deferral's time is kept
    /// (`deferred_since`), so the wait is bounded by the modules' `max_outage_seconds`, and
    /// `deferred_for` names the modules it waits for.
    public static func deferReview(
        _ review: ClaimedReview, waitingFor modules: [String], error: String, backoff: Duration, on connection: PostgresConnection
    ) throws {
        try connection.queryPrepared(
            "SELECT defer_review($1, $2, $3::text[], $4, $5::interval)",
            [review.id, review.token, TextArray(modules), ReviewText.clean(error, limit: 2000), Self.interval(backoff)])
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
        try connection.queryPrepared(
            "SELECT retry_review($1, $2, $3, $4::interval, $5)",
            [review.id, review.token, ReviewText.clean(error, limit: 2000), Self.interval(backoff), countAttempt])
        return false
    }

    /// Returns held reviews to the queue at once (a coordinator shutting down before they finished);
    /// the attempt is not counted against them.
    public static func release(_ reviews: [ClaimedReview], on connection: PostgresConnection) throws {
        guard !reviews.isEmpty else { return }
        try connection.query(
            "SELECT release_reviews($1::uuid[])", TextArray(reviews.map { $0.token.uuidString.lowercased() }))
    }

    /// Requeues reviews whose lease expired (their coordinator stopped heartbeating); any
    /// coordinator may do this. A review whose lease expired on its `maxAttempts`-th attempt (or
    /// later) is not requeued: it fails for good with the cause, so a review that takes its
    /// coordinator down every time cannot cycle forever. Returns how many were rescued and how many failed.
    @discardableResult
    public static func rescueExpired(maxAttempts: Int, coordinator: String, on connection: PostgresConnection) throws -> (rescued: Int, failed: Int) {
        let row = try connection.queryPrepared("SELECT rescued, failed FROM rescue_reviews($1, $2)", [maxAttempts, coordinator]).rows[0]
        return (try row.decode("rescued"), try row.decode("failed"))
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
                (SELECT count(*) FROM reviews WHERE outcome = 'completed') AS completed,
                (SELECT count(*) FROM submissions WHERE state = 'pending') AS pending_submissions
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
            recentFailures: failures, pendingSubmissions: try row.decode("pending_submissions"))
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

/// The parameters of `complete_reviews`: one array per column of the reviews, one per column of
/// their findings, written straight into PostgreSQL's array text (no JSON document around them;
/// only the values that are JSON — the aggregate, observed, threshold, margin, parameters — are
/// written as JSON, by the fast writer; the aggregate in its lean form, `StoredAggregate`).
struct CompletionArrays {
    var parameters: [any PostgresEncodable]

    init(_ completed: [CompletedReview]) {
        let findingCount = completed.reduce(0) { $0 + $1.findings.count }
        var ids = ArrayLiteral(.bigint), tokens = ArrayLiteral(.uuid), recommendations = ArrayLiteral(.text)
        var aggregates = ArrayLiteral(.jsonb, capacity: completed.count * 640), rulebooks = ArrayLiteral(.text)
        var hashes = ArrayLiteral(.text), errors = ArrayLiteral(.text)
        var reviews = ArrayLiteral(.bigint, capacity: findingCount * 8), criteria = ArrayLiteral(.text, capacity: findingCount * 10)
        var modules = ArrayLiteral(.text, capacity: findingCount * 16), versions = ArrayLiteral(.text, capacity: findingCount * 8)
        var kinds = ArrayLiteral(.text, capacity: findingCount * 12), verdicts = ArrayLiteral(.text, capacity: findingCount * 8)
        var scores = ArrayLiteral(.smallint, capacity: findingCount * 4)
        var observed = ArrayLiteral(.jsonb, capacity: findingCount * 16), thresholds = ArrayLiteral(.jsonb, capacity: findingCount * 16)
        var comparators = ArrayLiteral(.text, capacity: findingCount * 6), margins = ArrayLiteral(.jsonb, capacity: findingCount * 12)
        var messagesZh = ArrayLiteral(.text, capacity: findingCount * 96), messagesEn = ArrayLiteral(.text, capacity: findingCount * 96)
        var citations = ArrayLiteral(.text, capacity: findingCount * 48), parameters = ArrayLiteral(.jsonb, capacity: findingCount * 48)
        var writer = JSONWriter(style: .compact, capacity: 256)
        func json(_ value: JSONValue?, into array: inout ArrayLiteral) {
            guard let value else { return array.appendNull() }
            writer.bytes.removeAll(keepingCapacity: true)
            writer.append(value)
            array.append(utf8: writer.bytes)
        }
        for review in completed {
            ids.append(number: review.review.id)
            tokens.append(review.review.token.uuidString.lowercased())
            recommendations.append(review.recommendation.rawValue)
            aggregates.append(utf8: StoredAggregate.bytes(review.summary))
            rulebooks.append(review.rulebook)
            hashes.append(review.rulebookHash)
            errors.append(review.moduleErrors.isEmpty ? nil : String(review.moduleErrors.joined(separator: "; ").prefix(4000)))
            for row in review.findings {
                let finding = row.finding
                reviews.append(number: review.review.id)
                criteria.append(finding.criterion)
                modules.append(row.module)
                versions.append(row.moduleVersion)
                kinds.append(row.kind.rawValue)
                verdicts.append(finding.verdict.rawValue)
                scores.append(number: finding.score)
                json(finding.observed, into: &observed)
                json(finding.threshold, into: &thresholds)
                comparators.append(finding.comparator)
                json(finding.margin, into: &margins)
                messagesZh.append(finding.message.zh)
                messagesEn.append(finding.message.en)
                citations.append(finding.citation)
                json(.object(finding.parameters), into: &parameters)
            }
        }
        self.parameters = [
            ids, tokens, recommendations, aggregates, rulebooks, hashes, errors,
            reviews, criteria, modules, versions, kinds, verdicts, scores, observed, thresholds, comparators, margins,
            messagesZh, messagesEn, citations, parameters,
        ]
    }
}
