-- The operating management body (issue 15, item 3; Standard 八 设立管委会等运营管理机构; Art. 14(4)
-- 运营管理机构变更).
--
-- * A filing states it in `cluster.management_body` {name, kind, established_on, evidence}
--   (docs/filing-format.md). The register records it: `clusters.management_body` is its name (as
--   before), and the new columns its kind, the day it was set up and its evidence — filled from
--   the filing a register entry is made from, however it is made (close_publicity, the sweep's
--   recognitions, imported history). A filing that states none leaves the name empty: the county's
--   SME authority (the filer) is no longer shown as the management body.
-- * A change report on `management_body` states the new body in `cluster.management_body` (the
--   validator requires its name to be the change's `after`); accepted, the register takes it whole.
-- * An annual report whose management body (by name) differs from the register's, on an entry
--   that records one, is a changed field (`annual_reports.changed_fields`); with no change report
--   naming that body by then (one not rejected), the sweep proposes 14(4) — set-based, once per
--   annual report and field, like the other grounds.
--
-- register_fields, filings_record_report and sweep_record in their final forms.

-- MARK: the register records the body

ALTER TABLE clusters
    ADD COLUMN management_body_kind text
        CHECK (management_body_kind IN ('management_committee', 'operating_company', 'promotion_organization', 'other')),
    ADD COLUMN management_body_established_on date,
    ADD COLUMN management_body_evidence jsonb CHECK (management_body_evidence IS NULL OR jsonb_typeof(management_body_evidence) = 'object');

-- The register fields a filing states: leading industry, spatial extent, county codes, area,
-- management body (its name: `cluster.management_body.name`; a bare string of an older document
-- is read as the name; none stated: empty). The spatial extent may be given in `cluster`;
-- otherwise it is the county codes with the area.
CREATE OR REPLACE FUNCTION register_fields(p jsonb,
    OUT leading_industry text, OUT spatial_extent text, OUT county_codes text[], OUT area_km2 numeric,
    OUT management_body text)
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public AS $$
    SELECT p #>> '{cluster,leading_industry}',
           coalesce(p #>> '{cluster,spatial_extent}',
                    array_to_string(ARRAY(SELECT jsonb_array_elements_text(coalesce(p #> '{cluster,county_codes}', '[]'))), ',')
                    || coalesce(' · ' || (p #>> '{cluster,area_km2}') || ' km²', '')),
           ARRAY(SELECT jsonb_array_elements_text(coalesce(p #> '{cluster,county_codes}', '[]')) ORDER BY 1),
           (p #>> '{cluster,area_km2}')::numeric,
           coalesce(CASE jsonb_typeof(p #> '{cluster,management_body}')
                        WHEN 'object' THEN p #>> '{cluster,management_body,name}'
                        WHEN 'string' THEN p #>> '{cluster,management_body}' END,
                    p #>> '{governance,management_body}', '')
$$;

-- The body's kind, day and evidence from `p` when it states the body named `p_name`; NULLs otherwise.
CREATE FUNCTION management_body_details(p jsonb, p_name text,
    OUT kind text, OUT established_on date, OUT evidence jsonb)
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public AS $$
    SELECT b ->> 'kind', CASE WHEN b ->> 'established_on' ~ '^\d{4}-\d{2}-\d{2}$' THEN (b ->> 'established_on')::date END,
           CASE WHEN jsonb_typeof(b -> 'evidence') = 'object' THEN b -> 'evidence' END
    FROM (SELECT CASE WHEN jsonb_typeof(p #> '{cluster,management_body}') = 'object'
                           AND p #>> '{cluster,management_body,name}' = p_name
                      THEN p #> '{cluster,management_body}' END AS b) x
$$;

REVOKE ALL ON FUNCTION management_body_details(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION management_body_details(jsonb, text) TO cr_reviewer, cr_admin, cr_auditor;

-- A new register entry records the body its filing states (whoever writes the entry).
CREATE FUNCTION clusters_management_body() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    m record;
BEGIN
    IF NEW.management_body_kind IS NULL AND NEW.management_body <> '' THEN
        SELECT x.* INTO m FROM filings f CROSS JOIN LATERAL management_body_details(f.payload, NEW.management_body) x
        WHERE f.id = NEW.filing_id;
        IF FOUND AND m.kind IN ('management_committee', 'operating_company', 'promotion_organization', 'other') THEN
            NEW.management_body_kind := m.kind;
            NEW.management_body_established_on := m.established_on;
            NEW.management_body_evidence := m.evidence;
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION clusters_management_body() FROM PUBLIC;
CREATE TRIGGER clusters_management_body BEFORE INSERT ON clusters
    FOR EACH ROW EXECUTE FUNCTION clusters_management_body();

-- An accepted change of management body: the register takes the body the change report states
-- (accept_change_report has set its name from the change's `after`).
CREATE FUNCTION change_reports_management_body() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    UPDATE clusters c
    SET management_body_kind = x.kind, management_body_established_on = x.established_on, management_body_evidence = x.evidence,
        updated_at = now()
    FROM filings f CROSS JOIN LATERAL management_body_details(f.payload, (SELECT management_body FROM clusters WHERE id = NEW.cluster_id)) x
    WHERE f.id = NEW.filing_id AND c.id = NEW.cluster_id;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION change_reports_management_body() FROM PUBLIC;
CREATE TRIGGER change_reports_management_body AFTER UPDATE OF state ON change_reports
    FOR EACH ROW WHEN (OLD.state = 'pending' AND NEW.state = 'accepted' AND 'management_body' = ANY (NEW.subjects))
    EXECUTE FUNCTION change_reports_management_body();

-- MARK: annual and change reports

-- Records annual and change reports when their filing names a register entry. An annual report's
-- `changed_fields` are the register fields it states differently from the register at the time:
-- the leading industry, the spatial extent, and the management body by name — when the register
-- records one and the report states one.
CREATE OR REPLACE FUNCTION filings_record_report() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    c clusters;
    rf record;
    changed text[] := '{}';
BEGIN
    SELECT * INTO c FROM clusters WHERE id = NEW.cluster_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NEW.kind = 'annual_report' THEN
        SELECT * INTO rf FROM register_fields(NEW.payload);
        IF rf.leading_industry IS NOT NULL AND rf.leading_industry IS DISTINCT FROM c.leading_industry THEN
            changed := changed || 'leading_industry'::text;
        END IF;
        IF (NEW.payload #>> '{cluster,spatial_extent}' IS NOT NULL AND NEW.payload #>> '{cluster,spatial_extent}' IS DISTINCT FROM c.spatial_extent)
           OR (NEW.payload #>> '{cluster,spatial_extent}' IS NULL
               AND ((cardinality(rf.county_codes) > 0 AND rf.county_codes IS DISTINCT FROM c.county_codes)
                    OR (rf.area_km2 IS NOT NULL AND c.area_km2 IS NOT NULL AND rf.area_km2 <> c.area_km2))) THEN
            changed := changed || 'spatial_extent'::text;
        END IF;
        IF rf.management_body <> '' AND c.management_body <> '' AND rf.management_body <> c.management_body THEN
            changed := changed || 'management_body'::text;
        END IF;
        INSERT INTO annual_reports (filing_id, cluster_id, year, filed_on, changed_fields, stated)
        VALUES (NEW.id, c.id, coalesce((NEW.payload #>> '{annual_report,year}')::int, extract(year FROM NEW.filed_on)::int - 1),
                NEW.filed_on, changed, to_jsonb(rf))
        ON CONFLICT (filing_id) DO NOTHING;
    ELSIF NEW.kind = 'change_report' THEN
        INSERT INTO change_reports (filing_id, cluster_id, filed_on, subjects, changes)
        VALUES (NEW.id, c.id, NEW.filed_on,
                ARRAY(SELECT DISTINCT ch ->> 'subject' FROM jsonb_array_elements(coalesce(NEW.payload #> '{change_report,changes}', '[]')) ch ORDER BY 1),
                coalesce(NEW.payload #> '{change_report,changes}', '[]'))
        ON CONFLICT (filing_id) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION filings_record_report() FROM PUBLIC;

-- MARK: the sweep

-- As 051, with 14(4) on the management body: a change report on it counts when it names the body
-- the annual report states.
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
