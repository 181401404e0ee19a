-- Notifications (issue 17, item 3; docs/notifications.md).
--
-- Every event a county, a reviewer, an administrator or an expert must act on is written into one
-- outbox, `notifications`, one row per event and recipient, by the state change that causes it:
-- AFTER triggers on the state tables (a submission refused, a filing's status, a public notice, an
-- objection, a register entry, a sweep action, a panel assignment), in the same transaction, so a
-- rolled-back change leaves no notice and a committed one always has its notice. The daily kinds (a
-- register entry expiring in 90 or 30 days; an annual report due before 30 March, or missing after
-- it) are written by notify_due(day), which the sweep runner calls in the sweep's transaction.
--
-- Each row is unique per (kind, event, recipient): `event` names the occurrence (`filing:42/
-- decisions:0`, `cluster:3/year:2026`, …), so the same change repeated, or the sweep run again on
-- the same day, inserts nothing (ON CONFLICT DO NOTHING).
--
-- Recipients: a group — a county's officials (`recipient_role` = cr_county_<code>), the reviewers
-- (cr_reviewer), the administrators (cr_admin) — or one person (`recipient_login`, e.g. an expert).
-- A group's row is one shared row: any member reads it; the first who marks it read marks it read
-- for the group (read_by names who). Row-level security lets each person read, and mark read, only
-- the rows addressed to them or to a group they hold; nobody else reads them (not reviewers, not
-- auditors: the events themselves are on record in their own tables). Marking read is an UPDATE of
-- read_at alone (a column grant), which a trigger turns into "now, by cr_person()", once.
--
-- The payload carries ids only (filing, review, submission, notice, objection, cluster, sweep
-- action, panel, year, days); the message is rendered from the kind and the ids in the reader's
-- language by ReviewCore (`Inbox`, `NotificationText`). For a delivery worker to be added later:
-- attempts, last_error, delivered_at (docs/notifications.md says how).
--
-- Each inserted row NOTIFYs its recipient's channel with an EMPTY payload: cr_notify_county_<code>,
-- cr_notify_reviewers, cr_notify_admins, cr_notify_login_<login> (a login longer than 47
-- characters: cr_notify_login_<md5 of the login>). PostgreSQL does not restrict LISTEN: anybody may
-- listen on any channel, so the wake-up says nothing; the client reads its rows under RLS.

-- MARK: the outbox

CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN (
        'submission_refused', 'reviewed', 'returned', 'refused', 'recertified', 'in_publicity', 'objected',
        'recognized', 'expiring_90', 'expiring_30', 'annual_report_due', 'annual_report_missing',
        'revocation_proposed', 'revoked', 'expert_assigned')),
    -- The occurrence within its kind: the same event is written once per recipient.
    event           text NOT NULL CHECK (length(event) BETWEEN 1 AND 200),
    -- A group: a county's role, the reviewers or the administrators.
    recipient_role  text CHECK (recipient_role ~ '^cr_(county_46[0-9]{4}|reviewer|admin)$'),
    -- One person: a login.
    recipient_login text CHECK (recipient_login ~ '^[a-z][a-z0-9_]{1,62}$'),
    recipient       text GENERATED ALWAYS AS (coalesce('role:' || recipient_role, 'login:' || recipient_login)) STORED,
    -- The channel its recipient LISTENs on (woken with an empty payload).
    channel         text GENERATED ALWAYS AS (
        CASE WHEN recipient_role ~ '^cr_county_' THEN 'cr_notify_county_' || substr(recipient_role, 11)
             WHEN recipient_role = 'cr_reviewer' THEN 'cr_notify_reviewers'
             WHEN recipient_role = 'cr_admin' THEN 'cr_notify_admins'
             WHEN length(recipient_login) <= 47 THEN 'cr_notify_login_' || recipient_login
             ELSE 'cr_notify_login_' || md5(recipient_login) END) STORED,
    -- The subject, for the reader's joins (both may be NULL: a submission refused).
    filing_id       bigint REFERENCES filings (id),
    cluster_id      bigint REFERENCES clusters (id),
    -- Ids only: {"filing": 42, "review": 7, …}. Never names, notes, scores or objectors.
    payload         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'
        AND NOT jsonb_path_exists(payload, '$.* ? (@.type() != "number")')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Read: when, and by whom (a group's row is read for the group by its first reader).
    read_at         timestamptz,
    read_by         text,
    -- For a delivery worker (mail, SMS), none yet: see docs/notifications.md.
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text,
    delivered_at    timestamptz,
    CHECK ((recipient_role IS NULL) <> (recipient_login IS NULL)),
    CHECK ((read_at IS NULL) = (read_by IS NULL)),
    UNIQUE (kind, event, recipient)
);
COMMENT ON TABLE notifications IS 'The outbox: one row per event and recipient, written by the state change; see sql/122.';
CREATE INDEX notifications_recipient_idx ON notifications (recipient, id DESC);
CREATE INDEX notifications_undelivered_idx ON notifications (id) WHERE delivered_at IS NULL;

-- Writes one event for each of `p_recipients` (a group role name, or 'login:<name>'), once.
-- Called by the trigger functions below (as the owner). Executable by nobody.
CREATE FUNCTION cr_notify(p_kind text, p_event text, p_recipients text[], p_filing bigint, p_cluster bigint, p_payload jsonb)
RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
    INSERT INTO notifications (kind, event, recipient_role, recipient_login, filing_id, cluster_id, payload)
    SELECT p_kind, p_event,
           CASE WHEN r LIKE 'login:%' THEN NULL ELSE r END,
           CASE WHEN r LIKE 'login:%' THEN substr(r, 7) END,
           p_filing, p_cluster, jsonb_strip_nulls(coalesce(p_payload, '{}'))
    FROM unnest(p_recipients) AS r
    WHERE r IS NOT NULL
    ON CONFLICT (kind, event, recipient) DO NOTHING
$$;
REVOKE ALL ON FUNCTION cr_notify(text, text, text[], bigint, bigint, jsonb) FROM PUBLIC;

-- Wakes the recipient's channel, with nothing in the payload. A trigger function (as the owner:
-- pg_notify is the owner's alone, sql/024): executable by nobody.
CREATE FUNCTION notifications_wake() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM pg_notify(NEW.channel, '');
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notifications_wake() FROM PUBLIC;
CREATE TRIGGER notifications_wake AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_wake();

-- Marking read: read_at is set to now and read_by to the person, once; a read row stays read.
-- A trigger function: executable by nobody.
CREATE FUNCTION notifications_mark_read() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF OLD.read_at IS NOT NULL THEN
        NEW.read_at := OLD.read_at;
        NEW.read_by := OLD.read_by;
    ELSIF NEW.read_at IS NOT NULL THEN
        NEW.read_at := now();
        NEW.read_by := cr_person();
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION notifications_mark_read() FROM PUBLIC;
CREATE TRIGGER notifications_mark_read BEFORE UPDATE OF read_at ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_mark_read();

-- Each person reads, and marks read, only their own: a row addressed to them, or to a group they hold.
REVOKE ALL ON notifications FROM PUBLIC;
GRANT SELECT ON notifications TO cr_county, cr_reviewer, cr_admin, cr_expert;
GRANT UPDATE (read_at) ON notifications TO cr_county, cr_reviewer, cr_admin, cr_expert;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_owner ON notifications TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY notifications_recipient_read ON notifications FOR SELECT TO cr_county, cr_reviewer, cr_admin, cr_expert
    USING (recipient_login = cr_person()
           OR (recipient_role IS NOT NULL AND pg_has_role(cr_person(), recipient_role, 'USAGE')));
CREATE POLICY notifications_recipient_mark ON notifications FOR UPDATE TO cr_county, cr_reviewer, cr_admin, cr_expert
    USING (recipient_login = cr_person()
           OR (recipient_role IS NOT NULL AND pg_has_role(cr_person(), recipient_role, 'USAGE')))
    WITH CHECK (recipient_login = cr_person()
           OR (recipient_role IS NOT NULL AND pg_has_role(cr_person(), recipient_role, 'USAGE')));

-- MARK: the state changes that write them

-- A submission refused at the door: its county.
CREATE FUNCTION notify_submission_refused() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.county_code IS NOT NULL THEN
        PERFORM cr_notify('submission_refused', 'submission:' || NEW.id, ARRAY['cr_county_' || NEW.county_code],
                          NULL, NULL, jsonb_build_object('submission', NEW.id));
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_submission_refused() FROM PUBLIC;
CREATE TRIGGER notify_submission_refused AFTER UPDATE OF state ON submissions
    FOR EACH ROW WHEN (NEW.state = 'refused' AND OLD.state IS DISTINCT FROM 'refused')
    EXECUTE FUNCTION notify_submission_refused();

-- A filing's status changed: reviewed (its county, and the reviewers, who decide next), returned
-- for correction, refused, recertified (approved): its county. Keyed on the status change itself,
-- never on a review row, so a review that changes no status (a national review, issue 18) notifies
-- nobody. A filing is reviewed again only after a decision (an objection upheld), so `reviewed` is
-- one event per number of decisions before it.
CREATE FUNCTION notify_filing_status() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    county text := 'cr_county_' || NEW.county_code;
    decided integer;
    decision bigint;
BEGIN
    IF NEW.status = 'reviewed' THEN
        SELECT count(*) INTO decided FROM decisions WHERE filing_id = NEW.id;
        PERFORM cr_notify('reviewed', format('filing:%s/decisions:%s', NEW.id, decided), ARRAY[county, 'cr_reviewer'],
                          NEW.id, NEW.cluster_id,
                          jsonb_build_object('filing', NEW.id, 'review', (SELECT max(id) FROM reviews WHERE filing_id = NEW.id)));
    ELSIF NEW.status IN ('returned', 'refused', 'approved') THEN
        SELECT max(id) INTO decision FROM decisions WHERE filing_id = NEW.id;
        PERFORM cr_notify(CASE NEW.status WHEN 'approved' THEN 'recertified' ELSE NEW.status END, 'filing:' || NEW.id,
                          ARRAY[county], NEW.id, NEW.cluster_id, jsonb_build_object('filing', NEW.id, 'decision', decision));
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_filing_status() FROM PUBLIC;
CREATE TRIGGER notify_filing_status AFTER UPDATE OF status ON filings
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('reviewed', 'returned', 'refused', 'approved'))
    EXECUTE FUNCTION notify_filing_status();

-- A public notice opened: the filing's county.
CREATE FUNCTION notify_publicity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_notify('in_publicity', 'notice:' || NEW.id,
                      ARRAY['cr_county_' || (SELECT county_code FROM filings WHERE id = NEW.filing_id)],
                      NEW.filing_id, NULL, jsonb_build_object('filing', NEW.filing_id, 'notice', NEW.id));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_publicity() FROM PUBLIC;
CREATE TRIGGER notify_publicity AFTER INSERT ON publicity_notices
    FOR EACH ROW EXECUTE FUNCTION notify_publicity();

-- An objection recorded: the filing's county and the reviewers (who resolve it). Never the
-- objector's name: ids only.
CREATE FUNCTION notify_objection() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_notify('objected', 'objection:' || NEW.id,
                      ARRAY['cr_county_' || (SELECT county_code FROM filings WHERE id = NEW.filing_id), 'cr_reviewer'],
                      NEW.filing_id, NULL, jsonb_build_object('filing', NEW.filing_id, 'notice', NEW.notice_id, 'objection', NEW.id));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_objection() FROM PUBLIC;
CREATE TRIGGER notify_objection AFTER INSERT ON objections
    FOR EACH ROW EXECUTE FUNCTION notify_objection();

-- A register entry made: recognized. Its county.
CREATE FUNCTION notify_recognized() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_notify('recognized', 'cluster:' || NEW.id, ARRAY['cr_county_' || NEW.county_code],
                      NEW.filing_id, NEW.id, jsonb_build_object('filing', NEW.filing_id, 'cluster', NEW.id));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_recognized() FROM PUBLIC;
CREATE TRIGGER notify_recognized AFTER INSERT ON clusters
    FOR EACH ROW EXECUTE FUNCTION notify_recognized();

-- A sweep proposing a revocation: the county and the administrators (who confirm or dismiss it);
-- a revocation applied (revocation_mode 'apply'), or a proposal confirmed: the county.
CREATE FUNCTION notify_sweep_action() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    county text := 'cr_county_' || (SELECT county_code FROM clusters WHERE id = NEW.cluster_id);
BEGIN
    IF NEW.state = 'proposed' THEN
        PERFORM cr_notify('revocation_proposed', 'sweep_action:' || NEW.id, ARRAY[county, 'cr_admin'],
                          NULL, NEW.cluster_id, jsonb_build_object('cluster', NEW.cluster_id, 'sweep_action', NEW.id));
    ELSIF NEW.state IN ('applied', 'confirmed') THEN
        PERFORM cr_notify('revoked', 'sweep_action:' || NEW.id, ARRAY[county],
                          NULL, NEW.cluster_id, jsonb_build_object('cluster', NEW.cluster_id, 'sweep_action', NEW.id));
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_sweep_action() FROM PUBLIC;
CREATE TRIGGER notify_sweep_action_insert AFTER INSERT ON sweep_actions
    FOR EACH ROW WHEN (NEW.action = 'revoke' AND NEW.state IN ('proposed', 'applied'))
    EXECUTE FUNCTION notify_sweep_action();
CREATE TRIGGER notify_sweep_action_confirmed AFTER UPDATE OF state ON sweep_actions
    FOR EACH ROW WHEN (NEW.action = 'revoke' AND NEW.state = 'confirmed' AND OLD.state IS DISTINCT FROM 'confirmed')
    EXECUTE FUNCTION notify_sweep_action();

-- An expert put on a panel: that expert.
CREATE FUNCTION notify_expert_assigned() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    filing bigint := (SELECT filing_id FROM panels WHERE id = NEW.panel_id);
BEGIN
    PERFORM cr_notify('expert_assigned', 'panel:' || NEW.panel_id, ARRAY['login:' || NEW.expert],
                      filing, NULL, jsonb_build_object('filing', filing, 'panel', NEW.panel_id));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_expert_assigned() FROM PUBLIC;
CREATE TRIGGER notify_expert_assigned AFTER INSERT ON panel_members
    FOR EACH ROW EXECUTE FUNCTION notify_expert_assigned();

-- MARK: the daily kinds

-- Writes the notices due on `p_on` (NULL: today), once each however often it runs: a register
-- entry (active) expiring within 90 days (expiring_90: 31–90 days left) or 30 days (expiring_30:
-- 0–30 days left), once per entry, term end and threshold; an annual report due (1–30 March, for
-- the year before, not yet filed: annual_report_due) and missing (not filed by 30 March:
-- annual_report_missing, as the sweep's 14(3) judges it), once per entry and year. Recipient: the
-- entry's county. The sweep runner calls it in the sweep's transaction (ReviewCore `Sweep.run`).
-- Returns how many rows it wrote. An administrator's or a coordinator's; a day after today is
-- refused (CR011).
CREATE FUNCTION notify_due(p_on date DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    d date := coalesce(p_on, cr_today());
    written integer;
BEGIN
    PERFORM cr_require(ARRAY['cr_admin', 'cr_coordinator'], 'writing the notices due', '生成到期提醒');
    IF d > cr_today() THEN
        PERFORM lifecycle_fail('CR011', format('notices are written for today or a past day, not %s (today is %s)', d, cr_today()),
            format('只能为今天或以前的日期生成提醒，而不是 %s（今天为 %s）', d, cr_today()), 'Leave the day out.');
    END IF;
    WITH due AS (
        SELECT CASE WHEN c.valid_until - d <= 30 THEN 'expiring_30' ELSE 'expiring_90' END AS kind,
               format('cluster:%s/until:%s', c.id, c.valid_until) AS event, c.id AS cluster_id, c.filing_id, c.county_code,
               jsonb_build_object('cluster', c.id, 'days', c.valid_until - d) AS payload
        FROM clusters c
        WHERE c.status = 'active' AND c.valid_until >= d AND c.valid_until - d <= 90
        UNION ALL
        SELECT 'annual_report_due', format('cluster:%s/year:%s', c.id, y.year), c.id, c.filing_id, c.county_code,
               jsonb_build_object('cluster', c.id, 'year', y.year)
        FROM clusters c
        CROSS JOIN LATERAL (SELECT extract(year FROM d)::int - 1 AS year) y
        WHERE c.status = 'active'
          AND d BETWEEN make_date(y.year + 1, 3, 1) AND make_date(y.year + 1, 3, 30)
          AND extract(year FROM c.recognized_on)::int <= y.year
          AND make_date(y.year + 1, 3, 30) <= c.valid_until
          AND NOT EXISTS (SELECT FROM annual_reports ar WHERE ar.cluster_id = c.id AND ar.year = y.year)
        UNION ALL
        SELECT 'annual_report_missing', format('cluster:%s/year:%s', c.id, y.year), c.id, c.filing_id, c.county_code,
               jsonb_build_object('cluster', c.id, 'year', y.year)
        FROM clusters c
        CROSS JOIN LATERAL generate_series(extract(year FROM c.recognized_on)::int, extract(year FROM d)::int - 1) AS y(year)
        WHERE c.status <> 'revoked'
          AND make_date(y.year + 1, 3, 30) < d
          AND make_date(y.year + 1, 3, 30) <= c.valid_until
          AND NOT EXISTS (SELECT FROM annual_reports ar
                          WHERE ar.cluster_id = c.id AND ar.year = y.year AND ar.filed_on <= make_date(y.year + 1, 3, 30))
    ), written_rows AS (
        INSERT INTO notifications (kind, event, recipient_role, filing_id, cluster_id, payload)
        SELECT kind, event, 'cr_county_' || county_code, filing_id, cluster_id, payload FROM due
        ON CONFLICT (kind, event, recipient) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) INTO written FROM written_rows;
    RETURN written;
END;
$$;
REVOKE ALL ON FUNCTION notify_due(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify_due(date) TO cr_admin, cr_coordinator;
