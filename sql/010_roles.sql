-- Who may do what, part 1: the group roles and the administration of people's logins
-- (issue 7; docs/security.md).
--
-- Every person logs in with a role of their own (LOGIN) that is granted exactly one group role
-- (NOLOGIN) below; privileges and row-level security policies name only the group roles:
--
--   cr_county_<code>  one per county-level division: files and reads its own county's rows
--   cr_county         the parent of every county role (the privileges all counties share)
--   cr_reviewer       reads everything, confirms findings, decides, manages public notice
--   cr_admin          incidents, sweeps, settings, revocation confirmations, people's logins
--   cr_coordinator    claims reviews, writes findings and aggregates, nothing else
--   cr_auditor        reads everything, the audit log included; writes nothing
--
-- Roles are cluster-wide while migrations run per database (tests create many databases on one
-- server), so every CREATE ROLE is guarded and a concurrent creator is tolerated.

-- Creates NOLOGIN role `p_name` unless it exists; tolerates a concurrent creator.
CREATE FUNCTION cr_ensure_group_role(p_name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = p_name) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', p_name);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by another database's migration
        END;
    END IF;
END;
$$;

DO $$
DECLARE
    county record;
BEGIN
    PERFORM cr_ensure_group_role(r)
    FROM unnest(ARRAY['cr_county', 'cr_reviewer', 'cr_admin', 'cr_coordinator', 'cr_auditor']) AS r;
    FOR county IN SELECT code FROM counties ORDER BY code LOOP
        PERFORM cr_ensure_group_role('cr_county_' || county.code);
        IF NOT pg_has_role('cr_county_' || county.code, 'cr_county', 'MEMBER') THEN
            BEGIN
                EXECUTE format('GRANT cr_county TO %I', 'cr_county_' || county.code);
            EXCEPTION WHEN unique_violation OR duplicate_object THEN
                NULL;
            END;
        END IF;
    END LOOP;
END;
$$;

DROP FUNCTION cr_ensure_group_role(text);

-- MARK: who is calling

-- The county codes whose county role the current role holds (through its login's grants).
-- Policies call it as `(SELECT cr_my_counties())`, so it runs once per statement.
CREATE FUNCTION cr_my_counties() RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(code ORDER BY code), '{}')
    FROM counties
    WHERE pg_has_role(current_user, 'cr_county_' || code, 'USAGE')
$$;

-- Whether the person in this session (session_user: the login, never a SECURITY DEFINER
-- function's owner) holds group role `p_group`. The lifecycle functions check their callers with it.
CREATE FUNCTION cr_session_has(p_group text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = p_group)
       AND pg_has_role(session_user, p_group, 'USAGE')
$$;

-- Raises 42501 (insufficient_privilege) unless the session's person holds one of `p_groups`;
-- `p_action` names what was refused, in English and Chinese.
CREATE FUNCTION cr_require(p_groups text[], p_action_en text, p_action_zh text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM unnest(p_groups) AS g WHERE cr_session_has(g)) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('permission denied: %s needs the role %s; %s does not hold it',
                             p_action_en, array_to_string(p_groups, ' or '), session_user),
            DETAIL = format('权限不足：%s 需要 %s 角色，%s 没有', p_action_zh, array_to_string(p_groups, ' 或 '), session_user),
            HINT = 'Log in as a person who holds that role, or ask an administrator (cluster-review users add).';
    END IF;
END;
$$;


-- MARK: people's logins

-- The group role a role spec names: county:469005, reviewer, admin, coordinator, auditor.
-- Raises 22023 for anything else (an unknown county included).
CREATE FUNCTION cr_group_for(p_spec text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF p_spec IN ('reviewer', 'admin', 'coordinator', 'auditor') THEN
        RETURN 'cr_' || p_spec;
    ELSIF p_spec ~ '^county:46[0-9]{4}$' AND EXISTS (SELECT FROM counties WHERE code = substr(p_spec, 8)) THEN
        RETURN 'cr_county_' || substr(p_spec, 8);
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('unknown role %L: use county:<code of a Hainan county-level division>, reviewer, admin, coordinator or auditor', p_spec),
        DETAIL = format('未知角色 %L：请用 county:<县级行政区代码>、reviewer、admin、coordinator 或 auditor', p_spec),
        HINT = 'cluster-review counties lists the county codes.';
END;
$$;

-- Creates login role `p_name` for a person and grants it the group role `p_role` names.
-- An administrator's function (42501 otherwise). The name must be a safe identifier: lower-case
-- ASCII letters, digits and underscores, starting with a letter, 2–63 characters, not starting
-- with cr_ or pg_ (22023 otherwise); an existing role is refused (42710), never altered.
-- `p_password` NULL creates a login without a password (for peer or trust authentication).
CREATE FUNCTION create_login(p_name text, p_role text, p_password text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    target text;
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'adding a login', '添加登录用户');
    IF p_name IS NULL OR p_name !~ '^[a-z][a-z0-9_]{1,62}$' OR p_name ~ '^(cr|pg)_' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('%s is not a valid login name: use 2 to 63 lower-case letters, digits and underscores, starting with a letter (not cr_ or pg_)',
                             coalesce(quote_literal(p_name), 'NULL')),
            DETAIL = '登录名无效：请用 2 到 63 个小写字母、数字或下划线，以字母开头（不能以 cr_ 或 pg_ 开头）',
            HINT = 'For example: wenchang_li';
    END IF;
    target := cr_group_for(p_role);
    -- A county added to `counties` after this migration gets its role on first use.
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
    -- Role administration is audited like every other change (006's audit_log; `who` is session_user).
    INSERT INTO audit_log (table_name, row_key, operation, after)
    VALUES ('logins', p_name, 'INSERT', jsonb_build_object('name', p_name, 'role', p_role, 'group', target));
    RETURN target;
END;
$$;

-- Disables login role `p_name` (NOLOGIN, group roles revoked); its rows and audit entries stay.
-- An administrator's function; only logins that hold a cr_ group role can be disabled.
CREATE FUNCTION disable_login(p_name text) RETURNS void
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
    INSERT INTO audit_log (table_name, row_key, operation, after)
    VALUES ('logins', p_name, 'UPDATE', jsonb_build_object('name', p_name, 'can_login', false));
END;
$$;

-- The logins that hold a ClusterReview group role, with their roles as role specs.
CREATE FUNCTION list_logins()
RETURNS TABLE (name text, roles text[], can_login boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.rolname::text,
           array_agg(CASE WHEN grp.rolname ~ '^cr_county_' THEN 'county:' || substr(grp.rolname, 11)
                          ELSE substr(grp.rolname, 4) END ORDER BY grp.rolname),
           r.rolcanlogin
    FROM pg_roles r
    JOIN pg_auth_members m ON m.member = r.oid
    JOIN pg_roles grp ON grp.oid = m.roleid
    WHERE grp.rolname ~ '^cr_' AND r.rolname !~ '^cr_'
    GROUP BY r.rolname, r.rolcanlogin
    ORDER BY r.rolname
$$;


-- MARK: nothing is anybody's by default

-- PostgreSQL gives PUBLIC EXECUTE on every new function and (before version 15) CREATE on the
-- public schema. Every function is revoked here and granted one by one; functions the migrating
-- role creates later start revoked too (later migrations grant what they add).
DO $$
BEGIN
    -- Only the schema's owner may change its privileges; PostgreSQL 15 and later already refuse
    -- CREATE to PUBLIC, so a migrating role that does not own the schema leaves it as it is.
    IF pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'public'), 'USAGE') THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    ELSE
        RAISE NOTICE 'the public schema is not owned by %; CREATE for PUBLIC left as it is', current_user;
    END IF;
END;
$$;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Policies and the lifecycle functions' checks call these as the person querying.
GRANT EXECUTE ON FUNCTION cr_my_counties(), cr_session_has(text), cr_require(text[], text, text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION create_login(text, text, text), disable_login(text) TO cr_admin;
GRANT EXECUTE ON FUNCTION list_logins(), cr_group_for(text) TO cr_admin, cr_auditor;
