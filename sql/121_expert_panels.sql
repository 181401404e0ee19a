-- Expert panels (专家评审) (issue 17, item 2; docs/security.md, "Experts"; docs/lifecycle.md,
-- "Expert panels").
--
-- Experts are people with a login of their own holding the group role cr_expert, with the fields
-- (industries) they judge and a home county (`experts`, written by register_expert, an
-- administrator's). Each expert declares conflicts of interest (declare_conflict: a county, an
-- enterprise by its unified social credit code, or a filing). An administrator or reviewer forms a
-- panel for a filing (form_panel) of at least `min_experts` experts (panel_settings), none from the
-- filing's county and none with a declared conflict with it — the assignment refuses a conflicted
-- expert and says why (CR020) — and may add one later (assign_expert). An expert reads only the
-- filings assigned to them, their reviews and findings (row-level security through
-- cr_my_panel_filings()), and scores each judgement criterion the machine left `manual` in the
-- filing's latest decision review: 0–100, agree or disagree with a pass, and a note
-- (score_criterion), then submits (submit_scores: every manual criterion scored; final after it).
-- An expert reads another expert's scores of a panel only once their own are submitted (enforced
-- by the policy on expert_scores). The panel's result per criterion (`panel_results`: the median of
-- the submitted scores, the spread max − min, agree and disagree counts, flagged when the spread is
-- above `spread_bound`) is what the reviewer confirms from: once a filing has a panel, a finding is
-- confirmed only when every member has submitted (confirmations_need_the_panel).

-- MARK: the role

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cr_expert') THEN
        BEGIN
            CREATE ROLE cr_expert NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by another database's migration
        END;
    END IF;
END;
$$;

-- cr_group_for (010) with one spec more: `expert`.
CREATE OR REPLACE FUNCTION cr_group_for(p_spec text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF p_spec IN ('reviewer', 'admin', 'coordinator', 'auditor', 'expert') THEN
        RETURN 'cr_' || p_spec;
    ELSIF p_spec ~ '^county:46[0-9]{4}$' AND EXISTS (SELECT FROM counties WHERE code = substr(p_spec, 8)) THEN
        RETURN 'cr_county_' || substr(p_spec, 8);
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('unknown role %L: use county:<code of a Hainan county-level division>, reviewer, admin, coordinator, auditor or expert', p_spec),
        DETAIL = format('未知角色 %L：请用 county:<县级行政区代码>、reviewer、admin、coordinator、auditor 或 expert', p_spec),
        HINT = 'cluster-review counties lists the county codes.';
END;
$$;
REVOKE ALL ON FUNCTION cr_group_for(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_group_for(text) TO cr_admin, cr_auditor;

-- An expert reads the counties (to name them) and the day.
GRANT SELECT ON counties TO cr_expert;
CREATE POLICY counties_expert_read ON counties FOR SELECT TO cr_expert USING (true);
GRANT EXECUTE ON FUNCTION cr_today() TO cr_expert;

-- MARK: experts and their conflicts

CREATE TABLE experts (
    login       text PRIMARY KEY CHECK (login ~ '^[a-z][a-z0-9_]{1,62}$'),
    fields      text[] NOT NULL CHECK (cardinality(fields) BETWEEN 1 AND 20),
    home_county text NOT NULL REFERENCES counties (code),
    added_by    text NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE experts IS 'Experts (cr_expert logins): their fields and home county; see sql/121.';

CREATE TABLE expert_conflicts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    expert      text NOT NULL REFERENCES experts (login),
    -- A county (other than the home county, which is a conflict always), an enterprise (its
    -- unified social credit code), or a filing.
    kind        text NOT NULL CHECK (kind IN ('county', 'enterprise', 'filing')),
    subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 40),
    note        text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 2000),
    declared_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (expert, kind, subject)
);

CREATE TABLE panel_settings (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- A panel has at least this many experts.
    min_experts  integer NOT NULL DEFAULT 3 CHECK (min_experts BETWEEN 1 AND 15),
    -- A criterion whose scores spread (max − min) more than this is flagged for discussion.
    spread_bound integer NOT NULL DEFAULT 20 CHECK (spread_bound BETWEEN 0 AND 100)
);
INSERT INTO panel_settings DEFAULT VALUES;

CREATE TABLE panels (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    filing_id  bigint NOT NULL UNIQUE REFERENCES filings (id),
    formed_by  text NOT NULL,
    formed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE panel_members (
    panel_id     bigint NOT NULL REFERENCES panels (id),
    expert       text NOT NULL REFERENCES experts (login),
    assigned_by  text NOT NULL,
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    -- Set when the expert submits their scores; final from then.
    submitted_at timestamptz,
    PRIMARY KEY (panel_id, expert)
);
CREATE INDEX panel_members_expert_idx ON panel_members (expert);

CREATE TABLE expert_scores (
    panel_id   bigint NOT NULL,
    expert     text NOT NULL,
    criterion  text NOT NULL,
    score      integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    -- Agree or disagree that the criterion is passed.
    verdict    text NOT NULL CHECK (verdict IN ('agree', 'disagree')),
    note       text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 4000),
    scored_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (panel_id, expert, criterion),
    FOREIGN KEY (panel_id, expert) REFERENCES panel_members (panel_id, expert)
);

CREATE TRIGGER audit_experts AFTER INSERT OR UPDATE OR DELETE ON experts FOR EACH ROW EXECUTE FUNCTION audit_row('login');
CREATE TRIGGER audit_expert_conflicts AFTER INSERT OR UPDATE OR DELETE ON expert_conflicts FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_panels AFTER INSERT OR UPDATE OR DELETE ON panels FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit_panel_members AFTER INSERT OR UPDATE OR DELETE ON panel_members FOR EACH ROW EXECUTE FUNCTION audit_row('panel_id');
CREATE TRIGGER audit_expert_scores AFTER INSERT OR UPDATE OR DELETE ON expert_scores FOR EACH ROW EXECUTE FUNCTION audit_row('panel_id');

-- MARK: what an expert may read

-- The filings on whose panels the person sits. Policies call it as `(SELECT cr_my_panel_filings())`,
-- so it runs once per statement. SECURITY DEFINER: it reads panel_members as the owner.
CREATE FUNCTION cr_my_panel_filings() RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(p.filing_id ORDER BY p.filing_id), '{}')
    FROM panel_members m JOIN panels p ON p.id = m.panel_id
    WHERE m.expert = cr_person()
$$;
REVOKE ALL ON FUNCTION cr_my_panel_filings() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_my_panel_filings() TO cr_expert;

-- The panels on which the person has submitted their own scores: there they read the others'.
CREATE FUNCTION cr_my_submitted_panels() RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(m.panel_id ORDER BY m.panel_id), '{}')
    FROM panel_members m
    WHERE m.expert = cr_person() AND m.submitted_at IS NOT NULL
$$;
REVOKE ALL ON FUNCTION cr_my_submitted_panels() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cr_my_submitted_panels() TO cr_expert;

GRANT SELECT ON filings, reviews, findings TO cr_expert;
CREATE POLICY filings_expert_read ON filings FOR SELECT TO cr_expert
    USING (id = ANY ((SELECT cr_my_panel_filings())::bigint[]));
CREATE POLICY reviews_expert_read ON reviews FOR SELECT TO cr_expert
    USING (filing_id = ANY ((SELECT cr_my_panel_filings())::bigint[]));
CREATE POLICY findings_expert_read ON findings FOR SELECT TO cr_expert
    USING (filing_id = ANY ((SELECT cr_my_panel_filings())::bigint[]));

-- What modules declare (titles of criteria) holds no county data.
GRANT SELECT ON module_declarations TO cr_expert;
CREATE POLICY module_declarations_expert_read ON module_declarations FOR SELECT TO cr_expert USING (true);

REVOKE ALL ON experts, expert_conflicts, panel_settings, panels, panel_members, expert_scores FROM PUBLIC;
GRANT SELECT ON experts, expert_conflicts, panel_settings, panels, panel_members, expert_scores
    TO cr_reviewer, cr_admin, cr_auditor, cr_expert;
GRANT UPDATE (min_experts, spread_bound) ON panel_settings TO cr_admin;

-- Row-level security on each panel table, stated table by table (no loops: docs/security.md):
-- the owner keeps full access; reviewers, administrators and auditors read.
ALTER TABLE experts ENABLE ROW LEVEL SECURITY;
ALTER TABLE experts FORCE ROW LEVEL SECURITY;
CREATE POLICY experts_owner ON experts TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY experts_staff_read ON experts FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
ALTER TABLE expert_conflicts ENABLE ROW LEVEL SECURITY;
ALTER TABLE expert_conflicts FORCE ROW LEVEL SECURITY;
CREATE POLICY expert_conflicts_owner ON expert_conflicts TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY expert_conflicts_staff_read ON expert_conflicts FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
ALTER TABLE panel_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE panel_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY panel_settings_owner ON panel_settings TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY panel_settings_staff_read ON panel_settings FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
ALTER TABLE panels ENABLE ROW LEVEL SECURITY;
ALTER TABLE panels FORCE ROW LEVEL SECURITY;
CREATE POLICY panels_owner ON panels TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY panels_staff_read ON panels FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
ALTER TABLE panel_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE panel_members FORCE ROW LEVEL SECURITY;
CREATE POLICY panel_members_owner ON panel_members TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY panel_members_staff_read ON panel_members FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
ALTER TABLE expert_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE expert_scores FORCE ROW LEVEL SECURITY;
CREATE POLICY expert_scores_owner ON expert_scores TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY expert_scores_staff_read ON expert_scores FOR SELECT TO cr_reviewer, cr_admin, cr_auditor USING (true);
CREATE POLICY panel_settings_admin ON panel_settings FOR UPDATE TO cr_admin USING (true) WITH CHECK (true);
CREATE POLICY panel_settings_expert_read ON panel_settings FOR SELECT TO cr_expert USING (true);
-- An expert reads their own record and conflicts, the panels they sit on and who sits there with
-- them, their own scores — and the other members' scores of a panel once their own are submitted.
CREATE POLICY experts_expert_read ON experts FOR SELECT TO cr_expert USING (login = cr_person());
CREATE POLICY expert_conflicts_expert_read ON expert_conflicts FOR SELECT TO cr_expert USING (expert = cr_person());
CREATE POLICY panels_expert_read ON panels FOR SELECT TO cr_expert
    USING (filing_id = ANY ((SELECT cr_my_panel_filings())::bigint[]));
CREATE POLICY panel_members_expert_read ON panel_members FOR SELECT TO cr_expert
    USING (panel_id IN (SELECT p.id FROM panels p WHERE p.filing_id = ANY ((SELECT cr_my_panel_filings())::bigint[])));
CREATE POLICY expert_scores_expert_read ON expert_scores FOR SELECT TO cr_expert
    USING (expert = cr_person() OR panel_id = ANY ((SELECT cr_my_submitted_panels())::bigint[]));

-- MARK: experts, conflicts and panels are made by functions

-- Records login `p_login` (which holds cr_expert) as an expert of `p_fields` from `p_home_county`,
-- or updates them. An administrator's. Refused: not an expert's login (CR008), no field (CR008).
CREATE FUNCTION register_expert(p_login text, p_fields text[], p_home_county text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    fields text[];
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'registering an expert', '登记评审专家');
    IF p_login IS NULL OR NOT EXISTS (SELECT FROM pg_roles WHERE rolname = p_login AND rolcanlogin)
       OR NOT pg_has_role(p_login, 'cr_expert', 'MEMBER') THEN
        PERFORM lifecycle_fail('CR008', format('%s is not an expert''s login', coalesce(p_login, 'NULL')),
            format('%s 不是评审专家的登录用户', coalesce(p_login, 'NULL')), 'Add it with cluster-review users add NAME --role expert --fields … --county ….');
    END IF;
    SELECT coalesce(array_agg(DISTINCT btrim(x) ORDER BY btrim(x)), '{}') INTO fields
    FROM unnest(p_fields) AS x WHERE btrim(x) <> '';
    IF cardinality(fields) = 0 OR EXISTS (SELECT FROM unnest(fields) x WHERE length(x) > 100) THEN
        PERFORM lifecycle_fail('CR008', 'an expert has one or more fields (industries) of at most 100 characters each',
            '评审专家须有一个或多个专业领域（每个不超过 100 字）', 'Give --fields, e.g. --fields 商业航天,新材料.');
    END IF;
    IF NOT EXISTS (SELECT FROM counties WHERE code = p_home_county) THEN
        PERFORM lifecycle_fail('CR008', format('%s is not a county code', coalesce(p_home_county, 'NULL')),
            format('%s 不是县级行政区代码', coalesce(p_home_county, 'NULL')), 'cluster-review counties lists the codes.');
    END IF;
    INSERT INTO experts (login, fields, home_county, added_by) VALUES (p_login, fields, p_home_county, cr_person())
    ON CONFLICT (login) DO UPDATE SET fields = EXCLUDED.fields, home_county = EXCLUDED.home_county;
END;
$$;
REVOKE ALL ON FUNCTION register_expert(text, text[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION register_expert(text, text[], text) TO cr_admin;

-- The person (an expert) declares a conflict of interest with a county, an enterprise or a filing.
-- Returns its id; declaring the same again returns the same. A panel the expert already sits on
-- is not changed: the reviewer sees the conflict with the panel (panel show).
CREATE FUNCTION declare_conflict(p_kind text, p_subject text, p_note text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    me text := cr_person();
    new_id bigint;
BEGIN
    PERFORM cr_require(ARRAY['cr_expert'], 'declaring a conflict of interest', '申报利益冲突');
    IF NOT EXISTS (SELECT FROM experts WHERE login = me) THEN
        PERFORM lifecycle_fail('CR001', format('%s is not registered as an expert', me), format('%s 尚未登记为评审专家', me),
            'Ask an administrator to register you (cluster-review users add … --role expert).');
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('county', 'enterprise', 'filing')
       OR (p_kind = 'county' AND NOT EXISTS (SELECT FROM counties WHERE code = p_subject))
       OR (p_kind = 'enterprise' AND NOT coalesce(uscc_valid(p_subject), false))
       OR (p_kind = 'filing' AND coalesce(p_subject, '') !~ '^[1-9][0-9]{0,17}$') THEN
        PERFORM lifecycle_fail('CR008', format('a conflict is declared with a county code, an enterprise''s unified social credit code or a filing id; not %s %s',
                                               coalesce(p_kind, 'NULL'), coalesce(p_subject, 'NULL')),
            format('利益冲突须针对县级行政区代码、企业统一社会信用代码或申报编号，而不是 %s %s', coalesce(p_kind, 'NULL'), coalesce(p_subject, 'NULL')),
            'For example: --county 469005, --enterprise 91469005MA5T000017 or --filing 42.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a conflict of interest is declared with a note saying what it is',
            '申报利益冲突须说明情况', 'Give --note, e.g. --note ''曾任该企业技术顾问''.');
    END IF;
    INSERT INTO expert_conflicts (expert, kind, subject, note) VALUES (me, p_kind, p_subject, p_note)
    ON CONFLICT (expert, kind, subject) DO UPDATE SET note = EXCLUDED.note
    RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION declare_conflict(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION declare_conflict(text, text, text) TO cr_expert;

-- Why expert `p_expert` may not sit on the panel of filing `p_filing` (English; Chinese), or NULL
-- when they may: not a registered expert, their home county is the filing's, or a declared
-- conflict with the filing's county, one of its enterprises, or the filing itself.
CREATE FUNCTION panel_conflict(p_expert text, p_filing bigint, OUT en text, OUT zh text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    e experts;
    c expert_conflicts;
BEGIN
    SELECT * INTO f FROM filings WHERE id = p_filing;
    SELECT * INTO e FROM experts WHERE login = p_expert;
    IF NOT FOUND THEN
        en := format('%s is not a registered expert', p_expert);
        zh := format('%s 不是已登记的评审专家', p_expert);
        RETURN;
    END IF;
    IF e.home_county = f.county_code THEN
        en := format('%s is from %s, the filing''s own county', p_expert, f.county_code);
        zh := format('%s 来自申报所在县（%s）', p_expert, f.county_code);
        RETURN;
    END IF;
    SELECT * INTO c FROM expert_conflicts x
    WHERE x.expert = p_expert AND (
           (x.kind = 'county' AND x.subject = f.county_code)
        OR (x.kind = 'filing' AND x.subject = f.id::text)
        OR (x.kind = 'enterprise' AND EXISTS (
               SELECT FROM jsonb_array_elements(CASE WHEN jsonb_typeof(f.payload -> 'enterprises') = 'array'
                                                     THEN f.payload -> 'enterprises' ELSE '[]' END) AS ent
               WHERE ent ->> 'code' = x.subject)))
    ORDER BY x.id LIMIT 1;
    IF FOUND THEN
        en := format('%s declared a conflict of interest with %s %s: %s', p_expert, c.kind, c.subject, c.note);
        zh := format('%s 申报了与%s %s 的利益冲突：%s', p_expert,
                     CASE c.kind WHEN 'county' THEN '县' WHEN 'enterprise' THEN '企业' ELSE '申报' END, c.subject, c.note);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION panel_conflict(text, bigint) FROM PUBLIC;

-- Adds the experts `p_experts` to the panel of filing `p_filing` (forming it when there is none),
-- all or none. A reviewer's or an administrator's. Refused: no such filing (CR001); not an initial
-- or recertification filing still before its decision (CR002); a conflicted expert (CR020, naming
-- each and why); a new panel with fewer than min_experts experts (CR008).
CREATE FUNCTION cr_add_to_panel(p_filing bigint, p_experts text[], p_new boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    pid bigint;
    wanted text[];
    refusals text[];
    refusals_zh text[];
    minimum integer;
BEGIN
    SELECT * INTO f FROM filings WHERE id = p_filing FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('there is no filing %s', p_filing), format('没有编号为 %s 的申报', p_filing), 'See cluster-review list.');
    END IF;
    IF f.kind NOT IN ('initial', 'recertification') OR f.status NOT IN ('submitted', 'in_review', 'reviewed') THEN
        PERFORM lifecycle_fail('CR002',
            format('filing %s is a %s filing that is %s: panels judge initial and recertification filings before their decision', p_filing, f.kind, f.status),
            format('申报 %s 为 %s，状态 %s：专家评审只针对尚未决定的认定或复核申请', p_filing, f.kind, f.status),
            'Form the panel before the decision.');
    END IF;
    SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}') INTO wanted FROM unnest(p_experts) AS x WHERE x IS NOT NULL;
    SELECT array_agg(c.en ORDER BY x), array_agg(c.zh ORDER BY x) INTO refusals, refusals_zh
    FROM unnest(wanted) AS x CROSS JOIN LATERAL panel_conflict(x, p_filing) AS c
    WHERE c.en IS NOT NULL;
    IF refusals IS NOT NULL THEN
        PERFORM lifecycle_fail('CR020', format('filing %s: %s', p_filing, array_to_string(refusals, '; ')),
            format('申报 %s：%s', p_filing, array_to_string(refusals_zh, '；')),
            'Choose experts from other counties with no declared conflict (cluster-review panel show).');
    END IF;
    SELECT id INTO pid FROM panels WHERE filing_id = p_filing;
    IF p_new AND pid IS NOT NULL THEN
        PERFORM lifecycle_fail('CR009', format('filing %s has a panel already (panel %s)', p_filing, pid),
            format('申报 %s 已有评审专家组（%s）', p_filing, pid), 'Add an expert with cluster-review panel assign.');
    END IF;
    IF NOT p_new AND pid IS NULL THEN
        PERFORM lifecycle_fail('CR001', format('filing %s has no panel', p_filing), format('申报 %s 尚未组建评审专家组', p_filing),
            'Form one first: cluster-review panel form.');
    END IF;
    IF p_new THEN
        SELECT min_experts INTO minimum FROM panel_settings;
        IF cardinality(wanted) < minimum THEN
            PERFORM lifecycle_fail('CR008', format('a panel has at least %s experts; %s were named', minimum, cardinality(wanted)),
                format('评审专家组至少 %s 人，现只有 %s 人', minimum, cardinality(wanted)), 'Name more experts with --expert.');
        END IF;
        INSERT INTO panels (filing_id, formed_by) VALUES (p_filing, cr_person()) RETURNING id INTO pid;
    END IF;
    IF EXISTS (SELECT FROM panel_members WHERE panel_id = pid AND expert = ANY (wanted)) THEN
        PERFORM lifecycle_fail('CR009', format('%s already sits on the panel of filing %s',
                                               (SELECT string_agg(expert, ', ') FROM panel_members WHERE panel_id = pid AND expert = ANY (wanted)), p_filing),
            format('已在申报 %s 的评审专家组中', p_filing), 'Nothing to do.');
    END IF;
    INSERT INTO panel_members (panel_id, expert, assigned_by) SELECT pid, x, cr_person() FROM unnest(wanted) AS x;
    RETURN pid;
END;
$$;
REVOKE ALL ON FUNCTION cr_add_to_panel(bigint, text[], boolean) FROM PUBLIC;

-- Forms the panel of filing `p_filing` with `p_experts`; returns the panel's id.
CREATE FUNCTION form_panel(p_filing bigint, p_experts text[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_reviewer', 'cr_admin'], 'forming an expert panel', '组建评审专家组');
    RETURN cr_add_to_panel(p_filing, p_experts, true);
END;
$$;
REVOKE ALL ON FUNCTION form_panel(bigint, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION form_panel(bigint, text[]) TO cr_reviewer, cr_admin;

-- Adds expert `p_expert` to the panel of filing `p_filing`.
CREATE FUNCTION assign_expert(p_filing bigint, p_expert text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_reviewer', 'cr_admin'], 'assigning an expert', '指派评审专家');
    RETURN cr_add_to_panel(p_filing, ARRAY[p_expert], false);
END;
$$;
REVOKE ALL ON FUNCTION assign_expert(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION assign_expert(bigint, text) TO cr_reviewer, cr_admin;

-- MARK: scores

-- The person (an expert on the filing's panel) scores criterion `p_criterion` of filing `p_filing`:
-- a manual finding of its latest decision review. Replaces their earlier score until they submit.
-- Refused: not on the panel (42501 — the filing is not theirs to see), submitted already (CR009),
-- no review yet or not a manual criterion (CR002), a score outside 0–100 or a verdict other than
-- agree/disagree (CR008), no note (CR004).
CREATE FUNCTION score_criterion(p_filing bigint, p_criterion text, p_score integer, p_verdict text, p_note text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    me text := cr_person();
    m panel_members;
    r bigint;
BEGIN
    PERFORM cr_require(ARRAY['cr_expert'], 'scoring a criterion', '专家评分');
    SELECT pm.* INTO m FROM panel_members pm JOIN panels p ON p.id = pm.panel_id
    WHERE p.filing_id = p_filing AND pm.expert = me FOR UPDATE OF pm;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('permission denied: %s does not sit on the panel of filing %s', me, p_filing),
            DETAIL = format('权限不足：%s 不是申报 %s 评审专家组成员', me, p_filing),
            HINT = 'cluster-review inbox lists the filings assigned to you.';
    END IF;
    IF m.submitted_at IS NOT NULL THEN
        PERFORM lifecycle_fail('CR009', format('your scores of filing %s were submitted on %s and are final', p_filing, m.submitted_at),
            format('您对申报 %s 的评分已于 %s 提交，不能再修改', p_filing, m.submitted_at), 'Nothing to do.');
    END IF;
    r := latest_decision_review(p_filing);
    IF r IS NULL OR NOT EXISTS (SELECT FROM findings WHERE review_id = r AND criterion = p_criterion AND verdict = 'manual') THEN
        PERFORM lifecycle_fail('CR002', format('filing %s has no manual finding %s to score in its latest review', p_filing, p_criterion),
            format('申报 %s 的最近一次审查没有需人工判断的指标 %s', p_filing, p_criterion),
            'Score the criteria the panel shows (cluster-review panel show FILING).');
    END IF;
    IF p_score IS NULL OR p_score NOT BETWEEN 0 AND 100 OR p_verdict IS NULL OR p_verdict NOT IN ('agree', 'disagree') THEN
        PERFORM lifecycle_fail('CR008', format('a score is 0 to 100 with agree or disagree, not %s %s', coalesce(p_score::text, 'NULL'), coalesce(p_verdict, 'NULL')),
            format('评分须为 0 至 100，意见为 agree（同意通过）或 disagree（不同意），而不是 %s %s', coalesce(p_score::text, 'NULL'), coalesce(p_verdict, 'NULL')),
            'For example: cluster-review score 42 COMP-1 85 agree --note ''…''.');
    END IF;
    IF btrim(coalesce(p_note, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a score needs a note saying why', '评分须附说明理由', 'Give --note with the reason.');
    END IF;
    INSERT INTO expert_scores (panel_id, expert, criterion, score, verdict, note)
    VALUES (m.panel_id, me, p_criterion, p_score, p_verdict, p_note)
    ON CONFLICT (panel_id, expert, criterion) DO UPDATE
        SET score = EXCLUDED.score, verdict = EXCLUDED.verdict, note = EXCLUDED.note, scored_at = now();
END;
$$;
REVOKE ALL ON FUNCTION score_criterion(bigint, text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION score_criterion(bigint, text, integer, text, text) TO cr_expert;

-- The person submits their scores of filing `p_filing`: every manual criterion of its latest
-- decision review scored (CR003 names those missing); final from then. Returns the time.
CREATE FUNCTION submit_scores(p_filing bigint) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    me text := cr_person();
    m panel_members;
    missing text[];
BEGIN
    PERFORM cr_require(ARRAY['cr_expert'], 'submitting scores', '提交专家评分');
    SELECT pm.* INTO m FROM panel_members pm JOIN panels p ON p.id = pm.panel_id
    WHERE p.filing_id = p_filing AND pm.expert = me FOR UPDATE OF pm;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('permission denied: %s does not sit on the panel of filing %s', me, p_filing),
            DETAIL = format('权限不足：%s 不是申报 %s 评审专家组成员', me, p_filing);
    END IF;
    IF m.submitted_at IS NOT NULL THEN
        PERFORM lifecycle_fail('CR009', format('your scores of filing %s were submitted already', p_filing),
            format('您对申报 %s 的评分已提交', p_filing), 'Nothing to do.');
    END IF;
    SELECT array_agg(fi.criterion ORDER BY fi.criterion) INTO missing
    FROM findings fi
    WHERE fi.review_id = latest_decision_review(p_filing) AND fi.verdict = 'manual'
      AND NOT EXISTS (SELECT FROM expert_scores s WHERE s.panel_id = m.panel_id AND s.expert = me AND s.criterion = fi.criterion);
    IF missing IS NOT NULL OR latest_decision_review(p_filing) IS NULL THEN
        PERFORM lifecycle_fail('CR003', format('score every manual criterion of filing %s before submitting; missing: %s', p_filing, coalesce(array_to_string(missing, ', '), '(no review yet)')),
            format('提交前须为申报 %s 的每个人工判断指标评分；尚缺：%s', p_filing, coalesce(array_to_string(missing, '、'), '（尚无审查结果）')),
            'Score them with cluster-review score.');
    END IF;
    UPDATE panel_members SET submitted_at = now() WHERE panel_id = m.panel_id AND expert = me;
    RETURN now();
END;
$$;
REVOKE ALL ON FUNCTION submit_scores(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION submit_scores(bigint) TO cr_expert;

-- MARK: the panel's result

-- Per filing and criterion: the submitted scores' median, spread (max − min), agree and disagree
-- counts, how many members submitted of how many, and whether the spread is above the bound.
-- security_invoker: the reader's own policies apply (an expert sees the result of a panel once
-- their own scores are submitted).
CREATE VIEW panel_results WITH (security_invoker = true) AS
SELECT p.filing_id, s.criterion,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.score)::numeric(5, 1) AS median,
       max(s.score) - min(s.score) AS spread,
       min(s.score) AS lowest, max(s.score) AS highest,
       count(*) FILTER (WHERE s.verdict = 'agree')::int AS agree,
       count(*) FILTER (WHERE s.verdict = 'disagree')::int AS disagree,
       count(*)::int AS scored,
       (SELECT count(*) FROM panel_members m WHERE m.panel_id = p.id)::int AS members,
       (max(s.score) - min(s.score)) > (SELECT spread_bound FROM panel_settings) AS flagged
FROM panels p
JOIN panel_members pm ON pm.panel_id = p.id AND pm.submitted_at IS NOT NULL
JOIN expert_scores s ON s.panel_id = pm.panel_id AND s.expert = pm.expert
GROUP BY p.id, p.filing_id, s.criterion;
REVOKE ALL ON panel_results FROM PUBLIC;
GRANT SELECT ON panel_results TO cr_reviewer, cr_admin, cr_auditor, cr_expert;

-- A filing with a panel is confirmed from the panel's result: a finding is confirmed only once
-- every member has submitted. A trigger function: executable by nobody.
CREATE FUNCTION confirmations_need_the_panel() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    waiting text[];
BEGIN
    SELECT array_agg(m.expert ORDER BY m.expert) INTO waiting
    FROM panels p JOIN panel_members m ON m.panel_id = p.id
    WHERE p.filing_id = NEW.filing_id AND m.submitted_at IS NULL;
    IF waiting IS NOT NULL THEN
        PERFORM lifecycle_fail('CR002',
            format('filing %s has an expert panel whose members %s have not submitted their scores; confirm from the panel''s result once they have',
                   NEW.filing_id, array_to_string(waiting, ', ')),
            format('申报 %s 已组建评审专家组，%s 尚未提交评分；请在专家组评审结果产生后再确认', NEW.filing_id, array_to_string(waiting, '、')),
            'cluster-review panel show FILING shows who has submitted.');
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION confirmations_need_the_panel() FROM PUBLIC;
CREATE TRIGGER confirmations_need_the_panel BEFORE INSERT OR UPDATE ON confirmations
    FOR EACH ROW EXECUTE FUNCTION confirmations_need_the_panel();
