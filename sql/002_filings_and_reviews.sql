-- Filings, the review queue, finished reviews and their findings.
--
-- The queue is split in two on purpose: `review_queue` holds only work that is queued or running
-- (small, hot, updated on every claim and heartbeat, tuned for HOT updates and aggressive vacuum),
-- and a review leaves it for `reviews` in the same transaction that writes its findings. A backlog
-- of finished work never slows a claim, and table bloat stays confined to a small table.

CREATE TABLE filings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('initial', 'recertification', 'annual_report', 'change_report')),
    county_code    text NOT NULL REFERENCES counties (code),
    cluster_name   text NOT NULL CHECK (length(cluster_name) BETWEEN 1 AND 200),
    filed_on       date NOT NULL,
    format_version integer NOT NULL,
    payload        jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    -- SHA-256 of the canonical jsonb text: key order and white space do not change it, so the
    -- same content submitted twice is the same filing.
    content_hash   bytea NOT NULL UNIQUE,
    status         text NOT NULL DEFAULT 'submitted',
    supersedes     bigint REFERENCES filings (id),
    submitted_by   text NOT NULL DEFAULT session_user,
    submitted_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX filings_county_idx ON filings (county_code, submitted_at);
CREATE INDEX filings_status_idx ON filings (status);

COMMENT ON COLUMN filings.status IS 'Where the filing stands in its life; the lifecycle migration constrains the values.';

CREATE SEQUENCE review_ids AS bigint;

-- Work queued or running. A row is deleted when its review is finished (moved to `reviews`).
CREATE TABLE review_queue (
    id           bigint PRIMARY KEY DEFAULT nextval('review_ids'),
    filing_id    bigint NOT NULL REFERENCES filings (id),
    county_code  text NOT NULL REFERENCES counties (code),
    purpose      text NOT NULL DEFAULT 'decision' CHECK (purpose IN ('decision', 'monitoring')),
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running')),
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    not_before   timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz,
    claim_token  uuid,
    claimed_by   text,
    queued_at    timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    last_error   text,
    rulebook     text,
    as_of        date,
    CHECK ((state = 'running') = (claim_token IS NOT NULL AND lease_until IS NOT NULL))
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 200,
        autovacuum_analyze_scale_factor = 0.05);

-- One live review per filing.
CREATE UNIQUE INDEX review_queue_filing_idx ON review_queue (filing_id);
-- Claims walk each county's queued work in order (fairness interleaves counties).
CREATE INDEX review_queue_claim_idx ON review_queue (county_code, queued_at, id) WHERE state = 'queued';
-- Rescue finds expired leases.
CREATE INDEX review_queue_lease_idx ON review_queue (lease_until) WHERE state = 'running';

-- Finished reviews: one row per review run, written with its findings in one transaction.
CREATE TABLE reviews (
    id              bigint PRIMARY KEY,
    filing_id       bigint NOT NULL REFERENCES filings (id),
    county_code     text NOT NULL REFERENCES counties (code),
    purpose         text NOT NULL CHECK (purpose IN ('decision', 'monitoring')),
    outcome         text NOT NULL CHECK (outcome IN ('completed', 'failed')),
    recommendation  text CHECK (recommendation IN ('recommended', 'needs_review', 'not_recommended', 'rejected_by_veto')),
    aggregate       jsonb,
    rulebook        text,
    rulebook_hash   text,
    as_of           date,
    attempts        integer NOT NULL,
    last_error      text,
    coordinator     text,
    queued_at       timestamptz NOT NULL,
    started_at      timestamptz,
    finished_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((outcome = 'completed') = (recommendation IS NOT NULL))
);

CREATE INDEX reviews_filing_idx ON reviews (filing_id, finished_at DESC);
CREATE INDEX reviews_finished_idx ON reviews (finished_at);

-- One finding per review and criterion: a retried or duplicated write can never double it.
CREATE TABLE findings (
    review_id      bigint NOT NULL REFERENCES reviews (id),
    criterion      text NOT NULL CHECK (criterion ~ '^[A-Z]{2,8}-[0-9]{1,3}$'),
    filing_id      bigint NOT NULL REFERENCES filings (id),
    county_code    text NOT NULL REFERENCES counties (code),
    module         text NOT NULL,
    module_version text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('threshold', 'evidence', 'judgement')),
    verdict        text NOT NULL CHECK (verdict IN ('pass', 'fail', 'warn', 'manual', 'not_applicable', 'error')),
    score          smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
    observed       jsonb,
    threshold      jsonb,
    comparator     text,
    margin         jsonb,
    message_zh     text NOT NULL,
    message_en     text NOT NULL,
    citation       text NOT NULL,
    parameters     jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (review_id, criterion)
);

CREATE INDEX findings_filing_idx ON findings (filing_id);

-- New work wakes the coordinators; polling covers a lost notification.
CREATE FUNCTION notify_review_queued() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('review_queued', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER review_queue_notify
    AFTER INSERT ON review_queue
    FOR EACH STATEMENT EXECUTE FUNCTION notify_review_queued();
