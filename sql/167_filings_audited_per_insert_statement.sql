-- The filings a statement inserts are audited by one INSERT … SELECT (issue 16, `submit` of 1,000
-- files; docs/benchmarks.md, "submit in batches").
--
-- file_submissions (sql/120) files a coordinator's whole batch in one INSERT into filings, and
-- audit_filing_row (sql/090), a row trigger, then ran once per filing: a PL/pgSQL call that copied
-- the row, converted it and ran an INSERT of its own. Here the audit rows of an INSERT into filings
-- are written from the statement's transition table in one INSERT … SELECT: the same rows — one
-- per filing, operation INSERT, the image without the payload and with its content_hash (the
-- payload is set to NULL before the row is converted, as audit_filing_row does, so the document is
-- never copied), `who` and `at` by the columns' defaults as before — in the order the filings were
-- inserted. UPDATE and DELETE keep audit_filing_row, one row each (a status change is one row at
-- a time anyway). The audit guarantee of docs/security.md is unchanged: every change of a filing
-- is recorded, by the database, whoever made it.

-- The audit rows of one INSERT into filings. A statement trigger (transition table audit_new): as
-- the owner, executable by nobody.
CREATE FUNCTION audit_filing_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO audit_log (table_name, row_key, operation, before, after)
    SELECT TG_TABLE_NAME, n.image ->> 'id', 'INSERT', NULL, n.image
    FROM (SELECT row_number() OVER () AS position,
                 to_jsonb(jsonb_populate_record(t, '{"payload": null}')) - 'payload' AS image
          FROM audit_new t) n
    ORDER BY n.position;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION audit_filing_rows() FROM PUBLIC;

CREATE OR REPLACE TRIGGER audit_filings AFTER UPDATE OR DELETE ON filings
    FOR EACH ROW EXECUTE FUNCTION audit_filing_row();
CREATE TRIGGER audit_filings_insert AFTER INSERT ON filings
    REFERENCING NEW TABLE AS audit_new
    FOR EACH STATEMENT EXECUTE FUNCTION audit_filing_rows();
