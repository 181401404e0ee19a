-- SQL you can read (issue 13 item 6). sql/013 set properties with DO blocks that looped over the
-- catalog (EXECUTE format(...)): pg_temp appended to every search_path, one writer-role trigger per
-- lifecycle table, grants + row-level security + three policies per county-data table, every view
-- made security_invoker. What ran differed from what one reads. This migration states the result,
-- object by object, as plain statements; it changes nothing in the catalog (ReadableMigrationTests
-- compares it with the catalog the loops left). From here on, the final form of a function is its
-- last CREATE [OR REPLACE] FUNCTION in sql/, in the highest-numbered file, with its grants beside it
-- (docs/security.md, "Where the final form is"); migrations after this one use no property loops
-- (ReadableMigrationTests refuses them).
--
-- DO blocks left in older files, which this migration does not replace: 010 and 040 create the
-- cluster-wide roles (guarded, since roles outlive any one database; 010 creates one role per
-- county of the counties table); 010 revokes CREATE on the public schema only when the migrating
-- role owns it; 024 runs cr_hardening_statements() (readable there, and reported by security_check)
-- as far as the migrating role may. None of them rewrites a function's, policy's or view's properties.

-- MARK: functions whose last definition did not show their search_path or grants

-- The ten functions below were last defined in 004–006, before 013's loop appended pg_temp to
-- their search_path and 013's blanket REVOKE ... ON ALL FUNCTIONS took PUBLIC's EXECUTE away.
-- Restated whole (bodies unchanged), with search_path and grants as they are. review_context is
-- defined in 003 and replaced in 007; restated here whole with its grant (011) beside it.
-- The other functions 013's loop touched were redefined later with pg_temp in their own text.

-- Whether `d` is a working day: the calendar's word if it has one, otherwise Monday to Friday.
-- (sql/004_lifecycle.sql)
CREATE OR REPLACE FUNCTION is_working_day(d date) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce((SELECT kind = 'workday' FROM calendar_days WHERE day = d), extract(isodow FROM d) < 6)
$$;
REVOKE ALL ON FUNCTION is_working_day(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION is_working_day(date) TO cr_reviewer, cr_admin, cr_auditor;

-- The n-th working day after `d` (n >= 1); `d` itself never counts.
-- (sql/004_lifecycle.sql)
CREATE OR REPLACE FUNCTION add_working_days(d date, n integer) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT g::date
    FROM generate_series(d + 1, d + n * 2 + 40, interval '1 day') AS g
    WHERE is_working_day(g::date)
    ORDER BY g
    OFFSET n - 1 LIMIT 1
$$;
REVOKE ALL ON FUNCTION add_working_days(date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION add_working_days(date, integer) TO cr_reviewer, cr_admin, cr_auditor;

-- Raises a lifecycle error: English message, Chinese detail, a hint.
-- (sql/004_lifecycle.sql)
CREATE OR REPLACE FUNCTION lifecycle_fail(code text, en text, zh text, hint text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = en, DETAIL = zh, HINT = hint;
END;
$$;
REVOKE ALL ON FUNCTION lifecycle_fail(text, text, text, text) FROM PUBLIC;

-- A corrected filing names the returned one in `supersedes`; the returned one becomes superseded.
-- (sql/004_lifecycle.sql)
CREATE OR REPLACE FUNCTION filings_link_correction() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_status text;
BEGIN
    SELECT status INTO old_status FROM filings WHERE id = NEW.supersedes FOR UPDATE;
    IF old_status IS DISTINCT FROM 'returned' THEN
        PERFORM lifecycle_fail('CR002',
            format('filing %s is %s, not returned: only a returned filing can be superseded by a corrected one', NEW.supersedes, coalesce(old_status, 'missing')),
            format('申报 %s 的状态为 %s，不是“已退回”：只有退回的申报才能由更正申报取代', NEW.supersedes, coalesce(old_status, '不存在')),
            'Submit the corrected filing with supersedes = the id of a returned filing.');
    END IF;
    UPDATE filings SET status = 'superseded' WHERE id = NEW.supersedes;
    IF NEW.cluster_id IS NULL THEN
        NEW.cluster_id := (SELECT cluster_id FROM filings WHERE id = NEW.supersedes);
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION filings_link_correction() FROM PUBLIC;

-- The latest completed decision review of a filing.
-- (sql/004_lifecycle.sql)
CREATE OR REPLACE FUNCTION latest_decision_review(p_filing bigint) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT id FROM reviews
    WHERE filing_id = p_filing AND purpose = 'decision' AND outcome = 'completed'
    ORDER BY finished_at DESC, id DESC LIMIT 1
$$;
REVOKE ALL ON FUNCTION latest_decision_review(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION latest_decision_review(bigint) TO cr_reviewer, cr_admin, cr_auditor;

-- Locks and returns a filing's status; raises CR001 when there is none.
-- (sql/004_lifecycle.sql)
CREATE OR REPLACE FUNCTION lock_filing(p_filing bigint) RETURNS filings
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
BEGIN
    SELECT * INTO f FROM filings WHERE id = p_filing FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('filing %s does not exist', p_filing),
            format('申报 %s 不存在', p_filing), 'Check the filing id (cluster-review filings list).');
    END IF;
    RETURN f;
END;
$$;
REVOKE ALL ON FUNCTION lock_filing(bigint) FROM PUBLIC;

-- Whether `code` is a valid unified social credit code (GB 32100-2015): 18 symbols from
-- 0-9 A-Z without I O Z S V, the last the check symbol of weights 3^(i-1) mod 31.
-- (sql/005_register_and_sweeps.sql)
CREATE OR REPLACE FUNCTION uscc_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'
       AND (31 - (SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, i, 1)) - 1)
                             * ((3::bigint ^ (i - 1))::bigint % 31))
                  FROM generate_series(1, 17) AS i)::int % 31) % 31
           = strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, 18, 1)) - 1
$$;
REVOKE ALL ON FUNCTION uscc_valid(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION uscc_valid(text) TO cr_reviewer, cr_admin, cr_auditor;

-- Whether an incident is of veto grade (criteria.md "Incident categories"): VETO-1 safety,
-- quality, environment at `larger` and above; VETO-2 cyber, data at `major` and above; VETO-3
-- tax evasion, illegal conduct, serious dishonesty, other major problem at any grade.
-- (sql/005_register_and_sweeps.sql)
CREATE OR REPLACE FUNCTION incident_is_veto(category text, grade text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE
        WHEN category IN ('safety', 'quality', 'environment') THEN grade IN ('larger', 'major', 'especially_major')
        WHEN category IN ('cyber', 'data') THEN grade IN ('major', 'especially_major')
        WHEN category IN ('tax_evasion', 'illegal_conduct', 'serious_dishonesty', 'other_major') THEN true
        ELSE false END
$$;
REVOKE ALL ON FUNCTION incident_is_veto(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_is_veto(text, text) TO cr_reviewer, cr_admin, cr_auditor;

-- Appends one audit row. Trigger arguments: the key column, then columns left out of the
-- before/after images (e.g. a filing's large payload). An UPDATE that changes nothing is not logged.
-- (sql/006_audit.sql)
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
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
REVOKE ALL ON FUNCTION audit_row() FROM PUBLIC;

-- Refuses any change to a written audit row.
-- (sql/006_audit.sql)
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'CR010',
        MESSAGE = format('the audit log is append-only: %s is refused', TG_OP),
        DETAIL = format('审计日志只能追加，不允许 %s', TG_OP),
        HINT = 'Record a correction as a new state change instead.';
END;
$$;
REVOKE ALL ON FUNCTION audit_log_append_only() FROM PUBLIC;

-- What the coordinator sends modules with a filing (sql/003_review_context.sql defines the first,
-- empty version and invites this one): the incidents recorded against the filing's enterprises by
-- unified social credit code (the modules apply the veto window themselves), and for a
-- recertification the plan on record. The shape is IndicatorKit's ReviewContext. NULL for no filing.
-- (sql/007_monitoring.sql)
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
REVOKE ALL ON FUNCTION review_context(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION review_context(bigint) TO cr_coordinator;

-- MARK: each lifecycle write checks the person's role (013's trigger loop, 022 and 051)

-- cr_check_writer(roles...) (013, restated in 022) refuses a statement whose person holds none of
-- the roles named. One trigger per table, as it stands after 022 and 051 (the coordinator's
-- sweep writes the register, its terms and the notices it closes).

CREATE OR REPLACE TRIGGER annual_reports_writer_role BEFORE UPDATE OR DELETE ON annual_reports
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
CREATE OR REPLACE TRIGGER calendar_days_writer_role BEFORE INSERT OR UPDATE OR DELETE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin');
CREATE OR REPLACE TRIGGER change_reports_writer_role BEFORE UPDATE OR DELETE ON change_reports
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
-- (as restated in sql/022)
CREATE OR REPLACE TRIGGER cluster_enterprises_writer_role BEFORE INSERT OR UPDATE OR DELETE ON cluster_enterprises
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin', 'cr_coordinator:sweep');
-- (as restated in sql/022)
CREATE OR REPLACE TRIGGER clusters_writer_role BEFORE INSERT OR UPDATE OR DELETE ON clusters
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin', 'cr_coordinator:sweep');
CREATE OR REPLACE TRIGGER confirmations_writer_role BEFORE INSERT OR UPDATE OR DELETE ON confirmations
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
CREATE OR REPLACE TRIGGER decisions_writer_role BEFORE INSERT OR UPDATE OR DELETE ON decisions
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
CREATE OR REPLACE TRIGGER false_filing_flags_writer_role BEFORE INSERT OR UPDATE OR DELETE ON false_filing_flags
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
CREATE OR REPLACE TRIGGER incidents_writer_role BEFORE INSERT OR UPDATE OR DELETE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin');
CREATE OR REPLACE TRIGGER lifecycle_settings_writer_role BEFORE INSERT OR UPDATE OR DELETE ON lifecycle_settings
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin');
CREATE OR REPLACE TRIGGER objections_writer_role BEFORE INSERT OR UPDATE OR DELETE ON objections
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
-- (as restated in sql/051)
CREATE OR REPLACE TRIGGER publicity_notices_writer_role BEFORE INSERT OR UPDATE OR DELETE ON publicity_notices
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin', 'cr_coordinator:sweep');
CREATE OR REPLACE TRIGGER recertifications_writer_role BEFORE INSERT OR UPDATE OR DELETE ON recertifications
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
-- (as restated in sql/022)
CREATE OR REPLACE TRIGGER sweep_actions_writer_role BEFORE INSERT OR UPDATE OR DELETE ON sweep_actions
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin', 'cr_coordinator:sweep');
-- (as restated in sql/022)
CREATE OR REPLACE TRIGGER sweeps_writer_role BEFORE INSERT OR UPDATE OR DELETE ON sweeps
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin', 'cr_coordinator:sweep');

-- MARK: county data: read by the county it belongs to and by staff, written only by functions

-- (013's first table loop) Each table: SELECT for counties and staff, row-level security forced,
-- and three policies: the owner (the migrating role, which the SECURITY DEFINER functions run as)
-- does anything; a county reads its own rows (by its county code, through its filing, or through
-- its register entry); staff read every row. Policies are dropped and created again as they were.

GRANT SELECT ON clusters TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE clusters ENABLE ROW LEVEL SECURITY;
ALTER TABLE clusters FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS clusters_owner ON clusters;
CREATE POLICY clusters_owner ON clusters TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS clusters_county_read ON clusters;
CREATE POLICY clusters_county_read ON clusters FOR SELECT TO cr_county
    USING (county_code = ANY ((SELECT cr_my_counties())::text[]));
DROP POLICY IF EXISTS clusters_staff_read ON clusters;
CREATE POLICY clusters_staff_read ON clusters FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON cluster_enterprises TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE cluster_enterprises ENABLE ROW LEVEL SECURITY;
ALTER TABLE cluster_enterprises FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS cluster_enterprises_owner ON cluster_enterprises;
CREATE POLICY cluster_enterprises_owner ON cluster_enterprises TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS cluster_enterprises_county_read ON cluster_enterprises;
CREATE POLICY cluster_enterprises_county_read ON cluster_enterprises FOR SELECT TO cr_county
    USING (cluster_id IN (SELECT id FROM clusters));
DROP POLICY IF EXISTS cluster_enterprises_staff_read ON cluster_enterprises;
CREATE POLICY cluster_enterprises_staff_read ON cluster_enterprises FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON confirmations TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE confirmations ENABLE ROW LEVEL SECURITY;
ALTER TABLE confirmations FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS confirmations_owner ON confirmations;
CREATE POLICY confirmations_owner ON confirmations TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS confirmations_county_read ON confirmations;
CREATE POLICY confirmations_county_read ON confirmations FOR SELECT TO cr_county
    USING (filing_id IN (SELECT id FROM filings));
DROP POLICY IF EXISTS confirmations_staff_read ON confirmations;
CREATE POLICY confirmations_staff_read ON confirmations FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON decisions TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE decisions FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS decisions_owner ON decisions;
CREATE POLICY decisions_owner ON decisions TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS decisions_county_read ON decisions;
CREATE POLICY decisions_county_read ON decisions FOR SELECT TO cr_county
    USING (filing_id IN (SELECT id FROM filings));
DROP POLICY IF EXISTS decisions_staff_read ON decisions;
CREATE POLICY decisions_staff_read ON decisions FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON recertifications TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE recertifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE recertifications FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS recertifications_owner ON recertifications;
CREATE POLICY recertifications_owner ON recertifications TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS recertifications_county_read ON recertifications;
CREATE POLICY recertifications_county_read ON recertifications FOR SELECT TO cr_county
    USING (filing_id IN (SELECT id FROM filings));
DROP POLICY IF EXISTS recertifications_staff_read ON recertifications;
CREATE POLICY recertifications_staff_read ON recertifications FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON publicity_notices TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE publicity_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE publicity_notices FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS publicity_notices_owner ON publicity_notices;
CREATE POLICY publicity_notices_owner ON publicity_notices TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS publicity_notices_county_read ON publicity_notices;
CREATE POLICY publicity_notices_county_read ON publicity_notices FOR SELECT TO cr_county
    USING (filing_id IN (SELECT id FROM filings));
DROP POLICY IF EXISTS publicity_notices_staff_read ON publicity_notices;
CREATE POLICY publicity_notices_staff_read ON publicity_notices FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON objections TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE objections ENABLE ROW LEVEL SECURITY;
ALTER TABLE objections FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS objections_owner ON objections;
CREATE POLICY objections_owner ON objections TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS objections_county_read ON objections;
CREATE POLICY objections_county_read ON objections FOR SELECT TO cr_county
    USING (filing_id IN (SELECT id FROM filings));
DROP POLICY IF EXISTS objections_staff_read ON objections;
CREATE POLICY objections_staff_read ON objections FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON annual_reports TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE annual_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE annual_reports FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS annual_reports_owner ON annual_reports;
CREATE POLICY annual_reports_owner ON annual_reports TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS annual_reports_county_read ON annual_reports;
CREATE POLICY annual_reports_county_read ON annual_reports FOR SELECT TO cr_county
    USING (filing_id IN (SELECT id FROM filings));
DROP POLICY IF EXISTS annual_reports_staff_read ON annual_reports;
CREATE POLICY annual_reports_staff_read ON annual_reports FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON change_reports TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE change_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE change_reports FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS change_reports_owner ON change_reports;
CREATE POLICY change_reports_owner ON change_reports TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS change_reports_county_read ON change_reports;
CREATE POLICY change_reports_county_read ON change_reports FOR SELECT TO cr_county
    USING (filing_id IN (SELECT id FROM filings));
DROP POLICY IF EXISTS change_reports_staff_read ON change_reports;
CREATE POLICY change_reports_staff_read ON change_reports FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON sweep_actions TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE sweep_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sweep_actions FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS sweep_actions_owner ON sweep_actions;
CREATE POLICY sweep_actions_owner ON sweep_actions TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS sweep_actions_county_read ON sweep_actions;
CREATE POLICY sweep_actions_county_read ON sweep_actions FOR SELECT TO cr_county
    USING (cluster_id IN (SELECT id FROM clusters));
DROP POLICY IF EXISTS sweep_actions_staff_read ON sweep_actions;
CREATE POLICY sweep_actions_staff_read ON sweep_actions FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

-- MARK: staff-only records (013's second table loop)

-- Incidents, false-filing flags, sweeps: staff read them; no county does. (The coordinator's
-- reads of incidents are 013's plain incidents_coordinator_read policy.)

GRANT SELECT ON incidents TO cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS incidents_owner ON incidents;
CREATE POLICY incidents_owner ON incidents TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS incidents_staff_read ON incidents;
CREATE POLICY incidents_staff_read ON incidents FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON false_filing_flags TO cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE false_filing_flags ENABLE ROW LEVEL SECURITY;
ALTER TABLE false_filing_flags FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS false_filing_flags_owner ON false_filing_flags;
CREATE POLICY false_filing_flags_owner ON false_filing_flags TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS false_filing_flags_staff_read ON false_filing_flags;
CREATE POLICY false_filing_flags_staff_read ON false_filing_flags FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

GRANT SELECT ON sweeps TO cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE sweeps ENABLE ROW LEVEL SECURITY;
ALTER TABLE sweeps FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS sweeps_owner ON sweeps;
CREATE POLICY sweeps_owner ON sweeps TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS sweeps_staff_read ON sweeps;
CREATE POLICY sweeps_staff_read ON sweeps FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);

-- MARK: views run as the person querying (013's view loop)

-- The one view that existed when 013 ran; 050 states its own view's option itself.
ALTER VIEW cluster_watchlist SET (security_invoker = true);
