-- Dates come from the clock, not the caller (issue 14, item 3).
--
-- Every lifecycle step takes today (cr_today(), Asia/Shanghai) as its date. A caller may state
-- another day only within bounds:
--   * after today: refused for everyone (CR011);
--   * before the record's own date (the filing's date, the report's, the day a sweep action was
--     found, the day a cluster was recognized): refused for everyone (CR011);
--   * before today: an administrator's alone (42501 otherwise), with a reason (CR004 otherwise),
--     and the audit log records it (table_name 'stated_days': the step, the day, today, the reason).
-- Each function below replaces the one of 004/005 with its final form: the same transition,
-- `p_on` checked by cr_stated_day, a reason `p_on_reason` beside it, the person from cr_person().
--
--   CR011  a date outside what the clock allows (after today, or before the record's own date)

-- MARK: the stated day

-- The day a lifecycle step takes effect (see above). `p_step_en`/`p_step_zh` name the step, e.g.
-- "the decision on filing 12"; `p_floor` is the record's own date and `p_floor_en`/`p_floor_zh`
-- say what it is, e.g. "the day filing 12 was filed". Called by the SECURITY DEFINER lifecycle
-- functions only (executable by nobody else).
CREATE FUNCTION cr_stated_day(p_on date, p_on_reason text, p_step_en text, p_step_zh text,
                              p_floor date, p_floor_en text, p_floor_zh text) RETURNS date
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    today date := cr_today();
    d date := coalesce(p_on, cr_today());
BEGIN
    IF d > today THEN
        PERFORM lifecycle_fail('CR011',
            format('%s cannot be dated %s: that is after today, %s (Asia/Shanghai)', p_step_en, d, today),
            format('%s的日期 %s 晚于今天（北京时间 %s），不予受理', p_step_zh, d, today),
            'Leave out the date: the step takes today''s date from the database clock.');
    END IF;
    IF p_floor IS NOT NULL AND d < p_floor THEN
        PERFORM lifecycle_fail('CR011',
            format('%s cannot be dated %s: that is before %s, %s', p_step_en, d, p_floor_en, p_floor),
            format('%s的日期 %s 早于%s（%s），不予受理', p_step_zh, d, p_floor_zh, p_floor),
            'A step cannot come before the record it acts on; leave out the date.');
    END IF;
    IF d < today THEN
        PERFORM cr_require(ARRAY['cr_admin'], format('dating %s to %s, before today (%s),', p_step_en, d, today),
                           format('将%s的日期定为今天（%s）之前的 %s', p_step_zh, today, d));
        IF btrim(coalesce(p_on_reason, '')) = '' THEN
            PERFORM lifecycle_fail('CR004',
                format('dating %s to %s, before today (%s), needs a reason; it is recorded in the audit log', p_step_en, d, today),
                format('将%s的日期定为今天（%s）之前的 %s 须说明理由，理由记入审计日志', p_step_zh, today, d),
                'Give --reason with why the step is dated in the past.');
        END IF;
        INSERT INTO audit_log (table_name, row_key, operation, after)
        VALUES ('stated_days', p_step_en, 'INSERT',
                jsonb_build_object('step', p_step_en, 'day', d, 'today', today, 'reason', p_on_reason));
    END IF;
    RETURN d;
END;
$$;
REVOKE ALL ON FUNCTION cr_stated_day(date, text, text, text, date, text, text) FROM PUBLIC;

-- MARK: decide

DROP FUNCTION decide(bigint, text, text, text, date);

-- Decides a reviewed filing: approve, refuse (with grounds) or return (for a corrected filing).
-- An initial filing approved enters its public notice; a recertification approved extends the
-- register entry by the validity years from its old expiry. Dated today, or `p_on` as above
-- (never before the filing's date). Returns the decision id.
CREATE FUNCTION decide(p_filing bigint, p_decision text, p_note text, p_grounds text DEFAULT NULL,
                       p_on date DEFAULT NULL, p_on_reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    r bigint;
    d date;
    s lifecycle_settings;
    blocking text;
    c clusters;
    new_id bigint;
    starts date;
BEGIN
    f := lock_filing(p_filing);
    IF p_decision IS NULL OR p_decision NOT IN ('approve', 'refuse', 'return') THEN
        PERFORM lifecycle_fail('CR008', format('unknown decision %L: approve, refuse or return', p_decision),
            format('未知的决定 %L：应为 approve（通过）、refuse（不予认定）或 return（退回）', p_decision),
            'Use approve, refuse or return.');
    END IF;
    IF f.kind NOT IN ('initial', 'recertification') THEN
        PERFORM lifecycle_fail('CR002',
            format('filing %s is a %s: only initial and recertification filings are decided', p_filing, f.kind),
            format('申报 %s 为 %s：只有认定申报和复核申报需要作出决定', p_filing, f.kind),
            'Annual reports are recorded; change reports are accepted with "change accept".');
    END IF;
    IF f.status <> 'reviewed' THEN
        PERFORM lifecycle_fail('CR002',
            format('filing %s is %s: only a reviewed filing can be decided', p_filing, f.status),
            format('申报 %s 当前状态为 %s：只有审查完成的申报才能作出决定', p_filing, f.status),
            'Wait for the review to finish; a decided filing cannot be decided again.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a decision needs a note', '作出决定须附说明', 'Give --note.');
    END IF;
    r := latest_decision_review(p_filing);
    IF r IS NULL THEN
        PERFORM lifecycle_fail('CR002', format('filing %s has no completed review', p_filing),
            format('申报 %s 没有完成的审查', p_filing), 'Queue the filing for review first.');
    END IF;
    IF p_decision = 'refuse' AND btrim(coalesce(p_grounds, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a refusal must name its grounds',
            '不予认定须写明理由', 'Give --grounds, e.g. "COMP-2: output below 20亿".');
    END IF;
    d := cr_stated_day(p_on, p_on_reason, format('the decision on filing %s', p_filing), format('申报 %s 的决定', p_filing),
                       f.filed_on, format('the day filing %s was filed', p_filing), format('申报 %s 的申报日期', p_filing));

    IF p_decision = 'approve' THEN
        SELECT string_agg(x.criterion || ' ' || x.why, ', ' ORDER BY x.criterion) INTO blocking
        FROM (
            SELECT fi.criterion,
                   CASE WHEN fi.verdict IN ('fail', 'error') THEN fi.verdict
                        WHEN co.id IS NULL THEN 'manual (unconfirmed)'
                        ELSE 'manual (rejected)' END AS why
            FROM findings fi
            LEFT JOIN confirmations co ON co.review_id = fi.review_id AND co.criterion = fi.criterion
            WHERE fi.review_id = r
              AND (fi.verdict IN ('fail', 'error') OR (fi.verdict = 'manual' AND coalesce(co.accepted, false) = false))
        ) x;
        IF blocking IS NOT NULL THEN
            PERFORM lifecycle_fail('CR003',
                format('filing %s cannot be approved: %s', p_filing, blocking),
                format('申报 %s 不能通过：%s（人工判断项须逐项确认，不合格或出错的指标不能通过）', p_filing, blocking),
                'Confirm each manual finding (cluster-review confirm), or refuse or return the filing.');
        END IF;
        IF f.kind = 'recertification' THEN
            SELECT * INTO c FROM clusters WHERE id = f.cluster_id FOR UPDATE;
            IF NOT FOUND THEN
                PERFORM lifecycle_fail('CR001', format('recertification filing %s names no register entry', p_filing),
                    format('复核申报 %s 未关联认定名单条目', p_filing), 'Set filings.cluster_id to the cluster being rechecked.');
            END IF;
            IF c.status = 'revoked' THEN
                PERFORM lifecycle_fail('CR007',
                    format('cluster %s (%s) was revoked on %s (Art. %s) and cannot be recertified', c.id, c.certificate_no, c.revoked_on, c.revocation_ground),
                    format('集群 %s（%s）已于 %s 依第十四条%s撤销认定，不能复核', c.id, c.certificate_no, c.revoked_on, c.revocation_ground),
                    'Refuse the recertification; a revoked cluster must apply anew with an initial filing.');
            END IF;
        END IF;
    END IF;

    INSERT INTO decisions (filing_id, review_id, decision, note, grounds, decided_on)
    VALUES (p_filing, r, p_decision, p_note, nullif(btrim(coalesce(p_grounds, '')), ''), d)
    RETURNING id INTO new_id;

    IF p_decision = 'return' THEN
        UPDATE filings SET status = 'returned' WHERE id = p_filing;
    ELSIF p_decision = 'refuse' THEN
        UPDATE filings SET status = 'refused' WHERE id = p_filing;
        IF f.kind = 'recertification' AND f.cluster_id IS NOT NULL THEN
            INSERT INTO recertifications (cluster_id, filing_id, decision_id, outcome, decided_on, old_valid_until)
            SELECT f.cluster_id, p_filing, new_id, 'refused', d, valid_until FROM clusters WHERE id = f.cluster_id;
        END IF;
    ELSIF f.kind = 'initial' THEN
        SELECT * INTO s FROM lifecycle_settings;
        starts := CASE WHEN is_working_day(d + 1) THEN d + 1 ELSE add_working_days(d, 1) END;
        INSERT INTO publicity_notices (filing_id, decision_id, starts_on, ends_on)
        VALUES (p_filing, new_id, starts, add_working_days(d, s.publicity_working_days));
        UPDATE filings SET status = 'in_publicity' WHERE id = p_filing;
    ELSE
        SELECT * INTO s FROM lifecycle_settings;
        INSERT INTO recertifications (cluster_id, filing_id, decision_id, outcome, decided_on, old_valid_until, new_valid_until)
        VALUES (c.id, p_filing, new_id, 'approved', d, c.valid_until, (c.valid_until + make_interval(years => s.validity_years))::date);
        UPDATE clusters
        SET valid_until = (c.valid_until + make_interval(years => s.validity_years))::date,
            status = 'active',
            plan = coalesce(f.payload #> '{governance,plan}', plan),
            recertified_times = recertified_times + 1,
            updated_at = now()
        WHERE id = c.id;
        INSERT INTO cluster_enterprises (cluster_id, enterprise_code)
        SELECT c.id, e ->> 'code' FROM jsonb_array_elements(coalesce(f.payload -> 'enterprises', '[]')) e
        WHERE e ->> 'code' IS NOT NULL
        ON CONFLICT DO NOTHING;
        UPDATE filings SET status = 'approved' WHERE id = p_filing;
    END IF;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION decide(bigint, text, text, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION decide(bigint, text, text, text, date, text) TO cr_reviewer;

-- MARK: objections

DROP FUNCTION file_objection(bigint, text, text, text[], date);

-- Files an objection against a filing in public notice, dated today (or `p_on` as above), which
-- must fall inside the notice period. Returns the objection id.
CREATE FUNCTION file_objection(p_filing bigint, p_by text, p_reason text, p_evidence text[] DEFAULT '{}',
                               p_on date DEFAULT NULL, p_on_reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    n publicity_notices;
    d date;
    new_id bigint;
BEGIN
    f := lock_filing(p_filing);
    SELECT * INTO n FROM publicity_notices WHERE filing_id = p_filing AND state = 'open';
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR005', format('filing %s is not in public notice', p_filing),
            format('申报 %s 不在公示期内', p_filing), 'Objections are filed only while a notice is open.');
    END IF;
    IF btrim(coalesce(p_by, '')) = '' OR btrim(coalesce(p_reason, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'an objection needs who files it and a reason',
            '异议须写明提出人和理由', 'Give --by and --reason.');
    END IF;
    d := cr_stated_day(p_on, p_on_reason, format('the objection to filing %s', p_filing), format('对申报 %s 的异议', p_filing),
                       f.filed_on, format('the day filing %s was filed', p_filing), format('申报 %s 的申报日期', p_filing));
    IF d < n.starts_on OR d > n.ends_on THEN
        PERFORM lifecycle_fail('CR005',
            format('the notice of filing %s runs from %s to %s; %s is outside it', p_filing, n.starts_on, n.ends_on, d),
            format('申报 %s 的公示期为 %s 至 %s，%s 不在公示期内，不能提出异议', p_filing, n.starts_on, n.ends_on, d),
            'Objections are accepted only during the notice period.');
    END IF;
    INSERT INTO objections (notice_id, filing_id, objector, reason, evidence, filed_on)
    VALUES (n.id, p_filing, p_by, p_reason, coalesce(p_evidence, '{}'), d) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION file_objection(bigint, text, text, text[], date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION file_objection(bigint, text, text, text[], date, text) TO cr_reviewer;

-- Upholds or dismisses a pending objection, with a note; the person who resolved it is recorded.
CREATE OR REPLACE FUNCTION resolve_objection(p_objection bigint, p_upheld boolean, p_note text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    o objections;
BEGIN
    SELECT * INTO o FROM objections WHERE id = p_objection FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('objection %s does not exist', p_objection),
            format('异议 %s 不存在', p_objection), 'Check the objection id (publicity show).');
    END IF;
    IF o.state <> 'pending' THEN
        PERFORM lifecycle_fail('CR009', format('objection %s is already %s', p_objection, o.state),
            format('异议 %s 已处理（%s）', p_objection, o.state), 'A resolved objection stays resolved.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'resolving an objection needs a note', '处理异议须附说明', 'Give --note.');
    END IF;
    UPDATE objections
    SET state = CASE WHEN p_upheld THEN 'upheld' ELSE 'dismissed' END,
        resolution = p_note, resolved_by = cr_person(), resolved_at = now()
    WHERE id = p_objection;
END;
$$;
REVOKE ALL ON FUNCTION resolve_objection(bigint, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION resolve_objection(bigint, boolean, text) TO cr_reviewer;

-- MARK: close_publicity

DROP FUNCTION close_publicity(bigint, date);

-- Closes a filing's notice after its last day, dated today (or `p_on` as above). No upheld
-- objection: recognized, with a register entry valid for the validity years. An upheld objection:
-- back to the reviewer (status reviewed). Returns the new cluster id, or NULL when an objection
-- was upheld.
CREATE FUNCTION close_publicity(p_filing bigint, p_on date DEFAULT NULL, p_on_reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    n publicity_notices;
    d date;
    s lifecycle_settings;
    rf record;
    new_id bigint;
BEGIN
    f := lock_filing(p_filing);
    SELECT * INTO n FROM publicity_notices WHERE filing_id = p_filing AND state = 'open' FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR002', format('filing %s has no open notice', p_filing),
            format('申报 %s 没有进行中的公示', p_filing), 'Only an approved filing in public notice can be closed.');
    END IF;
    d := cr_stated_day(p_on, p_on_reason, format('closing the notice of filing %s', p_filing), format('结束申报 %s 的公示', p_filing),
                       f.filed_on, format('the day filing %s was filed', p_filing), format('申报 %s 的申报日期', p_filing));
    IF d <= n.ends_on THEN
        PERFORM lifecycle_fail('CR005',
            format('the notice of filing %s runs until %s; it can be closed from %s', p_filing, n.ends_on, n.ends_on + 1),
            format('申报 %s 的公示期至 %s 结束，%s 起方可结束公示', p_filing, n.ends_on, n.ends_on + 1),
            'Wait until the notice period is over.');
    END IF;
    IF EXISTS (SELECT 1 FROM objections WHERE notice_id = n.id AND state = 'pending') THEN
        PERFORM lifecycle_fail('CR006', format('filing %s has objections still pending', p_filing),
            format('申报 %s 尚有未处理的异议', p_filing), 'Uphold or dismiss each objection first (publicity resolve).');
    END IF;
    IF EXISTS (SELECT 1 FROM objections WHERE notice_id = n.id AND state = 'upheld') THEN
        UPDATE publicity_notices SET state = 'objection_upheld', closed_on = d, closed_by = cr_person() WHERE id = n.id;
        UPDATE filings SET status = 'reviewed' WHERE id = p_filing;
        RETURN NULL;
    END IF;
    SELECT * INTO s FROM lifecycle_settings;
    UPDATE publicity_notices SET state = 'recognized', closed_on = d, closed_by = cr_person() WHERE id = n.id;
    SELECT * INTO rf FROM register_fields(f.payload);
    INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until, plan,
                          leading_industry, spatial_extent, county_codes, area_km2, management_body)
    VALUES (format('HN-ZXJQ-%s-%s', extract(year FROM d), lpad(nextval('certificate_numbers')::text, 4, '0')),
            p_filing, f.county_code, f.cluster_name, d, (d + make_interval(years => s.validity_years))::date,
            coalesce(f.payload #> '{governance,plan}', '{}'),
            coalesce(rf.leading_industry, ''), rf.spatial_extent, rf.county_codes, rf.area_km2, rf.management_body)
    RETURNING id INTO new_id;
    INSERT INTO cluster_enterprises (cluster_id, enterprise_code)
    SELECT new_id, e ->> 'code' FROM jsonb_array_elements(coalesce(f.payload -> 'enterprises', '[]')) e
    WHERE e ->> 'code' IS NOT NULL
    ON CONFLICT DO NOTHING;
    UPDATE filings SET status = 'recognized', cluster_id = new_id WHERE id = p_filing;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION close_publicity(bigint, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION close_publicity(bigint, date, text) TO cr_reviewer;

-- MARK: change reports

DROP FUNCTION accept_change_report(bigint, text, date);
DROP FUNCTION reject_change_report(bigint, text, date);

-- Accepts a pending change report, dated today (or `p_on` as above, never before the report was
-- filed): the register takes the reported values.
CREATE FUNCTION accept_change_report(p_filing bigint, p_note text, p_on date DEFAULT NULL, p_on_reason text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    r change_reports;
    c clusters;
    f filings;
    rf record;
    d date;
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
    d := cr_stated_day(p_on, p_on_reason, format('accepting change report %s', p_filing), format('核准变更报告 %s', p_filing),
                       r.filed_on, format('the day change report %s was filed', p_filing), format('变更报告 %s 的报送日期', p_filing));
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
    UPDATE change_reports SET state = 'accepted', note = p_note, decided_by = cr_person(), decided_on = d
    WHERE filing_id = p_filing;
END;
$$;
REVOKE ALL ON FUNCTION accept_change_report(bigint, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accept_change_report(bigint, text, date, text) TO cr_reviewer;

-- Rejects a pending change report (a note is required), dated today (or `p_on` as above); the
-- register keeps its values.
CREATE FUNCTION reject_change_report(p_filing bigint, p_note text, p_on date DEFAULT NULL, p_on_reason text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    r change_reports;
    d date;
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
    d := cr_stated_day(p_on, p_on_reason, format('rejecting change report %s', p_filing), format('驳回变更报告 %s', p_filing),
                       r.filed_on, format('the day change report %s was filed', p_filing), format('变更报告 %s 的报送日期', p_filing));
    UPDATE change_reports SET state = 'rejected', note = p_note, decided_by = cr_person(), decided_on = d
    WHERE filing_id = p_filing;
END;
$$;
REVOKE ALL ON FUNCTION reject_change_report(bigint, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reject_change_report(bigint, text, date, text) TO cr_reviewer;

-- MARK: incidents and false filings

-- Records an incident; checks the code, the category, the grade, and that it did not occur after
-- today (CR011). Returns its id.
CREATE OR REPLACE FUNCTION record_incident(p_code text, p_occurred_on date, p_category text, p_grade text, p_source text,
                                           p_description text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT coalesce(uscc_valid(p_code), false) THEN
        PERFORM lifecycle_fail('CR008', format('%L is not a valid unified social credit code', p_code),
            format('%L 不是有效的统一社会信用代码', p_code), 'Check the 18 characters and the check symbol (GB 32100-2015).');
    END IF;
    IF p_category IS NULL OR p_category NOT IN ('safety', 'quality', 'environment', 'cyber', 'data', 'tax_evasion', 'illegal_conduct', 'serious_dishonesty', 'other_major') THEN
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
    IF p_occurred_on IS NULL OR p_occurred_on > cr_today() THEN
        PERFORM lifecycle_fail('CR011',
            format('an incident cannot have occurred on %s: that is after today, %s (Asia/Shanghai)', p_occurred_on, cr_today()),
            format('事件发生日期 %s 晚于今天（北京时间 %s），不予登记', p_occurred_on, cr_today()),
            'Give --date, the day it happened (today or earlier).');
    END IF;
    INSERT INTO incidents (enterprise_code, occurred_on, category, grade, source, description)
    VALUES (p_code, p_occurred_on, p_category, p_grade, p_source, coalesce(p_description, ''))
    RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION record_incident(text, date, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_incident(text, date, text, text, text, text) TO cr_admin;

DROP FUNCTION flag_false_filing(bigint, bigint, text, date);

-- Flags a false filing (or an illegal act) against a register entry, dated today (or `p_on` as
-- above, never before the cluster was recognized). Returns the flag id.
CREATE FUNCTION flag_false_filing(p_cluster bigint, p_filing bigint, p_note text, p_on date DEFAULT NULL,
                                  p_on_reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    c clusters;
    d date;
    new_id bigint;
BEGIN
    SELECT * INTO c FROM clusters WHERE id = p_cluster;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('cluster %s is not in the register', p_cluster),
            format('认定名单中没有集群 %s', p_cluster), 'Check the id (register list).');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a false-filing flag needs a note saying what was false',
            '标记虚假申报须说明虚假内容', 'Give --note.');
    END IF;
    d := cr_stated_day(p_on, p_on_reason, format('the false-filing flag on cluster %s', p_cluster), format('对集群 %s 的虚假申报标记', p_cluster),
                       c.recognized_on, format('the day cluster %s was recognized', p_cluster), format('集群 %s 的认定日期', p_cluster));
    INSERT INTO false_filing_flags (cluster_id, filing_id, note, flagged_on)
    VALUES (p_cluster, p_filing, p_note, d) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION flag_false_filing(bigint, bigint, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flag_false_filing(bigint, bigint, text, date, text) TO cr_reviewer;

-- MARK: revocations

DROP FUNCTION resolve_sweep_action(bigint, boolean, text, date);

-- An administrator confirms (the cluster is revoked on the action's ground, dated today or `p_on`
-- as above, never before the sweep found it) or dismisses a proposed revocation.
CREATE FUNCTION resolve_sweep_action(p_action bigint, p_confirm boolean, p_note text, p_on date DEFAULT NULL,
                                     p_on_reason text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    a sweep_actions;
    d date;
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
    d := cr_stated_day(p_on, p_on_reason, format('resolving sweep action %s', p_action), format('处理巡查事项 %s', p_action),
                       a.found_on, format('the day the sweep found action %s', p_action), format('巡查发现事项 %s 的日期', p_action));
    UPDATE sweep_actions
    SET state = CASE WHEN p_confirm THEN 'confirmed' ELSE 'dismissed' END,
        resolved_by = cr_person(), resolved_at = now(), note = p_note
    WHERE id = p_action;
    IF p_confirm THEN
        UPDATE clusters
        SET status = 'revoked', revoked_on = d, revocation_ground = a.ground, grounds = a.evidence ->> 'reason',
            updated_at = now()
        WHERE id = a.cluster_id AND status <> 'revoked';
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION resolve_sweep_action(bigint, boolean, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION resolve_sweep_action(bigint, boolean, text, date, text) TO cr_admin;

-- MARK: one "today"

-- 004's lifecycle_day (NULL = today) is replaced by cr_today() and cr_stated_day() everywhere.
DROP FUNCTION lifecycle_day(date);
