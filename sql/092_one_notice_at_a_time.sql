-- Issue 15 (review of 051): one public notice per cluster even when two reviewers approve at once.
-- 051's check looked for another open notice without a lock, so two concurrent approvals of
-- filings for the same county and cluster name could both open one. The check is restated whole
-- with the lock; nothing else changes.

CREATE OR REPLACE FUNCTION publicity_notices_refuse_second_entry() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    f filings;
    c clusters;
    other bigint;
BEGIN
    SELECT * INTO f FROM filings WHERE id = NEW.filing_id;
    -- Two approvals of the same cluster at once would each find no other notice and both open one;
    -- the sweep would then fail on the second recognition every day. Opening a notice therefore
    -- takes the county's row first (NO KEY UPDATE: filings may still reference the county), so
    -- openings in one county follow each other and the second sees the first.
    PERFORM 1 FROM counties WHERE code = f.county_code FOR NO KEY UPDATE;
    SELECT * INTO c FROM clusters
    WHERE county_code = f.county_code AND name = f.cluster_name AND status <> 'revoked' LIMIT 1;
    IF FOUND THEN
        PERFORM lifecycle_fail('CR009',
            format('%s (%s) is already on the register: %s, id %s, %s; filing %s cannot be recognized again',
                   f.cluster_name, f.county_code, c.certificate_no, c.id, c.status, f.id),
            format('%s（%s）已在认定名单中：%s（编号 %s，状态 %s），申报 %s 不能再次认定',
                   f.cluster_name, f.county_code, c.certificate_no, c.id, c.status, f.id),
            'Refuse or return the filing; a recognized cluster is renewed by a recertification filing.');
    END IF;
    SELECT n.filing_id INTO other FROM publicity_notices n JOIN filings g ON g.id = n.filing_id
    WHERE n.state = 'open' AND g.county_code = f.county_code AND g.cluster_name = f.cluster_name AND g.id <> f.id
    LIMIT 1;
    IF FOUND THEN
        PERFORM lifecycle_fail('CR009',
            format('%s (%s) is already in public notice with filing %s', f.cluster_name, f.county_code, other),
            format('%s（%s）已随申报 %s 进入公示', f.cluster_name, f.county_code, other),
            'Wait for that notice to close; one cluster is recognized once.');
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION publicity_notices_refuse_second_entry() FROM PUBLIC;
