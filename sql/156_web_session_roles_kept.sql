-- The web door's session lookup, cheaper (issue 19, item 6: p99 under 100 ms back to back).
-- web_session_person (040, restated by 150) runs on every request, and cost about 180 µs of the
-- server's time a call (5,000 calls on 109 roles: 0.86–1.4 s), most of it not reading but planning:
-- cr_web_admissible is a SQL function with a SET clause, which PostgreSQL neither inlines nor keeps
-- a plan for between calls, so its query over pg_roles (a view) with three sub-selects was planned
-- anew on every request; and each call scanned pg_roles twice with a regular expression on every
-- role name (in cr_web_admissible, for "holds one of the door's roles", and to list the roles).
-- Restated here, it costs about 55 µs (0.28 s for the same 5,000 calls):
--
-- * The checks are statements of the PL/pgSQL function itself, whose plans it keeps.
-- * web_sessions.roles keeps the role specs (county:469005, reviewer, admin, auditor, expert) the
--   session's person held when they were last listed, web_sessions.memberships the number of roles
--   the login was a direct member of then (pg_auth_members); both written at sign-in.
-- * Every request still checks, before anything else: the session exists and has passed neither
--   its idle timeout nor its lifetime; the login may still sign in and holds no power (superuser,
--   createrole, replication, bypassrls), is not the system's own, not (a member of) the owner of
--   the tables or of the database, not a coordinator; cr_web is still a member of it — every check
--   of cr_web_admissible but the scan, by name and oid (pg_has_role's membership cache).
-- * And every kept role is re-checked (pg_has_role … 'USAGE', as the list was made): a role taken
--   away, directly or through a group, takes effect at the very next request. So does a role
--   granted directly (the login's direct memberships are counted by pg_auth_members' index): the
--   roles are then listed again as before and kept anew; a login left with none of the door's
--   roles is no longer admissible, and its session is deleted, as before.
--   (A door role granted to a group the person already belongs to shows at the next change of the
--   person's own memberships or the next sign-in. The database's own checks — row-level security,
--   the lifecycle functions — see it at once all the same, for they read the real membership; the
--   list only shapes the door's navigation and its own refusals, which can only be stricter.)
-- Sessions opened before this migration keep no roles yet; their first request lists them.

ALTER TABLE web_sessions ADD COLUMN roles text[], ADD COLUMN memberships integer;

-- MARK: the roles a session keeps

-- The role specs login `p_name` holds (county:469005, reviewer, admin, auditor, expert), in
-- order: the list web_session_person (150) returned, made by the same scan.
CREATE FUNCTION cr_web_roles(p_name text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(CASE WHEN g.rolname ~ '^cr_county_' THEN 'county:' || substr(g.rolname, 11)
                                   ELSE substr(g.rolname, 4) END ORDER BY g.rolname), '{}')
    FROM pg_roles g
    WHERE g.rolname ~ '^cr_(county_[0-9]{6}|reviewer|admin|auditor|expert)$' AND pg_has_role(p_name, g.oid, 'USAGE')
$$;
REVOKE ALL ON FUNCTION cr_web_roles(text) FROM PUBLIC;

-- The number of roles login `p_name` is a direct member of (by pg_auth_members' index).
CREATE FUNCTION cr_web_memberships(p_name text) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT count(*)::integer FROM pg_auth_members m WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = p_name)
$$;
REVOKE ALL ON FUNCTION cr_web_memberships(text) FROM PUBLIC;

-- MARK: a session opened

-- Opens a session for `p_person`, who has just proved their password to the database: stores the
-- token's hash with its idle timeout and absolute lifetime (seconds), and the roles the person
-- holds now. Returns false, storing nothing, when the door may not act as that login (not a
-- person's, or not granted to cr_web). Expired sessions are cleared on the way. The web door's
-- authenticator's alone. (Restated from 040 with the kept roles added; nothing else changed.)
CREATE OR REPLACE FUNCTION web_session_open(p_token_hash bytea, p_person text, p_idle_seconds integer, p_lifetime_seconds integer,
                                            p_address text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT cr_web_admissible(p_person) OR NOT pg_has_role('cr_web', p_person, 'MEMBER') THEN
        RETURN false;
    END IF;
    DELETE FROM web_sessions WHERE expires_at <= now() OR last_seen_at + idle_timeout <= now();
    INSERT INTO web_sessions (token_hash, person, idle_timeout, expires_at, address, roles, memberships)
    VALUES (p_token_hash, p_person, make_interval(secs => p_idle_seconds), now() + make_interval(secs => p_lifetime_seconds),
            left(coalesce(p_address, ''), 100), cr_web_roles(p_person), cr_web_memberships(p_person));
    RETURN true;
END;
$$;
REVOKE ALL ON FUNCTION web_session_open(bytea, text, integer, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION web_session_open(bytea, text, integer, integer, text) TO cr_web;

-- MARK: the person of a session

-- The person of the live session whose token hashes to `p_token_hash`, with the role specs they
-- hold (county:469005, reviewer, admin, auditor, expert); no row when there is none, it has passed
-- its idle timeout or its lifetime, or the door may no longer act as its person (disabled, a role
-- taken away or added that makes the login inadmissible): such a session is deleted. Marks the
-- session seen, at most once a minute. (Restated from 150: the same answers, the roles kept in the
-- session and re-checked, listed again only when the person's memberships changed — see above.)
CREATE OR REPLACE FUNCTION web_session_person(p_token_hash bytea)
RETURNS TABLE (person text, roles text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    s web_sessions;
    v_standing boolean;
    v_kept boolean;
    v_roles text[];
BEGIN
    SELECT * INTO s FROM web_sessions WHERE token_hash = p_token_hash;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF s.expires_at <= now() OR s.last_seen_at + s.idle_timeout <= now() THEN
        DELETE FROM web_sessions WHERE token_hash = p_token_hash;
        RETURN;
    END IF;
    -- cr_web_admissible's checks but its scan, and cr_web's membership, as 150 made them; and
    -- whether the kept roles stand: every one still held, the person's own memberships as many.
    SELECT r.rolcanlogin AND NOT (r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls)
           AND r.rolname !~ '^(cr|pg)_'
           AND NOT pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'public.filings'::regclass), 'MEMBER')
           AND NOT pg_has_role(r.oid, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER')
           AND NOT pg_has_role(r.oid, 'cr_coordinator', 'MEMBER')
           AND pg_has_role('cr_web', r.oid, 'MEMBER'),
           cardinality(s.roles) > 0
           AND s.memberships = (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid)
           AND (SELECT bool_and(g IS NOT NULL AND pg_has_role(r.oid, g, 'USAGE'))
                FROM unnest(s.roles) AS k,
                     to_regrole(CASE WHEN k LIKE 'county:%' THEN 'cr_county_' || substr(k, 8) ELSE 'cr_' || k END) AS g)
    INTO v_standing, v_kept
    FROM pg_roles r WHERE r.rolname = s.person;
    IF v_standing IS NOT TRUE THEN
        DELETE FROM web_sessions WHERE token_hash = p_token_hash;
        RETURN;
    END IF;
    v_roles := s.roles;
    -- Otherwise they are listed again, as every request did before (and a login left with none
    -- of the door's roles is no longer admissible).
    IF v_kept IS NOT TRUE THEN
        IF NOT cr_web_admissible(s.person) THEN
            DELETE FROM web_sessions WHERE token_hash = p_token_hash;
            RETURN;
        END IF;
        v_roles := cr_web_roles(s.person);
        UPDATE web_sessions SET roles = v_roles, memberships = cr_web_memberships(s.person) WHERE token_hash = p_token_hash;
    END IF;
    IF s.last_seen_at < now() - interval '1 minute' THEN
        UPDATE web_sessions SET last_seen_at = now() WHERE token_hash = p_token_hash;
    END IF;
    RETURN QUERY SELECT s.person, v_roles;
END;
$$;
REVOKE ALL ON FUNCTION web_session_person(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION web_session_person(bytea) TO cr_web;
