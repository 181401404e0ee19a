-- Terms (issue 15, item 1): a cluster lives in terms — recognized, recertified, recertified, … —
-- and Art. 14(1) is judged on the current term, with the province's recheck window after it
-- (criteria.md "Procedure and dynamic management"; docs/lifecycle.md "Terms and the recheck window").
--
-- * `cluster_terms`: one row per term, numbered from 1. Term 1 is written when the register entry
--   is (close_publicity, or an imported history); term n+1 when a recertification of term n is
--   approved (decide), and it runs from the day after term n's last day for validity_years,
--   however late the approval. Both are written by triggers, so the functions that make those
--   steps stay as they are; `clusters.valid_until` stays the current term's last day.
-- * `recheck_window_days` (config/lifecycle.json, default 183): the seed has the province organize
--   the recheck *after* expiry (有效期满后，由省工信厅组织开展复核工作). A recertification filing
--   counts for a term when it is filed while the term runs or within the window after its last
--   day; until the window ends an expired cluster is "expired, recheck pending", not a 14(1) case.
-- * The sweep (sweep_record, replaced here in full) proposes 14(1) "expired" for the current term
--   only, once the window after it has ended with no recertification filing for that term. A
--   filing counts for one term only: one decided on (recertifications.old_valid_until) counts for
--   the term it was decided on; an undecided one for the current term when filed inside its span.
--   So the recertification that opened a term never counts for that term.

-- MARK: the setting

ALTER TABLE lifecycle_settings
    ADD COLUMN recheck_window_days integer NOT NULL DEFAULT 183 CHECK (recheck_window_days BETWEEN 0 AND 730);

-- MARK: the terms

CREATE TABLE cluster_terms (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id  bigint NOT NULL REFERENCES clusters (id),
    term_no     integer NOT NULL CHECK (term_no >= 1),
    kind        text NOT NULL CHECK (kind IN ('recognized', 'recertified')),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    -- The filing that opened the term: the initial filing recognized, or the recertification approved.
    filing_id   bigint NOT NULL UNIQUE REFERENCES filings (id),
    -- The day it was decided: the notice closed, or the recertification approved (may be after starts_on).
    decided_on  date NOT NULL,
    UNIQUE (cluster_id, term_no),
    CHECK (ends_on > starts_on),
    CHECK ((term_no = 1) = (kind = 'recognized'))
);
CREATE INDEX cluster_terms_current_idx ON cluster_terms (cluster_id, term_no DESC);

COMMENT ON TABLE cluster_terms IS
    'The terms of a register entry: 1 recognized, then one per approved recertification, from the day after the previous term ended.';

-- Term 1 of a new register entry.
CREATE FUNCTION clusters_first_term() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO cluster_terms (cluster_id, term_no, kind, starts_on, ends_on, filing_id, decided_on)
    VALUES (NEW.id, 1, 'recognized', NEW.recognized_on, NEW.valid_until, NEW.filing_id, NEW.recognized_on);
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION clusters_first_term() FROM PUBLIC;
CREATE TRIGGER clusters_first_term AFTER INSERT ON clusters FOR EACH ROW EXECUTE FUNCTION clusters_first_term();

-- The next term, when a recertification is approved: from the day after the old last day.
CREATE FUNCTION recertifications_next_term() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.outcome = 'approved' THEN
        INSERT INTO cluster_terms (cluster_id, term_no, kind, starts_on, ends_on, filing_id, decided_on)
        SELECT NEW.cluster_id, coalesce(max(t.term_no), 0) + 1, 'recertified', NEW.old_valid_until + 1, NEW.new_valid_until,
               NEW.filing_id, NEW.decided_on
        FROM cluster_terms t WHERE t.cluster_id = NEW.cluster_id;
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION recertifications_next_term() FROM PUBLIC;
CREATE TRIGGER recertifications_next_term AFTER INSERT ON recertifications
    FOR EACH ROW EXECUTE FUNCTION recertifications_next_term();

-- Entries already on the register: term 1 from recognition to the first renewal, then one term per
-- approved recertification in order.
INSERT INTO cluster_terms (cluster_id, term_no, kind, starts_on, ends_on, filing_id, decided_on)
SELECT c.id, 1, 'recognized', c.recognized_on,
       coalesce((SELECT min(r.old_valid_until) FROM recertifications r WHERE r.cluster_id = c.id AND r.outcome = 'approved'),
                c.valid_until),
       c.filing_id, c.recognized_on
FROM clusters c;
INSERT INTO cluster_terms (cluster_id, term_no, kind, starts_on, ends_on, filing_id, decided_on)
SELECT r.cluster_id, 1 + row_number() OVER (PARTITION BY r.cluster_id ORDER BY r.old_valid_until), 'recertified',
       r.old_valid_until + 1, r.new_valid_until, r.filing_id, r.decided_on
FROM recertifications r WHERE r.outcome = 'approved';

-- The current term of each register entry (its latest).
CREATE VIEW cluster_current_terms AS
SELECT DISTINCT ON (t.cluster_id) t.*
FROM cluster_terms t
ORDER BY t.cluster_id, t.term_no DESC;

-- Read like the register: a county its own entries', staff all; written only by the triggers above
-- (inside close_publicity and decide, whose writers are checked as for clusters).
GRANT SELECT ON cluster_terms TO cr_county, cr_reviewer, cr_admin, cr_auditor;
GRANT SELECT ON cluster_current_terms TO cr_county, cr_reviewer, cr_admin, cr_auditor;
ALTER TABLE cluster_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE cluster_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY cluster_terms_owner ON cluster_terms TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY cluster_terms_county_read ON cluster_terms FOR SELECT TO cr_county USING (cluster_id IN (SELECT id FROM clusters));
CREATE POLICY cluster_terms_staff_read ON cluster_terms FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
CREATE TRIGGER cluster_terms_writer_role BEFORE INSERT OR UPDATE OR DELETE ON cluster_terms
    FOR EACH STATEMENT EXECUTE FUNCTION cr_check_writer('cr_reviewer', 'cr_admin');
CREATE TRIGGER audit_cluster_terms AFTER INSERT OR UPDATE OR DELETE ON cluster_terms
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
ALTER VIEW cluster_current_terms SET (security_invoker = true);

-- MARK: the sweep, judged per term

-- As 022, with 14(1) "expired" judged on the current term and its recheck window (above).
CREATE OR REPLACE FUNCTION sweep_record(d date, p_slot text)
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
