-- The sweep (issue 14, items 3, 4 and 5): dated by the clock, excluded by a lock no login can
-- take, run daily by the coordinator's own role.
--
-- * Dates: a sweep records as of today. A future day is only a preview (preview_sweep, nothing
--   kept); a past day is a backfill, an administrator's with a reason the audit log records. The
--   coordinator runs the daily slot that is due, `daily:D` for today or yesterday, and nothing else.
-- * Exclusion: a sweep holds the one row of `sweep_lock` (UPDATE) for its transaction. No role is
--   granted anything on that table, so no login can lock it (SELECT … FOR UPDATE and LOCK TABLE
--   both need a privilege); a second sweep waits for the first at most sweep_wait_seconds
--   (config/lifecycle.json, default 60), then stops with CR012 "another sweep is running". The
--   advisory lock of 005 is no longer taken, so a login holding it blocks nothing.
-- * The coordinator: EXECUTE on run_sweep, and nothing on the tables. The writer triggers of the
--   register and the sweep tables let it through only inside a sweep: when its own transaction
--   holds the sweep lock, which only run_sweep takes.
--
--   CR012  another sweep is running

-- MARK: the lock

CREATE TABLE sweep_lock (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- The transaction holding it (the sweep's own), the person, the slot and when it started; a
    -- committed sweep leaves its values behind.
    xact       xid8,
    person     text,
    slot       text,
    started_at timestamptz
);
INSERT INTO sweep_lock DEFAULT VALUES;
ALTER TABLE sweep_lock ENABLE ROW LEVEL SECURITY;
ALTER TABLE sweep_lock FORCE ROW LEVEL SECURITY;
CREATE POLICY sweep_lock_owner ON sweep_lock TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON sweep_lock FROM PUBLIC;

-- How long a sweep waits for another to finish before it stops (config/lifecycle.json).
ALTER TABLE lifecycle_settings
    ADD COLUMN sweep_wait_seconds integer NOT NULL DEFAULT 60 CHECK (sweep_wait_seconds BETWEEN 1 AND 3600);

-- Takes the sweep lock for this transaction, waiting at most lifecycle_settings.sweep_wait_seconds;
-- raises CR012 when another sweep still holds it then. Called by run_sweep and preview_sweep only.
CREATE FUNCTION sweep_take_lock(p_slot text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    wait integer := coalesce((SELECT sweep_wait_seconds FROM lifecycle_settings), 60);
    previous text := current_setting('lock_timeout');
BEGIN
    PERFORM set_config('lock_timeout', wait || 's', true);
    UPDATE sweep_lock SET xact = pg_current_xact_id(), person = cr_person(), slot = p_slot, started_at = clock_timestamp();
    PERFORM set_config('lock_timeout', previous, true);
EXCEPTION WHEN lock_not_available THEN
    PERFORM lifecycle_fail('CR012',
        format('another sweep is running; %s did not start within %s s', p_slot, wait),
        format('另一次巡查正在运行，%s 未能在 %s 秒内开始', p_slot, wait),
        'Run it again when the other sweep has finished; each action is recorded once either way.');
END;
$$;
REVOKE ALL ON FUNCTION sweep_take_lock(text) FROM PUBLIC;

-- Whether this transaction holds the sweep lock (it is inside a sweep). The writer triggers ask it.
CREATE FUNCTION cr_in_sweep() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT FROM sweep_lock WHERE xact = pg_current_xact_id_if_assigned())
$$;
REVOKE ALL ON FUNCTION cr_in_sweep() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_in_sweep() TO cr_coordinator;

-- MARK: the writer check

-- Refuses a write to a lifecycle table unless the person holds one of the trigger's roles (42501).
-- An argument `cr_coordinator:sweep` lets the coordinator through inside a sweep only.
CREATE OR REPLACE FUNCTION cr_check_writer() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- Nested: cr_in_sweep() is the coordinator's to execute, and is only asked for the coordinator.
    IF 'cr_coordinator:sweep' = ANY (TG_ARGV) AND cr_session_has('cr_coordinator') THEN
        IF cr_in_sweep() THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM cr_require(ARRAY(SELECT g FROM unnest(TG_ARGV::text[]) AS g WHERE g NOT LIKE '%:%'),
                       format('%s on %s', TG_OP, TG_TABLE_NAME), format('%s（%s）', TG_TABLE_NAME, TG_OP));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION cr_check_writer() FROM PUBLIC;

DROP TRIGGER clusters_writer_role ON clusters;
CREATE TRIGGER clusters_writer_role BEFORE INSERT OR UPDATE OR DELETE ON clusters
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin', 'cr_coordinator:sweep');
DROP TRIGGER sweeps_writer_role ON sweeps;
CREATE TRIGGER sweeps_writer_role BEFORE INSERT OR UPDATE OR DELETE ON sweeps
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin', 'cr_coordinator:sweep');
DROP TRIGGER sweep_actions_writer_role ON sweep_actions;
CREATE TRIGGER sweep_actions_writer_role BEFORE INSERT OR UPDATE OR DELETE ON sweep_actions
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin', 'cr_coordinator:sweep');

-- MARK: the work

-- The sweep's work for day `d` under `p_slot`: upserts the slot's `sweeps` row, then one
-- INSERT … SELECT … ON CONFLICT DO NOTHING per ground (each action once), expiries applied,
-- revocations proposed or applied as lifecycle_settings.revocation_mode says. Returns the actions
-- this run added. The caller checks who may run it for which day and holds the sweep lock.
CREATE FUNCTION sweep_record(d date, p_slot text)
RETURNS SETOF sweep_actions
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    s lifecycle_settings;
    sid bigint;
    run integer;
    revoke_state text;
BEGIN
    SELECT * INTO s FROM lifecycle_settings;
    revoke_state := CASE s.revocation_mode WHEN 'apply' THEN 'applied' ELSE 'proposed' END;
    INSERT INTO sweeps (slot, as_of) VALUES (p_slot, d)
    ON CONFLICT (slot) DO UPDATE SET runs = sweeps.runs + 1, last_run_at = now(), last_run_by = cr_person()
    RETURNING id, runs INTO sid, run;

    -- Expiring within expiry_notice_days: a notice.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'expiry_notice', '', 'valid_until:' || c.valid_until,
           jsonb_build_object('valid_until', c.valid_until, 'days_left', c.valid_until - d,
                              'reason', format('recognition expires on %s', c.valid_until)),
           'notice', d
    FROM clusters c
    WHERE c.status = 'active' AND c.valid_until >= d AND c.valid_until <= d + s.expiry_notice_days
    ON CONFLICT DO NOTHING;

    -- Past its validity: expired (applied at once; not a revocation by itself).
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'expire', '', 'valid_until:' || c.valid_until,
           jsonb_build_object('valid_until', c.valid_until, 'reason', format('validity ended on %s', c.valid_until)),
           'applied', d
    FROM clusters c
    WHERE c.status = 'active' AND c.valid_until < d
    ON CONFLICT DO NOTHING;
    UPDATE clusters SET status = 'expired', updated_at = now() WHERE status = 'active' AND valid_until < d;

    -- 14(1): expired without a recertification filing made by the expiry date.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(1)', 'expired:' || c.valid_until,
           jsonb_build_object('valid_until', c.valid_until,
                              'reason', format('expired on %s without a recertification filing', c.valid_until)),
           revoke_state, d
    FROM clusters c
    WHERE c.status <> 'revoked' AND c.valid_until < d
      AND NOT EXISTS (SELECT 1 FROM filings f
                      WHERE f.cluster_id = c.id AND f.kind = 'recertification' AND f.filed_on <= c.valid_until)
    ON CONFLICT DO NOTHING;

    -- 14(1): recertification refused for the current validity period.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(1)', 'recertification:' || r.filing_id,
           jsonb_build_object('filing_id', r.filing_id, 'decision_id', r.decision_id, 'decided_on', r.decided_on,
                              'reason', format('recertification filing %s refused on %s', r.filing_id, r.decided_on)),
           revoke_state, d
    FROM recertifications r
    JOIN clusters c ON c.id = r.cluster_id
    WHERE r.outcome = 'refused' AND c.status <> 'revoked' AND r.old_valid_until = c.valid_until AND r.decided_on <= d
      AND NOT EXISTS (SELECT 1 FROM recertifications a
                      WHERE a.cluster_id = c.id AND a.outcome = 'approved' AND a.old_valid_until = c.valid_until)
    ON CONFLICT DO NOTHING;

    -- 14(3): the annual report of a year not filed by 30 March of the next year.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(3)', 'annual-report:' || y.year,
           jsonb_build_object('year', y.year, 'due', make_date(y.year + 1, 3, 30),
                              'filed_late_on', (SELECT min(ar.filed_on) FROM annual_reports ar
                                                WHERE ar.cluster_id = c.id AND ar.year = y.year AND ar.filed_on <= d),
                              'reason', format('annual report for %s not filed by %s', y.year, make_date(y.year + 1, 3, 30))),
           revoke_state, d
    FROM clusters c
    CROSS JOIN LATERAL generate_series(extract(year FROM c.recognized_on)::int, extract(year FROM d)::int - 1) AS y(year)
    WHERE c.status <> 'revoked'
      AND make_date(y.year + 1, 3, 30) < d
      AND make_date(y.year + 1, 3, 30) <= c.valid_until
      AND NOT EXISTS (SELECT 1 FROM annual_reports ar
                      WHERE ar.cluster_id = c.id AND ar.year = y.year AND ar.filed_on <= make_date(y.year + 1, 3, 30))
    ON CONFLICT DO NOTHING;

    -- 14(4): an annual report states a register field changed, with no change report by then.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(4)', 'annual-report-filing:' || ar.filing_id || ':' || field,
           jsonb_build_object('filing_id', ar.filing_id, 'field', field, 'register', to_jsonb(c) -> field,
                              'reported', ar.stated -> field,
                              'reason', format('%s changed (annual report %s) without a change report', field, ar.filing_id)),
           revoke_state, d
    FROM annual_reports ar
    JOIN clusters c ON c.id = ar.cluster_id
    CROSS JOIN LATERAL unnest(ar.changed_fields) AS field
    WHERE c.status <> 'revoked' AND ar.filed_on <= d
      AND NOT EXISTS (SELECT 1 FROM change_reports cr
                      WHERE cr.cluster_id = c.id AND cr.state <> 'rejected' AND field = ANY (cr.subjects)
                        AND cr.filed_on <= ar.filed_on)
    ON CONFLICT DO NOTHING;

    -- 14(5): an incident of veto grade at an enterprise of the cluster since its recognition.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(5)', 'incident:' || i.id,
           jsonb_build_object('incident_id', i.id, 'enterprise_code', i.enterprise_code, 'occurred_on', i.occurred_on,
                              'category', i.category, 'grade', i.grade, 'source', i.source,
                              'reason', format('%s incident%s at %s on %s', i.category, coalesce(' (' || i.grade || ')', ''),
                                               i.enterprise_code, i.occurred_on)),
           revoke_state, d
    FROM incidents i
    JOIN cluster_enterprises ce ON ce.enterprise_code = i.enterprise_code
    JOIN clusters c ON c.id = ce.cluster_id
    WHERE i.veto AND c.status <> 'revoked' AND i.occurred_on >= c.recognized_on AND i.occurred_on <= d
    ON CONFLICT DO NOTHING;

    -- 14(2): a false filing or an illegal act flagged by a reviewer.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(2)', 'flag:' || ff.id,
           jsonb_build_object('flag_id', ff.id, 'filing_id', ff.filing_id, 'flagged_on', ff.flagged_on,
                              'reason', format('false filing: %s', ff.note)),
           revoke_state, d
    FROM false_filing_flags ff
    JOIN clusters c ON c.id = ff.cluster_id
    WHERE c.status <> 'revoked' AND ff.flagged_on <= d
    ON CONFLICT DO NOTHING;

    -- Applied revocations take effect now, on the first ground found for each cluster.
    IF revoke_state = 'applied' THEN
        UPDATE clusters c
        SET status = 'revoked', revoked_on = d, revocation_ground = a.ground, grounds = a.evidence ->> 'reason',
            updated_at = now()
        FROM (SELECT DISTINCT ON (cluster_id) cluster_id, ground, evidence
              FROM sweep_actions
              WHERE sweep_id = sid AND run_no = run AND action = 'revoke'
              ORDER BY cluster_id, ground, id) a
        WHERE c.id = a.cluster_id AND c.status <> 'revoked';
    END IF;

    RETURN QUERY SELECT * FROM sweep_actions WHERE sweep_id = sid AND run_no = run ORDER BY id;
END;
$$;
REVOKE ALL ON FUNCTION sweep_record(date, text) FROM PUBLIC;

-- MARK: running it

DROP FUNCTION run_sweep(date, text);

-- Runs and records the sweep as of `p_as_of` (NULL: today, cr_today()) under the slot `p_slot`
-- (NULL: `as-of:DAY`; a `daily:` slot must name its own day). Returns the actions this run added
-- (none when an earlier run already found them).
--   * an administrator: today; a past day with a reason (a backfill, recorded in the audit log);
--   * the coordinator: only the daily slot due, `daily:D` with D today or yesterday (42501 else);
--   * a future day: refused for everyone (CR011) — preview_sweep shows it and keeps nothing.
-- Waits at most sweep_wait_seconds for another sweep (CR012 after that).
CREATE FUNCTION run_sweep(p_as_of date DEFAULT NULL, p_slot text DEFAULT NULL, p_reason text DEFAULT NULL)
RETURNS SETOF sweep_actions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    today date := cr_today();
    d date := coalesce(p_as_of, cr_today());
    v_slot text := coalesce(p_slot, 'as-of:' || coalesce(p_as_of, cr_today()));
    daily_due boolean;
BEGIN
    PERFORM cr_require(ARRAY['cr_admin', 'cr_coordinator'], 'running a sweep', '运行巡查');
    IF v_slot LIKE 'daily:%' AND v_slot <> 'daily:' || d THEN
        PERFORM lifecycle_fail('CR008', format('the slot %s must sweep as of its own day, not %s', v_slot, d),
            format('时段 %s 只能以其自身日期为基准日，不能是 %s', v_slot, d), 'Give --slot daily:DATE with the --as-of DATE, or leave out --slot.');
    END IF;
    IF d > today THEN
        PERFORM lifecycle_fail('CR011',
            format('a sweep as of %s is after today, %s (Asia/Shanghai): it is only a preview, and nothing is recorded', d, today),
            format('基准日 %s 晚于今天（北京时间 %s）：只能试运行，不予记录', d, today),
            'Add --dry-run to see what it would find.');
    END IF;
    daily_due := v_slot = 'daily:' || d AND d >= today - 1;
    IF NOT daily_due AND NOT cr_session_has('cr_admin') THEN
        PERFORM cr_require(ARRAY['cr_admin'],
            format('running the sweep %s (the coordinator runs only the daily slot due: daily:%s or daily:%s)', v_slot, today - 1, today),
            format('运行巡查 %s（协调服务只运行到期的每日巡查：daily:%s 或 daily:%s）', v_slot, today - 1, today));
    END IF;
    IF d < today AND NOT daily_due THEN
        d := cr_stated_day(d, p_reason, format('the sweep (slot %s)', v_slot), format('巡查（时段 %s）', v_slot), NULL, NULL, NULL);
    END IF;
    PERFORM sweep_take_lock(v_slot);
    RETURN QUERY SELECT * FROM sweep_record(d, v_slot);
END;
$$;
REVOKE ALL ON FUNCTION run_sweep(date, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION run_sweep(date, text, text) TO cr_admin, cr_coordinator;

-- What the sweep would find as of `p_as_of` (NULL: today) under `p_slot` (NULL: `as-of:DAY`), any
-- day, future ones included: the sweep runs in a subtransaction that is always rolled back, so
-- nothing is kept whatever the client does. An administrator's. Returns the actions it would add.
CREATE FUNCTION preview_sweep(p_as_of date DEFAULT NULL, p_slot text DEFAULT NULL)
RETURNS SETOF sweep_actions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    d date := coalesce(p_as_of, cr_today());
    found sweep_actions[];
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'previewing a sweep', '试运行巡查');
    BEGIN
        PERFORM sweep_take_lock(coalesce(p_slot, 'as-of:' || d));
        SELECT array_agg(a ORDER BY a.id) INTO found FROM sweep_record(d, coalesce(p_slot, 'as-of:' || d)) AS a;
        RAISE EXCEPTION USING ERRCODE = 'CR099', MESSAGE = 'preview: roll back';
    EXCEPTION WHEN SQLSTATE 'CR099' THEN
        NULL;  -- everything the preview wrote is gone; `found` keeps what it saw
    END;
    RETURN QUERY SELECT * FROM unnest(coalesce(found, '{}'));
END;
$$;
REVOKE ALL ON FUNCTION preview_sweep(date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION preview_sweep(date, text) TO cr_admin;
