-- The life of a recognition, part 1: reviewer decisions, public notice, the register and
-- recertification (criteria.md "Procedure and dynamic management", measures Art. 9–12).
--
-- Every state change goes through one SECURITY DEFINER function that checks the transition and
-- raises a clear error, so roles and row-level security can later be laid over the tables
-- without touching the rules. Errors use custom SQLSTATEs (ReviewCore's LifecycleError maps them):
--
--   CR001  not found                      CR006  an objection is still pending
--   CR002  not allowed in this state      CR007  a revoked cluster cannot be recertified
--   CR003  approval blocked by findings   CR008  invalid input
--   CR004  grounds or note required       CR009  already done (duplicate)
--   CR005  outside the notice period
--
-- The message is English; DETAIL carries the Chinese text; HINT says what to do.
-- Dates are civil dates in Asia/Shanghai: every function takes `p_on date` (NULL = today there),
-- which the tests use to walk a simulated calendar.

-- MARK: filing statuses

ALTER TABLE filings ADD CONSTRAINT filings_status_check CHECK (status IN (
    'submitted', 'in_review', 'reviewed', 'review_failed', 'recorded', 'returned', 'approved',
    'in_publicity', 'recognized', 'refused', 'superseded'));

COMMENT ON COLUMN filings.status IS
    'submitted → in_review → reviewed | review_failed | recorded (monitoring); reviewed → returned '
    '(→ superseded by a corrected filing) | refused | in_publicity (initial) → recognized | reviewed '
    '(objection upheld); reviewed → approved (recertification, validity extended).';

-- MARK: settings and the holiday calendar

-- One row: the lifecycle parameters, loaded from config/lifecycle.json by ReviewCore.
CREATE TABLE lifecycle_settings (
    singleton              boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    publicity_working_days integer NOT NULL DEFAULT 5 CHECK (publicity_working_days BETWEEN 1 AND 60),
    expiry_notice_days     integer NOT NULL DEFAULT 90 CHECK (expiry_notice_days BETWEEN 0 AND 366),
    revocation_mode        text NOT NULL DEFAULT 'propose' CHECK (revocation_mode IN ('propose', 'apply')),
    validity_years         integer NOT NULL DEFAULT 3 CHECK (validity_years BETWEEN 1 AND 10)
);
INSERT INTO lifecycle_settings DEFAULT VALUES;

-- Days that differ from the Monday–Friday rule: public holidays and adjusted working days (调休).
-- Loaded from config/calendar.json by ReviewCore; an empty table means weekends only.
CREATE TABLE calendar_days (
    day  date PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name text NOT NULL DEFAULT ''
);

-- Whether `d` is a working day: the calendar's word if it has one, otherwise Monday to Friday.
CREATE FUNCTION is_working_day(d date) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce((SELECT kind = 'workday' FROM calendar_days WHERE day = d), extract(isodow FROM d) < 6)
$$;

-- The n-th working day after `d` (n >= 1); `d` itself never counts.
CREATE FUNCTION add_working_days(d date, n integer) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT g::date
    FROM generate_series(d + 1, d + n * 2 + 40, interval '1 day') AS g
    WHERE is_working_day(g::date)
    ORDER BY g
    OFFSET n - 1 LIMIT 1
$$;

-- Today in Asia/Shanghai, unless the caller names the day.
CREATE FUNCTION lifecycle_day(p_on date) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce(p_on, (now() AT TIME ZONE 'Asia/Shanghai')::date)
$$;

-- Raises a lifecycle error: English message, Chinese detail, a hint.
CREATE FUNCTION lifecycle_fail(code text, en text, zh text, hint text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = en, DETAIL = zh, HINT = hint;
END;
$$;

-- MARK: the register

CREATE SEQUENCE certificate_numbers AS integer;

-- The register (认定名单): one entry per recognized cluster.
CREATE TABLE clusters (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    certificate_no   text NOT NULL UNIQUE,
    filing_id        bigint NOT NULL UNIQUE REFERENCES filings (id),
    county_code      text NOT NULL REFERENCES counties (code),
    name             text NOT NULL,
    recognized_on    date NOT NULL,
    valid_until      date NOT NULL,
    plan             jsonb NOT NULL DEFAULT '{}',
    leading_industry text NOT NULL,
    spatial_extent   text NOT NULL,
    county_codes     text[] NOT NULL DEFAULT '{}',
    area_km2         numeric,
    management_body  text NOT NULL,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'revoked')),
    revoked_on       date,
    revocation_ground text CHECK (revocation_ground IN ('14(1)', '14(2)', '14(3)', '14(4)', '14(5)')),
    grounds          text,
    recertified_times integer NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until > recognized_on),
    CHECK ((status = 'revoked') = (revoked_on IS NOT NULL AND revocation_ground IS NOT NULL))
);
CREATE INDEX clusters_valid_until_idx ON clusters (valid_until) WHERE status <> 'revoked';
CREATE INDEX clusters_county_idx ON clusters (county_code);

COMMENT ON TABLE clusters IS 'The register: recognized clusters, valid three years (Art. 12), revoked on an Art. 14 ground.';

-- The enterprises of a cluster, by unified social credit code: incidents are matched through them.
CREATE TABLE cluster_enterprises (
    cluster_id      bigint NOT NULL REFERENCES clusters (id),
    enterprise_code text NOT NULL,
    PRIMARY KEY (cluster_id, enterprise_code)
);
CREATE INDEX cluster_enterprises_code_idx ON cluster_enterprises (enterprise_code);

-- Recertification, annual-report and change-report filings name the register entry they are for.
ALTER TABLE filings ADD COLUMN cluster_id bigint REFERENCES clusters (id);
CREATE INDEX filings_cluster_idx ON filings (cluster_id, kind) WHERE cluster_id IS NOT NULL;

-- MARK: confirmations, decisions

-- A reviewer's word on one `manual` finding (a waiver claim included).
CREATE TABLE confirmations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id    bigint NOT NULL,
    criterion    text NOT NULL,
    filing_id    bigint NOT NULL REFERENCES filings (id),
    accepted     boolean NOT NULL,
    note         text NOT NULL CHECK (btrim(note) <> ''),
    confirmed_by text NOT NULL DEFAULT session_user,
    confirmed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (review_id, criterion),
    FOREIGN KEY (review_id, criterion) REFERENCES findings (review_id, criterion)
);

-- A reviewer's decision on a reviewed filing.
CREATE TABLE decisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    filing_id   bigint NOT NULL REFERENCES filings (id),
    review_id   bigint NOT NULL REFERENCES reviews (id),
    decision    text NOT NULL CHECK (decision IN ('approve', 'refuse', 'return')),
    note        text NOT NULL CHECK (btrim(note) <> ''),
    grounds     text,
    decided_on  date NOT NULL,
    decided_by  text NOT NULL DEFAULT session_user,
    decided_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (decision <> 'refuse' OR btrim(coalesce(grounds, '')) <> '')
);
CREATE INDEX decisions_filing_idx ON decisions (filing_id, decided_at DESC);

-- Outcomes of recertification filings (Art. 12): refused ones are a 14(1) ground for the sweep.
CREATE TABLE recertifications (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id          bigint NOT NULL REFERENCES clusters (id),
    filing_id           bigint NOT NULL UNIQUE REFERENCES filings (id),
    decision_id         bigint NOT NULL REFERENCES decisions (id),
    outcome             text NOT NULL CHECK (outcome IN ('approved', 'refused')),
    decided_on          date NOT NULL,
    old_valid_until     date NOT NULL,
    new_valid_until     date
);
CREATE INDEX recertifications_cluster_idx ON recertifications (cluster_id, decided_on);

-- MARK: public notice

CREATE TABLE publicity_notices (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    filing_id   bigint NOT NULL REFERENCES filings (id),
    decision_id bigint NOT NULL REFERENCES decisions (id),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'recognized', 'objection_upheld')),
    closed_on   date,
    closed_by   text,
    CHECK (ends_on >= starts_on),
    CHECK ((state = 'open') = (closed_on IS NULL))
);
-- At most one open notice per filing.
CREATE UNIQUE INDEX publicity_notices_open_idx ON publicity_notices (filing_id) WHERE state = 'open';

CREATE TABLE objections (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id   bigint NOT NULL REFERENCES publicity_notices (id),
    filing_id   bigint NOT NULL REFERENCES filings (id),
    objector    text NOT NULL CHECK (btrim(objector) <> ''),
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    evidence    text[] NOT NULL DEFAULT '{}',
    filed_on    date NOT NULL,
    state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'upheld', 'dismissed')),
    resolution  text,
    resolved_by text,
    resolved_at timestamptz,
    recorded_by text NOT NULL DEFAULT session_user,
    CHECK ((state = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX objections_notice_idx ON objections (notice_id);

-- MARK: corrected filings

-- A corrected filing names the returned one in `supersedes`; the returned one becomes superseded.
CREATE FUNCTION filings_link_correction() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    old_status text;
BEGIN
    SELECT status INTO old_status FROM filings WHERE id = NEW.supersedes FOR UPDATE;
    IF old_status IS DISTINCT FROM 'returned' THEN
        PERFORM lifecycle_fail('CR002',
            format('filing %s is %s, not returned: only a returned filing can be superseded by a corrected one', NEW.supersedes, coalesce(old_status, 'missing')),
            format('申报 %s 的状态为 %s，不是“已退回”：只有退回的申报才能由更正申报取代', NEW.supersedes, coalesce(old_status, '不存在')),
            'Submit the corrected filing with supersedes = the id of a returned filing.');
    END IF;
    UPDATE filings SET status = 'superseded' WHERE id = NEW.supersedes;
    IF NEW.cluster_id IS NULL THEN
        NEW.cluster_id := (SELECT cluster_id FROM filings WHERE id = NEW.supersedes);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER filings_link_correction BEFORE INSERT ON filings
    FOR EACH ROW WHEN (NEW.supersedes IS NOT NULL) EXECUTE FUNCTION filings_link_correction();

-- MARK: helpers

-- The latest completed decision review of a filing.
CREATE FUNCTION latest_decision_review(p_filing bigint) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT id FROM reviews
    WHERE filing_id = p_filing AND purpose = 'decision' AND outcome = 'completed'
    ORDER BY finished_at DESC, id DESC LIMIT 1
$$;

-- Locks and returns a filing's status; raises CR001 when there is none.
CREATE FUNCTION lock_filing(p_filing bigint) RETURNS filings
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    f filings;
BEGIN
    SELECT * INTO f FROM filings WHERE id = p_filing FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('filing %s does not exist', p_filing),
            format('申报 %s 不存在', p_filing), 'Check the filing id (cluster-review filings list).');
    END IF;
    RETURN f;
END;
$$;

-- The register fields a filing states: leading industry, spatial extent, county codes, area,
-- management body. The spatial extent and management body may be given in `cluster`; otherwise
-- the extent is the county codes with the area, and the body the applicant authority.
CREATE FUNCTION register_fields(p jsonb,
    OUT leading_industry text, OUT spatial_extent text, OUT county_codes text[], OUT area_km2 numeric,
    OUT management_body text)
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public AS $$
    SELECT p #>> '{cluster,leading_industry}',
           coalesce(p #>> '{cluster,spatial_extent}',
                    array_to_string(ARRAY(SELECT jsonb_array_elements_text(coalesce(p #> '{cluster,county_codes}', '[]'))), ',')
                    || coalesce(' · ' || (p #>> '{cluster,area_km2}') || ' km²', '')),
           ARRAY(SELECT jsonb_array_elements_text(coalesce(p #> '{cluster,county_codes}', '[]')) ORDER BY 1),
           (p #>> '{cluster,area_km2}')::numeric,
           coalesce(p #>> '{cluster,management_body}', p #>> '{governance,management_body}', p #>> '{applicant,authority}', '')
$$;

-- MARK: confirm_finding

-- Confirms (accepts) or rejects one manual finding of a filing's latest completed decision review.
CREATE FUNCTION confirm_finding(p_filing bigint, p_criterion text, p_accept boolean, p_note text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    f filings;
    r bigint;
    v text;
    new_id bigint;
BEGIN
    f := lock_filing(p_filing);
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
    r := latest_decision_review(p_filing);
    SELECT verdict INTO v FROM findings WHERE review_id = r AND criterion = p_criterion;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001',
            format('the latest review of filing %s has no finding %s', p_filing, p_criterion),
            format('申报 %s 的最近一次审查没有指标 %s 的审查意见', p_filing, p_criterion),
            'List the filing''s findings and use a criterion id such as COMP-9.');
    END IF;
    IF v <> 'manual' THEN
        PERFORM lifecycle_fail('CR002',
            format('finding %s of filing %s is %s, not manual: only manual findings are confirmed', p_criterion, p_filing, v),
            format('申报 %s 的指标 %s 结论为 %s，不是“人工判断”：只有人工判断项需要确认', p_filing, p_criterion, v),
            'Confirm only the findings whose verdict is manual.');
    END IF;
    IF EXISTS (SELECT 1 FROM confirmations WHERE review_id = r AND criterion = p_criterion) THEN
        PERFORM lifecycle_fail('CR009',
            format('finding %s of filing %s is already confirmed', p_criterion, p_filing),
            format('申报 %s 的指标 %s 已经确认过', p_filing, p_criterion),
            'A confirmation is final; if it was wrong, return the filing for correction.');
    END IF;
    INSERT INTO confirmations (review_id, criterion, filing_id, accepted, note)
    VALUES (r, p_criterion, p_filing, p_accept, p_note) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;

-- MARK: decide

-- Decides a reviewed filing: approve, refuse (with grounds) or return (for a corrected filing).
-- An initial filing approved enters its public notice; a recertification approved extends the
-- register entry by the validity years from its old expiry. Returns the decision id.
CREATE FUNCTION decide(p_filing bigint, p_decision text, p_note text, p_grounds text DEFAULT NULL, p_on date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    f filings;
    r bigint;
    d date := lifecycle_day(p_on);
    s lifecycle_settings;
    blocking text;
    c clusters;
    new_id bigint;
    starts date;
BEGIN
    f := lock_filing(p_filing);
    IF p_decision NOT IN ('approve', 'refuse', 'return') THEN
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

-- MARK: objections

-- Files an objection against a filing in public notice; only on a day inside the notice period.
CREATE FUNCTION file_objection(p_filing bigint, p_by text, p_reason text, p_evidence text[] DEFAULT '{}', p_on date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    n publicity_notices;
    d date := lifecycle_day(p_on);
    new_id bigint;
BEGIN
    PERFORM lock_filing(p_filing);
    SELECT * INTO n FROM publicity_notices WHERE filing_id = p_filing AND state = 'open';
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR005', format('filing %s is not in public notice', p_filing),
            format('申报 %s 不在公示期内', p_filing), 'Objections are filed only while a notice is open.');
    END IF;
    IF d < n.starts_on OR d > n.ends_on THEN
        PERFORM lifecycle_fail('CR005',
            format('the notice of filing %s runs from %s to %s; %s is outside it', p_filing, n.starts_on, n.ends_on, d),
            format('申报 %s 的公示期为 %s 至 %s，%s 不在公示期内，不能提出异议', p_filing, n.starts_on, n.ends_on, d),
            'Objections are accepted only during the notice period.');
    END IF;
    IF btrim(coalesce(p_by, '')) = '' OR btrim(coalesce(p_reason, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'an objection needs who files it and a reason',
            '异议须写明提出人和理由', 'Give --by and --reason.');
    END IF;
    INSERT INTO objections (notice_id, filing_id, objector, reason, evidence, filed_on)
    VALUES (n.id, p_filing, p_by, p_reason, coalesce(p_evidence, '{}'), d) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;

-- Upholds or dismisses a pending objection, with a note.
CREATE FUNCTION resolve_objection(p_objection bigint, p_upheld boolean, p_note text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
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
        resolution = p_note, resolved_by = session_user, resolved_at = now()
    WHERE id = p_objection;
END;
$$;

-- MARK: close_publicity

-- Closes a filing's notice after its last day. No upheld objection: recognized, with a register
-- entry valid for the validity years. An upheld objection: back to the reviewer (status reviewed).
-- Returns the new cluster id, or NULL when an objection was upheld.
CREATE FUNCTION close_publicity(p_filing bigint, p_on date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    f filings;
    n publicity_notices;
    d date := lifecycle_day(p_on);
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
        UPDATE publicity_notices SET state = 'objection_upheld', closed_on = d, closed_by = session_user WHERE id = n.id;
        UPDATE filings SET status = 'reviewed' WHERE id = p_filing;
        RETURN NULL;
    END IF;
    SELECT * INTO s FROM lifecycle_settings;
    UPDATE publicity_notices SET state = 'recognized', closed_on = d, closed_by = session_user WHERE id = n.id;
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
