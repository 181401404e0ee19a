-- Who may do what, part 3: the lifecycle tables and functions of 004–006 (issue 7;
-- docs/security.md). Same rules as 011: a county reads its own county's rows and nothing else,
-- writes nothing but its filings; every lifecycle change goes through a SECURITY DEFINER function
-- that only the role it belongs to may execute; the audit log is readable by the auditor (and the
-- reviewer and administrator) and writable by nobody but the audit trigger.

-- MARK: SECURITY DEFINER functions search pg_temp last

-- A function whose search_path does not name pg_temp searches it FIRST for tables: a caller with
-- a temporary table named `audit_log` or `clusters` could otherwise redirect a SECURITY DEFINER
-- function (the audit trigger included). Every function here that sets a search_path gets
-- pg_temp appended; functions added later must say `SET search_path = pg_catalog, public, pg_temp`.
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure AS signature, cfg
        FROM pg_proc p
        CROSS JOIN LATERAL unnest(p.proconfig) AS cfg
        WHERE p.pronamespace = 'public'::regnamespace AND cfg LIKE 'search_path=%' AND cfg NOT LIKE '%pg_temp%'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %s, pg_temp', f.signature, substr(f.cfg, length('search_path=') + 1));
    END LOOP;
END;
$$;

-- MARK: functions: each only to the role it belongs to

-- 004–006 were created before 010 revoked PUBLIC's default EXECUTE; revoke again, then grant.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_my_counties(), cr_session_has(text), cr_require(text[], text, text),
                          jsonb_nesting_depth(jsonb) TO PUBLIC;

-- The reviewer: confirmations, decisions, public notice and objections, change reports, false filings.
GRANT EXECUTE ON FUNCTION
    confirm_finding(bigint, text, boolean, text),
    decide(bigint, text, text, text, date),
    file_objection(bigint, text, text, text[], date),
    resolve_objection(bigint, boolean, text),
    close_publicity(bigint, date),
    accept_change_report(bigint, text, date),
    reject_change_report(bigint, text, date),
    flag_false_filing(bigint, bigint, text, date)
TO cr_reviewer;

-- The administrator: incidents, sweeps and revocation confirmations.
GRANT EXECUTE ON FUNCTION
    record_incident(text, date, text, text, text, text),
    run_sweep(date, text),
    resolve_sweep_action(bigint, boolean, text, date)
TO cr_admin;

-- The plan on record of any filing's register entry (007): staff and the coordinator, who read
-- the register anyway; never a county (it runs as its owner, past row-level security).
GRANT EXECUTE ON FUNCTION plan_on_record(bigint) TO cr_reviewer, cr_admin, cr_auditor, cr_coordinator;

-- Pure helpers anyone who reads the lifecycle may use in a query.
GRANT EXECUTE ON FUNCTION is_working_day(date), add_working_days(date, integer), lifecycle_day(date),
                          uscc_valid(text), incident_is_veto(text, text), register_fields(jsonb),
                          latest_decision_review(bigint)
TO cr_reviewer, cr_admin, cr_auditor;

-- MARK: each lifecycle write checks the person's role

-- The functions above are the only way to write the lifecycle tables, and only their role may
-- execute them. As a second, independent check (a grant given by mistake, a function added
-- later), every write to a lifecycle table checks the person in the session — session_user,
-- the login, not the SECURITY DEFINER function's owner — and refuses with 42501 unless they hold
-- one of the roles named in the trigger. Statement-level: one check per statement, even for a
-- set-based sweep.
CREATE FUNCTION cr_check_writer() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(TG_ARGV::text[], format('%s on %s', TG_OP, TG_TABLE_NAME), format('%s（%s）', TG_TABLE_NAME, TG_OP));
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('confirmations',       'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer']),
        ('decisions',           'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer']),
        ('recertifications',    'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer']),
        ('publicity_notices',   'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer']),
        ('objections',          'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer']),
        ('false_filing_flags',  'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer']),
        -- a county's filing records its report (INSERT); deciding on it is the reviewer's
        ('change_reports',      'UPDATE OR DELETE',           ARRAY['cr_reviewer']),
        ('annual_reports',      'UPDATE OR DELETE',           ARRAY['cr_reviewer']),
        ('clusters',            'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer', 'cr_admin']),
        ('cluster_enterprises', 'INSERT OR UPDATE OR DELETE', ARRAY['cr_reviewer', 'cr_admin']),
        ('incidents',           'INSERT OR UPDATE OR DELETE', ARRAY['cr_admin']),
        ('sweeps',              'INSERT OR UPDATE OR DELETE', ARRAY['cr_admin']),
        ('sweep_actions',       'INSERT OR UPDATE OR DELETE', ARRAY['cr_admin']),
        ('lifecycle_settings',  'INSERT OR UPDATE OR DELETE', ARRAY['cr_admin']),
        ('calendar_days',       'INSERT OR UPDATE OR DELETE', ARRAY['cr_admin'])
    ) AS v(name, events, roles)
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE %s ON %I FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer(%s)',
                       t.name || '_writer_role', t.events, t.name,
                       (SELECT string_agg(quote_literal(r), ', ') FROM unnest(t.roles) AS r));
    END LOOP;
END;
$$;

-- MARK: filings: a county links its reports only to its own register entries

GRANT INSERT (cluster_id) ON filings TO cr_county;
ALTER POLICY filings_county_file ON filings
    WITH CHECK (
        county_code = ANY ((SELECT cr_my_counties())::text[])
        AND payload #>> '{applicant,county_code}' = county_code
        AND status = 'submitted'
        AND submitted_by = session_user
        AND content_hash = sha256(convert_to(payload::text, 'UTF8'))
        AND (cluster_id IS NULL
             OR EXISTS (SELECT FROM clusters c WHERE c.id = cluster_id AND c.county_code = filings.county_code)));

-- MARK: settings and calendar (no county data)

GRANT SELECT ON lifecycle_settings, calendar_days TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor;
GRANT UPDATE ON lifecycle_settings TO cr_admin;
GRANT INSERT, UPDATE, DELETE ON calendar_days TO cr_admin;

ALTER TABLE lifecycle_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE lifecycle_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY lifecycle_settings_owner ON lifecycle_settings TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY lifecycle_settings_read ON lifecycle_settings FOR SELECT
    TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor USING (true);
CREATE POLICY lifecycle_settings_admin ON lifecycle_settings FOR UPDATE TO cr_admin USING (true) WITH CHECK (true);

ALTER TABLE calendar_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_days FORCE ROW LEVEL SECURITY;
CREATE POLICY calendar_days_owner ON calendar_days TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY calendar_days_read ON calendar_days FOR SELECT
    TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor USING (true);
CREATE POLICY calendar_days_admin ON calendar_days TO cr_admin USING (true) WITH CHECK (true);

-- MARK: county data: read by the county it belongs to and by staff, written only by functions

-- Tables a county reads for its own rows, and how a row is found to be the county's: by its own
-- county_code, through its filing (the filings policy decides), or through its register entry.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('clusters',           'county_code = ANY ((SELECT cr_my_counties())::text[])'),
        ('cluster_enterprises','cluster_id IN (SELECT id FROM clusters)'),
        ('confirmations',      'filing_id IN (SELECT id FROM filings)'),
        ('decisions',          'filing_id IN (SELECT id FROM filings)'),
        ('recertifications',   'filing_id IN (SELECT id FROM filings)'),
        ('publicity_notices',  'filing_id IN (SELECT id FROM filings)'),
        ('objections',         'filing_id IN (SELECT id FROM filings)'),
        ('annual_reports',     'filing_id IN (SELECT id FROM filings)'),
        ('change_reports',     'filing_id IN (SELECT id FROM filings)'),
        ('sweep_actions',      'cluster_id IN (SELECT id FROM clusters)')
    ) AS v(name, county_rows)
    LOOP
        EXECUTE format('GRANT SELECT ON %I TO cr_county, cr_reviewer, cr_admin, cr_auditor', t.name);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t.name);
        EXECUTE format('CREATE POLICY %I ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t.name || '_owner', t.name);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO cr_county USING (%s)', t.name || '_county_read', t.name, t.county_rows);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true)',
                       t.name || '_staff_read', t.name);
    END LOOP;
END;
$$;

-- Staff-only records: incidents, false-filing flags, sweeps. The coordinator reads the register and
-- the incidents that review_context() draws on, and nothing else of the lifecycle.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['incidents', 'false_filing_flags', 'sweeps'] LOOP
        EXECUTE format('GRANT SELECT ON %I TO cr_reviewer, cr_admin, cr_auditor', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_owner', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true)', t || '_staff_read', t);
    END LOOP;
END;
$$;

GRANT SELECT ON incidents, clusters, cluster_enterprises TO cr_coordinator;
CREATE POLICY incidents_coordinator_read ON incidents FOR SELECT TO cr_coordinator USING (true);
CREATE POLICY clusters_coordinator_read ON clusters FOR SELECT TO cr_coordinator USING (true);
CREATE POLICY cluster_enterprises_coordinator_read ON cluster_enterprises FOR SELECT TO cr_coordinator USING (true);

-- MARK: the audit log

-- Read by the auditor, the administrator and the reviewer; written only by audit_row() (SECURITY
-- DEFINER, as the owner); never updated or deleted (no privilege, and 006's trigger refuses it
-- even for the owner). `who` is session_user: the person, never a function's owner.
GRANT SELECT ON audit_log TO cr_auditor, cr_admin, cr_reviewer;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_owner_append ON audit_log FOR INSERT TO CURRENT_USER WITH CHECK (who = session_user);
CREATE POLICY audit_log_owner_read ON audit_log FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO cr_auditor, cr_admin, cr_reviewer USING (true);

-- MARK: views run as the person querying

-- 007's watchlist is security_invoker: a county sees the rows of its own register entries only.
GRANT SELECT ON cluster_watchlist TO cr_county, cr_reviewer, cr_admin, cr_auditor;


-- A view runs with its owner's privileges unless it is security_invoker, which would let it read
-- past row-level security. None exist yet; every view in the schema is made security_invoker.
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT c.oid::regclass AS name FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' LOOP
        EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', v.name);
    END LOOP;
END;
$$;
