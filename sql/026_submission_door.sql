-- One door for filings (issue 14 phase 2, item 1; docs/security.md, "The submission door").
--
-- Counties no longer write `filings` or `review_queue`. A county writes a submission — the raw
-- document, the bytes exactly as sent — into `submissions`, with any PostgreSQL client (psql, the
-- CLI, a REST layer, the web door). The database names the county (from the person's role), the
-- person, the time received, and the verdict channel; the client names only the document, an
-- optional reference of its own and, for a corrected filing, the returned filing it supersedes.
-- A coordinator (`cluster-review serve`, role cr_coordinator) is woken on its channel, claims the
-- pending submissions (claim_submissions, SKIP LOCKED), validates each with FilingValidator — the
-- same code `cluster-review validate` runs, with the same limits — and records every verdict in
-- the same transaction (file_submissions):
--   * valid: filed. Every column of the filing is derived from the document itself — kind, county,
--     cluster name, filed_on = filing_date, format version, the content hash — and the person and
--     time from the submission; nothing a client sends can disagree with the payload. What SQL can
--     check again it does (the county is the submitter's, the kind and format version are known,
--     the filing date is not after today, a superseded filing is the county's own and returned),
--     and refuses with an issue otherwise. The review is queued; annual, change and recertification
--     filings are linked to the county's register entry of that name. The same content again is
--     accepted naming the filing already on file.
--   * invalid: refused with every issue the validator found (JSON path, rule, Chinese and English
--     message and fix), readable by the county in `submissions.issues`.
-- Then the verdict channel is notified. A county reads only its own county's submissions.
--
-- Channels. PostgreSQL lets any login LISTEN on any channel, so channel names are derived from a
-- secret no login may read (`channel_secret`): coordinators learn theirs from
-- coordinator_channel() (cr_coordinator only); each submission carries the name of its county's
-- verdict channel, readable with the row. A county cannot learn when another county submits or
-- is answered.
--
-- The owner. The database's owner (the role that runs `migrate`: demo, test fixtures, benchmarks)
-- may submit without naming a county: the filing's county is then the one the document names. No
-- login of the system can (a county's login always submits for its own county; staff do not file).
--
-- The ceiling of 023 moves to the door: a county login may have at most max_pending_filings
-- submissions waiting to be checked plus filings waiting for review; one more is refused (CR013)
-- and nothing is written.

-- MARK: channels

-- The secret channel names are derived from; made at migration, readable by the owner only.
CREATE TABLE channel_secret (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    secret    text NOT NULL CHECK (length(secret) >= 32)
);
ALTER TABLE channel_secret ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel_secret FORCE ROW LEVEL SECURITY;
CREATE POLICY channel_secret_owner ON channel_secret TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON channel_secret FROM PUBLIC;
INSERT INTO channel_secret (secret) VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- The channel for `p_purpose` ('coordinators', or 'verdicts:' and a county code or a person).
-- Called by the owner's functions only (executable by nobody else).
CREATE FUNCTION cr_channel(p_purpose text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT 'cr_' || md5(secret || ':' || p_purpose) FROM channel_secret
$$;
REVOKE ALL ON FUNCTION cr_channel(text) FROM PUBLIC;

-- The channel coordinators LISTEN on: 'submission' when a submission arrives, 'review' when a
-- review is queued. The coordinator's alone.
CREATE FUNCTION coordinator_channel() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT cr_channel('coordinators')
$$;
REVOKE ALL ON FUNCTION coordinator_channel() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION coordinator_channel() TO cr_coordinator;

-- A queued review wakes the coordinators on their channel (review_queued, which any login could
-- LISTEN on, is no longer used). A trigger function: executable by nobody.
CREATE OR REPLACE FUNCTION notify_review_queued() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM pg_notify(cr_channel('coordinators'), 'review');
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_review_queued() FROM PUBLIC;

-- MARK: submissions

CREATE TABLE submissions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The person's county; NULL only for the owner's own submissions (the document names it).
    county_code      text REFERENCES counties (code),
    -- The document as sent: bytes, so that invalid UTF-8 is reported at its offset as `validate`
    -- reports it. The validator refuses over 1 MiB with its issue; this bounds what is stored.
    document         bytea NOT NULL CHECK (octet_length(document) BETWEEN 1 AND 2097152),
    -- The client's own name for it (a file name, a form id), shown back; plain text.
    client_reference text CHECK (client_reference IS NULL OR (length(client_reference) BETWEEN 1 AND 200
        AND client_reference !~ '[\u0001-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]')),
    -- A corrected filing names the returned filing it replaces.
    supersedes       bigint,
    submitted_by     text NOT NULL,
    received_at      timestamptz NOT NULL,
    -- LISTEN here to hear when it has been checked.
    verdict_channel  text NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'refused')),
    filing_id        bigint REFERENCES filings (id),
    -- Accepted naming a filing that was already on file (the same content filed before).
    already_on_file  boolean,
    -- Refused: every issue, as the validator writes them: [{path, rule, message: {zh, en}, fix: {zh, en}, position?}].
    issues           jsonb CHECK (issues IS NULL OR (jsonb_typeof(issues) = 'array' AND jsonb_array_length(issues) > 0)),
    checked_at       timestamptz,
    checked_by       text,
    CHECK ((state = 'pending') = (checked_at IS NULL AND checked_by IS NULL)),
    CHECK ((state = 'accepted') = (filing_id IS NOT NULL AND already_on_file IS NOT NULL)),
    CHECK ((state = 'refused') = (issues IS NOT NULL))
);
COMMENT ON TABLE submissions IS
    'The one door for filings: a county INSERTs (document), a coordinator files or refuses it; see sql/026.';

-- Claims walk the pending submissions in order; the ceiling counts a county's pending ones.
CREATE INDEX submissions_pending_idx ON submissions (id) WHERE state = 'pending';
CREATE INDEX submissions_pending_county_idx ON submissions (county_code) WHERE state = 'pending';
CREATE INDEX submissions_county_idx ON submissions (county_code, id);

-- Who is acting may state nothing the database derives: the county, the person, the time, the
-- channel, the state and the verdict are set here whatever the client sent. A county's login
-- submits for its county (exactly one); the owner may submit without a county (or name one);
-- anybody else is refused (42501). A county login at its ceiling of pending work is refused
-- (CR013): submissions waiting to be checked and filings waiting for review together. One county's
-- submissions are serialized by a lock on its `counties` row (no login may lock it).
CREATE FUNCTION submissions_receive() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    person text := cr_person();
    owner_role oid := (SELECT relowner FROM pg_class WHERE oid = 'public.submissions'::regclass);
    is_owner boolean;
    mine text[];
    ceiling integer;
    pending bigint;
BEGIN
    is_owner := pg_has_role(person, owner_role, 'MEMBER');
    IF NOT is_owner THEN
        SELECT coalesce(array_agg(code ORDER BY code), '{}') INTO mine
        FROM counties WHERE pg_has_role(person, 'cr_county_' || code, 'USAGE');
        IF cardinality(mine) <> 1 OR (NEW.county_code IS NOT NULL AND NEW.county_code <> mine[1]) THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('permission denied: a filing is submitted by a county''s login for its own county; %s holds %s county roles',
                                 person, cardinality(mine)),
                DETAIL = format('权限不足：申报材料由县（市、区）的登录用户为本县提交；%s 拥有 %s 个县级角色', person, cardinality(mine)),
                HINT = 'Log in as your county''s login (cluster-review users add NAME --role county:CODE).';
        END IF;
        NEW.county_code := mine[1];
    END IF;
    NEW.submitted_by := person;
    NEW.received_at := now();
    NEW.verdict_channel := cr_channel('verdicts:' || coalesce(NEW.county_code, person));
    NEW.state := 'pending';
    NEW.filing_id := NULL;
    NEW.already_on_file := NULL;
    NEW.issues := NULL;
    NEW.checked_at := NULL;
    NEW.checked_by := NULL;

    IF NOT is_owner THEN
        SELECT max_pending_filings INTO ceiling FROM role_limits WHERE group_role = 'cr_county';
        IF ceiling IS NOT NULL THEN
            PERFORM FROM counties WHERE code = NEW.county_code FOR NO KEY UPDATE;
            SELECT (SELECT count(*) FROM submissions WHERE county_code = NEW.county_code AND state = 'pending')
                 + (SELECT count(*) FROM filings WHERE county_code = NEW.county_code AND status IN ('submitted', 'in_review'))
            INTO pending;
            IF pending >= ceiling THEN
                PERFORM lifecycle_fail('CR013',
                    format('county %s has %s filings waiting for review (submissions not yet checked included), the most it may have; nothing was submitted',
                           NEW.county_code, pending),
                    format('%s 已有 %s 份申报等待审查（含尚未检查的提交），达到上限，未予提交', NEW.county_code, pending),
                    'Submit again once some have been reviewed (cluster-review list); an administrator sets the limit in config/limits.json.');
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION submissions_receive() FROM PUBLIC;
CREATE TRIGGER submissions_receive BEFORE INSERT ON submissions
    FOR EACH ROW EXECUTE FUNCTION submissions_receive();

-- A submission wakes the coordinators. A trigger function: executable by nobody.
CREATE FUNCTION notify_submission_received() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM pg_notify(cr_channel('coordinators'), 'submission');
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION notify_submission_received() FROM PUBLIC;
CREATE TRIGGER submissions_notify AFTER INSERT ON submissions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_submission_received();

-- A submission is changed once, by its verdict (file_submissions, as the owner), and never
-- deleted: no role has UPDATE or DELETE on it.

-- MARK: who reads and writes submissions

GRANT SELECT ON submissions TO cr_county, cr_reviewer, cr_admin, cr_auditor, cr_coordinator;
GRANT INSERT (document, client_reference, supersedes) ON submissions TO cr_county;

ALTER TABLE submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY submissions_owner ON submissions TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY submissions_county_read ON submissions FOR SELECT TO cr_county
    USING (county_code = ANY ((SELECT cr_my_counties())::text[]));
CREATE POLICY submissions_county_send ON submissions FOR INSERT TO cr_county
    WITH CHECK (county_code = ANY ((SELECT cr_my_counties())::text[]) AND submitted_by = cr_person() AND state = 'pending');
CREATE POLICY submissions_staff_read ON submissions FOR SELECT TO cr_reviewer, cr_admin, cr_auditor, cr_coordinator
    USING (true);

-- MARK: counties file only through the door

DROP POLICY filings_county_file ON filings;
REVOKE INSERT ON filings FROM cr_county;
DROP TRIGGER filings_pending_limit ON filings;
DROP FUNCTION filings_pending_limit();

DROP POLICY review_queue_county_queue ON review_queue;
REVOKE INSERT ON review_queue FROM cr_county;
REVOKE USAGE ON SEQUENCE review_ids FROM cr_county;

-- MARK: issues written by SQL

-- One issue as FilingValidator writes it (ValidationIssue: path, rule, message, fix). Used by
-- file_submissions only.
CREATE FUNCTION cr_issue(p_path text, p_rule text, p_zh text, p_en text, p_fix_zh text, p_fix_en text) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object('path', p_path, 'rule', p_rule,
                              'message', jsonb_build_object('zh', p_zh, 'en', p_en),
                              'fix', jsonb_build_object('zh', p_fix_zh, 'en', p_fix_en))
$$;
REVOKE ALL ON FUNCTION cr_issue(text, text, text, text, text, text) FROM PUBLIC;

-- MARK: the coordinator's side

-- Locks and returns up to `p_limit` (at most 1,000) pending submissions, oldest first, skipping
-- those another coordinator holds. The lock lasts until the caller's transaction ends: the caller
-- validates them and records every verdict with file_submissions in the same transaction; a
-- coordinator that dies meanwhile leaves them pending for another. The coordinator's alone.
CREATE FUNCTION claim_submissions(p_limit integer)
RETURNS TABLE (submission_id bigint, document bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM cr_require(ARRAY['cr_coordinator'], 'checking submissions', '检查提交的申报材料');
    RETURN QUERY
        SELECT s.id, s.document FROM submissions s
        WHERE s.state = 'pending'
        ORDER BY s.id
        LIMIT least(greatest(coalesce(p_limit, 0), 0), 1000)
        FOR UPDATE SKIP LOCKED;
END;
$$;
REVOKE ALL ON FUNCTION claim_submissions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_submissions(integer) TO cr_coordinator;

-- Records the verdicts on submissions `p_ids`: `p_issues[i]` NULL means FilingValidator found
-- nothing wrong — file it; otherwise it is the validator's issues (a non-empty array) — refuse it.
-- Set-based, one call per batch; submissions no longer pending, or held by another transaction,
-- are left as they are. A valid one is filed with every column derived from its document (see
-- the head of this file), its review queued, or refused with the issues SQL finds: another
-- county's filing (county_not_yours), a kind or format version the server does not know, a filing
-- date after today (date_after_today), a superseded filing that is not the county's own returned
-- one (supersedes). The same content as a filing on file is accepted naming that filing. Each
-- verdict channel is notified. Returns each submission's state (pending: not recorded here). The
-- coordinator's alone; the person recorded as checked_by is the coordinator's login.
CREATE FUNCTION file_submissions(p_ids bigint[], p_issues jsonb[])
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
        SELECT s.id, s.county_code AS sent_for, s.submitted_by, s.received_at, s.supersedes,
               convert_from(CASE WHEN substring(s.document FROM 1 FOR 3) = '\xefbbbf'::bytea
                                 THEN substring(s.document FROM 4) ELSE s.document END, 'UTF8')::jsonb AS payload
        FROM submissions s
        JOIN unnest(p_ids, p_issues) AS i(id, issues) ON i.id = s.id AND i.issues IS NULL
        WHERE s.state = 'pending'
        FOR UPDATE OF s SKIP LOCKED
    ), derived AS (
        SELECT v.*, v.payload ->> 'kind' AS kind, v.payload #>> '{applicant,county_code}' AS county_code,
               v.payload #>> '{cluster,name}' AS cluster_name, v.payload ->> 'filing_date' AS filing_date,
               v.payload -> 'format_version' AS format_version, sha256(convert_to(v.payload::text, 'UTF8')) AS content_hash
        FROM valid v
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
                (CASE WHEN d.supersedes IS NOT NULL AND NOT EXISTS (
                           SELECT FROM filings f WHERE f.id = d.supersedes AND f.county_code = d.county_code AND f.status = 'returned') THEN
                    cr_issue('supersedes', 'supersedes',
                             format('被更正的申报 %s 在 %s 不存在或未被退回', d.supersedes, coalesce(d.county_code, '（空）')),
                             format('filing %s (named in supersedes) is not a returned filing of county %s', d.supersedes, coalesce(d.county_code, '(none)')),
                             '填写本县一份已退回申报的编号', 'name a returned filing of your own county') END)
            ) AS x(issue)
            WHERE x.issue IS NOT NULL) AS problems
        FROM derived d
    ), refused AS (
        UPDATE submissions s
        SET state = 'refused', issues = c.problems, checked_at = now(), checked_by = cr_person()
        FROM checked c
        WHERE s.id = c.id AND c.problems IS NOT NULL
    ), first AS (
        SELECT DISTINCT ON (c.content_hash) c.*
        FROM checked c
        WHERE c.problems IS NULL
        ORDER BY c.content_hash, c.id
    ), inserted AS (
        INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, supersedes,
                             cluster_id, submitted_by, submitted_at)
        SELECT f.kind, f.county_code, f.cluster_name, f.filing_date::date, 1, f.payload, f.content_hash, f.supersedes,
               -- A recertification, annual or change report is for the county's register entry of that name.
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
