-- Confirmations (issue 15, item 6): warned findings are acknowledged, a confirmation can be
-- replaced until the decision, several are confirmed at once.
--
--   * `confirm_finding` takes a `manual` finding (the reviewer confirms it) or a `warn` finding
--     (the reviewer acknowledges the warning): accepted or rejected, with a note.
--   * A second confirmation of the same finding replaces the first while the filing is reviewed
--     and undecided: the row is updated (who, when, accepted, note), and the audit log keeps the
--     row before and after (audit_confirmations, 006). Once a decision is recorded on the review,
--     its confirmations are final (CR009), whatever the filing's status since.
--   * `confirm_findings` confirms a list of criteria, or every manual finding of the latest review,
--     in one call: each recorded separately (a row each, an audit row each), all or none.
--   * `decide … approve` is refused (CR003), naming each criterion, unless every `manual` finding
--     is confirmed and accepted and every `warn` finding acknowledged and accepted (and none
--     failed or errored).
-- Each function below is whole, in its final form, with its grants beside it.

-- MARK: confirm_finding

-- Confirms (accepts) or rejects one manual finding, or acknowledges one warned finding, of the
-- filing's latest completed decision review; replaces an earlier confirmation of it until the
-- decision. Returns the confirmation id (the same id when it replaces one).
CREATE OR REPLACE FUNCTION confirm_finding(p_filing bigint, p_criterion text, p_accept boolean, p_note text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    r bigint;
    v text;
    dec decisions;
    existing bigint;
    new_id bigint;
BEGIN
    f := lock_filing(p_filing);
    r := latest_decision_review(p_filing);
    SELECT * INTO dec FROM decisions WHERE review_id = r ORDER BY decided_at DESC, id DESC LIMIT 1;
    IF FOUND THEN
        PERFORM lifecycle_fail('CR009',
            format('the confirmations of filing %s are final: it was decided (%s, decision #%s on %s)',
                   p_filing, dec.decision, dec.id, dec.decided_on),
            format('申报 %s 已作出决定（%s，决定 #%s，%s），其确认意见不能再更改', p_filing, dec.decision, dec.id, dec.decided_on),
            'A confirmation can be replaced only until the filing is decided; the audit log keeps every confirmation.');
    END IF;
    IF f.status <> 'reviewed' THEN
        PERFORM lifecycle_fail('CR002',
            format('filing %s is %s: findings are confirmed only while it is reviewed and undecided', p_filing, f.status),
            format('申报 %s 当前状态为 %s：只有已审查、尚未决定的申报才能确认审查意见', p_filing, f.status),
            'Wait for the review to finish, or look at the filing''s status.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a confirmation needs a note saying why',
            '确认须附说明理由', 'Give --note with the reason.');
    END IF;
    SELECT verdict INTO v FROM findings WHERE review_id = r AND criterion = p_criterion;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001',
            format('the latest review of filing %s has no finding %s', p_filing, p_criterion),
            format('申报 %s 的最近一次审查没有指标 %s 的审查意见', p_filing, p_criterion),
            'List the filing''s findings and use a criterion id such as COMP-9.');
    END IF;
    IF v NOT IN ('manual', 'warn') THEN
        PERFORM lifecycle_fail('CR002',
            format('finding %s of filing %s is %s: only manual findings are confirmed and warned ones acknowledged', p_criterion, p_filing, v),
            format('申报 %s 的指标 %s 结论为 %s：只有“人工判断”项需要确认、“提示”项需要知悉确认', p_filing, p_criterion, v),
            'Confirm only the findings whose verdict is manual or warn; a module error is rerun, not confirmed.');
    END IF;
    SELECT id INTO existing FROM confirmations WHERE review_id = r AND criterion = p_criterion FOR UPDATE;
    IF FOUND THEN
        UPDATE confirmations
        SET accepted = p_accept, note = p_note, confirmed_by = cr_person(), confirmed_at = now()
        WHERE id = existing;
        RETURN existing;
    END IF;
    INSERT INTO confirmations (review_id, criterion, filing_id, accepted, note)
    VALUES (r, p_criterion, p_filing, p_accept, p_note) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION confirm_finding(bigint, text, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION confirm_finding(bigint, text, boolean, text) TO cr_reviewer;

-- MARK: confirm_findings

-- Confirms several findings of a filing's latest decision review with one word and one note:
-- `p_criteria`, or every `manual` finding when it is NULL. Each is confirmed by confirm_finding
-- (its checks, its row, its audit row); the first refusal undoes them all. Returns each
-- criterion with its confirmation id, in criterion order.
CREATE FUNCTION confirm_findings(p_filing bigint, p_criteria text[], p_accept boolean, p_note text)
RETURNS TABLE (criterion text, confirmation_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    r bigint;
    wanted text[];
    c text;
BEGIN
    PERFORM lock_filing(p_filing);
    IF p_criteria IS NULL THEN
        r := latest_decision_review(p_filing);
        wanted := ARRAY(SELECT fi.criterion FROM findings fi WHERE fi.review_id = r AND fi.verdict = 'manual' ORDER BY fi.criterion);
        IF cardinality(wanted) = 0 THEN
            PERFORM lifecycle_fail('CR001',
                format('the latest review of filing %s has no manual finding', p_filing),
                format('申报 %s 的最近一次审查没有人工判断项', p_filing),
                'Name the criteria to confirm, e.g. confirm ID COMP-5 accept --note …; look at the report for warned findings.');
        END IF;
    ELSE
        wanted := ARRAY(SELECT DISTINCT x FROM unnest(p_criteria) AS x ORDER BY x);
        IF cardinality(wanted) = 0 THEN
            PERFORM lifecycle_fail('CR008', 'no criterion to confirm', '未指定要确认的指标',
                'Name at least one criterion, or confirm every manual finding with --all-manual.');
        END IF;
    END IF;
    FOREACH c IN ARRAY wanted LOOP
        criterion := c;
        confirmation_id := confirm_finding(p_filing, c, p_accept, p_note);
        RETURN NEXT;
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION confirm_findings(bigint, text[], boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION confirm_findings(bigint, text[], boolean, text) TO cr_reviewer;

-- MARK: decide

-- Decides a reviewed filing: approve, refuse (with grounds) or return (for a corrected filing).
-- Approval needs every manual finding confirmed and every warned finding acknowledged, both
-- accepted, and no failed or errored finding (CR003 names each criterion otherwise).
-- An initial filing approved enters its public notice; a recertification approved extends the
-- register entry by the validity years from its old expiry. Dated today, or `p_on` (021: never
-- after today nor before the filing's date; before today an administrator's, with a reason).
-- Returns the decision id.
CREATE OR REPLACE FUNCTION decide(p_filing bigint, p_decision text, p_note text, p_grounds text DEFAULT NULL,
                                  p_on date DEFAULT NULL, p_on_reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    r bigint;
    d date;
    s lifecycle_settings;
    blocking text;
    blocking_zh text;
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
        SELECT string_agg(x.criterion || ' ' || x.why, ', ' ORDER BY x.criterion),
               string_agg(x.criterion || ' ' || x.why_zh, '，' ORDER BY x.criterion)
        INTO blocking, blocking_zh
        FROM (
            SELECT fi.criterion,
                   CASE WHEN fi.verdict IN ('fail', 'error') THEN fi.verdict
                        WHEN fi.verdict = 'manual' AND co.id IS NULL THEN 'manual (unconfirmed)'
                        WHEN fi.verdict = 'manual' THEN 'manual (rejected)'
                        WHEN co.id IS NULL THEN 'warn (unacknowledged)'
                        ELSE 'warn (rejected)' END AS why,
                   CASE WHEN fi.verdict = 'fail' THEN '未通过'
                        WHEN fi.verdict = 'error' THEN '模块出错'
                        WHEN fi.verdict = 'manual' AND co.id IS NULL THEN '人工判断项未确认'
                        WHEN fi.verdict = 'manual' THEN '人工判断项不予采纳'
                        WHEN co.id IS NULL THEN '提示项未确认知悉'
                        ELSE '提示项不予采纳' END AS why_zh
            FROM findings fi
            LEFT JOIN confirmations co ON co.review_id = fi.review_id AND co.criterion = fi.criterion
            WHERE fi.review_id = r
              AND (fi.verdict IN ('fail', 'error')
                   OR (fi.verdict IN ('manual', 'warn') AND coalesce(co.accepted, false) = false))
        ) x;
        IF blocking IS NOT NULL THEN
            PERFORM lifecycle_fail('CR003',
                format('filing %s cannot be approved: %s', p_filing, blocking),
                format('申报 %s 不能通过：%s（人工判断项须逐项确认，提示项须逐项确认知悉，不合格或出错的指标不能通过）', p_filing, blocking_zh),
                'Confirm each manual finding and acknowledge each warned one (cluster-review confirm ID CRITERION... accept --note ...), or refuse or return the filing.');
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
