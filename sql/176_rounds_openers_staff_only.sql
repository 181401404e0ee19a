-- Who opened or closed a round is the province's business, not a county's: an administrator's login
-- name tells a county nothing it needs to file and is one more name for a phishing message. Counties
-- keep reading every column a filing needs (the window, the kinds, the quotas, the rulebook and
-- dates its review uses); staff read the whole row as before (sql/120).
REVOKE SELECT ON rounds FROM cr_county;
GRANT SELECT (id, name, kinds, opens_on, closes_on, rulebook, as_of, quota_per_county, quota_total,
              validity_starts_on, opened_at, closed_on) ON rounds TO cr_county;
