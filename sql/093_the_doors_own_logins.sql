-- disable_login (040) refuses the system's own logins: an administrator disabling cr_web (which
-- holds cr_public, a cr_ role, and so passed 040's check) would take the web door down. Restated
-- whole with the one check added.

CREATE OR REPLACE FUNCTION disable_login(p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    g record;
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'disabling a login', '停用登录用户');
    -- The system's own logins (the web door's cr_web, cr_public) hold cr_ roles too; disabling one
    -- is not disabling a person and would take the web door down.
    IF p_name ~ '^(cr|pg)_' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('%s is one of the system''s own logins, not a person''s: it cannot be disabled here', p_name),
            DETAIL = format('%s 是系统自身的登录，不是人员账号，不能在此停用', p_name),
            HINT = 'cluster-review users list shows the people''s logins.';
    END IF;
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
