-- applications on PostgreSQL: the final state of the SQLite migrations 0001–0009 as one logical
-- schema (docs/design/postgres.md). Runs as qmi_applications_owner with search_path = applications.
-- Integers are bigint (the services bind 64-bit parameters), REAL is double precision,
-- times stay unix seconds or text exactly as on SQLite, booleans stay 0/1.

-- The programme's calls for communes (platform-wide).
CREATE TABLE campaigns (
    id         text PRIMARY KEY,
    title      text NOT NULL,
    text       text NOT NULL,
    opens_at   bigint NOT NULL,
    closes_at  bigint NOT NULL,
    questions  text NOT NULL,
    published  bigint NOT NULL DEFAULT 0,
    created_by text NOT NULL,
    created_at bigint NOT NULL
);

CREATE TABLE campaign_events (
    campaign_id text NOT NULL REFERENCES campaigns (id),
    seq         bigint NOT NULL,
    at          bigint NOT NULL,
    action      text NOT NULL,                      -- created | edited | published
    actor       text NOT NULL,
    PRIMARY KEY (campaign_id, seq)
);

CREATE TABLE candidacies (
    insee        text NOT NULL,
    campaign_id  text NOT NULL REFERENCES campaigns (id),
    body         text NOT NULL,                     -- CandidacyInput as JSON
    status       text NOT NULL DEFAULT 'draft',
    reason       text,
    updated_at   bigint NOT NULL,
    submitted_by text,
    PRIMARY KEY (insee, campaign_id)
);
CREATE INDEX candidacies_by_campaign ON candidacies (campaign_id, insee);

CREATE TABLE calls (
    insee               text NOT NULL,
    id                  text NOT NULL,
    body                text NOT NULL,              -- CallInput as JSON
    themes              text NOT NULL,              -- "|theme|theme|" for the public filter
    opens_at            bigint NOT NULL,
    closes_at           bigint NOT NULL,
    published           bigint NOT NULL DEFAULT 0,
    decisions_published bigint NOT NULL DEFAULT 0,
    created_by          text NOT NULL,
    created_at          bigint NOT NULL,
    districts           text NOT NULL DEFAULT '',
    closed_early_at     bigint,
    closed_early_by     text,
    closed_early_reason text,
    PRIMARY KEY (insee, id)
);
CREATE UNIQUE INDEX calls_by_id ON calls (id);
CREATE INDEX calls_published ON calls (published, id);
CREATE INDEX calls_closing ON calls (published, closes_at);

CREATE TABLE applications (
    insee             text NOT NULL,
    id                text NOT NULL,
    call_id           text NOT NULL,
    organisation_id   text NOT NULL,
    title             text NOT NULL,
    answers           text NOT NULL,
    status            text NOT NULL,
    reason            text,
    created_by        text NOT NULL,
    idempotency_key   text,
    created_at        bigint NOT NULL,
    updated_at        bigint NOT NULL,
    submitted_at      bigint,
    organisation_name text NOT NULL DEFAULT '',
    PRIMARY KEY (insee, id)
);
CREATE UNIQUE INDEX applications_by_id ON applications (id);
CREATE INDEX applications_by_call ON applications (insee, call_id, id);
CREATE INDEX applications_by_organisation ON applications (organisation_id, id);
CREATE UNIQUE INDEX applications_idempotency ON applications (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX applications_drafts ON applications (call_id) WHERE status = 'draft';

CREATE TABLE application_events (
    insee          text NOT NULL,
    application_id text NOT NULL,
    seq            bigint NOT NULL,
    at             bigint NOT NULL,
    status         text NOT NULL,
    actor          text NOT NULL,
    reason         text,
    PRIMARY KEY (insee, application_id, seq)
);

CREATE TABLE attachments (
    insee          text NOT NULL,
    id             text NOT NULL,
    application_id text NOT NULL,
    content_type   text NOT NULL,
    size           bigint NOT NULL,
    sha256         text NOT NULL,
    data           bytea NOT NULL,
    created_at     bigint NOT NULL,
    name           text,
    PRIMARY KEY (insee, id)
);
CREATE INDEX attachments_by_application ON attachments (insee, application_id);

CREATE TABLE assignments (
    insee           text NOT NULL,
    application_id  text NOT NULL,
    reviewer        text NOT NULL,
    call_id         text NOT NULL,
    conflict        bigint NOT NULL DEFAULT 0,
    conflict_reason text,
    assigned_at     bigint NOT NULL,
    conflict_kind   text,
    PRIMARY KEY (insee, application_id, reviewer)
);
CREATE INDEX assignments_by_reviewer ON assignments (reviewer, application_id);
CREATE INDEX assignments_by_call ON assignments (insee, call_id);

CREATE TABLE scores (
    insee          text NOT NULL,
    application_id text NOT NULL,
    reviewer       text NOT NULL,
    criterion      text NOT NULL,
    score          bigint NOT NULL CHECK (score BETWEEN 0 AND 5),
    comment        text NOT NULL DEFAULT '',
    PRIMARY KEY (insee, application_id, reviewer, criterion)
);

CREATE TABLE outbox (
    id              text PRIMARY KEY,               -- UUID v7: the envelope id
    at              bigint NOT NULL,
    event           text NOT NULL,
    attempts        bigint NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    lease_until     bigint,
    relayed_at      bigint
);
CREATE INDEX outbox_due ON outbox (relayed_at, next_attempt_at);

CREATE TABLE reminders (
    insee          text NOT NULL,
    application_id text NOT NULL,
    call_id        text NOT NULL,
    sent_at        bigint NOT NULL,
    PRIMARY KEY (insee, application_id)
);

-- Row-level security on the tenant tables, enabled and forced (the owner too), with
-- policies that fail closed without `qmi.commune` (docs/design/postgres.md).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['candidacies', 'calls', 'applications', 'application_events', 'attachments', 'assignments', 'scores', 'reminders'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (insee = NULLIF(current_setting('qmi.commune', true), '') OR current_setting('qmi.across', true) = 'read')$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_update ON %I FOR UPDATE USING (insee = NULLIF(current_setting('qmi.commune', true), '')) WITH CHECK (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_delete ON %I FOR DELETE USING (insee = NULLIF(current_setting('qmi.commune', true), ''))$p$, t);
    END LOOP;
END
$$;
