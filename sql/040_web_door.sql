-- The web door (issue 19, stage 2): `cluster-review web` runs every request as the person who
-- signed in, so row-level security, the lifecycle functions' checks and the audit log decide for the
-- web exactly as they do for psql (docs/security.md, "The web door").
--
-- * cr_web, the authenticator: the one login the door connects with. It holds no privilege of its
--   own and inherits none (NOINHERIT): it is a member of each person's login role, so inside a
--   request's transaction it may `SET LOCAL ROLE` to the person who signed in, and only then does
--   it have that person's privileges. It is never made a member of the database's owner, of a
--   superuser, of a coordinator's login or of itself: cr_web_admit() grants a login to it only
--   when cr_web_admissible() says the login is a person's (county, reviewer, administrator or
--   auditor), and create_login() calls it for every new login; this migration admits the logins
--   that exist. disable_login() dismisses the login again and ends its sessions.
-- * cr_person() (020) names the person: when the session's login is cr_web it is the login the door
--   set in `cluster_review.person` beside the role (and only a login cr_web may become); otherwise
--   it is session_user, as before, so a person connecting directly can never name someone else.
-- * cr_public: what an anonymous request becomes. It may execute public_notices() and
--   public_register(), which return only what the province publishes, and nothing else.
-- * Sessions: web_sessions holds the SHA-256 of each session's random 256-bit token (never the
--   token), the person, and its idle and absolute expiry. No role is granted the table: cr_web
--   reaches it only through web_session_open/person/close, SECURITY DEFINER functions granted to
--   it alone.

-- MARK: the roles

DO $$
DECLARE
    r pg_roles;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cr_web') THEN
        BEGIN
            CREATE ROLE cr_web LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by another database's migration
        END;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cr_public') THEN
        BEGIN
            CREATE ROLE cr_public NOLOGIN NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    SELECT * INTO r FROM pg_roles WHERE rolname = 'cr_web';
    IF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'the role cr_web exists with powers of its own (superuser, createrole, createdb, replication or bypassrls); the web door''s authenticator must have none',
            DETAIL = '角色 cr_web 已存在且带有额外权限；网页入口的认证角色不得有任何自身权限',
            HINT = 'A superuser runs: ALTER ROLE cr_web NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS';
    END IF;
    IF r.rolinherit THEN
        ALTER ROLE cr_web NOINHERIT;
    END IF;
    IF NOT pg_has_role('cr_web', 'cr_public', 'MEMBER') THEN
        BEGIN
            GRANT cr_public TO cr_web;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END;
$$;

-- MARK: who cr_web may become

-- Whether the web door may act as login `p_name`: a person's login — one holding a county's, the
-- reviewer's, the administrator's or the auditor's role, and not the coordinator's — that is not a
-- superuser, cannot create roles, replicate or bypass row-level security, is not the system's own
-- (cr_, pg_) and is not (a member of) the owner of the tables or of the database.
CREATE FUNCTION cr_web_admissible(p_name text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (
        SELECT FROM pg_roles r
        WHERE r.rolname = p_name AND r.rolcanlogin
          AND NOT (r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls)
          AND r.rolname !~ '^(cr|pg)_'
          AND NOT pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'public.filings'::regclass), 'MEMBER')
          AND NOT pg_has_role(r.oid, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER')
          AND NOT pg_has_role(r.oid, 'cr_coordinator', 'MEMBER')
          AND EXISTS (SELECT FROM pg_roles g
                      WHERE g.rolname ~ '^cr_(county_[0-9]{6}|reviewer|admin|auditor)$' AND pg_has_role(r.oid, g.oid, 'MEMBER')))
$$;
REVOKE ALL ON FUNCTION cr_web_admissible(text) FROM PUBLIC;

-- Makes cr_web a member of login `p_name` when the door may act as it (cr_web_admissible); returns
-- whether cr_web may now become it. A grant the migrating role may not give (a login another role
-- created, on PostgreSQL 16 and later) is skipped with a notice.
CREATE FUNCTION cr_web_admit(p_name text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT cr_web_admissible(p_name) THEN
        RETURN false;
    END IF;
    IF NOT pg_has_role('cr_web', p_name, 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT %I TO cr_web', p_name);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'the web door cannot act as %: % may not grant it to cr_web', p_name, current_user;
            RETURN false;
        END;
    END IF;
    RETURN true;
END;
$$;
REVOKE ALL ON FUNCTION cr_web_admit(text) FROM PUBLIC;

-- Ends the door's membership in login `p_name` (if it had one) and every web session of it.
CREATE FUNCTION cr_web_dismiss(p_name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT FROM pg_auth_members m
               WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = p_name)
                 AND m.member = (SELECT oid FROM pg_roles WHERE rolname = 'cr_web')) THEN
        EXECUTE format('REVOKE %I FROM cr_web', p_name);
    END IF;
    DELETE FROM web_sessions WHERE person = p_name;
END;
$$;
REVOKE ALL ON FUNCTION cr_web_dismiss(text) FROM PUBLIC;

-- MARK: the person

-- The person acting in this session. For the web door's login (cr_web) it is the login the door
-- set in `cluster_review.person` for this request — and only one cr_web may become, a login that is
-- no superuser; anything else is NULL, which every check refuses. For every other login it is the
-- login itself (session_user): a person connecting directly cannot make it name somebody else,
-- whatever they SET.
CREATE OR REPLACE FUNCTION cr_person() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN session_user <> 'cr_web' THEN session_user::text
        ELSE (SELECT r.rolname::text FROM pg_roles r
              WHERE r.rolname = nullif(current_setting('cluster_review.person', true), '')
                AND r.rolcanlogin AND NOT r.rolsuper AND pg_has_role(session_user, r.oid, 'MEMBER'))
    END
$$;
GRANT EXECUTE ON FUNCTION cr_person() TO PUBLIC;

-- MARK: sessions

CREATE TABLE web_sessions (
    -- SHA-256 of the session's token: the token itself is only ever in the person's cookie.
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    person       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    idle_timeout interval NOT NULL CHECK (idle_timeout > interval '0'),
    expires_at   timestamptz NOT NULL,
    -- Where the person signed in from (nginx's X-Real-IP), for an administrator's inquiry.
    address      text NOT NULL DEFAULT '',
    CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_person_idx ON web_sessions (person);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
COMMENT ON TABLE web_sessions IS 'Sessions of the web door: token hashes with idle and absolute expiry; reached only through web_session_* (cr_web).';

REVOKE ALL ON web_sessions FROM PUBLIC;
ALTER TABLE web_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE web_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY web_sessions_owner ON web_sessions TO CURRENT_USER USING (true) WITH CHECK (true);

-- Opens a session for `p_person`, who has just proved their password to the database: stores the
-- token's hash with its idle timeout and absolute lifetime (seconds). Returns false, storing
-- nothing, when the door may not act as that login (not a person's, or not granted to cr_web).
-- Expired sessions are cleared on the way. The web door's authenticator's alone.
CREATE FUNCTION web_session_open(p_token_hash bytea, p_person text, p_idle_seconds integer, p_lifetime_seconds integer,
                                 p_address text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT cr_web_admissible(p_person) OR NOT pg_has_role('cr_web', p_person, 'MEMBER') THEN
        RETURN false;
    END IF;
    DELETE FROM web_sessions WHERE expires_at <= now() OR last_seen_at + idle_timeout <= now();
    INSERT INTO web_sessions (token_hash, person, idle_timeout, expires_at, address)
    VALUES (p_token_hash, p_person, make_interval(secs => p_idle_seconds), now() + make_interval(secs => p_lifetime_seconds),
            left(coalesce(p_address, ''), 100));
    RETURN true;
END;
$$;
REVOKE ALL ON FUNCTION web_session_open(bytea, text, integer, integer, text) FROM PUBLIC;

-- The person of the live session whose token hashes to `p_token_hash`, with the role specs they
-- hold (county:469005, reviewer, admin, auditor); no row when there is none, it has passed its idle
-- timeout or its lifetime, or the door may no longer act as its person (disabled, a role taken
-- away or added): such a session is deleted. Marks the session seen, at most once a minute.
CREATE FUNCTION web_session_person(p_token_hash bytea)
RETURNS TABLE (person text, roles text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    s web_sessions;
BEGIN
    SELECT * INTO s FROM web_sessions WHERE token_hash = p_token_hash;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF s.expires_at <= now() OR s.last_seen_at + s.idle_timeout <= now()
       OR NOT cr_web_admissible(s.person) OR NOT pg_has_role('cr_web', s.person, 'MEMBER') THEN
        DELETE FROM web_sessions WHERE token_hash = p_token_hash;
        RETURN;
    END IF;
    IF s.last_seen_at < now() - interval '1 minute' THEN
        UPDATE web_sessions SET last_seen_at = now() WHERE token_hash = p_token_hash;
    END IF;
    RETURN QUERY
        SELECT s.person,
               coalesce(array_agg(CASE WHEN g.rolname ~ '^cr_county_' THEN 'county:' || substr(g.rolname, 11)
                                       ELSE substr(g.rolname, 4) END ORDER BY g.rolname), '{}')
        FROM pg_roles g
        WHERE g.rolname ~ '^cr_(county_[0-9]{6}|reviewer|admin|auditor)$' AND pg_has_role(s.person, g.oid, 'USAGE');
END;
$$;
REVOKE ALL ON FUNCTION web_session_person(bytea) FROM PUBLIC;

-- Ends the session whose token hashes to `p_token_hash` (signing out); true when there was one.
CREATE FUNCTION web_session_close(p_token_hash bytea) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH gone AS (DELETE FROM web_sessions WHERE token_hash = p_token_hash RETURNING 1)
    SELECT EXISTS (SELECT FROM gone)
$$;
REVOKE ALL ON FUNCTION web_session_close(bytea) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION web_session_open(bytea, text, integer, integer, text), web_session_person(bytea),
                          web_session_close(bytea)
TO cr_web;

-- MARK: what the public sees

-- The public notices running today (公示): for each, the county, the cluster, its leading industry
-- and the notice's first and last day — what the province publishes, nothing else. Objections
-- are received in writing until the last day (the page says how). For cr_public.
CREATE FUNCTION public_notices()
RETURNS TABLE (county_code text, county_name_zh text, county_name_en text, cluster_name text, leading_industry text,
               starts_on date, ends_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT f.county_code, c.name_zh, c.name_en, f.cluster_name, coalesce(f.payload #>> '{cluster,leading_industry}', ''),
           n.starts_on, n.ends_on
    FROM publicity_notices n
    JOIN filings f ON f.id = n.filing_id
    JOIN counties c ON c.code = f.county_code
    WHERE n.state = 'open' AND cr_today() BETWEEN n.starts_on AND n.ends_on
    ORDER BY n.ends_on, c.code, f.cluster_name
$$;
REVOKE ALL ON FUNCTION public_notices() FROM PUBLIC;

-- The recognition list (认定名单): every cluster recognized and valid today, with its certificate
-- number, county, name, leading industry and validity. For cr_public.
CREATE FUNCTION public_register()
RETURNS TABLE (certificate_no text, county_code text, county_name_zh text, county_name_en text, cluster_name text,
               leading_industry text, recognized_on date, valid_until date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT k.certificate_no, k.county_code, c.name_zh, c.name_en, k.name, k.leading_industry, k.recognized_on, k.valid_until
    FROM clusters k
    JOIN counties c ON c.code = k.county_code
    WHERE k.status = 'active' AND k.valid_until >= cr_today()
    ORDER BY k.certificate_no
$$;
REVOKE ALL ON FUNCTION public_register() FROM PUBLIC;

GRANT EXECUTE ON FUNCTION public_notices(), public_register() TO cr_public;

-- MARK: logins come and go through the door too

-- cr_create_login (023) with one step more: the new login is admitted to the web door.
CREATE OR REPLACE FUNCTION cr_create_login(p_name text, p_role text, p_password text, p_bootstrap boolean) RETURNS text
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
    PERFORM cr_web_admit(p_name);
    INSERT INTO audit_log (table_name, row_key, operation, after)
    VALUES ('logins', p_name, 'INSERT',
            jsonb_build_object('name', p_name, 'role', p_role, 'group', target, 'bootstrap', p_bootstrap,
                               'limits_not_set', to_jsonb(skipped)));
    RETURN target;
END;
$$;
REVOKE ALL ON FUNCTION cr_create_login(text, text, text, boolean) FROM PUBLIC;

-- disable_login (010) with one step more: the door may no longer act as the login, and its web
-- sessions end at once.
CREATE OR REPLACE FUNCTION disable_login(p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    g record;
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'disabling a login', '停用登录用户');
    IF NOT EXISTS (
        SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles grp ON grp.oid = m.roleid
        WHERE r.rolname = p_name AND r.rolcanlogin AND grp.rolname ~ '^cr_'
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = format('no login %s holds a ClusterReview role', coalesce(p_name, 'NULL')),
            DETAIL = format('没有名为 %s 的本系统登录用户', coalesce(p_name, 'NULL')),
            HINT = 'cluster-review users list shows the logins.';
    END IF;
    FOR g IN
        SELECT grp.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles grp ON grp.oid = m.roleid
        WHERE r.rolname = p_name AND grp.rolname ~ '^cr_'
    LOOP
        EXECUTE format('REVOKE %I FROM %I', g.rolname, p_name);
    END LOOP;
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_name);
    PERFORM cr_web_dismiss(p_name);
    INSERT INTO audit_log (table_name, row_key, operation, after)
    VALUES ('logins', p_name, 'UPDATE', jsonb_build_object('name', p_name, 'can_login', false));
END;
$$;
REVOKE ALL ON FUNCTION disable_login(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION disable_login(text) TO cr_admin;

-- The logins there are now.
SELECT cr_web_admit(r.rolname) FROM pg_roles r WHERE r.rolcanlogin ORDER BY r.rolname;
