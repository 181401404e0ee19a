-- What the province learns, part 2: the national recommendation (issue 18, item 2).
--
-- A review has a purpose: 'decision' (the province's review of a filing, under the province's
-- rulebook), 'monitoring' (an annual report's figures) and now 'national': the review of a
-- recognized cluster under the national standard (`national-2022`, 工信部企业〔2022〕119号), run
-- through the same queue, coordinator and modules, with its rulebook and as-of date recorded on the
-- queue row and on the review. A national review judges the filing that opened the register
-- entry's current term (the initial filing recognized, or the recertification approved): a full
-- application holding every group the national standard asks about, and the one the province's
-- own decision rests on, so the two rulebooks are compared on the same facts (docs/rules.md,
-- "The national recommendation").
--
-- A national review records a review and its findings and nothing else: the filing's status, its
-- decision review, its confirmations and the register stay as they are (the filing row is not
-- written at all, so no trigger on filings fires for it). What reads "the" review of a filing
-- (status, list, report, decide, confirm, the statistics) reads decision or monitoring reviews
-- only (ReviewRecords, ReviewerRecords; sql/004, 094, 140 already name the purpose).
--
--   queue_national_reviews  (new) queue national reviews of register entries, idempotently
--   complete_reviews        (restated whole from sql/027) a national review is written whatever
--                           the filing's status, and never moves the filing's status
--
-- fail_reviews and rescue_reviews (sql/027) are not restated: they move a filing's status only
-- from submitted or in_review, and the filing a national review judges has been decided
-- (recognized or approved), so they write no filing row for it. claim_reviews (sql/091) writes the
-- queue row only.

-- MARK: the purpose

ALTER TABLE review_queue DROP CONSTRAINT review_queue_purpose_check;
ALTER TABLE review_queue ADD CONSTRAINT review_queue_purpose_check CHECK (purpose IN ('decision', 'monitoring', 'national'));
-- A national review always names its rulebook and as-of date: they are what makes it national.
ALTER TABLE review_queue ADD CONSTRAINT review_queue_national_names_its_rulebook
    CHECK (purpose <> 'national' OR (rulebook IS NOT NULL AND as_of IS NOT NULL));
ALTER TABLE reviews DROP CONSTRAINT reviews_purpose_check;
ALTER TABLE reviews ADD CONSTRAINT reviews_purpose_check CHECK (purpose IN ('decision', 'monitoring', 'national'));

-- The latest national review of each filing under each rulebook.
CREATE INDEX reviews_national_idx ON reviews (filing_id, rulebook, finished_at DESC, id DESC)
    WHERE purpose = 'national' AND outcome = 'completed';

-- MARK: queue

-- Queues a national review, under rulebook `p_rulebook` as of `p_as_of` (NULL: each filing's own
-- filing date), of each active register entry asked for: the entries `p_clusters`, or those whose
-- current term's filing was filed in round `p_round`, or (both NULL) every active entry. Each
-- entry is reviewed from the filing that opened its current term. Idempotent: an entry whose
-- filing already has a national review under the same rulebook and as-of date queued or running
-- ('already_queued') or completed ('already_reviewed') is not queued again; one whose filing has
-- another review in the queue waits ('busy'); an entry expired or revoked is not recommended
-- ('not_active'). Returns one row per entry with what happened and the review concerned.
-- Reviewers and administrators (42501 otherwise); an entry asked for that does not exist: CR001,
-- nothing queued; a round that does not exist: CR001; both a list and a round, or a rulebook
-- name that cannot be one: CR008.
CREATE FUNCTION queue_national_reviews(p_clusters bigint[], p_round bigint, p_rulebook text, p_as_of date)
RETURNS TABLE (cluster_id bigint, certificate_no text, filing_id bigint, review_id bigint, outcome text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_missing bigint[];
BEGIN
    PERFORM cr_require(ARRAY['cr_reviewer', 'cr_admin'], 'queuing national reviews', '排队国家级推荐审核');
    IF p_rulebook IS NULL OR p_rulebook !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' THEN
        PERFORM lifecycle_fail('CR008', format('%L is not a rulebook name', p_rulebook), format('%L 不是规则集名称', p_rulebook),
            'Name a rulebook of config/parameters.json, e.g. national-2022.');
    END IF;
    IF p_clusters IS NOT NULL AND p_round IS NOT NULL THEN
        PERFORM lifecycle_fail('CR008', 'name either register entries or a round, not both', '登记集群与批次只能指定其一',
            'Give --clusters or --round.');
    END IF;
    IF p_round IS NOT NULL AND NOT EXISTS (SELECT FROM rounds r WHERE r.id = p_round) THEN
        PERFORM lifecycle_fail('CR001', format('round %s does not exist', p_round), format('批次 %s 不存在', p_round),
            'cluster-review rounds list shows the rounds.');
    END IF;
    SELECT array_agg(a.id ORDER BY a.id) INTO v_missing
    FROM unnest(p_clusters) AS a(id) WHERE NOT EXISTS (SELECT FROM clusters c WHERE c.id = a.id);
    IF v_missing IS NOT NULL THEN
        PERFORM lifecycle_fail('CR001', format('no register entry %s', array_to_string(v_missing, ', ')),
            format('认定名单中没有集群 %s', array_to_string(v_missing, '、')), 'cluster-review register lists the entries.');
    END IF;
    RETURN QUERY
    WITH asked AS (
        SELECT c.id, c.certificate_no, c.status, f.id AS fid, f.county_code, coalesce(p_as_of, f.filed_on) AS as_of
        FROM clusters c
        LEFT JOIN cluster_current_terms t ON t.cluster_id = c.id
        JOIN filings f ON f.id = coalesce(t.filing_id, c.filing_id)
        WHERE (p_clusters IS NULL OR c.id = ANY (p_clusters))
          AND (p_round IS NULL OR f.round_id = p_round)
          AND (p_clusters IS NOT NULL OR c.status = 'active')
    ), judged AS (
        SELECT a.*,
               (SELECT q.id FROM review_queue q
                WHERE q.filing_id = a.fid AND q.purpose = 'national' AND q.rulebook = p_rulebook AND q.as_of = a.as_of) AS queued_id,
               (SELECT r.id FROM reviews r
                WHERE r.filing_id = a.fid AND r.purpose = 'national' AND r.outcome = 'completed'
                  AND r.rulebook = p_rulebook AND r.as_of = a.as_of
                ORDER BY r.finished_at DESC, r.id DESC LIMIT 1) AS reviewed_id,
               (SELECT q.id FROM review_queue q WHERE q.filing_id = a.fid) AS other_id
        FROM asked a
    ), queued AS (
        INSERT INTO review_queue (filing_id, county_code, purpose, rulebook, as_of)
        SELECT j.fid, j.county_code, 'national', p_rulebook, j.as_of
        FROM judged j
        WHERE j.status = 'active' AND j.queued_id IS NULL AND j.reviewed_id IS NULL AND j.other_id IS NULL
        ON CONFLICT DO NOTHING
        RETURNING review_queue.id, review_queue.filing_id
    )
    SELECT j.id, j.certificate_no, j.fid,
           coalesce(q.id, j.queued_id, j.reviewed_id, j.other_id),
           CASE WHEN j.status <> 'active' THEN 'not_active'
                WHEN j.queued_id IS NOT NULL THEN 'already_queued'
                WHEN j.reviewed_id IS NOT NULL THEN 'already_reviewed'
                WHEN q.id IS NOT NULL THEN 'queued'
                ELSE 'busy' END
    FROM judged j LEFT JOIN queued q ON q.filing_id = j.fid
    ORDER BY j.id;
END;
$$;
REVOKE ALL ON FUNCTION queue_national_reviews(bigint[], bigint, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION queue_national_reviews(bigint[], bigint, text, date) TO cr_reviewer, cr_admin;

-- MARK: complete (restated whole from sql/027)

-- Writes finished reviews with their findings, each checked on its own (see the head of this
-- file), in one statement for the whole batch. Reviews: `p_ids`, `p_tokens`, `p_recommendations`,
-- `p_aggregates`, `p_rulebooks`, `p_rulebook_hashes`, `p_last_errors`, one element per review.
-- Findings: the `f_*` arrays, one element per finding, `f_reviews` naming its review. Returns one
-- row per review: 'written', 'claim_lost' (its token is no longer current: another attempt owns
-- it) or 'refused' with the reason (nothing of it written).
-- Restated (sql/141): a national review is written whatever the filing's status (the filing was
-- decided long ago; its review under another rulebook is a record beside the decision), and the
-- filing's status moves for decision and monitoring reviews only.
CREATE OR REPLACE FUNCTION complete_reviews(
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
        FROM held h WHERE h.filing_status NOT IN ('submitted', 'in_review') AND h.purpose <> 'national'
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
        WHERE fi.id = w.filing_id AND w.purpose <> 'national' AND fi.status IN ('submitted', 'in_review')
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
