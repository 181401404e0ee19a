-- Where an expert's filings stand (issue 19, the expert's pages): a filing's status as people see
-- it (ReviewRecords: submitted, in review, reviewed …) reads its queue row, which an expert
-- (cr_expert, 121) could not read, so the web door's home page and the expert's list of filings
-- failed for them. An expert reads the queue rows of the filings on whose panels they sit — and of
-- those only the columns that say where the review stands (not the claim's token, lease or
-- worker) — as they read those filings, their reviews and findings (121).

GRANT SELECT (filing_id, purpose, state, attempts, last_error) ON review_queue TO cr_expert;
CREATE POLICY review_queue_expert_read ON review_queue FOR SELECT TO cr_expert
    USING (filing_id = ANY ((SELECT cr_my_panel_filings())::bigint[]));
