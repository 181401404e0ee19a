-- The context the coordinator sends modules with a filing, and the coordinators' own heartbeat.
-- The context is a function so the lifecycle tables (incidents, the register) can extend it without
-- the coordinator's code changing; this first version has no records to draw on yet.
CREATE FUNCTION review_context(p_filing_id bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('incidents', '[]'::jsonb)
    WHERE EXISTS (SELECT 1 FROM filings WHERE id = p_filing_id)
$$;

-- Each running coordinator's heartbeat and the state of its module workers, for `status`.
CREATE TABLE coordinators (
    name         text PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    in_flight    integer NOT NULL DEFAULT 0,
    completed    bigint NOT NULL DEFAULT 0,
    modules      jsonb NOT NULL DEFAULT '[]'
);
