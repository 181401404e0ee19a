-- Modules are declared, reviews are complete (issue 12).
--
-- 1. What each module version declared in its ready line — its title, the filing kinds it
--    reviews, the members it reads, and every criterion it decides with its title, kind,
--    citation, parameters and veto — recorded by a coordinator when it starts its modules. It is
--    the one source of criterion titles for everything read later (report, report --html,
--    rulebook of a past review): a report shows what the module declared when it judged. The
--    declaration is the module's `ModuleDescriptor` as JSON (IndicatorKit), keyed by module and
--    version; a version declared anew (a module changed without a new version) replaces the record.
-- 2. The criteria a review requires, fixed when it is first claimed: every enabled module that
--    applies to the filing's kind, with the criteria it declared (`[{"module", "version",
--    "criteria": [ids] | null}]`, null when the module has never declared). Completion compares
--    what came back with it: a criterion without a finding gets an `error` finding with the cause.
--    It moves to `reviews` with the review.
-- 3. How long a review has waited for modules that were unavailable (their circuit open), and
--    for which: a review waits at most the module's `max_outage_seconds`, then completes with
--    `error` findings for that module. `status` counts the waiting reviews per module.

CREATE TABLE module_declarations (
    module       text NOT NULL CHECK (module ~ '^[a-z0-9_-]{1,64}$'),
    version      text NOT NULL CHECK (length(version) BETWEEN 1 AND 64),
    declaration  jsonb NOT NULL CHECK (jsonb_typeof(declaration) = 'object' AND declaration ->> 'id' = module
                                       AND declaration ->> 'version' = version),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    recorded_by  text NOT NULL,
    PRIMARY KEY (module, version)
);

-- No county data: what modules declare is public to everyone who may read findings.
GRANT SELECT ON module_declarations TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor;
GRANT INSERT, UPDATE ON module_declarations TO cr_coordinator;

ALTER TABLE module_declarations ENABLE ROW LEVEL SECURITY;
ALTER TABLE module_declarations FORCE ROW LEVEL SECURITY;
CREATE POLICY module_declarations_owner ON module_declarations TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY module_declarations_read ON module_declarations FOR SELECT
    TO cr_county, cr_reviewer, cr_admin, cr_coordinator, cr_auditor USING (true);
CREATE POLICY module_declarations_record ON module_declarations FOR INSERT TO cr_coordinator WITH CHECK (true);
CREATE POLICY module_declarations_renew ON module_declarations FOR UPDATE TO cr_coordinator USING (true) WITH CHECK (true);

ALTER TABLE review_queue
    ADD COLUMN required jsonb CHECK (required IS NULL OR jsonb_typeof(required) = 'array'),
    ADD COLUMN deferred_since timestamptz,
    ADD COLUMN deferred_for text[];

-- The coordinator records them; nothing else of a queued review becomes its to change.
GRANT UPDATE (required, deferred_since, deferred_for) ON review_queue TO cr_coordinator;

ALTER TABLE reviews ADD COLUMN required jsonb CHECK (required IS NULL OR jsonb_typeof(required) = 'array');

-- Reviews waiting for a module, by module, for `status`.
CREATE INDEX review_queue_deferred_idx ON review_queue USING gin (deferred_for) WHERE deferred_for IS NOT NULL;
