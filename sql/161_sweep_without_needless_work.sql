-- Toward issue 16's target "the first sweep over 100,000 register entries under 2 s" (item 2), after
-- sql/160 (docs/benchmarks.md, "The first sweep per statement"). Measured on the bench's register
-- under auto_explain (log_analyze, log_triggers, log_nested_statements), three costs had nothing to
-- do with the rows a first sweep must write:
-- * notify_due(): its one statement is estimated at 11 million rows (the annual reports missing,
--   one candidate per entry and year before the anti-join), so PostgreSQL JIT-compiled it: 0.31 s
--   of inlining, optimization and emission for 18,022 rows, in every sweep, the first or not.
--   Restated whole with SET jit = off, as sweep_record() has been since sql/051.
-- * clusters_refuse_second_entry, the BEFORE row trigger behind CR009 (sql/051), fired for each of
--   the 13,983 entries whose status only went from active to expired (0.23 s): an UPDATE naming
--   status re-checked the one-live-entry rule for a row that stays live under the same county and
--   name, which cannot break it (the partial unique index clusters_one_live_entry already holds it,
--   and the trigger only words its refusal). The trigger is now two: on INSERT as before; on UPDATE
--   only when the row becomes live again (from revoked) or, live, changes county or name. The
--   function itself is unchanged.
-- * sweep_record(), restated whole from sql/160: ground 14(5) joined the 16,109 veto-grade
--   incidents to all 500,000 memberships built first (a hash join, 0.43 s); it now looks up each
--   incident's memberships by enterprise code (cluster_enterprises_code_idx,
--   enterprise_changes_code_idx). Its rows are inserted in a stated order — memberships from
--   recognition before those joined by a report, each in the order they are stored (ctid), then
--   by incident — the order the hash join produced (it scanned the memberships as stored), so
--   the actions get the same ids as before (the INSERT had no ORDER BY: its order was the plan's).
-- And one cost of every notice written (56,676 in a first sweep: the revocations' two each and the
-- day's reminders): two of the outbox's four indexes had no reader. notifications_recipient_idx
-- (recipient, id DESC) is not what the readers filter on — Inbox's list and count, the web door's
-- page, filter by the row-level security policy (recipient_login = cr_person() OR
-- pg_has_role(cr_person(), recipient_role, 'USAGE')) and walk the primary key backwards — and
-- notifications_undelivered_idx serves a delivery worker that does not exist yet
-- (docs/notifications.md: the worker's migration adds it with the worker). Both are dropped; the
-- primary key and UNIQUE (kind, event, recipient) — every writer's ON CONFLICT — stay.
-- Nothing else changes: the same actions, notices, audit rows and register entries, ids included.

-- MARK: the outbox's indexes without a reader

DROP INDEX notifications_recipient_idx;
DROP INDEX notifications_undelivered_idx;

-- MARK: the day's notices, without JIT

-- Writes the notices due on `p_on` (NULL: today), once each however often it runs: a register
-- entry (active) expiring within 90 days (expiring_90: 31–90 days left) or 30 days (expiring_30:
-- 0–30 days left), once per entry, term end and threshold; an annual report due (1–30 March, for
-- the year before, not yet filed: annual_report_due) and missing (not filed by 30 March:
-- annual_report_missing, as the sweep's 14(3) judges it), once per entry and year. Recipient: the
-- entry's county. The sweep runner calls it in the sweep's transaction (ReviewCore `Sweep.run`).
-- Returns how many rows it wrote. An administrator's or a coordinator's; a day after today is
-- refused (CR011). Without JIT compilation (since sql/161; see the head of that file).
-- (sql/122_notifications.sql)
CREATE OR REPLACE FUNCTION notify_due(p_on date DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET jit = off AS $$
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

-- MARK: the one-entry rule, checked when it can break

DROP TRIGGER clusters_refuse_second_entry ON clusters;
CREATE TRIGGER clusters_refuse_second_entry BEFORE INSERT ON clusters
    FOR EACH ROW WHEN (NEW.status <> 'revoked') EXECUTE FUNCTION clusters_refuse_second_entry();
CREATE TRIGGER clusters_refuse_second_entry_update BEFORE UPDATE OF county_code, name, status ON clusters
    FOR EACH ROW WHEN (NEW.status <> 'revoked'
                       AND (OLD.status = 'revoked' OR OLD.county_code IS DISTINCT FROM NEW.county_code
                            OR OLD.name IS DISTINCT FROM NEW.name))
    EXECUTE FUNCTION clusters_refuse_second_entry();

-- MARK: the sweep's work

-- As sql/160, with 14(5)'s memberships looked up per incident (see the head of this file).
-- (sql/160_sweep_triggers_per_statement.sql)
CREATE OR REPLACE FUNCTION sweep_record(d date, p_slot text)
RETURNS SETOF sweep_actions
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp SET jit = off AS $$
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

    -- Public notices whose last day is before D with no objection pending or upheld: recognized, as
    -- close_publicity does, dated D — once per notice (the notice is closed in the same statement;
    -- the action's subject is the notice). A notice a reviewer is closing right now is skipped.
    WITH due AS (
        SELECT n.id AS notice_id, f.id AS filing_id, f.county_code, f.cluster_name, f.payload
        FROM publicity_notices n
        JOIN filings f ON f.id = n.filing_id
        WHERE n.state = 'open' AND n.ends_on < d
          AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.notice_id = n.id AND o.state IN ('pending', 'upheld'))
          AND NOT EXISTS (SELECT 1 FROM clusters c
                          WHERE c.county_code = f.county_code AND c.name = f.cluster_name AND c.status <> 'revoked')
        ORDER BY n.id
        FOR UPDATE OF n SKIP LOCKED
    ), entered AS (
        INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until, plan,
                              leading_industry, spatial_extent, county_codes, area_km2, management_body)
        SELECT format('HN-ZXJQ-%s-%s', extract(year FROM d), lpad(nextval('certificate_numbers')::text, 4, '0')),
               due.filing_id, due.county_code, due.cluster_name, d, (d + make_interval(years => s.validity_years))::date,
               coalesce(due.payload #> '{governance,plan}', '{}'),
               coalesce(rf.leading_industry, ''), rf.spatial_extent, rf.county_codes, rf.area_km2, rf.management_body
        FROM due CROSS JOIN LATERAL register_fields(due.payload) AS rf
        RETURNING id, filing_id
    ), closed AS (
        UPDATE publicity_notices n SET state = 'recognized', closed_on = d, closed_by = cr_person()
        FROM due WHERE n.id = due.notice_id
        RETURNING n.id
    ), enterprises AS (
        INSERT INTO cluster_enterprises (cluster_id, enterprise_code)
        SELECT e.id, x ->> 'code'
        FROM entered e
        JOIN due ON due.filing_id = e.filing_id
        CROSS JOIN LATERAL jsonb_array_elements(coalesce(due.payload -> 'enterprises', '[]')) AS x
        WHERE x ->> 'code' IS NOT NULL
        ON CONFLICT DO NOTHING
    ), marked AS (
        UPDATE filings f SET status = 'recognized', cluster_id = e.id FROM entered e WHERE f.id = e.filing_id
    )
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, e.id, 'recognize', '', 'notice:' || due.notice_id,
           jsonb_build_object('notice_id', due.notice_id, 'filing_id', e.filing_id,
                              'reason', format('public notice %s of filing %s ended without objection: recognized',
                                               due.notice_id, e.filing_id)),
           'applied', d
    FROM entered e JOIN due ON due.filing_id = e.filing_id
    ON CONFLICT DO NOTHING;

    -- Expiring within expiry_notice_days: a notice.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'expiry_notice', '', 'valid_until:' || c.valid_until,
           jsonb_build_object('valid_until', c.valid_until, 'days_left', c.valid_until - d,
                              'reason', format('recognition expires on %s', c.valid_until)),
           'notice', d
    FROM clusters c
    WHERE c.status = 'active' AND c.valid_until >= d AND c.valid_until <= d + s.expiry_notice_days
    ON CONFLICT DO NOTHING;

    -- Past its validity: expired (applied at once; not a revocation by itself). Within the recheck
    -- window after it the cluster is "expired, recheck pending".
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'expire', '', 'valid_until:' || c.valid_until,
           jsonb_build_object('valid_until', c.valid_until, 'recheck_until', c.valid_until + s.recheck_window_days,
                              'reason', format('validity ended on %s; recheck pending until %s',
                                               c.valid_until, c.valid_until + s.recheck_window_days)),
           'applied', d
    FROM clusters c
    WHERE c.status = 'active' AND c.valid_until < d
    ON CONFLICT DO NOTHING;
    UPDATE clusters SET status = 'expired', updated_at = now() WHERE status = 'active' AND valid_until < d;

    -- 14(1): the current term ended and its recheck window is over, with no recertification filing
    -- for this term (filed while it ran or within the window; decided for this term if decided).
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(1)', 'expired:' || t.ends_on,
           jsonb_build_object('term_no', t.term_no, 'term_starts_on', t.starts_on, 'valid_until', t.ends_on,
                              'recheck_until', t.ends_on + s.recheck_window_days,
                              'reason', format('term %s expired on %s and no recertification was filed for it by %s',
                                               t.term_no, t.ends_on, t.ends_on + s.recheck_window_days)),
           revoke_state, d
    FROM clusters c
    JOIN cluster_current_terms t ON t.cluster_id = c.id
    WHERE c.status <> 'revoked' AND t.ends_on + s.recheck_window_days < d
      AND NOT EXISTS (SELECT 1 FROM filings f
                      WHERE f.cluster_id = c.id AND f.kind = 'recertification'
                        AND f.filed_on BETWEEN t.starts_on AND t.ends_on + s.recheck_window_days
                        AND f.id <> t.filing_id
                        AND NOT EXISTS (SELECT 1 FROM recertifications r
                                        WHERE r.filing_id = f.id AND r.old_valid_until <> t.ends_on))
    ON CONFLICT DO NOTHING;

    -- 14(1): recertification refused for the current term, none approved.
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

    -- 14(4): an annual report states a register field changed — the leading industry, the spatial
    -- extent, the management body (by name) — with no change report on it by then (one not
    -- rejected; a change of management body counts only when it names the body the annual report
    -- states). Once per annual report and field.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(4)', 'annual-report-filing:' || ar.filing_id || ':' || field,
           jsonb_build_object('filing_id', ar.filing_id, 'field', field, 'register', to_jsonb(c) -> field,
                              'reported', ar.stated -> field,
                              'reason', CASE field
                                  WHEN 'management_body' THEN
                                      format('management body changed from %s to %s (annual report %s) without a change report',
                                             c.management_body, ar.stated ->> field, ar.filing_id)
                                  ELSE format('%s changed (annual report %s) without a change report', field, ar.filing_id) END),
           revoke_state, d
    FROM annual_reports ar
    JOIN clusters c ON c.id = ar.cluster_id
    CROSS JOIN LATERAL unnest(ar.changed_fields) AS field
    WHERE c.status <> 'revoked' AND ar.filed_on <= d
      AND NOT EXISTS (SELECT 1 FROM change_reports cr
                      WHERE cr.cluster_id = c.id AND cr.state <> 'rejected' AND field = ANY (cr.subjects)
                        AND cr.filed_on <= ar.filed_on
                        AND (field <> 'management_body'
                             OR EXISTS (SELECT 1 FROM jsonb_array_elements(cr.changes) ch
                                        WHERE ch ->> 'subject' = 'management_body' AND ch ->> 'after' = ar.stated ->> field)))
    ON CONFLICT DO NOTHING;

    -- 14(5): an incident of veto grade at an enterprise of the cluster while it belonged to it: the
    -- recognition filing's enterprises from recognition, those joining through an annual or change
    -- report from the day they joined, each until the day a report says it left (cluster_members).
    -- (Since sql/161 the memberships are looked up per incident, by enterprise code — not built for
    -- the whole register first —, and the rows are inserted in the order the join before produced
    -- them: memberships from recognition before those joined by a report, each in the order they are
    -- stored, then by incident.)
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(5)', 'incident:' || i.id,
           jsonb_build_object('incident_id', i.id, 'enterprise_code', i.enterprise_code, 'occurred_on', i.occurred_on,
                              'category', i.category, 'grade', i.grade, 'source', i.source,
                              'member_from', m.member_from, 'joined_by_filing', m.filing_id,
                              'reason', format('%s incident%s at %s on %s', i.category, coalesce(' (' || i.grade || ')', ''),
                                               i.enterprise_code, i.occurred_on)),
           revoke_state, d
    FROM incidents i
    CROSS JOIN LATERAL (SELECT 1 AS branch, ce.ctid AS stored_at, ce.cluster_id, ce.enterprise_code, NULL::date AS joined_on,
                               NULL::bigint AS filing_id
                        FROM cluster_enterprises ce
                        WHERE ce.enterprise_code = i.enterprise_code
                        UNION ALL
                        SELECT 2, ec.ctid, ec.cluster_id, ec.enterprise_code, ec.effective, ec.filing_id
                        FROM enterprise_changes ec
                        WHERE ec.change = 'joined' AND ec.enterprise_code = i.enterprise_code) j
    JOIN clusters c ON c.id = j.cluster_id
    -- A recognition filing's enterprise is a member from recognition; one joining by a report from that day.
    CROSS JOIN LATERAL (SELECT j.branch, j.stored_at, j.cluster_id, j.enterprise_code, j.filing_id,
                               CASE j.branch WHEN 1 THEN c.recognized_on ELSE j.joined_on END AS member_from) m
    CROSS JOIN LATERAL (SELECT min(l.effective) AS member_until FROM enterprise_changes l
                        WHERE l.cluster_id = m.cluster_id AND l.enterprise_code = m.enterprise_code AND l.change = 'left'
                          AND l.effective >= m.member_from) u
    WHERE i.veto AND c.status <> 'revoked' AND i.occurred_on >= c.recognized_on AND i.occurred_on <= d
      AND i.occurred_on >= m.member_from AND (u.member_until IS NULL OR i.occurred_on <= u.member_until)
    ORDER BY m.branch, m.stored_at, i.id
    ON CONFLICT DO NOTHING;

    -- 14(3): a refusal of monitoring (拒不配合监测) a reviewer recorded, once per refusal.
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(3)', 'monitoring-refusal:' || mr.id,
           jsonb_build_object('refusal_id', mr.id, 'refused_on', mr.refused_on, 'recorded_by', mr.recorded_by,
                              'reason', format('refused monitoring on %s: %s', mr.refused_on, mr.note)),
           revoke_state, d
    FROM monitoring_refusals mr
    JOIN clusters c ON c.id = mr.cluster_id
    WHERE c.status <> 'revoked' AND mr.refused_on <= d
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
