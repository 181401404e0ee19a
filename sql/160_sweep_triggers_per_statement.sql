-- Toward issue 16's target "the first sweep over 100,000 register entries under 2 s" (item 2).
-- The sweep's own statements are set-based (one INSERT … SELECT per ground, sql/022), but every
-- row they wrote fired row triggers, each a PL/pgSQL call that ran its own INSERT: an audit row per sweep action
-- and per expired entry (audit_row, sql/006/094), the notices of each revocation proposed
-- (notify_sweep_action → cr_notify, sql/122) and a pg_notify per notice (notifications_wake). On
-- 100,000 entries the first sweep spent 8.4 s of its 20 s in the 55,665 single-row audit inserts
-- and 5.8 s in the 19,327 cr_notify calls (docs/benchmarks.md, "Lifecycle sweep").
--
-- Here the same rows are written once per statement, from the statement's transition tables:
-- * audit_rows(): the audit rows of a whole INSERT, UPDATE or DELETE in one INSERT … SELECT, the
--   same images as audit_row() (key column, left-out columns; an UPDATE that changes nothing is
--   not logged), in the statement's row order. It replaces audit_row() for the INSERTs of
--   sweep_actions and the UPDATEs of clusters — the writes a sweep makes in bulk. The other
--   events of those tables, and every other table, keep audit_row().
-- * notify_sweep_actions(): the notices of the revocations a statement inserted into
--   sweep_actions (proposed: the county and the administrators; applied: the county), in one
--   INSERT, as notify_sweep_action() wrote them row by row (same kinds, events, recipients,
--   payloads, in the same order). notify_sweep_action() stays for a proposal confirmed (UPDATE).
-- * notifications_wake(): one pg_notify per channel a statement's notices name, in the order the
--   channels first occur. PostgreSQL delivers a channel's identical (empty) notification once per
--   transaction anyway, so listeners are woken exactly as before.
-- * sweep_record(), restated whole from sql/100: ground 14(5) reads the memberships of
--   cluster_members inline, so the day a member left is looked up only for the memberships an
--   incident names (8,648 on the bench), not for all 500,000 before the join (0.9 s of the 20 s).
--   The same actions with the same evidence; within that one INSERT the order of the rows, hence
--   which of its actions gets which id, follows the new plan (it had no ORDER BY before either).
-- Nothing else changes: the rows written, the sweep lock, the dry run, idempotence.

-- MARK: the audit, per statement

-- Appends the audit rows of one statement. A statement trigger with transition tables named
-- audit_new (INSERT, UPDATE) and audit_old (UPDATE, DELETE). Trigger arguments as audit_row():
-- the key column, then columns left out of the before/after images. An UPDATE's old and new rows
-- are paired by their position (PostgreSQL stores both transition tables in the same order).
CREATE FUNCTION audit_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    key_column text := TG_ARGV[0];
    left_out text[] := TG_ARGV[1:];
    person text := cr_person();
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE 'INSERT INTO audit_log (table_name, row_key, operation, before, after, who)
                 SELECT $1, n.image ->> $2, ''INSERT'', NULL, n.image, $4
                 FROM (SELECT row_number() OVER () AS position, to_jsonb(t) - $3 AS image FROM audit_new t) n
                 ORDER BY n.position'
        USING TG_TABLE_NAME, key_column, left_out, person;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE 'INSERT INTO audit_log (table_name, row_key, operation, before, after, who)
                 SELECT $1, coalesce(n.image ->> $2, o.image ->> $2), ''UPDATE'', o.image, n.image, $4
                 FROM (SELECT row_number() OVER () AS position, to_jsonb(t) - $3 AS image FROM audit_old t) o
                 JOIN (SELECT row_number() OVER () AS position, to_jsonb(t) - $3 AS image FROM audit_new t) n
                   ON n.position = o.position
                 WHERE o.image <> n.image
                 ORDER BY n.position'
        USING TG_TABLE_NAME, key_column, left_out, person;
    ELSE
        EXECUTE 'INSERT INTO audit_log (table_name, row_key, operation, before, after, who)
                 SELECT $1, o.image ->> $2, ''DELETE'', o.image, NULL, $4
                 FROM (SELECT row_number() OVER () AS position, to_jsonb(t) - $3 AS image FROM audit_old t) o
                 ORDER BY o.position'
        USING TG_TABLE_NAME, key_column, left_out, person;
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION audit_rows() FROM PUBLIC;

CREATE OR REPLACE TRIGGER audit_sweep_actions AFTER UPDATE OR DELETE ON sweep_actions
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_sweep_actions_insert AFTER INSERT ON sweep_actions
    REFERENCING NEW TABLE AS audit_new
    FOR EACH STATEMENT EXECUTE FUNCTION audit_rows('id');

CREATE OR REPLACE TRIGGER audit_clusters AFTER INSERT OR DELETE ON clusters
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'plan');
CREATE TRIGGER audit_clusters_update AFTER UPDATE ON clusters
    REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new
    FOR EACH STATEMENT EXECUTE FUNCTION audit_rows('id', 'plan');

-- MARK: the notices of a sweep, per statement

-- The notices of the revocations one INSERT into sweep_actions made: proposed, to the entry's
-- county and the administrators (revocation_proposed); applied (revocation_mode 'apply'), to the
-- county (revoked). Each once per (kind, event, recipient), as cr_notify() writes them. A
-- statement trigger (transition table new_actions): executable by nobody.
CREATE FUNCTION notify_sweep_actions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO notifications (kind, event, recipient_role, recipient_login, filing_id, cluster_id, payload)
    SELECT CASE a.state WHEN 'proposed' THEN 'revocation_proposed' ELSE 'revoked' END, 'sweep_action:' || a.id,
           r.recipient, NULL, NULL, a.cluster_id,
           jsonb_strip_nulls(jsonb_build_object('cluster', a.cluster_id, 'sweep_action', a.id))
    FROM (SELECT row_number() OVER () AS position, n.* FROM new_actions n) a
    CROSS JOIN LATERAL unnest(CASE a.state
                                  WHEN 'proposed' THEN ARRAY['cr_county_' || (SELECT county_code FROM clusters WHERE id = a.cluster_id), 'cr_admin']
                                  ELSE ARRAY['cr_county_' || (SELECT county_code FROM clusters WHERE id = a.cluster_id)] END)
                       WITH ORDINALITY AS r(recipient, place)
    WHERE a.action = 'revoke' AND a.state IN ('proposed', 'applied') AND r.recipient IS NOT NULL
    ORDER BY a.position, r.place
    ON CONFLICT (kind, event, recipient) DO NOTHING;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_sweep_actions() FROM PUBLIC;

DROP TRIGGER notify_sweep_action_insert ON sweep_actions;
CREATE TRIGGER notify_sweep_action_insert AFTER INSERT ON sweep_actions
    REFERENCING NEW TABLE AS new_actions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sweep_actions();

-- MARK: the wake-up, per statement

-- Wakes the channels of the notices one statement inserted, each once, with nothing in the
-- payload, in the order they first occur. A statement trigger (transition table new_notices; as
-- the owner: pg_notify is the owner's alone, sql/024): executable by nobody.
-- (sql/122_notifications.sql)
CREATE OR REPLACE FUNCTION notifications_wake() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM pg_notify(w.channel, '')
    FROM (SELECT n.channel, min(n.position) AS first
          FROM (SELECT row_number() OVER () AS position, channel FROM new_notices) n
          GROUP BY n.channel) w
    ORDER BY w.first;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notifications_wake() FROM PUBLIC;

DROP TRIGGER notifications_wake ON notifications;
CREATE TRIGGER notifications_wake AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_notices
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_wake();

-- MARK: the sweep's work

-- As sql/100, with 14(5) over the memberships inline (see the head of this file).
-- (sql/100_monitoring_with_figures.sql)
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
    INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
    SELECT sid, run, c.id, 'revoke', '14(5)', 'incident:' || i.id,
           jsonb_build_object('incident_id', i.id, 'enterprise_code', i.enterprise_code, 'occurred_on', i.occurred_on,
                              'category', i.category, 'grade', i.grade, 'source', i.source,
                              'member_from', m.member_from, 'joined_by_filing', m.filing_id,
                              'reason', format('%s incident%s at %s on %s', i.category, coalesce(' (' || i.grade || ')', ''),
                                               i.enterprise_code, i.occurred_on)),
           revoke_state, d
    -- (cluster_members inline: the day a member left is looked up for the incidents' memberships
    -- only, not for every membership of the register first.)
    FROM incidents i
    JOIN (SELECT ce.cluster_id, ce.enterprise_code, c.recognized_on AS member_from, NULL::bigint AS filing_id
          FROM cluster_enterprises ce JOIN clusters c ON c.id = ce.cluster_id
          UNION ALL
          SELECT ec.cluster_id, ec.enterprise_code, ec.effective, ec.filing_id
          FROM enterprise_changes ec WHERE ec.change = 'joined') m ON m.enterprise_code = i.enterprise_code
    JOIN clusters c ON c.id = m.cluster_id
    CROSS JOIN LATERAL (SELECT min(l.effective) AS member_until FROM enterprise_changes l
                        WHERE l.cluster_id = m.cluster_id AND l.enterprise_code = m.enterprise_code AND l.change = 'left'
                          AND l.effective >= m.member_from) u
    WHERE i.veto AND c.status <> 'revoked' AND i.occurred_on >= c.recognized_on AND i.occurred_on <= d
      AND i.occurred_on >= m.member_from AND (u.member_until IS NULL OR i.occurred_on <= u.member_until)
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
