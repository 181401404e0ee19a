-- The life of a recognition, part 4: monitoring between rechecks (Art. 13) and the plan on record
-- for recertification (Art. 12). A migration of its own so 004–006, already merged elsewhere, stay
-- unchanged.

-- Findings that failed or warned in the latest monitoring review of each annual report of a
-- cluster still on the register: a cluster sliding below a threshold shows here before its recheck.
-- security_invoker: the reader's own privileges and row-level policies apply.
CREATE VIEW cluster_watchlist WITH (security_invoker = true) AS
SELECT c.id AS cluster_id, c.certificate_no, ar.year, ar.filing_id, fi.criterion, fi.verdict, fi.message_zh, fi.message_en
FROM clusters c
JOIN annual_reports ar ON ar.cluster_id = c.id
CROSS JOIN LATERAL (SELECT r.id FROM reviews r
                    WHERE r.filing_id = ar.filing_id AND r.purpose = 'monitoring' AND r.outcome = 'completed'
                    ORDER BY r.finished_at DESC, r.id DESC LIMIT 1) AS latest
JOIN findings fi ON fi.review_id = latest.id AND fi.verdict IN ('fail', 'warn')
WHERE c.status <> 'revoked';

-- The plan on record of the register entry a recertification filing is for (PLAN-1 checks the
-- filing's plan_report against it); NULL when the filing names no register entry.
CREATE FUNCTION plan_on_record(p_filing bigint) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT c.plan FROM filings f JOIN clusters c ON c.id = f.cluster_id WHERE f.id = p_filing
$$;

-- What the coordinator sends modules with a filing (sql/003_review_context.sql defines the first,
-- empty version and invites this one): the incidents recorded against the filing's enterprises by
-- unified social credit code (the modules apply the veto window themselves), and for a
-- recertification the plan on record. The shape is IndicatorKit's ReviewContext. NULL for no filing.
CREATE OR REPLACE FUNCTION review_context(p_filing_id bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('incidents', coalesce((
               SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                          'enterprise_code', i.enterprise_code, 'date', i.occurred_on, 'category', i.category,
                          'grade', i.grade, 'description', nullif(i.description, '')))
                      ORDER BY i.occurred_on, i.id)
               FROM incidents i
               WHERE i.enterprise_code IN (SELECT e ->> 'code' FROM jsonb_array_elements(coalesce(f.payload -> 'enterprises', '[]')) AS e)
           ), '[]'::jsonb))
        || CASE WHEN f.kind = 'recertification' AND c.plan IS NOT NULL AND c.plan <> '{}'
                THEN jsonb_build_object('plan_on_record', c.plan) ELSE '{}'::jsonb END
    FROM filings f
    LEFT JOIN clusters c ON c.id = f.cluster_id
    WHERE f.id = p_filing_id
$$;
