-- Bad input at the database's own door (issue 7): the CLI validates every filing first
-- (FilingValidator: 1 MiB, 32 levels, no control characters), and these constraints hold the
-- same line for anyone who writes with psql. Invalid UTF-8 and NUL never reach a table: the
-- server refuses them on input (22021, 22P05).

-- How deeply arrays and objects nest in `j` (a scalar is 0); stops counting past 100.
CREATE FUNCTION jsonb_nesting_depth(j jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE walk(v, depth) AS (
        SELECT j, CASE WHEN jsonb_typeof(j) IN ('object', 'array') THEN 1 ELSE 0 END
        UNION ALL
        SELECT child.value, w.depth + 1
        FROM walk w
        CROSS JOIN LATERAL (
            SELECT value FROM jsonb_each(CASE WHEN jsonb_typeof(w.v) = 'object' THEN w.v END)
            UNION ALL
            SELECT value FROM jsonb_array_elements(CASE WHEN jsonb_typeof(w.v) = 'array' THEN w.v END)
        ) child
        WHERE jsonb_typeof(child.value) IN ('object', 'array') AND w.depth < 100
    )
    SELECT max(depth) FROM walk
$$;
GRANT EXECUTE ON FUNCTION jsonb_nesting_depth(jsonb) TO PUBLIC;

-- NOT VALID: rows already on file are kept as they are; every new or changed row is checked.
ALTER TABLE filings ADD CONSTRAINT filings_payload_size
    CHECK (octet_length(payload::text) <= 2097152) NOT VALID;
ALTER TABLE filings ADD CONSTRAINT filings_payload_depth
    CHECK (jsonb_nesting_depth(payload) <= 40) NOT VALID;
ALTER TABLE filings ADD CONSTRAINT filings_cluster_name_printable
    CHECK (cluster_name !~ '[[:cntrl:]]') NOT VALID;

-- A corrected filing supersedes only a filing of its own county. Another county's filing and a
-- filing that does not exist are one and the same error, so an id cannot be probed. Named to run
-- before any other BEFORE INSERT trigger on filings (triggers fire in name order).
CREATE FUNCTION filings_check_supersedes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM filings WHERE id = NEW.supersedes AND county_code = NEW.county_code) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('filing %s (named in supersedes) not found in county %s', NEW.supersedes, NEW.county_code),
            DETAIL = format('被更正的申报 %s 在 %s 不存在', NEW.supersedes, NEW.county_code),
            HINT = 'Name a filing of your own county (cluster-review status ID).';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER filings_check_supersedes BEFORE INSERT OR UPDATE OF supersedes ON filings
    FOR EACH ROW WHEN (NEW.supersedes IS NOT NULL) EXECUTE FUNCTION filings_check_supersedes();
