-- Logins: limits for every county and reviewer login, a ceiling on a county's pending filings,
-- and the first administrator (issue 14, items 7 and 8).
--
-- Limits. PostgreSQL applies `ALTER ROLE … SET` of the role a session logs in as, never of the
-- group roles it holds, so the limits are set on each login: by create_login when it is made, by
-- this migration for the logins that exist, and again whenever `role_limits` changes (an
-- administrator installs config/limits.json: `cluster-review users check`). Per login, in this
-- database: statement_timeout, idle_in_transaction_session_timeout, temp_file_limit, and the
-- connection limit. temp_file_limit is a superuser's parameter: the owner may set it only after a
-- superuser has run `GRANT SET ON PARAMETER temp_file_limit TO <owner>`; until then it is skipped
-- and `security_check()` (024) reports every login that lacks it.
--
-- Pending filings. A county login may have at most `max_pending_filings` filings of its county
-- waiting for review (submitted or in review); one more is refused with CR013 and nothing is
-- written. Submissions of one county are serialized (a lock on the county's row, which no login
-- may take), so two at once cannot both slip under the ceiling.
--
-- The first administrator. create_login is an administrator's, so the first one is made by the
-- database owner — the role that ran `migrate` — with bootstrap_admin (`cluster-review users add
-- NAME --role admin --bootstrap`), which only the owner may execute and which works only while no
-- enabled login holds cr_admin. Later administrators are added by administrators.
--
--   CR013  a limit was reached (too many pending filings)

-- MARK: the limits

CREATE TABLE role_limits (
    group_role                          text PRIMARY KEY CHECK (group_role IN ('cr_county', 'cr_reviewer')),
    statement_timeout                   text NOT NULL CHECK (statement_timeout ~ '^[0-9]{1,9}(ms|s|min|h)?$'),
    idle_in_transaction_session_timeout text NOT NULL CHECK (idle_in_transaction_session_timeout ~ '^[0-9]{1,9}(ms|s|min|h)?$'),
    temp_file_limit                     text NOT NULL CHECK (temp_file_limit ~ '^([0-9]{1,9}(kB|MB|GB|TB)?|-1)$'),
    connection_limit                    integer NOT NULL CHECK (connection_limit BETWEEN 1 AND 1000),
    max_pending_filings                 integer CHECK (max_pending_filings BETWEEN 1 AND 100000),
    CHECK ((group_role = 'cr_county') = (max_pending_filings IS NOT NULL))
);
COMMENT ON TABLE role_limits IS 'Limits set on every login of a group role; config/limits.json overrides these defaults.';

INSERT INTO role_limits VALUES
    ('cr_county',   '30s',  '60s',  '100MB', 5,  50),
    ('cr_reviewer', '120s', '300s', '1GB',   10, NULL);

GRANT SELECT ON role_limits TO cr_admin, cr_auditor;
GRANT UPDATE ON role_limits TO cr_admin;
ALTER TABLE role_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY role_limits_owner ON role_limits TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY role_limits_read ON role_limits FOR SELECT TO cr_admin, cr_auditor USING (true);
CREATE POLICY role_limits_admin ON role_limits FOR UPDATE TO cr_admin USING (true) WITH CHECK (true);
CREATE TRIGGER role_limits_writer_role BEFORE INSERT OR UPDATE OR DELETE ON role_limits
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin');
CREATE TRIGGER audit_role_limits AFTER INSERT OR UPDATE OR DELETE ON role_limits
    FOR EACH ROW EXECUTE FUNCTION audit_row('group_role');

-- Sets the limits of the group role login `p_name` holds (a county's before a reviewer's) on the
-- login, in this database. Returns the settings it could not set (temp_file_limit, when the owner
-- has no SET privilege on it). A login holding neither group role is left as it is. Called by the
-- login functions below only.
CREATE FUNCTION cr_apply_login_limits(p_name text) RETURNS text[]
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l role_limits;
    skipped text[] := '{}';
BEGIN
    SELECT * INTO l FROM role_limits
    WHERE pg_has_role(p_name, group_role, 'MEMBER')
    ORDER BY group_role = 'cr_county' DESC LIMIT 1;
    IF NOT FOUND THEN
        RETURN skipped;
    END IF;
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L', p_name, current_database(), l.statement_timeout);
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET idle_in_transaction_session_timeout = %L',
                   p_name, current_database(), l.idle_in_transaction_session_timeout);
    EXECUTE format('ALTER ROLE %I CONNECTION LIMIT %s', p_name, l.connection_limit);
    BEGIN
        EXECUTE format('ALTER ROLE %I IN DATABASE %I SET temp_file_limit = %L', p_name, current_database(), l.temp_file_limit);
    EXCEPTION WHEN insufficient_privilege THEN
        skipped := skipped || 'temp_file_limit'::text;
    END;
    RETURN skipped;
END;
$$;
REVOKE ALL ON FUNCTION cr_apply_login_limits(text) FROM PUBLIC;

-- Sets the limits on every enabled login of the system (see cr_apply_login_limits). An
-- administrator's, so that config/limits.json reaches every login; returns each login with the
-- settings that could not be set.
CREATE FUNCTION apply_login_limits() RETURNS TABLE (name text, skipped text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'setting the limits of the logins', '设置登录用户的限额');
    RETURN QUERY
        SELECT r.rolname::text, cr_apply_login_limits(r.rolname)
        FROM pg_roles r
        WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname !~ '^(cr|pg)_'
          AND EXISTS (SELECT FROM role_limits l WHERE pg_has_role(r.oid, l.group_role, 'MEMBER'))
        ORDER BY r.rolname;
END;
$$;
REVOKE ALL ON FUNCTION apply_login_limits() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION apply_login_limits() TO cr_admin;

-- A change of the limits reaches every login of that group role at once.
CREATE FUNCTION role_limits_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_apply_login_limits(r.rolname)
    FROM pg_roles r
    WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname !~ '^(cr|pg)_' AND pg_has_role(r.oid, NEW.group_role, 'MEMBER');
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION role_limits_apply() FROM PUBLIC;
CREATE TRIGGER role_limits_apply AFTER UPDATE ON role_limits
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION role_limits_apply();

-- MARK: logins

-- Creates login role `p_name` for a person, grants it the group role `p_role` names and sets its
-- limits; audited. The name must be a safe identifier: lower-case ASCII letters, digits and
-- underscores, starting with a letter, 2–63 characters, not starting with cr_ or pg_ (22023
-- otherwise); an existing role is refused (42710), never altered. `p_password` NULL creates a
-- login without a password. Who may call it is the caller's business: create_login and
-- bootstrap_admin.
CREATE FUNCTION cr_create_login(p_name text, p_role text, p_password text, p_bootstrap boolean) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    target text;
    skipped text[];
BEGIN
    IF p_name IS NULL OR p_name !~ '^[a-z][a-z0-9_]{1,62}$' OR p_name ~ '^(cr|pg)_' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('%s is not a valid login name: use 2 to 63 lower-case letters, digits and underscores, starting with a letter (not cr_ or pg_)',
                             coalesce(quote_literal(p_name), 'NULL')),
            DETAIL = '登录名无效：请用 2 到 63 个小写字母、数字或下划线，以字母开头（不能以 cr_ 或 pg_ 开头）',
            HINT = 'For example: wenchang_li';
    END IF;
    target := cr_group_for(p_role);
    -- A county added to `counties` after 010 gets its role on first use.
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = target) AND target ~ '^cr_county_[0-9]{6}$' THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', target);
        EXECUTE format('GRANT cr_county TO %I', target);
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = p_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
            MESSAGE = format('the role %s already exists; choose another name', p_name),
            DETAIL = format('角色 %s 已存在，请换一个名字', p_name),
            HINT = 'cluster-review users list shows the logins.';
    END IF;
    IF p_password IS NULL THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT', p_name);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD %L',
                       p_name, p_password);
    END IF;
    EXECUTE format('GRANT %I TO %I', target, p_name);
    skipped := cr_apply_login_limits(p_name);
    INSERT INTO audit_log (table_name, row_key, operation, after)
    VALUES ('logins', p_name, 'INSERT',
            jsonb_build_object('name', p_name, 'role', p_role, 'group', target, 'bootstrap', p_bootstrap,
                               'limits_not_set', to_jsonb(skipped)));
    RETURN target;
END;
$$;
REVOKE ALL ON FUNCTION cr_create_login(text, text, text, boolean) FROM PUBLIC;

-- Creates a person's login with one role (see cr_create_login). An administrator's (42501 otherwise).
CREATE OR REPLACE FUNCTION create_login(p_name text, p_role text, p_password text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'adding a login', '添加登录用户');
    RETURN cr_create_login(p_name, p_role, p_password, false);
END;
$$;
REVOKE ALL ON FUNCTION create_login(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION create_login(text, text, text) TO cr_admin;

-- Creates the first administrator's login `p_name`. Only the database owner (the role that runs
-- `migrate`) may execute it: no role is granted it. Refused with CR009 once an enabled login holds
-- cr_admin (administrators add the others with create_login). Returns the group role granted.
CREATE FUNCTION bootstrap_admin(p_name text, p_password text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    admins text;
BEGIN
    SELECT string_agg(r.rolname, ', ' ORDER BY r.rolname) INTO admins
    FROM pg_roles r
    WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname !~ '^(cr|pg)_' AND pg_has_role(r.oid, 'cr_admin', 'MEMBER');
    IF admins IS NOT NULL THEN
        PERFORM lifecycle_fail('CR009',
            format('an administrator exists already (%s): the first administrator is made once', admins),
            format('已有管理员（%s）：首位管理员只能创建一次', admins),
            'Log in as an administrator and add others with: cluster-review users add NAME --role admin');
    END IF;
    RETURN cr_create_login(p_name, 'admin', p_password, true);
END;
$$;
REVOKE ALL ON FUNCTION bootstrap_admin(text, text) FROM PUBLIC;

-- The logins there are get their limits now.
SELECT cr_apply_login_limits(r.rolname)
FROM pg_roles r
WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname !~ '^(cr|pg)_'
  AND EXISTS (SELECT FROM role_limits l WHERE pg_has_role(r.oid, l.group_role, 'MEMBER'));

-- MARK: pending filings

-- A county login's filing beyond max_pending_filings of its county waiting for review is refused
-- (CR013). Only a filing for the person's own county is counted here: any other is the policies'
-- to refuse, and must not learn another county's count. Staff and the owner are not limited.
CREATE FUNCTION filings_pending_limit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    ceiling integer;
    pending bigint;
BEGIN
    IF NOT cr_session_has('cr_county_' || NEW.county_code)
       OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = cr_person()), false) THEN
        RETURN NEW;
    END IF;
    SELECT max_pending_filings INTO ceiling FROM role_limits WHERE group_role = 'cr_county';
    IF ceiling IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM FROM counties WHERE code = NEW.county_code FOR NO KEY UPDATE;
    SELECT count(*) INTO pending FROM filings WHERE county_code = NEW.county_code AND status IN ('submitted', 'in_review');
    IF pending >= ceiling THEN
        PERFORM lifecycle_fail('CR013',
            format('county %s has %s filings waiting for review, the most it may have; nothing was filed', NEW.county_code, pending),
            format('%s 已有 %s 份申报等待审查，达到上限，未予提交', NEW.county_code, pending),
            'File again once some have been reviewed (cluster-review list); an administrator sets the limit in config/limits.json.');
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION filings_pending_limit() FROM PUBLIC;
CREATE TRIGGER filings_pending_limit BEFORE INSERT ON filings
    FOR EACH ROW EXECUTE FUNCTION filings_pending_limit();

-- The count above reads only a county's filings waiting for review, however many it has on file.
CREATE INDEX filings_pending_idx ON filings (county_code) WHERE status IN ('submitted', 'in_review');
