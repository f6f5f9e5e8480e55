-- A change of e-mail (POST /api/me/email, issue 12): a link /confirmer/<token> sent
-- to the new address, 256 random bits stored as their SHA-256 only, valid 24 hours,
-- single use (deleted when used); a new request replaces the account's previous one.
-- It is confirmed where a sign-up is (POST /api/auth/confirm-email: one link shape,
-- one route, one page), but kept apart from `email_confirmations` (migration 0008),
-- whose rows carry a sign-up attempt's password, name and language: a change carries
-- only the new address. Times are unix seconds from the service's clock.
CREATE TABLE email_changes (
    token_hash  TEXT PRIMARY KEY,                   -- hex SHA-256 of the token
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    new_email   TEXT NOT NULL,                      -- trimmed and lower-cased, as accounts.email
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX email_changes_by_account ON email_changes (account_id);
