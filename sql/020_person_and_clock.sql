-- The person and the day (issue 14): one function names the person acting, one names today.
--
-- `cr_person()` is the one place that says who is acting. Every check (`cr_session_has`,
-- `cr_require`, the filing and audit policies) and every "who" column (submitted_by, decided_by,
-- the audit log's who, …) uses it instead of reading session_user. Today it is session_user: the
-- login the client connected as. A web door that connects as an authenticator and runs each request
-- as the person (SET LOCAL ROLE) extends this one function, and every check and audit row follows.
--
-- `cr_today()` is the one place that says which day it is: the database clock in Asia/Shanghai.
-- Lifecycle steps take their date from it (021); only an administrator may state an earlier day,
-- with a reason the audit log records. A simulation database (the demo, the tests that walk a
-- calendar of several years) may set the clock with `set_simulated_clock`, which only the database
-- owner may execute: no login of the system — an administrator included — can move the clock, and
-- once set the database stays marked as a simulation (the row cannot be deleted).

-- MARK: the person

-- The person acting in this session. Returns session_user (the login); see the note above for
-- the web door. Policies, column defaults and every check call it, so every role may execute it.
CREATE FUNCTION cr_person() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT session_user::text
$$;
GRANT EXECUTE ON FUNCTION cr_person() TO PUBLIC;

-- Whether the person (cr_person(), never a SECURITY DEFINER function's owner) holds group role
-- `p_group`. A role that does not exist is held by nobody.
CREATE OR REPLACE FUNCTION cr_session_has(p_group text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT to_regrole(p_group) IS NOT NULL AND pg_has_role(cr_person(), p_group, 'USAGE')
$$;
GRANT EXECUTE ON FUNCTION cr_session_has(text) TO PUBLIC;

-- Raises 42501 (insufficient_privilege) unless the person holds one of `p_groups`; `p_action_en`
-- and `p_action_zh` name what was refused.
CREATE OR REPLACE FUNCTION cr_require(p_groups text[], p_action_en text, p_action_zh text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM unnest(p_groups) AS g WHERE cr_session_has(g)) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('permission denied: %s needs the role %s; %s does not hold it',
                             p_action_en, array_to_string(p_groups, ' or '), cr_person()),
            DETAIL = format('权限不足：%s 需要 %s 角色，%s 没有', p_action_zh, array_to_string(p_groups, ' 或 '), cr_person()),
            HINT = 'Log in as a person who holds that role, or ask an administrator (cluster-review users add).';
    END IF;
END;
$$;
GRANT EXECUTE ON FUNCTION cr_require(text[], text, text) TO PUBLIC;

-- Who did it: every "who" column names the person.
ALTER TABLE filings ALTER COLUMN submitted_by SET DEFAULT cr_person();
ALTER TABLE confirmations ALTER COLUMN confirmed_by SET DEFAULT cr_person();
ALTER TABLE decisions ALTER COLUMN decided_by SET DEFAULT cr_person();
ALTER TABLE objections ALTER COLUMN recorded_by SET DEFAULT cr_person();
ALTER TABLE incidents ALTER COLUMN recorded_by SET DEFAULT cr_person();
ALTER TABLE false_filing_flags ALTER COLUMN flagged_by SET DEFAULT cr_person();
ALTER TABLE sweeps ALTER COLUMN last_run_by SET DEFAULT cr_person();
ALTER TABLE audit_log ALTER COLUMN who SET DEFAULT cr_person();

-- A county files only for itself, as itself: the county column and the county the payload names
-- are both the person's, the content hash is the payload's, the register entry (if any) is its own.
ALTER POLICY filings_county_file ON filings
    WITH CHECK (
        county_code = ANY ((SELECT cr_my_counties())::text[])
        AND payload #>> '{applicant,county_code}' = county_code
        AND status = 'submitted'
        AND submitted_by = cr_person()
        AND content_hash = sha256(convert_to(payload::text, 'UTF8'))
        AND (cluster_id IS NULL
             OR EXISTS (SELECT FROM clusters c WHERE c.id = cluster_id AND c.county_code = filings.county_code)));

-- The owner's SECURITY DEFINER functions append audit rows naming the person, never themselves.
ALTER POLICY audit_log_owner_append ON audit_log WITH CHECK (who = cr_person());

-- MARK: the day

-- A simulation database's clock: one row, set only by the database owner (set_simulated_clock).
-- No role of the system may read or write it; cr_today() and cr_clock() read it for them.
CREATE TABLE simulated_clock (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    today     date NOT NULL,
    reason    text NOT NULL CHECK (btrim(reason) <> ''),
    set_by    text NOT NULL DEFAULT cr_person(),
    set_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE simulated_clock ENABLE ROW LEVEL SECURITY;
ALTER TABLE simulated_clock FORCE ROW LEVEL SECURITY;
CREATE POLICY simulated_clock_owner ON simulated_clock TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE TRIGGER audit_simulated_clock AFTER INSERT OR UPDATE OR DELETE ON simulated_clock
    FOR EACH ROW EXECUTE FUNCTION audit_row('singleton');

-- A simulation stays one: its records were dated by a clock that was not the real one.
CREATE FUNCTION simulated_clock_stays() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM lifecycle_fail('CR002',
        'this database runs on a simulated clock and stays a simulation: the clock can be moved, not removed',
        '本数据库使用模拟时钟，始终是模拟数据库：模拟时钟可以调整，不能删除',
        'Use a fresh database for real records.');
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION simulated_clock_stays() FROM PUBLIC;
CREATE TRIGGER simulated_clock_no_delete BEFORE DELETE ON simulated_clock
    FOR EACH ROW EXECUTE FUNCTION simulated_clock_stays();
CREATE TRIGGER simulated_clock_no_truncate BEFORE TRUNCATE ON simulated_clock
    FOR EACH STATEMENT EXECUTE FUNCTION simulated_clock_stays();

-- Today: the simulated day of a simulation database, otherwise the database clock's date in
-- Asia/Shanghai (the start of the transaction, so one transaction sees one day).
CREATE FUNCTION cr_today() RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce((SELECT today FROM simulated_clock), (now() AT TIME ZONE 'Asia/Shanghai')::date)
$$;
REVOKE ALL ON FUNCTION cr_today() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_today() TO cr_reviewer, cr_admin, cr_auditor, cr_coordinator;

-- Today, and whether the clock is simulated (by whom, when, why): what the CLI shows.
CREATE FUNCTION cr_clock(OUT today date, OUT simulated boolean, OUT reason text, OUT set_by text, OUT set_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT cr_today(), c.singleton IS NOT NULL, c.reason, c.set_by, c.set_at
    FROM (SELECT) AS one LEFT JOIN simulated_clock c ON true
$$;
REVOKE ALL ON FUNCTION cr_clock() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_clock() TO cr_reviewer, cr_admin, cr_auditor, cr_coordinator;

-- Sets the simulated clock of a simulation database to `p_today`, with the reason (CR004 without
-- one). Executable by the database owner only (and a superuser): no role of the system is granted
-- it. Audited (audit_log, table simulated_clock). Returns the day set.
CREATE FUNCTION set_simulated_clock(p_today date, p_reason text) RETURNS date
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF p_today IS NULL OR btrim(coalesce(p_reason, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a simulated clock needs a day and a reason',
            '模拟时钟须给出日期和理由', 'Say why this database runs on a simulated calendar, e.g. "demo".');
    END IF;
    INSERT INTO simulated_clock (today, reason) VALUES (p_today, p_reason)
    ON CONFLICT (singleton) DO UPDATE
        SET today = EXCLUDED.today, reason = EXCLUDED.reason, set_by = cr_person(), set_at = now();
    RETURN p_today;
END;
$$;
REVOKE ALL ON FUNCTION set_simulated_clock(date, text) FROM PUBLIC;
