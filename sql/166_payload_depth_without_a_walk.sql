-- A filing's payload depth checked without walking the document (issue 16, `submit` of 1,000
-- files; docs/benchmarks.md, "submit in batches").
--
-- filings_payload_guard (sql/090) refused a payload nested deeper than 40 levels by computing
-- jsonb_nesting_depth (sql/012), a recursive CTE that visits every member of the document through
-- jsonb_each/jsonb_array_elements: about 0.4 ms of the database's time for each filing the door
-- files, a third of PostgreSQL's share of a submission. The same bound is now asked of a jsonpath,
-- which PostgreSQL evaluates in C and which descends at most 40 levels: an array or object at level
-- 40 below the root (the root is level 0) exists exactly when the depth, as jsonb_nesting_depth
-- counts it (the root object or array is depth 1), is over 40. The same refusal (23514, constraint
-- filings_payload_depth), the same messages. jsonb_nesting_depth itself stays, unchanged, for
-- whoever calls it (sql/013 grants it to every login).
--
-- filings_payload_guard restated whole from sql/090 (its trigger and grants unchanged); only the
-- depth test differs.

CREATE OR REPLACE FUNCTION filings_payload_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    payload_text text;
BEGIN
    IF jsonb_typeof(NEW.payload) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'filings_payload_check', TABLE = 'filings',
            MESSAGE = format('a filing''s payload must be a JSON object, not %s', coalesce(jsonb_typeof(NEW.payload), 'null')),
            DETAIL = format('申报内容必须是 JSON 对象，而不是 %s', coalesce(jsonb_typeof(NEW.payload), 'null')),
            HINT = 'Submit the filing document through the submission door (cluster-review submit).';
    END IF;
    payload_text := NEW.payload::text;
    IF octet_length(payload_text) > 2097152 THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'filings_payload_size', TABLE = 'filings',
            MESSAGE = format('a filing''s payload is %s bytes of text, over the bound of 2 MiB', octet_length(payload_text)),
            DETAIL = format('申报内容为 %s 字节，超过 2 MiB 的上限', octet_length(payload_text)),
            HINT = 'A filing document is at most 1 MiB (cluster-review validate).';
    END IF;
    -- Deeper than 40 levels: some array or object 40 levels below the root. strict: arrays are
    -- not unwrapped, so each level is one step into an object's member or an array's element.
    IF jsonb_path_exists(NEW.payload, 'strict $.**{40} ? (@.type() == "object" || @.type() == "array")') THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'filings_payload_depth', TABLE = 'filings',
            MESSAGE = 'a filing''s payload nests arrays and objects deeper than 40 levels',
            DETAIL = '申报内容的数组和对象嵌套超过 40 层',
            HINT = 'A filing document nests at most 32 levels (cluster-review validate).';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.content_hash := sha256(convert_to(payload_text, 'UTF8'));
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION filings_payload_guard() FROM PUBLIC;
