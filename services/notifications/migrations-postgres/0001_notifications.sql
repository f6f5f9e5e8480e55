-- notifications on PostgreSQL: the final state of the SQLite migrations 0001–0002 as one logical
-- schema (docs/design/postgres.md). Runs as qmi_notifications_owner with search_path = notifications.
-- Integers are bigint (the services bind 64-bit parameters), REAL is double precision,
-- times stay unix seconds or text exactly as on SQLite, booleans stay 0/1.

CREATE TABLE envelopes (
    id           text PRIMARY KEY,                  -- the producer's outbox id (UUID v7)
    kind         text NOT NULL,
    at           text NOT NULL,                     -- RFC 3339, UTC
    event        text NOT NULL,                     -- the event as JSON
    deposited_at bigint NOT NULL,                   -- seconds since the epoch
    tenant       text
);

CREATE TABLE directory (
    account_id      text PRIMARY KEY,
    email           text NOT NULL,
    name            text NOT NULL,
    lang            text NOT NULL CHECK (lang IN ('fr', 'en')),
    organisation_id text,
    at              text NOT NULL
);
CREATE INDEX directory_by_organisation ON directory (organisation_id) WHERE organisation_id IS NOT NULL;

CREATE TABLE waiting (
    account_id  text NOT NULL,
    envelope_id text NOT NULL REFERENCES envelopes (id),
    PRIMARY KEY (account_id, envelope_id)
);

CREATE TABLE notices (
    id          text PRIMARY KEY,                   -- UUID v7
    account_id  text NOT NULL,
    envelope_id text NOT NULL REFERENCES envelopes (id),
    kind        text NOT NULL,
    title       text NOT NULL,
    body        text NOT NULL,
    link        text,
    at          text NOT NULL,                      -- RFC 3339, UTC
    read_at     bigint,
    tenant      text,
    UNIQUE (envelope_id, account_id)
);
CREATE INDEX notices_by_account ON notices (account_id, id);
CREATE INDEX notices_unread ON notices (account_id) WHERE read_at IS NULL;
CREATE INDEX notices_by_account_tenant ON notices (account_id, tenant) WHERE tenant IS NOT NULL;

CREATE TABLE preferences (
    account_id text PRIMARY KEY,
    email      text NOT NULL,                       -- JSON array of topics
    updated_at bigint NOT NULL
);

CREATE TABLE mails (
    id              text PRIMARY KEY,               -- UUID v7, the Idempotency-Key
    envelope_id     text NOT NULL REFERENCES envelopes (id),
    account_id      text,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    text            text NOT NULL,
    html            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        bigint NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    lease_until     bigint,
    last_error      text,
    created_at      bigint NOT NULL,
    sent_at         bigint,
    UNIQUE (envelope_id, to_address)
);
CREATE INDEX mails_due ON mails (status, next_attempt_at);
