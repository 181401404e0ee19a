-- Monitoring with figures (issue 15, item 2; Art. 13 监测, Art. 14(3) 拒不配合监测, Art. 14(5)).
--
-- * An annual report carries the year's figures (one row, the report's year) and the year's
--   enterprise changes (docs/filing-format.md). The threshold modules review it in monitoring mode
--   on the rolling three years: `monitoring_payload(filing)` is what the coordinator projects for
--   the modules instead of the bare report — the report over the filing of the register entry's
--   current term (so the modules' other sections are there and their rules run unchanged), with
--   `figures` the three years ending with the report's: the report's own row, and for each earlier
--   year the latest annual report of the entry that gave it, else the term's (or an earlier term's)
--   filing. The review's purpose stays `monitoring` and the report stays `recorded`.
-- * `cluster_watchlist` shows, for each cluster on the register, the latest monitoring review's
--   findings that fail or warn, and the threshold findings that pass by less than `watch_margin`
--   (config/lifecycle.json; 0.10: within 10 % of the bound), each with the observed value, the
--   bound and the margin (exact numerics).
-- * Enterprises joining or leaving through an annual or change report are recorded
--   (`enterprise_changes`, with the day); `cluster_members` is the register's enterprise list with
--   from- and until-dates, and 14(5) counts an incident at an enterprise while it belonged.
-- * A reviewer records a refusal of monitoring (`record_monitoring_refusal`, audited); the sweep
--   proposes revocation on 14(3) with it, once per refusal.
--
-- sweep_record in its final form (restated whole, from 053, with 14(5) over cluster_members and the
-- 14(3) refusal added).

-- MARK: the watch margin

ALTER TABLE lifecycle_settings
    ADD COLUMN watch_margin numeric NOT NULL DEFAULT 0.10 CHECK (watch_margin >= 0 AND watch_margin <= 1);

-- MARK: enterprise changes

-- An enterprise joining or leaving a register entry, as an annual or change report states it.
CREATE TABLE enterprise_changes (
    filing_id       bigint NOT NULL REFERENCES filings (id),
    cluster_id      bigint NOT NULL REFERENCES clusters (id),
    enterprise_code text NOT NULL,
    change          text NOT NULL CHECK (change IN ('joined', 'left')),
    effective       date NOT NULL,
    PRIMARY KEY (filing_id, enterprise_code)
);
CREATE INDEX enterprise_changes_code_idx ON enterprise_changes (enterprise_code);
CREATE INDEX enterprise_changes_cluster_idx ON enterprise_changes (cluster_id, enterprise_code);

GRANT SELECT ON enterprise_changes TO cr_county, cr_reviewer, cr_admin, cr_auditor, cr_coordinator;
ALTER TABLE enterprise_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE enterprise_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY enterprise_changes_owner ON enterprise_changes TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY enterprise_changes_county_read ON enterprise_changes FOR SELECT TO cr_county USING (filing_id IN (SELECT id FROM filings));
CREATE POLICY enterprise_changes_staff_read ON enterprise_changes FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
CREATE POLICY enterprise_changes_coordinator_read ON enterprise_changes FOR SELECT TO cr_coordinator USING (true);
-- A county's filing records its changes (INSERT, through the trigger below); nothing changes them after.
CREATE TRIGGER enterprise_changes_writer_role BEFORE UPDATE OR DELETE ON enterprise_changes
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_admin');
CREATE TRIGGER audit_enterprise_changes AFTER INSERT OR UPDATE OR DELETE ON enterprise_changes
    FOR EACH ROW EXECUTE FUNCTION audit_row('filing_id');

-- Records the enterprise changes of an annual or change report that names a register entry.
CREATE FUNCTION filings_record_enterprise_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO enterprise_changes (filing_id, cluster_id, enterprise_code, change, effective)
    SELECT DISTINCT ON (x ->> 'code') NEW.id, NEW.cluster_id, x ->> 'code', x ->> 'change', (x ->> 'effective')::date
    FROM jsonb_array_elements(coalesce(NEW.payload #> '{annual_report,enterprise_changes}',
                                       NEW.payload #> '{change_report,enterprise_changes}', '[]')) AS x
    WHERE x ->> 'code' IS NOT NULL AND x ->> 'change' IN ('joined', 'left') AND x ->> 'effective' IS NOT NULL
    ORDER BY x ->> 'code'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION filings_record_enterprise_changes() FROM PUBLIC;
CREATE TRIGGER filings_record_enterprise_changes AFTER INSERT ON filings
    FOR EACH ROW WHEN (NEW.cluster_id IS NOT NULL AND NEW.kind IN ('annual_report', 'change_report'))
    EXECUTE FUNCTION filings_record_enterprise_changes();

-- The register's enterprises with the days they belonged: the enterprises of the filings the entry
-- was recognized (or recertified) on, from recognition; those that joined through a report, from
-- the day they joined; each until the first day a later report says it left (NULL: still in).
CREATE VIEW cluster_members WITH (security_invoker = true) AS
WITH joined AS (
    SELECT ce.cluster_id, ce.enterprise_code, c.recognized_on AS member_from, NULL::bigint AS filing_id
    FROM cluster_enterprises ce JOIN clusters c ON c.id = ce.cluster_id
    UNION ALL
    SELECT ec.cluster_id, ec.enterprise_code, ec.effective, ec.filing_id
    FROM enterprise_changes ec WHERE ec.change = 'joined'
)
SELECT j.cluster_id, j.enterprise_code, j.member_from,
       (SELECT min(l.effective) FROM enterprise_changes l
        WHERE l.cluster_id = j.cluster_id AND l.enterprise_code = j.enterprise_code AND l.change = 'left'
          AND l.effective >= j.member_from) AS member_until,
       j.filing_id
FROM joined j;
GRANT SELECT ON cluster_members TO cr_county, cr_reviewer, cr_admin, cr_auditor, cr_coordinator;

-- MARK: refusals of monitoring

-- A cluster's refusal to cooperate with monitoring (拒不配合监测, Art. 14(3)), recorded by a reviewer.
CREATE TABLE monitoring_refusals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id  bigint NOT NULL REFERENCES clusters (id),
    refused_on  date NOT NULL,
    note        text NOT NULL CHECK (btrim(note) <> '' AND char_length(note) <= 4000),
    recorded_by text NOT NULL DEFAULT cr_person(),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX monitoring_refusals_cluster_idx ON monitoring_refusals (cluster_id);

GRANT SELECT ON monitoring_refusals TO cr_county, cr_reviewer, cr_admin, cr_auditor, cr_coordinator;
ALTER TABLE monitoring_refusals ENABLE ROW LEVEL SECURITY;
ALTER TABLE monitoring_refusals FORCE ROW LEVEL SECURITY;
CREATE POLICY monitoring_refusals_owner ON monitoring_refusals TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY monitoring_refusals_county_read ON monitoring_refusals FOR SELECT TO cr_county USING (cluster_id IN (SELECT id FROM clusters));
CREATE POLICY monitoring_refusals_staff_read ON monitoring_refusals FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
CREATE POLICY monitoring_refusals_coordinator_read ON monitoring_refusals FOR SELECT TO cr_coordinator USING (true);
CREATE TRIGGER monitoring_refusals_writer_role BEFORE INSERT OR UPDATE OR DELETE ON monitoring_refusals
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer');
CREATE TRIGGER audit_monitoring_refusals AFTER INSERT OR UPDATE OR DELETE ON monitoring_refusals
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');

-- Records that the cluster of register entry `p_cluster` refused monitoring, dated today (or `p_on`
-- as for a false-filing flag: never before the cluster was recognized). A reviewer's act; the
-- entry must not be revoked. Returns the refusal's id.
CREATE FUNCTION record_monitoring_refusal(p_cluster bigint, p_note text, p_on date DEFAULT NULL, p_on_reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    c clusters;
    d date;
    new_id bigint;
BEGIN
    PERFORM cr_require(ARRAY['cr_reviewer'], 'recording a refusal of monitoring', '记录拒不配合监测');
    SELECT * INTO c FROM clusters WHERE id = p_cluster;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('cluster %s is not in the register', p_cluster),
            format('认定名单中没有集群 %s', p_cluster), 'Check the id (register list).');
    END IF;
    IF c.status = 'revoked' THEN
        PERFORM lifecycle_fail('CR009', format('cluster %s is revoked; there is no monitoring to refuse', p_cluster),
            format('集群 %s 已撤销，无需监测', p_cluster), 'Record a refusal only for a cluster on the register.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a refusal of monitoring needs a note saying what was refused',
            '记录拒不配合监测须说明拒绝的内容', 'Give --note.');
    END IF;
    d := cr_stated_day(p_on, p_on_reason, format('the refusal of monitoring by cluster %s', p_cluster),
                       format('集群 %s 拒不配合监测的记录', p_cluster),
                       c.recognized_on, format('the day cluster %s was recognized', p_cluster), format('集群 %s 的认定日期', p_cluster));
    INSERT INTO monitoring_refusals (cluster_id, refused_on, note) VALUES (p_cluster, d, p_note) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION record_monitoring_refusal(bigint, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_monitoring_refusal(bigint, text, date, text) TO cr_reviewer;

-- MARK: monitoring mode

-- What the modules are sent for annual report `p_filing` (NULL when it is not an annual report of
-- a register entry): the report over the filing of the entry's current term, with `figures` the
-- rolling three years ending with the report's year. A year no filing gives is left out (the
-- threshold modules then say the three years are incomplete).
CREATE FUNCTION monitoring_payload(p_filing bigint) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH report AS (
        SELECT f.id, f.cluster_id, f.payload,
               coalesce((f.payload #>> '{annual_report,year}')::int, extract(year FROM f.filed_on)::int - 1) AS year
        FROM filings f
        WHERE f.id = p_filing AND f.kind = 'annual_report' AND f.cluster_id IS NOT NULL
    ), base AS (
        SELECT coalesce((SELECT bf.payload FROM cluster_current_terms t JOIN filings bf ON bf.id = t.filing_id
                         WHERE t.cluster_id = r.cluster_id),
                        (SELECT bf.payload FROM clusters c JOIN filings bf ON bf.id = c.filing_id WHERE c.id = r.cluster_id),
                        '{}'::jsonb) AS payload
        FROM report r
    ), window_rows AS (
        SELECT y.year,
               coalesce(
                   -- the report's own row
                   (SELECT x FROM report r, jsonb_array_elements(coalesce(r.payload -> 'figures', '[]')) x
                    WHERE (x ->> 'year')::int = y.year LIMIT 1),
                   -- the latest earlier annual report of the entry that gave the year
                   (SELECT x FROM report r
                    JOIN filings a ON a.cluster_id = r.cluster_id AND a.kind = 'annual_report' AND a.id <> r.id
                    CROSS JOIN LATERAL jsonb_array_elements(coalesce(a.payload -> 'figures', '[]')) x
                    WHERE (x ->> 'year')::int = y.year
                    ORDER BY a.filed_on DESC, a.id DESC LIMIT 1),
                   -- the filings the entry was recognized and recertified on, latest term first
                   (SELECT x FROM report r
                    JOIN cluster_terms t ON t.cluster_id = r.cluster_id
                    JOIN filings tf ON tf.id = t.filing_id
                    CROSS JOIN LATERAL jsonb_array_elements(coalesce(tf.payload -> 'figures', '[]')) x
                    WHERE (x ->> 'year')::int = y.year
                    ORDER BY t.term_no DESC LIMIT 1),
                   (SELECT x FROM report r
                    JOIN clusters c ON c.id = r.cluster_id
                    JOIN filings tf ON tf.id = c.filing_id
                    CROSS JOIN LATERAL jsonb_array_elements(coalesce(tf.payload -> 'figures', '[]')) x
                    WHERE (x ->> 'year')::int = y.year LIMIT 1)) AS row
        FROM report r CROSS JOIN LATERAL generate_series(r.year - 2, r.year) AS y(year)
    )
    SELECT (base.payload - 'plan_report') || (r.payload - 'figures')
           || jsonb_build_object('figures', coalesce((SELECT jsonb_agg(w.row ORDER BY w.year) FROM window_rows w WHERE w.row IS NOT NULL),
                                                     '[]'::jsonb))
    FROM report r, base
$$;
REVOKE ALL ON FUNCTION monitoring_payload(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION monitoring_payload(bigint) TO cr_coordinator, cr_reviewer, cr_admin, cr_auditor;

-- MARK: the watchlist

-- For each cluster on the register, the latest monitoring review (of its latest annual report):
-- each finding that fails or warns, and each threshold finding that passes by less than
-- `watch_margin` of its bound ("only just"). `observed` is the decisive value (for a criterion
-- judged each year, the year with the smallest margin), `bound` the value it is compared with,
-- `margin` observed − bound (bound − observed where lower is better), `relative_margin` margin over
-- the bound. `standing`: fails, warns or only_just. security_invoker: a county sees its own.
CREATE OR REPLACE VIEW cluster_watchlist WITH (security_invoker = true) AS
WITH latest AS (
    SELECT DISTINCT ON (c.id) c.id AS cluster_id, c.certificate_no, c.county_code, ar.year, ar.filing_id, rv.id AS review_id
    FROM clusters c
    JOIN annual_reports ar ON ar.cluster_id = c.id
    CROSS JOIN LATERAL (SELECT r.id FROM reviews r
                        WHERE r.filing_id = ar.filing_id AND r.purpose = 'monitoring' AND r.outcome = 'completed'
                        ORDER BY r.finished_at DESC, r.id DESC LIMIT 1) AS rv
    WHERE c.status <> 'revoked'
    ORDER BY c.id, ar.year DESC, ar.filed_on DESC, ar.filing_id DESC
), judged AS (
    SELECT l.*, fi.criterion, fi.verdict, fi.message_zh, fi.message_en, fi.kind, fi.comparator,
           CASE WHEN jsonb_typeof(fi.margin) = 'number' THEN (fi.margin #>> '{}')::numeric END AS margin,
           CASE jsonb_typeof(fi.threshold)
               WHEN 'number' THEN (fi.threshold #>> '{}')::numeric
               WHEN 'object' THEN (
                   SELECT (t.value #>> '{}')::numeric FROM jsonb_each(fi.threshold) t
                   WHERE jsonb_typeof(t.value) = 'number' AND jsonb_typeof(fi.observed -> t.key) = 'number'
                   ORDER BY CASE WHEN fi.comparator IN ('<=', '<')
                                 THEN (t.value #>> '{}')::numeric - (fi.observed ->> t.key)::numeric
                                 ELSE (fi.observed ->> t.key)::numeric - (t.value #>> '{}')::numeric END,
                            t.key
                   LIMIT 1) END AS bound
    FROM latest l
    JOIN findings fi ON fi.review_id = l.review_id
)
SELECT j.cluster_id, j.certificate_no, j.year, j.filing_id, j.criterion, j.verdict, j.message_zh, j.message_en,
       j.county_code, j.comparator,
       CASE WHEN j.comparator IN ('<=', '<') THEN j.bound - j.margin ELSE j.bound + j.margin END AS observed,
       j.bound, j.margin,
       CASE WHEN j.bound <> 0 THEN round(j.margin / abs(j.bound), 6) END AS relative_margin,
       CASE j.verdict WHEN 'fail' THEN 'fails' WHEN 'warn' THEN 'warns' ELSE 'only_just' END AS standing
FROM judged j
WHERE j.verdict IN ('fail', 'warn')
   OR (j.verdict = 'pass' AND j.kind = 'threshold' AND j.margin IS NOT NULL AND j.bound IS NOT NULL AND j.bound <> 0
       AND j.margin / abs(j.bound) < (SELECT watch_margin FROM lifecycle_settings));

-- MARK: the sweep

-- As 053, with 14(5) over cluster_members (an enterprise that joined through a report counts from
-- the day it joined, until the day a report says it left) and 14(3) on a recorded refusal of monitoring.
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
    FROM incidents i
    JOIN cluster_members m ON m.enterprise_code = i.enterprise_code
    JOIN clusters c ON c.id = m.cluster_id
    WHERE i.veto AND c.status <> 'revoked' AND i.occurred_on >= c.recognized_on AND i.occurred_on <= d
      AND i.occurred_on >= m.member_from AND (m.member_until IS NULL OR i.occurred_on <= m.member_until)
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
