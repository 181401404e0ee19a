-- What a login can reach outside the system's own tables (issue 14, item 7), and the check that
-- reports what is missing (docs/security.md, "What a county can still learn").
--
-- Closed here, where the migrating role may (a superuser may do all of it; the database owner the
-- database's part):
--   * large objects: every lo_* function (a county stored 48 MB in one);
--   * pg_notify(): nobody but the owner (the review_queued trigger now runs as the owner);
--   * the table and database statistics that count rows province-wide (pg_stat_get_*(oid)), and
--     other sessions' activity (pg_stat_get_activity, pg_stat_get_backend_*): administrators and
--     auditors keep them;
--   * temporary tables (a county grew one to 223 MB; temp_file_limit does not bound them): the
--     database's TEMPORARY privilege, kept by administrators and auditors.
-- pg_catalog's functions belong to the bootstrap superuser and their privileges can differ between
-- PostgreSQL versions, so the statements are generated from the catalog (cr_hardening_statements)
-- and run in a loop below. What the migrating role may not do is left for an administrator:
-- security_check() lists each missing piece with the statement that fixes it, and `cluster-review
-- users check` prints them.
--
-- Left open on purpose, because psql and the system itself need them: pg_roles, pg_auth_members
-- and pg_database (login names and their roles, database names), pg_class.reltuples and EXPLAIN's
-- estimates (approximate row counts), and LISTEN/NOTIFY on review_queued (PostgreSQL does not
-- restrict LISTEN; a channel name only coordinators can read is a change of the coordinator).

-- MARK: the statements

-- Every statement that closes the above, and who may run it ('superuser' or 'database owner').
-- Readable by administrators and auditors (security_check prints them as fixes).
CREATE FUNCTION cr_hardening_statements() RETURNS TABLE (item text, statement text, needs text)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH owner AS (SELECT pg_get_userbyid(relowner) AS name FROM pg_class WHERE oid = 'public.filings'::regclass),
    functions AS (
        SELECT CASE WHEN p.proname ~ '^lo' THEN 'large objects'
                    WHEN p.proname = 'pg_notify' THEN 'pg_notify'
                    WHEN p.proname = 'pg_stat_get_activity' OR p.proname ~ '^pg_stat_get_backend_' THEN 'session activity'
                    ELSE 'statistics' END AS item,
               p.oid::regprocedure::text AS signature
        FROM pg_proc p
        WHERE p.pronamespace = 'pg_catalog'::regnamespace
          AND (p.proname ~ '^lo_' OR p.proname IN ('loread', 'lowrite', 'pg_notify', 'pg_stat_get_activity')
               OR p.proname ~ '^pg_stat_get_backend_'
               OR (p.proname ~ '^pg_stat_get_' AND p.pronargs = 1 AND p.proargtypes[0] = 'oid'::regtype))
    )
    SELECT item, format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', signature), 'superuser' FROM functions
    UNION ALL
    SELECT item, format('GRANT EXECUTE ON FUNCTION %s TO cr_admin, cr_auditor', signature), 'superuser'
    FROM functions WHERE item IN ('statistics', 'session activity')
    UNION ALL
    SELECT 'pg_notify', format('GRANT EXECUTE ON FUNCTION pg_notify(text, text) TO %I', owner.name), 'superuser' FROM owner
    UNION ALL
    SELECT 'temp_file_limit', format('GRANT SET ON PARAMETER temp_file_limit TO %I', owner.name), 'superuser' FROM owner
    UNION ALL
    SELECT 'temporary tables', format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()), 'database owner'
    UNION ALL
    SELECT 'temporary tables', format('GRANT TEMPORARY ON DATABASE %I TO cr_admin, cr_auditor', current_database()), 'database owner'
$$;
REVOKE ALL ON FUNCTION cr_hardening_statements() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_hardening_statements() TO cr_admin, cr_auditor;

-- New work wakes the coordinators; polling covers a lost notification. Sent as the owner (SECURITY
-- DEFINER), so no login needs pg_notify(). A trigger function: executable by nobody.
CREATE OR REPLACE FUNCTION notify_review_queued() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('review_queued', '');
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_review_queued() FROM PUBLIC;

-- Runs what the migrating role may run; notes the rest (security_check reports it).
DO $$
DECLARE
    s record;
    superuser boolean := coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false);
    database_owner boolean := pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER');
    left_over integer := 0;
BEGIN
    FOR s IN SELECT * FROM cr_hardening_statements() LOOP
        IF superuser OR (s.needs = 'database owner' AND database_owner) THEN
            EXECUTE s.statement;
        ELSE
            left_over := left_over + 1;
        END IF;
    END LOOP;
    IF left_over > 0 THEN
        RAISE NOTICE '% hardening statements need a superuser; run cluster-review users check as an administrator to list them', left_over;
    END IF;
END;
$$;

-- MARK: the check

-- What is missing: for each login of a limited group role, each limit not set in this database
-- (or set to another value), and each piece of the hardening above not in place. `ok` is false for
-- what is missing; `statements` is the SQL that fixes it, when SQL does (for a superuser, or for
-- the database owner); `fix` and `fix_zh` say who does what. Administrators and auditors.
CREATE FUNCTION security_check()
RETURNS TABLE (subject text, item text, ok boolean, expected text, actual text, statements text, fix text, fix_zh text)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH logins AS (
        SELECT r.oid, r.rolname::text AS name, r.rolconnlimit, l.*
        FROM pg_roles r
        CROSS JOIN LATERAL (SELECT * FROM role_limits l WHERE pg_has_role(r.oid, l.group_role, 'MEMBER')
                            ORDER BY l.group_role = 'cr_county' DESC LIMIT 1) l
        WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname !~ '^(cr|pg)_'
    ),
    settings AS (
        SELECT s.setrole, s.setdatabase, split_part(c, '=', 1) AS name, substr(c, strpos(c, '=') + 1) AS value
        FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) AS c
        WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
    ),
    expected AS (
        SELECT lg.oid, lg.name, e.setting, e.value
        FROM logins lg
        CROSS JOIN LATERAL (VALUES ('statement_timeout', lg.statement_timeout),
                                   ('idle_in_transaction_session_timeout', lg.idle_in_transaction_session_timeout),
                                   ('temp_file_limit', lg.temp_file_limit)) AS e(setting, value)
    ),
    hardening AS (
        SELECT h.item, min(h.needs) AS needs, string_agg(h.statement || ';', E'\n' ORDER BY h.statement) AS statements,
               CASE h.item
                   WHEN 'large objects' THEN NOT has_function_privilege('cr_county', 'pg_catalog.lo_creat(integer)', 'EXECUTE')
                                         AND NOT has_function_privilege('cr_reviewer', 'pg_catalog.lo_from_bytea(oid, bytea)', 'EXECUTE')
                   WHEN 'pg_notify' THEN NOT has_function_privilege('cr_county', 'pg_catalog.pg_notify(text, text)', 'EXECUTE')
                   WHEN 'statistics' THEN NOT has_function_privilege('cr_county', 'pg_catalog.pg_stat_get_live_tuples(oid)', 'EXECUTE')
                                      AND NOT has_function_privilege('cr_county', 'pg_catalog.pg_stat_get_db_tuples_inserted(oid)', 'EXECUTE')
                   WHEN 'session activity' THEN NOT has_function_privilege('cr_county', 'pg_catalog.pg_stat_get_activity(integer)', 'EXECUTE')
                   WHEN 'temporary tables' THEN NOT has_database_privilege('cr_county', current_database(), 'TEMPORARY')
                                            AND NOT has_database_privilege('cr_reviewer', current_database(), 'TEMPORARY')
                   ELSE true  -- temp_file_limit: reported per login below
               END AS ok
        FROM cr_hardening_statements() h
        GROUP BY h.item
    )
    SELECT e.name, e.setting, coalesce(actual.value = e.value, false), e.value, actual.value,
           CASE WHEN e.setting = 'temp_file_limit' THEN (SELECT statements FROM hardening WHERE item = 'temp_file_limit') END,
           CASE WHEN e.setting = 'temp_file_limit'
                THEN 'a superuser runs the statement once; then an administrator runs: cluster-review users check'
                ELSE 'an administrator runs: cluster-review users check' END,
           CASE WHEN e.setting = 'temp_file_limit'
                THEN '由超级用户执行一次该语句，再由管理员运行：cluster-review users check'
                ELSE '由管理员运行：cluster-review users check' END
    FROM expected e
    -- This database's value wins over the server-wide one, as at login.
    LEFT JOIN LATERAL (SELECT s.value FROM settings s WHERE s.setrole = e.oid AND s.name = e.setting
                       ORDER BY s.setdatabase DESC LIMIT 1) actual ON true
    UNION ALL
    SELECT lg.name, 'connection_limit', lg.rolconnlimit = lg.connection_limit, lg.connection_limit::text, lg.rolconnlimit::text,
           NULL, 'an administrator runs: cluster-review users check', '由管理员运行：cluster-review users check'
    FROM logins lg
    UNION ALL
    SELECT 'database', h.item, h.ok, 'closed', CASE WHEN h.ok THEN 'closed' ELSE 'open' END, h.statements,
           format('a %s runs the statements', h.needs),
           CASE h.needs WHEN 'superuser' THEN '由超级用户执行这些语句' ELSE '由数据库属主执行这些语句' END
    FROM hardening h WHERE h.item <> 'temp_file_limit'
    ORDER BY 1, 2
$$;
REVOKE ALL ON FUNCTION security_check() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION security_check() TO cr_admin, cr_auditor;
