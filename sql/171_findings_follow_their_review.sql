-- Issue 16, "findings reach PostgreSQL … with only the foreign keys that guard something (a
-- finding's filing and county follow from its review)". A review writes about 44 findings
-- (complete_reviews, sql/141), and each finding row fired three foreign-key checks — a lookup
-- with a KEY SHARE lock in reviews, filings and counties — and one entry in findings_filing_idx.
--
-- * findings_filing_id_fkey (findings.filing_id → filings): dropped. The finding's review already
--   names that filing (reviews_filing_id_fkey), and the key added below makes the finding's
--   filing its review's, so a filing cannot go while its findings stay: its review holds it.
-- * findings_county_code_fkey (findings.county_code → counties): dropped, for the same reason
--   (reviews_county_code_fkey, and the key below).
-- * findings_review_id_fkey (findings.review_id → reviews): replaced by
--   findings_review_filing_county_fkey, (review_id, filing_id, county_code) → reviews. One check
--   per finding instead of three, and a stronger one: before, nothing but complete_reviews'
--   own text made a finding's filing and county those of its review (the county's row policy on
--   findings reads findings.county_code); now the database does, whoever writes. It needs
--   reviews_id_filing_county_key, one more index entry per review (not per finding).
-- * findings_filing_idx (findings.filing_id): dropped. No statement reads findings by filing
--   (every reader goes by review_id: findings' key, findings_statistics_idx); it served the
--   check of findings_filing_id_fkey when a filing was deleted, which is gone.
--
-- No function changes: complete_reviews already writes each finding with its review's filing and
-- county (`w.filing_id, w.county_code` from the review it writes in the same statement).

ALTER TABLE reviews ADD CONSTRAINT reviews_id_filing_county_key UNIQUE (id, filing_id, county_code);

ALTER TABLE findings DROP CONSTRAINT findings_filing_id_fkey;
ALTER TABLE findings DROP CONSTRAINT findings_county_code_fkey;
ALTER TABLE findings DROP CONSTRAINT findings_review_id_fkey;
ALTER TABLE findings ADD CONSTRAINT findings_review_filing_county_fkey
    FOREIGN KEY (review_id, filing_id, county_code) REFERENCES reviews (id, filing_id, county_code);

DROP INDEX findings_filing_idx;
