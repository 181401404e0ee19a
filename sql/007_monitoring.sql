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
