-- Invitations, partner sign-up and requests to join an organisation (issue 12).
-- Times are unix seconds from the service's clock (never SQLite's 'now'), so that
-- expiry follows the same clock as the rest of identity (a test's manual clock too).

-- An account's e-mail is confirmed once its owner followed a link sent to it: by
-- accepting an invitation, or the confirmation link of a sign-up. An unconfirmed
-- account may sign in but neither create nor join an organisation (the policy's
-- `account-unconfirmed` fact). Every account existing before this migration was
-- created by an operator or the demo seed: confirmed.
ALTER TABLE accounts ADD COLUMN email_confirmed_at INTEGER;
UPDATE accounts SET email_confirmed_at = CAST(strftime('%s', created_at) AS INTEGER);

-- Invitations to join a commune (with a role), the programme team, or an
-- organisation. The e-mailed link `/invitation/<token>` carries 256 random bits;
-- only their SHA-256 is stored. Valid 7 days, single use; resending replaces the
-- token (the old link dies) and restarts the 7 days; revoking ends it.
-- Organisation invitations also appear in `GET /api/me/invitations` (accepted or
-- declined there by a signed-in addressee, as since issue 11).
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,                   -- UUID v7
    kind            TEXT NOT NULL CHECK (kind IN ('commune', 'programme', 'organisation')),
    insee           TEXT REFERENCES communes (insee),   -- kind 'commune'
    role            TEXT CHECK (role IN ('admin', 'agent', 'reviewer')),
    organisation_id TEXT REFERENCES organisations (id), -- kind 'organisation'
    email           TEXT NOT NULL,                      -- trimmed and lower-cased, as accounts.email
    name            TEXT,                               -- the name the inviter gave, proposed to a newcomer
    invited_by      TEXT NOT NULL REFERENCES accounts (id),
    token_hash      TEXT UNIQUE,                        -- hex SHA-256; NULL for invitations made before links
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    CHECK ((kind = 'commune') = (insee IS NOT NULL AND role IS NOT NULL)),
    CHECK ((kind = 'organisation') = (organisation_id IS NOT NULL))
);
-- One pending invitation per place and e-mail: inviting again resends it.
CREATE UNIQUE INDEX invitations_pending ON invitations (kind, COALESCE(insee, ''), COALESCE(organisation_id, ''), email)
    WHERE status = 'pending';
CREATE INDEX invitations_by_commune ON invitations (insee, status, id) WHERE insee IS NOT NULL;
CREATE INDEX invitations_by_organisation ON invitations (organisation_id, status, id) WHERE organisation_id IS NOT NULL;
CREATE INDEX invitations_by_email ON invitations (email, status);

-- The organisation invitations of issue 11 move into `invitations` (no link: their
-- addressees answer them in `GET /api/me/invitations`).
INSERT INTO invitations (id, kind, organisation_id, email, invited_by, status, created_at, expires_at, answered_at)
SELECT id, 'organisation', organisation_id, email, invited_by, status,
       CAST(strftime('%s', created_at) AS INTEGER),
       CAST(strftime('%s', created_at) AS INTEGER) + 604800,
       CAST(strftime('%s', answered_at) AS INTEGER)
FROM organisation_invitations;
DROP TABLE organisation_invitations;

-- E-mail confirmation links of a sign-up (`/confirmer/<token>`): SHA-256 only, valid
-- 24 hours, single use. Each sign-up attempt for a still unconfirmed address gets its
-- own link, carrying that attempt's password (hashed), name and language: the account
-- takes those of the link its address's owner follows (every link of the account is
-- then deleted), so nobody who merely typed the address first keeps a password on it.
CREATE TABLE email_confirmations (
    token_hash    TEXT PRIMARY KEY,                     -- hex SHA-256 of the token
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    password_hash TEXT NOT NULL,                        -- argon2id PHC string of this attempt
    name          TEXT NOT NULL,
    lang          TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX email_confirmations_by_account ON email_confirmations (account_id);

-- Requests to join an organisation, by a confirmed account without one; any member
-- approves (the account joins) or refuses.
CREATE TABLE join_requests (
    id              TEXT PRIMARY KEY,                   -- UUID v7
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'refused')),
    created_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    answered_by     TEXT REFERENCES accounts (id)
);
-- One pending request per account and organisation: asking again changes nothing.
CREATE UNIQUE INDEX join_requests_pending ON join_requests (organisation_id, account_id) WHERE status = 'pending';
CREATE INDEX join_requests_by_organisation ON join_requests (organisation_id, status, id);

