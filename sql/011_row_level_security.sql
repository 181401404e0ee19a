-- Who may do what, part 2: privileges and row-level security on the tables of 001–003
-- (issue 7; docs/security.md has the table of roles).
--
-- Privileges say which statements a group role may run on a table; policies say which rows.
-- Every table is ENABLEd and FORCEd, so the owner is held by policies too when it is not a
-- superuser; the owner (the role that migrates) keeps a policy of its own for its SECURITY DEFINER
-- functions. A county role's rows are those whose county_code is one of `cr_my_counties()`;
-- what a county may not see reads as absent (no rows), what it may not write fails with 42501.

-- MARK: reference data

GRANT SELECT ON counties TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor;
GRANT SELECT ON schema_migrations TO cr_admin, cr_auditor;

-- MARK: filings

GRANT SELECT ON filings TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor;
-- A county names what it files; the id, status, who and when are the database's.
GRANT INSERT (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, supersedes)
    ON filings TO cr_county;
-- The coordinator moves a filing through review (in_review, reviewed, recorded, review_failed).
GRANT UPDATE (status) ON filings TO cr_coordinator;

ALTER TABLE filings ENABLE ROW LEVEL SECURITY;
ALTER TABLE filings FORCE ROW LEVEL SECURITY;

CREATE POLICY filings_owner ON filings TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY filings_county_read ON filings FOR SELECT TO cr_county
    USING (county_code = ANY ((SELECT cr_my_counties())::text[]));
-- A county files only for itself: the county column and the county the payload names must both be
-- the caller's, and the content hash must be the payload's (so idempotency cannot be forged).
CREATE POLICY filings_county_file ON filings FOR INSERT TO cr_county
    WITH CHECK (
        county_code = ANY ((SELECT cr_my_counties())::text[])
        AND payload #>> '{applicant,county_code}' = county_code
        AND status = 'submitted'
        AND submitted_by = session_user
        AND content_hash = sha256(convert_to(payload::text, 'UTF8')));
CREATE POLICY filings_staff_read ON filings FOR SELECT TO cr_reviewer, cr_admin, cr_coordinator, cr_auditor
    USING (true);
-- Only a filing still in review: a decided filing is the lifecycle's, never the coordinator's.
CREATE POLICY filings_coordinator_status ON filings FOR UPDATE TO cr_coordinator
    USING (status IN ('submitted', 'in_review'))
    WITH CHECK (status IN ('submitted', 'in_review', 'reviewed', 'recorded', 'review_failed'));

-- MARK: review_queue

GRANT SELECT ON review_queue TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor;
-- Submission queues the filing's review in the same statement (FilingStore.submit).
GRANT INSERT (filing_id, county_code, purpose) ON review_queue TO cr_county;
GRANT USAGE ON SEQUENCE review_ids TO cr_county;
-- The coordinator moves a review through its claim; what the review is of is not its to change.
GRANT UPDATE (state, attempts, not_before, lease_until, claim_token, claimed_by, started_at, last_error)
    ON review_queue TO cr_coordinator;
GRANT DELETE ON review_queue TO cr_coordinator;

-- A queued review names its filing's own county: a county cannot queue (and so see the state of)
-- another county's filing under its own code.
ALTER TABLE filings ADD CONSTRAINT filings_id_county_key UNIQUE (id, county_code);
ALTER TABLE review_queue ADD CONSTRAINT review_queue_filing_county_fkey
    FOREIGN KEY (filing_id, county_code) REFERENCES filings (id, county_code);

ALTER TABLE review_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_queue FORCE ROW LEVEL SECURITY;

CREATE POLICY review_queue_owner ON review_queue TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY review_queue_county_read ON review_queue FOR SELECT TO cr_county
    USING (county_code = ANY ((SELECT cr_my_counties())::text[]));
CREATE POLICY review_queue_county_queue ON review_queue FOR INSERT TO cr_county
    WITH CHECK (county_code = ANY ((SELECT cr_my_counties())::text[]) AND state = 'queued' AND attempts = 0
                AND claim_token IS NULL AND lease_until IS NULL);
CREATE POLICY review_queue_staff_read ON review_queue FOR SELECT TO cr_reviewer, cr_admin, cr_auditor
    USING (true);
CREATE POLICY review_queue_coordinator ON review_queue TO cr_coordinator USING (true) WITH CHECK (true);

-- MARK: reviews and findings

GRANT SELECT ON reviews, findings TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor;
GRANT INSERT ON reviews, findings TO cr_coordinator;

ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY reviews_owner ON reviews TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY reviews_county_read ON reviews FOR SELECT TO cr_county
    USING (county_code = ANY ((SELECT cr_my_counties())::text[]));
CREATE POLICY reviews_staff_read ON reviews FOR SELECT TO cr_reviewer, cr_admin, cr_coordinator, cr_auditor
    USING (true);
CREATE POLICY reviews_coordinator_write ON reviews FOR INSERT TO cr_coordinator WITH CHECK (true);

ALTER TABLE findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE findings FORCE ROW LEVEL SECURITY;
CREATE POLICY findings_owner ON findings TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY findings_county_read ON findings FOR SELECT TO cr_county
    USING (county_code = ANY ((SELECT cr_my_counties())::text[]));
CREATE POLICY findings_staff_read ON findings FOR SELECT TO cr_reviewer, cr_admin, cr_coordinator, cr_auditor
    USING (true);
CREATE POLICY findings_coordinator_write ON findings FOR INSERT TO cr_coordinator WITH CHECK (true);

-- MARK: coordinators (heartbeats and module states: no county data)

GRANT SELECT ON coordinators TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor;
GRANT INSERT, UPDATE, DELETE ON coordinators TO cr_coordinator;

ALTER TABLE coordinators ENABLE ROW LEVEL SECURITY;
ALTER TABLE coordinators FORCE ROW LEVEL SECURITY;
CREATE POLICY coordinators_owner ON coordinators TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY coordinators_read ON coordinators FOR SELECT
    TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor USING (true);
CREATE POLICY coordinators_write ON coordinators TO cr_coordinator USING (true) WITH CHECK (true);

-- MARK: functions

-- The context sent to modules: the coordinator's alone (it draws on records of every county).
GRANT EXECUTE ON FUNCTION review_context(bigint) TO cr_coordinator;
