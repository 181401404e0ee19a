-- A filing's status changes never re-check or re-audit its unchanged payload (issue 16, lever A;
-- measured in docs/benchmarks.md, "Issue 16: levers").
--
-- PostgreSQL evaluates every CHECK constraint of a row on every UPDATE of that row, whichever
-- columns change. The payload's three checks (an object, at most 2 MiB of text, at most 40 levels
-- deep: 002 and 012) detoasted, printed and walked the whole document — the recursive
-- jsonb_nesting_depth about 1 ms — on each of the two status changes a review makes (claim and
-- completion). They now run in a BEFORE trigger that fires only when the payload is written: on
-- INSERT, and on an UPDATE that names the payload. Same bounds, same SQLSTATE (23514) and the same
-- constraint names in the error. A payload written by UPDATE also gets its content_hash recomputed
-- (the column is by definition the SHA-256 of the payload's canonical text), so the hash follows
-- the payload.
--
-- The audit trigger of filings converted the whole row, payload included, to JSON twice per
-- change and then removed the payload from both images. It now leaves the payload out before
-- converting and records the payload by its hash: each image carries `content_hash`. Every change
-- is still recorded, one audit row per changed row, as before; a payload change shows as a change
-- of `content_hash`.
--
-- Who writes a payload: file_submissions (026, the door) and the owner. cr_coordinator has no
-- UPDATE on filings (027) and no role but the owner may update the payload.

-- MARK: the payload's checks, when the payload is written

ALTER TABLE filings DROP CONSTRAINT filings_payload_check;
ALTER TABLE filings DROP CONSTRAINT filings_payload_size;
ALTER TABLE filings DROP CONSTRAINT filings_payload_depth;

-- Refuses a payload that is not an object, over 2 MiB of text or nested deeper than 40 levels.
-- Named to fire after every other BEFORE trigger on filings (triggers fire in name order), so it
-- checks the payload that is stored.
CREATE FUNCTION filings_payload_guard() RETURNS trigger
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
    IF jsonb_nesting_depth(NEW.payload) > 40 THEN
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
CREATE TRIGGER filings_payload_guard BEFORE INSERT OR UPDATE OF payload ON filings
    FOR EACH ROW EXECUTE FUNCTION filings_payload_guard();

-- MARK: the audit of filings, the payload by its hash

-- audit_row() for filings, without converting the payload: the row is copied with the payload set
-- to NULL (a copy of a TOAST pointer, not of the document), then converted. content_hash stays in
-- the images. An UPDATE that changes nothing is not logged, as in audit_row().
CREATE FUNCTION audit_filing_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_row filings;
    new_row filings;
    old_image jsonb;
    new_image jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_row := OLD;
        old_row.payload := NULL;
        old_image := to_jsonb(old_row) - 'payload';
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := NEW;
        new_row.payload := NULL;
        new_image := to_jsonb(new_row) - 'payload';
    END IF;
    IF TG_OP = 'UPDATE' AND old_image = new_image THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (table_name, row_key, operation, before, after)
    VALUES (TG_TABLE_NAME, coalesce(new_image ->> 'id', old_image ->> 'id'), TG_OP, old_image, new_image);
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION audit_filing_row() FROM PUBLIC;
DROP TRIGGER audit_filings ON filings;
CREATE TRIGGER audit_filings AFTER INSERT OR UPDATE OR DELETE ON filings
    FOR EACH ROW EXECUTE FUNCTION audit_filing_row();
