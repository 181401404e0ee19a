-- The claim marks what it must and nothing more (issue 16, lever B; measured in docs/benchmarks.md,
-- "Issue 16: levers").
--
-- claim_reviews (027) moved each claimed filing from submitted to in_review: one more UPDATE of a
-- filings row per review — a new row version (status is indexed, so never a HOT update), an entry
-- in every index of filings, an audit row — that no check reads. Every check treats submitted and
-- in_review alike (complete_reviews, fail_reviews, the ceiling of pending filings, the partial
-- index of pending filings), and the claim itself is the queue row's (running, claim token,
-- lease, claimed_by, started_at, attempts), which exactly-once delivery and the lease rescue rely
-- on, and which the review row keeps (started_at, coordinator, attempts; audited when written).
-- The claim now writes only the queue row. What people read is unchanged: `status` shows a
-- submitted filing whose review has started (running, or put back after an attempt) as in_review
-- (ReviewRecords), and `--status in_review` finds it. Filings already in_review stay as they are.
--
-- Claims up to `p_limit` (at most 1,000) queued reviews whose time has come, interleaving
-- counties so that one county's flood cannot starve another's single filing (every county's first
-- review before any county's second); marks them running with a lease of `p_lease`, a fresh claim
-- token and `p_owner` (the coordinator's name), and fixes what each requires — `p_required` keyed
-- by the filing's kind — unless an earlier claim fixed it. `required` is returned only when an
-- earlier claim fixed something other than asked now.
CREATE OR REPLACE FUNCTION claim_reviews(p_limit integer, p_lease interval, p_owner text, p_required jsonb)
RETURNS TABLE (review_id bigint, filing_id bigint, county_code text, claim_token uuid, attempts integer, purpose text,
               rulebook text, as_of text, kind text, deferred_ms bigint, required jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'claiming reviews', '领取审查任务');
    IF p_lease IS NULL OR p_lease < interval '100 milliseconds' OR p_lease > interval '1 day'
       OR p_owner IS NULL OR length(p_owner) NOT BETWEEN 1 AND 200 THEN
        PERFORM lifecycle_fail('CR008', 'a claim needs a lease between 100 ms and a day and the coordinator''s name (1 to 200 characters)',
            '领取任务须给出 100 毫秒至一天的租约和协调服务名称', 'Check the coordinator''s --lease and --name.');
    END IF;
    RETURN QUERY
    WITH ready AS (
        SELECT q.id, q.queued_at,
               row_number() OVER (PARTITION BY q.county_code ORDER BY q.queued_at, q.id) AS turn
        FROM counties c
        CROSS JOIN LATERAL (
            SELECT rq.id, rq.county_code, rq.queued_at
            FROM review_queue rq
            WHERE rq.county_code = c.code AND rq.state = 'queued' AND rq.not_before <= now()
            ORDER BY rq.queued_at, rq.id
            LIMIT least(greatest(p_limit, 0), 1000)
            FOR UPDATE SKIP LOCKED
        ) q
    ), chosen AS (
        SELECT r.id FROM ready r ORDER BY r.turn, r.queued_at, r.id LIMIT least(greatest(p_limit, 0), 1000)
    ), claimed AS (
        UPDATE review_queue q
        SET state = 'running', claim_token = gen_random_uuid(), lease_until = now() + p_lease,
            claimed_by = p_owner, started_at = now(), attempts = q.attempts + 1,
            required = coalesce(q.required, p_required -> f.kind)
        FROM chosen, filings f
        WHERE q.id = chosen.id AND f.id = q.filing_id
        RETURNING q.id, q.filing_id, q.county_code, q.claim_token, q.attempts, q.purpose, q.rulebook, q.as_of,
                  q.required, (extract(epoch FROM now() - q.deferred_since) * 1000)::bigint AS deferred_ms
    )
    SELECT c.id, c.filing_id, c.county_code, c.claim_token, c.attempts, c.purpose, c.rulebook,
           coalesce(c.as_of, f.filed_on)::text, f.kind, c.deferred_ms,
           CASE WHEN c.required = p_required -> f.kind THEN NULL ELSE c.required END
    FROM claimed c JOIN filings f ON f.id = c.filing_id
    ORDER BY c.id;
END;
$$;
REVOKE ALL ON FUNCTION claim_reviews(integer, interval, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_reviews(integer, interval, text, jsonb) TO cr_coordinator;

