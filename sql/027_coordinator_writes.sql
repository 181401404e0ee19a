-- The coordinator writes only consistent records (issue 14 phase 2, item 6; docs/security.md).
--
-- Every write of a review's life goes through a function that checks it, and cr_coordinator keeps
-- no direct write on review_queue, reviews, findings or filings: INSERT on reviews and findings,
-- UPDATE on filings, UPDATE and DELETE on review_queue are revoked. The functions run as the owner,
-- check the person holds cr_coordinator (cr_require), and act only on reviews whose claim token the
-- caller presents:
--
--   claim_reviews     claim queued reviews (SKIP LOCKED, counties interleaved), fix their requirement
--   renew_leases      heartbeat: renew the leases of reviews still held
--   complete_reviews  write finished reviews with their findings, set-based, one call per batch
--   fail_reviews      record reviews as failed for good
--   retry_review      put a review back after a failed attempt
--   defer_review      put a review back while a module it requires is unavailable
--   release_reviews   give held reviews back (shutting down)
--   rescue_reviews    requeue reviews whose lease expired, or fail them past the attempt limit
--
-- complete_reviews checks, for each review on its own (one bad review never fails another): the
-- claim token is current (else "claim_lost"); the filing is still in review (submitted or
-- in_review); the review has a recorded requirement; the findings are exactly the criteria the
-- review requires — for each required module, the criteria fixed at claim, or, for a module that
-- had never declared at claim, the criteria of the declaration recorded in module_declarations for
-- the version that answered — no finding missing, none extra, none twice; each finding's verdict,
-- kind, score and texts are ones the tables take; the recommendation is one of the four. A finding
-- names no filing or county: both are the review's, taken from its queue row. The review's date,
-- filing, county, purpose, attempts and times come from the queue row too. A refused review is
-- reported with its reason (CR014 in the coordinator's log) and written nowhere; the coordinator
-- then records it as failed.
--
-- Findings reach PostgreSQL as arrays (one per column, through unnest), not as one JSON document:
-- measured in docs/benchmarks.md ("Issue 14 phase 2: the submission door and the coordinator's checked writes").
--
--   CR014  a coordinator's write refused: the record would be inconsistent

-- MARK: what the coordinator may no longer do

REVOKE INSERT ON reviews, findings FROM cr_coordinator;
REVOKE UPDATE ON filings FROM cr_coordinator;
REVOKE UPDATE, DELETE ON review_queue FROM cr_coordinator;
DROP POLICY reviews_coordinator_write ON reviews;
DROP POLICY findings_coordinator_write ON findings;
DROP POLICY filings_coordinator_status ON filings;
DROP POLICY review_queue_coordinator ON review_queue;
CREATE POLICY review_queue_coordinator_read ON review_queue FOR SELECT TO cr_coordinator USING (true);

-- MARK: claim

-- Claims up to `p_limit` (at most 1,000) queued reviews whose time has come, interleaving
-- counties so that one county's flood cannot starve another's single filing (every county's first
-- review before any county's second); marks them running with a lease of `p_lease`, a fresh claim
-- token and `p_owner` (the coordinator's name), moves their filings into review, and fixes what
-- each requires — `p_required` keyed by the filing's kind — unless an earlier claim fixed it.
-- `required` is returned only when an earlier claim fixed something other than asked now.
CREATE FUNCTION claim_reviews(p_limit integer, p_lease interval, p_owner text, p_required jsonb)
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
    ), marked AS (
        UPDATE filings f SET status = 'in_review'
        FROM claimed c
        WHERE f.id = c.filing_id AND f.status = 'submitted'
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

-- Renews by `p_lease` the leases of the running reviews whose tokens are `p_tokens`; returns the
-- ids renewed (a token not among them lost its claim).
CREATE FUNCTION renew_leases(p_tokens uuid[], p_lease interval) RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'renewing leases', '续租审查任务');
    IF p_lease IS NULL OR p_lease < interval '100 milliseconds' OR p_lease > interval '1 day' THEN
        PERFORM lifecycle_fail('CR008', 'a lease is between 100 ms and a day', '租约须在 100 毫秒至一天之间', 'Check --lease.');
    END IF;
    RETURN QUERY
        UPDATE review_queue SET lease_until = now() + p_lease
        WHERE claim_token = ANY (p_tokens) AND state = 'running'
        RETURNING id;
END;
$$;
REVOKE ALL ON FUNCTION renew_leases(uuid[], interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION renew_leases(uuid[], interval) TO cr_coordinator;

-- MARK: complete

-- Writes finished reviews with their findings, each checked on its own (see the head of this
-- file), in one statement for the whole batch. Reviews: `p_ids`, `p_tokens`, `p_recommendations`,
-- `p_aggregates`, `p_rulebooks`, `p_rulebook_hashes`, `p_last_errors`, one element per review.
-- Findings: the `f_*` arrays, one element per finding, `f_reviews` naming its review. Returns one
-- row per review: 'written', 'claim_lost' (its token is no longer current: another attempt owns
-- it) or 'refused' with the reason (nothing of it written).
CREATE FUNCTION complete_reviews(
    p_ids bigint[], p_tokens uuid[], p_recommendations text[], p_aggregates jsonb[], p_rulebooks text[],
    p_rulebook_hashes text[], p_last_errors text[],
    f_reviews bigint[], f_criteria text[], f_modules text[], f_module_versions text[], f_kinds text[], f_verdicts text[],
    f_scores smallint[], f_observed jsonb[], f_thresholds jsonb[], f_comparators text[], f_margins jsonb[],
    f_messages_zh text[], f_messages_en text[], f_citations text[], f_parameters jsonb[])
RETURNS TABLE (review_id bigint, outcome text, reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'writing reviews', '写入审查结果');
    IF (SELECT count(DISTINCT coalesce(n, 0)) FROM unnest(ARRAY[
            cardinality(p_ids), cardinality(p_tokens), cardinality(p_recommendations), cardinality(p_aggregates),
            cardinality(p_rulebooks), cardinality(p_rulebook_hashes), cardinality(p_last_errors)]) AS n) > 1
       OR (SELECT count(DISTINCT coalesce(n, 0)) FROM unnest(ARRAY[
            cardinality(f_reviews), cardinality(f_criteria), cardinality(f_modules), cardinality(f_module_versions),
            cardinality(f_kinds), cardinality(f_verdicts), cardinality(f_scores), cardinality(f_observed),
            cardinality(f_thresholds), cardinality(f_comparators), cardinality(f_margins), cardinality(f_messages_zh),
            cardinality(f_messages_en), cardinality(f_citations), cardinality(f_parameters)]) AS n) > 1 THEN
        PERFORM lifecycle_fail('CR008', 'complete_reviews takes arrays of one length for the reviews and one length for the findings',
            '审查结果与审查意见的各数组长度须分别一致', 'Pass one element per review and one per finding in every array.');
    END IF;
    RETURN QUERY
    WITH r AS (
        -- Narrow: the review's other columns are read by position (n) where they are written, so no
        -- join copies an aggregate once per row of another table.
        SELECT * FROM unnest(p_ids, p_tokens, p_recommendations) WITH ORDINALITY AS r(id, token, recommendation, n)
    ), held AS (
        -- The reviews whose claim is current, locked; everything else about them is the queue's.
        SELECT q.id, q.filing_id, q.county_code, q.purpose, q.attempts, q.queued_at, q.started_at, q.required, q.claimed_by,
               coalesce(q.as_of, fi.filed_on) AS as_of, fi.status AS filing_status,
               r.recommendation, r.n
        FROM r
        JOIN review_queue q ON q.id = r.id AND q.claim_token = r.token AND q.state = 'running'
        JOIN filings fi ON fi.id = q.filing_id
        FOR UPDATE OF q
    ), f AS (
        SELECT x.* FROM unnest(f_reviews, f_criteria, f_modules, f_module_versions, f_kinds, f_verdicts, f_scores, f_observed,
                               f_thresholds, f_comparators, f_margins, f_messages_zh, f_messages_en, f_citations, f_parameters)
            AS x(review_id, criterion, module, module_version, kind, verdict, score, observed, threshold, comparator, margin,
                 message_zh, message_en, citation, parameters)
        WHERE x.review_id IN (SELECT h.id FROM held h)
    ), entries AS (
        -- Each required module of each held review, with the criteria fixed at claim (NULL: the
        -- module had never declared; its recorded declaration decides below).
        SELECT h.id, m.value ->> 'module' AS module,
               CASE WHEN jsonb_typeof(m.value -> 'criteria') = 'array' THEN m.value -> 'criteria' END AS criteria
        FROM held h
        CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(h.required) = 'array' THEN h.required ELSE '[]' END) AS m(value)
    ), undeclared AS (
        -- The required modules that had never declared at claim: usually none. Narrow, like every
        -- CTE a join may scan again per row (a CTE is rescanned by copying its rows).
        SELECT e.id, e.module FROM entries e WHERE e.criteria IS NULL
    ), versions AS (
        SELECT DISTINCT f.review_id, f.module, f.module_version FROM f
    ), required AS (
        SELECT e.id, e.module, c.criterion
        FROM entries e CROSS JOIN LATERAL jsonb_array_elements_text(e.criteria) AS c(criterion)
        WHERE e.criteria IS NOT NULL
        UNION ALL
        SELECT DISTINCT e.id, e.module, c.value ->> 'id'
        FROM undeclared e
        JOIN versions v ON v.review_id = e.id AND v.module = e.module
        JOIN module_declarations d ON d.module = v.module AND d.version = v.module_version
        CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(d.declaration -> 'criteria') = 'array'
                                                     THEN d.declaration -> 'criteria' ELSE '[]' END) AS c(value)
    ), problems AS (
        SELECT h.id, format('filing %s is %s, no longer in review', h.filing_id, h.filing_status) AS reason
        FROM held h WHERE h.filing_status NOT IN ('submitted', 'in_review')
        UNION ALL
        SELECT h.id, 'the review has no requirement recorded at its claim'
        FROM held h WHERE h.required IS NULL OR jsonb_typeof(h.required) <> 'array'
        UNION ALL
        SELECT h.id, format('the recommendation %s is not one of recommended, needs_review, not_recommended, rejected_by_veto',
                            coalesce(h.recommendation, 'NULL'))
        FROM held h
        WHERE h.recommendation IS NULL OR h.recommendation NOT IN ('recommended', 'needs_review', 'not_recommended', 'rejected_by_veto')
           OR (p_aggregates[h.n] IS NOT NULL AND jsonb_typeof(p_aggregates[h.n]) <> 'object')
        UNION ALL
        SELECT e.id, format('module %s, required without declared criteria, has no declaration on record for the version that answered, or did not answer', e.module)
        FROM undeclared e
        WHERE NOT EXISTS (
            SELECT FROM versions v JOIN module_declarations d ON d.module = v.module AND d.version = v.module_version
            WHERE v.review_id = e.id AND v.module = e.module)
        UNION ALL
        SELECT x.review_id, 'findings the review does not require (or twice): ' || string_agg(x.module || '/' || x.criterion, ', ' ORDER BY x.module, x.criterion)
        FROM (SELECT f.review_id, f.module, f.criterion FROM f
              EXCEPT ALL
              SELECT rq.id, rq.module, rq.criterion FROM required rq) x
        GROUP BY x.review_id
        UNION ALL
        SELECT x.id, 'required criteria without a finding: ' || string_agg(x.module || '/' || x.criterion, ', ' ORDER BY x.module, x.criterion)
        FROM (SELECT rq.id, rq.module, rq.criterion FROM required rq
              EXCEPT
              SELECT f.review_id, f.module, f.criterion FROM f) x
        GROUP BY x.id
        UNION ALL
        SELECT f.review_id, format('finding %s: %s', coalesce(f.criterion, 'NULL'),
                                   concat_ws(', ',
                                       CASE WHEN f.criterion IS NULL OR f.criterion !~ '^[A-Z]{2,8}-[0-9]{1,3}$' THEN 'criterion id' END,
                                       CASE WHEN f.kind IS NULL OR f.kind NOT IN ('threshold', 'evidence', 'judgement') THEN 'kind' END,
                                       CASE WHEN f.verdict IS NULL OR f.verdict NOT IN ('pass', 'fail', 'warn', 'manual', 'not_applicable', 'error') THEN 'verdict' END,
                                       CASE WHEN f.score IS NULL OR f.score NOT BETWEEN 0 AND 100 THEN 'score' END,
                                       CASE WHEN f.module IS NULL OR f.module_version IS NULL OR f.message_zh IS NULL OR f.message_en IS NULL
                                                 OR f.citation IS NULL THEN 'missing text' END))
        FROM f
        WHERE f.criterion IS NULL OR f.criterion !~ '^[A-Z]{2,8}-[0-9]{1,3}$'
           OR f.kind IS NULL OR f.kind NOT IN ('threshold', 'evidence', 'judgement')
           OR f.verdict IS NULL OR f.verdict NOT IN ('pass', 'fail', 'warn', 'manual', 'not_applicable', 'error')
           OR f.score IS NULL OR f.score NOT BETWEEN 0 AND 100
           OR f.module IS NULL OR f.module_version IS NULL OR f.message_zh IS NULL OR f.message_en IS NULL OR f.citation IS NULL
    ), refusals AS (
        SELECT p.id, string_agg(p.reason, '; ' ORDER BY p.reason) AS reason FROM problems p GROUP BY p.id
    ), ok AS (
        SELECT h.* FROM held h WHERE NOT EXISTS (SELECT FROM refusals x WHERE x.id = h.id)
    ), written AS (
        -- The reviews written, narrow: the findings' insert scans it once per finding when the
        -- plan is a nested loop, and a row of ok carries the aggregate and the requirement.
        SELECT ok.id, ok.filing_id, ok.county_code, ok.purpose FROM ok
    ), done AS (
        DELETE FROM review_queue q USING written w WHERE q.id = w.id
    ), recorded AS (
        INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, aggregate, rulebook, rulebook_hash,
                             as_of, attempts, last_error, coordinator, queued_at, started_at, required)
        SELECT ok.id, ok.filing_id, ok.county_code, ok.purpose, 'completed', ok.recommendation, p_aggregates[ok.n],
               p_rulebooks[ok.n], p_rulebook_hashes[ok.n], ok.as_of, ok.attempts, left(p_last_errors[ok.n], 4000), ok.claimed_by,
               ok.queued_at, ok.started_at,
               ok.required
        FROM ok
    ), found AS (
        INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                              observed, threshold, comparator, margin, message_zh, message_en, citation, parameters)
        SELECT w.id, f.criterion, w.filing_id, w.county_code, f.module, f.module_version, f.kind, f.verdict, f.score,
               f.observed, f.threshold, f.comparator, f.margin, f.message_zh, f.message_en, f.citation,
               coalesce(f.parameters, '{}'::jsonb)
        FROM f JOIN written w ON w.id = f.review_id
    ), status AS (
        UPDATE filings fi
        SET status = CASE WHEN w.purpose = 'monitoring' THEN 'recorded' ELSE 'reviewed' END
        FROM written w
        WHERE fi.id = w.filing_id AND fi.status IN ('submitted', 'in_review')
    )
    SELECT r.id,
           CASE WHEN w.id IS NOT NULL THEN 'written' WHEN x.id IS NOT NULL THEN 'refused' ELSE 'claim_lost' END,
           x.reason
    FROM r
    LEFT JOIN written w ON w.id = r.id
    LEFT JOIN refusals x ON x.id = r.id AND w.id IS NULL
    ORDER BY r.id;
END;
$$;
REVOKE ALL ON FUNCTION complete_reviews(bigint[], uuid[], text[], jsonb[], text[], text[], text[], bigint[], text[], text[],
                                        text[], text[], text[], smallint[], jsonb[], jsonb[], text[], jsonb[], text[], text[],
                                        text[], jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION complete_reviews(bigint[], uuid[], text[], jsonb[], text[], text[], text[], bigint[], text[], text[],
                                           text[], text[], text[], smallint[], jsonb[], jsonb[], text[], jsonb[], text[], text[],
                                           text[], jsonb[]) TO cr_coordinator;

-- MARK: fail, retry, defer, release, rescue

-- Records the held reviews `p_ids` (tokens `p_tokens`) as failed for good, each with its error
-- (cut to 2,000 characters): they leave the queue for `reviews`, and a filing still in review
-- becomes review_failed. Returns the ids recorded (a token no longer current is skipped).
CREATE FUNCTION fail_reviews(p_ids bigint[], p_tokens uuid[], p_errors text[]) RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'recording failed reviews', '记录审查失败');
    RETURN QUERY
    WITH input AS (
        SELECT * FROM unnest(p_ids, p_tokens, p_errors) AS i(id, token, error)
    ), done AS (
        DELETE FROM review_queue q USING input i
        WHERE q.id = i.id AND q.claim_token = i.token AND q.state = 'running'
        RETURNING q.*, i.error
    ), recorded AS (
        INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, attempts, last_error, coordinator,
                             queued_at, started_at, as_of, required)
        SELECT d.id, d.filing_id, d.county_code, d.purpose, 'failed', d.attempts, left(coalesce(d.error, 'failed'), 2000), d.claimed_by,
               d.queued_at, d.started_at, d.as_of, d.required
        FROM done d
        RETURNING id, filing_id
    ), marked AS (
        UPDATE filings SET status = 'review_failed'
        WHERE id IN (SELECT r.filing_id FROM recorded r) AND status IN ('submitted', 'in_review')
    )
    SELECT r.id FROM recorded r;
END;
$$;
REVOKE ALL ON FUNCTION fail_reviews(bigint[], uuid[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fail_reviews(bigint[], uuid[], text[]) TO cr_coordinator;

-- Puts held review `p_id` back in the queue after a failed attempt, tried again after `p_backoff`
-- (at most a day), with its error; `p_count_attempt` false gives the attempt back. True when done.
CREATE FUNCTION retry_review(p_id bigint, p_token uuid, p_error text, p_backoff interval, p_count_attempt boolean)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'retrying a review', '重试审查');
    UPDATE review_queue
    SET state = 'queued', claim_token = NULL, lease_until = NULL, claimed_by = NULL,
        not_before = now() + least(greatest(coalesce(p_backoff, interval '0'), interval '0'), interval '1 day'),
        last_error = left(p_error, 2000),
        attempts = CASE WHEN coalesce(p_count_attempt, true) THEN attempts ELSE greatest(attempts - 1, 0) END
    WHERE id = p_id AND claim_token = p_token AND state = 'running';
    RETURN FOUND;
END;
$$;
REVOKE ALL ON FUNCTION retry_review(bigint, uuid, text, interval, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retry_review(bigint, uuid, text, interval, boolean) TO cr_coordinator;

-- Puts held review `p_id` back because modules it requires (`p_modules`) are unavailable: tried
-- again after `p_backoff`, the attempt given back; the first deferral's time is kept, so that the
-- wait is bounded by the modules' max_outage_seconds. True when done.
CREATE FUNCTION defer_review(p_id bigint, p_token uuid, p_modules text[], p_error text, p_backoff interval)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'deferring a review', '推迟审查');
    UPDATE review_queue
    SET state = 'queued', claim_token = NULL, lease_until = NULL, claimed_by = NULL,
        not_before = now() + least(greatest(coalesce(p_backoff, interval '0'), interval '0'), interval '1 day'),
        last_error = left(p_error, 2000), attempts = greatest(attempts - 1, 0),
        deferred_since = coalesce(deferred_since, now()), deferred_for = p_modules
    WHERE id = p_id AND claim_token = p_token AND state = 'running';
    RETURN FOUND;
END;
$$;
REVOKE ALL ON FUNCTION defer_review(bigint, uuid, text[], text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION defer_review(bigint, uuid, text[], text, interval) TO cr_coordinator;

-- Gives the held reviews with tokens `p_tokens` back to the queue at once, the attempt not
-- counted (a coordinator shutting down). Returns how many.
CREATE FUNCTION release_reviews(p_tokens uuid[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    released integer;
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'releasing reviews', '交还审查任务');
    UPDATE review_queue
    SET state = 'queued', claim_token = NULL, lease_until = NULL, claimed_by = NULL,
        attempts = greatest(attempts - 1, 0), not_before = now()
    WHERE claim_token = ANY (p_tokens) AND state = 'running';
    GET DIAGNOSTICS released = ROW_COUNT;
    RETURN released;
END;
$$;
REVOKE ALL ON FUNCTION release_reviews(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION release_reviews(uuid[]) TO cr_coordinator;

-- Requeues reviews whose lease expired (their coordinator stopped heartbeating); a review whose
-- lease expired on its `p_max_attempts`-th attempt or later fails for good with the cause, so a
-- review that takes its coordinator down every time cannot cycle forever. Any coordinator may do
-- this; `p_coordinator` (its name) is recorded on the failed ones. Returns how many of each.
CREATE FUNCTION rescue_reviews(p_max_attempts integer, p_coordinator text, OUT rescued integer, OUT failed integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'rescuing expired reviews', '收回租约过期的审查任务');
    WITH done AS (
        DELETE FROM review_queue
        WHERE state = 'running' AND lease_until < now() AND attempts >= p_max_attempts
        RETURNING *
    ), recorded AS (
        INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, attempts, last_error, coordinator,
                             queued_at, started_at, as_of, required)
        SELECT id, filing_id, county_code, purpose, 'failed', attempts,
               'lease expired on attempt ' || attempts || ' of ' || p_max_attempts || ': coordinator ' || coalesce(claimed_by, '?')
                   || ' stopped heartbeating' || coalesce('; before that: ' || left(last_error, 1500), ''),
               left(p_coordinator, 200), queued_at, started_at, as_of, required
        FROM done
        RETURNING filing_id
    )
    UPDATE filings SET status = 'review_failed'
    WHERE id IN (SELECT filing_id FROM recorded) AND status IN ('submitted', 'in_review');
    GET DIAGNOSTICS failed = ROW_COUNT;
    UPDATE review_queue
    SET state = 'queued', claim_token = NULL, lease_until = NULL, not_before = now(),
        last_error = 'lease expired: coordinator ' || coalesce(claimed_by, '?') || ' stopped heartbeating',
        claimed_by = NULL
    WHERE state = 'running' AND lease_until < now();
    GET DIAGNOSTICS rescued = ROW_COUNT;
END;
$$;
REVOKE ALL ON FUNCTION rescue_reviews(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rescue_reviews(integer, text) TO cr_coordinator;
