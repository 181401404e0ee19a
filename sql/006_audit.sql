-- The audit log: every state change of the lifecycle tables appends a row (who, when, what,
-- before → after). Rows are never updated or deleted: triggers refuse it for every role, the
-- table owner included, and PUBLIC holds no privilege on it.

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    who        text NOT NULL DEFAULT session_user,
    table_name text NOT NULL,
    row_key    text NOT NULL,
    operation  text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    before     jsonb,
    after      jsonb
);
CREATE INDEX audit_log_row_idx ON audit_log (table_name, row_key, id);

REVOKE ALL ON audit_log FROM PUBLIC;

-- Appends one audit row. Trigger arguments: the key column, then columns left out of the
-- before/after images (e.g. a filing's large payload). An UPDATE that changes nothing is not logged.
CREATE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    old_image jsonb;
    new_image jsonb;
    key_column text := TG_ARGV[0];
    i integer;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_image := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_image := to_jsonb(NEW); END IF;
    FOR i IN 1 .. TG_NARGS - 1 LOOP
        old_image := old_image - TG_ARGV[i];
        new_image := new_image - TG_ARGV[i];
    END LOOP;
    IF TG_OP = 'UPDATE' AND old_image = new_image THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (table_name, row_key, operation, before, after)
    VALUES (TG_TABLE_NAME, coalesce(new_image ->> key_column, old_image ->> key_column), TG_OP, old_image, new_image);
    RETURN NULL;
END;
$$;

-- Refuses any change to a written audit row.
CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'CR010',
        MESSAGE = format('the audit log is append-only: %s is refused', TG_OP),
        DETAIL = format('审计日志只能追加，不允许 %s', TG_OP),
        HINT = 'Record a correction as a new state change instead.';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Submissions and their status changes (the payload is left out: the filing row keeps it).
CREATE TRIGGER audit_filings AFTER INSERT OR UPDATE OR DELETE ON filings
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'payload', 'content_hash');
-- Finished reviews (the aggregate is left out: the review row keeps it).
CREATE TRIGGER audit_reviews AFTER INSERT OR UPDATE OR DELETE ON reviews
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'aggregate');
CREATE TRIGGER audit_confirmations AFTER INSERT OR UPDATE OR DELETE ON confirmations
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_decisions AFTER INSERT OR UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_recertifications AFTER INSERT OR UPDATE OR DELETE ON recertifications
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_publicity_notices AFTER INSERT OR UPDATE OR DELETE ON publicity_notices
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_objections AFTER INSERT OR UPDATE OR DELETE ON objections
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_clusters AFTER INSERT OR UPDATE OR DELETE ON clusters
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'plan');
CREATE TRIGGER audit_annual_reports AFTER INSERT OR UPDATE OR DELETE ON annual_reports
    FOR EACH ROW EXECUTE FUNCTION audit_row('filing_id');
CREATE TRIGGER audit_change_reports AFTER INSERT OR UPDATE OR DELETE ON change_reports
    FOR EACH ROW EXECUTE FUNCTION audit_row('filing_id');
CREATE TRIGGER audit_incidents AFTER INSERT OR UPDATE OR DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_false_filing_flags AFTER INSERT OR UPDATE OR DELETE ON false_filing_flags
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_sweep_actions AFTER INSERT OR UPDATE OR DELETE ON sweep_actions
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_lifecycle_settings AFTER INSERT OR UPDATE OR DELETE ON lifecycle_settings
    FOR EACH ROW EXECUTE FUNCTION audit_row('singleton');
