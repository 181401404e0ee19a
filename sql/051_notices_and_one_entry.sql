-- Public notices closed by the sweep, and one register entry per cluster (issue 15, item 8).
--
-- * The sweep recognizes: a public notice whose last day has passed with no objection pending or
--   upheld is closed as close_publicity would close it — the register entry (certificate, three
--   years from the day, plan, register fields, enterprises, term 1), the filing `recognized` — dated
--   the sweep's day, once per notice (action `recognize`, subject `notice:ID`), set-based. A notice
--   with an objection pending waits; one with an objection upheld is the reviewer's to close
--   (close_publicity returns the filing to them). A reviewer may still close a notice first.
-- * One live register entry per county and cluster name: a unique index over entries not revoked;
--   an approval that would open a notice for a cluster already on the register, or already in
--   another open notice, is refused (CR009), and so is a second entry (CR009) before the index.
--   A revoked cluster may apply anew.
--
--   CR009  already done: the cluster is already on the register, or already in public notice

-- MARK: one live entry per county and cluster name

CREATE UNIQUE INDEX clusters_one_live_entry ON clusters (county_code, name) WHERE status <> 'revoked';

-- Refuses a second live register entry for the same county and cluster name (CR009).
CREATE FUNCTION clusters_refuse_second_entry() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    c clusters;
BEGIN
    SELECT * INTO c FROM clusters
    WHERE county_code = NEW.county_code AND name = NEW.name AND status <> 'revoked' AND id IS DISTINCT FROM NEW.id
    LIMIT 1;
    IF FOUND THEN
        PERFORM lifecycle_fail('CR009',
            format('%s (%s) is already on the register: %s, id %s, %s', NEW.name, NEW.county_code, c.certificate_no, c.id, c.status),
            format('%s（%s）已在认定名单中：%s（编号 %s，状态 %s）', NEW.name, NEW.county_code, c.certificate_no, c.id, c.status),
            'A cluster is on the register once; a recognized cluster is renewed by recertification. A revoked one may apply anew.');
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION clusters_refuse_second_entry() FROM PUBLIC;
CREATE TRIGGER clusters_refuse_second_entry BEFORE INSERT OR UPDATE OF county_code, name, status ON clusters
    FOR EACH ROW WHEN (NEW.status <> 'revoked') EXECUTE FUNCTION clusters_refuse_second_entry();

-- Refuses a public notice for a cluster already on the register or already in another open notice
-- (CR009): the approval of such an initial filing stops there, before anything is published.
CREATE FUNCTION publicity_notices_refuse_second_entry() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    c clusters;
    other bigint;
BEGIN
    SELECT * INTO f FROM filings WHERE id = NEW.filing_id;
    SELECT * INTO c FROM clusters
    WHERE county_code = f.county_code AND name = f.cluster_name AND status <> 'revoked' LIMIT 1;
    IF FOUND THEN
        PERFORM lifecycle_fail('CR009',
            format('%s (%s) is already on the register: %s, id %s, %s; filing %s cannot be recognized again',
                   f.cluster_name, f.county_code, c.certificate_no, c.id, c.status, f.id),
            format('%s（%s）已在认定名单中：%s（编号 %s，状态 %s），申报 %s 不能再次认定',
                   f.cluster_name, f.county_code, c.certificate_no, c.id, c.status, f.id),
            'Refuse or return the filing; a recognized cluster is renewed by a recertification filing.');
    END IF;
    SELECT n.filing_id INTO other FROM publicity_notices n JOIN filings g ON g.id = n.filing_id
    WHERE n.state = 'open' AND g.county_code = f.county_code AND g.cluster_name = f.cluster_name AND g.id <> f.id
    LIMIT 1;
    IF FOUND THEN
        PERFORM lifecycle_fail('CR009',
            format('%s (%s) is already in public notice with filing %s', f.cluster_name, f.county_code, other),
            format('%s（%s）已随申报 %s 进入公示', f.cluster_name, f.county_code, other),
            'Wait for that notice to close; one cluster is recognized once.');
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION publicity_notices_refuse_second_entry() FROM PUBLIC;
CREATE TRIGGER publicity_notices_refuse_second_entry BEFORE INSERT ON publicity_notices
    FOR EACH ROW EXECUTE FUNCTION publicity_notices_refuse_second_entry();

-- MARK: the sweep may recognize

ALTER TABLE sweep_actions DROP CONSTRAINT sweep_actions_action_check;
ALTER TABLE sweep_actions ADD CONSTRAINT sweep_actions_action_check
    CHECK (action IN ('expiry_notice', 'expire', 'revoke', 'recognize'));

-- Inside a sweep the coordinator (and an administrator running one) writes what recognition writes.
DROP TRIGGER publicity_notices_writer_role ON publicity_notices;
CREATE TRIGGER publicity_notices_writer_role BEFORE INSERT OR UPDATE OR DELETE ON publicity_notices
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin', 'cr_coordinator:sweep');
DROP TRIGGER cluster_enterprises_writer_role ON cluster_enterprises;
CREATE TRIGGER cluster_enterprises_writer_role BEFORE INSERT OR UPDATE OR DELETE ON cluster_enterprises
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin', 'cr_coordinator:sweep');
DROP TRIGGER cluster_terms_writer_role ON cluster_terms;
CREATE TRIGGER cluster_terms_writer_role BEFORE INSERT OR UPDATE OR DELETE ON cluster_terms
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin', 'cr_coordinator:sweep');

-- MARK: the sweep

-- As 050, with the notices closed first.
-- JIT is off for it: its statements are many and small, and compiling them cost a daily sweep of
-- fifty clusters 14 ms of its 15 (the ten-year simulation test); without it, about 1 ms.
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
