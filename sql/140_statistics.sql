-- What the province learns, part 1: statistics of filings, findings and the register (issue 18).
--
-- Three views, each `security_invoker`, so the reader's own privileges and row-level policies
-- apply inside them: a county sees the statistics of its own county and nothing else; reviewers,
-- administrators and auditors see the province. ReviewCore's `StatisticsRecords` aggregates them
-- set-based, with the reader's filters (year, county, leading industry) as parameters.
--
-- A filing's outcome is its status (the lifecycle's word) and the recommendation of its latest
-- completed *decision* review; reviews for another purpose (monitoring, a national recommendation)
-- never count as the decision.

-- MARK: the relative margin of a finding

-- How far a threshold finding is from its bound, relative to the bound: margin ÷ |bound|, the `m`
-- of the score formula (docs/rules.md; Indicators' `Score.relativeMargin`): 0 exactly at the
-- bound, +0.10 ten per cent on the good side, −0.25 a quarter short. The bound is the threshold
-- when it is one number; when it is one number per year, the year whose observed value differs
-- from its bound by exactly the margin (the deciding year). A bound of 0 gives the sign of the
-- margin (+1, 0, −1), as the score does. NULL for a finding without a numeric margin or bound
-- (judgements, evidence, two-clause counts).
-- PL/pgSQL without a SET clause, on purpose: the write path evaluates it once per finding (the
-- generated column below), and a SET clause would save and restore the setting on every call. It
-- names no table; its functions and operators are pg_catalog's, which every path searches first
-- unless a session names another schema before it — and only the coordinator writes findings.
CREATE FUNCTION cr_relative_margin(p_comparator text, p_margin jsonb, p_threshold jsonb, p_observed jsonb) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    m numeric;
    bound numeric;
    v_year text;
    v_bound jsonb;
    v_difference numeric;
BEGIN
    IF jsonb_typeof(p_margin) IS DISTINCT FROM 'number' THEN
        RETURN NULL;
    END IF;
    m := p_margin::numeric;
    IF jsonb_typeof(p_threshold) = 'number' THEN
        bound := p_threshold::numeric;
    ELSIF jsonb_typeof(p_threshold) = 'object' AND jsonb_typeof(p_observed) = 'object' THEN
        FOR v_year, v_bound IN SELECT e.key, e.value FROM jsonb_each(p_threshold) AS e ORDER BY e.key LOOP
            CONTINUE WHEN jsonb_typeof(v_bound) <> 'number' OR jsonb_typeof(p_observed -> v_year) IS DISTINCT FROM 'number';
            v_difference := (p_observed -> v_year)::numeric - v_bound::numeric;
            IF p_comparator LIKE '<%' THEN
                v_difference := -v_difference;
            END IF;
            IF v_difference = m THEN
                bound := v_bound::numeric;
                EXIT;
            END IF;
        END LOOP;
    END IF;
    IF bound IS NULL THEN
        RETURN NULL;
    ELSIF bound = 0 THEN
        RETURN sign(m);
    END IF;
    RETURN round(m / abs(bound), 6);
END;
$$;
REVOKE ALL ON FUNCTION cr_relative_margin(text, jsonb, jsonb, jsonb) FROM PUBLIC;
-- Evaluated when a finding is written (the generated column below), by whoever writes it.
GRANT EXECUTE ON FUNCTION cr_relative_margin(text, jsonb, jsonb, jsonb) TO cr_coordinator;

-- Stored with the finding (computed once, when written), so the margin histograms read a narrow
-- index instead of every finding's observed values.
ALTER TABLE findings ADD COLUMN relative_margin numeric
    GENERATED ALWAYS AS (cr_relative_margin(comparator, margin, threshold, observed)) STORED;

-- The statistics read findings by review: this index answers them without the heap (an index-only
-- scan once vacuumed), county_code included for the county's row policy.
CREATE INDEX findings_statistics_idx ON findings (review_id, criterion) INCLUDE (verdict, kind, county_code, relative_margin);
-- The latest decision review of each filing.
CREATE INDEX reviews_decision_idx ON reviews (filing_id, finished_at, id) INCLUDE (recommendation)
    WHERE purpose = 'decision' AND outcome = 'completed';

-- MARK: filings with their outcome

-- The leading industry a filing names, stored with it: the statistics group by it, and reading it
-- from the payload would decompress every filing's document on every count.
ALTER TABLE filings ADD COLUMN leading_industry text
    GENERATED ALWAYS AS (coalesce(nullif(btrim(payload #>> '{cluster,leading_industry}'), ''), '—')) STORED;

-- One row per filing: its county, kind, year filed, leading industry (as the filing names it),
-- status, and the latest completed decision review with its recommendation (NULL when none).
CREATE VIEW statistics_filings WITH (security_invoker = true) AS
SELECT f.id AS filing_id, f.county_code, f.kind, extract(year FROM f.filed_on)::integer AS year,
       f.leading_industry,
       f.status, r.id AS review_id, r.recommendation
FROM filings f
LEFT JOIN reviews r
       ON r.filing_id = f.id AND r.purpose = 'decision' AND r.outcome = 'completed'
      AND NOT EXISTS (SELECT FROM reviews later
                      WHERE later.filing_id = r.filing_id AND later.purpose = 'decision' AND later.outcome = 'completed'
                        AND (later.finished_at, later.id) > (r.finished_at, r.id));

-- One row per finding of each filing's latest decision review, with the filing's dimensions.
CREATE VIEW statistics_findings WITH (security_invoker = true) AS
SELECT s.filing_id, s.county_code, s.kind AS filing_kind, s.year, s.leading_industry,
       fi.criterion, fi.kind, fi.verdict, fi.relative_margin
FROM statistics_filings s
JOIN findings fi ON fi.review_id = s.review_id;

-- MARK: the register

-- One row per register entry: its county, leading industry, status, the year recognized, and the
-- latest year's output (万元) and employees stated by the filing that opened its current term.
CREATE VIEW statistics_register WITH (security_invoker = true) AS
SELECT c.id AS cluster_id, c.certificate_no, c.name, c.county_code, c.leading_industry, c.status,
       extract(year FROM c.recognized_on)::integer AS year,
       (fig ->> 'total_output_wan')::numeric AS output_wan,
       (fig ->> 'employees')::numeric AS employees
FROM clusters c
LEFT JOIN cluster_current_terms t ON t.cluster_id = c.id
LEFT JOIN filings f ON f.id = coalesce(t.filing_id, c.filing_id)
LEFT JOIN LATERAL (
    SELECT g AS fig FROM jsonb_array_elements(CASE WHEN jsonb_typeof(f.payload -> 'figures') = 'array' THEN f.payload -> 'figures'
                                                   ELSE '[]'::jsonb END) AS g
    WHERE jsonb_typeof(g -> 'year') = 'number'
    ORDER BY (g ->> 'year')::numeric DESC LIMIT 1
) AS latest ON true;

-- Read as every other record: a county its own (the policies of the tables beneath apply).
GRANT SELECT ON statistics_filings, statistics_findings, statistics_register TO cr_county, cr_reviewer, cr_admin, cr_auditor;
