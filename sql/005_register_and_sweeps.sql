-- The life of a recognition, part 2: annual reports, change reports, incidents, false-filing flags
-- and the sweep (measures Art. 13–14). Error codes as in 004_lifecycle.sql.

-- MARK: codes and grades

-- Whether `code` is a valid unified social credit code (GB 32100-2015): 18 symbols from
-- 0-9 A-Z without I O Z S V, the last the check symbol of weights 3^(i-1) mod 31.
CREATE FUNCTION uscc_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, public AS $$
    SELECT code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'
       AND (31 - (SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, i, 1)) - 1)
                             * ((3::bigint ^ (i - 1))::bigint % 31))
                  FROM generate_series(1, 17) AS i)::int % 31) % 31
           = strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, 18, 1)) - 1
$$;

-- Whether an incident is of veto grade (criteria.md "Incident categories"): VETO-1 safety,
-- quality, environment at `larger` and above; VETO-2 cyber, data at `major` and above; VETO-3
-- tax evasion, illegal conduct, serious dishonesty, other major problem at any grade.
CREATE FUNCTION incident_is_veto(category text, grade text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public AS $$
    SELECT CASE
        WHEN category IN ('safety', 'quality', 'environment') THEN grade IN ('larger', 'major', 'especially_major')
        WHEN category IN ('cyber', 'data') THEN grade IN ('major', 'especially_major')
        WHEN category IN ('tax_evasion', 'illegal_conduct', 'serious_dishonesty', 'other_major') THEN true
        ELSE false END
$$;

-- MARK: annual and change reports

-- An annual report (Art. 13) filed for a register entry; recorded from its filing.
-- `changed_fields` are the register fields the report states differently from the register at
-- the time it was filed (the sweep's 14(4) evidence).
CREATE TABLE annual_reports (
    filing_id      bigint PRIMARY KEY REFERENCES filings (id),
    cluster_id     bigint NOT NULL REFERENCES clusters (id),
    year           integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    filed_on       date NOT NULL,
    changed_fields text[] NOT NULL DEFAULT '{}',
    stated         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX annual_reports_cluster_idx ON annual_reports (cluster_id, year, filed_on);

-- A change report (Art. 14(4)): pending until accepted (the register is updated) or rejected.
CREATE TABLE change_reports (
    filing_id   bigint PRIMARY KEY REFERENCES filings (id),
    cluster_id  bigint NOT NULL REFERENCES clusters (id),
    filed_on    date NOT NULL,
    subjects    text[] NOT NULL,
    changes     jsonb NOT NULL,
    state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    note        text,
    decided_by  text,
    decided_on  date,
    CHECK ((state = 'pending') = (decided_on IS NULL))
);
CREATE INDEX change_reports_cluster_idx ON change_reports (cluster_id, filed_on);

-- Records annual and change reports when their filing names a register entry.
CREATE FUNCTION filings_record_report() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
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
        IF coalesce(NEW.payload #>> '{cluster,management_body}', NEW.payload #>> '{governance,management_body}') IS DISTINCT FROM c.management_body
           AND coalesce(NEW.payload #>> '{cluster,management_body}', NEW.payload #>> '{governance,management_body}') IS NOT NULL THEN
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
CREATE TRIGGER filings_record_report AFTER INSERT OR UPDATE OF cluster_id ON filings
    FOR EACH ROW WHEN (NEW.cluster_id IS NOT NULL AND NEW.kind IN ('annual_report', 'change_report'))
    EXECUTE FUNCTION filings_record_report();

-- Accepts a pending change report: the register takes the reported values.
CREATE FUNCTION accept_change_report(p_filing bigint, p_note text, p_on date DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    r change_reports;
    c clusters;
    f filings;
    rf record;
BEGIN
    SELECT * INTO r FROM change_reports WHERE filing_id = p_filing FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('filing %s is not a change report for a register entry', p_filing),
            format('申报 %s 不是关联认定名单的变更报告', p_filing), 'Check the id; the filing must name its cluster.');
    END IF;
    IF r.state <> 'pending' THEN
        PERFORM lifecycle_fail('CR009', format('change report %s is already %s', p_filing, r.state),
            format('变更报告 %s 已处理（%s）', p_filing, r.state), 'Nothing to do.');
    END IF;
    SELECT * INTO c FROM clusters WHERE id = r.cluster_id FOR UPDATE;
    IF c.status = 'revoked' THEN
        PERFORM lifecycle_fail('CR002', format('cluster %s is revoked; its register entry no longer changes', c.certificate_no),
            format('集群 %s 已撤销认定，名单信息不再变更', c.certificate_no), 'Reject the change report instead.');
    END IF;
    SELECT * INTO f FROM filings WHERE id = p_filing;
    SELECT * INTO rf FROM register_fields(f.payload);
    UPDATE clusters SET
        leading_industry = coalesce((SELECT ch ->> 'after' FROM jsonb_array_elements(r.changes) ch WHERE ch ->> 'subject' = 'leading_industry' ORDER BY ch ->> 'effective' DESC LIMIT 1), leading_industry),
        spatial_extent = coalesce((SELECT ch ->> 'after' FROM jsonb_array_elements(r.changes) ch WHERE ch ->> 'subject' = 'spatial_extent' ORDER BY ch ->> 'effective' DESC LIMIT 1), spatial_extent),
        county_codes = CASE WHEN 'spatial_extent' = ANY (r.subjects) AND cardinality(rf.county_codes) > 0 THEN rf.county_codes ELSE county_codes END,
        area_km2 = CASE WHEN 'spatial_extent' = ANY (r.subjects) THEN coalesce(rf.area_km2, area_km2) ELSE area_km2 END,
        management_body = coalesce((SELECT ch ->> 'after' FROM jsonb_array_elements(r.changes) ch WHERE ch ->> 'subject' = 'management_body' ORDER BY ch ->> 'effective' DESC LIMIT 1), management_body),
        updated_at = now()
    WHERE id = c.id;
    UPDATE change_reports SET state = 'accepted', note = p_note, decided_by = session_user, decided_on = lifecycle_day(p_on)
    WHERE filing_id = p_filing;
END;
$$;

-- Rejects a pending change report (the register keeps its values); needs a note.
CREATE FUNCTION reject_change_report(p_filing bigint, p_note text, p_on date DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    r change_reports;
BEGIN
    SELECT * INTO r FROM change_reports WHERE filing_id = p_filing FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('filing %s is not a change report for a register entry', p_filing),
            format('申报 %s 不是关联认定名单的变更报告', p_filing), 'Check the id.');
    END IF;
    IF r.state <> 'pending' THEN
        PERFORM lifecycle_fail('CR009', format('change report %s is already %s', p_filing, r.state),
            format('变更报告 %s 已处理（%s）', p_filing, r.state), 'Nothing to do.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'rejecting a change report needs a note', '驳回变更报告须附说明', 'Give --note.');
    END IF;
    UPDATE change_reports SET state = 'rejected', note = p_note, decided_by = session_user, decided_on = lifecycle_day(p_on)
    WHERE filing_id = p_filing;
END;
$$;

-- MARK: incidents and false filings

-- An incident at an enterprise, recorded by an administrator (Art. 14(5)); matched to clusters
-- through `cluster_enterprises` by unified social credit code.
CREATE TABLE incidents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_code text NOT NULL CHECK (uscc_valid(enterprise_code)),
    occurred_on     date NOT NULL,
    category        text NOT NULL CHECK (category IN ('safety', 'quality', 'environment', 'cyber', 'data',
                        'tax_evasion', 'illegal_conduct', 'serious_dishonesty', 'other_major')),
    grade           text CHECK (grade IN ('general', 'larger', 'major', 'especially_major')),
    source          text NOT NULL CHECK (btrim(source) <> ''),
    description     text NOT NULL DEFAULT '',
    veto            boolean GENERATED ALWAYS AS (incident_is_veto(category, grade)) STORED,
    recorded_by     text NOT NULL DEFAULT session_user,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((category IN ('tax_evasion', 'illegal_conduct', 'serious_dishonesty', 'other_major')) = (grade IS NULL))
);
CREATE INDEX incidents_enterprise_idx ON incidents (enterprise_code, occurred_on);
CREATE INDEX incidents_veto_idx ON incidents (enterprise_code) WHERE veto;

-- Records an incident; checks the code, the category and the grade. Returns its id.
CREATE FUNCTION record_incident(p_code text, p_occurred_on date, p_category text, p_grade text, p_source text,
                                p_description text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT coalesce(uscc_valid(p_code), false) THEN
        PERFORM lifecycle_fail('CR008', format('%L is not a valid unified social credit code', p_code),
            format('%L 不是有效的统一社会信用代码', p_code), 'Check the 18 characters and the check symbol (GB 32100-2015).');
    END IF;
    IF p_category NOT IN ('safety', 'quality', 'environment', 'cyber', 'data', 'tax_evasion', 'illegal_conduct', 'serious_dishonesty', 'other_major') THEN
        PERFORM lifecycle_fail('CR008', format('unknown incident category %L', p_category),
            format('未知的事件类别 %L', p_category),
            'Use safety, quality, environment, cyber, data, tax_evasion, illegal_conduct, serious_dishonesty or other_major.');
    END IF;
    IF p_category IN ('tax_evasion', 'illegal_conduct', 'serious_dishonesty', 'other_major') THEN
        IF p_grade IS NOT NULL THEN
            PERFORM lifecycle_fail('CR008', format('a %s incident has no grade', p_category),
                format('%s 类事件不分等级', p_category), 'Leave out --grade.');
        END IF;
    ELSIF p_grade IS NULL OR p_grade NOT IN ('general', 'larger', 'major', 'especially_major') THEN
        PERFORM lifecycle_fail('CR008', format('a %s incident needs a grade: general, larger, major or especially_major', p_category),
            format('%s 类事件须注明等级：general（一般）、larger（较大）、major（重大）或 especially_major（特别重大）', p_category),
            'Give --grade.');
    END IF;
    IF btrim(coalesce(p_source, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'an incident needs its source', '事件须注明来源', 'Give --source, e.g. the notice that reported it.');
    END IF;
    INSERT INTO incidents (enterprise_code, occurred_on, category, grade, source, description)
    VALUES (p_code, p_occurred_on, p_category, p_grade, p_source, coalesce(p_description, ''))
    RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;

-- A false filing or an illegal act found by a reviewer (Art. 14(2)).
CREATE TABLE false_filing_flags (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id bigint NOT NULL REFERENCES clusters (id),
    filing_id  bigint REFERENCES filings (id),
    note       text NOT NULL CHECK (btrim(note) <> ''),
    flagged_on date NOT NULL,
    flagged_by text NOT NULL DEFAULT session_user
);
CREATE INDEX false_filing_flags_cluster_idx ON false_filing_flags (cluster_id);

-- Flags a false filing (or an illegal act) against a register entry. Returns the flag id.
CREATE FUNCTION flag_false_filing(p_cluster bigint, p_filing bigint, p_note text, p_on date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM clusters WHERE id = p_cluster) THEN
        PERFORM lifecycle_fail('CR001', format('cluster %s is not in the register', p_cluster),
            format('认定名单中没有集群 %s', p_cluster), 'Check the id (register list).');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a false-filing flag needs a note saying what was false',
            '标记虚假申报须说明虚假内容', 'Give --note.');
    END IF;
    INSERT INTO false_filing_flags (cluster_id, filing_id, note, flagged_on)
    VALUES (p_cluster, p_filing, p_note, lifecycle_day(p_on)) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;

-- MARK: sweeps

-- One row per scheduled slot (e.g. `daily:2026-04-01`) or manual as-of date; runs counts reruns.
CREATE TABLE sweeps (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slot        text NOT NULL UNIQUE,
    as_of       date NOT NULL,
    runs        integer NOT NULL DEFAULT 1,
    first_run_at timestamptz NOT NULL DEFAULT now(),
    last_run_at timestamptz NOT NULL DEFAULT now(),
    last_run_by text NOT NULL DEFAULT session_user
);

-- What a sweep found. Unique per cluster, action, ground and subject (the evidence's identity:
-- the expiry date, the report year, the incident, the flag), so each is recorded once however
-- often and by however many processes the sweep runs.
CREATE TABLE sweep_actions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sweep_id    bigint NOT NULL REFERENCES sweeps (id),
    run_no      integer NOT NULL,
    cluster_id  bigint NOT NULL REFERENCES clusters (id),
    action      text NOT NULL CHECK (action IN ('expiry_notice', 'expire', 'revoke')),
    ground      text NOT NULL DEFAULT '' CHECK (ground IN ('', '14(1)', '14(2)', '14(3)', '14(4)', '14(5)')),
    subject     text NOT NULL,
    evidence    jsonb NOT NULL,
    state       text NOT NULL CHECK (state IN ('notice', 'applied', 'proposed', 'confirmed', 'dismissed')),
    found_on    date NOT NULL,
    resolved_by text,
    resolved_at timestamptz,
    note        text,
    UNIQUE (cluster_id, action, ground, subject),
    CHECK ((action = 'revoke') = (ground <> ''))
);
CREATE INDEX sweep_actions_sweep_idx ON sweep_actions (sweep_id, run_no);
CREATE INDEX sweep_actions_proposed_idx ON sweep_actions (cluster_id) WHERE state = 'proposed';

-- Runs the sweep for `p_as_of` (NULL: today in Asia/Shanghai) under the slot `p_slot` (NULL:
-- `as-of:DATE`). Set-based: one INSERT … SELECT per ground. Serialized by an advisory lock.
-- Revocations are proposed or applied as lifecycle_settings.revocation_mode says. Returns the
-- actions this run added (none when an earlier run already found them).
CREATE FUNCTION run_sweep(p_as_of date DEFAULT NULL, p_slot text DEFAULT NULL)
RETURNS SETOF sweep_actions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    d date := lifecycle_day(p_as_of);
    s lifecycle_settings;
    sid bigint;
    run integer;
    revoke_state text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('cluster_review.sweep', 0));
    SELECT * INTO s FROM lifecycle_settings;
    revoke_state := CASE s.revocation_mode WHEN 'apply' THEN 'applied' ELSE 'proposed' END;
    INSERT INTO sweeps (slot, as_of) VALUES (coalesce(p_slot, 'as-of:' || d), d)
    ON CONFLICT (slot) DO UPDATE SET runs = sweeps.runs + 1, last_run_at = now(), last_run_by = session_user
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

-- An administrator confirms (the cluster is revoked on the action's ground) or dismisses a
-- proposed revocation.
CREATE FUNCTION resolve_sweep_action(p_action bigint, p_confirm boolean, p_note text, p_on date DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    a sweep_actions;
    d date := lifecycle_day(p_on);
BEGIN
    SELECT * INTO a FROM sweep_actions WHERE id = p_action FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('sweep action %s does not exist', p_action),
            format('巡查事项 %s 不存在', p_action), 'List the proposed actions (sweep actions).');
    END IF;
    IF a.state <> 'proposed' THEN
        PERFORM lifecycle_fail('CR009', format('sweep action %s is %s, not proposed', p_action, a.state),
            format('巡查事项 %s 的状态为 %s，不是待确认', p_action, a.state), 'Only proposed revocations are confirmed or dismissed.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'confirming or dismissing a revocation needs a note',
            '确认或驳回撤销须附说明', 'Give --note.');
    END IF;
    UPDATE sweep_actions
    SET state = CASE WHEN p_confirm THEN 'confirmed' ELSE 'dismissed' END,
        resolved_by = session_user, resolved_at = now(), note = p_note
    WHERE id = p_action;
    IF p_confirm THEN
        UPDATE clusters
        SET status = 'revoked', revoked_on = d, revocation_ground = a.ground, grounds = a.evidence ->> 'reason',
            updated_at = now()
        WHERE id = a.cluster_id AND status <> 'revoked';
    END IF;
END;
$$;
