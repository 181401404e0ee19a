-- A cluster's name at the database's door says exactly what `validate` says (issue 14, item 2).
--
-- 012's `filings_cluster_name_printable` refused `[[:cntrl:]]`, whose meaning depends on the
-- server's locale: under C it is ASCII controls only, under a UTF-8 locale it also takes U+0085 and
-- more, so `validate` and `submit` disagreed. This check names its characters, the same ones
-- FilingValidator refuses in a one-line name (docs/filing-format.md, "Characters"):
--   control characters  U+0001–U+001F, U+007F–U+009F (NEL, U+0085, included)
--   bidi controls       U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069
--   invisible           U+200B–U+200D, U+2060, U+FEFF
--   line separators     U+2028, U+2029
-- The validator refuses them first, with the JSON path; this is the second wall, for any other
-- client. NOT VALID: rows already on file stay as they are; every new or changed row is checked.

ALTER TABLE filings DROP CONSTRAINT filings_cluster_name_printable;
ALTER TABLE filings ADD CONSTRAINT filings_cluster_name_plain
    CHECK (cluster_name !~ '[\u0001-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]') NOT VALID;
