-- The context the coordinator sends modules with a filing. Defined as a function so the lifecycle
-- tables (incidents, the register) can extend it without the coordinator's code changing; this first
-- version has no records to draw on yet.
CREATE FUNCTION review_context(p_filing_id bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('incidents', '[]'::jsonb)
    WHERE EXISTS (SELECT 1 FROM filings WHERE id = p_filing_id)
$$;
