-- Corrections link (issue 15, item 7).
--
-- `decide return` asks the county to file a corrected filing naming the returned one in
-- `supersedes`. The filing format now has that member (docs/filing-format.md): the corrected
-- filing names the returned filing's id in its document, and the door takes it from there (or,
-- as before, from the submission's `supersedes` column; if both are given they must agree).
-- The door refuses, each with its own reason the county can read (path `supersedes`):
--   * no filing of that id in the county (another county's filing included: rule `supersedes`);
--   * a filing that was not returned (rule `supersedes_not_returned`, naming its status);
--   * a returned filing already corrected by another filing (rule `supersedes_already_corrected`,
--     naming the correction), or by an earlier submission of the same batch;
--   * a document and a submission naming different filings (rule `supersedes_mismatch`).
-- filings_link_correction (004) still marks the returned filing `superseded` when the corrected
-- one is filed; who superseded it is read through the new index on filings.supersedes.
--
-- file_submissions in its final form (replacing sql/052's), with its grants.

CREATE INDEX filings_supersedes_idx ON filings (supersedes) WHERE supersedes IS NOT NULL;

-- Records the verdicts on submissions `p_ids`: `p_issues[i]` NULL means FilingValidator found
-- nothing wrong — file it; otherwise it is the validator's issues (a non-empty array) — refuse it.
-- Set-based, one call per batch; submissions no longer pending, or held by another transaction,
-- are left as they are. A valid one is filed with every column derived from its document (see
-- the head of this file), its review queued, or refused with the issues SQL finds: another
-- county's filing (county_not_yours), a kind or format version the server does not know, a filing
-- date after today (date_after_today), a superseded filing that is not the county's own returned
-- one not yet corrected (supersedes, supersedes_not_returned, supersedes_already_corrected, supersedes_mismatch), an annual or change report naming no live register entry of the county
-- (register_entry, listing the county's entries). The same content as a filing on file is accepted naming that filing. Each
-- verdict channel is notified. Returns each submission's state (pending: not recorded here). The
-- coordinator's alone; the person recorded as checked_by is the coordinator's login.
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

    -- The valid ones: derive, check what SQL can, file the first of each content, queue its review.
    WITH valid AS (
        SELECT s.id, s.county_code AS sent_for, s.submitted_by, s.received_at, s.supersedes AS supersedes_column,
               convert_from(CASE WHEN substring(s.document FROM 1 FOR 3) = '\xefbbbf'::bytea
                                 THEN substring(s.document FROM 4) ELSE s.document END, 'UTF8')::jsonb AS payload
        FROM submissions s
        JOIN unnest(p_ids, p_issues) AS i(id, issues) ON i.id = s.id AND i.issues IS NULL
        WHERE s.state = 'pending'
        FOR UPDATE OF s SKIP LOCKED
    ), derived AS (
        SELECT v.*, v.payload ->> 'kind' AS kind, v.payload #>> '{applicant,county_code}' AS county_code,
               v.payload #>> '{cluster,name}' AS cluster_name, v.payload ->> 'filing_date' AS filing_date,
               v.payload -> 'format_version' AS format_version, sha256(convert_to(v.payload::text, 'UTF8')) AS content_hash,
               s.supersedes_document, coalesce(s.supersedes_document, v.supersedes_column) AS supersedes
        FROM valid v
        -- The document's supersedes (FilingValidator checked it is a positive whole number).
        CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(v.payload -> 'supersedes') = 'number' AND v.payload ->> 'supersedes' ~ '^[1-9][0-9]{0,17}$'
                                        THEN (v.payload ->> 'supersedes')::bigint END AS supersedes_document) s
    ), ranked AS (
        -- The first submission of this batch correcting each filing (a window, not a scan per row).
        SELECT d.*, first_value(d.content_hash) OVER (PARTITION BY d.supersedes ORDER BY d.id) AS first_correction_hash
        FROM derived d
    ), checked AS (
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
                     FROM clusters c WHERE c.county_code = d.county_code AND c.status <> 'revoked') END)
            ) AS x(issue)
            WHERE x.issue IS NOT NULL) AS problems
        FROM ranked d
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
                             cluster_id, submitted_by, submitted_at)
        SELECT f.kind, f.county_code, f.cluster_name, f.filing_date::date, 1, f.payload, f.content_hash, f.supersedes,
               -- A recertification, annual or change report is for the county's register entry of that name
               -- (annual and change reports are refused above when there is none).
               CASE WHEN f.kind <> 'initial' THEN
                   (SELECT c.id FROM clusters c WHERE c.county_code = f.county_code AND c.name = f.cluster_name AND c.status <> 'revoked'
                    ORDER BY c.recognized_on DESC LIMIT 1)
               END,
               f.submitted_by, f.received_at
        FROM first f
        ORDER BY f.id
        ON CONFLICT (content_hash) DO NOTHING
        RETURNING id, content_hash, county_code, kind
    ), queued AS (
        INSERT INTO review_queue (filing_id, county_code, purpose)
        SELECT i.id, i.county_code, CASE WHEN i.kind = 'annual_report' THEN 'monitoring' ELSE 'decision' END
        FROM inserted i
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
