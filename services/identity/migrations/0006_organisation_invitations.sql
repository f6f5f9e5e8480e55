-- Invitations to join an organisation (issue 11, finding 10): nobody is enrolled without
-- consenting. `POST /api/organisations/{id}/members` records a pending invitation for an
-- e-mail, whether or not an account has it (the answer is the same either way); the account
-- with that e-mail sees it (`GET /api/me/invitations`) and accepts or declines it.
CREATE TABLE organisation_invitations (
    id              TEXT PRIMARY KEY,                   -- UUID v7
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email           TEXT NOT NULL,                      -- trimmed and lower-cased, as accounts.email
    invited_by      TEXT NOT NULL REFERENCES accounts (id),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    answered_at     TEXT
);
-- One pending invitation per organisation and e-mail: inviting again changes nothing.
CREATE UNIQUE INDEX organisation_invitations_pending ON organisation_invitations (organisation_id, email) WHERE status = 'pending';
CREATE INDEX organisation_invitations_by_email ON organisation_invitations (email, status);
