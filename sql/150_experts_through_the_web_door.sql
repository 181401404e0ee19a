-- Experts sign in to the web door (issue 19, the expert's pages): cr_web_admissible and
-- web_session_person (040) admitted only a county's, the reviewer's, the administrator's and the
-- auditor's logins; an expert's (cr_expert, 121) is a person's login too. Both are restated whole
-- with the expert's role added to the roles that make a login a person's, and nothing else
-- changed: a coordinator's login, a superuser, one that can create roles, replicate or bypass
-- row-level security, the system's own (cr_, pg_) and the owner of the tables or the database stay
-- out. cr_create_login (040) already calls cr_web_admit for every new login, so
-- `users add --role expert` admits new experts from now on; the experts' logins that exist are
-- admitted below, as 040 admitted the logins that existed then.

-- MARK: who cr_web may become

-- Whether the web door may act as login `p_name`: a person's login — one holding a county's, the
-- reviewer's, the administrator's, the auditor's or an expert's role, and not the coordinator's —
-- that is not a superuser, cannot create roles, replicate or bypass row-level security, is not the
-- system's own (cr_, pg_) and is not (a member of) the owner of the tables or of the database.
CREATE OR REPLACE FUNCTION cr_web_admissible(p_name text) RETURNS boolean
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
                      WHERE g.rolname ~ '^cr_(county_[0-9]{6}|reviewer|admin|auditor|expert)$' AND pg_has_role(r.oid, g.oid, 'MEMBER')))
$$;
REVOKE ALL ON FUNCTION cr_web_admissible(text) FROM PUBLIC;

-- MARK: the person of a session

-- The person of the live session whose token hashes to `p_token_hash`, with the role specs they
-- hold (county:469005, reviewer, admin, auditor, expert); no row when there is none, it has passed
-- its idle timeout or its lifetime, or the door may no longer act as its person (disabled, a role
-- taken away or added): such a session is deleted. Marks the session seen, at most once a minute.
CREATE OR REPLACE FUNCTION web_session_person(p_token_hash bytea)
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
        WHERE g.rolname ~ '^cr_(county_[0-9]{6}|reviewer|admin|auditor|expert)$' AND pg_has_role(s.person, g.oid, 'USAGE');
END;
$$;
REVOKE ALL ON FUNCTION web_session_person(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION web_session_person(bytea) TO cr_web;

-- MARK: the experts there are now

SELECT cr_web_admit(r.rolname) FROM pg_roles r WHERE r.rolcanlogin AND pg_has_role(r.oid, 'cr_expert', 'MEMBER') ORDER BY r.rolname;
