-- Calls for communes (programme-wide), candidacies, calls for solutions,
-- applications, reviews. Every tenant-scoped table has `insee` first in its key.

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    opens_at    INTEGER NOT NULL,
    closes_at   INTEGER NOT NULL,
    questions   TEXT NOT NULL,
    published   INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE candidacies (
    insee         TEXT NOT NULL,
    campaign_id   TEXT NOT NULL REFERENCES campaigns (id),
    body          TEXT NOT NULL,           -- CandidacyInput as JSON
    status        TEXT NOT NULL DEFAULT 'draft',
    reason        TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (insee, campaign_id)
);
CREATE INDEX candidacies_by_campaign ON candidacies (campaign_id, insee);

CREATE TABLE calls (
    insee                TEXT NOT NULL,
    id                   TEXT NOT NULL,
    body                 TEXT NOT NULL,    -- CallInput as JSON (workflow filled in)
    themes               TEXT NOT NULL,    -- "|theme|theme|" for the public filter
    opens_at             INTEGER NOT NULL,
    closes_at            INTEGER NOT NULL,
    published            INTEGER NOT NULL DEFAULT 0,
    decisions_published  INTEGER NOT NULL DEFAULT 0,
    created_by           TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (insee, id)
);
CREATE UNIQUE INDEX calls_by_id ON calls (id);
CREATE INDEX calls_published ON calls (published, id);

CREATE TABLE applications (
    insee            TEXT NOT NULL,
    id               TEXT NOT NULL,
    call_id          TEXT NOT NULL,
    organisation_id  TEXT NOT NULL,
    title            TEXT NOT NULL,
    answers          TEXT NOT NULL,
    status           TEXT NOT NULL,
    reason           TEXT,
    created_by       TEXT NOT NULL,
    idempotency_key  TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    submitted_at     INTEGER,
    PRIMARY KEY (insee, id)
);
CREATE UNIQUE INDEX applications_by_id ON applications (id);
CREATE INDEX applications_by_call ON applications (insee, call_id, id);
CREATE INDEX applications_by_organisation ON applications (organisation_id, id);
-- Retries of a creation under the same key find the first one.
CREATE UNIQUE INDEX applications_idempotency ON applications (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE application_events (
    insee           TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    status          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT,
    PRIMARY KEY (insee, application_id, seq)
);

CREATE TABLE attachments (
    insee           TEXT NOT NULL,
    id              TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    data            BLOB NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (insee, id)
);
CREATE INDEX attachments_by_application ON attachments (insee, application_id);

CREATE TABLE assignments (
    insee           TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    reviewer        TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    conflict        INTEGER NOT NULL DEFAULT 0,
    conflict_reason TEXT,
    assigned_at     INTEGER NOT NULL,
    PRIMARY KEY (insee, application_id, reviewer)
);
CREATE INDEX assignments_by_reviewer ON assignments (reviewer, application_id);
CREATE INDEX assignments_by_call ON assignments (insee, call_id);

CREATE TABLE scores (
    insee           TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    reviewer        TEXT NOT NULL,
    criterion       TEXT NOT NULL,
    score           INTEGER NOT NULL CHECK (score BETWEEN 0 AND 5),
    comment         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (insee, application_id, reviewer, criterion)
);
