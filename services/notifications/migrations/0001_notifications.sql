-- The notifications service (issue 12): what services deposit (envelopes), who people are
-- (the directory, fed by identity's `account` events), the in-app notices, the e-mail
-- preferences, and the mail outbox delivered through the HTTP e-mail API.

-- Every deposited envelope, once: a relay retried after a lost answer finds its id here
-- and deposits nothing twice.
CREATE TABLE envelopes (
    id           TEXT PRIMARY KEY,          -- the producer's outbox id (UUID v7)
    kind         TEXT NOT NULL,             -- the event kind (`account`, `invitation`…)
    at           TEXT NOT NULL,             -- when the change committed (RFC 3339, UTC)
    event        TEXT NOT NULL,             -- the event as JSON
    deposited_at INTEGER NOT NULL           -- seconds since the epoch
);

-- The recipients: each account's latest profile (e-mail, name, language, organisation).
CREATE TABLE directory (
    account_id      TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    lang            TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    organisation_id TEXT,
    at              TEXT NOT NULL           -- the envelope time of this profile: an older one never overwrites it
);
CREATE INDEX directory_by_organisation ON directory (organisation_id) WHERE organisation_id IS NOT NULL;

-- Messages to an account the directory does not know yet: delivered when its profile arrives.
CREATE TABLE waiting (
    account_id  TEXT NOT NULL,
    envelope_id TEXT NOT NULL REFERENCES envelopes (id),
    PRIMARY KEY (account_id, envelope_id)
);

-- In-app notices, one per message and account.
CREATE TABLE notices (
    id          TEXT PRIMARY KEY,           -- UUID v7: newest first is id descending
    account_id  TEXT NOT NULL,
    envelope_id TEXT NOT NULL REFERENCES envelopes (id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT,                       -- a path in the web app; never a secret link
    at          TEXT NOT NULL,              -- RFC 3339, UTC
    read_at     INTEGER,
    UNIQUE (envelope_id, account_id)
);
CREATE INDEX notices_by_account ON notices (account_id, id);
CREATE INDEX notices_unread ON notices (account_id) WHERE read_at IS NULL;

-- The topics a person receives by e-mail (no row: every topic).
CREATE TABLE preferences (
    account_id TEXT PRIMARY KEY,
    email      TEXT NOT NULL,               -- JSON array of topics
    updated_at INTEGER NOT NULL
);

-- The mail outbox: one row per message and address, sent at most once (the row id is
-- the Idempotency-Key), retried with backoff, claimed with a lease by a delivery pass.
CREATE TABLE mails (
    id              TEXT PRIMARY KEY,       -- UUID v7, the Idempotency-Key
    envelope_id     TEXT NOT NULL REFERENCES envelopes (id),
    account_id      TEXT,                   -- NULL for an address without an account
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text            TEXT NOT NULL,
    html            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    UNIQUE (envelope_id, to_address)
);
CREATE INDEX mails_due ON mails (status, next_attempt_at);
