-- Application rounds (批次) (issue 17, item 1; docs/lifecycle.md, "Rounds").
--
-- The province opens a round: a name, the filing kinds it accepts, the first and last day on which
-- filings are received (Asia/Shanghai, the database clock cr_today()), the rulebook and as-of date
-- its reviews use (NULL: the server's default rulebook, each filing's own date), optional quotas
-- (per county, in total) and the day its recognitions' validity starts (NULL: each cluster's own
-- recognition day). Only an administrator opens or closes a round (open_round, close_round).
--
-- The check is at the submission door (file_submissions, restated whole below): a filing of a
-- kind the province runs rounds for — a kind some round, past, open or announced, accepts — is
-- filed in the round open today, or refused with the issue `round` (the round that last took that
-- kind and the next one announced, with its dates), readable by the county in submissions.issues
-- like every other refusal there. A kind no round has ever accepted is filed any day, as before
-- rounds existed (so recertifications and annual reports may have rounds of their own, or none).
-- Over a quota — the county's, or the round's total — the filing is refused with the issue
-- `round_quota`. A corrected filing (supersedes) stays in the round of the filing it corrects and
-- is neither dated nor counted again; content already on file is accepted naming that filing.
-- Quotas count the round's filings that correct nothing. Coordinators filing at the same time are
-- serialized on the open rounds that have a quota (FOR UPDATE), so a quota cannot be overrun.
--
-- The review of a filing in a round is queued with the round's rulebook and as-of date
-- (review_queue.rulebook, .as_of; the coordinator resolves the parameters from them). A register
-- entry recognized from a round whose validity start is set has that start (recognized_on) and
-- its validity counted from it (clusters_round_validity).

-- MARK: the rounds

CREATE TABLE rounds (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200
        AND name !~ '[\u0001-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]'),
    kinds              text[] NOT NULL CHECK (cardinality(kinds) BETWEEN 1 AND 4
        AND kinds <@ ARRAY['initial', 'recertification', 'annual_report', 'change_report']),
    opens_on           date NOT NULL,
    closes_on          date NOT NULL,
    -- NULL: the coordinator's default rulebook.
    rulebook           text CHECK (rulebook IS NULL OR rulebook ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
    -- NULL: each filing's own filing date.
    as_of              date,
    quota_per_county   integer CHECK (quota_per_county > 0),
    quota_total        integer CHECK (quota_total > 0),
    -- NULL: each register entry's validity starts on its own recognition day.
    validity_starts_on date,
    opened_by          text NOT NULL,
    opened_at          timestamptz NOT NULL DEFAULT now(),
    -- Closed early (or after its last day) by an administrator: no filing is received from this day.
    closed_on          date,
    closed_by          text,
    CHECK (closes_on >= opens_on),
    CHECK ((closed_on IS NULL) = (closed_by IS NULL))
);
COMMENT ON TABLE rounds IS 'Application rounds (批次): when filings of a kind are received, with quotas; see sql/120.';

ALTER TABLE filings ADD COLUMN round_id bigint REFERENCES rounds (id);
CREATE INDEX filings_round_idx ON filings (round_id, county_code) WHERE round_id IS NOT NULL;

CREATE TRIGGER audit_rounds AFTER INSERT OR UPDATE OR DELETE ON rounds
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');

-- Everybody of the system reads the rounds (a county must know when it may file); nobody writes
-- them but the owner's functions below.
REVOKE ALL ON rounds FROM PUBLIC;
GRANT SELECT ON rounds TO cr_county, cr_reviewer, cr_admin, cr_auditor, cr_coordinator;
ALTER TABLE rounds ENABLE ROW LEVEL SECURITY;
ALTER TABLE rounds FORCE ROW LEVEL SECURITY;
CREATE POLICY rounds_owner ON rounds TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY rounds_read ON rounds FOR SELECT TO cr_county, cr_reviewer, cr_admin, cr_auditor, cr_coordinator USING (true);

-- A filing kind in words: 'zh' or 'en'. Used by the door's issues only.
CREATE FUNCTION cr_kind_words(p_kind text, p_lang text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN p_lang = 'zh' THEN
               CASE p_kind WHEN 'initial' THEN '认定申请' WHEN 'recertification' THEN '复核申请'
                           WHEN 'annual_report' THEN '年度报告' WHEN 'change_report' THEN '变更报告' ELSE p_kind END
           ELSE
               CASE p_kind WHEN 'initial' THEN 'initial' WHEN 'recertification' THEN 'recertification'
                           WHEN 'annual_report' THEN 'annual report' WHEN 'change_report' THEN 'change report' ELSE p_kind END
           END
$$;
REVOKE ALL ON FUNCTION cr_kind_words(text, text) FROM PUBLIC;

-- Opens a round; returns its id. An administrator's alone. Refused (CR008) with what to change: a
-- name taken, no kinds or an unknown one, the last day before the first, a last day already past,
-- a quota that is not positive, a per-county quota above the total, or a kind another round not
-- closed accepts on an overlapping day (a filing belongs to one round).
CREATE FUNCTION open_round(
    p_name text, p_kinds text[], p_opens_on date, p_closes_on date, p_rulebook text DEFAULT NULL, p_as_of date DEFAULT NULL,
    p_quota_per_county integer DEFAULT NULL, p_quota_total integer DEFAULT NULL, p_validity_starts_on date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    today date := cr_today();
    clash rounds;
    new_id bigint;
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'opening an application round', '开启申报批次');
    IF btrim(coalesce(p_name, '')) = '' THEN
        PERFORM lifecycle_fail('CR004', 'a round needs a name', '批次须有名称', 'Name it, e.g. --name ''2026年第一批''.');
    END IF;
    IF coalesce(cardinality(p_kinds), 0) = 0
       OR NOT p_kinds <@ ARRAY['initial', 'recertification', 'annual_report', 'change_report'] THEN
        PERFORM lifecycle_fail('CR008', format('a round accepts one or more of initial, recertification, annual_report, change_report; not %s', coalesce(p_kinds::text, '{}')),
            format('批次受理的种类须为 initial、recertification、annual_report、change_report 中的一种或几种，而不是 %s', coalesce(p_kinds::text, '{}')),
            'Give --kind once per kind, e.g. --kind initial.');
    END IF;
    IF p_opens_on IS NULL OR p_closes_on IS NULL OR p_closes_on < p_opens_on THEN
        PERFORM lifecycle_fail('CR008', format('a round''s last day (%s) is on or after its first day (%s)', p_closes_on, p_opens_on),
            format('批次截止日期（%s）不得早于开始日期（%s）', p_closes_on, p_opens_on), 'Give --opens and --closes as YYYY-MM-DD, the first before the last.');
    END IF;
    IF p_closes_on < today THEN
        PERFORM lifecycle_fail('CR011', format('the round''s last day %s is already past (today is %s, Asia/Shanghai)', p_closes_on, today),
            format('批次截止日期 %s 已过（今天为北京时间 %s）', p_closes_on, today), 'Give a last day of today or later.');
    END IF;
    IF p_quota_per_county IS NOT NULL AND p_quota_total IS NOT NULL AND p_quota_per_county > p_quota_total THEN
        PERFORM lifecycle_fail('CR008', format('the per-county quota %s is above the total %s', p_quota_per_county, p_quota_total),
            format('每县名额 %s 超过总名额 %s', p_quota_per_county, p_quota_total), 'Lower --quota-per-county or raise --quota-total.');
    END IF;
    IF coalesce(p_quota_per_county, 1) < 1 OR coalesce(p_quota_total, 1) < 1 THEN
        PERFORM lifecycle_fail('CR008', 'a quota is a positive number of filings', '名额须为正整数', 'Leave the quota out for none.');
    END IF;
    -- One round at a time decides a kind's filings on a day: rounds are serialized while checked.
    LOCK TABLE rounds IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO clash FROM rounds r
    WHERE r.kinds && p_kinds AND r.closed_on IS NULL AND r.opens_on <= p_closes_on AND p_opens_on <= r.closes_on
    ORDER BY r.id LIMIT 1;
    IF FOUND THEN
        PERFORM lifecycle_fail('CR008',
            format('round "%s" (%s to %s) already accepts %s filings on some of these days; a filing belongs to one round',
                   clash.name, clash.opens_on, clash.closes_on, array_to_string(ARRAY(SELECT unnest(clash.kinds) INTERSECT SELECT unnest(p_kinds) ORDER BY 1), ', ')),
            format('批次“%s”（%s 至 %s）在这些日期中已受理同类申报；一份申报只属于一个批次', clash.name, clash.opens_on, clash.closes_on),
            'Choose days after that round''s last day, or close it first (cluster-review rounds close).');
    END IF;
    BEGIN
        INSERT INTO rounds (name, kinds, opens_on, closes_on, rulebook, as_of, quota_per_county, quota_total, validity_starts_on, opened_by)
        VALUES (btrim(p_name), ARRAY(SELECT DISTINCT unnest(p_kinds) ORDER BY 1), p_opens_on, p_closes_on, p_rulebook, p_as_of,
                p_quota_per_county, p_quota_total, p_validity_starts_on, cr_person())
        RETURNING id INTO new_id;
    EXCEPTION
        WHEN unique_violation THEN
            PERFORM lifecycle_fail('CR008', format('a round named "%s" exists already', btrim(p_name)),
                format('已有名为“%s”的批次', btrim(p_name)), 'Choose another name (cluster-review rounds list).');
        WHEN check_violation THEN
            PERFORM lifecycle_fail('CR008', format('the round''s name or rulebook is not allowed: %s', SQLERRM),
                format('批次名称或规则集名称不合要求：%s', SQLERRM), 'Use a name of 1 to 200 visible characters and a rulebook name from cluster-review rulebook.');
    END;
    RETURN new_id;
END;
$$;
REVOKE ALL ON FUNCTION open_round(text, text[], date, date, text, date, integer, integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION open_round(text, text[], date, date, text, date, integer, integer, date) TO cr_admin;

-- Closes round `p_round` today: from today no filing is received in it (one already open that has
-- not reached its last day closes early; one announced and not yet open is called off). An
-- administrator's alone. Refused: no such round (CR001), closed already (CR009).
CREATE FUNCTION close_round(p_round bigint) RETURNS date
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    r rounds;
BEGIN
    PERFORM cr_require(ARRAY['cr_admin'], 'closing an application round', '关闭申报批次');
    SELECT * INTO r FROM rounds WHERE id = p_round FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM lifecycle_fail('CR001', format('there is no round %s', p_round), format('没有编号为 %s 的批次', p_round),
            'See cluster-review rounds list.');
    END IF;
    IF r.closed_on IS NOT NULL THEN
        PERFORM lifecycle_fail('CR009', format('round "%s" was closed on %s', r.name, r.closed_on),
            format('批次“%s”已于 %s 关闭', r.name, r.closed_on), 'Nothing to do.');
    END IF;
    UPDATE rounds SET closed_on = cr_today(), closed_by = cr_person() WHERE id = p_round;
    RETURN cr_today();
END;
$$;
REVOKE ALL ON FUNCTION close_round(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION close_round(bigint) TO cr_admin;

-- A register entry recognized from a round with a common validity start: its term starts that day
-- and runs the configured validity from it. A trigger function: executable by nobody.
CREATE FUNCTION clusters_round_validity() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    start date;
BEGIN
    SELECT r.validity_starts_on INTO start
    FROM filings f JOIN rounds r ON r.id = f.round_id
    WHERE f.id = NEW.filing_id;
    IF start IS NOT NULL THEN
        NEW.recognized_on := start;
        NEW.valid_until := (start + make_interval(years => (SELECT validity_years FROM lifecycle_settings)))::date;
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION clusters_round_validity() FROM PUBLIC;
CREATE TRIGGER clusters_round_validity BEFORE INSERT ON clusters
    FOR EACH ROW EXECUTE FUNCTION clusters_round_validity();

-- MARK: the door, with rounds

-- file_submissions in its final form (replacing sql/110's), with its grants: as 110 (corrections
-- linked and checked: supersedes, supersedes_not_returned, supersedes_already_corrected,
-- supersedes_mismatch), and a filing of
-- a kind the province runs rounds for is filed in the round open today (the issue `round`
-- otherwise), within the round's quotas (the issue `round_quota`), and its review is queued with
-- the round's rulebook and as-of date.
--
-- Records the verdicts on submissions `p_ids`: `p_issues[i]` NULL means FilingValidator found
-- nothing wrong — file it; otherwise it is the validator's issues (a non-empty array) — refuse it.
-- Set-based, one call per batch; submissions no longer pending, or held by another transaction,
-- are left as they are. A valid one is filed with every column derived from its document (see
-- the head of sql/026), its review queued, or refused with the issues SQL finds: another
-- county's filing (county_not_yours), a kind or format version the server does not know, a filing
-- date after today (date_after_today), a superseded filing that is not the county's own returned
-- one (supersedes), an annual or change report naming no live register entry of the county
-- (register_entry, listing the county's entries), a kind the province runs rounds for filed when
-- no round taking it is open (round, naming the last round and the next), a filing over its
-- round's quota (round_quota). The same content as a filing on file is accepted naming that
-- filing. Each verdict channel is notified. Returns each submission's state (pending: not recorded
-- here). The coordinator's alone; the person recorded as checked_by is the coordinator's login.
CREATE OR REPLACE FUNCTION file_submissions(p_ids bigint[], p_issues jsonb[])
RETURNS TABLE (submission_id bigint, state text, filing_id bigint, already_on_file boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    today date := cr_today();
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'filing submissions', '登记提交的申报材料');
    IF coalesce(cardinality(p_ids), 0) <> coalesce(cardinality(p_issues), 0) OR cardinality(p_ids) > 1000 THEN
        PERFORM lifecycle_fail('CR008', 'file_submissions takes as many issue lists as submission ids (at most 1,000)',
            '提交编号与问题清单的数量须一致（至多 1000 个）', 'Pass one issues entry (NULL when valid) per id.');
    END IF;
    IF EXISTS (SELECT FROM unnest(p_issues) AS x(issues)
               WHERE x.issues IS NOT NULL AND (jsonb_typeof(x.issues) <> 'array' OR jsonb_array_length(x.issues) = 0)) THEN
        PERFORM lifecycle_fail('CR008', 'file_submissions takes NULL (valid) or a non-empty array of issues per submission',
            '每份提交的问题清单须为空值（合格）或非空数组', 'Pass the validator''s issues as a JSON array.');
    END IF;

    -- The validator's refusals.
    UPDATE submissions s
    SET state = 'refused', issues = i.issues, checked_at = now(), checked_by = cr_person()
    FROM unnest(p_ids, p_issues) AS i(id, issues)
    WHERE s.id = i.id AND i.issues IS NOT NULL AND s.state = 'pending'
      AND s.id IN (SELECT p.id FROM submissions p WHERE p.id = ANY (p_ids) AND p.state = 'pending' FOR UPDATE SKIP LOCKED);

    -- Coordinators filing at the same time take turns on the open rounds with a quota, so that each
    -- counts the other's filings (each statement below sees what was committed before it).
    PERFORM FROM rounds r
    WHERE r.closed_on IS NULL AND today BETWEEN r.opens_on AND r.closes_on
      AND (r.quota_per_county IS NOT NULL OR r.quota_total IS NOT NULL)
    ORDER BY r.id
    FOR UPDATE;

    -- The valid ones: derive, check what SQL can, file the first of each content, queue its review.
    WITH valid AS (
        SELECT s.id, s.county_code AS sent_for, s.submitted_by, s.received_at, s.supersedes AS supersedes_column,
               convert_from(CASE WHEN substring(s.document FROM 1 FOR 3) = '\xefbbbf'::bytea
                                 THEN substring(s.document FROM 4) ELSE s.document END, 'UTF8')::jsonb AS payload
        FROM submissions s
        JOIN unnest(p_ids, p_issues) AS i(id, issues) ON i.id = s.id AND i.issues IS NULL
        WHERE s.state = 'pending'
        FOR UPDATE OF s SKIP LOCKED
    ), base AS (
        SELECT v.*, v.payload ->> 'kind' AS kind, v.payload #>> '{applicant,county_code}' AS county_code,
               v.payload #>> '{cluster,name}' AS cluster_name, v.payload ->> 'filing_date' AS filing_date,
               v.payload -> 'format_version' AS format_version, sha256(convert_to(v.payload::text, 'UTF8')) AS content_hash,
               s.supersedes_document, coalesce(s.supersedes_document, v.supersedes_column) AS supersedes
        FROM valid v
        -- The document's supersedes (FilingValidator checked it is a positive whole number).
        CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(v.payload -> 'supersedes') = 'number' AND v.payload ->> 'supersedes' ~ '^[1-9][0-9]{0,17}$'
                                        THEN (v.payload ->> 'supersedes')::bigint END AS supersedes_document) s
    ), derived AS (
        -- The round: a correction's is the corrected filing's; another's, the round open today for its kind.
        SELECT b.*,
               EXISTS (SELECT FROM filings f WHERE f.content_hash = b.content_hash) AS on_file,
               CASE WHEN b.supersedes IS NOT NULL THEN (SELECT f.round_id FROM filings f WHERE f.id = b.supersedes)
                    ELSE (SELECT r.id FROM rounds r
                          WHERE b.kind = ANY (r.kinds) AND r.closed_on IS NULL AND today BETWEEN r.opens_on AND r.closes_on
                          ORDER BY r.id LIMIT 1) END AS round_id,
               EXISTS (SELECT FROM rounds r WHERE b.kind = ANY (r.kinds)) AS kind_in_rounds
        FROM base b
    ), ranked AS (
        -- The first submission of this batch correcting each filing (a window, not a scan per row).
        SELECT d.*, first_value(d.content_hash) OVER (PARTITION BY d.supersedes ORDER BY d.id) AS first_correction_hash
        FROM derived d
    ), prechecked AS (
        SELECT d.*, (
            SELECT jsonb_agg(x.issue ORDER BY x.issue ->> 'path', x.issue ->> 'rule') FROM (VALUES
                (CASE WHEN jsonb_typeof(d.payload) <> 'object' THEN
                    cr_issue('$', 'type', '申报材料应为 JSON 对象', 'a filing is a JSON object', '以 { 开头、} 结尾', 'begin with { and end with }') END),
                (CASE WHEN d.kind IS NULL OR d.kind NOT IN ('initial', 'recertification', 'annual_report', 'change_report') THEN
                    cr_issue('$.kind', 'kind', format('本系统不受理种类 %s', coalesce(d.kind, '（空）')),
                             format('the server does not file the kind %s', coalesce(d.kind, '(none)')),
                             '填写 initial、recertification、annual_report 或 change_report',
                             'write initial, recertification, annual_report or change_report') END),
                (CASE WHEN d.format_version IS DISTINCT FROM '1'::jsonb THEN
                    cr_issue('$.format_version', 'format_version', format('本系统只受理格式版本 1，实为 %s', coalesce(d.format_version::text, '（空）')),
                             format('the server files format version 1 only, found %s', coalesce(d.format_version::text, '(none)')),
                             '填写 1', 'write 1') END),
                (CASE WHEN d.county_code IS NULL OR NOT EXISTS (SELECT FROM counties c WHERE c.code = d.county_code)
                           OR d.county_code <> coalesce(d.sent_for, d.county_code) THEN
                    cr_issue('$.applicant.county_code', 'county_not_yours',
                             format('只能为本县（市、区）%s 申报，本材料属于 %s', d.sent_for, coalesce(d.county_code, '（空）')),
                             format('you may file only for your own county %s; this filing is for %s', d.sent_for, coalesce(d.county_code, '(none)')),
                             '由该县（市、区）的登录用户提交', 'have that county''s login submit it') END),
                (CASE WHEN d.filing_date IS NULL OR d.filing_date !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
                    cr_issue('$.filing_date', 'date', '申报日期不是 YYYY-MM-DD 格式的日期', 'the filing date is not a date written YYYY-MM-DD',
                             '例如 2026-03-15', 'for example 2026-03-15')
                      WHEN d.filing_date > today::text THEN
                    cr_issue('$.filing_date', 'date_after_today', format('申报日期 %s 晚于今天（北京时间 %s）', d.filing_date, today),
                             format('the filing date %s is after today, %s (Asia/Shanghai)', d.filing_date, today),
                             '填写今天或更早的日期', 'write today''s date or an earlier one') END),
                (CASE WHEN d.cluster_name IS NULL OR length(d.cluster_name) NOT BETWEEN 1 AND 200
                           OR d.cluster_name ~ '[\u0001-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]' THEN
                    cr_issue('$.cluster.name', 'name', '集群名称为空、过长或含有不可见字符', 'the cluster''s name is empty, too long or holds invisible characters',
                             '填写 1 至 200 个可见字符', 'write 1 to 200 visible characters') END),
                -- The correction itself sent again (the same content as a filing on file) is accepted naming it.
                (CASE WHEN d.supersedes IS NOT NULL AND EXISTS (
                           SELECT FROM filings x WHERE x.content_hash = d.content_hash AND x.supersedes = d.supersedes) THEN NULL
                      WHEN d.supersedes_column IS NOT NULL AND d.supersedes_document IS NOT NULL
                           AND d.supersedes_column <> d.supersedes_document THEN
                    cr_issue('$.supersedes', 'supersedes_mismatch',
                             format('提交时指明更正申报 %s，而材料中的 supersedes 为 %s', d.supersedes_column, d.supersedes_document),
                             format('the submission names filing %s as the one corrected, the document''s supersedes names %s',
                                    d.supersedes_column, d.supersedes_document),
                             '两处填写同一份退回申报的编号，或只填写材料中的 supersedes', 'name the same returned filing in both, or only in the document''s supersedes')
                      WHEN d.supersedes IS NOT NULL AND NOT EXISTS (
                           SELECT FROM filings f WHERE f.id = d.supersedes AND f.county_code = d.county_code) THEN
                    cr_issue('$.supersedes', 'supersedes',
                             format('%s 没有编号为 %s 的申报：只能更正本县（市、区）自己被退回的申报', coalesce(d.county_code, '（空）'), d.supersedes),
                             format('county %s has no filing %s: a filing corrects only a returned filing of its own county', coalesce(d.county_code, '(none)'), d.supersedes),
                             '填写本县一份已退回申报的编号（cluster-review list --status returned）', 'name a returned filing of your own county (cluster-review list --status returned)')
                      WHEN d.supersedes IS NOT NULL AND EXISTS (SELECT FROM filings f WHERE f.id = d.supersedes AND f.status = 'superseded') THEN
                    (SELECT cr_issue('$.supersedes', 'supersedes_already_corrected',
                             format('申报 %s 已由更正申报 %s 取代，不能再次更正', d.supersedes, coalesce(min(n.id)::text, '（未知）')),
                             format('filing %s was already corrected by filing %s; it cannot be corrected twice', d.supersedes, coalesce(min(n.id)::text, '(unknown)')),
                             '如需再次修改，请等待更正申报的评审结论', 'to change it again, wait for the decision on the corrected filing')
                     FROM filings n WHERE n.supersedes = d.supersedes)
                      WHEN d.supersedes IS NOT NULL AND NOT EXISTS (SELECT FROM filings f WHERE f.id = d.supersedes AND f.status = 'returned') THEN
                    (SELECT cr_issue('$.supersedes', 'supersedes_not_returned',
                             format('申报 %s 的状态为 %s，未被退回：只有评审人退回（decide return）的申报才能更正', d.supersedes, f.status),
                             format('filing %s is %s, not returned: only a filing a reviewer returned (decide return) can be corrected', d.supersedes, f.status),
                             '删除 supersedes 作为新申报提交，或等待评审人的退回决定', 'remove supersedes to file it as a new filing, or wait for a reviewer to return the old one')
                     FROM filings f WHERE f.id = d.supersedes)
                      WHEN d.supersedes IS NOT NULL AND d.first_correction_hash <> d.content_hash THEN
                    cr_issue('$.supersedes', 'supersedes_already_corrected',
                             format('同一批提交中已有更早的一份材料更正申报 %s，不能再次更正', d.supersedes),
                             format('an earlier submission of the same batch already corrects filing %s; it cannot be corrected twice', d.supersedes),
                             '每份退回的申报只提交一份更正申报', 'file one corrected filing per returned filing') END),
                -- An annual or change report is for a live register entry of the county, named as
                -- the register names it; the issue lists the county's entries.
                (CASE WHEN d.kind IN ('annual_report', 'change_report') AND d.cluster_name IS NOT NULL
                           AND EXISTS (SELECT FROM counties c WHERE c.code = d.county_code)
                           AND NOT EXISTS (SELECT FROM clusters c
                                           WHERE c.county_code = d.county_code AND c.name = d.cluster_name AND c.status <> 'revoked') THEN
                    (SELECT cr_issue('$.cluster.name', 'register_entry',
                             format('%s 的认定名单中没有名为“%s”的集群，%s只能为名单中的集群报送；%s', d.county_code, d.cluster_name,
                                    CASE d.kind WHEN 'annual_report' THEN '年度报告' ELSE '变更报告' END,
                                    coalesce('本县名单中有：' || string_agg(c.name, '、' ORDER BY c.name), '本县目前没有认定的集群')),
                             format('no register entry of %s is named "%s"; %s is filed for a cluster on the register; %s', d.county_code, d.cluster_name,
                                    CASE d.kind WHEN 'annual_report' THEN 'an annual report' ELSE 'a change report' END,
                                    coalesce('the county''s register entries: ' || string_agg('"' || c.name || '"', ', ' ORDER BY c.name),
                                             'the county has no cluster on the register')),
                             '按认定名单填写集群名称（cluster-review register list）', 'write the cluster''s name as the register has it (cluster-review register list)')
                     FROM clusters c WHERE c.county_code = d.county_code AND c.status <> 'revoked') END),
                -- A kind the province runs rounds for is filed while a round accepting it is open
                -- (sql/120); the issue names the round that last took it and the next one announced.
                (CASE WHEN d.kind_in_rounds AND d.round_id IS NULL AND d.supersedes IS NULL AND NOT d.on_file THEN
                    (SELECT cr_issue('$.kind', 'round',
                         format('今天（北京时间 %s）没有受理%s的申报批次%s；%s', today, cr_kind_words(d.kind, 'zh'),
                                coalesce('，批次“' || last.name || '”的受理截至 ' || last.last_day, ''),
                                coalesce('下一批次“' || nxt.name || '”受理时间为 ' || nxt.opens_on || ' 至 ' || nxt.closes_on, '下一批次尚未公布')),
                         format('no application round takes %s filings today (%s, Asia/Shanghai)%s; %s', cr_kind_words(d.kind, 'en'), today,
                                coalesce('; round "' || last.name || '" took them until ' || last.last_day, ''),
                                coalesce('the next round, "' || nxt.name || '", takes them from ' || nxt.opens_on || ' to ' || nxt.closes_on,
                                         'no next round is announced yet')),
                         '在批次受理期内提交（cluster-review rounds list）', 'submit while a round takes filings (cluster-review rounds list)')
                     FROM (SELECT 1) AS one
                     LEFT JOIN LATERAL (
                         SELECT r.name, least(r.closes_on, r.closed_on - 1) AS last_day FROM rounds r
                         WHERE d.kind = ANY (r.kinds) AND least(r.closes_on, r.closed_on - 1) < today AND r.opens_on <= least(r.closes_on, r.closed_on - 1)
                         ORDER BY 2 DESC, r.id DESC LIMIT 1) AS last ON true
                     LEFT JOIN LATERAL (
                         SELECT r.name, r.opens_on, r.closes_on FROM rounds r
                         WHERE d.kind = ANY (r.kinds) AND r.closed_on IS NULL AND r.opens_on > today
                         ORDER BY r.opens_on, r.id LIMIT 1) AS nxt ON true) END)
            ) AS x(issue)
            WHERE x.issue IS NOT NULL) AS early_problems
        FROM ranked d
    ), by_county AS (
        -- Quotas: the filings this batch adds to a round, counted in submission order, the county's
        -- first, then the round's total among those within the county's quota.
        SELECT p.*, (p.early_problems IS NULL AND p.round_id IS NOT NULL AND p.supersedes IS NULL AND NOT p.on_file) AS in_quota,
               count(*) FILTER (WHERE p.early_problems IS NULL AND p.round_id IS NOT NULL AND p.supersedes IS NULL AND NOT p.on_file)
                   OVER (PARTITION BY p.round_id, p.county_code ORDER BY p.id) AS nth_in_county
        FROM prechecked p
    ), county_checked AS (
        SELECT k.*, r.name AS round_name, r.quota_per_county, r.quota_total,
               (k.in_quota AND r.quota_per_county IS NOT NULL
                AND (SELECT count(*) FROM filings f WHERE f.round_id = k.round_id AND f.county_code = k.county_code AND f.supersedes IS NULL)
                    + k.nth_in_county > r.quota_per_county) AS over_county
        FROM by_county k LEFT JOIN rounds r ON r.id = k.round_id
    ), in_total AS (
        SELECT k.*, count(*) FILTER (WHERE k.in_quota AND NOT k.over_county) OVER (PARTITION BY k.round_id ORDER BY k.id) AS nth_in_round
        FROM county_checked k
    ), checked AS (
        SELECT k.*,
               CASE WHEN k.over_county THEN
                        jsonb_build_array(cr_issue('$.applicant.county_code', 'round_quota',
                            format('批次“%s”每个县（市、区）至多受理 %s 份申报，%s 的名额已满，本份未予登记', k.round_name, k.quota_per_county, k.county_code),
                            format('round "%s" takes at most %s filings per county and %s has used them all; this one was not filed',
                                   k.round_name, k.quota_per_county, k.county_code),
                            '如需更正已受理的申报，请在其被退回后提交更正', 'to correct a filing of this round, submit the correction once it is returned'))
                    WHEN k.in_quota AND k.quota_total IS NOT NULL
                         AND (SELECT count(*) FROM filings f WHERE f.round_id = k.round_id AND f.supersedes IS NULL) + k.nth_in_round > k.quota_total THEN
                        jsonb_build_array(cr_issue('$.applicant.county_code', 'round_quota',
                            format('批次“%s”共受理 %s 份申报，名额已满，本份未予登记', k.round_name, k.quota_total),
                            format('round "%s" takes %s filings in all and is full; this one was not filed', k.round_name, k.quota_total),
                            '请待下一批次（cluster-review rounds list）', 'file in the next round (cluster-review rounds list)'))
                    ELSE k.early_problems
               END AS problems
        FROM in_total k
    ), refused AS (
        UPDATE submissions s
        SET state = 'refused', issues = c.problems, checked_at = now(), checked_by = cr_person()
        FROM checked c
        WHERE s.id = c.id AND c.problems IS NOT NULL
    ), first AS (
        SELECT DISTINCT ON (c.content_hash) c.*
        FROM checked c
        WHERE c.problems IS NULL
          -- A correction already on file is not filed again (its link trigger would refuse it): the
          -- statement after this one accepts it naming that filing.
          AND (c.supersedes IS NULL OR NOT EXISTS (SELECT FROM filings x WHERE x.content_hash = c.content_hash))
        ORDER BY c.content_hash, c.id
    ), inserted AS (
        INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, supersedes,
                             cluster_id, submitted_by, submitted_at, round_id)
        SELECT f.kind, f.county_code, f.cluster_name, f.filing_date::date, 1, f.payload, f.content_hash, f.supersedes,
               -- A recertification, annual or change report is for the county's register entry of that name
               -- (annual and change reports are refused above when there is none).
               CASE WHEN f.kind <> 'initial' THEN
                   (SELECT c.id FROM clusters c WHERE c.county_code = f.county_code AND c.name = f.cluster_name AND c.status <> 'revoked'
                    ORDER BY c.recognized_on DESC LIMIT 1)
               END,
               f.submitted_by, f.received_at, f.round_id
        FROM first f
        ORDER BY f.id
        ON CONFLICT (content_hash) DO NOTHING
        RETURNING id, content_hash, county_code, kind, round_id
    ), queued AS (
        -- Reviewed under the round's rulebook and as-of date (NULL: the default, the filing's date).
        INSERT INTO review_queue (filing_id, county_code, purpose, rulebook, as_of)
        SELECT i.id, i.county_code, CASE WHEN i.kind = 'annual_report' THEN 'monitoring' ELSE 'decision' END, r.rulebook, r.as_of
        FROM inserted i LEFT JOIN rounds r ON r.id = i.round_id
    )
    UPDATE submissions s
    SET state = 'accepted', filing_id = i.id, already_on_file = false, checked_at = now(), checked_by = cr_person()
    FROM first f JOIN inserted i ON i.content_hash = f.content_hash
    WHERE s.id = f.id;

    -- The same content as a filing on file (filed before, by another coordinator meanwhile, or by
    -- an earlier submission of this batch): accepted, naming it. A statement of its own, so that
    -- it sees a concurrent coordinator's committed filing.
    UPDATE submissions s
    SET state = 'accepted', filing_id = f.id, already_on_file = true, checked_at = now(), checked_by = cr_person()
    FROM unnest(p_ids, p_issues) AS i(id, issues), filings f
    WHERE s.id = i.id AND i.issues IS NULL AND s.state = 'pending'
      AND s.id IN (SELECT p.id FROM submissions p WHERE p.id = ANY (p_ids) AND p.state = 'pending' FOR UPDATE SKIP LOCKED)
      AND f.content_hash = sha256(convert_to(convert_from(
              CASE WHEN substring(s.document FROM 1 FOR 3) = '\xefbbbf'::bytea THEN substring(s.document FROM 4) ELSE s.document END,
              'UTF8')::jsonb::text, 'UTF8'));

    -- Wake whoever waits for these verdicts.
    PERFORM pg_notify(c.channel, 'verdict')
    FROM (SELECT DISTINCT s.verdict_channel AS channel FROM submissions s WHERE s.id = ANY (p_ids) AND s.state <> 'pending') c;

    RETURN QUERY
        SELECT s.id, s.state, s.filing_id, s.already_on_file FROM submissions s WHERE s.id = ANY (p_ids) ORDER BY s.id;
END;
$$;
REVOKE ALL ON FUNCTION file_submissions(bigint[], jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION file_submissions(bigint[], jsonb[]) TO cr_coordinator;
